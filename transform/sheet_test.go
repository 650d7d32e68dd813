package transform

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/internal/fixture"
	"github.com/thanhxuan/cchc/seeds"
)

// memBook is an extract.Workbook held in memory, for feeding the transforms
// without a file: sheets of text cells, as the xlsx and CSV readers give them.
type memBook struct {
	names []string
	rows  map[string][][]string
	open  int // readers not closed yet
}

// newMemBook makes a workbook of fixture sheets; a cell is its text
// (fmt.Sprint), nil an empty cell.
func newMemBook(sheets ...fixture.Sheet) *memBook {
	b := &memBook{rows: map[string][][]string{}}
	for _, s := range sheets {
		b.names = append(b.names, s.Name)
		grid := make([][]string, len(s.Rows))
		for i, r := range s.Rows {
			for _, v := range r {
				text := ""
				if v != nil {
					text = fmt.Sprint(v)
				}
				grid[i] = append(grid[i], text)
			}
		}
		b.rows[s.Name] = grid
	}
	return b
}

func (b *memBook) Sheets() []string { return b.names }
func (b *memBook) Close() error     { return nil }

func (b *memBook) Rows(sheet string) (extract.RowReader, error) {
	grid, ok := b.rows[sheet]
	if !ok {
		return nil, fmt.Errorf("no sheet %q", sheet)
	}
	b.open++
	return &memRows{book: b, grid: grid}, nil
}

// memRows reads a memBook sheet. Like the real readers it reuses the cells
// of a row for the next one and drops trailing empty cells, so a transform
// that keeps a row past Next reads the wrong cells.
type memRows struct {
	book   *memBook
	grid   [][]string
	i      int
	cells  []string
	closed bool
}

func (r *memRows) Next() bool {
	if r.closed || r.i >= len(r.grid) {
		return false
	}
	src := r.grid[r.i]
	end := len(src)
	for end > 0 && src[end-1] == "" {
		end--
	}
	r.cells = append(r.cells[:0], src[:end]...)
	r.i++
	return true
}

func (r *memRows) Row() extract.Row { return extract.Row{Num: r.i, Cells: r.cells} }
func (r *memRows) Err() error       { return nil }

func (r *memRows) Close() error {
	if !r.closed {
		r.closed = true
		r.book.open--
	}
	return nil
}

// testCatalog is the embedded seed catalogue.
func testCatalog(t *testing.T) *seeds.Catalog {
	t.Helper()
	c, err := seeds.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testEnv is the transforms' environment built from the embedded seeds, with
// the checked allocator mem.
func testEnv(t *testing.T, mem memory.Allocator, key string) *Env {
	t.Helper()
	c := testCatalog(t)
	return &Env{Mem: mem, Units: extract.NewUnits(c), Values: NewValues(c), Pseudo: NewPseudonymizer([]byte(key)),
		Indicators: NewIndicators(c)}
}

// sheetRead is what the transform of a kind made of the one sheet of a workbook.
type sheetRead struct {
	head    extract.SheetHead
	tables  []string                    // the streams' tables, in order
	data    map[string]bool             // Stream.Data by table
	rows    map[string][]map[string]any // typed rows by table
	batches map[string]int
	rejects []Reject
	chunks  []int // how many rejects each call of OnRejects handed over
	notes   []string
	skipped map[extract.RowClass]int
}

// readSheet finds the header of the workbook's one data sheet, runs the
// transform of its kind through transform.KindOf and reads every stream. It
// fails the test on an error of the transform, and when a reader of the
// workbook is left open.
func readSheet(t *testing.T, env *Env, wb *memBook, path, wantKind string) sheetRead {
	t.Helper()
	scanner := &extract.Scanner{Vocab: extract.NewVocab(testCatalog(t)), Units: env.Units}
	heads, err := scanner.Scan(wb, path)
	if err != nil {
		t.Fatal(err)
	}
	if len(heads) != 1 || heads[0].Layout.Kind != wantKind {
		t.Fatalf("heads = %+v, want one of kind %s", heads, wantKind)
	}
	h := heads[0]
	kind, ok := KindOf(h.Layout.Kind)
	if !ok {
		t.Fatalf("no kind %q", h.Layout.Kind)
	}
	rows, err := extract.Data(wb, &h)
	if err != nil {
		t.Fatal(err)
	}
	res := sheetRead{head: h, data: map[string]bool{}, rows: map[string][]map[string]any{}, batches: map[string]int{}}
	out, err := kind.Read(env, rows, SheetContext{FileSHA256: "sha-of-file", Head: &h, OnRejects: func(rs []Reject) error {
		res.rejects = append(res.rejects, rs...) // rs is reused once this returns
		res.chunks = append(res.chunks, len(rs))
		return nil
	}})
	if err != nil {
		rows.Close()
		t.Fatal(err)
	}
	for _, s := range out.Streams {
		res.tables = append(res.tables, s.Table)
		res.data[s.Table] = s.Data
		res.rows[s.Table], res.batches[s.Table] = batchRows(t, s.Rows)
	}
	res.notes = out.Notes()
	out.Release()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	res.skipped = rows.Skipped
	if wb.open != 0 {
		t.Errorf("%d sheet readers left open", wb.open)
	}
	return res
}

// batchRows reads every batch of rr into rows of Go values by column name:
// string, int32, float64, bool, time.Time (UTC wall clock) or nil for NULL.
// A NULL in a column that is not nullable fails the test.
func batchRows(t *testing.T, rr array.RecordReader) (rows []map[string]any, batches int) {
	t.Helper()
	for rr.Next() {
		b := rr.RecordBatch()
		batches++
		if !b.Schema().Equal(rr.Schema()) {
			t.Errorf("batch schema %v, reader schema %v", b.Schema(), rr.Schema())
		}
		for i := 0; i < int(b.NumRows()); i++ {
			row := map[string]any{}
			for c, f := range b.Schema().Fields() {
				col := b.Column(c)
				if col.IsNull(i) {
					if !f.Nullable {
						t.Errorf("row %d: NULL in %s, which is not nullable", i, f.Name)
					}
					row[f.Name] = nil
					continue
				}
				switch a := col.(type) {
				case *array.String:
					row[f.Name] = a.Value(i)
				case *array.Int32:
					row[f.Name] = a.Value(i)
				case *array.Float64:
					row[f.Name] = a.Value(i)
				case *array.Boolean:
					row[f.Name] = a.Value(i)
				case *array.Timestamp:
					row[f.Name] = a.Value(i).ToTime(arrow.Microsecond)
				default:
					t.Fatalf("column %s: unexpected type %s", f.Name, col.DataType())
				}
			}
			rows = append(rows, row)
		}
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	return rows, batches
}

// checkRows compares typed rows with the expected ones, column by column: a
// wanted row names every column of the schema.
func checkRows(t *testing.T, table string, schema *arrow.Schema, got, want []map[string]any) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d:\n%v", table, len(got), len(want), got)
	}
	for i := range min(len(got), len(want)) {
		for _, f := range schema.Fields() {
			w, ok := want[i][f.Name]
			if !ok {
				t.Fatalf("%s: the wanted row %d has no %s", table, i, f.Name)
			}
			g := got[i][f.Name]
			same := g == w
			if gt, ok := g.(time.Time); ok {
				wt, ok := w.(time.Time)
				same = ok && gt.Equal(wt)
			}
			if !same {
				t.Errorf("%s row %d (%v) %s = %#v, want %#v", table, i, got[i]["row_number"], f.Name, g, w)
			}
		}
		if len(want[i]) != len(schema.Fields()) {
			t.Errorf("%s: the wanted row %d names columns the schema has not: %v", table, i, keys(want[i]))
		}
	}
}

func keys(m map[string]any) string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return strings.Join(k, ",")
}

// checkRejects compares rejects by sheet, row, column, raw value and code,
// and checks that each reason says something, in both languages.
func checkRejects(t *testing.T, got, want []Reject) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d rejects, want %d: %+v", len(got), len(want), got)
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.Sheet != w.Sheet || g.Row != w.Row || g.Column != w.Column || g.RawValue != w.RawValue || g.Code != w.Code {
			t.Errorf("reject %d = %+v, want %+v", i, g, w)
		}
		if w.Reason != "" && g.Reason != w.Reason {
			t.Errorf("reject %d reason = %q, want %q", i, g.Reason, w.Reason)
		}
		if !strings.Contains(g.Reason, " / ") {
			t.Errorf("reject %d reason %q is not Vietnamese / English", i, g.Reason)
		}
	}
}
