package load

import (
	"database/sql"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"
)

// OpenReadOnly opens a published warehouse read-only, as analysts and BI tools
// do. The caller must Close the returned closer.
func OpenReadOnly(path string) (*sql.DB, func() error, error) {
	c, err := duckdb.NewConnector(path+"?access_mode=READ_ONLY", nil)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s read-only: %w", path, err)
	}
	db := sql.OpenDB(c)
	return db, func() error { db.Close(); return c.Close() }, nil
}
