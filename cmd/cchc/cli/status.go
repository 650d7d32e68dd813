package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/msg"
	"github.com/thanhxuan/cchc/internal/warehouse"
	"github.com/thanhxuan/cchc/load"
)

func newStatusCmd(g *globalFlags) *cobra.Command {
	var today, period string
	var runs int
	c := &cobra.Command{
		Use:   "status",
		Short: "show the last runs, what failed, which units have not sent the period's report, and rejects waiting for a person",
		Long: `Status reads the published warehouse (and, when no run holds it, the state
folder) and prints: the last runs and any run since the last publish that
failed; files that could not be read; for one reporting period (--period,
default the latest period with data: a unit report, a Biểu 06 or a dossier),
each ward and department once — not sent, sent late, sent on time — with the
days to or past the deadline, and a line on the period before it; and the
rejected rows waiting for a person, by reason. With --json it prints the same
as one JSON document, times in RFC 3339 with their zone (+07:00).`,
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
			o.Period = period
			st, err := warehouse.ReadStatus(c.Context(), o)
			if errors.Is(err, warehouse.ErrNoPeriod) {
				return usageError{fmt.Errorf("--period %w", err)}
			}
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
	f.StringVar(&period, "period", "", "the reporting period to show, e.g. 2024-6M (default: the latest period with data)")
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

// stamp is how status prints a time: its minute, in Asia/Ho_Chi_Minh.
func stamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.In(load.Zone).Format("2006-01-02 15:04")
}

// printStatus writes the status for people: Vietnamese first, English
// beside it, one thing a line, each unit once.
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
		fmt.Fprintln(tw, "  LẦN CHẠY / RUN\tBẮT ĐẦU / STARTED\tKẾT THÚC / ENDED\tTRẠNG THÁI / STATUS\tTỆP NẠP/LỖI / FILES LOADED/FAILED\tDÒNG NẠP/LOẠI / ROWS LOADED/REJECTED")
		for _, r := range st.Runs {
			status := r.Status
			if !r.Published {
				status += " (chưa công bố / not published)"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d/%d\t%d/%d\n", r.RunID, stamp(&r.Started), stamp(&r.Ended), status, r.FilesLoaded, r.FilesFailed, r.RowsLoaded, r.RowsRejected)
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

	if p := st.Period; p != nil {
		why := map[string]string{warehouse.PeriodLatest: "kỳ gần nhất có số liệu / the latest period with data",
			warehouse.PeriodCalendar: "chưa có số liệu: kỳ sắp đến hạn / no data yet: the next deadline", warehouse.PeriodAsked: "theo --period / as asked"}[p.Chosen]
		fmt.Fprintf(w, "\nKỲ BÁO CÁO / PERIOD: %s (%s) — %s\n", p.Name, p.Period, why)
		fmt.Fprintf(w, "  hạn / deadline %s, %s\n", p.Deadline, daysText(p.DaysLeft))
		fmt.Fprintf(w, "  đã gửi / sent %d/%d (trễ hạn / late %d); chưa gửi / not sent %d\n", p.Received, p.Units, p.Late, p.Missing)
		printUnits(w, p.Unit)
	}
	if p := st.Previous; p != nil {
		fmt.Fprintf(w, "\nKỲ TRƯỚC / PREVIOUS PERIOD: %s (%s), hạn / deadline %s: đã gửi / sent %d/%d, trễ hạn / late %d, chưa gửi / not sent %d — cchc status --period %s\n",
			p.Name, p.Period, p.Deadline, p.Received, p.Units, p.Late, p.Missing, p.Period)
	}

	var rows int64
	for _, r := range st.Rejects {
		rows += r.Rows
	}
	fmt.Fprintf(w, "\nDÒNG BỊ LOẠI CHỜ XỬ LÝ / REJECTS WAITING FOR A PERSON: %d (raw.rejects)\n", rows)
	if len(st.Rejects) > 0 {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  LÝ DO / REASON\tDÒNG / ROWS\tTỆP / FILES\tVÍ DỤ / EXAMPLE")
		for _, r := range st.Rejects {
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\n", r.Reason, r.Rows, r.Files, msg.Clip(r.Example, 100))
		}
		tw.Flush()
	}

	if len(st.Sources) > 0 {
		fmt.Fprintln(w, "\nNGUỒN / SOURCES")
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  NGUỒN / SOURCE\tLẦN TẢI CUỐI / LAST PULL\tTHÀNH CÔNG / LAST SUCCESS\tTỆP MỚI / LAST NEW FILE\tTÌNH TRẠNG / STATE")
		for _, s := range st.Sources {
			state := "ok"
			if s.Failing {
				state = "lỗi / failing: " + msg.Clip(s.LastError, 120)
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", s.Source, stamp(s.LastPull), stamp(s.LastSuccess), stamp(s.LastNewFile), state)
		}
		tw.Flush()
	}
	if len(st.Jobs) > 0 {
		fmt.Fprintln(w, "\nLỊCH CHẠY / SCHEDULED JOBS")
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  VIỆC / JOB\tBẮT ĐẦU CUỐI / LAST START\tKẾT QUẢ / LAST STATUS\tTHÀNH CÔNG / LAST SUCCESS\tLỖI / ERROR")
		for _, j := range st.Jobs {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", j.Job, stamp(&j.LastStart), j.LastStatus, stamp(j.LastSuccess), msg.Clip(j.LastError, 120))
		}
		tw.Flush()
	}
	printQuality(w, st.Quality)
}

func daysText(left int) string {
	if left >= 0 {
		return fmt.Sprintf("còn %d ngày / %d days left", left, left)
	}
	return fmt.Sprintf("đã qua %d ngày / %d days ago", -left, -left)
}

// printUnits lists each unit once, under its state: not sent, sent late,
// sent on time; the name first, the code beside it for scripts and seeds.
func printUnits(w io.Writer, units []warehouse.UnitStatus) {
	heading := map[string]string{warehouse.NotSent: "chưa gửi / not sent", warehouse.SentLate: "gửi trễ / sent late", warehouse.SentOnTime: "gửi đúng hạn / sent on time"}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	state := ""
	for _, u := range units {
		if u.State != state {
			state = u.State
			fmt.Fprintf(tw, "  %s:\n", heading[state])
		}
		switch u.State {
		case warehouse.NotSent:
			fmt.Fprintf(tw, "    %s\t%s\n", u.Name, u.Unit)
		case warehouse.SentLate:
			fmt.Fprintf(tw, "    %s\t%s\tnhận / received %s (%s)\ttrễ %d ngày / %d days late\n", u.Name, u.Unit, stamp(u.ReceivedAt), sourceText(u.Source), u.DaysLate, u.DaysLate)
		default:
			fmt.Fprintf(tw, "    %s\t%s\tnhận / received %s (%s)\n", u.Name, u.Unit, stamp(u.ReceivedAt), sourceText(u.Source))
		}
	}
	tw.Flush()
}
