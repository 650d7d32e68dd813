package transform

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseDateTime(t *testing.T) {
	d := func(y, m, dd, h, mi, s int) time.Time { return time.Date(y, time.Month(m), dd, h, mi, s, 0, time.UTC) }
	tests := []struct {
		in      string
		want    time.Time
		wantErr error
	}{
		{"15/12/2023", d(2023, 12, 15, 0, 0, 0), nil},
		{"4/1/2024", d(2024, 1, 4, 0, 0, 0), nil},
		{"20-02-2024", d(2024, 2, 20, 0, 0, 0), nil},
		{"13.03.2024", d(2024, 3, 13, 0, 0, 0), nil},
		{"2024-02-28", d(2024, 2, 28, 0, 0, 0), nil},
		{"16/02/2024 09:39:52", d(2024, 2, 16, 9, 39, 52), nil},
		{"16/02/2024 09:39", d(2024, 2, 16, 9, 39, 0), nil},
		{"2024-02-16 09:39:52", d(2024, 2, 16, 9, 39, 52), nil},
		{"20240508122400", d(2024, 5, 8, 12, 24, 0), nil},
		{"45279.70833333334", d(2023, 12, 19, 17, 0, 0), nil}, // Excel serial, 17:00
		{"45331", d(2024, 2, 9, 0, 0, 0), nil},
		{" 28/11/2023\u00a0", d(2023, 11, 28, 0, 0, 0), nil},
		{"31/02/2024", time.Time{}, ErrBadDate},
		{"13/25/2024", time.Time{}, ErrNotDayFirst},
		{"12/25/2024", time.Time{}, ErrNotDayFirst},
		{"32/01/2024", time.Time{}, ErrBadDate},
		{"01/01/1800", time.Time{}, ErrDateRange},
		{"99999999", time.Time{}, ErrBadDate},
		{"hôm qua", time.Time{}, ErrBadDate},
		{"", time.Time{}, ErrBadDate},
		{"0.5", time.Time{}, ErrDateRange},
		// CONTRACT 3.5: the time before the date, 12-hour clocks.
		{"14:05 03/01/2024", d(2024, 1, 3, 14, 5, 0), nil},
		{"14:05:09 03/01/2024", d(2024, 1, 3, 14, 5, 9), nil},
		{"16:30 15/12/2023", d(2023, 12, 15, 16, 30, 0), nil},
		{"03/01/2024 02:05:09 CH", d(2024, 1, 3, 14, 5, 9), nil},
		{"02:05 CH 03/01/2024", d(2024, 1, 3, 14, 5, 0), nil},
		{"15/12/2023 04:30:00 CH", d(2023, 12, 15, 16, 30, 0), nil},
		{"15/12/2023 04:30:00 PM", d(2023, 12, 15, 16, 30, 0), nil},
		{"15/12/2023 4:30PM", d(2023, 12, 15, 16, 30, 0), nil},
		{"15/12/2023 09:15 SA", d(2023, 12, 15, 9, 15, 0), nil},
		{"15/12/2023 09:15 am", d(2023, 12, 15, 9, 15, 0), nil},
		{"15/12/2023 12:10 SA", d(2023, 12, 15, 0, 10, 0), nil},  // 12 SA is midnight
		{"15/12/2023 12:10 CH", d(2023, 12, 15, 12, 10, 0), nil}, // 12 CH is noon
		{"12:00 AM 2024-01-03", d(2024, 1, 3, 0, 0, 0), nil},
		{"2024-01-03 01:00 PM", d(2024, 1, 3, 13, 0, 0), nil},
		{"15/12/2023 14:30 CH", time.Time{}, ErrBadDate}, // no 14 on a 12-hour clock
		{"15/12/2023 00:30 SA", time.Time{}, ErrBadDate},
		{"25:00 15/12/2023", time.Time{}, ErrBadDate},
		{"16:30 31/02/2024", time.Time{}, ErrBadDate},
		{"16:30 12/25/2024", time.Time{}, ErrNotDayFirst},
		{"hôm qua", time.Time{}, ErrDateFormat},
		{"15/12/2023 lúc 16:30", time.Time{}, ErrDateFormat},
		{"16:30", time.Time{}, ErrDateFormat},
	}
	for _, tt := range tests {
		got, err := ParseDateTime(tt.in)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("ParseDateTime(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseDateTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// TestDateRejectsSayWhatWasWrong: an unknown format is not an invalid date,
// and each error says which it is, quoting the value.
func TestDateRejectsSayWhatWasWrong(t *testing.T) {
	tests := []struct{ in, code, en string }{
		{"hôm qua", "unknown_date_format", "unknown date format"},
		{"31/02/2024", "impossible_date", "day 31 does not exist in 2/2024"},
		{"13/25/2024", "not_day_first", "no month 25 when read day-first"},
		{"01/01/1800", "date_out_of_range", "year 1800 outside 1990–2100"},
		{"03/01/2024 13:05 CH", "impossible_date", "13:05 CH is no time of a 12-hour clock"},
		{"03/01/2024 10:65", "impossible_date", "10:65:00 is no time of day"},
	}
	for _, tt := range tests {
		_, err := ParseDateTime(tt.in)
		var de *DateError
		if !errors.As(err, &de) || de.Code() != tt.code || !strings.Contains(de.EN, tt.en) || de.VI == "" || de.Value != tt.in ||
			!strings.Contains(err.Error(), fmt.Sprintf("%q", tt.in)) {
			t.Errorf("ParseDateTime(%q) = %v (%+v), want %s: %s", tt.in, err, de, tt.code, tt.en)
		}
	}
}

// TestDateReadings: how a d/m/yyyy date reads in either order, which the
// date order of a column is decided from.
func TestDateReadings(t *testing.T) {
	tests := []struct {
		in   string
		only DateOrder
		one  bool // reads in one order only
	}{
		{"19/12/2023", DayFirst, true},
		{"12/19/2023 17:00", MonthFirst, true},
		{"16:30 12/19/2023", MonthFirst, true},
		{"05/06/2024", DayFirst, false}, // both
		{"31/02/2024", DayFirst, false}, // neither
		{"02/30/2024", DayFirst, false}, // neither
		{"2024-12-19", DayFirst, false}, // the year first: no question of order
		{"45279.7", DayFirst, false},
	}
	for _, tt := range tests {
		_, r, _ := parseDate(tt.in, DayFirst)
		only, one := r.only()
		if one != tt.one || one && only != tt.only {
			t.Errorf("%q reads %08b: only %v %v, want %v %v", tt.in, r, only, one, tt.only, tt.one)
		}
	}
	got, err := ParseDateTimeOrder("12/19/2023 17:00", MonthFirst)
	if err != nil || !got.Equal(time.Date(2023, 12, 19, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("month-first: %v, %v", got, err)
	}
	got, err = ParseDateTimeOrder("05/06/2024", MonthFirst)
	if err != nil || !got.Equal(time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("month-first 05/06/2024: %v, %v", got, err)
	}
	if _, err := ParseDateTimeOrder("19/12/2023", MonthFirst); !errors.Is(err, ErrBadDate) {
		t.Errorf("a day-first date in a month-first column: %v", err)
	}
}

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in      string
		want    float64
		percent bool
		bad     bool
	}{
		{"1.234", 1234, false, false},
		{"1.586", 1586, false, false},
		{"14.228", 14228, false, false},
		{"1.234,5", 1234.5, false, false},
		{"1,5", 1.5, false, false},
		{"0.955", 0.955, false, false},
		{"1586", 1586, false, false},
		{"\u00a0280 ", 280, false, false},
		{"95,5%", 0.955, true, false},
		{"100%", 1, true, false},
		{"1,234.5", 1234.5, false, false},
		{"-5", -5, false, false},
		{"1.2E-3", 0.0012, false, false},
		{"--5", 0, false, true},
		{"1e309", 0, false, true},
		{"NaN", 0, false, true},
		{"Inf", 0, false, true},
		{"", 0, false, true},
		{"mười", 0, false, true},
		{"1.23.4", 0, false, true},
	}
	for _, tt := range tests {
		got, pct, err := ParseNumber(tt.in)
		if tt.bad {
			if !errors.Is(err, ErrBadNumber) {
				t.Errorf("ParseNumber(%q) = %v, %v; want ErrBadNumber", tt.in, got, err)
			}
			continue
		}
		if err != nil || math.Abs(got-tt.want) > 1e-9 || pct != tt.percent {
			t.Errorf("ParseNumber(%q) = %v, %v, %v; want %v, %v", tt.in, got, pct, err, tt.want, tt.percent)
		}
	}
}

func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{"15/12/2023", "2024-02-28 10:00", "20240508122400", "45279.7", "31/02/2024", "13/25/2024",
		"16:30 15/12/2023", "15/12/2023 04:30:00 CH", "12:00 AM 2024-01-03"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseDateTime(s)
		if err == nil && (tm.Year() < MinYear || tm.Year() > MaxYear) {
			t.Fatalf("ParseDateTime(%q) = %v outside [%d, %d]", s, tm, MinYear, MaxYear)
		}
		var de *DateError
		if err != nil && (!errors.As(err, &de) || de.VI == "" || de.EN == "") {
			t.Fatalf("ParseDateTime(%q): %v is no DateError that says what was wrong", s, err)
		}
		// Read month-first, a date that reads in both orders swaps day and
		// month; one that reads in one order only is read so or rejected.
		_, r, _ := parseDate(s, DayFirst)
		tm2, err2 := ParseDateTimeOrder(s, MonthFirst)
		if both := r&readsDayFirst != 0 && r&readsMonthFirst != 0; both && ((err == nil) != (err2 == nil) ||
			err == nil && (tm.Day() != int(tm2.Month()) || int(tm.Month()) != tm2.Day())) {
			t.Fatalf("%q: day-first %v %v, month-first %v %v", s, tm, err, tm2, err2)
		}
		// Never read in an order the date itself contradicts.
		if r&dayMonthYear != 0 && (err == nil && r&readsDayFirst == 0 || err2 == nil && r&readsMonthFirst == 0) {
			t.Fatalf("%q reads %08b: day-first %v %v, month-first %v %v", s, r, tm, err, tm2, err2)
		}
		if r&dayMonthYear == 0 && (err == nil) != (err2 == nil) {
			t.Fatalf("%q (no d/m/yyyy date): day-first %v, month-first %v", s, err, err2)
		}
	})
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"1.234", "1.234,5", "95,5%", "--5", "1e309", "NaN", "0.955"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, _, err := ParseNumber(s)
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("ParseNumber(%q) = %v", s, v)
		}
	})
}

// FuzzMatchDMY: the hand-written matcher of day-first dates agrees with the
// regular expression it replaces, groups included.
func FuzzMatchDMY(f *testing.F) {
	for _, s := range []string{"19/02/2024", "19/02/2024 16:12:40", "1.2.2024 7:05", "01-02-2024T07:05:09.123", "1/2/24", "19/02/2024 16:12:", "19/02/2024  16:12", "19/02/20245", "١٩/02/2024"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := reDMY.FindStringSubmatch(s)
		got, ok := matchDMY(s)
		if ok != (want != nil) {
			t.Fatalf("matchDMY(%q) = %v, regexp %v", s, ok, want != nil)
		}
		if ok && strings.Join(got[:], "|") != strings.Join(want, "|") {
			t.Fatalf("matchDMY(%q) = %q, regexp %q", s, got, want)
		}
	})
}

// FuzzCivil: civil's calendar check agrees with time.Date's own (a date
// that rolls over into the next month does not exist), and sameOrBefore's
// day numbers with comparing the dates themselves.
func FuzzCivil(f *testing.F) {
	f.Add(2024, 2, 29, 1, 2, int64(0), int64(86399))
	f.Add(2023, 2, 29, 23, 59, int64(-1), int64(0))
	f.Add(1900, 2, 29, 0, 0, int64(-86401), int64(-86400))
	f.Add(2000, 12, 31, 12, 30, int64(1e12), int64(-1e12))
	f.Fuzz(func(t *testing.T, y, mo, d, h, mi int, a, b int64) {
		s := fmt.Sprintf("%d/%d/%d", d, mo, y)
		got, err := civil(y, mo, d, strconv.Itoa(h), strconv.Itoa(mi), "", s)
		if mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && y >= MinYear && y <= MaxYear {
			want := time.Date(y, time.Month(mo), d, h, mi, 0, 0, time.UTC)
			exists := want.Day() == d && int(want.Month()) == mo
			if exists != (err == nil) || exists && !got.Equal(want) {
				t.Fatalf("civil(%d, %d, %d) = %v, %v; time.Date gives %v", y, mo, d, got, err, want)
			}
		}
		for _, loc := range []*time.Location{time.UTC, time.FixedZone("ICT", 7*3600), time.FixedZone("W", -5*3600-1800)} {
			ta, tb := time.Unix(a%(1<<40), 0).In(loc), time.Unix(b%(1<<40), 0).In(loc)
			ya, ma, da := ta.Date()
			yb, mb, db := tb.Date()
			want := time.Date(ya, ma, da, 0, 0, 0, 0, time.UTC).Compare(time.Date(yb, mb, db, 0, 0, 0, 0, time.UTC)) <= 0
			if got := sameOrBefore(ta, tb); got != want {
				t.Fatalf("sameOrBefore(%v, %v) = %v", ta, tb, got)
			}
		}
	})
}
