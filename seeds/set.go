package seeds

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// A Set is a folder of seed files read into rows that remember where they
// were written. It is an fs.FS of the same files rendered as CSV again, which
// is what the ref.* tables load from.
type Set struct {
	files map[string]*File
	dir   string // the folder it was read from ("" for the embedded seeds)
}

// File is one seed file of a Set.
type File struct {
	Name   string
	Header []string
	Rows   []Row
}

// Row is one row of a seed file.
type Row struct {
	Fields []string // trimmed
	Source Source
}

// Embedded returns the project's own seeds as a Set.
func Embedded() (*Set, error) { return Read(files, "") }

// Read reads every .csv file at the top of fsys. dir names the folder in the
// rows' Source ("" for the embedded seeds).
func Read(fsys fs.FS, dir string) (*Set, error) {
	names, err := fs.Glob(fsys, "*.csv")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSeed, err)
	}
	s := &Set{files: map[string]*File{}, dir: dir}
	for _, name := range names {
		f, err := readFile(fsys, name, dir)
		if err != nil {
			return nil, err
		}
		s.files[name] = f
	}
	return s, nil
}

func readFile(fsys fs.FS, name, dir string) (*File, error) {
	at := Source{File: name, Dir: dir}
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrSeed, at, err)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrSeed, at, err)
	}
	f := &File{Name: name}
	for _, h := range header {
		f.Header = append(f.Header, strings.TrimSpace(h))
	}
	r.FieldsPerRecord = len(header)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrSeed, at, err)
		}
		line, _ := r.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		f.Rows = append(f.Rows, Row{Fields: rec, Source: Source{File: name, Line: line, Dir: dir}})
	}
}

// File returns the named file of the set, or nil.
func (s *Set) File(name string) *File { return s.files[name] }

// Names returns the names of the set's files, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.files))
	for n := range s.files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Open renders the named seed file as CSV (fs.FS).
func (s *Set) Open(name string) (fs.File, error) {
	if name == "." {
		return &memFile{name: ".", dir: true}, nil
	}
	f := s.files[name]
	if f == nil || !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(f.Header)
	for _, r := range f.Rows {
		w.Write(r.Fields)
	}
	w.Flush()
	return &memFile{name: name, r: bytes.NewReader(b.Bytes()), size: int64(b.Len())}, w.Error()
}

// memFile is a rendered seed file.
type memFile struct {
	name string
	r    *bytes.Reader
	size int64
	dir  bool
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f, nil }
func (f *memFile) Read(p []byte) (int, error) {
	if f.dir {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: fs.ErrInvalid}
	}
	return f.r.Read(p)
}
func (f *memFile) Close() error       { return nil }
func (f *memFile) Name() string       { return path.Base(f.name) }
func (f *memFile) Size() int64        { return f.size }
func (f *memFile) ModTime() time.Time { return time.Time{} }
func (f *memFile) IsDir() bool        { return f.dir }
func (f *memFile) Sys() any           { return nil }
func (f *memFile) Mode() fs.FileMode {
	if f.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}

// Glob returns the names of the set's files that match pattern (fs.GlobFS).
func (s *Set) Glob(pattern string) ([]string, error) {
	var out []string
	for _, n := range s.Names() {
		ok, err := path.Match(pattern, n)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, n)
		}
	}
	return out, nil
}
