package cli

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/load"
)

// dossierCSV is a one-stop-shop export of n dossiers of Kim Giang, ids
// prefix-1 … prefix-n.
func dossierCSV(prefix string, n int) string {
	var b strings.Builder
	b.WriteString("Mã hồ sơ,Tên thủ tục,Lĩnh vực,Đơn vị tiếp nhận,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả,Hình thức nộp,Trạng thái\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%s-%d,Đăng ký khai sinh,Hộ tịch,Phường Kim Giang,0%d/01/2024,10/01/2024,09/01/2024,Trực tuyến,Đã trả kết quả\n", prefix, i, i%9+1)
	}
	return b.String()
}

// reportCSV is a unit's periodic report with one indicator.
func reportCSV(unitTitle, periodTitle string) string {
	return unitTitle + ",,,\nBÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH " + periodTitle + ",,,\n" +
		"STT,Nội dung,Đơn vị tính,Kết quả\n" +
		`1,"Số cuộc đối thoại với người dân, doanh nghiệp về TTHC",cuộc,2` + "\n"
}

// writeFile writes body at dir/rel with the modification time mod (zero: now).
func writeFile(t *testing.T, dir, rel, body string, mod time.Time) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if !mod.IsZero() {
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
}

// testConfig is a valid configuration with an inbox and a warehouse in dir.
func testConfig(t *testing.T, dir string) config.Config {
	t.Helper()
	cfg := config.Defaults()
	cfg.Inbox, cfg.Warehouse = filepath.Join(dir, "inbox"), filepath.Join(dir, "cchc.duckdb")
	cfg.DuckDB.Threads = 1
	if err := os.MkdirAll(cfg.Inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func validate(t *testing.T, cfg config.Config) config.Config {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// query returns the first column of a query on the published warehouse as
// text, one value a line.
func query(t *testing.T, warehouse, q string, args ...any) string {
	t.Helper()
	db, closeDB, err := load.OpenReadOnly(warehouse)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v sql.NullString
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v.String)
	}
	return strings.Join(out, "\n")
}

// events collects progress events and tells when a job finishes.
type events struct {
	mu   sync.Mutex
	all  []Event
	jobs chan Event // finished jobs
}

func newEvents() *events { return &events{jobs: make(chan Event, 16)} }

func (e *events) add(ev Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
	if ev.Phase == PhaseJob && ev.Status != "started" {
		e.jobs <- ev
	}
}

// nextJob waits for the next finished job; the deadline only guards against
// a hang, it is not what the test measures.
func (e *events) nextJob(t *testing.T) Event {
	t.Helper()
	select {
	case ev := <-e.jobs:
		return ev
	case <-time.After(2 * time.Minute):
		t.Fatal("no job finished")
	}
	return Event{}
}

func (e *events) phase(p string) []Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Event
	for _, ev := range e.all {
		if ev.Phase == p {
			out = append(out, ev)
		}
	}
	return out
}

// testLog is a logger writing into a buffer the test can print on failure.
func testLog(t *testing.T) *slog.Logger {
	var mu sync.Mutex
	var buf bytes.Buffer
	t.Cleanup(func() {
		if t.Failed() {
			mu.Lock()
			t.Log("log:\n" + buf.String())
			mu.Unlock()
		}
	})
	return slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestMissed(t *testing.T) {
	daily, _ := config.CronParser.Parse("0 2 * * *")
	quarterly, _ := config.CronParser.Parse("0 8 5 3,6,9,12 *")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, hcm)
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
	body := dossierCSV("MC", 3)
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
	cfg := testConfig(t, dir)
	cfg.Sources = []config.Source{{Name: "motcua", URL: ts.URL + "/export/hoso_motcua.csv"}}
	cfg.Schedule.Missed = config.MissedSkip
	cfg.Schedule.Jobs = []config.Job{{Name: "nightly", Cron: "* * * * * *", Pull: true, Run: true}}
	cfg = validate(t, cfg)

	ev := newEvents()
	ctx, cancel := context.WithCancel(withProgress(context.Background(), ev.add))
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- runSchedule(ctx, scheduleOptions{Config: cfg, Log: testLog(t)}) }()
	for i := 0; i < 2; i++ {
		if j := ev.nextJob(t); j.Name != "nightly" || j.Status != jobOK {
			t.Fatalf("job %d: %+v", i+1, j)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("runSchedule after a clean stop: %v", err)
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
	if got := query(t, wh, `SELECT count(*) FROM core.dossiers WHERE dossier_id LIKE 'MC-%'`); got != "3" {
		t.Errorf("core.dossiers: %s rows from the pulled file, want 3", got)
	}
	// The warehouse published by the second run: its own run loaded nothing.
	if got := query(t, wh, `SELECT status || ' ' || files_loaded || ' ' || files_skipped FROM ops.runs ORDER BY started_at LIMIT 2`); got != "published 1 0\npublished 0 1" {
		t.Errorf("ops.runs:\n%s", got)
	}
	// The first firing's pull was recorded by its run, the 304 by the second.
	if got := query(t, wh, `SELECT status || ' ' || coalesce(http_status::VARCHAR, '-') || ' ' || path FROM ops.source_pulls ORDER BY pulled_at LIMIT 2`); got != "new 200 motcua/hoso_motcua.csv\nnot_modified 304 motcua/hoso_motcua.csv" {
		t.Errorf("ops.source_pulls:\n%s", got)
	}
	if got := query(t, wh, `SELECT count(*) FROM ops.source_pulls p JOIN raw.files f ON f.sha256 = p.sha256 AND f.path = p.path WHERE p.status = 'new'`); got != "1" {
		t.Errorf("the pull's checksum does not lead to its raw.files row (%s)", got)
	}
	if got := query(t, wh, `SELECT source || ' ' || failing || ' ' || files FROM ops.source_freshness`); got != "motcua false 1" {
		t.Errorf("ops.source_freshness: %s", got)
	}
	// Progress: files and models of the first run, with running counts.
	files := ev.phase(PhaseFiles)
	if len(files) == 0 || files[0].Done != 1 || files[0].Total != 1 || files[0].Status != load.StatusLoaded || files[0].Name != "motcua/hoso_motcua.csv" {
		t.Errorf("file progress: %+v", files)
	}
	models := ev.phase(PhaseModels)
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
	cfg := testConfig(t, dir)
	cfg.Sources = []config.Source{{Name: "web", URL: ts.URL + "/a.csv"}}
	cfg.Schedule.Jobs = []config.Job{{Name: "pull", Cron: "@hourly", Pull: true}}
	cfg = validate(t, cfg)
	s, err := newScheduler(scheduleOptions{Config: cfg, Log: testLog(t)})
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
	if st := readJobs(s.stateFile); len(st) != 1 || st[0].LastStatus != jobOK || st[0].LastSuccess == "" {
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
	cfg := testConfig(t, dir)
	cfg.Sources = []config.Source{{Name: "web", URL: ts.URL + "/a.csv"}}
	// New Year's night only: it does not fire by itself while the test runs.
	cfg.Schedule.Jobs = []config.Job{{Name: "yearly", Cron: "0 0 2 1 1 *", Pull: true}}
	cfg = validate(t, cfg)
	now := time.Date(2024, 3, 10, 9, 0, 0, 0, hcm)
	writeFile(t, filepath.Join(cfg.StateDir, "schedule"), "state.json",
		`{"yearly": {"last_success": "2023-06-01T02:00:00+07:00", "last_status": "ok"}}`, time.Time{})

	// plan returns the job's line of --dry-run and its last column: whether
	// a missed run would start now.
	plan := func(now time.Time) (string, string) {
		var out bytes.Buffer
		if err := printPlan(context.Background(), &out, scheduleOptions{Config: cfg, Now: func() time.Time { return now }}); err != nil {
			t.Fatal(err)
		}
		line := strings.Split(out.String(), "\n")[1]
		f := strings.Fields(line)
		return line, f[len(f)-1]
	}
	if line, due := plan(now); due != "yes" || !strings.Contains(line, "pull all sources  2025-01-01 02:00:00, 2026-01-01 02:00:00") {
		t.Errorf("plan after downtime: %s", line)
	}

	ev := newEvents()
	ctx, cancel := context.WithCancel(withProgress(context.Background(), ev.add))
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- runSchedule(ctx, scheduleOptions{Config: cfg, Log: testLog(t), Now: func() time.Time { return now }})
	}()
	if j := ev.nextJob(t); j.Name != "yearly" || j.Status != jobOK {
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
	if line, due := plan(time.Now()); due != "no" {
		t.Errorf("plan after the catch-up run: %s", line)
	}
}

// abortSetup publishes a warehouse from one file, then adds three more, and
// returns the configuration and the digest of the published warehouse.
func abortSetup(t *testing.T) (config.Config, string) {
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	cfg.Extract.Workers = 1
	cfg.Schedule.Jobs = []config.Job{{Name: "build", Cron: "0 0 2 1 1 *", Run: true}}
	cfg = validate(t, cfg)
	writeFile(t, cfg.Inbox, "a/hoso_a.csv", dossierCSV("A", 2), time.Time{})
	if sum, err := runPipeline(context.Background(), cfg, testLog(t)); err != nil || !sum.Published {
		t.Fatalf("first run: %v", err)
	}
	for _, p := range []string{"B", "C", "D"} {
		writeFile(t, cfg.Inbox, "b/hoso_"+p+".csv", dossierCSV(p, 2), time.Time{})
	}
	return cfg, digest(t, cfg.Warehouse)
}

func digest(t *testing.T, warehouse string) string {
	t.Helper()
	db, closeDB, err := load.OpenReadOnly(warehouse)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	return tableDigest(t, db)
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
	ev := newEvents()
	ctx = withProgress(ctx, func(e Event) {
		ev.add(e)
		if e.Phase == PhaseFiles {
			once.Do(cancel) // what the first SIGTERM does (signal.NotifyContext in Run)
		}
	})
	// The catch-up run starts at once: the last publish is before the last
	// New Year's night of this clock.
	future := func() time.Time { return time.Now().AddDate(2, 0, 0) }
	err := runSchedule(ctx, scheduleOptions{Config: cfg, Log: testLog(t), Now: future})
	if !errors.Is(err, errInterrupted) {
		t.Fatalf("runSchedule = %v, want errInterrupted", err)
	}
	if j := ev.nextJob(t); j.Status != jobAborted {
		t.Errorf("job: %+v", j)
	}
	if got := len(ev.phase(PhaseModels)); got != 0 {
		t.Errorf("the aborted run built %d models", got)
	}
	if after := digest(t, cfg.Warehouse); after != before {
		t.Errorf("the published warehouse changed:\n%s\nvs\n%s", before, after)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(cfg.Warehouse), ".*publish*"))
	if len(leftovers) > 0 {
		t.Errorf("left behind: %v", leftovers)
	}
	if code := exitCode(context.Background(), err, &bytes.Buffer{}); code != ExitInterrupted {
		t.Errorf("exit code %d, want %d", code, ExitInterrupted)
	}

	// The next run picks up what the aborted one did not finish.
	sum, err := runPipeline(context.Background(), cfg, testLog(t))
	if err != nil || !sum.Published {
		t.Fatalf("run after the abort: %v", err)
	}
	if got := query(t, cfg.Warehouse, `SELECT count(*) FROM core.dossiers`); got != "8" {
		t.Errorf("core.dossiers has %s rows, want 8", got)
	}
	if got := query(t, cfg.Warehouse, `SELECT count(*) FROM raw.files WHERE status <> 'loaded'`); got != "0" {
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
	ev := newEvents()
	ctx = withProgress(ctx, func(e Event) {
		ev.add(e)
		if e.Phase == PhaseFiles {
			once.Do(cancel)
		}
	})
	future := func() time.Time { return time.Now().AddDate(2, 0, 0) }
	if err := runSchedule(ctx, scheduleOptions{Config: cfg, Log: testLog(t), Now: future}); err != nil {
		t.Fatalf("runSchedule = %v", err)
	}
	if j := ev.nextJob(t); j.Status != jobOK {
		t.Errorf("job: %+v", j)
	}
	if got := len(ev.phase(PhaseJob)); got != 2 {
		t.Errorf("%d job events, want one job started and finished", got)
	}
	if digest(t, cfg.Warehouse) == before {
		t.Error("the run in flight did not publish")
	}
	if got := query(t, cfg.Warehouse, `SELECT count(*) FROM core.dossiers`); got != "8" {
		t.Errorf("core.dossiers has %s rows, want 8", got)
	}
}
