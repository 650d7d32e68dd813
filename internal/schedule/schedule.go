// Package schedule runs the configured jobs (pull the sources, run the
// pipeline, or both) on their cron expressions until the context is done, as
// `cchc schedule` does: a job never overlaps itself, a run missed during
// downtime runs once at start, and a shutdown lets a run in flight finish
// within a grace period.
package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/msg"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/progress"
	"github.com/thanhxuan/cchc/internal/pull"
	"github.com/thanhxuan/cchc/load"
)

// ErrAborted reports that shutdown had to abort a run in flight: it
// published nothing.
var ErrAborted = errors.New("interrupted: a run in flight was aborted")

// Options is what the scheduler needs.
type Options struct {
	Config   config.Config
	Log      *slog.Logger
	Progress progress.Func // told when a job starts and ends, and of its pulls and files
	// Now is the clock of the missed-run check; nil: time.Now. (Firing
	// times are the cron library's, on the real clock.)
	Now func() time.Time
	// Abort, when closed, aborts the runs in flight at once (a second signal).
	Abort <-chan struct{}
}

// Job outcomes, in logs, progress events and the scheduler's state file.
const (
	jobOK      = "ok"
	jobPartial = "partial" // published, but a source failed (or a pull-only job where some sources failed)
	jobFailed  = "failed"
	jobAborted = "aborted" // shutdown cut it short; nothing was published
	jobSkipped = "skipped" // the job (or another process) was still running
)

// jobResult is what one firing of a job did.
type jobResult struct {
	Status  string
	Pulls   []pull.Report
	PullErr error
	Run     *pipeline.Summary
	RunErr  error
}

// JobState is what the scheduler remembers of a job across restarts.
type JobState struct {
	LastStart   time.Time `json:"last_start"`
	LastEnd     time.Time `json:"last_end"`
	LastStatus  string    `json:"last_status"`
	LastError   string    `json:"last_error,omitempty"`
	LastSuccess time.Time `json:"last_success"`
}

type job struct {
	config.Job
	sched   cron.Schedule
	running sync.Mutex // held while the job runs: a job never overlaps itself
}

type scheduler struct {
	cfg       config.Config
	log       *slog.Logger
	progress  progress.Func
	now       func() time.Time
	loc       *time.Location
	jobs      []*job
	stateFile string

	mu       sync.Mutex // guards the fields below
	stopping bool
	aborted  bool
	state    map[string]JobState
	wg       sync.WaitGroup
}

func newScheduler(o Options) (*scheduler, error) {
	if len(o.Config.Schedule.Jobs) == 0 {
		return nil, o.Config.Invalid("schedule.jobs", "no jobs configured")
	}
	loc, err := time.LoadLocation(o.Config.Schedule.TimeZone)
	if err != nil {
		return nil, o.Config.Invalid("schedule.time_zone", err.Error())
	}
	s := &scheduler{
		cfg: o.Config, log: o.Log, progress: o.Progress, now: o.Now, loc: loc,
		stateFile: stateFile(o.Config.StateDir),
		state:     map[string]JobState{},
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	for _, jc := range o.Config.Schedule.Jobs {
		sched, err := config.CronParser.Parse(jc.Cron)
		if err != nil {
			return nil, o.Config.Invalid("schedule.jobs "+jc.Name, fmt.Sprintf("cron %q: %v", jc.Cron, err))
		}
		s.jobs = append(s.jobs, &job{Job: jc, sched: sched})
	}
	if b, err := os.ReadFile(s.stateFile); err == nil {
		if err := json.Unmarshal(b, &s.state); err != nil {
			s.log.Warn("scheduler state unreadable; starting afresh", "file", s.stateFile, "err", err)
			s.state = map[string]JobState{}
		}
	}
	return s, nil
}

// Run runs the jobs until ctx is cancelled, then stops: no new run starts; a
// run in flight may finish within schedule.shutdown_grace (or until Abort is
// closed), then it is aborted. It returns ErrAborted when a run had to be
// aborted, and an error wrapping load.ErrLocked when another scheduler holds
// the warehouse's state folder.
func Run(ctx context.Context, o Options) error {
	s, err := newScheduler(o)
	if err != nil {
		return err
	}
	// One scheduler per warehouse; runs themselves also lock the state folder.
	lock, err := load.TryLock(filepath.Join(o.Config.StateDir, "schedule"))
	if err != nil {
		return err
	}
	defer lock.Unlock()

	// Without a grace period the runs share ctx and stop with it; with one
	// they get a context of their own, cancelled when the grace is over.
	grace := o.Config.Schedule.ShutdownGrace
	jobCtx, cancelJobs := ctx, context.CancelFunc(func() {})
	if grace > 0 {
		jobCtx, cancelJobs = context.WithCancel(context.WithoutCancel(ctx))
	}
	defer cancelJobs()

	c := cron.New(cron.WithLocation(s.loc), cron.WithLogger(cronLog{s.log}))
	byEntry := map[cron.EntryID]*job{}
	for _, j := range s.jobs {
		byEntry[c.Schedule(j.sched, cron.FuncJob(func() { s.fire(jobCtx, j, "cron") }))] = j
	}
	if o.Config.Schedule.Missed == config.MissedRunOnce {
		now := s.now().In(s.loc)
		for _, j := range s.jobs {
			last := s.lastSuccess(ctx, j)
			if due, ok := missed(j.sched, last, now); ok {
				if last.IsZero() {
					s.log.Info("missed run: no success recorded; running once now", "job", j.Name)
				} else {
					s.log.Info("missed run: running once now", "job", j.Name, "last_success", last, "was_due", due)
				}
				go s.fire(jobCtx, j, "missed")
			}
		}
	}
	c.Start()
	for _, e := range c.Entries() {
		s.log.Info("scheduled", "job", byEntry[e.ID].Name, "cron", byEntry[e.ID].Cron, "next", e.Next)
	}

	<-ctx.Done()
	cronDone := c.Stop()
	s.mu.Lock()
	s.stopping = true
	s.mu.Unlock()
	s.log.Info("shutdown: no new runs; waiting for runs in flight", "grace", grace)
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	if grace > 0 {
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-done:
		case <-timer.C:
			cancelJobs()
			s.log.Warn("shutdown: grace period over, aborting runs in flight")
			<-done
		case <-o.Abort:
			cancelJobs()
			s.log.Warn("shutdown: second signal, aborting runs in flight")
			<-done
		}
	}
	<-done
	<-cronDone.Done()
	s.log.Info("scheduler stopped")
	if s.aborted {
		return ErrAborted
	}
	return nil
}

// missed reports whether a scheduled time of sched fell after the last
// success and not after now, and which one; a job that never succeeded has
// always missed its run.
func missed(sched cron.Schedule, last, now time.Time) (time.Time, bool) {
	if last.IsZero() {
		return time.Time{}, true
	}
	next := sched.Next(last.In(now.Location()))
	return next, !next.IsZero() && !next.After(now)
}

// lastSuccess is the later of the scheduler's own record and, for a job that
// runs the pipeline, the last published run in the warehouse's ops.runs (a
// `cchc run` by hand counts too).
func (s *scheduler) lastSuccess(ctx context.Context, j *job) time.Time {
	s.mu.Lock()
	last := s.state[j.Name].LastSuccess
	s.mu.Unlock()
	if j.Run {
		if t := lastPublished(ctx, s.cfg.Warehouse); t.After(last) {
			last = t
		}
	}
	return last
}

// lastPublished reads the start of the last published run from the
// warehouse; zero when there is none (or no warehouse yet).
func lastPublished(ctx context.Context, warehouse string) time.Time {
	if _, err := os.Stat(warehouse); err != nil {
		return time.Time{}
	}
	db, closeDB, err := load.OpenReadOnly(warehouse)
	if err != nil {
		return time.Time{}
	}
	defer closeDB()
	var t *time.Time
	if err := db.QueryRowContext(ctx, `SELECT max(started_at) FROM ops.runs WHERE status = 'published'`).Scan(&t); err != nil || t == nil {
		return time.Time{}
	}
	return load.FromLocalWall(*t)
}

// fire runs job j once unless it is still running or the scheduler stops.
func (s *scheduler) fire(ctx context.Context, j *job, trigger string) (res jobResult) {
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return jobResult{Status: jobSkipped}
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	log := s.log.With("job", j.Name, "trigger", trigger)
	if !j.running.TryLock() {
		log.Warn("job still running: this firing is skipped")
		return jobResult{Status: jobSkipped}
	}
	defer j.running.Unlock()

	emit := func(status string) {
		s.progress.Emit(progress.Event{Phase: progress.Job, Name: j.Name, Status: status})
	}
	start := time.Now()
	log.Info("job started", "pull", j.Pull, "run", j.Run)
	emit("started")
	defer func() {
		if r := recover(); r != nil {
			log.Error("job panicked", "panic", r, "stack", string(debug.Stack()))
			res = jobResult{Status: jobFailed, RunErr: fmt.Errorf("panic: %v", r)}
		}
		s.record(j, start, res)
		logJob(log, res, time.Since(start))
		emit(res.Status)
	}()
	return s.runJob(ctx, j, log)
}

func (s *scheduler) runJob(ctx context.Context, j *job, log *slog.Logger) jobResult {
	var res jobResult
	if j.Pull {
		res.Pulls, res.PullErr = pull.Run(ctx, s.cfg, pull.RunOptions{Sources: j.Sources, Log: log, Progress: s.progress})
		if res.PullErr == nil {
			res.PullErr = pull.Failure(res.Pulls)
		}
	}
	if j.Run && ctx.Err() == nil {
		res.Run, res.RunErr = pipeline.Run(ctx, s.cfg, pipeline.WithLogger(log), pipeline.WithProgress(s.progress))
	}
	published := res.Run != nil && res.Run.Published
	switch {
	case ctx.Err() != nil && !published:
		res.Status = jobAborted
		s.mu.Lock()
		s.aborted = true
		s.mu.Unlock()
	case j.Run && errors.Is(res.RunErr, load.ErrLocked), !j.Run && errors.Is(res.PullErr, load.ErrLocked):
		res.Status = jobSkipped // another process is at it; the next firing tries again
	case j.Run && !published:
		res.Status = jobFailed
	case res.PullErr != nil && (published || someSourceOK(res.Pulls)):
		res.Status = jobPartial
	case res.PullErr != nil:
		res.Status = jobFailed
	default:
		res.Status = jobOK
	}
	return res
}

func someSourceOK(reports []pull.Report) bool {
	for _, r := range reports {
		if !r.Failed() {
			return true
		}
	}
	return false
}

// record keeps the job's outcome in the state file; a success is what the
// missed-run policy counts from.
func (s *scheduler) record(j *job, start time.Time, res jobResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.state[j.Name]
	st.LastStart, st.LastEnd, st.LastStatus, st.LastError = start, time.Now(), res.Status, ""
	if err := errors.Join(res.PullErr, res.RunErr); err != nil {
		st.LastError = msg.Clip(err.Error(), 500)
	}
	if res.Status == jobOK || (res.Status == jobPartial && j.Run) {
		st.LastSuccess = start
	}
	if res.Status == jobSkipped {
		return // nothing happened worth remembering
	}
	s.state[j.Name] = st
	b, err := json.MarshalIndent(s.state, "", "  ")
	if err == nil {
		err = os.MkdirAll(filepath.Dir(s.stateFile), 0o755)
	}
	if err == nil {
		tmp := s.stateFile + ".tmp"
		if err = os.WriteFile(tmp, b, 0o644); err == nil {
			err = os.Rename(tmp, s.stateFile)
		}
	}
	if err != nil {
		s.log.Warn("cannot save the scheduler state", "file", s.stateFile, "err", err)
	}
}

// logJob writes one structured line per finished job.
func logJob(log *slog.Logger, res jobResult, d time.Duration) {
	attrs := []any{"status", res.Status, "duration", d.Round(time.Millisecond)}
	if res.Pulls != nil {
		counts := map[string]int{}
		for _, r := range res.Pulls {
			if r.Err != nil {
				counts[pull.Failed]++
			}
			for _, f := range r.Files {
				counts[f.Status]++
			}
		}
		attrs = append(attrs, "pulled_new", counts[pull.New]+counts[pull.Updated],
			"pulled_not_modified", counts[pull.NotModified]+counts[pull.Unchanged], "pull_failed", counts[pull.Failed])
	}
	if s := res.Run; s != nil {
		loaded, rejected := s.Rows()
		attrs = append(attrs, "run_id", s.RunID, "published", s.Published, "files_loaded", s.Count(pipeline.Loaded),
			"files_failed", s.Count(pipeline.Failed), "rows_loaded", loaded, "rows_rejected", rejected)
	}
	if err := errors.Join(res.PullErr, res.RunErr); err != nil {
		attrs = append(attrs, "err", err)
	}
	switch res.Status {
	case jobOK, jobSkipped:
		log.Info("job finished", attrs...)
	case jobPartial, jobAborted:
		log.Warn("job finished", attrs...)
	default:
		log.Error("job finished", attrs...)
	}
}

// cronLog sends the cron library's chatter to slog: its routine lines at
// debug level, its errors as errors.
type cronLog struct{ log *slog.Logger }

func (l cronLog) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }
func (l cronLog) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}

// PlannedJob is what Plan tells of one job.
type PlannedJob struct {
	config.Job
	Next        []time.Time // the next three times it fires
	RunsAtStart bool        // a missed run would start now
}

// Plan returns each job's next three times and whether a missed run would
// start now, and the scheduler's time zone and clock: a check of the
// configuration before the scheduler is installed.
func Plan(ctx context.Context, o Options) ([]PlannedJob, *time.Location, time.Time, error) {
	s, err := newScheduler(o)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	now := s.now().In(s.loc)
	var out []PlannedJob
	for _, j := range s.jobs {
		p := PlannedJob{Job: j.Job}
		t := now
		for range 3 {
			if t = j.sched.Next(t); t.IsZero() {
				break
			}
			p.Next = append(p.Next, t)
		}
		if _, ok := missed(j.sched, s.lastSuccess(ctx, j), now); ok && o.Config.Schedule.Missed == config.MissedRunOnce {
			p.RunsAtStart = true
		}
		out = append(out, p)
	}
	return out, s.loc, now, nil
}

// States returns what the scheduler of the warehouse whose state folder is
// stateDir remembers of its jobs; nil when it never ran.
func States(stateDir string) map[string]JobState {
	b, err := os.ReadFile(stateFile(stateDir))
	if err != nil {
		return nil
	}
	var state map[string]JobState
	if json.Unmarshal(b, &state) != nil {
		return nil
	}
	return state
}

func stateFile(stateDir string) string { return filepath.Join(stateDir, "schedule", "state.json") }
