package warehouse

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/thanhxuan/cchc/load"
)

// exportSchemas are the layers that leave the warehouse: the cleaned core and
// the marts. raw keeps every version read and ops is run history; neither is
// for tools outside.
var exportSchemas = []string{"core", "marts"}

// partitionKeys are the columns a table is split by, in path order, when it
// has them: Hive-style directories period_code=…/unit_code=… let Spark, Trino,
// ClickHouse and DuckDB skip whole periods and units.
var partitionKeys = []string{"period_code", "unit_code"}

// ManifestName is the file beside the table folders that lists them.
const ManifestName = "_manifest.json"

// ExportManifest is DIR/_manifest.json.
type ExportManifest struct {
	Format     string          `json:"format"`
	Warehouse  string          `json:"warehouse"`
	ExportedAt string          `json:"exported_at"`
	Tables     []ExportedTable `json:"tables"`
}

// ExportedTable is one folder of the export.
type ExportedTable struct {
	Name        string         `json:"name"` // schema.table, also the folder name
	Kind        string         `json:"kind"` // table or view
	Comment     string         `json:"comment,omitempty"`
	PartitionBy []string       `json:"partition_by"`
	Rows        int64          `json:"rows"`
	Files       int            `json:"files"`
	Columns     []ExportColumn `json:"columns"`
	ReadExample string         `json:"read_example"`
}

// ExportColumn is one column of an exported table.
type ExportColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// ExportOptions is what Export needs.
type ExportOptions struct {
	Warehouse string // the published warehouse
	Dir       string // the folder to write into
}

// Export writes every table and view of the core and marts schemas of the
// published warehouse to o.Dir as Hive-partitioned Parquet, with the manifest
// DIR/_manifest.json, and returns the manifest. Nothing in o.Dir changes until
// every table has been written to a staging folder inside it.
func Export(ctx context.Context, o ExportOptions) (*ExportManifest, error) {
	db, closeDB, err := Open(o.Warehouse)
	if err != nil {
		return nil, err
	}
	defer closeDB()
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("export folder: %w", err)
	}
	tables, err := exportTables(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	staging, err := os.MkdirTemp(o.Dir, ".export-")
	if err != nil {
		return nil, fmt.Errorf("export folder: %w", err)
	}
	defer os.RemoveAll(staging)

	m := &ExportManifest{Format: "parquet", Warehouse: o.Warehouse, ExportedAt: time.Now().In(load.Zone).Format(time.RFC3339), Tables: tables}
	for i := range m.Tables {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := exportTable(ctx, db, &m.Tables[i], filepath.Join(staging, m.Tables[i].Name)); err != nil {
			return nil, fmt.Errorf("export %s: %w", m.Tables[i].Name, err)
		}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(staging, ManifestName), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	// Swap the folders in: each rename is atomic, so a reader sees a table's
	// old files or its new ones, never a mixture.
	for _, t := range m.Tables {
		final := filepath.Join(o.Dir, t.Name)
		if _, err := os.Stat(final); err == nil {
			if err := os.Rename(final, filepath.Join(staging, t.Name+".old")); err != nil {
				return nil, err
			}
		}
		if err := os.Rename(filepath.Join(staging, t.Name), final); err != nil {
			return nil, err
		}
	}
	if err := os.Rename(filepath.Join(staging, ManifestName), filepath.Join(o.Dir, ManifestName)); err != nil {
		return nil, err
	}
	return m, nil
}

// exportTables lists the tables and views of exportSchemas with their
// columns, and decides each one's partition columns.
func exportTables(ctx context.Context, db *sql.DB) ([]ExportedTable, error) {
	quoted := make([]string, len(exportSchemas))
	for i, s := range exportSchemas {
		quoted[i] = load.QuoteLiteral(s)
	}
	in := strings.Join(quoted, ",")
	rows, err := db.QueryContext(ctx, `
		SELECT schema_name, table_name, 'table', coalesce(comment, '') FROM duckdb_tables()
		WHERE database_name = current_database() AND schema_name IN (`+in+`)
		UNION ALL
		SELECT schema_name, view_name, 'view', coalesce(comment, '') FROM duckdb_views()
		WHERE database_name = current_database() AND schema_name IN (`+in+`) AND NOT internal
		ORDER BY 1, 2`)
	if err != nil {
		return nil, err
	}
	var out []ExportedTable
	var names [][2]string
	for rows.Next() {
		var schema, name, kind, comment string
		if err := rows.Scan(&schema, &name, &kind, &comment); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, ExportedTable{Name: schema + "." + name, Kind: kind, Comment: comment})
		names = append(names, [2]string{schema, name})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		cols, err := db.QueryContext(ctx, `SELECT column_name, data_type FROM duckdb_columns()
			WHERE database_name = current_database() AND schema_name = ? AND table_name = ? ORDER BY column_index`, names[i][0], names[i][1])
		if err != nil {
			return nil, err
		}
		for cols.Next() {
			var c ExportColumn
			if err := cols.Scan(&c.Name, &c.Type); err != nil {
				cols.Close()
				return nil, err
			}
			out[i].Columns = append(out[i].Columns, c)
		}
		cols.Close()
		if err := cols.Err(); err != nil {
			return nil, err
		}
		out[i].PartitionBy = []string{}
		for _, k := range partitionKeys {
			for _, c := range out[i].Columns {
				if c.Name == k {
					out[i].PartitionBy = append(out[i].PartitionBy, k)
				}
			}
		}
	}
	return out, nil
}

// exportTable writes one table to dir and fills in its rows, files and read
// example.
func exportTable(ctx context.Context, db *sql.DB, t *ExportedTable, dir string) error {
	schema, name, _ := strings.Cut(t.Name, ".")
	src := load.QuoteIdent(schema) + "." + load.QuoteIdent(name)
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+src).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		// A partitioned COPY of no rows writes no file at all, and a reader's
		// glob would then fail; one file keeps the schema readable.
		t.PartitionBy = []string{}
	}
	var copySQL string
	if len(t.PartitionBy) == 0 {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		copySQL = fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT parquet)", src, load.QuoteLiteral(filepath.Join(dir, "data_0.parquet")))
	} else {
		keys := make([]string, len(t.PartitionBy))
		for i, k := range t.PartitionBy {
			keys[i] = load.QuoteIdent(k)
		}
		copySQL = fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT parquet, PARTITION_BY (%s))", src, load.QuoteLiteral(dir), strings.Join(keys, ", "))
	}
	if err := db.QueryRowContext(ctx, copySQL).Scan(&t.Rows); err != nil {
		return err
	}
	if t.Rows != n {
		return fmt.Errorf("wrote %d rows, the table has %d", t.Rows, n)
	}
	files := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(d.Name(), ".parquet") {
			files++
		}
		return err
	})
	if err != nil {
		return err
	}
	t.Files = files
	t.ReadExample = readExample(*t)
	return nil
}

// readExample is the DuckDB query that reads the table back with its
// partition columns typed as in the warehouse.
func readExample(t ExportedTable) string {
	q := fmt.Sprintf("SELECT * FROM read_parquet('%s/**/*.parquet', hive_partitioning = true", t.Name)
	if len(t.PartitionBy) > 0 {
		var types []string
		for _, k := range t.PartitionBy {
			for _, c := range t.Columns {
				if c.Name == k {
					types = append(types, fmt.Sprintf("'%s': '%s'", k, c.Type))
				}
			}
		}
		q += ", hive_types = {" + strings.Join(types, ", ") + "}"
	}
	return q + ")"
}
