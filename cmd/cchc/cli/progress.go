package cli

import (
	"encoding/json"
	"io"
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
	progressAuto = "auto" // a bar on a terminal, JSON lines otherwise
	progressBar  = "bar"
	progressJSON = "json"
	progressNone = "none"
)

// progressMode resolves the flags: -q silences, --json asks for JSON lines,
// auto picks by whether w is a terminal.
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
// bar's line, and logWriter, when not nil, is where log lines must go so they
// print above the bar instead of through it.
type progressUI struct {
	render    progress.Func
	finish    func()
	logWriter io.Writer
}

// newProgress returns the renderer of mode on w.
func newProgress(mode string, w io.Writer) progressUI {
	switch mode {
	case progressJSON:
		r := &jsonProgress{enc: json.NewEncoder(w)}
		return progressUI{render: r.render, finish: func() {}}
	case progressBar:
		r := &barProgress{w: w}
		return progressUI{render: r.render, finish: r.finish, logWriter: barLogWriter{r}}
	}
	return progressUI{finish: func() {}}
}

// jsonProgress writes one JSON object a line, shaped like the slog JSON
// records beside it: {"time":…,"msg":"progress","phase":…}.
type jsonProgress struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (r *jsonProgress) render(e progress.Event) {
	line := struct {
		Time string `json:"time"`
		Msg  string `json:"msg"`
		progress.Event
	}{time.Now().In(load.Zone).Format(time.RFC3339Nano), "progress", e}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.enc.Encode(line)
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
