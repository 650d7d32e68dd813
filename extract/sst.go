package extract

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
)

// sharedStrings is a workbook's shared-strings table: the strings, never
// the XML. A small table is held in memory. A large one (its part inflates
// to more than spillSST bytes: a million-row export re-saved by Excel or
// LibreOffice has a 200 MB table) keeps its text in a temporary file and in
// memory only an offset per string, the first hotBytes of text and a
// window of the file: Excel writes a string into the table where it first
// appears, so the strings a sheet repeats (statuses, procedures, units)
// come early, in the held head, and the strings met once (ids, names,
// addresses) are looked up in the order of the table, through the window.
// A string behind the window is read on its own and kept in a small cache.
type sharedStrings struct {
	items []string // held in memory; nil when spilled

	file *os.File
	// Spilled: string i is text[end(i-1):end(i)]; end(i) is ends[i] plus
	// 4 GiB for each index in wraps at or below i (a text of less than 4
	// GiB has none): four bytes a string.
	ends  []uint32
	wraps []int
	hot   string // text[:len(hot)]
	mu    sync.Mutex
	win   []byte // text[winAt:winAt+len(win)]
	winAt int64
	cache map[int]string
}

// The sizes of a shared-strings table (variables for the tests to make a
// small table take every path).
var (
	spillSST   int64 = 32 << 20 // a part (inflated XML) larger than this spills its text
	hotBytes   int64 = 8 << 20  // spilled: the head of the text held in memory
	windowSize int64 = 1 << 20  // spilled: the window read ahead
	cacheMax         = 1 << 14  // spilled: strings behind the window kept
)

const sstChunk = 1 << 20 // in memory, strings are cut from chunks of this size

// loadSharedStrings reads the <si> items of a shared-strings part. size is
// the part's inflated size; tempDir is where a spilled table goes.
func loadSharedStrings(r io.Reader, size int64, tempDir string) (_ *sharedStrings, err error) {
	sst := &sharedStrings{}
	counted := false
	var w *bufio.Writer
	var off int64
	var hot []byte
	if size > spillSST {
		if sst.file, err = os.CreateTemp(tempDir, "cchc-sst-"); err != nil {
			return nil, fmt.Errorf("shared strings: %w", err)
		}
		os.Remove(sst.file.Name()) // gone with its last descriptor
		w = bufio.NewWriterSize(sst.file, 1<<20)
		sst.cache = map[int]string{}
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
		if !t.closing && !counted && string(t.name) == "sst" {
			// The table's own count sizes the offsets: no growth by doubling.
			counted = true
			if v, ok, _ := attr(t.attrs, "uniqueCount", nil); ok && size > spillSST {
				if n, err := strconv.Atoi(string(v)); err == nil && n > 0 {
					sst.ends = make([]uint32, 0, min(int64(n), size/8))
				}
			}
			continue
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
			if off < hotBytes {
				hot = append(hot, s...)
			}
			w.WriteString(s)
			if (off+int64(len(s)))>>32 != off>>32 {
				sst.wraps = append(sst.wraps, len(sst.ends))
			}
			off += int64(len(s))
			sst.ends = append(sst.ends, uint32(off))
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
		sst.hot = string(hot)
		return sst, nil
	}
	flush()
	return sst, nil
}

// get returns string i; false when the table has no such string. It is
// safe for concurrent use.
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
	if i >= len(s.ends) {
		return "", false
	}
	var start int64
	if i > 0 {
		start = s.end(i - 1)
	}
	end := s.end(i)
	if end <= int64(len(s.hot)) {
		return s.hot[start:end], true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if start >= s.winAt && end <= s.winAt+int64(len(s.win)) {
		return string(s.win[start-s.winAt : end-s.winAt]), true
	}
	if v, ok := s.cache[i]; ok {
		return v, true
	}
	if start >= s.winAt+int64(len(s.win)) {
		// Ahead of the window: the window moves there.
		n := max(windowSize, end-start)
		if int64(cap(s.win)) < n {
			s.win = make([]byte, n)
		}
		s.win = s.win[:n]
		m, _ := s.file.ReadAt(s.win, start) // io.EOF at the end of the text
		if m < int(end-start) {
			s.win, s.winAt = s.win[:0], 0
			return "", false
		}
		s.win, s.winAt = s.win[:m], start
		return string(s.win[:end-start]), true
	}
	b := make([]byte, end-start)
	if _, err := s.file.ReadAt(b, start); err != nil {
		return "", false
	}
	if len(s.cache) >= cacheMax {
		clear(s.cache)
	}
	v := string(b)
	s.cache[i] = v
	return v, true
}

// end is where spilled string i ends in the text.
func (s *sharedStrings) end(i int) int64 {
	e := int64(s.ends[i])
	for _, w := range s.wraps {
		if w > i {
			break
		}
		e += 1 << 32
	}
	return e
}

// Close removes a spilled table's file.
func (s *sharedStrings) Close() error {
	if s == nil || s.file == nil {
		return nil
	}
	return s.file.Close()
}
