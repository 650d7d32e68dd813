package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/msg"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/seeds"
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
		"1", "nothing was published: a model, a data test or publishing failed, or the environment did (the database, memory, a full disk, a permission); the previous warehouse is unchanged and the next run reads the files again",
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

// printSummary writes the run summary for people: Vietnamese first, English
// beside it, unit names from the seeds (codes where a script greps them).
func printSummary(w io.Writer, s *pipeline.Summary) {
	loaded, rejected := s.Rows()
	fmt.Fprintf(w, "lần chạy / run %s\n", s.RunID)
	nLoaded, nFailed, nDup, nSkip := s.Count(pipeline.Loaded), s.Count(pipeline.Failed), s.Count(pipeline.Duplicate), s.Count(pipeline.Skipped)
	fmt.Fprintf(w, "tệp: nạp %d, lỗi %d, trùng %d, bỏ qua %d (đã nạp trước) / files: %d loaded, %d failed, %d duplicate, %d skipped (already loaded)\n",
		nLoaded, nFailed, nDup, nSkip, nLoaded, nFailed, nDup, nSkip)
	fmt.Fprintf(w, "dòng: nạp %d, bị loại %d / rows: %d loaded, %d rejected\n", loaded, rejected, loaded, rejected)
	if len(s.RejectsByReason) > 0 {
		var reasons []string
		for r := range s.RejectsByReason {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		fmt.Fprintln(w, "dòng bị loại theo lý do / rejects by reason (raw.rejects):")
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
		fmt.Fprintln(w, "tệp không đọc được / failed files (raw.files):")
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		for _, f := range failed {
			fmt.Fprintf(tw, "  %s\t%s\n", f.Path, msg.Clip(f.Message, 160))
		}
		tw.Flush()
	}
	if len(s.MostlyRejected) > 0 {
		fmt.Fprintln(w, "MOSTLY REJECTED — hơn 1/5 số dòng bị loại, KPI dùng tệp có thể sai lệch / more than a fifth of the rows rejected; the KPIs these files feed rest on what remains (marts.mostly_rejected_files):")
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		for _, f := range s.MostlyRejected {
			feeds := "—"
			if len(f.Units) > 0 {
				feeds = strings.Join(f.Units, ", ") + " · " + strings.Join(f.Periods, ", ")
			}
			fmt.Fprintf(tw, "  %s\t%.0f%% rejected (%d of %d)\tfeeds %s\n", f.Path, 100*f.Share, f.Rejected, f.Loaded+f.Rejected, msg.Clip(feeds, 120))
		}
		tw.Flush()
	}
	models, tests, failedModels, warnings := 0, 0, 0, 0
	for _, r := range s.Models {
		if r.Kind == "model" {
			models++
		} else {
			tests++
		}
		if r.Err != nil {
			failedModels++
			fmt.Fprintf(w, "LỖI / FAILED %s %s: %v\n", r.Kind, r.Name, r.Err)
		}
		if r.Warn {
			warnings++
			fmt.Fprintf(w, "CẢNH BÁO / WARNING %s: %d rows (%s)\n", r.Name, r.Rows, r.File)
		}
	}
	fmt.Fprintf(w, "mô hình: %d, kiểm thử dữ liệu: %d, lỗi: %d, cảnh báo: %d; dòng KPI: %d / models: %d built, %d data tests, %d failed, %d warnings; KPI rows: %d\n",
		models, tests, failedModels, warnings, s.KPIRows, models, tests, failedModels, warnings, s.KPIRows)
	printReportStatus(w, s.Reports, unitNames())
	if s.Published {
		fmt.Fprintf(w, "đã công bố / published %s\n", s.Warehouse)
	} else {
		fmt.Fprintln(w, "CHƯA công bố: kho cũ giữ nguyên / NOT published: the previous warehouse is unchanged")
	}
}

func printReportStatus(w io.Writer, rs *pipeline.ReportStatus, names map[string]string) {
	if rs == nil {
		return
	}
	for _, p := range rs.Periods {
		fmt.Fprintf(w, "báo cáo kỳ %s: đã nhận %d (trễ hạn %d), chưa gửi %d / reports %s: %d received (%d late), %d missing",
			p.Period, p.Received, p.Late, len(p.Missing), p.Period, p.Received, p.Late, len(p.Missing))
		if len(p.Missing) > 0 && len(p.Missing) <= 12 {
			var missing []string
			for _, u := range p.Missing {
				missing = append(missing, nameOf(names, u))
			}
			fmt.Fprintf(w, ": %s", strings.Join(missing, ", "))
		}
		fmt.Fprintln(w)
	}
	if len(rs.Gaps) > 0 {
		fmt.Fprintf(w, "chênh lệch Biểu 06 − hồ sơ / reconciliation gaps (marts.tthc_reconciliation): %d\n", len(rs.Gaps))
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		for i, g := range rs.Gaps {
			if i == 10 {
				fmt.Fprintf(tw, "  … còn %d / %d more\n", len(rs.Gaps)-10, len(rs.Gaps)-10)
				break
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\tđã giải quyết / resolved %+d\tđúng hạn, trước hạn / on time or early %+d\n", g.Period, nameOf(names, g.Unit), g.Unit, g.ResolvedDiff, g.OnTime)
		}
		tw.Flush()
	}
}

// unitNames maps unit codes to their Vietnamese names (seeds/units.csv).
func unitNames() map[string]string {
	names := map[string]string{}
	if c, err := seeds.Load(nil); err == nil {
		for _, u := range c.Units {
			names[u.Code] = u.NameVI
		}
	}
	return names
}

// nameOf is a unit's name, or its code when the seeds do not have it.
func nameOf(names map[string]string, code string) string {
	if n, ok := names[code]; ok {
		return n
	}
	return code
}
