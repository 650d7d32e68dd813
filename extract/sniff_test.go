package extract

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FormatOf names the format by the bytes, as OpenWorkbook chooses it.
func TestFormatOf(t *testing.T) {
	dir := t.TempDir()
	files := map[string]struct{ body, want string }{
		"a.csv":        {"Mã hồ sơ,Trạng thái\n", "csv"},
		"xlsx-as.csv":  {"PK\x03\x04rest", "xlsx"},
		"empty.xlsx":   {"", "empty xlsx"},
		"notes.pdf":    {"%PDF-1.4", ""},
		"renamed.xlsx": {"hello", "not an xlsx"},
	}
	for name, f := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(f.body), 0o644); err != nil {
			t.Fatal(err)
		}
		if got, err := FormatOf(p); err != nil || got != f.want {
			t.Errorf("FormatOf(%s) = %q, %v; want %q", name, got, err, f.want)
		}
	}
	if _, err := FormatOf(filepath.Join(dir, "missing.csv")); !errors.Is(err, ErrUnreadable) {
		t.Errorf("FormatOf(missing) = %v, want ErrUnreadable", err)
	}
}
