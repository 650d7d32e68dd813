package cli

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/thanhxuan/cchc/internal/progress"
	"github.com/thanhxuan/cchc/load"
)

// Progress modes of --progress.
const (
	progressAuto = "auto" // a bar on a terminal, lines otherwise
	progressBar  = "bar"
	progressJSON = "json" // lines: JSON, or text when the logs are text and --progress json was not asked for
	progressNone = "none"
)

// progressMode resolves the flags: -q silences, --json asks for JSON lines,
// auto picks a bar on a terminal and lines otherwise (in the logs' format:
// see logger).
func progressMode(g *globalFlags, w io.Writer) string {
	switch {
	case g.quiet:
		return progressNone
	case g.json:
		return progressJSON
	case g.progress != progressAuto && g.progress != "":
		return g.progress
	case isTerminal(w):
		return progressBar
	}
	return progressJSON
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressUI is a renderer: render takes events (nil: none), finish ends a
// bar's line, logWriter, when not nil, is where log lines must go so they
// print above the bar instead of through it, and lines, when not nil, is the
// line renderer whose format follows the logs' (logger sets it).
type progressUI struct {
	render    progress.Func
	finish    func()
	logWriter io.Writer
	lines     *lineProgress
}

// newProgress returns the renderer of mode on w.
func newProgress(mode string, w io.Writer) progressUI {
	switch mode {
	case progressJSON:
		r := &lineProgress{w: w}
		r.setFormat(true)
		return progressUI{render: r.render, finish: func() {}, lines: r}
	case progressBar:
		r := &barProgress{w: w}
		return progressUI{render: r.render, finish: r.finish, logWriter: barLogWriter{r}}
	}
	return progressUI{finish: func() {}}
}

// lineProgress writes one log record a line, "progress" with the event's
// fields, through a slog handler of the same format, time zone and stream
// as the logs beside it: JSON lines when the logs are JSON, text (key=value)
// lines when they are text, so that a stream never mixes the two.
type lineProgress struct {
	mu  sync.Mutex
	w   io.Writer
	log *slog.Logger
}

// setFormat makes the lines JSON or text.
func (r *lineProgress) setFormat(json bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = slog.New(logHandler(r.w, json, slog.LevelInfo))
}

func (r *lineProgress) render(e progress.Event) {
	attrs := []slog.Attr{slog.String("phase", e.Phase)}
	if e.Name != "" {
		attrs = append(attrs, slog.String("name", e.Name))
	}
	if e.Status != "" {
		attrs = append(attrs, slog.String("status", e.Status))
	}
	attrs = append(attrs, slog.Int("done", e.Done))
	if e.Total != 0 {
		attrs = append(attrs, slog.Int("total", e.Total))
	}
	if e.Rows != 0 {
		attrs = append(attrs, slog.Int64("rows", e.Rows))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log.LogAttrs(context.Background(), slog.LevelInfo, "progress", attrs...)
}

// logHandler is the handler of every log line and progress line of a
// stream: JSON or text, times in the district's zone (Asia/Ho_Chi_Minh,
// load.Zone) whatever the machine's zone is — cron often runs in UTC.
func logHandler(w io.Writer, json bool, level slog.Leveler) slog.Handler {
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Value.Kind() == slog.KindTime {
			a.Value = slog.TimeValue(a.Value.Time().In(load.Zone))
		}
		return a
	}}
	if json {
		return slog.NewJSONHandler(w, opts)
	}
	return slog.NewTextHandler(w, opts)
}

// barProgress draws one bar per phase; a new phase ends the previous bar, and
// so does reaching the total, so that what follows starts on its own line.
type barProgress struct {
	mu    sync.Mutex
	w     io.Writer
	bar   *progressbar.ProgressBar
	phase string
	total int
	ended bool // the bar of phase reached its total; late events of it are dropped
}

var phaseLabel = map[string]string{
	progress.Pull:   "tải về / pulling",
	progress.Files:  "tệp / files      ",
	progress.Models: "mô hình / models ",
}

func (r *barProgress) render(e progress.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e.Phase == progress.Job {
		r.finishLocked()
		r.ended = false
		return
	}
	same := e.Phase == r.phase && e.Total == r.total
	if same && r.ended {
		return // parallel workers report out of order: the bar is already full
	}
	if r.bar == nil || !same {
		r.finishLocked()
		max := e.Total
		if max <= 0 {
			max = -1 // a spinner: the total is not known in advance
		}
		r.bar = progressbar.NewOptions(max,
			progressbar.OptionSetWriter(r.w),
			progressbar.OptionSetDescription(phaseLabel[e.Phase]),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowCount(),
			progressbar.OptionThrottle(100*time.Millisecond),
		)
		r.phase, r.total, r.ended = e.Phase, e.Total, false
	}
	r.bar.Set(e.Done)
	if e.Total > 0 && e.Done >= e.Total {
		r.finishLocked()
		r.ended = true
	}
}

// barLogWriter clears the bar's line before a log line; the next event draws
// the bar again below it.
type barLogWriter struct{ r *barProgress }

func (b barLogWriter) Write(p []byte) (int, error) {
	b.r.mu.Lock()
	defer b.r.mu.Unlock()
	if b.r.bar != nil {
		b.r.bar.Clear()
	}
	return b.r.w.Write(p)
}

func (r *barProgress) finish() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.finishLocked()
}

func (r *barProgress) finishLocked() {
	if r.bar == nil {
		return
	}
	if r.total > 0 {
		r.bar.Finish()
	} else {
		r.bar.Exit()
	}
	io.WriteString(r.w, "\n")
	r.bar = nil
}
