package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/msg"
	"github.com/thanhxuan/cchc/internal/warehouse"
	"github.com/thanhxuan/cchc/load"
)

func newStatusCmd(g *globalFlags) *cobra.Command {
	var today string
	var runs int
	c := &cobra.Command{
		Use:   "status",
		Short: "show the last runs, what failed, which units have not sent the period's report, and rejects waiting for a person",
		Long: `Status reads the published warehouse (and, when no run holds it, the state
folder) and prints: the last runs and any run since the last publish that
failed; files that could not be read; for the current reporting period, the
units that have not sent their report and the days left to the deadline; for
the period whose deadline passed last, the units still missing and those that
were late; and the rejected rows waiting for a person, by reason. With --json
it prints the same as one JSON document.`,
		Args: noArgs(func([]string) string { return "the warehouse is a flag: --warehouse FILE (or warehouse: in --config)" }),
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.config, c.Flags(), flagKeys)
			if err != nil {
				return err
			}
			o, err := statusOptionsFrom(cfg, today, runs)
			if err != nil {
				return err
			}
			st, err := warehouse.ReadStatus(c.Context(), o)
			if err != nil {
				return err
			}
			if g.json {
				return writeStatusJSON(c.OutOrStdout(), st)
			}
			printStatus(c.OutOrStdout(), st)
			return nil
		},
	}
	f := c.Flags()
	f.String("warehouse", "", "the published DuckDB file [warehouse, CCHC_WAREHOUSE]")
	f.String("state-dir", "", "private state folder (default WAREHOUSE.state) [state_dir, CCHC_STATE_DIR]")
	f.IntVar(&runs, "runs", 5, "how many published runs to show")
	f.StringVar(&today, "today", "", "the date to count deadlines from, YYYY-MM-DD (default: today in Asia/Ho_Chi_Minh; also CCHC_TODAY)")
	f.MarkHidden("today")
	return exits(c,
		"0", "the status was printed",
		"1", "there is no warehouse yet, or it could not be read",
		"2", exitUsageText)
}

// statusOptionsFrom fills the options of `cchc status` from the configuration
// and the flags; a missing warehouse or a malformed --today is a usage error.
func statusOptionsFrom(cfg config.Config, today string, runs int) (warehouse.StatusOptions, error) {
	if cfg.Warehouse == "" {
		return warehouse.StatusOptions{}, usageError{errors.New("warehouse: required (--warehouse, CCHC_WAREHOUSE or warehouse: in the file)")}
	}
	o := warehouse.StatusOptions{Warehouse: cfg.Warehouse, StateDir: cfg.StateDir, Runs: runs}
	if o.StateDir == "" {
		o.StateDir = cfg.Warehouse + ".state"
	}
	if today == "" {
		today = os.Getenv("CCHC_TODAY")
	}
	o.Today = time.Now().In(load.Zone)
	if today != "" {
		t, err := time.ParseInLocation("2006-01-02", today, load.Zone)
		if err != nil {
			return o, usageError{fmt.Errorf("--today %q: want YYYY-MM-DD", today)}
		}
		o.Today = t
	}
	o.Today = time.Date(o.Today.Year(), o.Today.Month(), o.Today.Day(), 0, 0, 0, 0, time.UTC)
	return o, nil
}

// writeStatusJSON writes the status as `status --json` prints it: one
// indented JSON document.
func writeStatusJSON(w io.Writer, st *warehouse.Status) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(st)
}

// printStatus writes the status for people: Vietnamese and English headings,
// one thing a line.
func printStatus(w io.Writer, st *warehouse.Status) {
	fmt.Fprintf(w, "cchc status — hôm nay / today %s (Asia/Ho_Chi_Minh)\n", st.Today)
	fmt.Fprintf(w, "kho / warehouse: %s\n", st.Warehouse)
	if st.RunInProgress {
		fmt.Fprintln(w, "đang có lần chạy / a run is in progress")
	}

	fmt.Fprintln(w, "\nLẦN CHẠY GẦN NHẤT / LAST RUNS")
	if len(st.Runs) == 0 {
		fmt.Fprintln(w, "  (chưa có / none)")
	} else {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  RUN\tSTARTED\tENDED\tSTATUS\tFILES LOADED/FAILED\tROWS LOADED/REJECTED")
		for _, r := range st.Runs {
			status := r.Status
			if !r.Published {
				status += " (chưa công bố / not published)"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d/%d\t%d/%d\n", r.RunID, r.Started, r.Ended, status, r.FilesLoaded, r.FilesFailed, r.RowsLoaded, r.RowsRejected)
		}
		tw.Flush()
		for _, r := range st.Runs {
			if r.Error != "" {
				fmt.Fprintf(w, "  %s: %s\n", r.RunID, msg.Clip(r.Error, 200))
			}
		}
	}

	fmt.Fprintf(w, "\nTỆP KHÔNG ĐỌC ĐƯỢC / FAILED FILES: %d\n", len(st.FailedFiles))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, f := range st.FailedFiles {
		fmt.Fprintf(tw, "  %s\t%s\n", f.Path, msg.Clip(f.Message, 160))
	}
	tw.Flush()

	if p := st.Current; p != nil {
		fmt.Fprintf(w, "\nKỲ HIỆN TẠI / CURRENT PERIOD: %s (%s), hạn / deadline %s, còn %d ngày / %d days left\n", p.Period, p.Name, p.Deadline, p.DaysLeft, p.DaysLeft)
		fmt.Fprintf(w, "  đã gửi / sent %d of %d; chưa gửi / not sent %d\n", p.Received, p.Units, len(p.Missing))
		printUnits(w, p.Missing, false)
	}
	if p := st.Previous; p != nil {
		fmt.Fprintf(w, "\nKỲ TRƯỚC / PREVIOUS PERIOD: %s (%s), hạn / deadline %s, đã qua %d ngày / %d days ago\n", p.Period, p.Name, p.Deadline, -p.DaysLeft, -p.DaysLeft)
		fmt.Fprintf(w, "  đã gửi / sent %d of %d, trễ hạn / late %d; chưa gửi / not sent %d\n", p.Received, p.Units, len(p.Late), len(p.Missing))
		if len(p.Late) > 0 {
			fmt.Fprintln(w, "  gửi trễ / sent late:")
			printUnits(w, p.Late, true)
		}
		if len(p.Missing) > 0 {
			fmt.Fprintln(w, "  chưa gửi / not sent:")
			printUnits(w, p.Missing, false)
		}
	}

	var rows int64
	for _, r := range st.Rejects {
		rows += r.Rows
	}
	fmt.Fprintf(w, "\nDÒNG BỊ LOẠI CHỜ XỬ LÝ / REJECTS WAITING FOR A PERSON: %d (raw.rejects)\n", rows)
	if len(st.Rejects) > 0 {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  REASON\tROWS\tFILES\tEXAMPLE")
		for _, r := range st.Rejects {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\n", r.Reason, r.Rows, r.Files, msg.Clip(r.Example, 100))
		}
		tw.Flush()
	}

	if len(st.Sources) > 0 {
		fmt.Fprintln(w, "\nNGUỒN / SOURCES")
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  SOURCE\tLAST PULL\tLAST SUCCESS\tLAST NEW FILE\tSTATE")
		for _, s := range st.Sources {
			state := "ok"
			if s.Failing {
				state = "failing: " + msg.Clip(s.LastError, 120)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", s.Source, s.LastPull, dash(s.LastSuccess), dash(s.LastNewFile), state)
		}
		tw.Flush()
	}
	if len(st.Jobs) > 0 {
		fmt.Fprintln(w, "\nLỊCH CHẠY / SCHEDULED JOBS")
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  JOB\tLAST START\tLAST STATUS\tLAST SUCCESS\tERROR")
		for _, j := range st.Jobs {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", j.Job, j.LastStart, j.LastStatus, dash(j.LastSuccess), msg.Clip(j.LastError, 120))
		}
		tw.Flush()
	}
}

func printUnits(w io.Writer, units []warehouse.UnitStatus, late bool) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, u := range units {
		if late {
			fmt.Fprintf(tw, "    %s\t%s\tnhận / received %s\ttrễ %d ngày / %d days late\n", u.Unit, u.Name, u.ReceivedAt, u.DaysLate, u.DaysLate)
		} else {
			fmt.Fprintf(tw, "    %s\t%s\n", u.Unit, u.Name)
		}
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return strings.TrimSpace(s)
}
