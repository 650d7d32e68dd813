package gen

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// cell is one value to write: string, int, float64, bool or nil (empty), with
// an optional excelize style (date and percent formats).
type cell struct {
	v     any
	style int
}

func txt(s string) cell { return cell{v: s} }

// sink receives the rows of one sheet in order. Row numbers are 1-based and
// are those a person sees in Excel (or the line of a CSV file), because the
// ground truth of rejects points at them.
type sink interface {
	// put writes the next row and returns its number.
	put(cells []cell) (int, error)
	// skip leaves one blank row.
	skip() error
	// next is the number the next row will get.
	next() int
	// merge joins a block of cells (ignored by CSV).
	merge(r1, c1, r2, c2 int) error
}

func cellName(col, row int) string {
	n, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		panic(err) // callers only pass coordinates >= 1
	}
	return n
}

func excelValue(c cell) any {
	if c.v == nil {
		return nil
	}
	if c.style != 0 {
		return excelize.Cell{StyleID: c.style, Value: c.v}
	}
	return c.v
}

// streamSink writes a sheet through excelize's StreamWriter: rows go to a
// temporary file, so memory stays bounded at any row count. A workbook may hold
// one streamed sheet only, because excelize saves several streams in map order
// and the output would no longer be byte-identical from run to run.
type streamSink struct {
	sw  *excelize.StreamWriter
	row int
	buf []any
}

func (s *streamSink) put(cells []cell) (int, error) {
	s.row++
	s.buf = s.buf[:0]
	for _, c := range cells {
		s.buf = append(s.buf, excelValue(c))
	}
	return s.row, s.sw.SetRow(cellName(1, s.row), s.buf)
}

func (s *streamSink) skip() error { s.row++; return nil }
func (s *streamSink) next() int   { return s.row + 1 }
func (s *streamSink) merge(r1, c1, r2, c2 int) error {
	return s.sw.MergeCell(cellName(c1, r1), cellName(c2, r2))
}

// cellSink writes a small sheet cell by cell; any number of them can share a
// workbook.
type cellSink struct {
	f     *excelize.File
	sheet string
	row   int
}

func (s *cellSink) put(cells []cell) (int, error) {
	s.row++
	for i, c := range cells {
		if c.v == nil {
			continue
		}
		ref := cellName(i+1, s.row)
		if err := s.f.SetCellValue(s.sheet, ref, c.v); err != nil {
			return s.row, err
		}
		if c.style != 0 {
			if err := s.f.SetCellStyle(s.sheet, ref, ref, c.style); err != nil {
				return s.row, err
			}
		}
	}
	return s.row, nil
}

func (s *cellSink) skip() error { s.row++; return nil }
func (s *cellSink) next() int   { return s.row + 1 }
func (s *cellSink) merge(r1, c1, r2, c2 int) error {
	return s.f.MergeCell(s.sheet, cellName(c1, r1), cellName(c2, r2))
}

// csvSink writes records padded to the sheet's width, as Excel's "Save as CSV"
// does; so a blank row is a line of delimiters, never an empty line that
// encoding/csv would skip and that would shift every later line number.
type csvSink struct {
	w     *csv.Writer
	width int
	line  int
	rec   []string
}

func newCSVSink(w io.Writer, delim rune, crlf bool, width int) *csvSink {
	cw := csv.NewWriter(w)
	cw.Comma = delim
	cw.UseCRLF = crlf
	return &csvSink{w: cw, width: width}
}

func (s *csvSink) put(cells []cell) (int, error) {
	s.line++
	s.rec = s.rec[:0]
	for _, c := range cells {
		s.rec = append(s.rec, csvText(c.v))
	}
	for len(s.rec) < s.width {
		s.rec = append(s.rec, "")
	}
	return s.line, s.w.Write(s.rec)
}

func (s *csvSink) skip() error { _, err := s.put(nil); return err }
func (s *csvSink) next() int   { return s.line + 1 }
func (s *csvSink) merge(int, int, int, int) error {
	return nil
}

func csvText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	default:
		return fmt.Sprint(v)
	}
}

// csvFile owns a CSV file being written: the buffered writer and the sink.
type csvFile struct {
	f    *os.File
	bw   *bufio.Writer
	sink *csvSink
}

func createCSV(path string, delim rune, bom, crlf bool, width int) (*csvFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	if bom {
		if _, err := bw.WriteString("\ufeff"); err != nil {
			f.Close()
			return nil, err
		}
	}
	return &csvFile{f: f, bw: bw, sink: newCSVSink(bw, delim, crlf, width)}, nil
}

func (c *csvFile) close() error {
	c.sink.w.Flush()
	err := c.sink.w.Error()
	if e := c.bw.Flush(); err == nil {
		err = e
	}
	if e := c.f.Close(); err == nil {
		err = e
	}
	return err
}

// excelEpoch is Excel's day 0 in the 1900 date system (with its leap-year bug
// already accounted for).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// serial converts a wall-clock time to an Excel date number.
func serial(t time.Time) float64 {
	d := t.Sub(excelEpoch)
	days := int64(d / (24 * time.Hour))
	secs := int64((d % (24 * time.Hour)) / time.Second)
	return float64(days) + float64(secs)/86400
}

// saveStreaming writes a workbook to path without holding the zipped package
// in memory: excelize's SaveAs builds the whole zip in a bytes.Buffer first,
// which at a million rows costs more memory than the rows themselves. The zip
// writer excelize is given writes to the file instead, so only the streamed
// sheet's temporary file and a small buffer are used. The bytes are the same
// as SaveAs would write (excelize uses archive/zip too).
func saveStreaming(f *excelize.File, path string) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(out, 1<<20)
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(bw) })
	// WriteTo (not WriteToBuffer) so the content types get what SaveAs gives
	// them for an .xlsx path; what it returns is the empty buffer.
	f.Path = path
	n, err := f.WriteTo(io.Discard)
	if err == nil && n != 0 {
		err = errors.New("gen: excelize wrote around the zip writer")
	}
	if e := bw.Flush(); err == nil {
		err = e
	}
	if e := out.Close(); err == nil {
		err = e
	}
	return err
}
