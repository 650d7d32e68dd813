package cli

import (
	"fmt"
	"io"
	"sort"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/msg"
	"github.com/thanhxuan/cchc/internal/pipeline"
)

// flagKeys binds command-line flags to configuration keys.
var flagKeys = map[string]string{
	"inbox":      "inbox",
	"warehouse":  "warehouse",
	"state-dir":  "state_dir",
	"models-dir": "models_dir",
}

func newRunCmd(g *globalFlags) *cobra.Command {
	c := &cobra.Command{
		Use:   "run",
		Short: "extract every new file of the inbox, load, build the models, test and publish the warehouse",
		Args:  noArgs(flagsHint),
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.config, c.Flags(), flagKeys)
			if err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			sum, err := pipeline.Run(c.Context(), cfg, pipeline.WithLogger(logger(g, cfg, c.ErrOrStderr())), pipeline.WithProgress(g.render))
			if !g.quiet && sum != nil {
				printSummary(c.OutOrStdout(), sum)
			}
			return err
		},
	}
	f := c.Flags()
	f.String("inbox", "", "folder of input workbooks (read recursively) [inbox, CCHC_INBOX]")
	f.String("warehouse", "", "the DuckDB file to publish [warehouse, CCHC_WAREHOUSE]")
	f.String("state-dir", "", "private state folder (default WAREHOUSE.state) [state_dir, CCHC_STATE_DIR]")
	f.String("models-dir", "", "folder of the data team's own SQL models and tests [models_dir, CCHC_MODELS_DIR]")
	return exits(c,
		"0", "the warehouse was published (rejected rows, if any, are in raw.rejects)",
		"1", "nothing was published: a model, a data test or publishing failed; the previous warehouse is unchanged",
		"2", exitUsageText,
		"3", "another cchc run holds this warehouse's state directory",
		"130", exitInterruptedText+"; the published warehouse is unchanged")
}

// flagsHint reads stray arguments of run (and of the commands that take the
// same flags) as the folder and the warehouse a user meant to name:
// `cchc run inbox wh.duckdb` was `--inbox inbox --warehouse wh.duckdb`.
func flagsHint(args []string) string {
	h := "the inbox and the warehouse are flags, --inbox DIR --warehouse FILE"
	if len(args) == 2 {
		h += fmt.Sprintf(": did you mean --inbox %s --warehouse %s?", args[0], args[1])
	}
	return h
}

// printSummary writes the run summary for people.
func printSummary(w io.Writer, s *pipeline.Summary) {
	loaded, rejected := s.Rows()
	fmt.Fprintf(w, "run %s\n", s.RunID)
	fmt.Fprintf(w, "files: %d loaded, %d failed, %d duplicate, %d skipped (already loaded)\n",
		s.Count(pipeline.Loaded), s.Count(pipeline.Failed), s.Count(pipeline.Duplicate), s.Count(pipeline.Skipped))
	fmt.Fprintf(w, "rows: %d loaded, %d rejected\n", loaded, rejected)
	if len(s.RejectsByReason) > 0 {
		var reasons []string
		for r := range s.RejectsByReason {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		fmt.Fprintln(w, "rejects by reason (raw.rejects):")
		for _, r := range reasons {
			fmt.Fprintf(w, "  %-30s %d\n", r, s.RejectsByReason[r])
		}
	}
	var failed []pipeline.FileOutcome
	for _, f := range s.Files {
		if f.Status == pipeline.Failed {
			failed = append(failed, f)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintln(w, "failed files (raw.files):")
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		for _, f := range failed {
			fmt.Fprintf(tw, "  %s\t%s\n", f.Path, msg.Clip(f.Message, 160))
		}
		tw.Flush()
	}
	models, tests, failedModels := 0, 0, 0
	for _, r := range s.Models {
		if r.Kind == "model" {
			models++
		} else {
			tests++
		}
		if r.Err != nil {
			failedModels++
			fmt.Fprintf(w, "FAILED %s %s: %v\n", r.Kind, r.Name, r.Err)
		}
	}
	fmt.Fprintf(w, "models: %d built, %d data tests, %d failed; KPI rows: %d\n", models, tests, failedModels, s.KPIRows)
	printReportStatus(w, s.Reports)
	if s.Published {
		fmt.Fprintf(w, "published %s\n", s.Warehouse)
	} else {
		fmt.Fprintln(w, "NOT published: the previous warehouse is unchanged")
	}
}

func printReportStatus(w io.Writer, rs *pipeline.ReportStatus) {
	if rs == nil {
		return
	}
	for _, p := range rs.Periods {
		fmt.Fprintf(w, "reports %s: %d received (%d late), %d missing", p.Period, p.Received, p.Late, len(p.Missing))
		if len(p.Missing) > 0 && len(p.Missing) <= 12 {
			fmt.Fprintf(w, ": %v", p.Missing)
		}
		fmt.Fprintln(w)
	}
	if len(rs.Gaps) > 0 {
		fmt.Fprintf(w, "reconciliation gaps (Biểu 06 − dossiers, marts.tthc_reconciliation): %d\n", len(rs.Gaps))
		for i, g := range rs.Gaps {
			if i == 10 {
				fmt.Fprintf(w, "  … %d more\n", len(rs.Gaps)-10)
				break
			}
			fmt.Fprintf(w, "  %s %-22s resolved %+d, on time or early %+d\n", g.Period, g.Unit, g.ResolvedDiff, g.OnTime)
		}
	}
}
