package cli

import (
	"context"
	"database/sql"

	"github.com/thanhxuan/cchc/internal/warehouse"
)

// openPublished and tableExists are what report.go still takes from the
// readers that moved to internal/warehouse. They go when the leadership
// report moves there too; nothing else in cli may use them.

func openPublished(path string) (*sql.DB, func() error, error) { return warehouse.Open(path) }

func tableExists(ctx context.Context, db *sql.DB, schema, name string) bool {
	var n int
	db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ? AND table_name = ?
		UNION ALL SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() AND schema_name = ? AND view_name = ?
		ORDER BY 1 DESC LIMIT 1`, schema, name, schema, name).Scan(&n)
	return n > 0
}
