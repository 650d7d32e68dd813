package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
