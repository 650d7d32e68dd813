package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/thanhxuan/cchc/internal/warehouse"
)

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
