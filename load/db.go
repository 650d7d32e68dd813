// Package load takes record batches into DuckDB: the file ledger and the raw
// layer, the seeds, the SQL model runner and its data tests, and publishing the
// finished warehouse as a new file renamed over the old one.
package load

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/duckdb/duckdb-go/v2"
)

//go:embed schema.sql
var schemaSQL string

// Sentinel errors of the package.
var (
	ErrLocked     = errors.New("another run holds the state directory")
	ErrModel      = errors.New("model failed")
	ErrDataTest   = errors.New("data test failed")
	ErrModelGraph = errors.New("model graph invalid")
	ErrPublish    = errors.New("publish failed")
)

// Work is the pipeline's private working database. Only the pipeline opens it;
// readers get the published copy.
type Work struct {
	DB        *sql.DB
	Connector *duckdb.Connector
	Path      string
	Name      string // catalog name of the work database inside DuckDB
}

// WorkOptions tune the working database.
type WorkOptions struct {
	MemoryLimit string // DuckDB memory_limit, e.g. "2GB"; empty = DuckDB default
	Threads     int    // 0 = DuckDB default
	TempDir     string
	// StorageVersion is the storage format a new work database is created in
	// (e.g. "v1.0.0"): the published file is a copy of it (see Publish).
	StorageVersion string
}

// OpenWork opens (creating if needed) the working database at path and makes
// sure the raw tables exist. The caller must Close it.
func OpenWork(ctx context.Context, path string, opt WorkOptions) (*Work, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	dsn := path
	if opt.StorageVersion != "" {
		dsn += "?storage_compatibility_version=" + url.QueryEscape(opt.StorageVersion)
	}
	c, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("open work database %s: %w", path, err)
	}
	db := sql.OpenDB(c)
	w := &Work{DB: db, Connector: c, Path: path}
	// Files load in parallel, each on its own connection and transaction;
	// appends to the same tables from concurrent transactions do not conflict.
	db.SetMaxIdleConns(8)
	for _, s := range opt.settings() {
		if _, err := db.ExecContext(ctx, s.sql); err != nil {
			w.Close()
			return nil, fmt.Errorf("%s: %w", s.sql, err)
		}
	}
	if _, err := db.ExecContext(ctx, schemaSQL); err != nil {
		w.Close()
		return nil, fmt.Errorf("create raw tables: %w", err)
	}
	if err := db.QueryRowContext(ctx, "SELECT current_database()").Scan(&w.Name); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// setting is one SET statement of the work database, and the option
// (WorkOptions field) it comes from ("" when none).
type setting struct{ option, sql string }

func (opt WorkOptions) settings() []setting {
	// Row order in the raw and model tables carries no meaning (rows carry
	// their file and row number; models sort where it matters): letting
	// DuckDB write in any order saves memory and time.
	settings := []setting{{"", "SET GLOBAL TimeZone = 'Asia/Ho_Chi_Minh'"}, {"", "SET GLOBAL preserve_insertion_order = false"}}
	if opt.MemoryLimit != "" {
		settings = append(settings, setting{"MemoryLimit", "SET GLOBAL memory_limit = " + QuoteLiteral(opt.MemoryLimit)})
	}
	if opt.Threads > 0 {
		settings = append(settings, setting{"Threads", fmt.Sprintf("SET GLOBAL threads = %d", opt.Threads)})
	}
	if opt.TempDir != "" {
		settings = append(settings, setting{"TempDir", "SET GLOBAL temp_directory = " + QuoteLiteral(opt.TempDir)})
	}
	return settings
}

// SettingError is an option of WorkOptions that DuckDB refuses.
type SettingError struct {
	Option string // the WorkOptions field: MemoryLimit, Threads, StorageVersion
	Err    error  // DuckDB's reason
}

func (e *SettingError) Error() string { return e.Option + ": " + e.Err.Error() }
func (e *SettingError) Unwrap() error { return e.Err }

// CheckOptions tries opt on a database in memory, touching no file: a
// *SettingError names the first option DuckDB refuses, so that a run can
// refuse its configuration before any work.
func CheckOptions(ctx context.Context, opt WorkOptions) error {
	dsn := ""
	if opt.StorageVersion != "" {
		dsn = "?storage_compatibility_version=" + url.QueryEscape(opt.StorageVersion)
	}
	c, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		if opt.StorageVersion != "" {
			return &SettingError{"StorageVersion", err}
		}
		return err
	}
	defer c.Close()
	db := sql.OpenDB(c)
	defer db.Close()
	opt.TempDir = "" // a folder that need not exist yet
	for _, s := range opt.settings() {
		if _, err := db.ExecContext(ctx, s.sql); err != nil && s.option != "" {
			return &SettingError{s.option, err}
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Close closes the database.
func (w *Work) Close() error {
	return errors.Join(w.DB.Close(), w.Connector.Close())
}

// Tx runs fn on one connection of db inside a transaction, committed when fn
// returns nil and rolled back otherwise (also when ctx is cancelled). The
// connection, not a *sql.Tx, is what fn gets: InsertArrow needs conn.Raw.
func Tx(ctx context.Context, db *sql.DB, fn func(conn *sql.Conn) error) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	if err := fn(conn); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "COMMIT")
	return err
}
