package load

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// File statuses in raw.files.
const (
	StatusLoaded    = "loaded"
	StatusFailed    = "failed"
	StatusDuplicate = "duplicate"
	// StatusSkipped is a run's word for a file an earlier run processed; it
	// is never written to raw.files.
	StatusSkipped = "skipped"
)

// FileRecord is one row of raw.files.
type FileRecord struct {
	Path           string
	Size           int64
	SHA256         string
	ModifiedAt     time.Time // local wall clock
	Kind           string
	Unit, Period   string
	Status         string
	Message        string
	RowsLoaded     int64
	RowsRejected   int64
	RowsSkipped    int64
	IgnoredColumns string
	LoadedAt       time.Time
	RunID          string
}

// SheetRecord is one row of raw.file_sheets.
type SheetRecord struct {
	SHA256         string
	Sheet          string
	Kind           string
	Unit, Period   string
	HeaderRow      int
	DataFirstRow   int
	RowsLoaded     int64
	RowsRejected   int64
	IgnoredColumns string
}

// Seen is what the ledger knows of a file content.
type Seen struct {
	Status string // loaded or failed (the best status of any path with that content)
	Paths  map[string]bool
	Loaded string // the path it was loaded under, when it was ("" when not)
}

// Ledger reads raw.files: which contents were loaded or failed, under which paths.
func Ledger(ctx context.Context, db *sql.DB) (map[string]*Seen, error) {
	rows, err := db.QueryContext(ctx, `SELECT sha256, path, status FROM raw.files WHERE sha256 IS NOT NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*Seen{}
	for rows.Next() {
		var sha, path, status string
		if err := rows.Scan(&sha, &path, &status); err != nil {
			return nil, err
		}
		s := out[sha]
		if s == nil {
			s = &Seen{Paths: map[string]bool{}}
			out[sha] = s
		}
		s.Paths[path] = true
		if status == StatusLoaded {
			s.Loaded = path
		}
		if status == StatusLoaded || status == StatusDuplicate {
			s.Status = StatusLoaded
		} else if s.Status == "" {
			s.Status = status
		}
	}
	return out, rows.Err()
}

// Unread reads raw.files for the paths whose content was never read — a
// link, a pipe, a file that could not be opened, recorded without a hash —
// and returns the message last recorded for each. A run records such a path
// again only when its reason changed; it tries the path every time.
func Unread(ctx context.Context, db *sql.DB) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT path, arg_max(coalesce(message, ''), loaded_at) FROM raw.files
		WHERE sha256 IS NULL AND status = 'failed' GROUP BY path`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var path, message string
		if err := rows.Scan(&path, &message); err != nil {
			return nil, err
		}
		out[path] = message
	}
	return out, rows.Err()
}

// InsertFile writes a raw.files row on conn (inside the file's transaction).
func InsertFile(ctx context.Context, conn *sql.Conn, f FileRecord) error {
	_, err := conn.ExecContext(ctx, `INSERT INTO raw.files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.Path, f.Size, nullStr(f.SHA256), nullTime(f.ModifiedAt), nullStr(f.Kind), nullStr(f.Unit), nullStr(f.Period),
		f.Status, nullStr(f.Message), f.RowsLoaded, f.RowsRejected, f.RowsSkipped, nullStr(f.IgnoredColumns),
		nullTime(f.LoadedAt), nullStr(f.RunID))
	if err != nil {
		return fmt.Errorf("record file %s: %w", f.Path, err)
	}
	return nil
}

// InsertSheet writes a raw.file_sheets row on conn.
func InsertSheet(ctx context.Context, conn *sql.Conn, s SheetRecord) error {
	_, err := conn.ExecContext(ctx, `INSERT INTO raw.file_sheets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.SHA256, nullStr(s.Sheet), s.Kind, nullStr(s.Unit), nullStr(s.Period), s.HeaderRow, s.DataFirstRow,
		s.RowsLoaded, s.RowsRejected, nullStr(s.IgnoredColumns))
	if err != nil {
		return fmt.Errorf("record sheet %q: %w", s.Sheet, err)
	}
	return nil
}
