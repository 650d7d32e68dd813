package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/load"
	"github.com/thanhxuan/cchc/transform"
)

// spoolDir holds the reject spools of the files being loaded; whatever a
// killed run left there is removed when the next one starts.
func (r *run) spoolDir() string { return filepath.Join(r.cfg.StateDir, "spool") }

// dateOrders are, per sheet name, the columns whose text dates are read
// month-first (CONTRACT 3.5, the date order of a column).
type dateOrders map[string]map[int]bool

// errReread rolls back a file's transaction whose reading found a column of
// month-first dates that was read day-first: the file is read again.
var errReread = errors.New("reread with the columns' date order")

// loadContent reads a file's sheets and loads them in one transaction. The
// date order of a column needs all its dates, and rows stream: a file is read
// day-first, and when a column turns out month-first — rare, a CSV of an
// English-locale Excel — its transaction is rolled back and the file read
// again with that column's order fixed. Other files cost one pass.
func (r *run) loadContent(ctx context.Context, src *extract.Source) (load.FileRecord, map[string]int64, error) {
	rec, byReason, reread, err := r.loadOnce(ctx, src, nil)
	if errors.Is(err, errReread) {
		r.log.Debug("reread", "path", src.Path, "month_first", fmt.Sprint(reread))
		rec, byReason, _, err = r.loadOnce(ctx, src, reread)
	}
	return rec, byReason, err
}

// loadOnce loads a file with the given date orders; when it finds columns of
// month-first dates read otherwise, it rolls back and returns them, with
// errReread.
func (r *run) loadOnce(ctx context.Context, src *extract.Source, orders dateOrders) (rec load.FileRecord, byReason map[string]int64, reread dateOrders, err error) {
	rec = r.baseRecord(src)
	wb, err := src.Open(r.Open)
	if err != nil {
		return rec, nil, nil, err
	}
	defer wb.Close()
	heads, err := r.Scanner.Scan(wb, src.Path)
	if err != nil {
		return rec, nil, nil, err
	}
	// Rejects go to a spool file as they come (a file of a million bad rows
	// must not be held in memory) and into raw.rejects at the end, inside
	// the file's transaction.
	spool := transform.NewRejectSpool(r.spoolDir(), src.Path, src.SHA256, r.sum.RunID)
	defer spool.Close()
	err = load.Tx(ctx, r.work.DB, func(conn *sql.Conn) error {
		var kinds, ignored, ambiguous, notes []string
		units, periods := map[string]bool{}, map[string]bool{}
		for i := range heads {
			h := &heads[i]
			before := spool.Rows()
			res, err := r.loadSheet(ctx, conn, wb, src, h, spool, orders[h.Name])
			if len(res.monthFirst) > 0 && orders == nil {
				if reread == nil {
					reread = dateOrders{}
				}
				reread[h.Name] = map[int]bool{}
				for _, c := range res.monthFirst {
					reread[h.Name][c] = true
				}
			}
			if err != nil {
				if len(heads) > 1 && h.Name != "" {
					return fmt.Errorf("sheet %q: %w", h.Name, err)
				}
				return err
			}
			rejected := spool.Rows() - before
			rec.RowsLoaded += res.loaded
			rec.RowsRejected += rejected
			rec.RowsSkipped += res.skipped
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
			notes = append(notes, res.notes...)
			if res.unit != "" {
				units[res.unit] = true
			}
			if res.period != "" {
				periods[res.period] = true
			}
			if err := load.InsertSheet(ctx, conn, load.SheetRecord{
				SHA256: src.SHA256, Sheet: h.Name, Kind: h.Layout.Kind, Unit: res.unit, Period: res.period,
				HeaderRow: h.Layout.HeaderFirst, DataFirstRow: h.Layout.DataFirst, RowsLoaded: res.loaded,
				RowsRejected: rejected, IgnoredColumns: strings.Join(h.Layout.Ignored, "; "),
			}); err != nil {
				return err
			}
		}
		if reread != nil {
			return errReread // nothing of this reading is kept
		}
		path, err := spool.Finish()
		if err != nil {
			return fmt.Errorf("spool rejects: %w", err)
		}
		if path != "" {
			if _, err := load.InsertJSONLines(ctx, conn, "raw.rejects", path, transform.RejectColumns); err != nil {
				return err
			}
			byReason = spool.ByReason()
		}
		if n, ok := wb.(extract.Noter); ok {
			notes = append(notes, n.Notes()...)
		}
		rec.Kind = strings.Join(kinds, ",")
		rec.Unit = single(units)
		rec.Period = single(periods)
		rec.Status = load.StatusLoaded
		rec.IgnoredColumns = strings.Join(ignored, "; ")
		if len(ignored) > 0 {
			notes = append(notes, "cột bị bỏ qua / ignored columns: "+rec.IgnoredColumns)
		}
		if len(ambiguous) > 0 {
			notes = append(notes, "cột khớp tên của nhiều trường, không đọc / ambiguous columns, not read: "+strings.Join(ambiguous, "; "))
		}
		rec.Message = strings.Join(notes, "; ")
		return load.InsertFile(ctx, conn, rec)
	})
	if byReason == nil {
		byReason = map[string]int64{}
	}
	return rec, byReason, reread, err
}

type sheetResult struct {
	loaded     int64
	skipped    int64
	unit       string // the sheet's unit, when the whole sheet has one
	period     string // the report period of a report sheet
	notes      []string
	monthFirst []int // columns whose dates turned out month-first (transform.Output.MonthFirst)
}

// loadSheet streams one sheet through the transform of its kind into the
// kind's raw tables.
func (r *run) loadSheet(ctx context.Context, conn *sql.Conn, wb extract.Workbook, src *extract.Source, h *extract.SheetHead, spool *transform.RejectSpool, monthFirst map[int]bool) (sheetResult, error) {
	var res sheetResult
	kind, ok := transform.KindOf(h.Layout.Kind)
	if !ok {
		return res, fmt.Errorf("unknown kind %q", h.Layout.Kind)
	}
	if kind.Report {
		if err := reportHead(h); err != nil {
			return res, err
		}
		res.unit, res.period = h.Unit, h.Period
	} else if h.Layout.Col("unit") < 0 {
		res.unit = h.Unit
	}
	rows, err := extract.Data(wb, h)
	if err != nil {
		return res, err
	}
	defer rows.Close()
	out, err := kind.Read(r.Env, rows, transform.SheetContext{FileSHA256: src.SHA256, Head: h, OnRejects: spool.Add, MonthFirst: monthFirst})
	if err != nil {
		return res, err
	}
	defer out.Release()
	for _, s := range out.Streams {
		n, err := load.InsertArrow(ctx, conn, s.Table, s.Rows)
		if err != nil {
			return res, err
		}
		if s.Data {
			res.loaded += n
		}
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	res.notes = out.Notes()
	res.monthFirst = out.MonthFirst()
	for _, n := range rows.Skipped {
		res.skipped += int64(n)
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
