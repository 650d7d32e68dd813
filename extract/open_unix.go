//go:build unix

package extract

import (
	"os"
	"syscall"
)

// openNoFollow opens a file for reading unless its name is a symbolic link
// (ELOOP), and without waiting for a writer if it is a named pipe.
func openNoFollow(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
}
