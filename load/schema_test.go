package load

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/duckdb/duckdb-go/v2"
)

// TestSchemaUpgradesAnOldWorkDatabase: a work database made before the
// columns of CONTRACT 3.5 (reported_timeliness; unknown service level and
// flags) opens with them, keeping its rows.
func TestSchemaUpgradesAnOldWorkDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "work.duckdb")
	c, err := duckdb.NewConnector(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	old := sql.OpenDB(c)
	for _, s := range []string{"CREATE SCHEMA raw", `CREATE TABLE raw.dossier_rows (
		file_sha256 VARCHAR NOT NULL, sheet VARCHAR, row_number INTEGER NOT NULL, dossier_id VARCHAR NOT NULL,
		unit_code VARCHAR NOT NULL, unit_source VARCHAR, field VARCHAR NOT NULL, field_group VARCHAR NOT NULL,
		procedure_code VARCHAR, procedure_name VARCHAR NOT NULL, received_at TIMESTAMP NOT NULL, due_at TIMESTAMP NOT NULL,
		completed_at TIMESTAMP, channel VARCHAR NOT NULL, service_level VARCHAR NOT NULL, status VARCHAR NOT NULL,
		result_digitized BOOLEAN NOT NULL, eid_verified BOOLEAN NOT NULL, applicant_key VARCHAR)`,
		`INSERT INTO raw.dossier_rows VALUES ('a', NULL, 2, 'H1', 'kim_giang', 'column', 'Hộ tịch', 'other', NULL, 'Khai sinh',
		'2024-01-02 08:00', '2024-01-05 17:00', NULL, 'online', 'none', 'processing', false, false, NULL)`} {
		if _, err := old.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	c.Close()

	w, err := OpenWork(ctx, path, WorkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.DB.Exec(`INSERT INTO raw.dossier_rows (file_sha256, row_number, dossier_id, unit_code, field, field_group,
		procedure_name, received_at, due_at, channel, status, reported_timeliness)
		VALUES ('b', 3, 'H2', 'kim_giang', 'Hộ tịch', 'other', 'Khai sinh', '2024-01-02 08:00', '2024-01-05 17:00', 'online', 'resolved', 'late')`); err != nil {
		t.Fatalf("a row with unknown flags and a stated timeliness: %v", err)
	}
	var n int
	var unknown int
	w.DB.QueryRow(`SELECT count(*), count(*) FILTER (service_level IS NULL AND result_digitized IS NULL AND eid_verified IS NULL) FROM raw.dossier_rows`).Scan(&n, &unknown)
	if n != 2 || unknown != 1 {
		t.Errorf("%d rows, %d with unknown flags", n, unknown)
	}
}
