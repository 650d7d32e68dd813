package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
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

// manifestName is the file beside the table folders that lists them.
const manifestName = "_manifest.json"

type exportOptions struct {
	Warehouse string
	Dir       string
	Format    string
}

func newExportCmd(g *globalFlags) *cobra.Command {
	o := exportOptions{}
	c := &cobra.Command{
		Use:   "export --format parquet [--warehouse FILE] DIR",
		Short: "write every core and marts table as Hive-partitioned Parquet — xuất dữ liệu ra Parquet cho Spark, Trino, ClickHouse",
		Long: `Export opens the published warehouse read-only and writes every table and
view of the core and marts schemas to DIR as Parquet:

  DIR/<schema>.<table>/period_code=<period>/unit_code=<unit>/data_0.parquet

A table is partitioned by period_code and unit_code where it has those
columns (core.dossiers, which has no period, by unit_code alone); a table
that has neither, or no rows, is one unpartitioned file. The partition
columns live in the folder names, not in the files (the Hive convention);
a NULL value is the folder __HIVE_DEFAULT_PARTITION__. DIR/_manifest.json
lists the tables, their columns and types, partition columns, row counts
and a read_parquet example.

Each table is written to a staging folder inside DIR and renamed into place
when every table has been written: a failed export leaves the previous one
as it was. Dossier-level rows carry no personal data (the warehouse holds
only the keyed applicant_key).`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("export needs one folder to write to (cchc export --format parquet DIR), got %d arguments", len(args))}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			cfg, err := config.Load(g.config, c.Flags(), flagKeys)
			if err != nil {
				return err
			}
			if cfg.Warehouse == "" {
				return usageError{errors.New("warehouse: required (--warehouse, CCHC_WAREHOUSE or warehouse: in the file)")}
			}
			if o.Format != "parquet" {
				return usageError{fmt.Errorf("--format %q: only parquet is supported", o.Format)}
			}
			o.Warehouse, o.Dir = cfg.Warehouse, args[0]
			m, err := runExport(c.Context(), o)
			if err != nil {
				return err
			}
			if !g.quiet {
				printExport(c.OutOrStdout(), o.Dir, m)
			}
			return nil
		},
	}
	c.Flags().StringVar(&o.Format, "format", "parquet", "output format (only parquet)")
	c.Flags().String("warehouse", "", "the published DuckDB file [warehouse, CCHC_WAREHOUSE]")
	return c
}

// exportManifest is DIR/_manifest.json.
type exportManifest struct {
	Format     string          `json:"format"`
	Warehouse  string          `json:"warehouse"`
	ExportedAt string          `json:"exported_at"`
	Tables     []exportedTable `json:"tables"`
}

// exportedTable is one folder of the export.
type exportedTable struct {
	Name        string         `json:"name"` // schema.table, also the folder name
	Kind        string         `json:"kind"` // table or view
	Comment     string         `json:"comment,omitempty"`
	PartitionBy []string       `json:"partition_by"`
	Rows        int64          `json:"rows"`
	Files       int            `json:"files"`
	Columns     []exportColumn `json:"columns"`
	ReadExample string         `json:"read_example"`
}

type exportColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// runExport writes the export and returns its manifest. Nothing in o.Dir
// changes until every table has been written to the staging folder.
func runExport(ctx context.Context, o exportOptions) (*exportManifest, error) {
	db, closeDB, err := openPublished(o.Warehouse)
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

	m := &exportManifest{Format: "parquet", Warehouse: o.Warehouse, ExportedAt: time.Now().In(load.Zone).Format(time.RFC3339), Tables: tables}
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
	if err := os.WriteFile(filepath.Join(staging, manifestName), append(b, '\n'), 0o644); err != nil {
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
	if err := os.Rename(filepath.Join(staging, manifestName), filepath.Join(o.Dir, manifestName)); err != nil {
		return nil, err
	}
	return m, nil
}

// exportTables lists the tables and views of exportSchemas with their
// columns, and decides each one's partition columns.
func exportTables(ctx context.Context, db *sql.DB) ([]exportedTable, error) {
	in := "'" + strings.Join(exportSchemas, "','") + "'"
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
	var out []exportedTable
	var names [][2]string
	for rows.Next() {
		var schema, name, kind, comment string
		if err := rows.Scan(&schema, &name, &kind, &comment); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, exportedTable{Name: schema + "." + name, Kind: kind, Comment: comment})
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
			var c exportColumn
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
func exportTable(ctx context.Context, db *sql.DB, t *exportedTable, dir string) error {
	schema, name, _ := strings.Cut(t.Name, ".")
	src := quoteIdent(schema) + "." + quoteIdent(name)
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
		copySQL = fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT parquet)", src, quoteLiteral(filepath.Join(dir, "data_0.parquet")))
	} else {
		keys := make([]string, len(t.PartitionBy))
		for i, k := range t.PartitionBy {
			keys[i] = quoteIdent(k)
		}
		copySQL = fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT parquet, PARTITION_BY (%s))", src, quoteLiteral(dir), strings.Join(keys, ", "))
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
func readExample(t exportedTable) string {
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

func printExport(w io.Writer, dir string, m *exportManifest) {
	var rows int64
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BẢNG / TABLE\tPHÂN VÙNG / PARTITIONED BY\tDÒNG / ROWS\tTỆP / FILES")
	for _, t := range m.Tables {
		by := strings.Join(t.PartitionBy, ", ")
		if by == "" {
			by = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", t.Name, by, t.Rows, t.Files)
		rows += t.Rows
	}
	tw.Flush()
	fmt.Fprintf(w, "đã xuất / exported %d tables, %d rows to %s (Parquet; list: %s)\n", len(m.Tables), rows, dir, filepath.Join(dir, manifestName))
}

// quoteIdent quotes a DuckDB identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// quoteLiteral quotes a DuckDB string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
