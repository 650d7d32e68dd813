//go:build duckdb_arrow

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/transform"
)

// TestReliabilityEnvironmental: which errors met while loading a file are
// the environment's, which the file's.
func TestReliabilityEnvironmental(t *testing.T) {
	const input = "/inbox/hoso.xlsx"
	pathErr := func(p string, no syscall.Errno) error { return &fs.PathError{Op: "open", Path: p, Err: no} }
	for _, c := range []struct {
		name string
		err  error
		env  bool
	}{
		{"no header", fmt.Errorf("%w: …", extract.ErrNoHeader), false},
		{"corrupt xlsx", fmt.Errorf("%w: corrupt: %w", extract.ErrUnreadable, errors.New("zip: not a valid zip file")), false},
		{"a reject's parse error", fmt.Errorf("sheet %q: %w", "DS", transform.ErrBadDate), false},
		{"the input cannot be opened", fmt.Errorf("%w: %w", extract.ErrUnreadable, pathErr(input, syscall.EACCES)), false},
		{"the input's disk fails to read it", fmt.Errorf("%w: %w", extract.ErrUnreadable, pathErr(input, syscall.EIO)), false},
		{"a temporary file cannot be made", fmt.Errorf("%w: %w", extract.ErrUnreadable, pathErr("/state/excelize-123", syscall.EACCES)), true},
		{"the disk is full", fmt.Errorf("%w: %w", extract.ErrUnreadable, pathErr("/state/excelize-123", syscall.ENOSPC)), true},
		{"the disk is full, writing the input's own path", &fs.PathError{Op: "write", Path: input, Err: syscall.ENOSPC}, true},
		{"a file size limit", fmt.Errorf("spool rejects: %w", syscall.EFBIG), true},
		{"out of descriptors", fmt.Errorf("%w: %w", extract.ErrUnreadable, pathErr(input, syscall.EMFILE)), true},
		{"marked: the database", fmt.Errorf("sheet %q: %w", "DS", env(errors.New("Catalog Error: Table does not exist"))), true},
		{"cancelled", fmt.Errorf("insert: %w", context.Canceled), true},
	} {
		if got := environmental(c.err, input); got != c.env {
			t.Errorf("%s: environmental(%v) = %v, want %v", c.name, c.err, got, c.env)
		}
	}
}
