package extract

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// sharedStrings is a workbook's shared-strings table: the strings, never
// the XML, one after the other in one text, and the offset where each ends
// (four bytes a string, in blocks: a table's memory grows without copies). A small table holds its text in memory. A large
// one (its part inflates to more than spillSST bytes: a million-row export
// re-saved by Excel or LibreOffice has a 200 MB table) keeps its text in a
// temporary file and in memory only the offsets, the first hotBytes of
// text and a window of the file: Excel writes a string into the table
// where it first appears, so the strings a sheet repeats (statuses,
// procedures, units) come early, in the held head, and the strings met
// once (ids, names, addresses) are looked up in the order of the table,
// through the window. A string behind the window is read on its own and
// kept in a small cache.
//
// A table that would take more than its share of the memory budget
// (OpenOptions.maxStringsBytes) fails to load; a string longer than a cell
// may be is cut as it is read.
type sharedStrings struct {
	file *os.File // nil: the whole text is hot
	// String i is text[end(i-1):end(i)]; end(i) is ends[i/sstBlock][i%sstBlock]
	// plus 4 GiB for each index in wraps at or below i (a text of less
	// than 4 GiB has none).
	ends  [][]uint32
	n     int // strings
	wraps []int
	hot   string // text[:len(hot)]

	mu         sync.Mutex // guards what follows: the spilled table's reads
	win        []byte     // text[winAt:winAt+len(win)]
	winAt      int64
	cache      map[int]string
	cacheBytes int
}

// The sizes of a shared-strings table (variables for the tests to make a
// small table take every path).
var (
	spillSST      int64 = 32 << 20 // a part (inflated XML) larger than this spills its text
	hotBytes      int64 = 8 << 20  // spilled: the head of the text held in memory
	windowSize    int64 = 1 << 20  // spilled: the window read ahead
	cacheMax            = 1 << 14  // spilled: strings behind the window kept
	cacheMaxBytes       = 4 << 20  // spilled: and their bytes
)

// sstBlock is how many end offsets a block holds.
const sstBlock = 1 << 14

// loadSharedStrings reads the <si> items of a shared-strings part. size is
// the part's inflated size; tempDir is where a spilled table goes; the
// table may take budget bytes of memory, and its strings are cut to
// lim.cell bytes.
func loadSharedStrings(r io.Reader, size int64, tempDir string, lim limits, budget int64) (_ *sharedStrings, err error) {
	sst := &sharedStrings{}
	var w *bufio.Writer
	var off int64
	var text strings.Builder // the hot text
	// A table spills when its part is larger than spillSST or than its
	// share of the budget.
	held := size
	if size > min(spillSST, budget/2) {
		held = min(hotBytes, budget/4)
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
	// The text held is no longer than the XML it comes from: it is
	// allocated once.
	text.Grow(int(held))
	maxStrings := max(budget-held, 0) / 4
	sc := newXMLScan(r, lim.token)
	b := siBuilder{max: lim.cell}
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
		if int64(sst.n) >= maxStrings {
			return nil, errStringsTooLarge(sst.n, budget)
		}
		if off < held {
			text.WriteString(s[:min(int64(len(s)), held-off)])
		}
		if w != nil {
			w.WriteString(s)
		}
		if (off+int64(len(s)))>>32 != off>>32 {
			sst.wraps = append(sst.wraps, sst.n)
		}
		off += int64(len(s))
		if sst.n%sstBlock == 0 {
			sst.ends = append(sst.ends, make([]uint32, 0, sstBlock))
		}
		last := len(sst.ends) - 1
		sst.ends[last] = append(sst.ends[last], uint32(off))
		sst.n++
	}
	if err := sc.readErr(); err != nil {
		return nil, err
	}
	if w != nil {
		if err := w.Flush(); err != nil {
			return nil, fmt.Errorf("shared strings: %w", err)
		}
	}
	sst.hot = text.String()
	return sst, nil
}

// errStringsTooLarge is the error of a table of more than n strings,
// beyond its budget.
func errStringsTooLarge(n int, budget int64) error {
	return &tooLarge{
		fmt.Sprintf("bảng chuỗi dùng chung có hơn %d chuỗi, cần hơn %s bộ nhớ (nửa extract.max_memory_bytes)", n, byteSize(uint64(budget))),
		fmt.Sprintf("the shared strings hold more than %d strings and would need more than %s of memory (half of extract.max_memory_bytes)", n, byteSize(uint64(budget))),
	}
}

// get returns string i; false when the table has no such string. It is
// safe for concurrent use.
func (s *sharedStrings) get(i int) (string, bool) {
	if s == nil || i < 0 || i >= s.n {
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
	if s.file == nil {
		return "", false
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
	if len(s.cache) >= cacheMax || s.cacheBytes+len(b) > cacheMaxBytes {
		clear(s.cache)
		s.cacheBytes = 0
	}
	v := string(b)
	s.cache[i] = v
	s.cacheBytes += len(v)
	return v, true
}

// end is where string i ends in the text.
func (s *sharedStrings) end(i int) int64 {
	e := int64(s.ends[i/sstBlock][i%sstBlock])
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
