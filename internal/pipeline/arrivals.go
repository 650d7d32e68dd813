package pipeline

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/load"
	"github.com/thanhxuan/cchc/seeds"
)

// ArrivalsFile is the seed in which a data team records when a unit report
// really arrived — on paper, by email, on a USB stick whose copy carries the
// copy's time: unit, period, received_at, note. A recorded arrival wins
// over the file's time and the pull's (marts.report_submissions).
const ArrivalsFile = "arrivals.csv"

// ErrArrival reports a row of the arrivals seed that cannot be used.
var ErrArrival = errors.New("arrivals.csv: dòng không dùng được / unusable row")

// The years of the period calendar (sql/ref/periods.sql generates them).
const calendarFirstYear, calendarLastYear = 2015, 2045

// Layouts of a recorded arrival: with a zone, or a local time
// (Asia/Ho_Chi_Minh), ISO or day-first as the district writes dates.
var (
	zonedLayouts = []string{
		time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04Z07:00",
		"2006-01-02 15:04:05 Z07:00", "2006-01-02 15:04 Z07:00", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04 -0700",
	}
	localLayouts = []string{
		"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02",
		"2/1/2006 15:04:05", "2/1/2006 15:04", "2/1/2006",
	}
	rePeriodCode = regexp.MustCompile(`^(\d{4})-([0-9A-Z]+)$`)
)

// parseArrival reads a recorded arrival: a time with its zone is moved into
// Asia/Ho_Chi_Minh, one without is taken as local time there.
func parseArrival(s string) (time.Time, bool) {
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.In(load.Zone), true
		}
	}
	for _, l := range localLayouts {
		if t, err := time.ParseInLocation(l, s, load.Zone); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// checkArrivals validates the rows of the arrivals seed of set against the
// catalogue — a ward's or department's code, a period of the calendar, a
// time — and writes each row as the ref table loads it: the period code in
// its canonical case and received_at as a local wall time. Every unusable
// row is an error naming its file and line.
func checkArrivals(set *seeds.Set, cat *seeds.Catalog) error {
	f := set.File(ArrivalsFile)
	if f == nil || len(f.Rows) == 0 {
		return nil
	}
	col := map[string]int{}
	for i, h := range f.Header {
		col[h] = i
	}
	for _, h := range []string{"unit", "period", "received_at", "note"} {
		if _, ok := col[h]; !ok {
			return fmt.Errorf("%w: %s: no column %q (unit, period, received_at, note)", ErrArrival, seeds.Source{File: ArrivalsFile, Line: 1, Dir: f.Rows[0].Source.Dir}, h)
		}
	}
	level := map[string]string{}
	for _, u := range cat.Units {
		level[u.Code] = u.Level
	}
	kinds := map[string]string{}
	for _, k := range cat.PeriodKinds {
		kinds[strings.ToUpper(k.Suffix)] = k.Suffix
	}
	units := extract.NewUnits(cat)
	var errs []error
	for i, r := range f.Rows {
		rowBad := false
		bad := func(format string, a ...any) {
			rowBad = true
			errs = append(errs, fmt.Errorf("%w: %s: %s", ErrArrival, r.Source, fmt.Sprintf(format, a...)))
		}
		unit, period, at := r.Fields[col["unit"]], r.Fields[col["period"]], r.Fields[col["received_at"]]
		switch lv, known := level[unit]; {
		case known && lv != "ward" && lv != "department":
			bad("unit %q: chỉ phường và phòng ban gửi báo cáo định kỳ / only wards and departments send unit reports", unit)
		case !known:
			if code, ok := units.Match(unit); ok {
				bad("unit %q: hãy ghi mã đơn vị / write the unit code: %s", unit, code)
			} else {
				bad("unit %q: không phải mã đơn vị (units.csv) / not a unit code", unit)
			}
		}
		if code, ok := calendarPeriod(period, kinds); ok {
			period = code
		} else {
			bad("period %q: không phải kỳ của lịch báo cáo / not a period of the calendar (2024-Q1, 2024-6M, 2024-9M, 2024-Y; years %d–%d)", period, calendarFirstYear, calendarLastYear)
		}
		t, ok := parseArrival(at)
		if !ok {
			bad("received_at %q: không đọc được thời điểm / not a time (2024-03-04 16:30, 04/03/2024 16:30, 2024-03-04T16:30:00+07:00)", at)
		}
		if rowBad {
			continue
		}
		fields := append([]string(nil), r.Fields...)
		fields[col["period"]], fields[col["received_at"]] = period, t.In(load.Zone).Format("2006-01-02 15:04:05")
		f.Rows[i].Fields = fields // a new slice: the rows read from the folder stay as written
	}
	return errors.Join(errs...)
}

// calendarPeriod returns the code of the calendar's period that s names
// (any case), given the period kinds by their upper-case suffix.
func calendarPeriod(s string, kinds map[string]string) (string, bool) {
	m := rePeriodCode.FindStringSubmatch(strings.ToUpper(s))
	if m == nil {
		return "", false
	}
	year, _ := strconv.Atoi(m[1])
	suffix, ok := kinds[m[2]]
	if !ok || year < calendarFirstYear || year > calendarLastYear {
		return "", false
	}
	return m[1] + "-" + suffix, true
}
