package pull

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/progress"
	"github.com/thanhxuan/cchc/load"
)

// ErrSourcesFailed reports that some sources failed; the others were pulled.
var ErrSourcesFailed = errors.New("sources failed")

// RunOptions is what one pull of the configured sources needs besides the
// configuration.
type RunOptions struct {
	Sources  []string // names of the sources to pull; empty: all
	Log      *slog.Logger
	Progress progress.Func
	Client   *http.Client                                     // nil: the default
	Sleep    func(ctx context.Context, d time.Duration) error // nil: real waits between retries
	// RunID names the pull in ops.source_pulls; empty: a new id.
	RunID string
}

// Run pulls the configured sources into cfg.Inbox, keeps the pull state and
// journals what happened for ops.source_pulls. A failing source is in its
// report, not in the error (see Failure); the error is for what stops the
// pull as a whole: a source name the configuration does not have
// (config.ErrInvalid), another pull holding the state (load.ErrLocked), a
// state that cannot be saved.
func Run(ctx context.Context, cfg config.Config, o RunOptions) ([]Report, error) {
	specs, err := specs(cfg, o.Sources)
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
	state, err := LoadState(stateFile)
	if err != nil {
		return nil, err
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var done atomic.Int64
	started := time.Now()
	reports := Fetch(ctx, cfg.Inbox, specs, state, Options{
		Timeout:  cfg.Pull.Timeout,
		Retries:  cfg.Pull.Retries,
		Backoff:  cfg.Pull.Backoff,
		MaxBytes: cfg.Pull.MaxBytes,
		Workers:  cfg.Pull.Workers,
		Client:   o.Client,
		Log:      log,
		Sleep:    o.Sleep,
		OnFile: func(f File) {
			name := f.Path
			if name == "" {
				name = f.Origin
			}
			o.Progress.Emit(progress.Event{Phase: progress.Pull, Name: name, Status: f.Status, Done: int(done.Add(1))})
		},
	})
	for _, r := range reports {
		if r.Err != nil {
			log.Error("source failed", "source", r.Source, "err", r.Err)
		}
	}
	run := o.RunID
	if run == "" {
		run = load.NewRunID()
	}
	saveErr := state.Save(stateFile)
	journalErr := withJournal(cfg.StateDir, func(j *journal) error {
		return j.append(records(run, started, reports))
	})
	return reports, errors.Join(saveErr, journalErr)
}

// specs turns the configured sources (those named, or all) into what Fetch
// pulls.
func specs(cfg config.Config, names []string) ([]Source, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []Source
	for _, s := range cfg.Sources {
		if len(names) > 0 && !want[s.Name] {
			continue
		}
		delete(want, s.Name)
		header := map[string]string{}
		for k, v := range s.Headers {
			header[k] = os.ExpandEnv(v) // tokens stay out of the configuration file
		}
		out = append(out, Source{
			Name: s.Name, Dir: s.Path, URL: s.URL, Include: s.Include, File: s.File,
			Dest: s.Dest, SHA256: s.SHA256, Header: header,
		})
	}
	for n := range want {
		return nil, fmt.Errorf("%w: --source %q: no source of that name in the configuration", config.ErrInvalid, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no sources configured (sources: in the configuration file)", config.ErrInvalid)
	}
	return out, nil
}

// Failure returns ErrSourcesFailed naming the failed sources, or nil.
func Failure(reports []Report) error {
	var failed []string
	for _, r := range reports {
		if r.Failed() {
			failed = append(failed, r.Source)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d %w: %s", len(failed), len(reports), ErrSourcesFailed, strings.Join(failed, ", "))
}

// records turns the reports of one pull into rows of ops.source_pulls to be.
func records(run string, started time.Time, reports []Report) []load.PullRecord {
	var out []load.PullRecord
	add := func(r load.PullRecord) {
		r.PullRun, r.PullID = run, fmt.Sprintf("%s-%04d", run, len(out)+1)
		out = append(out, r)
	}
	for _, rep := range reports {
		if rep.Err != nil {
			add(load.PullRecord{PulledAt: started, Source: rep.Source, Status: Failed, Error: rep.Err.Error()})
		}
		for _, f := range rep.Files {
			r := load.PullRecord{
				PulledAt: f.Started, Source: f.Source, Origin: f.Origin, Path: f.Path, Status: f.Status,
				HTTPStatus: f.HTTPStatus, Size: f.Size, SHA256: f.SHA256, ETag: f.ETag, LastModified: f.LastModified,
				Attempts: f.Attempts, DurationMS: load.Millis(f.Duration),
			}
			if f.Err != nil {
				r.Error = f.Err.Error()
			}
			add(r)
		}
	}
	return out
}
