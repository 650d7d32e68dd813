package extract

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// FormatOf names the format that OpenWorkbook would read path as — the
// first of its formats that matches the file's first bytes and extension
// ("xlsx", "csv" …) — or "" when none does. It reads the file's head only.
func FormatOf(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	defer f.Close()
	head := make([]byte, sniffBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return "", fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	ext := strings.ToLower(filepath.Ext(path))
	for _, ft := range formats {
		if ft.match(head[:n], ext) {
			return ft.name, nil
		}
	}
	return "", nil
}
