package render_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/internal/render"
)

// TestWriteFile: a document replaces the file only once it is whole; a
// failed write leaves the old file and no temporary one.
func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bao-cao.html")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := render.WriteFile(path, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("error %v, want %v", err, boom)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("after a failed write the file holds %q, want the old content", b)
	}
	if err := render.WriteFile(path, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("file holds %q, want %q", b, "new")
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d entries in the folder, want 1: a temporary file was left", len(entries))
	}
}

// TestWriteFileNamesThePath: a folder that is not there is said with the
// path the caller gave, not the temporary name nobody will find.
func TestWriteFileNamesThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodir", "r.xlsx")
	err := render.WriteFile(path, func(w io.Writer) error { return nil })
	if err == nil || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), ".cchc-") || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v, want one naming %s (and no temporary file) that is os.ErrNotExist", err, path)
	}
}
