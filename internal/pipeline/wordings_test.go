//go:build duckdb_arrow

package pipeline_test

// The wordings of real one-stop-shop exports (CONTRACT 3.5): one export of
// known dossiers is written as a clean export would write it and as real
// systems do — other header and value wordings, status with timeliness in one
// cell, time before the date, 12-hour clocks, a CSV saved by an
// English-locale Excel — and each variant, loaded alone, must give the
// original's rows.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/testwh"
	"github.com/thanhxuan/cchc/load"
	"github.com/thanhxuan/cchc/seeds"
)

// wdossier is one dossier of the test export.
type wdossier struct {
	id                       string
	received, due, completed time.Time // completed zero unless resolved
	status                   string    // resolved, processing, withdrawn, refused
	channel                  string    // online, counter
	level                    string    // full, partial, none
	digitized, eid           bool
}

// timeliness is what the dates say of a resolved dossier.
func (d wdossier) timeliness() string {
	if d.status != "resolved" {
		return ""
	}
	c, due := d.completed.Truncate(24*time.Hour), d.due.Truncate(24*time.Hour)
	switch {
	case c.Before(due):
		return "early"
	case c.Equal(due):
		return "on_time"
	}
	return "late"
}

// wdossiers are n dossiers of Kim Giang received from 06/12/2023 on, with every
// status, channel, level and timeliness, and days above and below 12 (so
// that a date read in the wrong order shows).
func wdossiers(n int) []wdossier {
	out := make([]wdossier, n)
	start := time.Date(2023, 12, 6, 8, 0, 0, 0, time.UTC)
	for i := range out {
		d := &out[i]
		d.id = fmt.Sprintf("H14.2024-%04d", i+1)
		d.received = start.AddDate(0, 0, i*2).Add(time.Duration(i%9)*time.Hour + time.Duration(i%4)*15*time.Minute)
		d.due = time.Date(d.received.Year(), d.received.Month(), d.received.Day(), 17, 0, 0, 0, time.UTC).AddDate(0, 0, 3+i%5)
		d.status = []string{"resolved", "resolved", "resolved", "processing", "resolved", "withdrawn", "resolved", "refused"}[i%8]
		if d.status == "resolved" {
			d.completed = d.due.AddDate(0, 0, []int{-1, 0, 2}[i%3]).Add(-30 * time.Minute)
		}
		d.channel = []string{"online", "counter"}[i%2]
		d.level = []string{"full", "partial", "none"}[i%3]
		d.digitized, d.eid = i%4 != 1, i%3 == 0
	}
	return out
}

// wcol is one column of an export variant: its header and how it writes a dossier.
type wcol struct {
	head string
	cell func(d wdossier) string
}

func dmyHM(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("02/01/2006 15:04")
}

// timeFirst writes the time before the date: 16:30 15/12/2023.
func timeFirst(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("15:04 02/01/2006")
}

// clock12 writes a 12-hour clock after the date with the markers am and pm
// (SA/CH or AM/PM): 15/12/2023 04:30:00 CH.
func clock12(am, pm string) func(time.Time) string {
	return func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		h, marker := t.Hour()%12, am
		if h == 0 {
			h = 12
		}
		if t.Hour() >= 12 {
			marker = pm
		}
		return fmt.Sprintf("%s %02d:%02d:00 %s", t.Format("02/01/2006"), h, t.Minute(), marker)
	}
}

// dates replaces the three date columns, written by format.
func dates(format func(time.Time) string) map[string]*wcol {
	return map[string]*wcol{
		"Ngày tiếp nhận":   {"Ngày tiếp nhận", func(d wdossier) string { return format(d.received) }},
		"Ngày hẹn trả":     {"Ngày hẹn trả", func(d wdossier) string { return format(d.due) }},
		"Ngày trả kết quả": {"Ngày trả kết quả", func(d wdossier) string { return format(d.completed) }},
	}
}

// originalColumns are the columns of the clean export, in 3.1's wordings.
func originalColumns() []wcol {
	yes := func(b bool) string { return map[bool]string{true: "Có", false: "Không"}[b] }
	return []wcol{
		{"Mã hồ sơ", func(d wdossier) string { return d.id }},
		{"Tên thủ tục", func(wdossier) string { return "Đăng ký khai sinh" }},
		{"Lĩnh vực", func(wdossier) string { return "Hộ tịch" }},
		{"Đơn vị tiếp nhận", func(wdossier) string { return "Phường Kim Giang" }},
		{"Ngày tiếp nhận", func(d wdossier) string { return dmyHM(d.received) }},
		{"Ngày hẹn trả", func(d wdossier) string { return dmyHM(d.due) }},
		{"Ngày trả kết quả", func(d wdossier) string { return dmyHM(d.completed) }},
		{"Hình thức nộp", func(d wdossier) string {
			return map[string]string{"online": "Trực tuyến", "counter": "Trực tiếp"}[d.channel]
		}},
		{"Mức độ DVC", func(d wdossier) string {
			return map[string]string{"full": "Toàn trình", "partial": "Một phần", "none": "Mức độ 2"}[d.level]
		}},
		{"Trạng thái", func(d wdossier) string {
			return map[string]string{"resolved": "Đã trả kết quả", "processing": "Đang xử lý", "withdrawn": "Rút hồ sơ", "refused": "Từ chối"}[d.status]
		}},
		{"Đã số hóa", func(d wdossier) string { return yes(d.digitized) }},
		{"Xác thực VNeID", func(d wdossier) string { return yes(d.eid) }},
	}
}

// variant returns the original columns with some replaced (by header of the
// original) and some dropped (a nil replacement).
func variant(repl map[string]*wcol) []wcol {
	var out []wcol
	for _, c := range originalColumns() {
		r, ok := repl[c.head]
		switch {
		case !ok:
			out = append(out, c)
		case r != nil:
			out = append(out, *r)
		}
	}
	return out
}

// exportCSV renders the dossiers with the columns.
func exportCSV(ds []wdossier, cols []wcol) string {
	var b strings.Builder
	row := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteByte(',')
			}
			if strings.ContainsAny(c, ",\"\n") {
				c = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			}
			b.WriteString(c)
		}
		b.WriteString("\r\n")
	}
	var head []string
	for _, c := range cols {
		head = append(head, c.head)
	}
	row(head)
	for _, d := range ds {
		var cells []string
		for _, c := range cols {
			cells = append(cells, c.cell(d))
		}
		row(cells)
	}
	return b.String()
}

// loadAlone runs the pipeline on one file and returns the published warehouse.
func loadAlone(t *testing.T, name, body string) (string, *pipeline.Summary) {
	t.Helper()
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	cfg.PII.HMACKey = "wordings"
	testwh.WriteFile(t, cfg.Inbox, name, body, time.Date(2024, 6, 10, 9, 0, 0, 0, time.Local))
	sum, err := pipeline.Run(context.Background(), testwh.Validate(t, cfg), pipeline.WithLogger(testwh.Log(t)))
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return cfg.Warehouse, sum
}

// dossierRows reads core.dossiers as comparable lines, by dossier id.
func dossierRows(t *testing.T, wh string) map[string]string {
	t.Helper()
	db, closeDB, err := load.OpenReadOnly(wh)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	rows, err := db.Query(`SELECT dossier_id, strftime(received_at, '%Y-%m-%d %H:%M'), strftime(due_at, '%Y-%m-%d %H:%M'),
		coalesce(strftime(completed_at, '%Y-%m-%d %H:%M'), '-'), channel, coalesce(service_level, 'NULL'), status,
		coalesce(result_digitized::VARCHAR, 'NULL'), coalesce(eid_verified::VARCHAR, 'NULL'), coalesce(timeliness, '-')
		FROM core.dossiers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id string
		var f [9]string
		if err := rows.Scan(&id, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8]); err != nil {
			t.Fatal(err)
		}
		out[id] = strings.Join(f[:], " ")
	}
	return out
}

// sameRows compares a variant's dossiers with the original's.
func sameRows(t *testing.T, got, want map[string]string) {
	t.Helper()
	bad := 0
	for id, w := range want {
		if g, ok := got[id]; !ok {
			t.Errorf("%s missing", id)
			bad++
		} else if g != w {
			t.Errorf("%s:\n got %s\nwant %s", id, g, w)
			bad++
		}
		if bad > 5 {
			t.Fatal("too many differences")
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d dossiers, want %d", len(got), len(want))
	}
}

func scalar(t *testing.T, wh, q string, args ...any) string {
	t.Helper()
	return testwh.Query(t, wh, q, args...)
}

func TestRealWordingsLoadLikeTheOriginal(t *testing.T) {
	ds := wdossiers(60)
	origWH, _ := loadAlone(t, "hoso.csv", exportCSV(ds, originalColumns()))
	want := dossierRows(t, origWH)
	if len(want) != len(ds) {
		t.Fatalf("the original loads %d of %d dossiers", len(want), len(ds))
	}
	tests := []struct {
		name string
		cols []wcol
	}{
		{"headers with their values in parentheses", variant(map[string]*wcol{
			"Đã số hóa":      {"Đã số hóa (Có/Không)", func(d wdossier) string { return map[bool]string{true: "Có", false: "Không"}[d.digitized] }},
			"Xác thực VNeID": {"Xác thực VNeID (x)", func(d wdossier) string { return map[bool]string{true: "x", false: ""}[d.eid] }},
			"Mức độ DVC": {"Mức độ DVC (2/3/4)", func(d wdossier) string {
				return map[string]string{"full": "4", "partial": "3", "none": "2"}[d.level]
			}},
		})},
		{"headers that contain an alias", variant(map[string]*wcol{
			"Mã hồ sơ":       {"Số biên nhận", func(d wdossier) string { return d.id }},
			"Tên thủ tục":    {"Tên thủ tục hành chính", func(wdossier) string { return "Đăng ký khai sinh" }},
			"Ngày tiếp nhận": {"Ngày tiếp nhận hồ sơ", func(d wdossier) string { return dmyHM(d.received) }},
			"Ngày hẹn trả":   {"Ngày hẹn trả (dd/mm/yyyy hh:mm)", func(d wdossier) string { return dmyHM(d.due) }},
		})},
		{"date format in the header", variant(map[string]*wcol{
			"Ngày tiếp nhận": {"Ngày tiếp nhận (dd/mm/yyyy)", func(d wdossier) string { return dmyHM(d.received) }},
		})},
		{"status with timeliness", variant(map[string]*wcol{
			"Trạng thái": {"Trạng thái xử lý", func(d wdossier) string {
				switch d.status {
				case "resolved":
					return map[string]string{"early": "Đã trả kết quả (trước hạn)", "on_time": "Đã trả - Đúng hạn", "late": "Đã trả - Trễ hạn"}[d.timeliness()]
				case "processing":
					return "Đang xử lý - Quá hạn"
				}
				return map[string]string{"withdrawn": "Trả lại/Xin rút", "refused": "Từ chối tiếp nhận"}[d.status]
			}},
		})},
	}
	tests = append(tests, []struct {
		name string
		cols []wcol
	}{
		{"time before the date", variant(dates(timeFirst))},
		{"12-hour clock SA/CH", variant(dates(clock12("SA", "CH")))},
		{"12-hour clock AM/PM", variant(dates(clock12("AM", "PM")))},
	}...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wh, sum := loadAlone(t, "hoso.csv", exportCSV(ds, tt.cols))
			if loaded, rejected := sum.Rows(); loaded != int64(len(ds)) || rejected != 0 {
				t.Errorf("%d loaded, %d rejected; messages: %v", loaded, rejected, sum.Files)
			}
			sameRows(t, dossierRows(t, wh), want)
		})
	}
}

// TestDateRejectsQuoteTheValue: a date reject says what was wrong — an
// unknown format is not an invalid date — and quotes the value.
func TestDateRejectsQuoteTheValue(t *testing.T) {
	ds := wdossiers(12)
	bad := map[string]string{ds[2].id: "hôm qua", ds[5].id: "31/02/2024 10:00", ds[7].id: "10:00 SA 12/25/2024"}
	cols := variant(map[string]*wcol{
		"Ngày tiếp nhận": {"Ngày tiếp nhận", func(d wdossier) string {
			if b, ok := bad[d.id]; ok {
				return b
			}
			return dmyHM(d.received)
		}},
	})
	wh, sum := loadAlone(t, "hoso.csv", exportCSV(ds, cols))
	if loaded, rejected := sum.Rows(); loaded != 9 || rejected != 3 {
		t.Fatalf("%d loaded, %d rejected", loaded, rejected)
	}
	got := scalar(t, wh, `SELECT string_agg(reason_code || ' | ' || reason, '
' ORDER BY row_number) FROM raw.rejects`)
	want := []string{
		`unknown_date_format | ngày tiếp nhận "hôm qua": không đúng định dạng ngày nào đã biết`,
		`impossible_date | ngày tiếp nhận "31/02/2024 10:00" không phải ngày hợp lệ: tháng 2/2024 không có ngày 31 / received_at "31/02/2024 10:00" is not a valid date: day 31 does not exist in 2/2024`,
		`not_day_first | ngày tiếp nhận "10:00 SA 12/25/2024" không đọc được theo thứ tự ngày/tháng/năm`,
	}
	lines := strings.Split(got, "\n")
	for i, w := range want {
		if i >= len(lines) || !strings.HasPrefix(lines[i], w) {
			t.Errorf("reject %d:\n got %s\nwant %s…", i, lines[min(i, len(lines)-1)], w)
		}
	}
}

// TestStatusWithTimeliness: the timeliness a status cell states goes to
// core.dossiers.reported_timeliness; where it disagrees with the dates, a
// warning test counts the dossier and the run still publishes.
func TestStatusWithTimeliness(t *testing.T) {
	ds := wdossiers(40)
	lie := "" // a late dossier the export calls on time
	cols := variant(map[string]*wcol{
		"Trạng thái": {"Trạng thái", func(d wdossier) string {
			switch {
			case d.status == "resolved" && d.timeliness() == "late" && lie == "":
				lie = d.id
				return "Đã trả kết quả (đúng hạn)"
			case d.status == "resolved":
				return "Đã trả - " + map[string]string{"early": "Sớm hạn", "on_time": "Đúng hạn", "late": "Quá hạn 2 ngày"}[d.timeliness()]
			case d.status == "processing":
				return "Đang xử lý, trong hạn"
			}
			return map[string]string{"withdrawn": "Xin rút", "refused": "Bị từ chối"}[d.status]
		}},
	})
	wh, sum := loadAlone(t, "hoso.csv", exportCSV(ds, cols))
	db, closeDB, err := load.OpenReadOnly(wh)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	for _, d := range ds {
		var status string
		var reported sql.NullString
		if err := db.QueryRow(`SELECT status, reported_timeliness FROM core.dossiers WHERE dossier_id = ?`, d.id).Scan(&status, &reported); err != nil {
			t.Fatalf("%s: %v", d.id, err)
		}
		want := map[string]string{"resolved": d.timeliness(), "processing": "on_time"}[d.status]
		if d.id == lie {
			want = "on_time"
		}
		if status != d.status || reported.String != want || reported.Valid != (want != "") {
			t.Errorf("%s: %s %v, want %s %q", d.id, status, reported, d.status, want)
		}
	}
	if got := scalar(t, wh, `SELECT string_agg(dossier_id || ' ' || timeliness || ' ' || reported_timeliness, ';') FROM marts.timeliness_disagreements`); got != lie+" late on_time" {
		t.Errorf("disagreements: %q, want the one dossier %s", got, lie)
	}
	var warned bool
	for _, r := range sum.Models {
		if r.Name == "tests.reported_timeliness" {
			warned = r.Warn && r.Rows == 1 && r.Err == nil
		}
	}
	if !warned || !sum.Published {
		t.Errorf("the disagreement is no warning of one row (published %v): %+v", sum.Published, sum.Models)
	}
	if got := scalar(t, wh, `SELECT status || ' ' || failing_rows FROM ops.test_results WHERE name = 'tests.reported_timeliness'`); got != "warn 1" {
		t.Errorf("ops.test_results: %q", got)
	}
}

// TestAbsentIsUnknown: a file without the digitised, VNeID and service level
// columns has not reported zero; its rows are unknown there, and the KPIs
// that read those fields count only the rows that have them, saying in
// rows_unknown how many they left out.
func TestAbsentIsUnknown(t *testing.T) {
	with, without := wdossiers(60), wdossiers(40)
	for i := range without {
		without[i].id = "B" + without[i].id // other dossiers of the same weeks
	}
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	cfg.PII.HMACKey = "wordings"
	mod := time.Date(2024, 6, 10, 9, 0, 0, 0, time.Local)
	testwh.WriteFile(t, cfg.Inbox, "with.csv", exportCSV(with, originalColumns()), mod)
	testwh.WriteFile(t, cfg.Inbox, "without.csv", exportCSV(without, variant(map[string]*wcol{
		"Mức độ DVC": nil, "Đã số hóa": nil, "Xác thực VNeID": nil})), mod)
	sum, err := pipeline.Run(context.Background(), testwh.Validate(t, cfg), pipeline.WithLogger(testwh.Log(t)))
	if err != nil {
		t.Fatal(err)
	}
	wh := cfg.Warehouse
	if got := scalar(t, wh, `SELECT count(*) FILTER (service_level IS NULL AND result_digitized IS NULL AND eid_verified IS NULL) || '/' || count(*) FROM core.dossiers`); got != "40/100" {
		t.Errorf("unknown rows/all rows: %s, want 40/100", got)
	}
	msg := scalar(t, wh, `SELECT message FROM raw.files WHERE path = 'without.csv'`)
	for _, w := range []string{"tthc_full_online_rate", "tthc_result_digitized_rate", "tthc_eid_rate", "no service_level, result_digitized, eid_verified column"} {
		if !strings.Contains(msg, w) {
			t.Errorf("raw.files.message of the file without the columns does not say %q: %s", w, msg)
		}
	}
	if msg := scalar(t, wh, `SELECT coalesce(message, '') FROM raw.files WHERE path = 'with.csv'`); strings.Contains(msg, "tthc_") {
		t.Errorf("the file with every column: %s", msg)
	}
	// The KPIs as the contract counts them, from the dossiers' own fields.
	type window struct{ code, start, end string }
	for _, p := range []window{{"2024-Q1", "2023-12-05", "2024-03-05"}, {"2024-6M", "2023-12-05", "2024-06-05"}} {
		in := func(t time.Time) bool {
			d := t.Format("2006-01-02")
			return !t.IsZero() && d >= p.start && d < p.end
		}
		var want [3][3]int // KPI → numerator, denominator, rows_unknown
		count := func(ds []wdossier, known bool) {
			for _, d := range ds {
				received, resolved := in(d.received), d.status == "resolved" && in(d.completed)
				if received {
					if !known {
						want[0][2]++
					} else {
						want[0][1]++
						if d.channel == "online" && d.level == "full" {
							want[0][0]++
						}
					}
				}
				if resolved {
					if !known {
						want[1][2]++
					} else {
						want[1][1]++
						if d.digitized {
							want[1][0]++
						}
					}
				}
				if received && d.channel == "online" {
					if !known {
						want[2][2]++
					} else {
						want[2][1]++
						if d.eid {
							want[2][0]++
						}
					}
				}
			}
		}
		count(with, true)
		count(without, false)
		for i, kpi := range []string{"tthc_full_online_rate", "tthc_result_digitized_rate", "tthc_eid_rate"} {
			w := fmt.Sprintf("%d/%d unknown %d", want[i][0], want[i][1], want[i][2])
			for _, unit := range []string{"kim_giang", "thanh_xuan"} {
				got := scalar(t, wh, `SELECT numerator::INT || '/' || denominator::INT || ' unknown ' || rows_unknown FROM marts.kpi_values
					WHERE period_code = ? AND unit_code = ? AND kpi_code = ?`, p.code, unit, kpi)
				if got != w {
					t.Errorf("%s %s %s = %s, want %s", p.code, unit, kpi, got, w)
				}
			}
			if want[i][2] == 0 {
				t.Errorf("%s %s: the test leaves no row out", p.code, kpi)
			}
		}
	}
	if got := scalar(t, wh, `SELECT DISTINCT rows_unknown FROM marts.kpi_values WHERE kpi_code = 'tthc_on_time_rate'`); got != "0" {
		t.Errorf("tthc_on_time_rate reads no optional field, rows_unknown = %s", got)
	}
	_ = sum
}

// TestMonthFirstColumns: a CSV saved by an English-locale Excel writes its
// dates month-first (12/19/2023 17:00); a column whose dates read in one order
// only, at least ten of them and all month-first, is read month-first — every
// date of it, and raw.files.message says so — while a column that has one
// date readable only day-first stays day-first, and fewer than ten say nothing.
func TestMonthFirstColumns(t *testing.T) {
	ds := wdossiers(60)
	english := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format("1/2/2006 15:04")
	}
	wh, sum := loadAlone(t, "hoso.csv", exportCSV(ds, variant(dates(english))))
	if loaded, rejected := sum.Rows(); loaded != int64(len(ds)) || rejected != 0 {
		t.Fatalf("%d loaded, %d rejected: %+v", loaded, rejected, sum.Files)
	}
	origWH, _ := loadAlone(t, "hoso.csv", exportCSV(ds, originalColumns()))
	sameRows(t, dossierRows(t, wh), dossierRows(t, origWH))
	msg := scalar(t, wh, `SELECT message FROM raw.files`)
	for _, col := range []string{"Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả"} {
		if !strings.Contains(msg, fmt.Sprintf("column %q read month-first", col)) {
			t.Errorf("raw.files.message does not say %s was read month-first: %s", col, msg)
		}
	}

	// One date of the column that reads only day-first: the column is
	// day-first, and its month-first dates are rejects, never flipped.
	mixed := variant(map[string]*wcol{
		"Ngày tiếp nhận": {"Ngày tiếp nhận", func(d wdossier) string {
			if d.id == ds[0].id {
				return "13/12/2023 08:00" // only day-first
			}
			return english(d.received)
		}},
	})
	wh, sum = loadAlone(t, "hoso.csv", exportCSV(ds, mixed))
	onlyMonth := 0
	for _, d := range ds[1:] {
		if d.received.Day() > 12 {
			onlyMonth++
		}
	}
	// (Its dates that read both ways are read day-first too: swapped, some
	// fall after their due date and are rejects of their own.)
	if got := scalar(t, wh, `SELECT count(*) FROM raw.rejects WHERE reason_code = 'not_day_first' AND column_name = 'received_at'`); got != fmt.Sprint(onlyMonth) || onlyMonth < 10 {
		t.Errorf("%s not_day_first rejects, want the %d dates that read only month-first", got, onlyMonth)
	}
	if msg := scalar(t, wh, `SELECT coalesce(message, '') FROM raw.files`); strings.Contains(msg, "month-first") {
		t.Errorf("a day-first column said month-first: %s", msg)
	}

	// Nine dates that read only month-first are not enough; ten are.
	for _, n := range []int{9, 10} {
		few := ds[:0:0]
		for _, d := range ds {
			if d.received.Day() <= 12 || len(few) < n+countAmbiguous(few) {
				few = append(few, d)
			}
		}
		wh, _ = loadAlone(t, "hoso.csv", exportCSV(few, variant(map[string]*wcol{
			"Ngày tiếp nhận": {"Ngày tiếp nhận", func(d wdossier) string { return english(d.received) }},
		})))
		rejects := scalar(t, wh, `SELECT count(*) FROM raw.rejects WHERE reason_code = 'not_day_first'`)
		note := strings.Contains(scalar(t, wh, `SELECT coalesce(message, '') FROM raw.files`), "read month-first: 10 dates")
		if n == 9 && (rejects != "9" || note) || n == 10 && (rejects != "0" || !note) {
			t.Errorf("%d dates that read only month-first: %s rejected, month-first %v", n, rejects, note)
		}
	}
}

// countAmbiguous counts the dossiers whose received date reads in both orders.
func countAmbiguous(ds []wdossier) int {
	n := 0
	for _, d := range ds {
		if d.received.Day() <= 12 {
			n++
		}
	}
	return n
}

// TestMostlyRejected: a file with more than a fifth of its rows rejected is
// still loaded, and the run names it with its share of rejects and the units
// and periods whose KPIs it feeds; a fifth exactly is not more than a fifth.
func TestMostlyRejected(t *testing.T) {
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	cfg.PII.HMACKey = "wordings"
	mod := time.Date(2024, 6, 10, 9, 0, 0, 0, time.Local)
	broken, fifth := wdossiers(40), wdossiers(40)
	for i := range fifth {
		fifth[i].id = "F" + fifth[i].id
	}
	status := func(bad func(i int) bool, ds []wdossier) map[string]*wcol {
		index := map[string]int{}
		for i, d := range ds {
			index[d.id] = i
		}
		return map[string]*wcol{"Trạng thái": {"Trạng thái", func(d wdossier) string {
			if bad(index[d.id]) {
				return "Chuyển phòng chuyên môn" // a status the seeds do not know
			}
			return map[string]string{"resolved": "Đã trả kết quả", "processing": "Đang xử lý", "withdrawn": "Rút hồ sơ", "refused": "Từ chối"}[d.status]
		}}}
	}
	testwh.WriteFile(t, cfg.Inbox, "hong.csv", exportCSV(broken, variant(status(func(i int) bool { return i%4 != 0 }, broken))), mod)
	fifthCols := variant(status(func(i int) bool { return i%5 == 0 }, fifth))
	body := strings.ReplaceAll(exportCSV(fifth, fifthCols), "Phường Kim Giang", "Phường Hạ Đình")
	testwh.WriteFile(t, cfg.Inbox, "mot-phan-nam.csv", body, mod)
	sum, err := pipeline.Run(context.Background(), testwh.Validate(t, cfg), pipeline.WithLogger(testwh.Log(t)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Files {
		if f.Status != pipeline.Loaded || f.MostlyRejected() != (f.Path == "hong.csv") {
			t.Errorf("%s: %s, %d loaded, %d rejected, mostly rejected %v", f.Path, f.Status, f.Rows, f.Rejected, f.MostlyRejected())
		}
	}
	want := pipeline.RejectedFile{Path: "hong.csv", Loaded: 10, Rejected: 30, Share: 0.75,
		Units: []string{"kim_giang"}, Periods: []string{"2024-6M", "2024-9M", "2024-Q1", "2024-Y"}}
	if len(sum.MostlyRejected) != 1 || fmt.Sprint(sum.MostlyRejected[0]) != fmt.Sprint(want) {
		t.Errorf("summary: %+v, want %+v", sum.MostlyRejected, want)
	}
	if got := scalar(t, cfg.Warehouse, `SELECT path || ' ' || round(reject_share, 2) || ' ' || unit_codes FROM marts.mostly_rejected_files`); got != "hong.csv 0.75 kim_giang" {
		t.Errorf("marts.mostly_rejected_files: %q", got)
	}
}

// TestSeedsDirAddsOneLine: a data team adds a header alias and a status
// wording with one line each in its own seeds folder; a contradicting line is
// a configuration error naming both rows, before any file is read.
func TestSeedsDirAddsOneLine(t *testing.T) {
	ds := wdossiers(20)
	cols := variant(map[string]*wcol{
		"Ngày tiếp nhận": {"Ngày nộp đơn", func(d wdossier) string { return dmyHM(d.received) }},
		"Trạng thái": {"Trạng thái", func(d wdossier) string {
			return map[string]string{"resolved": "Đã hoàn tất", "processing": "Đang xử lý", "withdrawn": "Rút hồ sơ", "refused": "Từ chối"}[d.status]
		}},
	})
	run := func(seedFiles map[string]string) (string, *pipeline.Summary, error) {
		dir := t.TempDir()
		cfg := testwh.Config(t, dir)
		cfg.PII.HMACKey = "wordings"
		cfg.SeedsDir = filepath.Join(dir, "seeds")
		for name, body := range seedFiles {
			testwh.WriteFile(t, cfg.SeedsDir, name, body, time.Time{})
		}
		testwh.WriteFile(t, cfg.Inbox, "hoso.csv", exportCSV(ds, cols), time.Date(2024, 6, 10, 9, 0, 0, 0, time.Local))
		sum, err := pipeline.Run(context.Background(), testwh.Validate(t, cfg), pipeline.WithLogger(testwh.Log(t)))
		return cfg.Warehouse, sum, err
	}
	wh, sum, err := run(map[string]string{
		"headers.csv":   "kind,field,required,rank,alias\r\ndossiers,received_at,true,9,Ngày nộp đơn\r\n",
		"value_map.csv": "domain,value,alias\nstatus,resolved,Đã hoàn tất\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	if loaded, rejected := sum.Rows(); loaded != int64(len(ds)) || rejected != 0 {
		t.Errorf("%d loaded, %d rejected: %+v", loaded, rejected, sum.Files)
	}
	origWH, _ := loadAlone(t, "hoso.csv", exportCSV(ds, originalColumns()))
	sameRows(t, dossierRows(t, wh), dossierRows(t, origWH))
	if got := scalar(t, wh, `SELECT (SELECT count(*) FROM ref.value_map WHERE alias = 'Đã hoàn tất') || ' ' ||
		(SELECT count(*) FROM ref.headers) - (SELECT count(*) FROM ref.headers WHERE alias <> 'Ngày nộp đơn')`); got != "1 1" {
		t.Errorf("ref tables with the added rows: %s", got)
	}

	wh, _, err = run(map[string]string{"value_map.csv": "domain,value,alias\nstatus,resolved,Đã hoàn tất\nstatus,processing,Đã trả kết quả\n"})
	if !errors.Is(err, config.ErrInvalid) || !errors.Is(err, seeds.ErrContradiction) {
		t.Fatalf("a contradicting seed: %v", err)
	}
	for _, w := range []string{"seeds/value_map.csv:3", "seeds/value_map.csv:", "(embedded)", `value="processing"`, `value="resolved"`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%v does not name %s", err, w)
		}
	}
	if _, statErr := os.Stat(wh); !os.IsNotExist(statErr) {
		t.Errorf("a warehouse was published: %v", statErr)
	}
}
