package cli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/outpath"
	"github.com/thanhxuan/cchc/internal/warehouse"
)

func newExportCmd(g *globalFlags) *cobra.Command {
	var format string
	o := warehouse.ExportOptions{}
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
			if format != "parquet" {
				return usageError{fmt.Errorf("--format %q: only parquet is supported", format)}
			}
			if err := outpath.Dir(args[0]); err != nil {
				return usageError{err}
			}
			o.Warehouse, o.Dir = cfg.Warehouse, args[0]
			m, err := warehouse.Export(c.Context(), o)
			if err != nil {
				return err
			}
			if !g.quiet {
				printExport(c.OutOrStdout(), o.Dir, m)
			}
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "parquet", "output format (only parquet)")
	c.Flags().String("warehouse", "", "the published DuckDB file [warehouse, CCHC_WAREHOUSE]")
	return exits(c,
		"0", "every table was exported",
		"1", "there is no warehouse yet, or reading it or writing failed; the previous export is left as it was",
		"2", exitUsageText+"; DIR missing, or its parent not a writable folder")
}

// printExport writes what was exported, a table a line.
func printExport(w io.Writer, dir string, m *warehouse.ExportManifest) {
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
	fmt.Fprintf(w, "đã xuất / exported %d tables, %d rows to %s (Parquet; list: %s)\n", len(m.Tables), rows, dir, filepath.Join(dir, warehouse.ManifestName))
}
