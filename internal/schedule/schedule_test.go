package schedule

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/progress"
	"github.com/thanhxuan/cchc/internal/testwh"
	"github.com/thanhxuan/cchc/load"
)

func TestMissed(t *testing.T) {
	daily, _ := config.CronParser.Parse("0 2 * * *")
	quarterly, _ := config.CronParser.Parse("0 8 5 3,6,9,12 *")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, load.Zone)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name      string
		last, now string
		sched     string
		want      bool
		due       string
	}{
		{"never succeeded", "", "2024-03-10 09:00", "daily", true, ""},
		{"last night's run done", "2024-03-10 02:00", "2024-03-10 09:00", "daily", false, "2024-03-11 02:00"},
		{"down over night", "2024-03-09 02:00", "2024-03-10 09:00", "daily", true, "2024-03-10 02:00"},
		{"exactly at the scheduled time", "2024-03-09 02:00", "2024-03-10 02:00", "daily", true, "2024-03-10 02:00"},
		{"a second before", "2024-03-09 02:00", "2024-03-10 01:59", "daily", false, "2024-03-10 02:00"},
		{"deadline run missed", "2024-02-01 08:00", "2024-03-06 07:00", "quarterly", true, "2024-03-05 08:00"},
		{"deadline not yet", "2024-03-05 08:01", "2024-05-30 07:00", "quarterly", false, "2024-06-05 08:00"},
	}
	for _, tt := range tests {
		s := daily
		if tt.sched == "quarterly" {
			s = quarterly
		}
		var last time.Time
		if tt.last != "" {
			last = at(tt.last).UTC() // the zone of the stored time must not matter
		}
		due, got := missed(s, last, at(tt.now))
		if got != tt.want || (tt.due != "" && !due.Equal(at(tt.due))) {
			t.Errorf("%s: missed = %v (due %v), want %v (due %s)", tt.name, got, due, tt.want, tt.due)
		}
	}
}

// TestScheduleFiresPullsAndPublishes: a job on a seconds-resolution schedule
// pulls from an HTTP server into the inbox and publishes; its next firing gets
// a 304 and loads nothing.
func TestScheduleFiresPullsAndPublishes(t *testing.T) {
	body := testwh.DossierCSV("MC", 3)
	var mu sync.Mutex
	var conditional []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		conditional = append(conditional, r.Header.Get("If-None-Match"))
		mu.Unlock()
		w.Header().Set("ETag", `"export-1"`)
		if r.Header.Get("If-None-Match") == `"export-1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, body)
	}))
	defer ts.Close()

	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	cfg.Sources = []config.Source{{Name: "motcua", URL: ts.URL + "/export/hoso_motcua.csv"}}
	cfg.Schedule.Missed = config.MissedSkip
	cfg.Schedule.Jobs = []config.Job{{Name: "nightly", Cron: "* * * * * *", Pull: true, Run: true}}
	cfg = testwh.Validate(t, cfg)

	ev := testwh.NewEvents()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Options{Config: cfg, Log: testwh.Log(t), Progress: ev.Add}) }()
	for i := 0; i < 2; i++ {
		if j := ev.NextJob(t); j.Name != "nightly" || j.Status != jobOK {
			t.Fatalf("job %d: %+v", i+1, j)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after a clean stop: %v", err)
	}

	if b, err := os.ReadFile(filepath.Join(cfg.Inbox, "motcua", "hoso_motcua.csv")); err != nil || string(b) != body {
		t.Fatalf("inbox file: %q %v", b, err)
	}
	mu.Lock()
	if len(conditional) < 2 || conditional[0] != "" || conditional[1] != `"export-1"` {
		t.Errorf("If-None-Match of the requests: %q", conditional)
	}
	mu.Unlock()
	wh := cfg.Warehouse
	if got := testwh.Query(t, wh, `SELECT count(*) FROM core.dossiers WHERE dossier_id LIKE 'MC-%'`); got != "3" {
		t.Errorf("core.dossiers: %s rows from the pulled file, want 3", got)
	}
	// The warehouse published by the second run: its own run loaded nothing.
	if got := testwh.Query(t, wh, `SELECT status || ' ' || files_loaded || ' ' || files_skipped FROM ops.runs ORDER BY started_at LIMIT 2`); got != "published 1 0\npublished 0 1" {
		t.Errorf("ops.runs:\n%s", got)
	}
	// The first firing's pull was recorded by its run, the 304 by the second.
	if got := testwh.Query(t, wh, `SELECT status || ' ' || coalesce(http_status::VARCHAR, '-') || ' ' || path FROM ops.source_pulls ORDER BY pulled_at LIMIT 2`); got != "new 200 motcua/hoso_motcua.csv\nnot_modified 304 motcua/hoso_motcua.csv" {
		t.Errorf("ops.source_pulls:\n%s", got)
	}
	if got := testwh.Query(t, wh, `SELECT count(*) FROM ops.source_pulls p JOIN raw.files f ON f.sha256 = p.sha256 AND f.path = p.path WHERE p.status = 'new'`); got != "1" {
		t.Errorf("the pull's checksum does not lead to its raw.files row (%s)", got)
	}
	if got := testwh.Query(t, wh, `SELECT source || ' ' || failing || ' ' || files FROM ops.source_freshness`); got != "motcua false 1" {
		t.Errorf("ops.source_freshness: %s", got)
	}
	// Progress: files and models of the first run, with running counts.
	files := ev.Phase(progress.Files)
	if len(files) == 0 || files[0].Done != 1 || files[0].Total != 1 || files[0].Status != load.StatusLoaded || files[0].Name != "motcua/hoso_motcua.csv" {
		t.Errorf("file progress: %+v", files)
	}
	models := ev.Phase(progress.Models)
	if len(models) < 2 || models[len(models)-1].Done != models[len(models)-1].Total {
		t.Errorf("model progress: %d events", len(models))
	}
}

// TestScheduleNoOverlap: a firing while the same job still runs is skipped.
func TestScheduleNoOverlap(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	requests := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		entered <- struct{}{}
		<-release
		fmt.Fprint(w, "x")
	}))
	defer ts.Close()
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	cfg.Sources = []config.Source{{Name: "web", URL: ts.URL + "/a.csv"}}
	cfg.Schedule.Jobs = []config.Job{{Name: "pull", Cron: "@hourly", Pull: true}}
	cfg = testwh.Validate(t, cfg)
	s, err := newScheduler(Options{Config: cfg, Log: testwh.Log(t)})
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan jobResult)
	go func() { first <- s.fire(context.Background(), s.jobs[0], "cron") }()
	<-entered
	if res := s.fire(context.Background(), s.jobs[0], "cron"); res.Status != jobSkipped {
		t.Errorf("second firing: %s, want skipped", res.Status)
	}
	close(release)
	if res := <-first; res.Status != jobOK {
		t.Errorf("first firing: %s %v", res.Status, res.PullErr)
	}
	mu.Lock()
	if requests != 1 {
		t.Errorf("%d requests, want 1", requests)
	}
	mu.Unlock()
	// The state remembers the success for the missed-run policy.
	if st := States(cfg.StateDir); len(st) != 1 || st["pull"].LastStatus != jobOK || st["pull"].LastSuccess.IsZero() {
		t.Errorf("job state: %+v", st)
	}
}

// TestScheduleMissedRunAtStart: after downtime, a job whose last success is
// older than its last scheduled time runs once at start; --dry-run tells.
func TestScheduleMissedRunAtStart(t *testing.T) {
	var mu sync.Mutex
	requests := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		fmt.Fprint(w, "x")
	}))
	defer ts.Close()
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	cfg.Sources = []config.Source{{Name: "web", URL: ts.URL + "/a.csv"}}
	// New Year's night only: it does not fire by itself while the test runs.
	cfg.Schedule.Jobs = []config.Job{{Name: "yearly", Cron: "0 0 2 1 1 *", Pull: true}}
	cfg = testwh.Validate(t, cfg)
	now := time.Date(2024, 3, 10, 9, 0, 0, 0, load.Zone)
	testwh.WriteFile(t, filepath.Join(cfg.StateDir, "schedule"), "state.json",
		`{"yearly": {"last_success": "2023-06-01T02:00:00+07:00", "last_status": "ok"}}`, time.Time{})

	// plan returns the job's plan, what --dry-run prints.
	plan := func(now time.Time) PlannedJob {
		jobs, _, _, err := Plan(context.Background(), Options{Config: cfg, Now: func() time.Time { return now }})
		if err != nil || len(jobs) != 1 {
			t.Fatalf("plan: %v %v", jobs, err)
		}
		return jobs[0]
	}
	if p := plan(now); !p.RunsAtStart || len(p.Next) < 2 ||
		p.Next[0].Format("2006-01-02 15:04:05") != "2025-01-01 02:00:00" || p.Next[1].Format("2006-01-02 15:04:05") != "2026-01-01 02:00:00" {
		t.Errorf("plan after downtime: %+v", p)
	}

	ev := testwh.NewEvents()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Config: cfg, Log: testwh.Log(t), Progress: ev.Add, Now: func() time.Time { return now }})
	}()
	if j := ev.NextJob(t); j.Name != "yearly" || j.Status != jobOK {
		t.Fatalf("missed run: %+v", j)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if requests != 1 {
		t.Errorf("%d requests, want 1", requests)
	}
	mu.Unlock()
	// Now the last success is recent: nothing is due at start.
	if p := plan(time.Now()); p.RunsAtStart {
		t.Errorf("plan after the catch-up run: %+v", p)
	}
}

// abortSetup publishes a warehouse from one file, then adds three more, and
// returns the configuration and the digest of the published warehouse.
func abortSetup(t *testing.T) (config.Config, string) {
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	cfg.Extract.Workers = 1
	cfg.Schedule.Jobs = []config.Job{{Name: "build", Cron: "0 0 2 1 1 *", Run: true}}
	cfg = testwh.Validate(t, cfg)
	testwh.WriteFile(t, cfg.Inbox, "a/hoso_a.csv", testwh.DossierCSV("A", 2), time.Time{})
	if sum, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t))); err != nil || !sum.Published {
		t.Fatalf("first run: %v", err)
	}
	for _, p := range []string{"B", "C", "D"} {
		testwh.WriteFile(t, cfg.Inbox, "b/hoso_"+p+".csv", testwh.DossierCSV(p, 2), time.Time{})
	}
	return cfg, testwh.Digest(t, cfg.Warehouse)
}

// TestScheduleShutdownAbortsRun is SIGTERM during a run with no grace period:
// the run stops between files, publishes nothing, and the warehouse stays the
// last complete build; the next run loads the rest.
func TestScheduleShutdownAbortsRun(t *testing.T) {
	cfg, before := abortSetup(t)
	cfg.Schedule.ShutdownGrace = 0
	var once sync.Once
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ev := testwh.NewEvents()
	onEvent := func(e progress.Event) {
		ev.Add(e)
		if e.Phase == progress.Files {
			once.Do(cancel) // what the first SIGTERM does (signal.NotifyContext in cli.Run)
		}
	}
	// The catch-up run starts at once: the last publish is before the last
	// New Year's night of this clock.
	future := func() time.Time { return time.Now().AddDate(2, 0, 0) }
	err := Run(ctx, Options{Config: cfg, Log: testwh.Log(t), Progress: onEvent, Now: future})
	if !errors.Is(err, ErrAborted) {
		t.Fatalf("Run = %v, want ErrAborted", err)
	}
	if j := ev.NextJob(t); j.Status != jobAborted {
		t.Errorf("job: %+v", j)
	}
	if got := len(ev.Phase(progress.Models)); got != 0 {
		t.Errorf("the aborted run built %d models", got)
	}
	if after := testwh.Digest(t, cfg.Warehouse); after != before {
		t.Errorf("the published warehouse changed:\n%s\nvs\n%s", before, after)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(cfg.Warehouse), ".*publish*"))
	if len(leftovers) > 0 {
		t.Errorf("left behind: %v", leftovers)
	}

	// The next run picks up what the aborted one did not finish.
	sum, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t)))
	if err != nil || !sum.Published {
		t.Fatalf("run after the abort: %v", err)
	}
	if got := testwh.Query(t, cfg.Warehouse, `SELECT count(*) FROM core.dossiers`); got != "8" {
		t.Errorf("core.dossiers has %s rows, want 8", got)
	}
	if got := testwh.Query(t, cfg.Warehouse, `SELECT count(*) FROM raw.files WHERE status <> 'loaded'`); got != "0" {
		t.Errorf("%s files recorded as not loaded after the abort", got)
	}
}

// TestScheduleShutdownLetsRunFinish: within the grace period the run in flight
// finishes and publishes; nothing new starts.
func TestScheduleShutdownLetsRunFinish(t *testing.T) {
	cfg, before := abortSetup(t)
	cfg.Schedule.ShutdownGrace = time.Hour
	var once sync.Once
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ev := testwh.NewEvents()
	onEvent := func(e progress.Event) {
		ev.Add(e)
		if e.Phase == progress.Files {
			once.Do(cancel)
		}
	}
	future := func() time.Time { return time.Now().AddDate(2, 0, 0) }
	if err := Run(ctx, Options{Config: cfg, Log: testwh.Log(t), Progress: onEvent, Now: future}); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if j := ev.NextJob(t); j.Status != jobOK {
		t.Errorf("job: %+v", j)
	}
	if got := len(ev.Phase(progress.Job)); got != 2 {
		t.Errorf("%d job events, want one job started and finished", got)
	}
	if testwh.Digest(t, cfg.Warehouse) == before {
		t.Error("the run in flight did not publish")
	}
	if got := testwh.Query(t, cfg.Warehouse, `SELECT count(*) FROM core.dossiers`); got != "8" {
		t.Errorf("core.dossiers has %s rows, want 8", got)
	}
}
