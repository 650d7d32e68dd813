package extract

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// sharedStrings is a workbook's shared-strings table: the strings, never
// the XML. A table whose part inflates to more than spillSST bytes keeps its
// strings in a temporary file (an offset per string in memory), as
// excelize does with a large table.
type sharedStrings struct {
	items []string
	file  *os.File
	offs  []int64 // spilled: string i is file[offs[i]:offs[i+1]]
}

// spillSST is the size of a shared-strings part (inflated XML) above which
// its strings go to a temporary file.
var spillSST int64 = 256 << 20

const sstChunk = 1 << 20

// loadSharedStrings reads the <si> items of a shared-strings part. size is
// the part's inflated size; tempDir is where a spilled table goes.
func loadSharedStrings(r io.Reader, size int64, tempDir string) (_ *sharedStrings, err error) {
	sst := &sharedStrings{}
	var w *bufio.Writer
	var off int64
	if size > spillSST {
		if sst.file, err = os.CreateTemp(tempDir, "cchc-sst-"); err != nil {
			return nil, fmt.Errorf("shared strings: %w", err)
		}
		os.Remove(sst.file.Name()) // gone with its last descriptor
		w = bufio.NewWriterSize(sst.file, 1<<20)
		sst.offs = append(sst.offs, 0)
	}
	defer func() {
		if err != nil {
			sst.Close()
		}
	}()
	// In memory, the strings are cut from one string per chunk: one
	// allocation per megabyte rather than one per string.
	var chunk []byte
	var bounds []int // ends of the pending strings in chunk
	flush := func() {
		s := string(chunk)
		start := 0
		for _, end := range bounds {
			sst.items = append(sst.items, s[start:end])
			start = end
		}
		chunk, bounds = chunk[:0], bounds[:0]
	}
	sc := newXMLScan(r)
	var b siBuilder
	for {
		t, ok, err := sc.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if t.closing || string(t.name) != "si" {
			continue
		}
		s := ""
		if !t.selfClosing {
			if s, err = b.read(sc, "si"); err != nil {
				return nil, err
			}
		}
		if w != nil {
			w.WriteString(s)
			off += int64(len(s))
			sst.offs = append(sst.offs, off)
			continue
		}
		if len(chunk)+len(s) > sstChunk && len(bounds) > 0 {
			flush()
		}
		chunk = append(chunk, s...)
		bounds = append(bounds, len(chunk))
	}
	if err := sc.readErr(); err != nil {
		return nil, err
	}
	if w != nil {
		if err := w.Flush(); err != nil {
			return nil, fmt.Errorf("shared strings: %w", err)
		}
		return sst, nil
	}
	flush()
	return sst, nil
}

// get returns string i; false when the table has no such string.
func (s *sharedStrings) get(i int) (string, bool) {
	if s == nil || i < 0 {
		return "", false
	}
	if s.file == nil {
		if i >= len(s.items) {
			return "", false
		}
		return s.items[i], true
	}
	if i+1 >= len(s.offs) {
		return "", false
	}
	b := make([]byte, s.offs[i+1]-s.offs[i])
	if _, err := s.file.ReadAt(b, s.offs[i]); err != nil {
		return "", false
	}
	return string(b), true
}

func (s *sharedStrings) len() int {
	if s == nil {
		return 0
	}
	if s.file != nil {
		return len(s.offs) - 1
	}
	return len(s.items)
}

// Close removes a spilled table's file.
func (s *sharedStrings) Close() error {
	if s == nil || s.file == nil {
		return nil
	}
	return s.file.Close()
}
