// Package transform turns the rows that extract finds into typed Arrow record
// batches, with a reject (file, sheet, row, column, raw value, reason) for every
// row that cannot be loaded. It never opens a database.
package transform

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Sentinel errors of the value parsers. Each reject carries one of them as its
// reason code, so the data team can count rejects by kind.
var (
	ErrBadDate     = errors.New("impossible_date")
	ErrNotDayFirst = errors.New("not_day_first")
	ErrDateRange   = errors.New("date_out_of_range")
	// ErrDateFormat: the text is no date in any format the contract knows
	// (a bad date of its own kind: it wraps ErrBadDate).
	ErrDateFormat   = fmt.Errorf("unknown_date_format: %w", ErrBadDate)
	ErrBadNumber    = errors.New("bad_number")
	ErrUnknownValue = errors.New("unknown_value")
)

// DateError is a text date that cannot be read: what was wrong, in
// Vietnamese and English, for the reject's reason. Err is one of the
// sentinels above.
type DateError struct {
	Value  string
	Err    error
	VI, EN string
}

func (e *DateError) Error() string { return fmt.Sprintf("%v: %q: %s", e.Err, e.Value, e.EN) }
func (e *DateError) Unwrap() error { return e.Err }

// Code returns the reject reason code of the error.
func (e *DateError) Code() string {
	if errors.Is(e.Err, ErrDateFormat) {
		return "unknown_date_format"
	}
	return e.Err.Error()
}

func dateErr(s string, err error, vi, en string) error {
	return &DateError{Value: s, Err: err, VI: vi, EN: en}
}

// DateOrder is the order of day and month in a column's text dates written
// with both before the year (CONTRACT 3.5, the date order of a column).
type DateOrder uint8

// Date orders.
const (
	DayFirst   DateOrder = iota // dd/mm/yyyy, the contract's default
	MonthFirst                  // mm/dd/yyyy, as an English-locale Excel saves CSV
)

// dateReading says how a text date with day and month before the year can be
// read; the date order of a column is decided from its values' readings.
type dateReading uint8

const (
	dayMonthYear    dateReading = 1 << iota // written d/m/yyyy (any separator): the order matters
	readsDayFirst                           // a valid date read day-first
	readsMonthFirst                         // a valid date read month-first
)

// only returns the one order r can be read in, and ok=false when it reads in
// both or neither (or is no d/m/yyyy date).
func (r dateReading) only() (DateOrder, bool) {
	switch r &^ dayMonthYear {
	case readsDayFirst:
		return DayFirst, r&dayMonthYear != 0
	case readsMonthFirst:
		return MonthFirst, r&dayMonthYear != 0
	}
	return DayFirst, false
}

// Excel's serial day 0 is 1899-12-30 (the 1900 leap-year bug included).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// MinYear and MaxYear bound the dates that a dossier can plausibly carry; a date
// outside them is a typing error, not a record.
const (
	MinYear = 1990
	MaxYear = 2100
)

var (
	reDMY     = regexp.MustCompile(`^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$`)
	reYMD     = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$`)
	reCompact = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?$`)
	reSerial  = regexp.MustCompile(`^\d{1,7}(\.\d+)?$`)
	// A time of day, with a 12-hour marker or not: 14:05, 14:05:09,
	// 02:05 CH, 2:05:09PM (SA/AM before noon, CH/PM after).
	clock = `(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:\s*([AaPp][Mm]|[Ss][Aa]|[Cc][Hh]))?`
	// The time before the date (14:05 03/01/2024), or a date whose time
	// carries a 12-hour marker (03/01/2024 02:05:09 CH).
	reTimeFirst   = regexp.MustCompile(`^` + clock + `\s+(\S+)$`)
	reClockMarked = regexp.MustCompile(`^(\S+)[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm]|[Ss][Aa]|[Cc][Hh])$`)
)

// ParseDateTime reads a date or date-time of CONTRACT 3.4 and 3.5 as a
// wall-clock time in Asia/Ho_Chi_Minh, returned with location UTC (the
// warehouse stores local naive timestamps). Accepted: Excel serial numbers
// (date cells read raw), dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy,
// yyyy-mm-dd, each with hh:mm or hh:mm:ss after or before it, a 12-hour
// clock marked SA/CH or AM/PM (12 SA is midnight, 12 CH noon), and the
// national portal's yyyyMMddHHmmss. Text dates are day-first; one that only
// reads month-first is ErrNotDayFirst, never flipped. An error is a
// *DateError saying what was wrong.
func ParseDateTime(s string) (time.Time, error) {
	t, _, err := parseDate(s, DayFirst)
	return t, err
}

// ParseDateTimeOrder is ParseDateTime for a column whose text dates are read
// in order (MonthFirst: 12/19/2023 is the 19th of December).
func ParseDateTimeOrder(s string, order DateOrder) (time.Time, error) {
	t, _, err := parseDate(s, order)
	return t, err
}

// parseDate reads s with day and month in order, and says how a d/m/yyyy
// date could be read whatever order was asked.
func parseDate(s string, order DateOrder) (time.Time, dateReading, error) {
	s = strings.TrimSpace(s)
	if m, ok := matchDMY(s); ok {
		return dmy(atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4]), atoi(m[5]), atoi(m[6]), order, s)
	}
	if m := reYMD.FindStringSubmatch(s); m != nil {
		t, err := civil(atoi(m[1]), atoi(m[2]), atoi(m[3]), m[4], m[5], m[6], s)
		return t, 0, err
	}
	if len(s) == 14 || len(s) == 8 {
		if m := reCompact.FindStringSubmatch(s); m != nil {
			t, err := civil(atoi(m[1]), atoi(m[2]), atoi(m[3]), m[4], m[5], m[6], s)
			return t, 0, err
		}
	}
	if reSerial.MatchString(s) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return time.Time{}, 0, dateErr(s, ErrDateFormat, "không phải số ngày của Excel", "not an Excel date number")
		}
		t, err := fromSerial(v, s)
		return t, 0, err
	}
	if m := reTimeFirst.FindStringSubmatch(s); m != nil {
		return withClock(m[5], m[1], m[2], m[3], m[4], order, s)
	}
	if m := reClockMarked.FindStringSubmatch(s); m != nil {
		return withClock(m[1], m[2], m[3], m[4], m[5], order, s)
	}
	return time.Time{}, 0, dateErr(s, ErrDateFormat,
		"không đúng định dạng ngày nào đã biết (dd/mm/yyyy, yyyy-mm-dd, có giờ hh:mm trước hoặc sau)",
		"unknown date format (dd/mm/yyyy, yyyy-mm-dd, with hh:mm before or after)")
}

// withClock reads a date without time and a time of day written apart
// from it, 24-hour or with a 12-hour marker.
func withClock(date, hh, mm, ss, marker string, order DateOrder, s string) (time.Time, dateReading, error) {
	h, mi, se := atoi(hh), atoi(mm), atoi(ss)
	switch strings.ToLower(marker) {
	case "":
	case "sa", "am":
		if h < 1 || h > 12 {
			return time.Time{}, 0, badClock(s, hh, mm, marker)
		}
		if h == 12 {
			h = 0 // 12 SA is midnight
		}
	case "ch", "pm":
		if h < 1 || h > 12 {
			return time.Time{}, 0, badClock(s, hh, mm, marker)
		}
		if h < 12 {
			h += 12 // 12 CH is noon
		}
	}
	if m, ok := matchDMY(date); ok && m[4] == "" {
		return dmy(atoi(m[1]), atoi(m[2]), atoi(m[3]), h, mi, se, order, s)
	}
	if m := reYMD.FindStringSubmatch(date); m != nil && m[4] == "" && !strings.ContainsAny(date, "Z+") {
		t, err := civilHMS(atoi(m[1]), atoi(m[2]), atoi(m[3]), h, mi, se, s)
		return t, 0, err
	}
	return time.Time{}, 0, dateErr(s, ErrDateFormat,
		"không đúng định dạng ngày nào đã biết (dd/mm/yyyy, yyyy-mm-dd, có giờ hh:mm trước hoặc sau)",
		"unknown date format (dd/mm/yyyy, yyyy-mm-dd, with hh:mm before or after)")
}

func badClock(s, hh, mm, marker string) error {
	return dateErr(s, ErrBadDate, fmt.Sprintf("giờ %s:%s %s không có trên đồng hồ 12 giờ", hh, mm, marker),
		fmt.Sprintf("%s:%s %s is no time of a 12-hour clock", hh, mm, marker))
}

// dmy reads a date written with day and month before the year, in order, and
// says in which orders it could be read.
func dmy(a, b, y, h, mi, se int, order DateOrder, s string) (time.Time, dateReading, error) {
	r := dayMonthYear
	if b >= 1 && b <= 12 && a >= 1 && a <= daysIn(b, y) {
		r |= readsDayFirst
	}
	if a >= 1 && a <= 12 && b >= 1 && b <= daysIn(a, y) {
		r |= readsMonthFirst
	}
	d, mo := a, b
	if order == MonthFirst {
		d, mo = b, a
		if mo > 12 {
			return time.Time{}, r, dateErr(s, ErrBadDate, fmt.Sprintf("không có tháng %d (cột đọc theo tháng/ngày/năm)", mo),
				fmt.Sprintf("no month %d (the column reads month-first)", mo))
		}
	} else if mo > 12 {
		return time.Time{}, r, dateErr(s, ErrNotDayFirst, fmt.Sprintf("không có tháng %d khi đọc theo ngày/tháng/năm", mo),
			fmt.Sprintf("no month %d when read day-first (dd/mm/yyyy)", mo))
	}
	t, err := civilHMS(y, mo, d, h, mi, se, s)
	return t, r, err
}

// matchDMY is reDMY.FindStringSubmatch without the regular expression
// machinery (the day-first form is most of a million-row export's dates);
// FuzzMatchDMY holds the two equal.
func matchDMY(s string) (m [7]string, ok bool) {
	i := 0
	digits := func(min, max int) (string, bool) {
		j := i
		for j < len(s) && j-i < max && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j-i < min {
			return "", false
		}
		d := s[i:j]
		i = j
		return d, true
	}
	sep := func(set string) bool {
		if i < len(s) && strings.IndexByte(set, s[i]) >= 0 {
			i++
			return true
		}
		return false
	}
	m[0] = s
	if m[1], ok = digits(1, 2); !ok || !sep("/.-") {
		return m, false
	}
	if m[2], ok = digits(1, 2); !ok || !sep("/.-") {
		return m, false
	}
	if m[3], ok = digits(4, 4); !ok {
		return m, false
	}
	if i == len(s) {
		return m, true
	}
	// [ T]+ hh:mm (:ss (.fraction)?)?
	start := i
	for i < len(s) && (s[i] == ' ' || s[i] == 'T') {
		i++
	}
	if i == start {
		return m, false
	}
	if m[4], ok = digits(1, 2); !ok || !sep(":") {
		return m, false
	}
	if m[5], ok = digits(2, 2); !ok {
		return m, false
	}
	if i == len(s) {
		return m, true
	}
	if !sep(":") {
		return m, false
	}
	if m[6], ok = digits(2, 2); !ok {
		return m, false
	}
	if i == len(s) {
		return m, true
	}
	if !sep(".") {
		return m, false
	}
	if _, ok = digits(1, len(s)); !ok || i != len(s) {
		return m, false
	}
	return m, true
}

func fromSerial(v float64, s string) (time.Time, error) {
	if v < 1 || v > 2958465 { // 9999-12-31
		return time.Time{}, dateErr(s, ErrDateRange, "số ngày Excel nằm ngoài lịch", "an Excel date number outside the calendar")
	}
	days := math.Floor(v)
	// Round the fraction to the second: Excel stores 16:59:59.9999 for 17:00.
	secs := math.Round((v - days) * 86400)
	t := excelEpoch.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
	if t.Year() < MinYear || t.Year() > MaxYear {
		return time.Time{}, dateErr(s, ErrDateRange, fmt.Sprintf("là ngày %s, nằm ngoài năm %d–%d", t.Format("02/01/2006"), MinYear, MaxYear),
			fmt.Sprintf("is %s, outside the years %d–%d", t.Format("2006-01-02"), MinYear, MaxYear))
	}
	return t, nil
}

func civil(y, mo, d int, hh, mm, ss string, s string) (time.Time, error) {
	return civilHMS(y, mo, d, atoi(hh), atoi(mm), atoi(ss), s)
}

// civilHMS checks a calendar date and time of day and returns it.
func civilHMS(y, mo, d, h, mi, se int, s string) (time.Time, error) {
	switch {
	case mo < 1 || mo > 12:
		return time.Time{}, dateErr(s, ErrBadDate, fmt.Sprintf("không có tháng %d", mo), fmt.Sprintf("there is no month %d", mo))
	case d < 1 || d > daysIn(mo, y): // 31/02 does not roll over into March
		return time.Time{}, dateErr(s, ErrBadDate, fmt.Sprintf("tháng %d/%d không có ngày %d", mo, y, d),
			fmt.Sprintf("day %d does not exist in %d/%d", d, mo, y))
	case h > 23 || mi > 59 || se > 59:
		return time.Time{}, dateErr(s, ErrBadDate, fmt.Sprintf("giờ %02d:%02d:%02d không hợp lệ", h, mi, se),
			fmt.Sprintf("%02d:%02d:%02d is no time of day", h, mi, se))
	case y < MinYear || y > MaxYear:
		return time.Time{}, dateErr(s, ErrDateRange, fmt.Sprintf("năm %d nằm ngoài %d–%d", y, MinYear, MaxYear),
			fmt.Sprintf("year %d outside %d–%d", y, MinYear, MaxYear))
	}
	return time.Date(y, time.Month(mo), d, h, mi, se, 0, time.UTC), nil
}

// daysIn returns the number of days of month mo (1–12) of year y in the
// proleptic Gregorian calendar, as time.Date counts them.
func daysIn(mo, y int) int {
	switch mo {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// atoi reads the digits a date pattern matched (short runs of ASCII digits,
// or empty for 0) without strconv's generality.
func atoi(s string) int {
	if len(s) > 9 {
		n, _ := strconv.Atoi(s)
		return n
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			n, _ := strconv.Atoi(s)
			return n
		}
		n = n*10 + int(c-'0')
	}
	return n
}

var (
	reVNThousands = regexp.MustCompile(`^[1-9]\d{0,2}(\.\d{3})+(,\d+)?$`)
	reENThousands = regexp.MustCompile(`^[1-9]\d{0,2}(,\d{3})+(\.\d+)?$`)
	rePlain       = regexp.MustCompile(`^\d+([.,]\d+)?$`)
)

// ParseNumber reads a count or value as Vietnamese workbooks write it: `1.234`
// and `1.234,5` (dot thousands, comma decimals), `1,5`, raw Excel numbers
// (`0.955`, `1586`), and percentages `95,5%` (returned as the fraction 0.955,
// with percent=true). A leading minus is kept (the caller rejects negative
// counts); anything else — `--5`, `1e309`, `NaN`, words — is ErrBadNumber.
func ParseNumber(s string) (v float64, percent bool, err error) {
	t := strings.TrimSpace(strings.ReplaceAll(s, "\u00a0", " "))
	t = strings.ReplaceAll(t, " ", "")
	if strings.HasSuffix(t, "%") {
		percent = true
		t = strings.TrimSuffix(t, "%")
	}
	neg := false
	if strings.HasPrefix(t, "-") {
		neg = true
		t = t[1:]
	} else if strings.HasPrefix(t, "+") {
		t = t[1:]
	}
	var norm string
	switch {
	case reVNThousands.MatchString(t):
		norm = strings.ReplaceAll(strings.ReplaceAll(t, ".", ""), ",", ".")
	case reENThousands.MatchString(t) && strings.Contains(t, "."):
		norm = strings.ReplaceAll(t, ",", "")
	case rePlain.MatchString(t):
		norm = strings.ReplaceAll(t, ",", ".")
	case strings.ContainsAny(t, "eE") && !strings.ContainsAny(t, ",") && len(t) < 32:
		// Excel writes very small or large raw numbers in E notation.
		f, perr := strconv.ParseFloat(t, 64)
		if perr != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return 0, false, fmt.Errorf("%w: %q", ErrBadNumber, s)
		}
		norm = strconv.FormatFloat(f, 'f', -1, 64)
	default:
		return 0, false, fmt.Errorf("%w: %q", ErrBadNumber, s)
	}
	f, perr := strconv.ParseFloat(norm, 64)
	if perr != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false, fmt.Errorf("%w: %q", ErrBadNumber, s)
	}
	if neg {
		f = -f
	}
	if percent {
		f /= 100
	}
	return f, percent, nil
}
