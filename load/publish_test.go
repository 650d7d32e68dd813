package load

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/duckdb/duckdb-go/v2"
)

// TestPublishBothWays: a work database created in the published storage
// format is published as a copy of its file; one created in another format
// (a newer one) row by row into a new file of that format. Either way the
// published file holds the same tables, rows and comments, in v1.0.0 format,
// and no temporary file stays behind.
func TestPublishBothWays(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		work     string // storage version the work database is created in
		byteCopy bool
	}{
		{"file copy", "v1.0.0", true},
		{"row copy", "v1.2.0", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			w, err := OpenWork(ctx, filepath.Join(dir, "state", "work.duckdb"), WorkOptions{StorageVersion: c.work})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			for _, q := range []string{
				"CREATE SCHEMA IF NOT EXISTS marts",
				"CREATE TABLE marts.t AS SELECT range AS n, 'dòng ' || range AS label FROM range(5000)",
				"COMMENT ON TABLE marts.t IS 'bảng thử / test table'",
				"COMMENT ON COLUMN marts.t.n IS 'số / number'",
			} {
				if _, err := w.DB.ExecContext(ctx, q); err != nil {
					t.Fatal(q, err)
				}
			}
			if got := w.storedAs(ctx, "v1.0.0"); got != c.byteCopy {
				t.Fatalf("storedAs(v1.0.0) = %v", got)
			}
			dest := filepath.Join(dir, "cchc.duckdb")
			os.WriteFile(filepath.Join(dir, ".cchc.duckdb.publish-1"), []byte("left by a killed publish"), 0o644)
			if err := Publish(ctx, w, dest, PublishOptions{StorageVersion: "v1.0.0"}); err != nil {
				t.Fatal(err)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), ".publish-") {
					t.Errorf("%s left beside the warehouse", e.Name())
				}
			}

			c2, err := duckdb.NewConnector(dest+"?access_mode=read_only", nil)
			if err != nil {
				t.Fatal(err)
			}
			db := sql.OpenDB(c2)
			defer db.Close()
			var n, sum int64
			var tc, cc, tags string
			if err := db.QueryRowContext(ctx, `SELECT count(*), sum(n), (SELECT comment FROM duckdb_tables() WHERE table_name = 't'),
				(SELECT comment FROM duckdb_columns() WHERE table_name = 't' AND column_name = 'n'),
				(SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = current_database())
				FROM marts.t`).Scan(&n, &sum, &tc, &cc, &tags); err != nil {
				t.Fatal(err)
			}
			if n != 5000 || sum != 4999*5000/2 || tc != "bảng thử / test table" || cc != "số / number" || tags != "v1.0.0+" {
				t.Errorf("published: %d rows, sum %d, comments %q %q, storage %q", n, sum, tc, cc, tags)
			}
		})
	}
}
