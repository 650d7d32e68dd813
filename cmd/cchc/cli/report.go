package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/outpath"
	"github.com/thanhxuan/cchc/internal/render"
	"github.com/thanhxuan/cchc/internal/warehouse"
	"github.com/thanhxuan/cchc/load"
)

// The leadership report: internal/warehouse reads one period of the
// published warehouse, internal/render lays it out and writes it as a
// workbook and a page. This file is the command: flags, options, the two
// summary lines.

type reportOptions struct {
	Warehouse string
	Period    string
	Out       string // workbook, .xlsx
	HTML      string // static page
	Now       time.Time
}

func newReportCmd(g *globalFlags) *cobra.Command {
	o := reportOptions{}
	c := &cobra.Command{
		Use:   "report --period 2024-6M --out FILE.xlsx [--html FILE.html] [--warehouse FILE]",
		Short: "write the leadership report of one period: a Vietnamese workbook with charts (and a static HTML page) — báo cáo lãnh đạo",
		Long: `Report reads the published warehouse (read-only) and writes, for one period
(2024-Q1, 2024-6M, 2024-9M, 2024-Y …), a workbook for the district's
leadership, in Vietnamese:

  Tổng quan             the district's KPIs against the plan's targets, met or
                        missed, with a chart, and who sent the period's report
  II.1 … II.7           one sheet per KPI family (section II of the plan):
                        every ward and department as a row, ✓ Đạt (blue) =
                        met, ✗ Chưa đạt (orange) = missed, one chart per KPI
  Gửi báo cáo           who reported on time, late, or not at all
  Đối chiếu Biểu 06     the on-time rates the units reported against those
                        computed from their dossier records
  Chất lượng số liệu    quality notes: a period whose data stop before its
                        end, files mostly rejected, KPIs computed from fewer
                        rows than exist (a field unknown)
  Số liệu biểu đồ       the figures the charts are drawn from

With --html it also writes one self-contained page (no script, no outside
file) with the same tables and charts drawn as inline SVG. Files are
written under a temporary name and renamed into place. Every sheet prints
one A4 page wide, its header rows repeated on each page.`,
		Args: noArgs(func([]string) string { return "the files are flags: --out FILE.xlsx, --html FILE.html" }),
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.config, c.Flags(), flagKeys)
			if err != nil {
				return err
			}
			o.Warehouse = cfg.Warehouse
			o.Now = time.Now().In(load.Zone)
			if err := o.validate(); err != nil {
				return err
			}
			d, err := writeReport(c.Context(), o)
			if err != nil {
				return err
			}
			if !g.quiet {
				printReport(c.OutOrStdout(), o, d)
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&o.Period, "period", "", "reporting period, e.g. 2024-Q1, 2024-6M, 2024-9M, 2024-Y (required)")
	f.StringVar(&o.Out, "out", "", "workbook to write (.xlsx)")
	f.StringVar(&o.HTML, "html", "", "also write a static HTML page with the same tables and charts")
	f.String("warehouse", "", "the published DuckDB file [warehouse, CCHC_WAREHOUSE]")
	return exits(c,
		"0", "the report was written",
		"1", "there is no warehouse yet, or reading it or writing the files failed (an existing report is left as it was)",
		"2", exitUsageText+"; a --period the warehouse does not have; an --out or --html whose folder does not exist or cannot be written")
}

// validate checks everything the report needs before anything is read: the
// warehouse is named, the period looks like one, and the folders of the
// files to write exist and take a new file. Whether the warehouse has the
// period is asked of the warehouse before anything is written.
func (o *reportOptions) validate() error {
	switch {
	case o.Warehouse == "":
		return usageError{errors.New("warehouse: required (--warehouse, CCHC_WAREHOUSE or warehouse: in the file)")}
	case o.Period == "":
		return usageError{errors.New("--period is required (e.g. 2024-6M)")}
	case !rePeriod.MatchString(o.Period):
		return usageError{fmt.Errorf("--period %q: want a period code such as 2024-Q1, 2024-6M, 2024-9M or 2024-Y", o.Period)}
	case o.Out == "" && o.HTML == "":
		return usageError{errors.New("--out FILE.xlsx or --html FILE.html is required")}
	case o.Out != "" && !strings.EqualFold(filepath.Ext(o.Out), ".xlsx"):
		return usageError{fmt.Errorf("--out %q: the workbook's name must end in .xlsx", o.Out)}
	}
	for _, f := range []struct{ flag, path string }{{"--out", o.Out}, {"--html", o.HTML}} {
		if f.path == "" {
			continue
		}
		if err := outpath.File(f.path); err != nil {
			return usageError{fmt.Errorf("%s %w", f.flag, err)}
		}
	}
	return nil
}

var rePeriod = regexp.MustCompile(`^\d{4}-[0-9A-Za-z]+$`)

// writeReport reads the period from the warehouse and writes the files. A
// period without data is the caller's mistake: it lists those there are.
func writeReport(ctx context.Context, o reportOptions) (*warehouse.Report, error) {
	db, closeDB, err := warehouse.Open(o.Warehouse)
	if err != nil {
		return nil, err
	}
	d, err := warehouse.ReadReport(ctx, db, o.Period)
	closeDB()
	if errors.Is(err, warehouse.ErrNoPeriod) {
		return nil, usageError{fmt.Errorf("--period %w", err)}
	}
	if err != nil {
		return nil, err
	}
	doc := render.NewReport(d, o.Now)
	if o.Out != "" {
		if err := render.WriteFile(o.Out, doc.WriteXLSX); err != nil {
			return nil, fmt.Errorf("workbook %s: %w", o.Out, err)
		}
	}
	if o.HTML != "" {
		if err := render.WriteFile(o.HTML, doc.WriteHTML); err != nil {
			return nil, fmt.Errorf("HTML %s: %w", o.HTML, err)
		}
	}
	return d, nil
}

func printReport(out io.Writer, o reportOptions, d *warehouse.Report) {
	for _, f := range []string{o.Out, o.HTML} {
		if f != "" {
			fmt.Fprintf(out, "đã ghi / wrote %s\n", f)
		}
	}
	met, judged := d.DistrictScore()
	fmt.Fprintf(out, "kỳ / period %s (%s): toàn quận đạt %d/%d chỉ tiêu / the district meets %d of %d assessed KPIs\n",
		d.Period.Code, d.Period.Name, met, judged, met, judged)
}
