package render

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/thanhxuan/cchc/internal/msg"
	"github.com/thanhxuan/cchc/internal/warehouse"
)

// stamp is how status prints a time: its minute, in Asia/Ho_Chi_Minh.
func stamp(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.In(warehouse.Zone).Format("2006-01-02 15:04")
}

// StatusText writes the status for people, as `cchc status` prints it:
// Vietnamese first, English beside it, one thing a line, each unit once.
func StatusText(w io.Writer, st *warehouse.Status) {
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

// sourceText says in words where a report's arrival time comes from
// (marts.report_submissions.received_source).
func sourceText(source string) string {
	switch source {
	case "file_time":
		return "theo thời điểm tệp / file time"
	case "pulled":
		return "theo lần tải về / when pulled"
	case "recorded":
		return "do người ghi / recorded"
	}
	return source
}

// printQuality writes what the period's figures rest on: whether its data
// reach its last day, the KPIs that left rows out, the resolved dossiers
// whose stated timeliness disagrees with their dates, the mostly rejected
// files.
func printQuality(w io.Writer, q *warehouse.Quality) {
	if q == nil {
		return
	}
	fmt.Fprintf(w, "\nCHẤT LƯỢNG SỐ LIỆU / DATA QUALITY: %s\n", q.Period)
	switch c := q.Coverage; {
	case c == nil:
		fmt.Fprintln(w, "  kỳ chưa có số liệu KPI / no KPI figures for the period yet")
	case c.Complete:
		fmt.Fprintf(w, "  kỳ đủ số liệu / period complete: số liệu đến hết / data through %s\n", c.LastDay)
	default:
		fmt.Fprintf(w, "  KỲ CHƯA ĐỦ SỐ LIỆU / PERIOD NOT COMPLETE: số liệu mới có đến %s, kỳ kết thúc %s / data run through %s, the period ends %s\n",
			c.DataThrough, c.LastDay, c.DataThrough, c.LastDay)
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		for _, u := range c.Units {
			fmt.Fprintf(tw, "    %s\t%s\tđến / through %s\n", u.Name, u.Unit, u.DataThrough)
		}
		tw.Flush()
	}

	// One line a KPI: the district's total first, then its units.
	var kpis []string
	byKPI := map[string][]warehouse.UnknownRows{}
	for _, u := range q.Unknown {
		if byKPI[u.KPI] == nil {
			kpis = append(kpis, u.KPI)
		}
		byKPI[u.KPI] = append(byKPI[u.KPI], u)
	}
	fmt.Fprintf(w, "  KPI bỏ ra ngoài dòng thiếu trường / KPIs that left rows out, a field unknown (rows_unknown): %d\n", len(kpis))
	for _, k := range kpis {
		rows := byKPI[k]
		var units []string
		total := rows[0]
		for _, u := range rows {
			if u.Unit == "thanh_xuan" {
				continue
			}
			units = append(units, fmt.Sprintf("%s %d", u.UnitName, u.Unknown))
		}
		if total.Unit != "thanh_xuan" { // no district row: the units' sum
			total = warehouse.UnknownRows{}
			for _, u := range rows {
				total.Unknown, total.Counted = total.Unknown+u.Unknown, total.Counted+u.Counted
			}
		}
		fmt.Fprintf(w, "    %s (%s): %d dòng không tính, %d dòng được tính / %d rows left out, %d counted — %s\n",
			rows[0].KPIName, k, total.Unknown, total.Counted, total.Unknown, total.Counted, strings.Join(units, ", "))
	}

	fmt.Fprintf(w, "  hồ sơ có tiến độ ghi khác với ngày / resolved dossiers whose stated timeliness disagrees with their dates: %d (marts.timeliness_disagreements)\n", q.Disagreements)

	fmt.Fprintf(w, "  tệp bị loại quá 1/5 số dòng / mostly rejected files: %d (marts.mostly_rejected_files)\n", len(q.MostlyRejected))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, f := range q.MostlyRejected {
		fmt.Fprintf(tw, "    %s\t%.0f%% bị loại / rejected (%d/%d)\tđơn vị / units %s\tkỳ / periods %s\n",
			f.Path, 100*f.Share, f.Rejected, f.Loaded+f.Rejected, listText(f.Units), listText(f.Periods))
	}
	tw.Flush()
}

func listText(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ", ")
}
