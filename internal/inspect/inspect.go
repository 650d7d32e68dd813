// Package inspect tells how cchc would read a file, without loading it
// (`cchc inspect`, CONTRACT 3.5): the file's format; each sheet's kind, unit
// and period with their evidence (a title row or the file name), its header
// rows, and each column's field with the alias or rule that matched; for each
// coded field the distinct values with their counts and what each maps to,
// and for a value that maps to nothing the seed line that would map it; and
// the rejects a load would record, by reason. It is how a data team brings a
// new system's export in.
//
// A file is read as a run reads it — the same stages (pipeline.Stages), the
// same per-sheet transforms, the same second reading when a date column
// turns out month-first — but the record batches are counted and released,
// and nothing is written: no warehouse, no state folder.
package inspect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/seeds"
	"github.com/thanhxuan/cchc/transform"
)

// Options tune an inspection.
type Options struct {
	// SeedsDir is the data team's seeds folder (seeds_dir), where a
	// suggested line goes; "" when none is configured.
	SeedsDir string
	// MaxValues bounds the distinct values kept per coded field (default
	// 200); the rows of further values are only counted.
	MaxValues int
}

func (o Options) maxValues() int {
	if o.MaxValues <= 0 {
		return 200
	}
	return o.MaxValues
}

// Report is the inspection of the files given on the command line.
type Report struct {
	SeedsDir string  `json:"seeds_dir,omitempty"`
	Files    []*File `json:"files"`
}

// Unopened returns the number of files that could not be opened at all.
func (r *Report) Unopened() int {
	n := 0
	for _, f := range r.Files {
		if f.Error != "" {
			n++
		}
	}
	return n
}

// File is what inspecting one file found.
type File struct {
	Path   string `json:"path"`
	Format string `json:"format,omitempty"` // as OpenWorkbook reads it: xlsx, csv …
	Size   int64  `json:"size_bytes"`
	SHA256 string `json:"sha256,omitempty"`
	// Error says why the file cannot be opened at all (then nothing else is
	// filled in).
	Error string `json:"error,omitempty"`
	// WouldLoad says whether a run would load the file; Failure, when it
	// would not, is the reason it would record in raw.files.message.
	WouldLoad bool   `json:"would_load"`
	Failure   string `json:"failure,omitempty"`
	// Closest is, for a file in which no sheet has a complete header, the
	// header that came nearest (nil when none had even half of a kind's
	// required columns).
	Closest *Sheet   `json:"closest_header,omitempty"`
	Sheets  []*Sheet `json:"sheets"`
	// Notes are what the reader has to say of the file (a legacy encoding
	// converted, cells cut to the size limit …).
	Notes []string `json:"notes,omitempty"`
	// Rows a load would insert and reject (distinct rows), over the sheets.
	RowsLoaded   int64 `json:"rows_loaded"`
	RowsRejected int64 `json:"rows_rejected"`
}

// RejectsByReason returns the rejects a load would record in raw.rejects,
// per reason code, over the sheets.
func (f *File) RejectsByReason() map[string]int64 {
	m := map[string]int64{}
	for _, s := range f.Sheets {
		for _, r := range s.Rejects {
			m[r.Code] += r.Count
		}
	}
	return m
}

// Sheet is how one sheet would be read.
type Sheet struct {
	Name    string `json:"name"` // "" for CSV
	Kind    string `json:"kind"`
	KindDoc string `json:"kind_doc,omitempty"`
	// Unit and Period are what the title rows or the file name tell, with
	// where (a dossier sheet with a unit column reads each row's unit there,
	// and falls back on Unit for an empty cell).
	Unit       string    `json:"unit,omitempty"`
	UnitFrom   *Evidence `json:"unit_from,omitempty"`
	UnitColumn string    `json:"unit_column,omitempty"` // the label of the unit column, if any
	Period     string    `json:"period,omitempty"`
	PeriodText string    `json:"period_text,omitempty"` // a title period that is no plan period
	PeriodFrom *Evidence `json:"period_from,omitempty"`

	Title       []TitleRow `json:"title,omitempty"`
	HeaderFirst int        `json:"header_first_row"`
	HeaderLast  int        `json:"header_last_row"`
	DataFirst   int        `json:"data_first_row"`
	Columns     []Column   `json:"columns"`
	// Missing are the required fields of the kind without a column (only
	// in File.Closest); Unfilled the kind's other fields without one, with
	// what a line of headers.csv for them needs.
	Missing  []string     `json:"missing,omitempty"`
	Unfilled []HeaderSeed `json:"fields_without_column,omitempty"`

	Values []Field `json:"values,omitempty"`

	RowsLoaded   int64          `json:"rows_loaded"`
	RowsRejected int64          `json:"rows_rejected"`
	RowsSkipped  int64          `json:"rows_skipped"`
	Rejects      []ReasonCount  `json:"rejects,omitempty"`
	Notes        []string       `json:"notes,omitempty"`
	Failure      string         `json:"failure,omitempty"` // why a load would fail the file at this sheet
	rejected     map[int]bool   // rows rejected
	byCode       map[string]int // reason code → index into Rejects
}

// Evidence is where a unit or a period was read.
type Evidence struct {
	From string `json:"from"`          // title or file_name
	Row  int    `json:"row,omitempty"` // the title row
	Text string `json:"text"`          // the title row's text, or the file name
}

// TitleRow is a row above the header.
type TitleRow struct {
	Row  int    `json:"row"`
	Text string `json:"text"`
}

// Column is how one column's header was read.
type Column struct {
	Column     string   `json:"column"` // its letter: A, B … AA
	Label      string   `json:"label"`  // parents first, joined by " › "
	Normal     string   `json:"normalised"`
	Status     string   `json:"status"` // matched, ignored, ambiguous, duplicate
	Field      string   `json:"field,omitempty"`
	Alias      string   `json:"alias,omitempty"`
	Rule       string   `json:"rule,omitempty"`
	Seed       *Seed    `json:"seed,omitempty"`
	Candidates []string `json:"candidates,omitempty"`
	MonthFirst bool     `json:"month_first,omitempty"` // its dates are read month-first
	// Suggest is the headers.csv line that would make an ignored or
	// ambiguous column name a field: the field, its required flag and rank
	// left for the person (see Sheet.Unfilled).
	Suggest *Suggestion `json:"suggest,omitempty"`
}

// Seed is a row of a seed file.
type Seed struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Folder string `json:"folder,omitempty"` // the data team's folder; "" for the embedded seeds
}

func seedOf(s seeds.Source) *Seed {
	if s.File == "" {
		return nil
	}
	return &Seed{File: s.File, Line: s.Line, Folder: s.Dir}
}

// String names the row as seeds.Source does.
func (s *Seed) String() string {
	return seeds.Source{File: s.File, Line: s.Line, Dir: s.Folder}.String()
}

// HeaderSeed is a field of a kind without a column, with the required flag
// and the rank that a new header wording of it takes in headers.csv (the
// rank after its known wordings, so they keep winning).
type HeaderSeed struct {
	Field    string `json:"field"`
	Required bool   `json:"required"`
	Rank     int    `json:"rank"`
}

// ReasonCount is the rejects of one reason, with the first as an example.
type ReasonCount struct {
	Code    string `json:"code"`
	Count   int64  `json:"count"`
	Example Reject `json:"example"`
}

// Reject is one reject as raw.rejects would record it.
type Reject struct {
	Row      int    `json:"row_number"`
	Column   string `json:"column_name"`
	RawValue string `json:"raw_value"`
	Reason   string `json:"reason"`
}

// Inspect tells how a run would read the file at path, with the stages st
// (pipeline.NewReadStages: it writes nothing). It returns an error only when
// the file cannot be opened at all; a file that a run would record as failed
// (no recognisable header, a report without its period, a sheet that breaks
// off) is a File with Failure set.
func Inspect(ctx context.Context, path string, st *pipeline.Stages, opt Options) (*File, error) {
	src := &extract.Source{Path: filepath.ToSlash(path), Abs: path}
	f := &File{Path: src.Path}
	if err := src.Hash(); err != nil {
		return nil, err
	}
	f.Size, f.SHA256 = src.Size, src.SHA256
	format, err := extract.FormatOf(path)
	if err != nil {
		return nil, err
	}
	f.Format = format
	wb, err := src.Open(st.Open)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	sug := newSuggester(st, opt.SeedsDir)
	heads, err := st.Scanner.Scan(wb, path)
	if err != nil {
		f.Failure = err.Error()
		var he *extract.HeaderError
		if errors.As(err, &he) && he.Closest != nil {
			f.Closest = newSheet(&extract.SheetHead{Name: he.Sheet, Layout: *he.Closest}, nil, sug)
			f.Closest.Missing = he.Closest.Missing
		}
		return f, nil
	}
	err = pipeline.ReadFile(func(rd *pipeline.Reading) error {
		f.Sheets, f.Failure = f.Sheets[:0], ""
		for i := range heads {
			if err := ctx.Err(); err != nil {
				return err
			}
			h := &heads[i]
			s := newSheet(h, rd.MonthFirst()[h.Name], sug)
			f.Sheets = append(f.Sheets, s)
			res, err := rd.Sheet(st, wb, src.SHA256, h, s.addRejects, discard(ctx))
			s.RowsLoaded, s.RowsSkipped, s.Notes = res.Loaded, res.Skipped, res.Notes
			s.RowsRejected = int64(len(s.rejected))
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				// A load stops at the first sheet that fails, and fails the
				// whole file; inspect goes on, to show the other sheets too.
				s.Failure = err.Error()
				if f.Failure == "" {
					f.Failure = err.Error()
					if len(heads) > 1 && h.Name != "" {
						f.Failure = fmt.Sprintf("sheet %q: %s", h.Name, err)
					}
				}
			}
		}
		// A load reads every other sheet to its end too, and fails the
		// file on a read error there.
		if err := pipeline.ReadOthers(wb, heads); err != nil && f.Failure == "" {
			f.Failure = err.Error()
		}
		return rd.Done()
	})
	if err != nil {
		return nil, err
	}
	for i, s := range f.Sheets {
		sort.SliceStable(s.Rejects, func(i, j int) bool {
			if s.Rejects[i].Count != s.Rejects[j].Count {
				return s.Rejects[i].Count > s.Rejects[j].Count
			}
			return s.Rejects[i].Code < s.Rejects[j].Code
		})
		if err := countValues(ctx, wb, &heads[i], s, st, sug, opt.maxValues()); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if s.Failure == "" {
				s.Failure = err.Error()
			}
		}
	}
	if n, ok := wb.(extract.Noter); ok {
		f.Notes = n.Notes()
	}
	f.WouldLoad = f.Failure == ""
	for _, s := range f.Sheets {
		f.RowsLoaded += s.RowsLoaded
		f.RowsRejected += s.RowsRejected
	}
	return f, nil
}

// Run inspects every file of paths (a folder: every file under it, as a run
// walks its inbox). A file that cannot be opened is in the report with its
// Error; Run returns an error only when ctx ends.
func Run(ctx context.Context, paths []string, st *pipeline.Stages, opt Options) (*Report, error) {
	r := &Report{SeedsDir: opt.SeedsDir}
	for _, p := range paths {
		files := []string{p}
		var walkErr []error // a link, a pipe, a file that cannot be read: as a run records it
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			srcs, err := extract.Walk(p)
			if err != nil {
				r.Files = append(r.Files, &File{Path: filepath.ToSlash(p), Error: err.Error()})
				continue
			}
			files, walkErr = files[:0], make([]error, len(srcs))
			for i, s := range srcs {
				files = append(files, s.Abs) // the name's bytes, not its escape
				walkErr[i] = s.Err
			}
		}
		for i, path := range files {
			var f *File
			err := error(nil)
			if walkErr != nil && walkErr[i] != nil {
				err = walkErr[i]
			} else {
				f, err = Inspect(ctx, path, st, opt)
			}
			if err := ctx.Err(); err != nil {
				return r, err
			}
			if err != nil {
				f = &File{Path: filepath.ToSlash(path), Error: err.Error()}
			}
			r.Files = append(r.Files, f)
		}
	}
	return r, nil
}

// discard is the Sink of an inspection: it reads a stream to its end,
// counting its rows, and keeps nothing (the transform releases each batch at
// the next).
func discard(ctx context.Context) pipeline.Sink {
	return func(s transform.Stream) (int64, error) {
		var n int64
		for s.Rows.Next() {
			n += s.Rows.RecordBatch().NumRows()
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		return n, s.Rows.Err()
	}
}

// newSheet describes the header of h; monthFirst are its columns read
// month-first.
func newSheet(h *extract.SheetHead, monthFirst map[int]bool, sug *suggester) *Sheet {
	l := &h.Layout
	s := &Sheet{
		Name: h.Name, Kind: l.Kind, Unit: h.Unit, Period: h.Period, PeriodText: h.PeriodText,
		UnitFrom: evidence(h.UnitFrom), PeriodFrom: evidence(h.PeriodFrom),
		HeaderFirst: l.HeaderFirst, HeaderLast: l.HeaderLast, DataFirst: l.DataFirst,
		rejected: map[int]bool{}, byCode: map[string]int{},
	}
	if k, ok := transform.KindOf(l.Kind); ok {
		s.KindDoc = k.Doc
	}
	for i, t := range l.Title {
		row := 0
		if i < len(l.TitleRows) {
			row = l.TitleRows[i]
		}
		s.Title = append(s.Title, TitleRow{Row: row, Text: t})
	}
	for _, m := range l.Matches {
		c := Column{
			Column: columnLetter(m.Col), Label: m.Label, Normal: m.Normal, Status: m.Status,
			Field: m.Field, Alias: m.Alias, Rule: m.Rule, Seed: seedOf(m.Source), Candidates: m.Candidates,
			MonthFirst: monthFirst[m.Col],
		}
		if m.Status != extract.ColumnMatched {
			c.Field, c.Alias, c.Rule, c.Seed = "", "", "", nil
			if m.Status == extract.ColumnDuplicate {
				c.Field = m.Field // the field a better column took
			}
		}
		c.Suggest = sug.header(l.Kind, &c)
		s.Columns = append(s.Columns, c)
		if m.Status == extract.ColumnMatched && m.Field == "unit" {
			s.UnitColumn = m.Label
		}
	}
	s.Unfilled = sug.unfilled(l)
	return s
}

func evidence(e extract.Evidence) *Evidence {
	if e.From == "" {
		return nil
	}
	return &Evidence{From: e.From, Row: e.Row, Text: e.Text}
}

// addRejects counts rejects by reason, keeping the first of each.
func (s *Sheet) addRejects(rejects []transform.Reject) error {
	for _, r := range rejects {
		s.rejected[r.Row] = true
		i, ok := s.byCode[r.Code]
		if !ok {
			i = len(s.Rejects)
			s.byCode[r.Code] = i
			s.Rejects = append(s.Rejects, ReasonCount{Code: r.Code, Example: Reject{Row: r.Row, Column: r.Column, RawValue: r.RawValue, Reason: r.Reason}})
		}
		s.Rejects[i].Count++
	}
	return nil
}

// columnLetter names a 0-based column as a spreadsheet does: A … Z, AA …
func columnLetter(col int) string {
	var b []byte
	for col++; col > 0; col = (col - 1) / 26 {
		b = append([]byte{byte('A' + (col-1)%26)}, b...)
	}
	return string(b)
}

// oneLine makes text fit one line of a seed file: matching folds white space
// anyway.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
