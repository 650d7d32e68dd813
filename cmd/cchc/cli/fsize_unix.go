//go:build unix

package cli

import (
	"os/signal"
	"syscall"
)

// ignoreFileSizeLimit makes a write past the file size limit (ulimit -f)
// fail with EFBIG — an error of the environment that a run reports, and
// stops on — instead of killing the process with SIGXFSZ mid-write.
func ignoreFileSizeLimit() { signal.Ignore(syscall.SIGXFSZ) }
