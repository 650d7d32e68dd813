package load

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// rowsOf returns the rows of a query as "a|b|c" lines (NULL as "∅").
func rowsOf(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		s := make([]string, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				s[i] = "∅"
			case time.Time:
				s[i] = v.Format("2006-01-02 15:04:05")
			default:
				s[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(s, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func checkLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

// TestRecordRun: a run becomes one ops.runs row with its counts and local
// times, a row per file it processed (not per file skipped), per model and
// per data test; a failed run keeps its error.
func TestRecordRun(t *testing.T) {
	ctx := context.Background()
	w := openTestWork(t)
	start := time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC) // 09:00 in Hà Nội
	run := RunRecord{
		RunID: "run-1", Started: start, Ended: start.Add(90 * time.Second), KPIRows: 42,
		Files: []RunFile{
			{Path: "a.xlsx", Status: StatusLoaded, Kind: "dossiers", Rows: 10, Rejected: 2, Message: "cột bị bỏ qua / ignored columns: STT"},
			{Path: "b.xlsx", Status: StatusLoaded, Kind: "unit_report", Rows: 5},
			{Path: "c.csv", Status: StatusFailed, Message: "hỏng / corrupt"},
			{Path: "copy/a.xlsx", Status: StatusDuplicate},
			{Path: "old.xlsx", Status: StatusSkipped},
		},
		Models: []Result{
			{Name: "core.dossiers", Kind: "model", File: "core/dossiers.sql", Duration: 1500 * time.Microsecond, Rows: 10},
			{Name: "unique_dossier", Kind: "test", File: "core/dossiers.sql", Duration: time.Millisecond},
			{Name: "not_null_unit", Kind: "test", File: "core/dossiers.sql", Duration: 2 * time.Millisecond, Rows: 3, Err: errors.New("3 failing rows")},
		},
	}
	if err := RecordRun(ctx, w.DB, run); err != nil {
		t.Fatal(err)
	}
	failed := RunRecord{RunID: "run-2", Started: start.Add(time.Hour), Err: errors.New("data test failed: not_null_unit")}
	if err := RecordRun(ctx, w.DB, failed); err != nil {
		t.Fatal(err)
	}
	checkLines(t, "ops.runs", rowsOf(t, w.DB, `SELECT run_id, started_at, ended_at, status, error, files_loaded, files_failed,
		files_duplicate, files_skipped, rows_loaded, rows_rejected, kpi_rows, duration_ms, models_built, tests_run, tests_failed
		FROM ops.runs ORDER BY run_id`), []string{
		"run-1|2024-03-01 09:00:00|2024-03-01 09:01:30|published|∅|2|1|1|1|15|2|42|90000|1|2|1",
		"run-2|2024-03-01 10:00:00|2024-03-01 10:00:00|failed|data test failed: not_null_unit|0|0|0|0|0|0|0|0|0|0|0",
	})
	checkLines(t, "ops.run_files", rowsOf(t, w.DB, `SELECT run_id, path, status, kind, rows_loaded, rows_rejected, message FROM ops.run_files ORDER BY path`), []string{
		"run-1|a.xlsx|loaded|dossiers|10|2|cột bị bỏ qua / ignored columns: STT",
		"run-1|b.xlsx|loaded|unit_report|5|0|∅",
		"run-1|c.csv|failed|∅|0|0|hỏng / corrupt",
		"run-1|copy/a.xlsx|duplicate|∅|0|0|∅",
	})
	checkLines(t, "ops.model_runs", rowsOf(t, w.DB, `SELECT run_id, name, kind, file, duration_ms, rows, status, error FROM ops.model_runs`), []string{
		"run-1|core.dossiers|model|core/dossiers.sql|1.5|10|ok|∅",
	})
	checkLines(t, "ops.test_results", rowsOf(t, w.DB, `SELECT run_id, name, file, duration_ms, failing_rows, status, error FROM ops.test_results ORDER BY name`), []string{
		"run-1|not_null_unit|core/dossiers.sql|2|3|failed|3 failing rows",
		"run-1|unique_dossier|core/dossiers.sql|1|0|ok|∅",
	})
}

// TestRecordPulls: journalled pulls become ops.source_pulls rows noting the
// run that recorded them; recording a journal again adds only what is new.
func TestRecordPulls(t *testing.T) {
	ctx := context.Background()
	w := openTestWork(t)
	at := time.Date(2024, 3, 1, 1, 30, 0, 0, time.UTC) // 08:30 in Hà Nội
	p1 := PullRecord{PullID: "pull-1/1", PullRun: "pull-1", PulledAt: at, Source: "mot-cua", Origin: "https://example.test/a.xlsx",
		Path: "mot-cua/a.xlsx", Status: "new", HTTPStatus: 200, Size: 1234, SHA256: "abc", ETag: `"e1"`,
		LastModified: "Fri, 01 Mar 2024 01:00:00 GMT", Attempts: 2, DurationMS: 12.5}
	p2 := PullRecord{PullID: "pull-1/2", PullRun: "pull-1", PulledAt: at, Source: "thu-muc", Status: "failed", Attempts: 3,
		Error: "mở thư mục / open folder: permission denied"}
	if err := RecordPulls(ctx, w.DB, "run-1", []PullRecord{p1, p2}); err != nil {
		t.Fatal(err)
	}
	p3 := p1
	p3.PullID, p3.PullRun, p3.Status = "pull-2/1", "pull-2", "unchanged"
	if err := RecordPulls(ctx, w.DB, "run-2", []PullRecord{p2, p3}); err != nil { // p2 again: a crash before the journal was emptied
		t.Fatal(err)
	}
	if err := RecordPulls(ctx, w.DB, "run-3", nil); err != nil {
		t.Fatal(err)
	}
	checkLines(t, "ops.source_pulls", rowsOf(t, w.DB, `SELECT pull_id, pull_run, pulled_at, source, origin, path, status, http_status,
		size_bytes, sha256, etag, last_modified, attempts, duration_ms, error, recorded_by_run FROM ops.source_pulls ORDER BY pull_id`), []string{
		`pull-1/1|pull-1|2024-03-01 08:30:00|mot-cua|https://example.test/a.xlsx|mot-cua/a.xlsx|new|200|1234|abc|"e1"|Fri, 01 Mar 2024 01:00:00 GMT|2|12.5|∅|run-1`,
		"pull-1/2|pull-1|2024-03-01 08:30:00|thu-muc|∅|∅|failed|∅|0|∅|∅|∅|3|0|mở thư mục / open folder: permission denied|run-1",
		`pull-2/1|pull-2|2024-03-01 08:30:00|mot-cua|https://example.test/a.xlsx|mot-cua/a.xlsx|unchanged|200|1234|abc|"e1"|Fri, 01 Mar 2024 01:00:00 GMT|2|12.5|∅|run-2`,
	})
}
