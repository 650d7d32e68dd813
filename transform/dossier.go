package transform

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/thanhxuan/cchc/extract"
)

// Reject is one input cell (or row) that could not be loaded, with a reason a
// person can act on.
type Reject struct {
	Sheet    string // "" for CSV
	Row      int
	Column   string // the field, or the header text
	RawValue string
	Code     string // machine-readable reason (impossible_date, unknown_unit …)
	Reason   string // Vietnamese / English, for people
}

// localTimestamp is a wall-clock timestamp in Asia/Ho_Chi_Minh without a zone:
// DuckDB reads it as TIMESTAMP, and dates are cut from it as they are written.
var localTimestamp = &arrow.TimestampType{Unit: arrow.Microsecond}

// DossierSchema is the schema of the dossier record batches (raw.dossier_rows).
// Personal data other than the applicant key never enters it.
var DossierSchema = arrow.NewSchema([]arrow.Field{
	{Name: "file_sha256", Type: arrow.BinaryTypes.String},
	{Name: "sheet", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "row_number", Type: arrow.PrimitiveTypes.Int32},
	{Name: "dossier_id", Type: arrow.BinaryTypes.String},
	{Name: "unit_code", Type: arrow.BinaryTypes.String},
	{Name: "unit_source", Type: arrow.BinaryTypes.String},
	{Name: "field", Type: arrow.BinaryTypes.String},
	{Name: "field_group", Type: arrow.BinaryTypes.String},
	{Name: "procedure_code", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "procedure_name", Type: arrow.BinaryTypes.String},
	{Name: "received_at", Type: localTimestamp},
	{Name: "due_at", Type: localTimestamp},
	{Name: "completed_at", Type: localTimestamp, Nullable: true},
	{Name: "channel", Type: arrow.BinaryTypes.String},
	// Absent is unknown (CONTRACT 3.5): a file without the column has NULL
	// here, never none or false.
	{Name: "service_level", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "status", Type: arrow.BinaryTypes.String},
	{Name: "result_digitized", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "eid_verified", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "applicant_key", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "reported_timeliness", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// fieldNames are the Vietnamese names of dossier fields, for reject reasons.
var fieldNames = map[string]string{
	"dossier_id":       "mã hồ sơ",
	"procedure_code":   "mã thủ tục",
	"procedure_name":   "tên thủ tục",
	"field":            "lĩnh vực",
	"unit":             "đơn vị",
	"received_at":      "ngày tiếp nhận",
	"due_at":           "ngày hẹn trả",
	"completed_at":     "ngày trả kết quả",
	"channel":          "hình thức nộp",
	"service_level":    "mức độ dịch vụ công",
	"status":           "trạng thái",
	"result_digitized": "số hóa kết quả",
	"eid_verified":     "xác thực VNeID",
}

// Env is what the transforms share: the seed-built matchers and the key of the
// applicant pseudonyms.
type Env struct {
	Mem    memory.Allocator
	Units  *extract.Units
	Values *Values
	Pseudo *Pseudonymizer
	// Indicators matches unit report lines to the catalogue.
	Indicators *Indicators
	// BatchRows is the number of rows per record batch (default 16384).
	BatchRows int
}

// SheetContext names the sheet being transformed.
type SheetContext struct {
	FileSHA256 string
	Head       *extract.SheetHead
	// OnRejects, when set, receives the rejects in chunks as they come (the
	// reader then keeps none: see RejectSpool); else Rejects returns them all.
	OnRejects func([]Reject) error
	// MonthFirst are the columns (0-based) whose text dates are read
	// month-first: what Output.MonthFirst said of an earlier reading.
	MonthFirst map[int]bool
}

// rejectChunk is how many rejects a reader holds before handing them to
// SheetContext.OnRejects, and rejectBytes how many bytes of them (a reject
// quotes its raw value, a cell of up to extract.max_cell_bytes).
const rejectChunk = 4096

// The bounds in bytes of what a dossier reader holds (variables for the
// tests): the text of the rows of one batch, which is built in memory
// (16,384 rows of cells of many kilobytes would be gigabytes), and the
// rejects held before they are handed over.
var (
	batchBytes  = 16 << 20
	rejectBytes = 8 << 20
)

// rowBytes is the text of a row.
func rowBytes(r extract.Row) int {
	n := 0
	for _, c := range r.Cells {
		n += len(c)
	}
	return n
}

// DossierReader is an array.RecordReader over the dossier rows of one sheet:
// each Next parses rows until a batch is full. Rows that cannot be loaded become
// rejects, available from Rejects once Next has returned false.
type DossierReader struct {
	env     *Env
	rows    *extract.DataRows
	ctx     SheetContext
	b       *array.RecordBuilder
	cur     arrow.RecordBatch
	rejects []Reject
	rejLen  int // bytes of the rejects' values and reasons
	loaded  int
	err     error
	refs    atomic.Int64
	col     [nDossierFields]int // the sheet's column of each field, -1 when absent
	batch   int
	// memo caches lookups per field (coded values, units, the field's
	// group): exports repeat a handful of wordings over millions of rows,
	// and folding each one costs more than the rest of the row.
	memo [nDossierFields]map[string]memoVal
	p    rowParser // reused from row to row

	// The date order of each date field's column: how it is read, and the
	// count of its values that read in one order only (CONTRACT 3.5).
	order        [nDossierFields]DateOrder
	onlyOrder    [nDossierFields][2]int
	monthExample [nDossierFields]string
}

// The fields of a dossier row the transform reads, by index (the layout
// names them by dossierFieldKeys).
const (
	fDossierID = iota
	fUnit
	fProcedureName
	fField
	fProcedureCode
	fReceivedAt
	fDueAt
	fCompletedAt
	fChannel
	fServiceLevel
	fStatus
	fResultDigitized
	fEIDVerified
	fApplicantID
	nDossierFields
)

var dossierFieldKeys = [nDossierFields]string{
	"dossier_id", "unit", "procedure_name", "field", "procedure_code", "received_at", "due_at",
	"completed_at", "channel", "service_level", "status", "result_digitized", "eid_verified", "applicant_id",
}

type memoVal struct {
	v  string
	t  string // the timeliness a status cell states beside the status
	ok bool
}

// NewDossierReader starts reading the dossier rows of a sheet. It fails when the
// sheet has no unit column and neither its title nor the file name tells the unit.
// The reader does not own rows: the caller closes them after the reader is done.
func NewDossierReader(env *Env, rows *extract.DataRows, ctx SheetContext) (*DossierReader, error) {
	if ctx.Head.Layout.Col("unit") < 0 && ctx.Head.Unit == "" {
		return nil, fmt.Errorf("%w: không có cột đơn vị, tiêu đề và tên tệp không nêu phường/phòng nào / no unit column, and neither the title nor the file name names a unit", extract.ErrNoUnit)
	}
	r := &DossierReader{env: env, rows: rows, ctx: ctx, batch: env.BatchRows}
	for f, key := range dossierFieldKeys {
		r.col[f] = ctx.Head.Layout.Col(key)
		r.memo[f] = map[string]memoVal{}
		if r.col[f] >= 0 && ctx.MonthFirst[r.col[f]] {
			r.order[f] = MonthFirst
		}
	}
	r.p.r = r
	if r.batch <= 0 {
		r.batch = 16384
	}
	r.b = array.NewRecordBuilder(env.Mem, DossierSchema)
	r.refs.Store(1)
	return r, nil
}

// Schema returns DossierSchema.
func (r *DossierReader) Schema() *arrow.Schema { return DossierSchema }

// Retain adds a reference.
func (r *DossierReader) Retain() { r.refs.Add(1) }

// Release drops a reference; the last one frees the builder and current batch.
func (r *DossierReader) Release() {
	if r.refs.Add(-1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.b.Release()
	}
}

// RecordBatch returns the current batch, valid until the next call to Next.
func (r *DossierReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch.
//
// Deprecated: use RecordBatch.
func (r *DossierReader) Record() arrow.RecordBatch { return r.cur }

// Err returns the error that stopped the reader, if any.
func (r *DossierReader) Err() error { return r.err }

// flushRejects hands the rejects held to SheetContext.OnRejects, if set.
func (r *DossierReader) flushRejects() bool {
	if r.ctx.OnRejects == nil || len(r.rejects) == 0 {
		return true
	}
	if err := r.ctx.OnRejects(r.rejects); err != nil {
		r.err = fmt.Errorf("spool rejects: %w", err)
		return false
	}
	clear(r.rejects) // the values they quote go with them
	r.rejects, r.rejLen = r.rejects[:0], 0
	return true
}

// Rejects returns the rejects read so far and not handed to
// SheetContext.OnRejects.
func (r *DossierReader) Rejects() []Reject { return r.rejects }

// MinMonthFirst is how many of a column's dates must read month-first only
// (and none day-first only) before the column is read month-first.
const MinMonthFirst = 10

// dateFields are the fields whose columns hold dates.
var dateFields = [...]int{fReceivedAt, fDueAt, fCompletedAt}

// MonthFirst returns the sheet columns whose text dates, read so far, make
// them month-first (CONTRACT 3.5: at least MinMonthFirst dates read in one
// order only, every one of them month-first) though they were read
// day-first: the sheet must be read again with them in
// SheetContext.MonthFirst. Ask once Next has returned false.
func (r *DossierReader) MonthFirst() []int {
	var cols []int
	for _, f := range dateFields {
		if r.col[f] >= 0 && r.order[f] == DayFirst && r.onlyOrder[f][MonthFirst] >= MinMonthFirst && r.onlyOrder[f][DayFirst] == 0 {
			cols = append(cols, r.col[f])
		}
	}
	return cols
}

// dateOrderNotes says which date columns were read month-first, and why,
// in one note short enough for raw.files.message beside others: each column
// is named once, in words both languages share.
func (r *DossierReader) dateOrderNotes() []string {
	var cols []string
	example := ""
	for _, f := range dateFields {
		if r.col[f] < 0 || r.order[f] != MonthFirst {
			continue
		}
		label := ""
		if c := r.col[f]; c < len(r.ctx.Head.Layout.Labels) {
			label = strings.Join(strings.Fields(r.ctx.Head.Layout.Labels[c]), " ")
		}
		if example == "" {
			example = r.monthExample[f]
		}
		cols = append(cols, fmt.Sprintf("cột / column %q read month-first: %d dates", label, r.onlyOrder[f][MonthFirst]))
	}
	if len(cols) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("đọc theo tháng/ngày/năm vì có ngày chỉ đọc được như vậy (như %q), không ngày nào chỉ đọc được ngày/tháng/năm / dates that read only month-first, none only day-first: %s",
		example, strings.Join(cols, "; "))}
}

// Loaded returns the number of rows emitted so far.
func (r *DossierReader) Loaded() int { return r.loaded }

// Next parses the next batch of rows.
func (r *DossierReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.err != nil {
		return false
	}
	n, size := 0, 0
	for n < r.batch && size < batchBytes && r.rows.Next() {
		row := r.rows.Row()
		if r.row(row) {
			n++
			size += rowBytes(row)
		} else if (len(r.rejects) >= rejectChunk || r.rejLen >= rejectBytes) && !r.flushRejects() {
			return false
		}
	}
	if err := r.rows.Err(); err != nil {
		r.err = err
		return false
	}
	if n == 0 {
		r.flushRejects()
		return false
	}
	r.cur = r.b.NewRecordBatch()
	r.loaded += n
	return true
}

type rowParser struct {
	r       *DossierReader
	row     extract.Row
	rejects []Reject
}

func (p *rowParser) cell(f int) string {
	if c := p.r.col[f]; c >= 0 {
		return p.row.Cell(c)
	}
	return ""
}

func (p *rowParser) reject(f int, raw, code, reason string) {
	p.rejects = append(p.rejects, Reject{
		Sheet: p.r.ctx.Head.Name, Row: p.row.Num, Column: dossierFieldKeys[f], RawValue: raw, Code: code, Reason: reason,
	})
}

func (p *rowParser) missing(f int) {
	field := dossierFieldKeys[f]
	p.reject(f, "", "missing_value", fmt.Sprintf("thiếu %s / %s is empty", fieldNames[field], field))
}

func (p *rowParser) required(f int) string {
	v := p.cell(f)
	if v == "" {
		p.missing(f)
	}
	return v
}

func (p *rowParser) date(f int, required bool) (time.Time, bool) {
	raw := p.cell(f)
	if raw == "" {
		if required {
			p.missing(f)
		}
		return time.Time{}, false
	}
	t, reading, err := parseDate(raw, p.r.order[f])
	if o, one := reading.only(); one {
		// The date order of the column (CONTRACT 3.5) is decided from the
		// dates that read in one order only.
		p.r.onlyOrder[f][o]++
		if o == MonthFirst && p.r.monthExample[f] == "" {
			p.r.monthExample[f] = raw
		}
	}
	if err != nil {
		code, reason := dateReason(dossierFieldKeys[f], raw, err)
		p.reject(f, raw, code, reason)
		return time.Time{}, false
	}
	return t, true
}

// dateReason is the reject code and reason of a date that cannot be read:
// what was wrong (an unknown format is not an invalid date), quoting the value.
func dateReason(field, raw string, err error) (code, reason string) {
	var de *DateError
	if !errors.As(err, &de) {
		de = &DateError{Value: raw, Err: ErrBadDate, VI: err.Error(), EN: err.Error()}
	}
	vi, en := fieldNames[field], field
	switch code = de.Code(); code {
	case "unknown_date_format":
		reason = fmt.Sprintf("%s %q: %s / %s %q: %s", vi, raw, de.VI, en, raw, de.EN)
	case "not_day_first":
		reason = fmt.Sprintf("%s %q không đọc được theo thứ tự ngày/tháng/năm: %s / %s %q does not read day-first (dd/mm/yyyy): %s", vi, raw, de.VI, en, raw, de.EN)
	case "date_out_of_range":
		reason = fmt.Sprintf("%s %q nằm ngoài khoảng cho phép: %s / %s %q is out of range: %s", vi, raw, de.VI, en, raw, de.EN)
	default:
		reason = fmt.Sprintf("%s %q không phải ngày hợp lệ: %s / %s %q is not a valid date: %s", vi, raw, de.VI, en, raw, de.EN)
	}
	return code, reason
}

// coded reads a coded value; timeliness is what a status cell states beside
// the status (`Đã trả - Trễ hạn`), or "".
func (p *rowParser) coded(f int, domain string, required bool) (v, timeliness string, ok bool) {
	raw := p.cell(f)
	if raw == "" && required {
		p.missing(f)
		return "", "", false
	}
	mv := p.r.lookup(f, raw, func(raw string) memoVal {
		m, ok := p.r.env.Values.Match(domain, raw)
		return memoVal{v: m.Value, t: m.Timeliness, ok: ok}
	})
	if !mv.ok {
		field := dossierFieldKeys[f]
		p.reject(f, raw, "unknown_"+field, fmt.Sprintf("%s %q không có trong danh mục / unknown %s (add it to seeds/value_map.csv if it is valid)", fieldNames[field], raw, field))
	}
	return mv.v, mv.t, mv.ok
}

func sameOrBefore(a, b time.Time) bool { return civilDay(a) <= civilDay(b) }

// civilDay numbers the calendar day of t in its own location (days since
// 1970-01-01), so that two times compare by date without time.Date.
func civilDay(t time.Time) int64 {
	_, offset := t.Zone()
	sec := t.Unix() + int64(offset)
	day := sec / 86400
	if sec%86400 < 0 {
		day--
	}
	return day
}

// row parses one data row; it appends it to the builder and returns true, or
// records its rejects and returns false.
func (r *DossierReader) row(row extract.Row) bool {
	p := &r.p
	p.row, p.rejects = row, p.rejects[:0]
	id := p.required(fDossierID)
	unit, unitSource := r.ctx.Head.Unit, "title_or_file_name"
	if raw := p.cell(fUnit); raw != "" {
		mv := r.lookup(fUnit, raw, func(raw string) memoVal {
			code, ok := r.env.Units.Match(raw)
			return memoVal{v: code, ok: ok}
		})
		code, ok := mv.v, mv.ok
		unitSource = "column"
		if !ok {
			p.reject(fUnit, raw, "unknown_unit", fmt.Sprintf("đơn vị %q không khớp đơn vị nào của quận / unit matches no unit of the district (add an alias to seeds/unit_aliases.csv if it is one)", raw))
		}
		unit = code
	} else if unit == "" {
		p.reject(fUnit, "", "missing_value", "thiếu đơn vị, tiêu đề và tên tệp không nêu đơn vị / no unit in the row, the title or the file name")
	}
	name := p.required(fProcedureName)
	field := p.required(fField)
	received, okR := p.date(fReceivedAt, true)
	due, okD := p.date(fDueAt, true)
	completed, okC := p.date(fCompletedAt, false)
	channel, _, _ := p.coded(fChannel, "channel", true)
	// A column the file lacks leaves its field unknown ("", NULL); an empty
	// cell of a column the file has is a value (none, no).
	level, digitized, eid := "", "", ""
	if r.col[fServiceLevel] >= 0 {
		level, _, _ = p.coded(fServiceLevel, "service_level", false)
	}
	status, reported, _ := p.coded(fStatus, "status", true)
	if r.col[fResultDigitized] >= 0 {
		digitized, _, _ = p.coded(fResultDigitized, "yes_no", false)
	}
	if r.col[fEIDVerified] >= 0 {
		eid, _, _ = p.coded(fEIDVerified, "yes_no", false)
	}
	if okR && okC && !sameOrBefore(received, completed) {
		p.reject(fCompletedAt, p.cell(fCompletedAt), "completed_before_received",
			fmt.Sprintf("ngày trả kết quả %s trước ngày tiếp nhận %s / completed before received", completed.Format("02/01/2006"), received.Format("02/01/2006")))
	}
	if okR && okD && !sameOrBefore(received, due) {
		p.reject(fDueAt, p.cell(fDueAt), "due_before_received",
			fmt.Sprintf("ngày hẹn trả %s trước ngày tiếp nhận %s / due before received", due.Format("02/01/2006"), received.Format("02/01/2006")))
	}
	if status == "resolved" && !okC && p.cell(fCompletedAt) == "" {
		p.reject(fCompletedAt, "", "resolved_without_completion",
			"hồ sơ đã giải quyết nhưng không có ngày trả kết quả / resolved without a completion date")
	}
	if len(p.rejects) > 0 {
		r.rejects = append(r.rejects, p.rejects...)
		for _, rj := range p.rejects {
			r.rejLen += len(rj.RawValue) + len(rj.Reason)
		}
		return false
	}

	b := r.b
	b.Field(0).(*array.StringBuilder).Append(r.ctx.FileSHA256)
	if r.ctx.Head.Name == "" {
		b.Field(1).AppendNull()
	} else {
		b.Field(1).(*array.StringBuilder).Append(r.ctx.Head.Name)
	}
	b.Field(2).(*array.Int32Builder).Append(int32(row.Num))
	b.Field(3).(*array.StringBuilder).Append(id)
	b.Field(4).(*array.StringBuilder).Append(unit)
	b.Field(5).(*array.StringBuilder).Append(unitSource)
	b.Field(6).(*array.StringBuilder).Append(field)
	b.Field(7).(*array.StringBuilder).Append(r.fieldGroup(field))
	appendOptString(b.Field(8).(*array.StringBuilder), p.cell(fProcedureCode))
	b.Field(9).(*array.StringBuilder).Append(name)
	ts := func(i int, t time.Time, ok bool) {
		tb := b.Field(i).(*array.TimestampBuilder)
		if !ok {
			tb.AppendNull()
			return
		}
		tb.Append(arrow.Timestamp(t.UnixMicro()))
	}
	ts(10, received, true)
	ts(11, due, true)
	ts(12, completed, okC)
	b.Field(13).(*array.StringBuilder).Append(channel)
	appendOptString(b.Field(14).(*array.StringBuilder), level)
	b.Field(15).(*array.StringBuilder).Append(status)
	appendOptBool(b.Field(16).(*array.BooleanBuilder), digitized)
	appendOptBool(b.Field(17).(*array.BooleanBuilder), eid)
	appendOptString(b.Field(18).(*array.StringBuilder), r.env.Pseudo.Key(p.cell(fApplicantID)))
	appendOptString(b.Field(19).(*array.StringBuilder), reported)
	return true
}

// appendOptBool appends a yes/no value ("true", "false"), or NULL for "".
func appendOptBool(b *array.BooleanBuilder, v string) {
	if v == "" {
		b.AppendNull()
		return
	}
	b.Append(v == "true")
}

func appendOptString(b *array.StringBuilder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	b.Append(s)
}

// lookup returns find(raw), memoised per field for the sheet (up to 4096
// wordings per field).
func (r *DossierReader) lookup(f int, raw string, find func(string) memoVal) memoVal {
	m := r.memo[f]
	mv, hit := m[raw]
	if !hit {
		mv = find(raw)
		if len(m) < 4096 {
			m[raw] = mv
		}
	}
	return mv
}

// fieldGroup returns the group of a field (the field column's memo holds it).
func (r *DossierReader) fieldGroup(field string) string {
	return r.lookup(fField, field, func(field string) memoVal { return memoVal{v: r.env.Values.FieldGroup(field), ok: true} }).v
}
