//go:build duckdb_arrow

package load

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

var viewSeq atomic.Int64

// InsertArrow streams the batches of rr into table through duckdb-go's Arrow
// interface: the reader is registered as a view and one INSERT … SELECT pulls
// it, so parsing (inside rr.Next) and loading overlap. It runs on conn, inside
// whatever transaction conn has open, and returns the number of rows inserted.
func InsertArrow(ctx context.Context, conn *sql.Conn, table string, rr array.RecordReader) (int64, error) {
	var n int64
	// The batches are made a few ahead, in their own goroutine, while DuckDB
	// appends; when this returns, that goroutine is done with rr.
	ahead := newReadAhead(rr, 2)
	defer ahead.Release()
	err := conn.Raw(func(dc any) error {
		ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
		if err != nil {
			return err
		}
		view := fmt.Sprintf("cchc_arrow_%d", viewSeq.Add(1))
		release, err := ar.RegisterView(ahead, view)
		if err != nil {
			return fmt.Errorf("register arrow view: %w", err)
		}
		// The Arrow scan is registered as a view in the catalog; drop it, or
		// it would be copied into the published file, dangling.
		defer func() {
			dc.(driver.ExecerContext).ExecContext(context.WithoutCancel(ctx), "DROP VIEW IF EXISTS "+view, nil)
			release()
		}()
		res, err := dc.(driver.ExecerContext).ExecContext(ctx, fmt.Sprintf("INSERT INTO %s BY NAME SELECT * FROM %s", table, view), nil)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		// A reader that fails stops DuckDB's scan, which fails the INSERT
		// with the reader's message in its own words; the reader's error
		// itself (a file's reason, with its sentinel) is the one to return.
		if rerr := ahead.Err(); rerr != nil {
			return n, rerr
		}
		return n, fmt.Errorf("insert into %s: %w", table, err)
	}
	return n, ahead.Err()
}
