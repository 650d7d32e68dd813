package cli

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/cmd/cchc/gen"
)

type genOptions struct {
	out     string
	rows    int
	seed    int64
	inbox   bool
	perUnit int
}

// newGenCmd writes workbooks with the project's generator: one big dossier file
// for benchmarks (--rows), or a whole inbox of every kind (--inbox).
func newGenCmd() *cobra.Command {
	o := &genOptions{}
	c := &cobra.Command{
		Use:   "gen --out FILE.xlsx|FILE.csv --rows N  |  gen --inbox --out DIR",
		Short: "generate realistic workbooks: one dossier export of N rows (benchmarks), or a whole messy inbox",
		Args:  noArgs(func([]string) string { return "the file or folder to write is a flag: --out FILE.xlsx|FILE.csv|DIR" }),
		RunE: func(c *cobra.Command, _ []string) error {
			if o.out == "" {
				return usageError{fmt.Errorf("--out is required")}
			}
			if o.inbox {
				opt := gen.Default()
				opt.Seed, opt.DossiersPerUnit = o.seed, o.perUnit
				t, err := gen.Generate(o.out, opt)
				if err != nil {
					return err
				}
				fmt.Fprintf(c.OutOrStdout(), "wrote %d files, %d dossiers, %d planted bad rows to %s\n", len(t.Files), len(t.Dossiers), len(t.Rejects), o.out)
				return nil
			}
			var err error
			switch strings.ToLower(filepath.Ext(o.out)) {
			case ".xlsx":
				err = gen.WriteDossierXLSX(o.out, o.rows, o.seed)
			case ".csv":
				err = gen.WriteDossierCSV(o.out, o.rows, o.seed)
			default:
				return usageError{fmt.Errorf("--out must end in .xlsx or .csv")}
			}
			if err == nil {
				fmt.Fprintf(c.OutOrStdout(), "wrote %d dossier rows to %s\n", o.rows, o.out)
			}
			return err
		},
	}
	c.Flags().StringVar(&o.out, "out", "", "file to write (.xlsx or .csv), or the folder with --inbox")
	c.Flags().IntVar(&o.rows, "rows", 100000, "dossier rows")
	c.Flags().Int64Var(&o.seed, "seed", 1, "random seed")
	c.Flags().BoolVar(&o.inbox, "inbox", false, "write a whole inbox of every kind instead of one file")
	c.Flags().IntVar(&o.perUnit, "dossiers-per-unit", 120, "with --inbox: dossiers per unit")
	return exits(c,
		"0", "written",
		"1", "writing failed",
		"2", exitUsageText)
}
