package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/internal/msg"
	"github.com/thanhxuan/cchc/load"
	"github.com/thanhxuan/cchc/transform"
)

// spoolDir holds the reject spools of the files being loaded; whatever a
// killed run left there is removed when the next one starts.
func (r *run) spoolDir() string { return filepath.Join(r.cfg.StateDir, "spool") }

// dateOrders are, per sheet name, the columns whose text dates are read
// month-first (CONTRACT 3.5, the date order of a column).
type dateOrders map[string]map[int]bool

// ErrReread is what a Reading returns (Reading.Done) when it found a column
// of month-first dates that it read day-first: what it made is wrong and must
// be dropped — a load rolls its transaction back — and ReadFile reads the file
// again with that column's order.
var ErrReread = errors.New("reread with the columns' date order")

// A Reading is one reading of a file's sheets through the transforms of their
// kinds. The date order of a column needs all its dates, and rows stream: a
// file is read day-first, and when a column turns out month-first — rare, a
// CSV of an English-locale Excel — the file is read again with that column's
// order fixed (ReadFile). Other files cost one pass.
type Reading struct {
	orders dateOrders // the columns this reading reads month-first
	found  dateOrders // columns found month-first though read day-first
}

// ReadFile calls read with a first Reading of a file and, when read returns
// ErrReread (Reading.Done), once more with a Reading that reads the columns
// it found month-first so. A load and `cchc inspect` read files this way.
func ReadFile(read func(*Reading) error) error {
	first := &Reading{}
	err := read(first)
	if errors.Is(err, ErrReread) {
		err = read(&Reading{orders: first.found})
	}
	return err
}

// Again reports whether this is the second reading of a file, with the date
// orders the first one found.
func (rd *Reading) Again() bool { return rd.orders != nil }

// MonthFirst returns, per sheet, the columns this reading reads month-first.
func (rd *Reading) MonthFirst() map[string]map[int]bool { return rd.orders }

// Done returns ErrReread when the reading found columns of month-first dates
// that it read day-first (only a first reading looks), else nil.
func (rd *Reading) Done() error {
	if rd.found != nil {
		return ErrReread
	}
	return nil
}

// SheetRead is what reading one sheet through the transform of its kind made.
type SheetRead struct {
	Loaded     int64    // data rows the transform made (what a load inserts)
	Skipped    int64    // blank, section, total and footer rows
	Unit       string   // the sheet's unit, when the whole sheet has one
	Period     string   // the report period of a report sheet
	Notes      []string // what the transform has to say (raw.files.message)
	MonthFirst []int    // columns whose dates turned out month-first (transform.Output.MonthFirst)
}

// A Sink takes one stream of record batches that a sheet's transform makes
// and returns how many rows it took: a load inserts them into the stream's
// table, `cchc inspect` counts and drops them. It must read the stream to
// its end — a transform parses rows, and finds their rejects, as its stream
// is read — and does not release it.
type Sink func(transform.Stream) (int64, error)

// Sheet streams one sheet, h of wb (a file whose content hash is sha),
// through the transform of its kind, as a load does: a report sheet must name
// its unit and period; the transform's streams go to sink, its rejects to
// onRejects. The columns found month-first are remembered for Done.
func (rd *Reading) Sheet(st *Stages, wb extract.Workbook, sha string, h *extract.SheetHead, onRejects func([]transform.Reject) error, sink Sink) (SheetRead, error) {
	res, err := st.readSheet(wb, sha, h, onRejects, rd.orders[h.Name], sink)
	if len(res.MonthFirst) > 0 && rd.orders == nil {
		if rd.found == nil {
			rd.found = dateOrders{}
		}
		rd.found[h.Name] = map[int]bool{}
		for _, c := range res.MonthFirst {
			rd.found[h.Name][c] = true
		}
	}
	return res, err
}

// loadContent reads a file's sheets and loads them in one transaction; a
// file whose dates turn out month-first is loaded again in a fresh one
// (ReadFile).
func (r *run) loadContent(ctx context.Context, src *extract.Source) (rec load.FileRecord, byReason map[string]int64, err error) {
	err = ReadFile(func(rd *Reading) error {
		if rd.Again() {
			r.log.Debug("reread", "path", src.Path, "month_first", fmt.Sprint(rd.MonthFirst()))
		}
		var err error
		rec, byReason, err = r.loadOnce(ctx, src, rd)
		return err
	})
	return rec, byReason, err
}

// loadOnce loads a file as rd reads it; when rd finds columns of month-first
// dates read otherwise, it rolls back and returns ErrReread.
func (r *run) loadOnce(ctx context.Context, src *extract.Source, rd *Reading) (rec load.FileRecord, byReason map[string]int64, err error) {
	rec = r.baseRecord(src)
	wb, err := src.Open(r.Open)
	if err != nil {
		return rec, nil, err
	}
	defer wb.Close()
	heads, err := r.Scanner.Scan(wb, src.Path)
	if err != nil {
		return rec, nil, err
	}
	// Rejects go to a spool file as they come (a file of a million bad rows
	// must not be held in memory) and into raw.rejects at the end, inside
	// the file's transaction.
	spool := transform.NewRejectSpool(r.spoolDir(), src.Path, src.SHA256, r.sum.RunID)
	defer spool.Close()
	onRejects := func(rj []transform.Reject) error { return env(spool.Add(rj)) }
	// What fn returns is the file's error, or marked as the environment's;
	// anything else load.Tx returns (begin, commit) is the database's.
	var fnErr error
	err = load.Tx(ctx, r.work.DB, func(conn *sql.Conn) error {
		fnErr = r.loadSheets(ctx, conn, src, wb, heads, rd, spool, onRejects, &rec, &byReason)
		return fnErr
	})
	if err != nil && err != fnErr {
		err = env(err)
	}
	if byReason == nil {
		byReason = map[string]int64{}
	}
	return rec, byReason, err
}

// loadSheets loads the sheets of a file (heads, read by rd) on conn, inside
// the file's transaction, and fills rec, its raw.files row, and byReason,
// its rejects by reason. Every sheet of the workbook is read to its end: a
// read error anywhere — in a data sheet past its last data row, in a sheet
// of notes — fails the whole file (CONTRACT section 4: never loaded in
// part), whichever reader read it. Errors of the database and the spool are
// marked as the environment's (env).
func (r *run) loadSheets(ctx context.Context, conn *sql.Conn, src *extract.Source, wb extract.Workbook, heads []extract.SheetHead,
	rd *Reading, spool *transform.RejectSpool, onRejects func([]transform.Reject) error, rec *load.FileRecord, byReason *map[string]int64) error {
	var kinds, ignored, ambiguous, notes []string
	units, periods := map[string]bool{}, map[string]bool{}
	insert := func(s transform.Stream) (int64, error) {
		table := s.Table
		if r.faults.insert() {
			table = "cchc_injected_fault.no_such_table" // a real database error, through the real path
		}
		w := &watchedReader{RecordReader: s.Rows}
		n, err := load.InsertArrow(ctx, conn, table, w)
		if err != nil && w.err == nil {
			err = env(err) // the database's, not the reader's
		}
		return n, err
	}
	for i := range heads {
		h := &heads[i]
		before := spool.Rows()
		res, err := rd.Sheet(r.Stages, wb, src.SHA256, h, onRejects, insert)
		if err != nil {
			if len(heads) > 1 && h.Name != "" {
				return fmt.Errorf("sheet %q: %w", h.Name, err)
			}
			return err
		}
		rejected := spool.Rows() - before
		rec.RowsLoaded += res.Loaded
		rec.RowsRejected += rejected
		rec.RowsSkipped += res.Skipped
		if !slices.Contains(kinds, h.Layout.Kind) {
			kinds = append(kinds, h.Layout.Kind)
		}
		for _, c := range append(append([]string(nil), h.Layout.Ignored...), h.Layout.Duplicates...) {
			if !slices.Contains(ignored, c) {
				ignored = append(ignored, c)
			}
		}
		for _, m := range h.Layout.Matches {
			if m.Status == extract.ColumnAmbiguous {
				a := fmt.Sprintf("%s (%s)", m.Label, strings.Join(m.Candidates, " / "))
				if !slices.Contains(ambiguous, a) {
					ambiguous = append(ambiguous, a)
				}
			}
		}
		notes = append(notes, res.Notes...)
		if res.Unit != "" {
			units[res.Unit] = true
		}
		if res.Period != "" {
			periods[res.Period] = true
		}
		if err := load.InsertSheet(ctx, conn, load.SheetRecord{
			SHA256: src.SHA256, Sheet: h.Name, Kind: h.Layout.Kind, Unit: res.Unit, Period: res.Period,
			HeaderRow: h.Layout.HeaderFirst, DataFirstRow: h.Layout.DataFirst, RowsLoaded: res.Loaded,
			RowsRejected: rejected, IgnoredColumns: strings.Join(h.Layout.Ignored, "; "),
		}); err != nil {
			return env(err)
		}
	}
	if err := ReadOthers(wb, heads); err != nil {
		return err
	}
	if err := rd.Done(); err != nil {
		return err // nothing of this reading is kept
	}
	if _, err := spool.Finish(); err != nil {
		return env(fmt.Errorf("spool rejects: %w", err))
	}
	rejects, err := spool.Reader(r.mem)
	if err != nil {
		return env(fmt.Errorf("spool rejects: %w", err))
	}
	if rejects != nil {
		defer rejects.Release()
		if _, err := load.InsertArrow(ctx, conn, "raw.rejects", rejects); err != nil {
			return env(err) // the spool is the run's own file: no verdict on the input
		}
		*byReason = spool.ByReason()
	}
	if n, ok := wb.(extract.Noter); ok {
		notes = append(notes, n.Notes()...)
	}
	rec.Kind = strings.Join(kinds, ",")
	rec.Unit = single(units)
	rec.Period = single(periods)
	rec.Status = load.StatusLoaded
	rec.IgnoredColumns = strings.Join(ignored, "; ")
	// What the header left unread first: the notes may point at it.
	var header []string
	if len(ignored) > 0 {
		header = append(header, "cột bị bỏ qua / ignored columns: "+msg.List(ignored, msg.Max/4))
	}
	if len(ambiguous) > 0 {
		header = append(header, "cột khớp tên của nhiều trường, không đọc / ambiguous columns, not read: "+msg.List(ambiguous, msg.Max/4))
	}
	rec.Message = msg.List(append(header, notes...), msg.Max)
	return env(load.InsertFile(ctx, conn, *rec))
}

// ReadOthers reads to its end every sheet of wb that heads does not hold
// (notes, instructions, sheets without a header) beyond what the header
// search read, and returns the first read error: a file is read whole or
// not loaded at all, whatever reader reads its format.
func ReadOthers(wb extract.Workbook, heads []extract.SheetHead) error {
	for _, name := range wb.Sheets() {
		if slices.ContainsFunc(heads, func(h extract.SheetHead) bool { return h.Name == name }) {
			continue
		}
		rr, err := wb.Rows(name)
		if err != nil {
			return fmt.Errorf("sheet %q: %w", name, err)
		}
		for rr.Next() {
		}
		if err := errors.Join(rr.Err(), rr.Close()); err != nil {
			return fmt.Errorf("sheet %q: %w", name, err)
		}
	}
	return nil
}

// watchedReader remembers the error its reader reported: an insert that
// fails while its reader did not failed in the database.
type watchedReader struct {
	array.RecordReader
	err error
}

func (w *watchedReader) Err() error {
	if err := w.RecordReader.Err(); err != nil {
		w.err = err
	}
	return w.err
}

// readSheet streams one sheet through the transform of its kind, handing
// its streams to sink.
func (s *Stages) readSheet(wb extract.Workbook, sha string, h *extract.SheetHead, onRejects func([]transform.Reject) error, monthFirst map[int]bool, sink Sink) (SheetRead, error) {
	var res SheetRead
	kind, ok := transform.KindOf(h.Layout.Kind)
	if !ok {
		return res, fmt.Errorf("unknown kind %q", h.Layout.Kind)
	}
	if kind.Report {
		if err := reportHead(h); err != nil {
			return res, err
		}
		res.Unit, res.Period = h.Unit, h.Period
	} else if h.Layout.Col("unit") < 0 {
		res.Unit = h.Unit
	}
	rows, err := extract.Data(wb, h)
	if err != nil {
		return res, err
	}
	defer rows.Close()
	out, err := kind.Read(s.Env, rows, transform.SheetContext{FileSHA256: sha, Head: h, OnRejects: onRejects, MonthFirst: monthFirst})
	if err != nil {
		return res, err
	}
	defer out.Release()
	for _, st := range out.Streams {
		n, err := sink(st)
		if err != nil {
			return res, err
		}
		if st.Data {
			res.Loaded += n
		}
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	res.Notes = out.Notes()
	res.MonthFirst = out.MonthFirst()
	for _, n := range rows.Skipped {
		res.Skipped += int64(n)
	}
	return res, nil
}

// reportHead fails a report sheet whose unit or period neither the title rows
// nor the file name tell.
func reportHead(h *extract.SheetHead) error {
	if h.Unit == "" {
		return fmt.Errorf("%w: tiêu đề và tên tệp không nêu đơn vị báo cáo / neither the title rows nor the file name name the reporting unit", extract.ErrNoUnit)
	}
	if h.Period == "" {
		msg := "tiêu đề và tên tệp không nêu kỳ báo cáo / neither the title rows nor the file name name the period"
		if h.PeriodText != "" {
			msg = fmt.Sprintf("kỳ %q không phải kỳ báo cáo của kế hoạch (Quý I, 6 tháng, 9 tháng, năm) / not a period of the plan", h.PeriodText)
		}
		return fmt.Errorf("%w: %s", extract.ErrNoPeriod, msg)
	}
	return nil
}

// single returns the one key of m, or "" when it has none or several.
func single(m map[string]bool) string {
	if len(m) != 1 {
		return ""
	}
	for k := range m {
		return k
	}
	return ""
}
