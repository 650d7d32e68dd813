package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/pull"
	"github.com/thanhxuan/cchc/internal/schedule"
	"github.com/thanhxuan/cchc/load"
)

// TestExitCodes: each kind of failure has its exit status, also when wrapped.
func TestExitCodes(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tt := range []struct {
		name string
		ctx  context.Context
		err  error
		want int
	}{
		{"published", context.Background(), nil, ExitOK},
		{"aborted by shutdown", context.Background(), fmt.Errorf("job: %w", schedule.ErrAborted), ExitInterrupted},
		{"interrupted", cancelled, errors.New("stopped"), ExitInterrupted},
		{"configuration", context.Background(), fmt.Errorf("%w: cchc.yaml: inbox: required", config.ErrInvalid), ExitUsage},
		{"usage", context.Background(), usageError{errors.New("--period is required")}, ExitUsage},
		{"locked", context.Background(), fmt.Errorf("state: %w", load.ErrLocked), ExitLocked},
		{"sources failed", context.Background(), fmt.Errorf("1 of 2 %w: web", pull.ErrSourcesFailed), ExitFailed},
		{"not published", context.Background(), errors.New("data test failed"), ExitFailed},
	} {
		var stderr bytes.Buffer
		if got := exitCode(tt.ctx, tt.err, &stderr); got != tt.want {
			t.Errorf("%s: exit %d, want %d", tt.name, got, tt.want)
		}
		if tt.err != nil && !bytes.Contains(stderr.Bytes(), []byte(tt.err.Error())) {
			t.Errorf("%s: stderr %q does not say the error", tt.name, stderr.String())
		}
	}
}

// TestUnknownCommandsFailLoudly: a typo of a command, or arguments where a
// command takes flags, is a usage error (exit 2) that says what was meant —
// never the help and success, which a cron line would not notice.
func TestUnknownCommandsFailLoudly(t *testing.T) {
	for _, c := range []struct {
		args []string
		says []string
	}{
		{[]string{"inspcet"}, []string{`unknown command "inspcet"`}},
		{[]string{"versoin"}, []string{`unknown command "versoin"`, "did you mean version?"}},
		{[]string{"rn", "--inbox", "x"}, []string{`unknown command "rn"`, "run"}},
		{[]string{"run", "inbox", "wh.duckdb"}, []string{"takes no arguments", "--inbox inbox --warehouse wh.duckdb"}},
		{[]string{"report", "bao-cao.xlsx"}, []string{"takes no arguments", "--out FILE.xlsx"}},
		{[]string{"status", "wh.duckdb"}, []string{"takes no arguments", "--warehouse FILE"}},
	} {
		out, code := runCLI(t, c.args...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want %d:\n%s", c.args, code, ExitUsage, out)
		}
		for _, s := range c.says {
			if !strings.Contains(out, s) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, s, out)
			}
		}
	}
	// Every command that takes only flags refuses a stray argument before
	// it does anything.
	root := newRoot(&globalFlags{}, strings.NewReader(""), io.Discard, io.Discard)
	for _, sub := range root.Commands() {
		if name := sub.Name(); name == "help" || name == "completion" || name == "export" || name == "inspect" {
			continue // help and completion take a topic; export takes its folder, inspect its files
		}
		if out, code := runCLI(t, sub.Name(), "stray"); code != ExitUsage || !strings.Contains(out, "takes no arguments") {
			t.Errorf("cchc %s stray: exit %d:\n%s", sub.Name(), code, out)
		}
	}
	// Bare cchc prints the help.
	if out, code := runCLI(t); code != ExitOK || !strings.Contains(out, "Available Commands") {
		t.Errorf("cchc: exit %d:\n%s", code, out)
	}
}

// TestHelpEndsWithItsOwnExitTable: each command's --help ends with the exit
// statuses of that command, and no two commands share a table by mistake.
func TestHelpEndsWithItsOwnExitTable(t *testing.T) {
	root := newRoot(&globalFlags{}, strings.NewReader(""), io.Discard, io.Discard)
	seen := map[string]string{}
	for _, sub := range append(root.Commands(), root) {
		name := sub.Name()
		if name == "help" || name == "completion" {
			continue
		}
		table := sub.Annotations[exitAnnotation]
		if table == "" {
			t.Errorf("%s has no exit table", name)
			continue
		}
		if other, ok := seen[table]; ok {
			t.Errorf("%s and %s have the same exit table", name, other)
		}
		seen[table] = name
		args := []string{name, "--help"}
		if sub == root {
			args = []string{"--help"}
		}
		out, code := runCLI(t, args...)
		if code != ExitOK || !strings.HasSuffix(out, "\nEXIT STATUS\n"+table) {
			t.Errorf("cchc %v: exit %d; does not end with its exit table:\n%s\nwant the end:\n%s", args, code, out, table)
		}
	}
	out, _ := runCLI(t, "report", "--help")
	if strings.Contains(out, "the warehouse was published") {
		t.Errorf("report --help shows run's exit table:\n%s", out)
	}
}

// TestVersion: the module version, the revision and DuckDB's version.
func TestVersion(t *testing.T) {
	t.Parallel()
	out, code := runCLI(t, "version")
	if code != ExitOK || !regexp.MustCompile(`^cchc \S+\nrevision .+\ngo go1\.\S+\nduckdb v\d+\.\d+\.\d+`).MatchString(out) {
		t.Errorf("cchc version:\n%s", out)
	}
	var b strings.Builder
	// A binary built by go build carries its modules (a test binary does
	// not): the DuckDB bindings are named beside the library's version.
	printVersion(&b, &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.3.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "5f73e455a94f"}, {Key: "vcs.time", Value: "2026-11-29T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
	}, Deps: []*debug.Module{
		{Path: "github.com/duckdb/duckdb-go-bindings", Version: "v0.10506.0"},
		{Path: "github.com/duckdb/duckdb-go/v2", Version: "v2.10506.0", Replace: &debug.Module{Path: "../duckdb-go", Version: "(devel)"}},
		{Path: "github.com/spf13/cobra", Version: "v1.10.2"},
	}}, "v1.5.6")
	want := "cchc v0.3.0\nrevision 5f73e455a94f (2026-11-29T10:00:00Z, with uncommitted changes)\ngo go1.26.8\n" +
		"duckdb v1.5.6, github.com/duckdb/duckdb-go-bindings v0.10506.0, ../duckdb-go (devel)\n"
	if b.String() != want {
		t.Errorf("printVersion:\n%s\nwant:\n%s", b.String(), want)
	}
}
