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
	ErrBadDate      = errors.New("impossible_date")
	ErrNotDayFirst  = errors.New("not_day_first")
	ErrDateRange    = errors.New("date_out_of_range")
	ErrBadNumber    = errors.New("bad_number")
	ErrUnknownValue = errors.New("unknown_value")
)

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
)

// ParseDateTime reads a date or date-time of CONTRACT 3.4 as a wall-clock time in
// Asia/Ho_Chi_Minh, returned with location UTC (the warehouse stores local
// naive timestamps). Accepted: Excel serial numbers (date cells read raw),
// dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd, each with optional
// hh:mm or hh:mm:ss, and the national portal's yyyyMMddHHmmss. Text dates are
// day-first; one that only reads month-first is ErrNotDayFirst, never flipped.
func ParseDateTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if m, ok := matchDMY(s); ok {
		d, mo, y := atoi(m[1]), atoi(m[2]), atoi(m[3])
		if mo > 12 {
			return time.Time{}, fmt.Errorf("%w: %q has no month %d", ErrNotDayFirst, s, mo)
		}
		return civil(y, mo, d, m[4], m[5], m[6], s)
	}
	if m := reYMD.FindStringSubmatch(s); m != nil {
		return civil(atoi(m[1]), atoi(m[2]), atoi(m[3]), m[4], m[5], m[6], s)
	}
	if len(s) == 14 || len(s) == 8 {
		if m := reCompact.FindStringSubmatch(s); m != nil {
			return civil(atoi(m[1]), atoi(m[2]), atoi(m[3]), m[4], m[5], m[6], s)
		}
	}
	if reSerial.MatchString(s) {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: %q", ErrBadDate, s)
		}
		return fromSerial(v, s)
	}
	return time.Time{}, fmt.Errorf("%w: %q is not a date", ErrBadDate, s)
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
		return time.Time{}, fmt.Errorf("%w: %q", ErrDateRange, s)
	}
	days := math.Floor(v)
	// Round the fraction to the second: Excel stores 16:59:59.9999 for 17:00.
	secs := math.Round((v - days) * 86400)
	t := excelEpoch.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
	if t.Year() < MinYear || t.Year() > MaxYear {
		return time.Time{}, fmt.Errorf("%w: %q is %s", ErrDateRange, s, t.Format("2006-01-02"))
	}
	return t, nil
}

func civil(y, mo, d int, hh, mm, ss string, s string) (time.Time, error) {
	h, mi, se := atoi(hh), atoi(mm), atoi(ss)
	if mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59 {
		return time.Time{}, fmt.Errorf("%w: %q", ErrBadDate, s)
	}
	if d > daysIn(mo, y) { // 31/02 does not roll over into March
		return time.Time{}, fmt.Errorf("%w: %q: day %d does not exist in %d/%d", ErrBadDate, s, d, mo, y)
	}
	if y < MinYear || y > MaxYear {
		return time.Time{}, fmt.Errorf("%w: %q", ErrDateRange, s)
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
