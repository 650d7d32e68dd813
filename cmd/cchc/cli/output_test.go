package cli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/internal/testwh"
)

// TestOneStreamOneFormat: stderr carries log lines and progress lines in one
// format and one time zone (+07:00, whatever the machine's zone): text by
// default, JSON with --json; while a progress bar is drawn, per-file INFO
// lines are logged only with -v.
func TestOneStreamOneFormat(t *testing.T) {
	saved := time.Local
	time.Local = time.UTC // as under cron
	defer func() { time.Local = saved }()

	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	testwh.WriteFile(t, filepath.Join(dir, "inbox"), "hoso.csv", testwh.DossierCSV("X", 1), time.Time{})
	run := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := Run(append([]string{"run", "--config", cfg}, args...), strings.NewReader(""), &stdout, &stderr); code != ExitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr.String())
		}
		return stderr.String()
	}

	// Not a terminal, text logs: progress lines are text lines too.
	text := run()
	reText := regexp.MustCompile(`^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+07:00 level=(INFO|WARN) msg=`)
	var progressLines, fileLines int
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		if !reText.MatchString(l) {
			t.Errorf("not a text line stamped +07:00: %s", l)
		}
		progressLines += strings.Count(l, "msg=progress phase=")
		fileLines += strings.Count(l, "msg=file ")
	}
	if progressLines < 2 || fileLines != 1 {
		t.Errorf("%d progress lines and %d file lines, want some and 1:\n%s", progressLines, fileLines, text)
	}

	// --json: every line JSON, stamped +07:00.
	for _, l := range strings.Split(strings.TrimSpace(run("--json", "--inbox", t.TempDir())), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Errorf("not JSON: %s", l)
			continue
		}
		if ts, _ := m["time"].(string); !strings.HasSuffix(ts, "+07:00") {
			t.Errorf("time %q is not +07:00: %s", ts, l)
		}
	}

	// A progress bar: no per-file INFO line scrolls it away, unless -v.
	if bar := run("--progress", "bar", "--inbox", t.TempDir()); strings.Contains(bar, "msg=file") || strings.Contains(bar, "msg=progress") {
		t.Errorf("with a bar, INFO lines were logged:\n%s", bar)
	}
	inbox := t.TempDir()
	testwh.WriteFile(t, inbox, "hoso2.csv", testwh.DossierCSV("Y", 1), time.Time{})
	if bar := run("--progress", "bar", "-v", "--inbox", inbox); !strings.Contains(bar, "msg=file") {
		t.Errorf("with a bar and -v, no file line:\n%s", bar)
	}
}
