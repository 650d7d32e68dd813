package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"syscall"
)

// A verdict on a file is a verdict on its bytes (CONTRACT section 4): an
// error that the file's content caused — a reader's or a transform's, each
// wrapping its package's sentinel — fails that file alone, recorded in
// raw.files. An error of the run's environment — the database, the disk,
// memory, a permission of the state or temporary folder, a signal — says
// nothing of the file: the run stops with it, records no file as failed for
// it, publishes nothing, and the next run reads the file again.

// envError marks an error of the environment where the pipeline meets it:
// every error of the database (load) and of the reject spool (the state
// folder) is one, whatever it says.
type envError struct{ err error }

func (e *envError) Error() string { return e.err.Error() }
func (e *envError) Unwrap() error { return e.err }

// env marks err (nil stays nil) as an error of the environment.
func env(err error) error {
	if err == nil {
		return nil
	}
	var e *envError
	if errors.As(err, &e) {
		return err
	}
	return &envError{err}
}

// environmental reports whether err, met while reading or loading the file
// at input (its absolute path), is an error of the environment rather than
// a verdict on the file: marked so (env), the run's context ending, the
// system out of a resource (disk space, quota, memory, file descriptors, a
// file size limit) or refusing to write, or a file-system error on any path
// but the input's own — a temporary file, the state folder. An error on the
// input's own path (it cannot be opened, it vanished, the disk holding it
// fails to read it) is the file's: the file is recorded, and read again by
// the next run when its content was never read (see extractAll).
func environmental(err error, input string) bool {
	var e *envError
	if errors.As(err, &e) || outOfResources(err) {
		return true
	}
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Path != input
}

// outOfResources reports whether err says the machine is out of something
// (envErrnos) or the run's context ended: an error of the environment
// whatever path it names. It is all that can make the environment's an
// error of walking the inbox or hashing a file, which concern the inbox's
// own names.
func outOfResources(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	for _, no := range envErrnos {
		if errors.Is(err, no) {
			return true
		}
	}
	return false
}

// envErrnos are the system's errors that say the machine, not a file, is
// at fault.
var envErrnos = []error{
	syscall.ENOSPC, syscall.EDQUOT, syscall.EFBIG, syscall.EROFS,
	syscall.ENOMEM, syscall.EMFILE, syscall.ENFILE,
}

// EnvironmentError is the error of a run stopped by its environment while
// it loaded a file: the file is named, and not recorded as failed.
type EnvironmentError struct {
	Path string // the file being loaded (raw.files.path)
	Err  error
}

func (e *EnvironmentError) Error() string {
	return fmt.Sprintf("lỗi môi trường khi nạp %s, không phải lỗi của tệp — không công bố gì, lần chạy sau đọc lại / an error of the environment while loading %s, not of the file: nothing published, the next run reads it again: %v", e.Path, e.Path, e.Err)
}

func (e *EnvironmentError) Unwrap() error { return e.Err }
