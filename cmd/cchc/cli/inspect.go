package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/inspect"
	"github.com/thanhxuan/cchc/internal/pipeline"
)

func newInspectCmd(g *globalFlags) *cobra.Command {
	c := &cobra.Command{
		Use:   "inspect FILE…",
		Short: "say how each file would be read — kind, unit, period, columns, values, rejects — without loading anything",
		Long: `Inspect reads each FILE (a folder: every file under it) as a run would, and
says how: its format; for each sheet its kind, unit and period with the title
row or file name they come from, the header rows, and each column's field with
the alias or rule that matched (or ignored, ambiguous); for each coded field
(unit, field, channel, service level, status, digitised, VNeID; a report's
indicator lines) the distinct values with their counts and what each maps to;
every value that maps to nothing, with the line of your seeds folder
(seeds_dir) that would map it; and the rejects a load would record, by reason.
It writes nothing: no warehouse, no state folder. With --json it prints one
JSON document. docs/inspect.md shows how to bring a new system's export in.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{errors.New("inspect: give at least one FILE")}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			cfg, err := config.Load(g.config, c.Flags(), map[string]string{"seeds-dir": "seeds_dir"})
			if err != nil {
				return err
			}
			if cfg.SeedsDir != "" {
				if fi, err := os.Stat(cfg.SeedsDir); err != nil || !fi.IsDir() {
					return cfg.Invalid("seeds_dir", fmt.Sprintf("%q is not a readable folder", cfg.SeedsDir))
				}
			}
			st, err := pipeline.NewReadStages(cfg, memory.DefaultAllocator)
			if err != nil {
				return err
			}
			r, err := inspect.Run(c.Context(), args, st, inspect.Options{SeedsDir: cfg.SeedsDir})
			if err != nil {
				return err
			}
			if g.json {
				enc := json.NewEncoder(c.OutOrStdout())
				enc.SetIndent("", "  ")
				err = enc.Encode(r)
			} else {
				err = inspect.WriteText(c.OutOrStdout(), r)
			}
			if err != nil {
				return err
			}
			if n := r.Unopened(); n > 0 {
				return fmt.Errorf("%d/%d tệp không mở được / files cannot be opened", n, len(r.Files))
			}
			return nil
		},
	}
	c.Flags().String("seeds-dir", "", "the data team's seeds folder, added to the embedded seeds [seeds_dir, CCHC_SEEDS_DIR]")
	return exits(c,
		"0", "every file was opened and inspected (also one that a run would record as failed: no recognisable header, no period …; the output says why)",
		"1", "a file cannot be opened at all (missing, unreadable, corrupt, not a workbook); the others are still inspected",
		"2", exitUsageText+"; no FILE, a bad seeds_dir",
		"130", exitInterruptedText)
}
