package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/load"
)

// errSourcesFailed reports that some sources failed; the others were pulled.
var errSourcesFailed = errors.New("sources failed")

func newPullCmd(g *globalFlags) *cobra.Command {
	var names []string
	c := &cobra.Command{
		Use:   "pull",
		Short: "fetch new and changed files of the configured sources (folders, HTTP) into the inbox",
		Long: `Pull fetches every configured source (sources: in the configuration) into the
inbox: a folder's new and changed files, an HTTP(S) file with a conditional GET.
Each file is written under a hidden temporary name, verified and renamed into
place, so a run never sees half a file. What was fetched is recorded in
ops.source_pulls by the next run. A source that fails is reported and the others
are still pulled; the exit status is then 1.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.config, c.Flags(), flagKeys)
			if err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			reports, err := runPull(c.Context(), pullOptions{Config: cfg, Sources: names, Log: logger(g, cfg, c.ErrOrStderr())})
			if !g.quiet {
				printPulls(c.OutOrStdout(), reports)
			}
			if err != nil {
				return err
			}
			return pullFailure(reports)
		},
	}
	f := c.Flags()
	f.String("inbox", "", "folder the files are pulled into [inbox, CCHC_INBOX]")
	f.String("warehouse", "", "the DuckDB file whose state folder keeps the pull state [warehouse, CCHC_WAREHOUSE]")
	f.String("state-dir", "", "private state folder (default WAREHOUSE.state) [state_dir, CCHC_STATE_DIR]")
	f.StringArrayVar(&names, "source", nil, "pull only this source (repeatable; default: all)")
	return c
}

// pullOptions is what one pull needs.
type pullOptions struct {
	Config  config.Config
	Sources []string // names of the sources to pull; empty: all
	Log     *slog.Logger
	Client  *http.Client                                     // nil: the default
	Sleep   func(ctx context.Context, d time.Duration) error // nil: real waits between retries
}

// runPull pulls the sources into the inbox, keeps the pull state and journals
// what happened for ops.source_pulls. A failing source is in its report, not
// in the error; the error is for what stops the pull as a whole (another pull
// holding the state, a state that cannot be saved).
func runPull(ctx context.Context, o pullOptions) ([]extract.PullReport, error) {
	cfg := o.Config
	specs, err := pullSpecs(cfg, o.Sources)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(cfg.StateDir, "pull")
	lock, err := load.TryLock(dir)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	stateFile := filepath.Join(dir, "state.json")
	state, err := extract.LoadPullState(stateFile)
	if err != nil {
		return nil, err
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	progress := progressFrom(ctx)
	var done atomic.Int64
	started := time.Now()
	reports := extract.Pull(ctx, cfg.Inbox, specs, state, extract.PullOptions{
		Timeout:  cfg.Pull.Timeout,
		Retries:  cfg.Pull.Retries,
		Backoff:  cfg.Pull.Backoff,
		MaxBytes: cfg.Pull.MaxBytes,
		Workers:  cfg.Pull.Workers,
		Client:   o.Client,
		Log:      log,
		Sleep:    o.Sleep,
		OnFile: func(f extract.Pulled) {
			if progress != nil {
				name := f.Path
				if name == "" {
					name = f.Origin
				}
				progress(Event{Phase: PhasePull, Name: name, Status: f.Status, Done: int(done.Add(1))})
			}
		},
	})
	for _, r := range reports {
		if r.Err != nil {
			log.Error("source failed", "source", r.Source, "err", r.Err)
		}
	}
	saveErr := state.Save(stateFile)
	journalErr := withJournal(cfg.StateDir, func(j *pullJournal) error {
		return j.append(journalRecords(newRunID(), started, reports))
	})
	return reports, errors.Join(saveErr, journalErr)
}

// pullSpecs turns the configured sources (those named, or all) into what
// extract pulls.
func pullSpecs(cfg config.Config, names []string) ([]extract.PullSource, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []extract.PullSource
	for _, s := range cfg.Sources {
		if len(names) > 0 && !want[s.Name] {
			continue
		}
		delete(want, s.Name)
		header := map[string]string{}
		for k, v := range s.Headers {
			header[k] = os.ExpandEnv(v) // tokens stay out of the configuration file
		}
		out = append(out, extract.PullSource{
			Name: s.Name, Dir: s.Path, URL: s.URL, Include: s.Include, File: s.File,
			Dest: s.Dest, SHA256: s.SHA256, Header: header,
		})
	}
	for n := range want {
		return nil, usageError{fmt.Errorf("--source %q: no source of that name in the configuration", n)}
	}
	if len(out) == 0 {
		return nil, usageError{errors.New("no sources configured (sources: in the configuration file)")}
	}
	return out, nil
}

// pullFailure returns errSourcesFailed naming the failed sources, or nil.
func pullFailure(reports []extract.PullReport) error {
	var failed []string
	for _, r := range reports {
		if r.Failed() {
			failed = append(failed, r.Source)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d %w: %s", len(failed), len(reports), errSourcesFailed, strings.Join(failed, ", "))
}

// printPulls writes the pull outcome for people.
func printPulls(w io.Writer, reports []extract.PullReport) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NGUỒN / SOURCE\tTRẠNG THÁI / STATUS\tBYTES\tSHA256\tTỆP / FILE")
	counts := map[string]int{}
	for _, r := range reports {
		if r.Err != nil {
			counts[extract.PullFailed]++
			fmt.Fprintf(tw, "%s\t%s\t\t\t%s\n", r.Source, extract.PullFailed, clip(r.Err.Error(), 160))
		}
		for _, f := range r.Files {
			counts[f.Status]++
			what := f.Path
			if f.Err != nil {
				what = f.Origin + ": " + clip(f.Err.Error(), 160)
			}
			sum := f.SHA256
			if len(sum) > 12 {
				sum = sum[:12]
			}
			size := ""
			if f.Size > 0 {
				size = fmt.Sprint(f.Size)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Source, f.Status, size, sum, what)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "pulled: %d new, %d updated, %d unchanged, %d not modified, %d failed\n",
		counts[extract.PullNew], counts[extract.PullUpdated], counts[extract.PullUnchanged], counts[extract.PullNotModified], counts[extract.PullFailed])
}

// pullRecord is one journalled pull, a row of ops.source_pulls to be.
type pullRecord struct {
	PullID       string    `json:"pull_id"`
	PullRun      string    `json:"pull_run"`
	PulledAt     time.Time `json:"pulled_at"`
	Source       string    `json:"source"`
	Origin       string    `json:"origin,omitempty"`
	Path         string    `json:"path,omitempty"`
	Status       string    `json:"status"`
	HTTPStatus   int       `json:"http_status,omitempty"`
	Size         int64     `json:"size_bytes"`
	SHA256       string    `json:"sha256,omitempty"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Attempts     int       `json:"attempts"`
	DurationMS   float64   `json:"duration_ms"`
	Error        string    `json:"error,omitempty"`
}

func journalRecords(run string, started time.Time, reports []extract.PullReport) []pullRecord {
	var out []pullRecord
	add := func(r pullRecord) {
		r.PullRun, r.PullID = run, fmt.Sprintf("%s-%04d", run, len(out)+1)
		out = append(out, r)
	}
	for _, rep := range reports {
		if rep.Err != nil {
			add(pullRecord{PulledAt: started, Source: rep.Source, Status: extract.PullFailed, Error: rep.Err.Error()})
		}
		for _, f := range rep.Files {
			r := pullRecord{
				PulledAt: f.Started, Source: f.Source, Origin: f.Origin, Path: f.Path, Status: f.Status,
				HTTPStatus: f.HTTPStatus, Size: f.Size, SHA256: f.SHA256, ETag: f.ETag, LastModified: f.LastModified,
				Attempts: f.Attempts, DurationMS: ms(f.Duration),
			}
			if f.Err != nil {
				r.Error = f.Err.Error()
			}
			add(r)
		}
	}
	return out
}

// pullJournal is the append-only file of pulls not yet recorded in the
// warehouse, in the state folder: a pull appends, the next run moves the
// records into ops.source_pulls and empties it. An flock keeps the two apart.
type pullJournal struct{ f *os.File }

const journalName = "journal.jsonl"

// withJournal calls fn with the journal of stateDir locked.
func withJournal(stateDir string, fn func(*pullJournal) error) error {
	dir := filepath.Join(stateDir, "pull")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, journalName), os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn(&pullJournal{f: f})
}

func (j *pullJournal) append(recs []pullRecord) error {
	if len(recs) == 0 {
		return nil
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	if _, err := j.f.WriteString(b.String()); err != nil {
		return err
	}
	return j.f.Sync()
}

// read returns every record; a torn last line (a crash while appending) is
// left out.
func (j *pullJournal) read() ([]pullRecord, error) {
	if _, err := j.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var out []pullRecord
	sc := bufio.NewScanner(j.f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var r pullRecord
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.PullID != "" {
			out = append(out, r)
		}
	}
	return out, sc.Err()
}

func (j *pullJournal) truncate() error {
	if err := j.f.Truncate(0); err != nil {
		return err
	}
	return j.f.Sync()
}
