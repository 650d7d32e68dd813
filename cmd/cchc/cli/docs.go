package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/outpath"
	"github.com/thanhxuan/cchc/internal/render"
	"github.com/thanhxuan/cchc/internal/warehouse"
)

func newDocsCmd(g *globalFlags) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "docs --out DIR",
		Short: "write the data dictionary (Markdown and static HTML) of the published warehouse: tables, columns, types, comments, model graph, seeds, input kinds, KPIs",
		Long: `Docs opens the published warehouse read-only and writes, from the warehouse
itself, DIR/data-dictionary.md and DIR/data-dictionary.html (one self-contained
page, no external assets): every schema, table and view with its columns, types
and comments; the dependency graph of the SQL models (a Mermaid block in the
Markdown); which seeds and which input kinds feed each table; and the KPI
catalogue with the plan's targets. The output is sorted and carries no time
stamp, so it can be kept under version control and compared.`,
		Args: noArgs(func([]string) string { return "the folder is a flag: --out DIR" }),
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.config, c.Flags(), flagKeys)
			if err != nil {
				return err
			}
			o, err := docsOptionsFrom(cfg, out)
			if err != nil {
				return err
			}
			files, err := writeDocs(c.Context(), o)
			if err != nil {
				return err
			}
			if !g.quiet {
				for _, f := range files {
					fmt.Fprintf(c.OutOrStdout(), "đã ghi / wrote %s\n", f)
				}
			}
			return nil
		},
	}
	f := c.Flags()
	f.String("warehouse", "", "the published DuckDB file [warehouse, CCHC_WAREHOUSE]")
	f.String("models-dir", "", "the data team's own models, to draw their dependencies too [models_dir, CCHC_MODELS_DIR]")
	f.StringVar(&out, "out", "", "folder to write data-dictionary.md and data-dictionary.html into")
	return exits(c,
		"0", "the dictionary was written",
		"1", "there is no warehouse yet, or reading it or writing the files failed",
		"2", exitUsageText+"; an --out that is not a writable folder")
}

// docsOptions is what writeDocs needs.
type docsOptions struct {
	warehouse.DictionaryOptions
	Out string // the folder to write into
}

func docsOptionsFrom(cfg config.Config, out string) (docsOptions, error) {
	if cfg.Warehouse == "" {
		return docsOptions{}, usageError{errors.New("warehouse: required (--warehouse, CCHC_WAREHOUSE or warehouse: in the file)")}
	}
	if out == "" {
		return docsOptions{}, usageError{errors.New("--out DIR: required")}
	}
	if err := outpath.Dir(out); err != nil {
		return docsOptions{}, usageError{fmt.Errorf("--out %w", err)}
	}
	return docsOptions{DictionaryOptions: warehouse.DictionaryOptions{Warehouse: cfg.Warehouse, ModelsDir: cfg.ModelsDir}, Out: out}, nil
}

// writeDocs reads the dictionary from the warehouse and writes it as Markdown
// and HTML into o.Out. It returns the files written.
func writeDocs(ctx context.Context, o docsOptions) ([]string, error) {
	d, err := warehouse.ReadDictionary(ctx, o.DictionaryOptions)
	if err != nil {
		return nil, err
	}
	return render.WriteDictionary(o.Out, d)
}
