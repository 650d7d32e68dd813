package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/internal/progress"
	"github.com/thanhxuan/cchc/internal/testwh"
)

// writeConfig writes a YAML configuration with the inbox and warehouse of
// dir and the given extra lines.
func writeConfig(t *testing.T, dir, extra string) string {
	t.Helper()
	inbox := filepath.Join(dir, "inbox")
	os.MkdirAll(inbox, 0o755)
	file := filepath.Join(dir, "cchc.yaml")
	body := fmt.Sprintf("inbox: %s\nwarehouse: %s\nduckdb:\n  threads: 1\n%s", inbox, filepath.Join(dir, "cchc.duckdb"), extra)
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestPullCommand: one run of `cchc pull` over a working folder, an
// unmounted one, a broken URL and a working one; the failures are reported,
// the rest lands in the inbox, and the next `cchc run` records it all in
// ops.source_pulls.
func TestPullCommand(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken.csv" {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Header().Set("ETag", `"1"`)
		if r.Header.Get("If-None-Match") == `"1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprint(w, testwh.DossierCSV("WEB", 2))
	}))
	defer ts.Close()
	dir := t.TempDir()
	share := filepath.Join(dir, "share")
	testwh.WriteFile(t, share, "hoso_kim-giang.csv", testwh.DossierCSV("SH", 1), time.Time{})
	cfg := writeConfig(t, dir, fmt.Sprintf(`sources:
  - name: share
    path: %s
    include: ["*.csv"]
  - name: unmounted
    path: %s
  - name: broken
    url: %s/broken.csv
  - name: web
    url: %s/export/hoso.csv
pull:
  retries: 0
`, share, filepath.Join(dir, "not-mounted"), ts.URL, ts.URL))

	// The inbox is not there yet: pull makes it.
	if err := os.RemoveAll(filepath.Join(dir, "inbox")); err != nil {
		t.Fatal(err)
	}
	out, code := runCLI(t, "pull", "--config", cfg, "--progress", "none")
	if code != ExitFailed {
		t.Fatalf("exit %d, want %d:\n%s", code, ExitFailed, out)
	}
	for _, want := range []string{
		"share           new", "unmounted       failed", "broken          failed", "web             new",
		"pulled: 2 new, 0 updated, 0 unchanged, 0 not modified, 2 failed",
		"cchc: 2 of 4 sources failed: unmounted, broken",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	inbox := filepath.Join(dir, "inbox")
	for _, f := range []string{"share/hoso_kim-giang.csv", "web/hoso.csv"} {
		if _, err := os.Stat(filepath.Join(inbox, f)); err != nil {
			t.Errorf("inbox: %v", err)
		}
	}

	out, code = runCLI(t, "pull", "--config", cfg, "--source", "web", "--progress", "none")
	if code != ExitOK || !strings.Contains(out, "pulled: 0 new, 0 updated, 0 unchanged, 1 not modified, 0 failed") {
		t.Errorf("second pull of web (exit %d):\n%s", code, out)
	}
	if out, code = runCLI(t, "pull", "--config", cfg, "--source", "nope"); code != ExitUsage || !strings.Contains(out, `"nope"`) {
		t.Errorf("unknown --source: exit %d\n%s", code, out)
	}

	if out, code = runCLI(t, "run", "--config", cfg, "-q"); code != ExitOK {
		t.Fatalf("run: exit %d\n%s", code, out)
	}
	wh := filepath.Join(dir, "cchc.duckdb")
	got := testwh.Query(t, wh, `SELECT source || ' ' || status || ' ' || coalesce(http_status::VARCHAR, '-') || ' ' || (sha256 IS NOT NULL) FROM ops.source_pulls ORDER BY source, status`)
	want := "broken failed 500 false\nshare new - true\nunmounted failed - false\nweb new 200 true\nweb not_modified 304 true"
	if got != want {
		t.Errorf("ops.source_pulls:\n%s\nwant:\n%s", got, want)
	}
	if got := testwh.Query(t, wh, `SELECT source || ' ' || failing FROM ops.source_freshness ORDER BY source`); got != "broken true\nshare false\nunmounted true\nweb false" {
		t.Errorf("ops.source_freshness:\n%s", got)
	}
	if got := testwh.Query(t, wh, `SELECT count(*) FROM core.dossiers`); got != "3" {
		t.Errorf("core.dossiers: %s rows, want 3", got)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "cchc.duckdb.state", "pull", "journal.jsonl")); err != nil || len(b) != 0 {
		t.Errorf("journal after the run: %d bytes (%v), want emptied", len(b), err)
	}
	// A second run records nothing twice.
	if out, code = runCLI(t, "run", "--config", cfg, "-q"); code != ExitOK {
		t.Fatalf("second run: exit %d\n%s", code, out)
	}
	if got := testwh.Query(t, wh, `SELECT count(*) FROM ops.source_pulls`); got != "5" {
		t.Errorf("ops.source_pulls has %s rows after a second run, want 5", got)
	}
	out, _ = runCLI(t, "status", "--config", cfg)
	if !strings.Contains(out, "NGUỒN / SOURCES") || !strings.Contains(out, "failing: source cannot be read") {
		t.Errorf("status does not show the failing sources:\n%s", out)
	}
	if out, code := runCLI(t, "status", "--config", cfg, "--period", "2024-Q7"); code != ExitUsage || !strings.Contains(out, `--period "2024-Q7"`) {
		t.Errorf("status --period 2024-Q7: exit %d\n%s", code, out)
	}
}

// TestOpsComments: every table, view and column of ops carries a comment.
func TestOpsComments(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	testwh.WriteFile(t, filepath.Join(dir, "inbox"), "hoso.csv", testwh.DossierCSV("X", 1), time.Time{})
	if out, code := runCLI(t, "run", "--config", cfg, "-q"); code != ExitOK {
		t.Fatalf("run: exit %d\n%s", code, out)
	}
	wh := filepath.Join(dir, "cchc.duckdb")
	objects := testwh.Query(t, wh, `SELECT table_name FROM duckdb_tables() WHERE schema_name = 'ops' AND database_name = current_database()
		UNION ALL SELECT view_name FROM duckdb_views() WHERE schema_name = 'ops' AND database_name = current_database() ORDER BY 1`)
	if objects != "model_runs\nrun_files\nruns\nsource_freshness\nsource_pulls\ntest_results\nunit_freshness" {
		t.Errorf("ops holds:\n%s", objects)
	}
	if got := testwh.Query(t, wh, `SELECT table_name || '.' || column_name FROM duckdb_columns() WHERE schema_name = 'ops' AND database_name = current_database() AND coalesce(comment, '') = ''
		UNION ALL SELECT table_name FROM duckdb_tables() WHERE schema_name = 'ops' AND database_name = current_database() AND coalesce(comment, '') = ''
		UNION ALL SELECT view_name FROM duckdb_views() WHERE schema_name = 'ops' AND database_name = current_database() AND coalesce(comment, '') = ''`); got != "" {
		t.Errorf("without a comment:\n%s", got)
	}
	if got := testwh.Query(t, wh, `SELECT unit_code || ' ' || files_loaded || ' ' || last_dossier_received_date FROM ops.unit_freshness WHERE files_loaded > 0`); got != "kim_giang 1 2024-01-02" {
		t.Errorf("ops.unit_freshness: %s", got)
	}
	if got := testwh.Query(t, wh, `SELECT path || ' ' || status || ' ' || rows_loaded FROM ops.run_files`); got != "hoso.csv loaded 1" {
		t.Errorf("ops.run_files: %s", got)
	}
	if got := testwh.Query(t, wh, `SELECT count(*) > 10 AND count(*) = count(*) FILTER (status = 'ok') FROM ops.test_results`); got != "true" {
		t.Errorf("ops.test_results: %s", got)
	}
	if got := testwh.Query(t, wh, `SELECT models_built > 5 AND tests_run > 10 AND tests_failed = 0 AND duration_ms > 0 FROM ops.runs`); got != "true" {
		t.Errorf("ops.runs counts: %s", got)
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	tests := []struct{ yaml, key string }{
		{"sources:\n  - name: Kim Giang\n    path: /x\n", "sources[0].name"},
		{"sources:\n  - {name: a, path: /x}\n  - {name: a, path: /y}\n", "sources[1].name"},
		{"sources:\n  - {name: a, path: /x, url: 'http://h/f.csv'}\n", "sources[0].path"},
		{"sources:\n  - {name: a}\n", "sources[0].path"},
		{"sources:\n  - {name: a, url: 'ftp://h/f.csv'}\n", "sources[0].url"},
		{"sources:\n  - {name: a, url: 'https://h/'}\n", "sources[0].file"},
		{"sources:\n  - {name: a, url: 'https://h/f.csv', sha256: abc}\n", "sources[0].sha256"},
		{"sources:\n  - {name: a, path: /x, include: ['[']}\n", "sources[0].include"},
		{"sources:\n  - {name: a, path: /x, dest: ../up}\n", "sources[0].dest"},
		{"sources:\n  - {name: a, urll: 'https://h/f.csv'}\n", "sources[0]' has invalid keys: urll"},
		{"pull:\n  timeout: 0s\n", "pull.timeout"},
		{"pull:\n  max_bytes: -1\n", "pull.max_bytes"},
		{"schedule:\n  missed: sometimes\n", "schedule.missed"},
		{"schedule:\n  time_zone: Mars/Base\n", "schedule.time_zone"},
		{"schedule:\n  jobs:\n    - {name: nightly, cron: '61 * * * *', run: true}\n", "schedule.jobs[0].cron"},
		{"schedule:\n  jobs:\n    - {name: nightly, cron: '@daily'}\n", "schedule.jobs[0].pull"},
		{"schedule:\n  jobs:\n    - {name: nightly, cron: '@daily', pull: true}\n", "schedule.jobs[0].pull"},
		{"sources:\n  - {name: a, path: /x}\nschedule:\n  jobs:\n    - {name: n, cron: '@daily', pull: true, sources: [b]}\n", "schedule.jobs[0].sources"},
		{"schedule:\n  jobs:\n    - {name: n, cron: '@daily', run: true}\n    - {name: n, cron: '@daily', run: true}\n", "schedule.jobs[1].name"},
	}
	for _, tt := range tests {
		cfg := writeConfig(t, t.TempDir(), tt.yaml)
		out, code := runCLI(t, "schedule", "--config", cfg, "--dry-run")
		if code != ExitUsage || !strings.Contains(out, tt.key) {
			t.Errorf("%s: exit %d, want %d naming %q:\n%s", strings.TrimSpace(tt.yaml), code, ExitUsage, tt.key, out)
		}
	}
	out, code := runCLI(t, "schedule", "--config", writeConfig(t, t.TempDir(), ""))
	if code != ExitUsage || !strings.Contains(out, "schedule.jobs") {
		t.Errorf("no jobs: exit %d\n%s", code, out)
	}
}

func TestProgressRendering(t *testing.T) {
	steps := []progress.Event{
		{Phase: progress.Files, Name: "a.csv", Status: "loaded", Done: 1, Total: 2, Rows: 10},
		{Phase: progress.Files, Name: "b.csv", Status: "failed", Done: 2, Total: 2},
		{Phase: progress.Models, Name: "core.dossiers", Status: "ok", Done: 1, Total: 1, Rows: 10},
	}

	var buf bytes.Buffer
	ui := newProgress(progressJSON, &buf)
	for _, e := range steps {
		ui.render(e)
	}
	ui.finish()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d JSON lines:\n%s", len(lines), buf.String())
	}
	var got struct {
		Msg string `json:"msg"`
		progress.Event
	}
	if err := json.Unmarshal([]byte(lines[1]), &got); err != nil || got.Msg != "progress" || got.Event != steps[1] {
		t.Errorf("line %s decodes to %+v (%v)", lines[1], got, err)
	}

	// Beside text logs, the same lines are text.
	buf.Reset()
	ui = newProgress(progressJSON, &buf)
	ui.lines.setFormat(false)
	ui.render(steps[0])
	if !regexp.MustCompile(`^time=\S+\+07:00 level=INFO msg=progress phase=files name=a.csv status=loaded done=1 total=2 rows=10\n$`).MatchString(buf.String()) {
		t.Errorf("text progress line %q", buf.String())
	}

	buf.Reset()
	ui = newProgress(progressBar, &buf)
	ui.render(steps[0])
	ui.render(steps[1])
	ui.render(steps[0]) // a worker reporting late, after the bar is full
	fmt.Fprintln(ui.logWriter, "a log line")
	ui.render(steps[2])
	ui.finish()
	if s := buf.String(); strings.Count(s, "(1/2)") != 1 || !strings.Contains(s, "(2/2)\n") || !strings.Contains(s, "(1/1)\n") ||
		!strings.Contains(s, "\na log line\n") || strings.Contains(s, `"phase"`) {
		t.Errorf("bar output:\n%q", s)
	}

	if ui := newProgress(progressNone, &buf); ui.render != nil {
		t.Error("none renders")
	}
	g := &globalFlags{progress: progressAuto}
	if m := progressMode(g, &buf); m != progressJSON {
		t.Errorf("auto on a buffer: %s, want json", m)
	}
	g.quiet = true
	if m := progressMode(g, &buf); m != progressNone {
		t.Errorf("-q: %s", m)
	}
	g = &globalFlags{progress: progressBar, json: true}
	if m := progressMode(g, &buf); m != progressJSON {
		t.Errorf("--json wins over --progress=bar: %s", m)
	}
	if out, code := runCLI(t, "version", "--progress", "fancy"); code != ExitUsage {
		t.Errorf("--progress fancy: exit %d\n%s", code, out)
	}

	// `cchc run --json` writes nothing but JSON lines on stderr.
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	testwh.WriteFile(t, filepath.Join(dir, "inbox"), "hoso.csv", testwh.DossierCSV("X", 1), time.Time{})
	var stdout, stderr bytes.Buffer
	if code := Run([]string{"run", "--config", cfg, "--json"}, strings.NewReader(""), &stdout, &stderr); code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	phases := map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Errorf("not JSON: %s", l)
		}
		if m["msg"] == "progress" {
			phases[fmt.Sprint(m["phase"])]++
		}
	}
	if phases[progress.Files] != 1 || phases[progress.Models] < 10 {
		t.Errorf("progress lines by phase: %v", phases)
	}
}
