package extract

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Text encodings of CSV files (DetectTextEncoding).
const (
	EncUTF8        = "utf-8"
	EncUTF8Damaged = "utf-8-damaged" // UTF-8 with bytes that are not UTF-8
	EncUTF16LE     = "utf-16le"
	EncUTF16BE     = "utf-16be"
	EncWindows1258 = "windows-1258"
	EncTCVN3       = "tcvn3" // legacy TCVN 5712 bytes
)

// csvBook is a CSV file seen as a workbook with one sheet named "".
type csvBook struct {
	path  string
	opt   OpenOptions
	comma rune
	enc   string
	stamp fileStamp
	notes notes
}

func openCSV(p string, opt OpenOptions, stamp fileStamp) (Workbook, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	defer f.Close()
	sample := make([]byte, 64<<10)
	n, err := io.ReadFull(f, sample)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	sample = sample[:n]
	enc := DetectTextEncoding(sample)
	text := sample
	if enc != EncUTF8 && enc != EncUTF8Damaged {
		text, _ = decodeBytes(sample, enc)
	}
	b := &csvBook{path: p, opt: opt, comma: DetectDelimiter(text), enc: enc, stamp: stamp}
	switch enc {
	case EncWindows1258:
		b.notes.set("enc", "tệp CSV không phải UTF-8, đã đọc theo bảng mã Windows-1258 / the CSV file is not UTF-8: read as Windows-1258 (Vietnamese)")
	case EncTCVN3:
		b.notes.set("enc", "tệp CSV gõ bằng bảng mã TCVN3 (ABC), đã chuyển sang Unicode / the CSV file is in the legacy TCVN3 (ABC) encoding: converted to Unicode")
	case EncUTF16LE, EncUTF16BE:
		b.notes.set("enc", "tệp CSV mã hóa UTF-16 (Unicode Text của Excel), đã chuyển sang UTF-8 / the CSV file is UTF-16 (Excel's Unicode Text): converted")
	}
	return b, nil
}

func (b *csvBook) Sheets() []string { return []string{""} }
func (b *csvBook) Close() error     { return nil }
func (b *csvBook) Notes() []string  { return b.notes.list() }

func (b *csvBook) Rows(string) (RowReader, error) {
	if err := b.stamp.check(b.path); err != nil {
		return nil, err
	}
	f, err := os.Open(b.path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	br := bufio.NewReaderSize(f, 256<<10)
	var src io.Reader = br
	if b.enc == EncUTF8 || b.enc == EncUTF8Damaged {
		src = skipBOM(br)
	} else if dec := decoder(b.enc); dec != nil {
		src = transform.NewReader(br, dec)
	}
	lim := &lineLimit{r: src, max: b.opt.withDefaults().maxTokenBytes(), comma: byte(b.comma)}
	r := csv.NewReader(lim)
	r.Comma = b.comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	return prefetch(&csvRows{f: f, r: r, lim: lim, book: b, opt: b.opt.withDefaults()}), nil
}

func skipBOM(r *bufio.Reader) io.Reader {
	if b, err := r.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		r.Discard(3)
	}
	return r
}

// lineLimit fails a read that goes on for more than max bytes without a line
// break: a CSV "line" of a gigabyte is not a table, and encoding/csv would
// hold all of it in memory. It fails as well a record (the text read since
// mark, whose lines a quoted field may join) of more than max bytes or with
// more than maxColumns delimiters: encoding/csv holds a record whole, and
// each of its fields costs more than the byte that ends it.
type lineLimit struct {
	r      io.Reader
	max    int
	comma  byte
	run    int // bytes since the last line break
	rec    int // bytes since the mark
	commas int // delimiters since the mark
	hit    error
}

var (
	errLineTooLong   = errors.New("line too long")
	errRecordTooLong = errors.New("record too long")
	errTooManyFields = errors.New("too many fields")
)

// mark starts a record: the reader has returned the ones before.
func (l *lineLimit) mark() { l.rec, l.commas = 0, 0 }

func (l *lineLimit) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if i := bytes.LastIndexByte(p[:n], '\n'); i >= 0 {
		if bytes.IndexByte(p[:n], '\n')+l.run > l.max {
			l.hit = errLineTooLong
			return 0, l.hit
		}
		l.run = n - i - 1
	} else {
		l.run += n
	}
	if l.run > l.max {
		l.hit = errLineTooLong
		return 0, l.hit
	}
	l.rec += n
	l.commas += bytes.Count(p[:n], []byte{l.comma})
	switch {
	case l.rec > l.max:
		l.hit = errRecordTooLong
		return 0, l.hit
	case l.commas > maxColumns:
		l.hit = errTooManyFields
		return 0, l.hit
	}
	return n, err
}

type csvRows struct {
	f     *os.File
	r     *csv.Reader
	lim   *lineLimit
	book  *csvBook
	opt   OpenOptions
	num   int
	cells []string
	cut   int
	bad   int
	badAt int
	err   error
	done  bool
}

func (c *csvRows) Next() (ok bool) {
	if c.err != nil || c.done {
		return false
	}
	defer func() { c.done = !ok }()
	rec, err := c.r.Read()
	if err == io.EOF {
		// The whole file was read: it must still be the one opened.
		c.err = c.book.stamp.check(c.book.path)
		return false
	}
	if err != nil {
		size := byteSize(uint64(c.lim.max))
		switch c.lim.hit {
		case errLineTooLong:
			c.err = fmt.Errorf("%w: một dòng CSV dài hơn %s (sau dòng %d) — không phải bảng dữ liệu / a CSV line longer than %s (after line %d): not a table",
				ErrTooLarge, size, c.num, size, c.num)
		case errRecordTooLong:
			c.err = fmt.Errorf("%w: một bản ghi CSV dài hơn %s (sau dòng %d; dấu ngoặc kép không đóng?) — không phải bảng dữ liệu / a CSV record longer than %s (after line %d; a quote that never closes?): not a table",
				ErrTooLarge, size, c.num, size, c.num)
		case errTooManyFields:
			c.err = fmt.Errorf("%w: một bản ghi CSV có hơn %d trường (sau dòng %d) — không phải bảng dữ liệu / a CSV record of more than %d fields (after line %d): not a table",
				ErrTooLarge, maxColumns, c.num, maxColumns, c.num)
		default:
			c.err = fmt.Errorf("%w: %w", ErrUnreadable, err)
		}
		return false
	}
	c.lim.mark()
	c.num, _ = c.r.FieldPos(0)
	if c.book.enc == EncTCVN3 {
		for i, v := range rec {
			rec[i] = DecodeTCVN3(v)
		}
	}
	// Bytes that are not UTF-8 become U+FFFD (found while cleaning).
	fix := c.book.enc == EncUTF8 || c.book.enc == EncUTF8Damaged
	cut, bad := 0, 0
	c.cells, cut, bad = cleanCells(c.cells[:0], rec, c.opt.MaxCellBytes, fix)
	if !fix {
		// The decoder of a legacy or UTF-16 text turned the bytes it
		// could not read into U+FFFD: say so, as for damaged UTF-8.
		for _, v := range c.cells {
			if strings.ContainsRune(v, utf8.RuneError) {
				bad++
			}
		}
	}
	if bad > 0 {
		if c.bad == 0 {
			c.badAt = c.num
		}
		c.bad += bad
	}
	if cut > 0 {
		c.cut += cut
		c.book.notes.max("cut", c.cut, func(n int) string {
			return fmt.Sprintf("%d ô dài hơn %d byte đã bị cắt, đánh dấu %q / %d cells longer than %d bytes were cut, marked %q",
				n, c.opt.MaxCellBytes, CutMarker, n, c.opt.MaxCellBytes, CutMarker)
		})
	}
	if c.bad > 0 {
		c.book.notes.max("utf8", c.bad, func(n int) string {
			if !fix {
				return fmt.Sprintf("%d ô có byte không đọc được theo bảng mã %s (đầu tiên ở dòng %d), đã thay bằng U+FFFD (\uFFFD) / %d cells held bytes that %s cannot decode (first on line %d), replaced by U+FFFD",
					n, c.book.enc, c.badAt, n, c.book.enc, c.badAt)
			}
			return fmt.Sprintf("%d ô có byte không phải UTF-8 (đầu tiên ở dòng %d), đã thay bằng U+FFFD (\uFFFD) / %d cells held bytes that are not UTF-8 (first on line %d), replaced by U+FFFD",
				n, c.badAt, n, c.badAt)
		})
	}
	return true
}

func (c *csvRows) Row() Row     { return Row{Num: c.num, Cells: c.cells} }
func (c *csvRows) Err() error   { return c.err }
func (c *csvRows) Close() error { return c.f.Close() }

// DetectTextEncoding tells the encoding of a CSV sample: EncUTF8 (with or
// without BOM); EncUTF16LE or EncUTF16BE (by their BOM: Excel's "Unicode
// Text"); EncUTF8Damaged for UTF-8 text with a few bytes that are not UTF-8
// (they become U+FFFD); and for 8-bit text, EncTCVN3 or EncWindows1258 (the
// Vietnamese Windows code page of older desktop software), whichever reads as
// more Vietnamese syllables.
func DetectTextEncoding(sample []byte) string {
	switch {
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}):
		return EncUTF16LE
	case bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		return EncUTF16BE
	}
	s := bytes.TrimPrefix(sample, []byte{0xEF, 0xBB, 0xBF})
	// The sample may end inside a multi-byte character.
	for i := 0; i < 3 && len(s) > 0 && !utf8.Valid(s); i++ {
		s = s[:len(s)-1]
	}
	if utf8.Valid(s) {
		return EncUTF8
	}
	multi, invalid := 0, 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			invalid++
		case n > 1:
			multi++
		}
		i += max(n, 1)
	}
	if multi >= 4*invalid {
		return EncUTF8Damaged
	}
	cp, _ := decodeBytes(s, EncWindows1258)
	tc, _ := decodeBytes(s, EncTCVN3)
	if vietnameseWords(string(tc)) > vietnameseWords(string(cp)) {
		return EncTCVN3
	}
	return EncWindows1258
}

// vietnameseWords counts the words of s with a letter outside ASCII that are
// well-formed Vietnamese syllables.
func vietnameseWords(s string) int {
	n := 0
	for _, w := range strings.FieldsFunc(norm.NFC.String(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) }) {
		ascii := true
		for i := 0; i < len(w); i++ {
			if w[i] >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
		if !ascii && unicodeSyllable(w) {
			n++
		}
	}
	return n
}

// unicodeSyllable reports whether w (Unicode) is a Vietnamese syllable: its
// tones (grave, acute, tilde, hook, dot below) dropped, the letter's own breve,
// circumflex or horn kept, it splits into an initial, a vowel and a final.
func unicodeSyllable(w string) bool {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		switch r {
		case 0x300, 0x301, 0x303, 0x309, 0x323:
			continue
		}
		b.WriteRune(r)
	}
	syl := norm.NFC.String(b.String())
	for _, ini := range vnInitials {
		rest, ok := strings.CutPrefix(syl, ini)
		if !ok {
			continue
		}
		for _, fin := range vnFinals {
			if v, ok := strings.CutSuffix(rest, fin); ok && vnVowels[v] {
				return true
			}
		}
	}
	return false
}

func decoder(enc string) *encoding.Decoder {
	switch enc {
	case EncWindows1258:
		return charmap.Windows1258.NewDecoder()
	case EncTCVN3:
		// Bytes as Latin-1 code points; the cells are then decoded from
		// TCVN3 (DecodeTCVN3), which maps every byte.
		return charmap.ISO8859_1.NewDecoder()
	case EncUTF16LE:
		return xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder()
	case EncUTF16BE:
		return xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM).NewDecoder()
	}
	return nil
}

func decodeBytes(b []byte, enc string) ([]byte, error) {
	dec := decoder(enc)
	if dec == nil {
		return b, nil
	}
	out, err := dec.Bytes(b)
	if enc == EncTCVN3 {
		out = []byte(DecodeTCVN3(string(out)))
	}
	return out, err
}

// DetectDelimiter picks the CSV delimiter (',', ';' or tab) that splits the
// sample's first lines into the most consistent number of fields (more than one).
func DetectDelimiter(sample []byte) rune {
	best, bestScore := ',', -1
	for _, d := range []rune{',', ';', '\t'} {
		r := csv.NewReader(bytes.NewReader(sample))
		r.Comma = d
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		counts := map[int]int{}
		lines := 0
		for lines < 30 {
			rec, err := r.Read()
			if err != nil {
				break
			}
			lines++
			if len(rec) > 1 {
				counts[len(rec)]++
			}
		}
		mode, modeN := 0, 0
		for k, v := range counts {
			if v > modeN || (v == modeN && k > mode) {
				mode, modeN = k, v
			}
		}
		if mode < 2 {
			continue
		}
		score := modeN*1000 + mode
		if score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}
