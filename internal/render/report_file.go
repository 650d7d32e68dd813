package render

import (
	"io"
	"os"
	"path/filepath"
)

// WriteFile calls write with a temporary file beside path and renames it
// over path once write and the close have succeeded: a reader never opens
// half a document. On error the temporary file is removed and path is
// left as it was.
func WriteFile(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cchc-*"+filepath.Ext(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
