package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/cmd/cchc/gen"
	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/warehouse"
)

type demoOptions struct {
	dir     string
	seed    int64
	perUnit int
	period  string
}

func newDemoCmd(g *globalFlags) *cobra.Command {
	o := &demoOptions{}
	c := &cobra.Command{
		Use:   "demo",
		Short: "generate a realistic, seeded set of workbooks for the wards and departments, run the pipeline on them and print the KPI scoreboard",
		Args:  noArgs(func([]string) string { return "the demo's folder is a flag: --dir DIR" }),
		RunE: func(c *cobra.Command, _ []string) error {
			return runDemo(c, g, o)
		},
	}
	c.Flags().StringVar(&o.dir, "dir", "", "folder for the generated inbox and the warehouse (default: a new temporary folder)")
	c.Flags().Int64Var(&o.seed, "seed", 1, "random seed of the generator")
	c.Flags().IntVar(&o.perUnit, "dossiers-per-unit", 120, "dossiers generated per unit")
	c.Flags().StringVar(&o.period, "period", "2024-6M", "period of the printed scoreboard")
	return exits(c,
		"0", "the workbooks were generated, the warehouse published and the scoreboard printed",
		"1", "generating, running or reading failed",
		"2", exitUsageText,
		"130", exitInterruptedText)
}

func runDemo(c *cobra.Command, g *globalFlags, o *demoOptions) error {
	dir := o.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "cchc-demo-")
		if err != nil {
			return err
		}
		dir = d
	}
	inbox := filepath.Join(dir, "inbox")
	opt := gen.Default()
	opt.Seed, opt.DossiersPerUnit = o.seed, o.perUnit
	truth, err := gen.Generate(inbox, opt)
	if err != nil {
		return fmt.Errorf("generate demo workbooks: %w", err)
	}
	out := c.OutOrStdout()
	fmt.Fprintf(out, "đã tạo %d tệp (%d hồ sơ, %d dòng lỗi cài sẵn) trong %s / generated %d files (%d dossiers, %d planted bad rows)\n",
		len(truth.Files), len(truth.Dossiers), len(truth.Rejects), inbox, len(truth.Files), len(truth.Dossiers), len(truth.Rejects))
	cfg := config.Defaults()
	cfg.Inbox, cfg.Warehouse = inbox, filepath.Join(dir, "warehouse.duckdb")
	if err := cfg.Validate(); err != nil {
		return err
	}
	sum, err := pipeline.Run(c.Context(), cfg, pipeline.WithLogger(logger(g, config.Config{Log: config.Log{Level: "warn"}}, c.ErrOrStderr())), pipeline.WithProgress(g.render))
	if sum != nil && !g.quiet {
		printSummary(out, sum)
	}
	if err != nil {
		return err
	}
	rows, err := warehouse.Scoreboard(c.Context(), cfg.Warehouse, o.period)
	if err != nil {
		return err
	}
	return printScoreboard(out, o.period, rows)
}

// printScoreboard writes the district's KPIs of one period against the
// plan's targets: the Vietnamese name first, the code beside it.
func printScoreboard(out io.Writer, period string, rows []warehouse.KPIRow) error {
	fmt.Fprintf(out, "\nKPI toàn quận Thanh Xuân, kỳ %s, so với chỉ tiêu kế hoạch / district KPIs against the plan's targets\n", period)
	if len(rows) == 0 {
		fmt.Fprintln(out, "  (kỳ này không có số liệu / no data for this period)")
		return nil
	}
	names := unitNames()
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHỈ TIÊU / KPI\tMÃ / CODE\tGIÁ TRỊ / VALUE\tKẾ HOẠCH / TARGET\tKẾT QUẢ / MET\tĐƠN VỊ CHƯA ĐẠT / UNITS MISSING THE TARGET")
	for _, r := range rows {
		val, tgt, met := "—", "—", "—"
		count := strings.HasSuffix(r.KPI, "_count")
		if r.Value.Valid {
			val = fmtScore(r.Value.Float64, count)
		}
		if r.Target.Valid {
			tgt = "≥ " + fmtScore(r.Target.Float64, count)
		}
		if r.Meets.Valid {
			met = map[bool]string{true: "Đạt", false: "Chưa đạt"}[r.Meets.Bool]
		}
		var missing []string
		for _, u := range r.UnitsMissing {
			missing = append(missing, strings.TrimPrefix(strings.TrimPrefix(nameOf(names, u), "Phường "), "Phòng "))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.KPI, val, tgt, met, strings.Join(missing, ", "))
	}
	return tw.Flush()
}

// fmtScore writes a rate as a Vietnamese percentage (96,7%), a count as is.
func fmtScore(v float64, count bool) string {
	if count {
		return fmt.Sprintf("%.0f", v)
	}
	return strings.Replace(fmt.Sprintf("%.1f%%", 100*v), ".", ",", 1)
}
