package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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
		if name := sub.Name(); name == "help" || name == "completion" || name == "export" {
			continue // help and completion take a topic; export takes its folder
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
