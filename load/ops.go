package load

import (
	"context"
	"crypto/rand"
	"database/sql"
	_ "embed"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

//go:embed ops.sql
var opsSQL string

//go:embed ops_views.sql
var opsViewsSQL string

// RunRecord is what the run history (ops.runs, ops.run_files,
// ops.model_runs, ops.test_results) keeps of one run.
type RunRecord struct {
	RunID          string
	Started, Ended time.Time
	Err            error // what failed the run; nil: published
	Files          []RunFile
	Models         []Result // models and data tests
	KPIRows        int64
}

// RunFile is one file a run processed. Files loaded by an earlier run are
// counted (StatusSkipped) but get no ops.run_files row.
type RunFile struct {
	Path, Status, Kind, Message string
	Rows, Rejected              int64
}

// PullRecord is one file of one pull: a row of ops.source_pulls. The puller
// journals them in the state folder; the next run records them.
type PullRecord struct {
	PullID       string    `json:"pull_id"`
	PullRun      string    `json:"pull_run"`
	PulledAt     time.Time `json:"pulled_at"`
	Source       string    `json:"source"`
	Origin       string    `json:"origin,omitempty"`
	Path         string    `json:"path,omitempty"`
	Status       string    `json:"status"`
	HTTPStatus   int       `json:"http_status,omitempty"`
	Size         int64     `json:"size_bytes"`
	SHA256       string    `json:"sha256,omitempty"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Attempts     int       `json:"attempts"`
	DurationMS   float64   `json:"duration_ms"`
	Error        string    `json:"error,omitempty"`
}

// NewRunID returns a new id of a run or a pull: its local start time and a
// random suffix.
func NewRunID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return time.Now().In(Zone).Format("20060102T150405") + "-" + hex.EncodeToString(b)
}

// Millis is d in milliseconds, as the ops tables record durations.
func Millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// RecordRun appends the run, its files, models and data tests to the ops
// tables, creating them on first use, in one transaction: all of it or,
// on an error, none.
func RecordRun(ctx context.Context, db *sql.DB, r RunRecord) error {
	status, msg := "published", any(nil)
	if r.Err != nil {
		status, msg = "failed", r.Err.Error()
	}
	ended := r.Ended
	if ended.IsZero() {
		ended = r.Started
	}
	count := map[string]int{}
	var loaded, rejected int64
	var files [][]any
	for _, f := range r.Files {
		count[f.Status]++
		loaded += f.Rows
		rejected += f.Rejected
		if f.Status != StatusSkipped {
			files = append(files, []any{r.RunID, f.Path, f.Status, nullStr(f.Kind), f.Rows, f.Rejected, nullStr(f.Message)})
		}
	}
	var models, tests, testsFailed, testsWarned int
	var modelRows, testRows [][]any
	for _, m := range r.Models {
		st, e := "ok", any(nil)
		switch {
		case m.Kind == "model":
			models++
		case m.Err != nil:
			tests++
			testsFailed++
		case m.Warn:
			tests++
			testsWarned++
		default:
			tests++
		}
		switch {
		case m.Err != nil:
			st, e = "failed", m.Err.Error()
		case m.Warn:
			st, e = "warn", fmt.Sprintf("%d rows (cảnh báo / warning)", m.Rows)
		}
		if m.Kind == "model" {
			modelRows = append(modelRows, []any{r.RunID, m.Name, m.Kind, m.File, Millis(m.Duration), m.Rows, st, e})
		} else {
			testRows = append(testRows, []any{r.RunID, m.Name, m.File, Millis(m.Duration), m.Rows, st, e})
		}
	}
	// One transaction and a statement per table: a commit, or a statement,
	// per row of a run of a hundred files and data tests costs a tenth of a
	// second of a re-run that takes one.
	return Tx(ctx, db, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, opsSQL); err != nil {
			return fmt.Errorf("ops tables: %w", err)
		}
		_, err := conn.ExecContext(ctx, `INSERT INTO ops.runs (run_id, started_at, ended_at, status, error,
			files_loaded, files_failed, files_duplicate, files_skipped, rows_loaded, rows_rejected, kpi_rows,
			duration_ms, models_built, tests_run, tests_failed, tests_warned) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.RunID, LocalWall(r.Started), LocalWall(ended), status, msg,
			count[StatusLoaded], count[StatusFailed], count[StatusDuplicate], count[StatusSkipped],
			loaded, rejected, r.KPIRows, Millis(ended.Sub(r.Started)), models, tests, testsFailed, testsWarned)
		if err != nil {
			return fmt.Errorf("ops.runs: %w", err)
		}
		for _, t := range []struct {
			table string
			rows  [][]any
		}{{"ops.run_files", files}, {"ops.model_runs", modelRows}, {"ops.test_results", testRows}} {
			if err := insertValues(ctx, conn, t.table, t.rows); err != nil {
				return fmt.Errorf("%s: %w", t.table, err)
			}
		}
		return nil
	})
}

// insertValues inserts rows (each a value per column of table, in order)
// with as few statements as DuckDB's parameter count allows.
func insertValues(ctx context.Context, conn *sql.Conn, table string, rows [][]any) error {
	const perStatement = 100
	for len(rows) > 0 {
		n := min(len(rows), perStatement)
		var q strings.Builder
		args := make([]any, 0, n*len(rows[0]))
		q.WriteString("INSERT INTO " + table + " VALUES ")
		for i, row := range rows[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + strings.TrimSuffix(strings.Repeat("?, ", len(row)), ", ") + ")")
			args = append(args, row...)
		}
		if _, err := conn.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// RecordPulls adds journalled pulls to ops.source_pulls in one transaction,
// noting the run that recorded them. A row already there (a crash between
// recording and emptying the journal) is not repeated.
func RecordPulls(ctx context.Context, db *sql.DB, runID string, recs []PullRecord) error {
	if len(recs) == 0 {
		return nil
	}
	if _, err := db.ExecContext(ctx, opsSQL); err != nil {
		return fmt.Errorf("ops tables: %w", err)
	}
	return Tx(ctx, db, func(conn *sql.Conn) error {
		for _, r := range recs {
			var n int
			if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM ops.source_pulls WHERE pull_id = ?`, r.PullID).Scan(&n); err != nil {
				return fmt.Errorf("ops.source_pulls: %w", err)
			}
			if n > 0 {
				continue
			}
			// VALUES, not SELECT: a parameter takes its column's type there.
			// In a SELECT a time binds as TIMESTAMPTZ, which DuckDB moves
			// into the session's zone: the local wall clock 7 hours late.
			_, err := conn.ExecContext(ctx, `INSERT INTO ops.source_pulls (pull_id, pull_run, pulled_at, source, origin, path,
				status, http_status, size_bytes, sha256, etag, last_modified, attempts, duration_ms, error, recorded_by_run)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				r.PullID, r.PullRun, LocalWall(r.PulledAt), r.Source, nullStr(r.Origin), nullStr(r.Path), r.Status,
				nullInt(r.HTTPStatus), r.Size, nullStr(r.SHA256), nullStr(r.ETag), nullStr(r.LastModified),
				r.Attempts, r.DurationMS, nullStr(r.Error), runID)
			if err != nil {
				return fmt.Errorf("ops.source_pulls: %w", err)
			}
		}
		return nil
	})
}

// EnsureOps makes the ops tables that do not exist yet (and adds the
// columns a newer version has), so that models may read them before the
// run's history is written.
func EnsureOps(ctx context.Context, db *sql.DB) error {
	// In a transaction: each COMMENT of the script committed alone costs
	// more than all of them together.
	return Tx(ctx, db, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, opsSQL); err != nil {
			return fmt.Errorf("ops tables: %w", err)
		}
		return nil
	})
}

// RefreshOpsViews makes the freshness views (ops.source_freshness,
// ops.unit_freshness) over the ops, raw, core and ref tables.
func RefreshOpsViews(ctx context.Context, db *sql.DB) error {
	return Tx(ctx, db, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, opsSQL); err != nil {
			return fmt.Errorf("ops tables: %w", err)
		}
		if _, err := conn.ExecContext(ctx, opsViewsSQL); err != nil {
			return fmt.Errorf("ops views: %w", err)
		}
		return nil
	})
}
