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
	for _, s := range []string{"15/12/2023", "2024-02-28 10:00", "20240508122400", "45279.7", "31/02/2024", "13/25/2024"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := ParseDateTime(s)
		if err == nil && (tm.Year() < MinYear || tm.Year() > MaxYear) {
			t.Fatalf("ParseDateTime(%q) = %v outside [%d, %d]", s, tm, MinYear, MaxYear)
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
