package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/load"
)

func newScheduleCmd(g *globalFlags) *cobra.Command {
	var dryRun bool
	c := &cobra.Command{
		Use:   "schedule",
		Short: "run the configured jobs (pull sources, run the pipeline) on their cron schedules until stopped",
		Long: `Schedule runs the jobs of schedule.jobs in the configuration on their cron
expressions, read in schedule.time_zone (Asia/Ho_Chi_Minh), until SIGTERM or
SIGINT. A job pulls its sources into the inbox, runs the pipeline, or both.
A job never overlaps itself: a firing while it still runs is skipped and logged.

After downtime (schedule.missed: run_once), a job whose last success is older
than its last scheduled time runs once at start.

On SIGTERM or SIGINT no new run starts; a run in flight may finish within
schedule.shutdown_grace, then it is aborted (a second signal aborts at once).
An aborted run publishes nothing: the previous warehouse stays as it was, and
the next run loads what the aborted one did not. Exit status 0 after a clean
stop, 130 when a run had to be aborted.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.config, c.Flags(), flagKeys)
			if err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			if len(cfg.Schedule.Jobs) == 0 {
				return fmt.Errorf("%w: %s: schedule.jobs: no jobs configured", config.ErrInvalid, orEnv(cfg.File))
			}
			opt := scheduleOptions{Config: cfg, Log: logger(g, cfg, c.ErrOrStderr())}
			if dryRun {
				return printPlan(c.Context(), c.OutOrStdout(), opt)
			}
			// The first signal cancels the command's context (Run); the
			// second one aborts the runs in flight.
			abort := make(chan struct{})
			sig := make(chan os.Signal, 2)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			defer func() { signal.Stop(sig); close(sig) }()
			go func() {
				n := 0
				for range sig {
					if n++; n == 2 {
						close(abort)
					}
				}
			}()
			opt.Abort = abort
			return runSchedule(c.Context(), opt)
		},
	}
	f := c.Flags()
	f.String("inbox", "", "folder of input workbooks [inbox, CCHC_INBOX]")
	f.String("warehouse", "", "the DuckDB file to publish [warehouse, CCHC_WAREHOUSE]")
	f.String("state-dir", "", "private state folder (default WAREHOUSE.state) [state_dir, CCHC_STATE_DIR]")
	f.String("models-dir", "", "folder of the data team's own SQL models and tests [models_dir, CCHC_MODELS_DIR]")
	f.BoolVar(&dryRun, "dry-run", false, "print each job's next times and whether a missed run would start now, then exit")
	return c
}

func orEnv(file string) string {
	if file == "" {
		return "environment/flags"
	}
	return file
}

// scheduleOptions is what the scheduler needs; it knows nothing of cobra.
type scheduleOptions struct {
	Config config.Config
	Log    *slog.Logger
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
	Pulls   []extract.PullReport
	PullErr error
	Run     *RunSummary
	RunErr  error
}

// jobState is what the scheduler remembers of a job across restarts.
type jobState struct {
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
	now       func() time.Time
	loc       *time.Location
	jobs      []*job
	stateFile string

	mu       sync.Mutex // guards the fields below
	stopping bool
	aborted  bool
	state    map[string]jobState
	wg       sync.WaitGroup
}

func newScheduler(o scheduleOptions) (*scheduler, error) {
	loc, err := time.LoadLocation(o.Config.Schedule.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("%w: schedule.time_zone: %v", config.ErrInvalid, err)
	}
	s := &scheduler{
		cfg: o.Config, log: o.Log, now: o.Now, loc: loc,
		stateFile: filepath.Join(o.Config.StateDir, "schedule", "state.json"),
		state:     map[string]jobState{},
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
			return nil, fmt.Errorf("%w: schedule.jobs %s: cron %q: %v", config.ErrInvalid, jc.Name, jc.Cron, err)
		}
		s.jobs = append(s.jobs, &job{Job: jc, sched: sched})
	}
	if b, err := os.ReadFile(s.stateFile); err == nil {
		if err := json.Unmarshal(b, &s.state); err != nil {
			s.log.Warn("scheduler state unreadable; starting afresh", "file", s.stateFile, "err", err)
			s.state = map[string]jobState{}
		}
	}
	return s, nil
}

// runSchedule runs the jobs until ctx is cancelled, then stops as the
// command's help says. It returns errInterrupted when a run had to be aborted.
func runSchedule(ctx context.Context, o scheduleOptions) error {
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
		return errInterrupted
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
	return fromLocalWall(*t)
}

// fromLocalWall is the inverse of localWall: a stored local TIMESTAMP back to
// an instant.
func fromLocalWall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), hcm)
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

	progress := progressFrom(ctx)
	emit := func(status string) {
		if progress != nil {
			progress(Event{Phase: PhaseJob, Name: j.Name, Status: status})
		}
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
		res.Pulls, res.PullErr = runPull(ctx, pullOptions{Config: s.cfg, Sources: j.Sources, Log: log})
		if res.PullErr == nil {
			res.PullErr = pullFailure(res.Pulls)
		}
	}
	if j.Run && ctx.Err() == nil {
		res.Run, res.RunErr = runPipeline(ctx, s.cfg, log)
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

func someSourceOK(reports []extract.PullReport) bool {
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
		st.LastError = clip(err.Error(), 500)
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
				counts[extract.PullFailed]++
			}
			for _, f := range r.Files {
				counts[f.Status]++
			}
		}
		attrs = append(attrs, "pulled_new", counts[extract.PullNew]+counts[extract.PullUpdated],
			"pulled_not_modified", counts[extract.PullNotModified]+counts[extract.PullUnchanged], "pull_failed", counts[extract.PullFailed])
	}
	if s := res.Run; s != nil {
		loaded, rejected := s.Rows()
		attrs = append(attrs, "run_id", s.RunID, "published", s.Published, "files_loaded", s.Count(load.StatusLoaded),
			"files_failed", s.Count(load.StatusFailed), "rows_loaded", loaded, "rows_rejected", rejected)
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

// printPlan writes each job's next three times and whether a missed run would
// start now: a check of the configuration before the scheduler is installed.
func printPlan(ctx context.Context, w io.Writer, o scheduleOptions) error {
	s, err := newScheduler(o)
	if err != nil {
		return err
	}
	now := s.now().In(s.loc)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tCRON\tDOES\tNEXT\tMISSED RUN AT START")
	for _, j := range s.jobs {
		var does []string
		if j.Pull {
			src := "all sources"
			if len(j.Sources) > 0 {
				src = strings.Join(j.Sources, ",")
			}
			does = append(does, "pull "+src)
		}
		if j.Run {
			does = append(does, "run")
		}
		var next []string
		t := now
		for range 3 {
			if t = j.sched.Next(t); t.IsZero() {
				break
			}
			next = append(next, t.Format("2006-01-02 15:04:05"))
		}
		start := "no"
		if _, ok := missed(j.sched, s.lastSuccess(ctx, j), now); ok && o.Config.Schedule.Missed == config.MissedRunOnce {
			start = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.Name, j.Cron, strings.Join(does, " + "), strings.Join(next, ", "), start)
	}
	fmt.Fprintf(tw, "\ntime zone %s; now %s\n", s.loc, now.Format("2006-01-02 15:04:05"))
	return tw.Flush()
}
