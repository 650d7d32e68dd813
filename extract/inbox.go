package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Source is one name of the inbox.
type Source struct {
	Path    string // relative to the inbox, '/'-separated; not UTF-8: escaped (EscapeName)
	Abs     string
	Size    int64
	ModTime time.Time
	SHA256  string // hex; empty when the file could not be read
	Err     error  // why the file cannot be read at all, if so
}

// Walk lists every name under inbox (recursively, in byte order of their
// paths) but its folders. Nothing outside the inbox is read: a symbolic link
// — to a file or a folder — is listed, not followed, and a device, a named
// pipe or a socket is listed, not opened; each has Err set (ErrNotRegular)
// with the reason, as has a file or folder that cannot be read
// (ErrUnreadable), so that all of them are recorded as failed rather than
// silently left out. Hidden names and Excel's lock files are inputs like
// any other: whatever they hold is read and judged. The one exception is a
// file that `cchc pull` is still writing (TempPattern): it is not listed,
// for its bytes are not complete, and the file it becomes will be. The
// inbox itself may be a link to a folder: it is the folder configured.
// Hashing is not done here: see Hash.
func Walk(inbox string) ([]Source, error) {
	root, err := filepath.EvalSymlinks(inbox)
	if err != nil {
		return nil, fmt.Errorf("inbox %s: %w", inbox, err)
	}
	var out []Source
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(root, p)
		// Abs keeps the inbox as configured (a link to the folder leads there).
		src := Source{Path: EscapeName(filepath.ToSlash(rel)), Abs: filepath.Join(inbox, rel)}
		if err != nil {
			if p == root {
				return err
			}
			src.Err = fmt.Errorf("%w: %w", ErrUnreadable, err)
			out = append(out, src)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch t := d.Type(); {
		case d.IsDir():
			return nil
		case !t.IsRegular(): // links included
			src.Err = notRegular(src.Abs, t)
		case isTemp(d.Name()):
			return nil
		default:
			fi, err := d.Info()
			if err != nil { // gone since the folder was read
				src.Err = fmt.Errorf("%w: %w", ErrUnreadable, err)
				break
			}
			src.Size, src.ModTime = fi.Size(), fi.ModTime()
		}
		if src.Err != nil {
			// What the name is, and when it changed: a link or a pipe has no
			// content to hash, but the row says when it appeared.
			if fi, err := d.Info(); err == nil {
				src.ModTime = fi.ModTime()
			}
		}
		out = append(out, src)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inbox %s: %w", inbox, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// notRegular is the reason a name of type t, at p, is not read.
func notRegular(p string, t fs.FileMode) error {
	switch {
	case t&fs.ModeSymlink != 0:
		to := "?"
		if target, err := os.Readlink(p); err == nil {
			to = EscapeName(target)
		}
		return fmt.Errorf("%w: liên kết tượng trưng (→ %s), không đọc theo: không đọc gì ngoài inbox — hãy chép chính tệp vào / a symbolic link (→ %s), not followed: nothing outside the inbox is read; copy the file itself in", ErrNotRegular, to, to)
	case t&fs.ModeNamedPipe != 0:
		return fmt.Errorf("%w: ống dẫn có tên (FIFO), không mở / a named pipe (FIFO), not opened", ErrNotRegular)
	case t&fs.ModeSocket != 0:
		return fmt.Errorf("%w: socket, không mở / a socket, not opened", ErrNotRegular)
	case t&fs.ModeDevice != 0:
		return fmt.Errorf("%w: tệp thiết bị, không mở / a device, not opened", ErrNotRegular)
	}
	return fmt.Errorf("%w: không phải tệp thường (%s), không mở / not a regular file (%s), not opened", ErrNotRegular, t, t)
}

// TempPattern is the pattern (for os.CreateTemp) of the name under which
// `cchc pull` writes the file that will be dst, in dst's folder, before it
// renames it: hidden, and left out by Walk.
func TempPattern(dst string) string { return "." + filepath.Base(dst) + ".part-*" }

// reTemp matches the names TempPattern makes (os.CreateTemp puts digits for
// the star).
var reTemp = regexp.MustCompile(`^\..+\.part-[0-9]+$`)

func isTemp(name string) bool { return reTemp.MatchString(name) }

// EscapeName returns a path as it is recorded: unchanged when it is UTF-8;
// otherwise each byte that is not part of a UTF-8 character is written \xNN
// (two lower-case hexadecimal digits, as Go's %q writes it) and each
// backslash \\, so that the bytes can be told back from the record. The
// same name always escapes the same, so a second run finds it recorded. (A
// UTF-8 name that itself reads "\xff" records as the escape of a byte
// would: names are not chosen so.)
func EscapeName(p string) string {
	if utf8.ValidString(p) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRuneInString(p[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, p[i])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteString(p[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Hash computes the file's SHA-256, streaming. It also refreshes Size and
// ModTime and reports a file that changed while it was being read.
func (s *Source) Hash() error {
	// The name was a regular file when Walk saw it; it may have become a
	// link or a pipe since: open it without following or waiting.
	f, err := openNoFollow(s.Abs)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	if !before.Mode().IsRegular() {
		return notRegular(s.Abs, before.Mode().Type())
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
