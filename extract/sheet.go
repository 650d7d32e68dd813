package extract

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// SheetHead is what the header search tells of one sheet of a workbook.
type SheetHead struct {
	Name   string // "" for CSV
	Layout Layout
	// Unit and Period come from the title rows, else the file name ("" when
	// neither tells).
	Unit, Period string
	PeriodText   string // the title wording of a period that is no plan period
	// UnitFrom and PeriodFrom say where Unit and Period (or PeriodText)
	// were read.
	UnitFrom, PeriodFrom Evidence
}

// Where a sheet's unit or period was read (Evidence.From).
const (
	FromTitle    = "title"     // a title row above the header
	FromFileName = "file_name" // the file's name
)

// Evidence is where a sheet's unit or period was read: a title row, by its
// number and text, or the file name. The zero Evidence says nothing told it.
type Evidence struct {
	From string // FromTitle, FromFileName or ""
	Row  int    // the title row's 1-based number (0 for the file name)
	Text string // the title row's text, or the file's base name
}

// titleEvidence is the evidence of line i of a layout's title.
func titleEvidence(l *Layout, i int) Evidence {
	e := Evidence{From: FromTitle, Text: l.Title[i]}
	if i < len(l.TitleRows) {
		e.Row = l.TitleRows[i]
	}
	return e
}

// HeaderError is the error of a file in which no sheet has a complete
// header: Closest is the layout that came nearest (nil when no sheet had
// even half of a kind's required columns), on the sheet named Sheet.
type HeaderError struct {
	Sheet   string
	Closest *Layout
	err     error
}

func (e *HeaderError) Error() string { return e.err.Error() }
func (e *HeaderError) Unwrap() error { return e.err }

// Scanner finds headers and tells units and periods. It is safe for concurrent
// use once built.
type Scanner struct {
	Vocab *Vocab
	Units *Units
}

// Scan opens every sheet of wb, finds its header and tells its unit and period.
// Sheets without a header (notes, empty sheets, instructions) are left out. When
// no sheet has a complete header, the error says what was closest.
func (s *Scanner) Scan(wb Workbook, path string) ([]SheetHead, error) {
	var heads []SheetHead
	var partial *Layout
	partialSheet := ""
	for _, name := range wb.Sheets() {
		rr, err := wb.Rows(name)
		if err != nil {
			return nil, err
		}
		var rows []Row
		for len(rows) < searchRows && rr.Next() {
			r := rr.Row()
			rows = append(rows, Row{Num: r.Num, Cells: append([]string(nil), r.Cells...)})
		}
		err = errors.Join(rr.Err(), rr.Close())
		if err != nil {
			// A file of one unnamed sheet has no sheet to name, and an
			// error of the memory budget names its sheet and row.
			if name == "" || asTooLarge(err) != nil {
				return nil, err
			}
			return nil, fmt.Errorf("sheet %q: %w", name, err)
		}
		layout, ok := s.Vocab.FindHeader(rows)
		if !ok {
			if layout.Kind != "" && (partial == nil || len(layout.Missing) < len(partial.Missing)) {
				l := layout
				partial, partialSheet = &l, name
			}
			continue
		}
		h := SheetHead{Name: name, Layout: layout}
		fileName := Evidence{From: FromFileName, Text: filepath.Base(path)}
		if u, i, ok := s.Units.FromTitleLine(layout.Title); ok {
			h.Unit, h.UnitFrom = u, titleEvidence(&layout, i)
		} else if u, ok := s.Units.FromFileName(path); ok {
			h.Unit, h.UnitFrom = u, fileName
		}
		if p, i, ok := PeriodFromTitleLine(layout.Title); ok {
			h.Period, h.PeriodFrom = p, titleEvidence(&layout, i)
		} else if p, ok := PeriodFromFileName(path); ok {
			h.Period, h.PeriodFrom = p, fileName
		} else if i >= 0 {
			h.PeriodText, h.PeriodFrom = layout.Title[i], titleEvidence(&layout, i)
		}
		heads = append(heads, h)
	}
	if len(heads) == 0 {
		if partial != nil {
			return nil, &HeaderError{Sheet: partialSheet, Closest: partial, err: fmt.Errorf("%w: bảng %s thiếu cột bắt buộc / missing required columns: %s",
				ErrMissingColumn, partial.Kind, strings.Join(partial.Missing, ", "))}
		}
		return nil, &HeaderError{err: fmt.Errorf("%w: không tìm thấy dòng tiêu đề của danh sách hồ sơ, báo cáo hay Biểu 06 / no header of a dossier list, unit report or Biểu 06 found", ErrNoHeader)}
	}
	return heads, nil
}

// RowClass tells data rows from the rows around them.
type RowClass int

// Row classes.
const (
	RowData RowClass = iota
	RowBlank
	RowSection
	RowTotal
	RowFooter
)

var (
	reTotal     = regexp.MustCompile(`^(cong|tong cong|tong so|tong|cong:|tong cong:|tong so:|total)\b`)
	reTotalCell = regexp.MustCompile(`^(cong|tong cong|tong so|tong|total)( (chung|cac linh vuc))?:?$`)
	reFooter    = regexp.MustCompile(`(nguoi lap( bieu)?|thu truong( don vi)?|chu tich|ky,? ghi ro ho ten|ky ten|xac nhan cua|pho chu tich|ngay \.* ?thang|ngay \d{1,2} thang \d{1,2} nam \d{4})`)
)

// DataRows streams the data rows of a sheet, classifying and skipping blank,
// section, total and footer rows (CONTRACT 3.4). Once a footer starts, the rest
// of the sheet is footer.
type DataRows struct {
	rr      RowReader
	layout  *Layout
	key     int // the column that a data row must have (dossier id, indicator text, field)
	footer  bool
	Skipped map[RowClass]int
	row     Row
}

// Data opens the data rows of the sheet described by h. The caller must Close it.
func Data(wb Workbook, h *SheetHead) (*DataRows, error) {
	rr, err := wb.Rows(h.Name)
	if err != nil {
		return nil, err
	}
	return &DataRows{rr: rr, layout: &h.Layout, key: h.Layout.Col(h.Layout.Key), Skipped: map[RowClass]int{}}, nil
}

// Next advances to the next data row.
func (d *DataRows) Next() bool {
	for d.rr.Next() {
		r := d.rr.Row()
		if r.Num < d.layout.DataFirst {
			continue
		}
		c := d.classify(r)
		if c == RowData {
			d.row = r
			return true
		}
		d.Skipped[c]++
	}
	return false
}

// Row returns the current data row; valid until the next call to Next.
func (d *DataRows) Row() Row { return d.row }

// Err returns the error that stopped the iteration, if any.
func (d *DataRows) Err() error { return d.rr.Err() }

// Close releases the sheet.
func (d *DataRows) Close() error { return d.rr.Close() }

func (d *DataRows) classify(r Row) RowClass {
	if d.footer {
		return RowFooter
	}
	nonEmpty := 0
	var first string
	for _, c := range r.Cells {
		if c != "" {
			if nonEmpty == 0 {
				first = c
			}
			nonEmpty++
		}
	}
	if nonEmpty == 0 {
		return RowBlank
	}
	key := r.Cell(d.key)
	if d.layout.Kind == KindDossiers && key != "" && !strings.ContainsAny(key, " \t") && strings.ContainsAny(key, "0123456789") {
		return RowData // the hot path: a dossier row with an id
	}
	if d.repeatsHeader(r) {
		return RowSection // the header again, as printed at the top of each page
	}
	for _, c := range r.Cells {
		if c == "" {
			continue
		}
		f := Fold(c)
		if reFooter.MatchString(f) && (d.layout.Kind != KindDossiers || key == "" || Fold(key) == f) {
			d.footer = true
			return RowFooter
		}
	}
	// Totals: Cộng / Tổng cộng / Tổng số. A dossier total has no dossier id;
	// a Biểu 06 total reads so in its field cell. Unit reports have none: their
	// indicators themselves start with "Tổng số".
	switch d.layout.Kind {
	case KindDossiers:
		// An id has no spaces; "Tổng cộng: 752 hồ sơ" or "I. Lĩnh vực Hộ tịch"
		// in the id column is a total or a section, as is any row that has
		// none of the other required fields.
		notID := key == "" || strings.ContainsAny(key, " \t") || reTotal.MatchString(Fold(key))
		if notID {
			for _, c := range r.Cells {
				if c != "" && reTotal.MatchString(Fold(c)) {
					return RowTotal
				}
			}
			if nonEmpty <= 2 || d.requiredEmpty(r) {
				return RowSection
			}
		}
	case KindTTHCSummary:
		if reTotalCell.MatchString(Fold(key)) || key == "" && reTotalCell.MatchString(Fold(first)) {
			return RowTotal
		}
	}
	if d.layout.Kind != KindUnitReport && nonEmpty == 1 && key == "" {
		return RowSection
	}
	return RowData
}

// repeatsHeader reports whether r repeats the header: at least two, and at
// least half, of the layout's columns hold their own header label (or the last
// line of a multi-row label).
func (d *DataRows) repeatsHeader(r Row) bool {
	same := 0
	for _, col := range d.layout.Columns {
		c := r.Cell(col)
		if c == "" || col >= len(d.layout.Labels) {
			continue
		}
		label := d.layout.Labels[col]
		f := Fold(c)
		if f == Fold(label) {
			same++
		} else if i := strings.LastIndex(label, " › "); i >= 0 && f == Fold(label[i+len(" › "):]) {
			same++
		}
	}
	return same >= 2 && 2*same >= len(d.layout.Columns)
}

// requiredEmpty reports whether every column of the layout other than the key
// is empty in r.
func (d *DataRows) requiredEmpty(r Row) bool {
	for _, c := range d.layout.Columns {
		if c != d.key && r.Cell(c) != "" {
			return false
		}
	}
	return true
}
