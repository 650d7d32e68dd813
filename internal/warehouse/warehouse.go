// Package warehouse reads the published warehouse, read-only, into structs: the
// status of runs and reports, the leadership report's figures, the data dictionary,
// the scoreboard, and exports of its tables. It never writes the warehouse.
package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"os"

	"github.com/thanhxuan/cchc/load"
)

// Open opens the published warehouse read-only, saying so when there is none yet.
// The caller must call the returned close function.
func Open(path string) (*sql.DB, func() error, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("no warehouse at %s (has `cchc run` published one?): %w", path, err)
	}
	return load.OpenReadOnly(path)
}

// DuckDBVersion is the version of the DuckDB library linked into the binary
// (SELECT version() on an in-memory database): the storage formats it reads
// and writes follow from it.
func DuckDBVersion(ctx context.Context) (string, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return "", err
	}
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, "SELECT version()").Scan(&v); err != nil {
		return "", err
	}
	return v, nil
}

// Zone is the district's time zone, Asia/Ho_Chi_Minh, in which the warehouse
// keeps its times and readers show them (load.Zone).
var Zone = load.Zone
