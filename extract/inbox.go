package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Source is one file of the inbox.
type Source struct {
	Path    string // relative to the inbox, '/'-separated
	Abs     string
	Size    int64
	ModTime time.Time
	SHA256  string // hex; empty when the file could not be read
	Err     error  // why the file cannot be read at all, if so
}

// Walk lists every regular file under inbox (recursively, in byte order of
// their paths) without following symbolic links to directories, so a link loop
// cannot trap it. Files that cannot be read are listed with Err set, so they can
// be recorded as failed rather than silently left out. Hashing is not done here:
// see Hash.
func Walk(inbox string) ([]Source, error) {
	var out []Source
	err := filepath.WalkDir(inbox, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(inbox, p)
		rel = filepath.ToSlash(rel)
		if err != nil {
			if p == inbox {
				return err
			}
			out = append(out, Source{Path: rel, Abs: p, Err: fmt.Errorf("%w: %w", ErrUnreadable, err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != inbox && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir // .git, .cache: not inputs
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "~$") {
			return nil // hidden files and Excel's lock files are not inputs
		}
		fi, err := os.Stat(p) // follows a link to a file
		if err != nil {
			out = append(out, Source{Path: rel, Abs: p, Err: fmt.Errorf("%w: %w", ErrUnreadable, err)})
			return nil
		}
		if !fi.Mode().IsRegular() {
			return nil // links to directories, sockets, devices
		}
		out = append(out, Source{Path: rel, Abs: p, Size: fi.Size(), ModTime: fi.ModTime()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inbox %s: %w", inbox, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Hash computes the file's SHA-256, streaming. It also refreshes Size and
// ModTime and reports a file that changed while it was being read.
func (s *Source) Hash() error {
	f, err := os.Open(s.Abs)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	after, err := os.Stat(s.Abs)
	if err != nil || n != before.Size() || !after.ModTime().Equal(before.ModTime()) || after.Size() != n {
		return fmt.Errorf("%w: tệp thay đổi trong khi đọc / the file changed while it was read", ErrUnreadable)
	}
	s.SHA256 = hex.EncodeToString(h.Sum(nil))
	s.Size = n
	s.ModTime = before.ModTime()
	return nil
}
