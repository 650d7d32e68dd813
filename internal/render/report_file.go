package render

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile calls write with a temporary file beside path and renames it
// over path once write and the close have succeeded: a reader never opens
// half a document. On error the temporary file is removed and path is
// left as it was; the error names path, never the temporary file.
func WriteFile(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cchc-*"+filepath.Ext(path))
	if err != nil {
		return hideTemp(err, path)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return hideTemp(err, path)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return hideTemp(err, path)
	}
	if err := tmp.Close(); err != nil {
		return hideTemp(err, path)
	}
	return hideTemp(os.Rename(tmp.Name(), path), path)
}

// hideTemp puts path in place of the temporary file that a file system
// error names: the user never gave that name and will not find the file.
func hideTemp(err error, path string) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return &fs.PathError{Op: pe.Op, Path: path, Err: pe.Err}
	case errors.As(err, &le):
		return &fs.PathError{Op: le.Op, Path: path, Err: le.Err}
	}
	return err
}
