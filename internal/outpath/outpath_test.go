package outpath

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileAndDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	rootCanWrite := os.Getuid() == 0 // root writes into a 0555 folder

	for _, c := range []struct {
		name, path string
		check      func(string) error
		ok         bool
		says       string
	}{
		{"file in an existing folder", filepath.Join(dir, "r.xlsx"), File, true, ""},
		{"file over an existing file", file, File, true, ""},
		{"file in a missing folder", filepath.Join("nodir", "r.xlsx"), File, false, "the folder nodir does not exist"},
		{"file that is a folder", dir, File, false, "it is a folder"},
		{"file under a file", filepath.Join(file, "r.xlsx"), File, false, "is not a folder"},
		{"file in a read-only folder", filepath.Join(ro, "r.xlsx"), File, rootCanWrite, "permission denied"},
		{"existing folder", dir, Dir, true, ""},
		{"new folder under an existing one", filepath.Join(dir, "new", "deeper"), Dir, true, ""},
		{"folder that is a file", file, Dir, false, "is a file, not a folder"},
		{"folder under a file", filepath.Join(file, "x"), Dir, false, "is a file, not a folder"},
		{"folder under a read-only folder", filepath.Join(ro, "x"), Dir, rootCanWrite, "permission denied"},
	} {
		err := c.check(c.path)
		if c.ok {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrNotWritable) || !strings.Contains(err.Error(), c.says) || !strings.HasPrefix(err.Error(), c.path) {
			t.Errorf("%s: %v, want an ErrNotWritable naming %s and saying %q", c.name, err, c.path, c.says)
		}
		if err != nil && strings.Contains(err.Error(), ".cchc-check-") {
			t.Errorf("%s: the error names the temporary file: %v", c.name, err)
		}
	}
	// Nothing is left behind, and nothing was made.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d entries in the folder, want the file and ro: %v", len(entries), entries)
	}
}
