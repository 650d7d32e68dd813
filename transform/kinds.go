package transform

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/thanhxuan/cchc/extract"
)

// The raw tables that the transforms fill. load/schema.sql creates them; the
// SQL models read them.
const (
	TableDossierRows   = "raw.dossier_rows"
	TableIndicatorRows = "raw.indicator_rows"
	TableUnmatched     = "raw.unmatched_lines"
	TableSummaryRows   = "raw.tthc_summary_rows"
)

// A Kind is one input kind (CONTRACT section 3): how a sheet whose header is
// of that kind (seeds/headers.csv) becomes streams of record batches. A new
// kind is one entry of kinds, its header wordings in the seeds, its raw table
// in load/schema.sql and the models that read it.
type Kind struct {
	Name string // as in seeds/headers.csv and raw.files.kind
	Doc  string // what it is, Vietnamese / English
	// Tables are the raw tables its rows go to, the sheet's data rows first.
	Tables []string
	// Seeds are the seed files that reading it uses (the SQL graph cannot
	// show them), besides the header and unit vocabularies every kind uses.
	Seeds []string
	// Report kinds belong to one unit and one period, named by the title rows
	// or the file name; a sheet that names neither fails.
	Report bool
	// Read starts the transform of one sheet. It does not own rows: the
	// caller closes them once the Output is read.
	Read func(env *Env, rows *extract.DataRows, ctx SheetContext) (*Output, error)
}

var kinds = []Kind{
	{
		Name:   extract.KindDossiers,
		Doc:    "Hồ sơ TTHC xuất từ hệ thống một cửa / dossier records exported from the one-stop-shop system",
		Tables: []string{TableDossierRows},
		Seeds:  []string{"value_map.csv", "field_groups.csv"},
		Read:   readDossiers,
	},
	{
		Name:   extract.KindUnitReport,
		Doc:    "Báo cáo CCHC định kỳ của đơn vị (Quý I, 6 tháng, 9 tháng, năm) / a unit's periodic reform report",
		Tables: []string{TableIndicatorRows, TableUnmatched},
		Seeds:  []string{"indicators.csv", "indicator_aliases.csv", "kpis.csv"},
		Report: true,
		Read:   ReadUnitReport,
	},
	{
		Name:   extract.KindTTHCSummary,
		Doc:    "Biểu số 06: tình hình giải quyết TTHC theo lĩnh vực / Biểu 06: procedure resolution summary by field",
		Tables: []string{TableSummaryRows},
		Seeds:  []string{"field_groups.csv"},
		Report: true,
		Read:   ReadTTHCSummary,
	},
}

// Kinds returns every input kind, in the contract's order.
func Kinds() []Kind { return append([]Kind(nil), kinds...) }

// KindOf returns the kind named name.
func KindOf(name string) (Kind, bool) {
	for _, k := range kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// Output is what a transform makes of one sheet: streams of record batches,
// each bound for one raw table, to be read in order. Rejects do not travel
// here: they go to SheetContext.OnRejects as they come. The caller releases
// the Output once its streams are read.
type Output struct {
	Streams    []Stream
	notes      func() []string
	monthFirst func() []int
}

// A Stream is the record batches of one raw table.
type Stream struct {
	Table string
	Rows  array.RecordReader
	// Data says that its rows are the sheet's data rows, counted in
	// raw.files.rows_loaded (unmatched report lines are kept, not counted).
	Data bool
}

// Notes returns what the transform has to say of the sheet (a report line
// given twice, a Biểu 06 row that breaks an identity): sentences for
// raw.files.message. Ask once the streams are read.
func (o *Output) Notes() []string {
	if o.notes == nil {
		return nil
	}
	return o.notes()
}

// MonthFirst returns the columns of the sheet whose text dates turned out to
// be month-first though they were read day-first (CONTRACT 3.5, the date
// order of a column): what was read is wrong, and the sheet must be read
// again with those columns in SheetContext.MonthFirst. Ask once the streams
// are read. Most files have none, and cost one pass.
func (o *Output) MonthFirst() []int {
	if o.monthFirst == nil {
		return nil
	}
	return o.monthFirst()
}

// Release releases the streams.
func (o *Output) Release() {
	for _, s := range o.Streams {
		s.Rows.Release()
	}
}

// batchOutput makes the Output of a sheet read whole (reports are small):
// one stream per table of batches, the first table's rows the data rows;
// empty batches make no stream. It takes over the batches.
func batchOutput(tables []string, batches []arrow.RecordBatch, notes []string) (*Output, error) {
	out := &Output{notes: func() []string { return notes }}
	var err error
	for i, b := range batches {
		if b.NumRows() > 0 && err == nil {
			var rr array.RecordReader
			if rr, err = array.NewRecordReader(b.Schema(), []arrow.RecordBatch{b}); err == nil {
				out.Streams = append(out.Streams, Stream{Table: tables[i], Rows: rr, Data: i == 0})
			} else {
				err = fmt.Errorf("%s: %w", tables[i], err)
			}
		}
		b.Release() // the reader holds its own reference
	}
	if err != nil {
		out.Release()
		return nil, err
	}
	return out, nil
}

// readDossiers is the dossier kind's Read: one stream, parsed as DuckDB pulls it.
func readDossiers(env *Env, rows *extract.DataRows, ctx SheetContext) (*Output, error) {
	rr, err := NewDossierReader(env, rows, ctx)
	if err != nil {
		return nil, err
	}
	notes := unknownFieldNotes(&ctx.Head.Layout)
	return &Output{
		Streams:    []Stream{{Table: TableDossierRows, Rows: rr, Data: true}},
		notes:      func() []string { return append(rr.dateOrderNotes(), notes...) },
		monthFirst: rr.MonthFirst,
	}, nil
}

// KPIFields are the optional dossier fields that dossier KPIs read: a file
// without the column leaves the field unknown for its rows, and the KPI
// leaves those rows out (CONTRACT 3.5, absent is unknown).
var KPIFields = []struct{ Field, KPI string }{
	{"service_level", "tthc_full_online_rate"},
	{"result_digitized", "tthc_result_digitized_rate"},
	{"eid_verified", "tthc_eid_rate"},
}

// unknownFieldNotes says which KPI fields a dossier sheet's header leaves
// unmatched; when it ignored columns (raw.files.message names them), one of
// them may be the field under a wording the seeds do not know yet.
func unknownFieldNotes(l *extract.Layout) []string {
	var vi, en, kpis []string
	for _, kf := range KPIFields {
		if l.Col(kf.Field) < 0 {
			vi = append(vi, fieldNames[kf.Field])
			en = append(en, kf.Field)
			kpis = append(kpis, kf.KPI)
		}
	}
	if len(vi) == 0 {
		return nil
	}
	hint := ""
	if len(l.Ignored) > 0 {
		hint = " (có thể là một trong các cột bị bỏ qua / perhaps one of the ignored columns)"
	}
	return []string{fmt.Sprintf("không có cột %s / no %s column: chưa biết với các dòng của tệp, các KPI sau không tính các dòng này / unknown for this file's rows, left out of %s%s",
		strings.Join(vi, ", "), strings.Join(en, ", "), strings.Join(kpis, ", "), hint)}
}
