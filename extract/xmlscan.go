package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// xmlScan is the byte scanner under the sheet and shared-strings readers: it
// finds tags and decodes text in a buffer refilled from the inflated part,
// with no token values, interfaces or allocations per element. It knows
// only what a worksheet needs: elements, attributes, character data,
// entities and character references, CDATA, comments and processing
// instructions; a document that is not well-formed where it looks is an
// error (errMalformedXML), never a guess: that includes an end tag that
// does not close the element open (</v> for <c>), one with none open, and
// input that ends with elements still open. The readers above it that
// consume a whole element in one pass (fastCell) keep the open elements
// with push and drop.
//
// Its memory is bounded whatever the input: text is decoded as it streams
// by (into the caller's buffer, which text bounds), comments, processing
// instructions and CDATA sections are skipped as they stream by, and the
// buffer grows only to hold one tag whole, up to maxBuf bytes: a longer tag
// stops the reads with a *tooLarge error (readErr).
type xmlScan struct {
	r      io.Reader
	buf    []byte
	pos    int   // the next byte to read in buf
	err    error // what stopped the reads (io.EOF at the end)
	tail   []byte
	maxBuf int

	// The local names of the elements open at pos, outermost first, one
	// after the other in names; ends[i] is where the i-th ends.
	names []byte
	ends  []int
}

// xmlTag is a tag as the scanner found it: its local name (the namespace
// prefix dropped) and its raw attribute text, both valid until the next call
// of the scanner.
type xmlTag struct {
	name        []byte
	attrs       []byte
	closing     bool // </name>
	selfClosing bool // <name/>
}

var errMalformedXML = errors.New("malformed XML")

const (
	scanBufSize = 256 << 10
	keepTail    = 256
)

// newXMLScan scans r; a tag may take at most maxBuf bytes.
func newXMLScan(r io.Reader, maxBuf int) *xmlScan {
	return &xmlScan{r: r, buf: make([]byte, 0, min(scanBufSize, maxBuf)), maxBuf: maxBuf}
}

// errTagTooLong is the error of a tag longer than the scanner holds.
func errTagTooLong(max int) error {
	return &tooLarge{
		fmt.Sprintf("một thẻ XML dài hơn %s — không phải bảng dữ liệu", byteSize(uint64(max))),
		fmt.Sprintf("an XML tag longer than %s: not a data table", byteSize(uint64(max))),
	}
}

// ended is the error of input that ends inside a construct (what): the
// error that stopped the reads when it was no clean end.
func (s *xmlScan) ended(what string) error {
	if err := s.readErr(); err != nil {
		return err
	}
	return fmt.Errorf("%w: the input ends %s", errMalformedXML, what)
}

// fill reads more input, keeping buf[pos:]; false when there is none.
func (s *xmlScan) fill() bool {
	if s.err != nil {
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:])
		s.buf, s.pos = s.buf[:n], 0
	}
	if len(s.buf) == cap(s.buf) {
		// One construct fills the buffer: only a tag is held whole.
		if cap(s.buf) >= s.maxBuf {
			s.err = errTagTooLong(s.maxBuf)
			return false
		}
		s.buf = append(s.buf, make([]byte, min(cap(s.buf), s.maxBuf-cap(s.buf)))...)[:len(s.buf)]
	}
	for {
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		if n > 0 {
			got := s.buf[len(s.buf) : len(s.buf)+n]
			s.keepTail(got)
			s.buf = s.buf[:len(s.buf)+n]
		}
		if err != nil {
			s.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// keepTail keeps the last bytes read, for the check that a part ends with
// its closing tag.
func (s *xmlScan) keepTail(p []byte) {
	if len(p) >= keepTail {
		s.tail = append(s.tail[:0], p[len(p)-keepTail:]...)
		return
	}
	s.tail = append(s.tail, p...)
	if len(s.tail) > keepTail {
		s.tail = append(s.tail[:0], s.tail[len(s.tail)-keepTail:]...)
	}
}

// readErr is the error that ended the input early: nil at a clean end.
func (s *xmlScan) readErr() error {
	if s.err == io.EOF {
		return nil
	}
	return s.err
}

// need makes sure n bytes are buffered from pos; false at the end of the input.
func (s *xmlScan) need(n int) bool {
	for len(s.buf)-s.pos < n {
		if !s.fill() {
			return false
		}
	}
	return true
}

// next returns the next tag, skipping the text before it, comments,
// processing instructions, declarations and CDATA sections; ok is false at
// the end of the input.
func (s *xmlScan) next() (t xmlTag, ok bool, err error) {
	for {
		i := bytes.IndexByte(s.buf[s.pos:], '<')
		for i < 0 {
			s.pos = len(s.buf)
			if !s.fill() {
				if len(s.ends) > 0 {
					return t, false, s.ended(fmt.Sprintf("inside <%s>", clip(s.top())))
				}
				return t, false, nil
			}
			i = bytes.IndexByte(s.buf[s.pos:], '<')
		}
		s.pos += i
		if !s.need(2) {
			return t, false, s.ended("inside a tag")
		}
		switch s.buf[s.pos+1] {
		case '!', '?':
			if err := s.skipSpecial(); err != nil {
				return t, false, err
			}
			continue
		}
		return s.tag()
	}
}

// tag reads the tag at pos ('<' and a name), up to its '>', minding quotes
// (a '>' may stand in an attribute value). Tags are short: a loop over
// their bytes costs less than searching for each quote.
func (s *xmlScan) tag() (t xmlTag, ok bool, err error) {
	i := 1 // from pos
	var q byte
	for {
		b := s.buf[s.pos:]
		for ; i < len(b); i++ {
			c := b[i]
			if q != 0 {
				if c == q {
					q = 0
				}
				continue
			}
			switch c {
			case '>':
				return s.split(i)
			case '"', '\'':
				q = c
			}
		}
		if !s.fill() {
			return t, false, s.ended("inside a tag")
		}
	}
}

// split takes the tag buf[pos:pos+gt+1] apart and moves past it.
func (s *xmlScan) split(gt int) (t xmlTag, ok bool, err error) {
	b := s.buf[s.pos+1 : s.pos+gt]
	s.pos += gt + 1
	if len(b) > 0 && b[0] == '/' {
		t.closing = true
		b = b[1:]
	}
	if len(b) > 0 && b[len(b)-1] == '/' {
		t.selfClosing = true
		b = b[:len(b)-1]
	}
	n := 0
	for n < len(b) && b[n] != ' ' && b[n] != '\t' && b[n] != '\n' && b[n] != '\r' {
		n++
	}
	t.name, t.attrs = b[:n], b[n:]
	if i := bytes.IndexByte(t.name, ':'); i >= 0 {
		t.name = t.name[i+1:]
	}
	if len(t.name) == 0 {
		return t, false, fmt.Errorf("%w: a tag without a name", errMalformedXML)
	}
	switch {
	case t.closing:
		if len(s.ends) == 0 {
			return t, false, fmt.Errorf("%w: </%s> closes no element", errMalformedXML, clip(t.name))
		}
		if top := s.top(); !bytes.Equal(top, t.name) {
			return t, false, fmt.Errorf("%w: </%s> where <%s> is open", errMalformedXML, clip(t.name), clip(top))
		}
		s.drop()
	case !t.selfClosing:
		if len(s.ends) >= maxXMLDepth {
			return t, false, errTooDeep
		}
		if len(t.name) > maxNameLen {
			return t, false, errNameTooLong
		}
		s.push(t.name)
	}
	return t, true, nil
}

// errTooDeep is the error of elements nested deeper than a worksheet's
// need (its cells are five deep), which the scanner's record of the open
// elements would otherwise hold whatever their number.
var errTooDeep = &tooLarge{
	fmt.Sprintf("các phần tử XML lồng sâu hơn %d mức — không phải bảng dữ liệu", maxXMLDepth),
	fmt.Sprintf("XML elements nested more than %d deep: not a data table", maxXMLDepth),
}

// maxNameLen bounds the name of an open element the scanner records (a
// worksheet's are a few letters): with maxXMLDepth, what it holds of the
// open elements stays within 64 KiB.
const maxNameLen = 256

// errNameTooLong is the error of an element whose name is longer than
// maxNameLen.
var errNameTooLong = &tooLarge{
	fmt.Sprintf("tên một phần tử XML dài hơn %d byte — không phải bảng dữ liệu", maxNameLen),
	fmt.Sprintf("an XML element name longer than %d bytes: not a data table", maxNameLen),
}

// push records the element name as open (its start tag was read).
func (s *xmlScan) push(name []byte) {
	s.names = append(s.names, name...)
	s.ends = append(s.ends, len(s.names))
}

// top is the innermost open element's name; there must be one.
func (s *xmlScan) top() []byte {
	n := len(s.ends)
	start := 0
	if n > 1 {
		start = s.ends[n-2]
	}
	return s.names[start:s.ends[n-1]]
}

// drop closes the innermost open element (its end tag was read).
func (s *xmlScan) drop() {
	s.ends = s.ends[:len(s.ends)-1]
	if n := len(s.ends); n > 0 {
		s.names = s.names[:s.ends[n-1]]
	} else {
		s.names = s.names[:0]
	}
}

// skipSpecial skips the comment, CDATA section, declaration or processing
// instruction at pos. A document type declaration is refused: the parts of
// an xlsx package never have one (ECMA-376 part 2 forbids it), and its
// entities are how an XML document makes a few bytes read as gigabytes.
func (s *xmlScan) skipSpecial() error {
	s.need(9)
	b := s.buf[s.pos:]
	end := ">"
	switch {
	case bytes.HasPrefix(b, []byte("<!--")):
		end = "-->"
	case bytes.HasPrefix(b, []byte("<![CDATA[")):
		end = "]]>"
	case bytes.HasPrefix(b, []byte("<?")):
		end = "?>"
	case bytes.HasPrefix(b, []byte("<!DOCTYPE")):
		return errDoctype
	}
	return s.skipPast(2, end)
}

// errDoctype is the error of a part with a document type declaration.
var errDoctype = fmt.Errorf("%w: a document type declaration (<!DOCTYPE>, entities), which no xlsx part may have", errMalformedXML)

// skipPast moves pos past the first end found from pos+from, dropping what
// it passes as it reads on.
func (s *xmlScan) skipPast(from int, end string) error {
	for {
		if i := bytes.Index(s.buf[s.pos+from:], []byte(end)); i >= 0 {
			s.pos += from + i + len(end)
			return nil
		}
		// The end may begin in the last bytes: they are kept.
		s.pos, from = max(s.pos+from, len(s.buf)-len(end)+1), 0
		if !s.fill() {
			return s.ended(fmt.Sprintf("before %q", end))
		}
	}
}

// text appends the character data from pos up to the next tag to dst,
// decoded as encoding/xml decodes it (entities and character references,
// CDATA sections, line ends folded to \n), and leaves pos at that tag.
// dst grows to limit bytes at most: cut reports that text was left out
// (the rest is read, and checked, all the same).
func (s *xmlScan) text(dst []byte, limit int) (_ []byte, cut bool, err error) {
	add := func(b []byte, decode bool) {
		if decode {
			dst, err = appendDecoded(dst, b)
		} else {
			dst = appendLines(dst, b)
		}
		if len(dst) > limit {
			dst, cut = dst[:max(limit, 0)], true
		}
	}
	for {
		b := s.buf[s.pos:]
		lt := bytes.IndexByte(b, '<')
		chunk := b
		if lt >= 0 {
			chunk = b[:lt]
		} else if amp := bytes.LastIndexByte(b, '&'); amp >= 0 && len(b)-amp < maxRef && bytes.IndexByte(b[amp:], ';') < 0 {
			chunk = b[:amp] // an entity cut by the end of the buffer
		}
		if len(chunk) > 0 && chunk[len(chunk)-1] == '\r' && lt < 0 {
			chunk = chunk[:len(chunk)-1] // \r\n cut by the end of the buffer
		}
		if add(chunk, true); err != nil {
			return dst, cut, err
		}
		s.pos += len(chunk)
		if lt < 0 {
			if !s.fill() {
				rest := s.buf[s.pos:]
				s.pos = len(s.buf)
				add(rest, true)
				return dst, cut, err
			}
			continue
		}
		s.need(9)
		b = s.buf[s.pos:]
		switch {
		case bytes.HasPrefix(b, []byte("<![CDATA[")):
			s.pos += 9
			for {
				if i := bytes.Index(s.buf[s.pos:], []byte("]]>")); i >= 0 {
					add(s.buf[s.pos:s.pos+i], false)
					s.pos += i + 3
					break
				}
				// The text streams on; the last bytes may begin the end,
				// or be a \r whose \n follows.
				n := len(s.buf) - s.pos - 2
				if n > 0 && s.buf[s.pos+n-1] == '\r' {
					n--
				}
				if n > 0 {
					add(s.buf[s.pos:s.pos+n], false)
					s.pos += n
				}
				if !s.fill() {
					return dst, cut, s.ended("inside CDATA")
				}
			}
		case bytes.HasPrefix(b, []byte("<!--")), bytes.HasPrefix(b, []byte("<?")):
			if err := s.skipSpecial(); err != nil {
				return dst, cut, err
			}
		default:
			return dst, cut, nil
		}
	}
}

// maxRef is longer than any entity or character reference (&#x10FFFF;):
// an ampersand further back from the end of the buffer without its
// semicolon is an error of the text, not a reference cut by the buffer.
const maxRef = 16

// appendLines appends raw text with its line ends folded: \r\n and \r
// become \n, as XML requires of a parser.
func appendLines(dst, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(dst, b[:i]...)
		dst = append(dst, '\n')
		b = b[i+1:]
		if len(b) > 0 && b[0] == '\n' {
			b = b[1:]
		}
	}
}

// appendDecoded appends character data with its references decoded.
func appendDecoded(dst, b []byte) ([]byte, error) {
	for {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			return appendLines(dst, b), nil
		}
		dst = appendLines(dst, b[:i])
		b = b[i+1:]
		j := bytes.IndexByte(b, ';')
		if j < 0 {
			return dst, fmt.Errorf("%w: an unterminated entity", errMalformedXML)
		}
		ref := b[:j]
		b = b[j+1:]
		switch string(ref) {
		case "amp":
			dst = append(dst, '&')
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			r, ok := charRef(ref)
			if !ok {
				return dst, fmt.Errorf("%w: an unknown entity &%s;", errMalformedXML, clip(ref))
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
}

// charRef reads a character reference (#123 or #x7B), which must name a
// character that XML allows.
func charRef(ref []byte) (rune, bool) {
	if len(ref) < 2 || ref[0] != '#' {
		return 0, false
	}
	base, digits := 10, ref[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 || len(digits) > 8 {
		return 0, false
	}
	var n rune
	for _, c := range digits {
		var d rune
		switch {
		case c >= '0' && c <= '9':
			d = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return 0, false
		}
		n = n*rune(base) + d
	}
	ok := n == 0x09 || n == 0x0A || n == 0x0D || n >= 0x20 && n <= 0xD7FF ||
		n >= 0xE000 && n <= 0xFFFD || n >= 0x10000 && n <= 0x10FFFF
	return n, ok
}

func clip(b []byte) []byte { return b[:min(len(b), 16)] }

// attr returns the value of the attribute named key (its local name) in a
// tag's attribute text, entities decoded (into scratch); ok is false when it
// is absent.
func attr(attrs []byte, key string, scratch []byte) (v []byte, ok bool, err error) {
	for {
		name, val, rest, err := nextAttr(attrs)
		if err != nil || name == nil {
			return nil, false, err
		}
		attrs = rest
		if string(name) != key {
			continue
		}
		if bytes.IndexByte(val, '&') < 0 {
			return val, true, nil
		}
		v, err = appendDecoded(scratch[:0], val)
		return v, true, err
	}
}
