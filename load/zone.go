package load

import (
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh on machines without a zoneinfo database
)

// Zone is the district's time zone, Asia/Ho_Chi_Minh: the warehouse records
// file, run and pull times in it, and compares dates in it (CONTRACT 2).
var Zone = func() *time.Location {
	l, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return l
}()

// LocalWall returns t as a wall-clock time in Zone with location UTC, which is
// how the warehouse stores its TIMESTAMPs (local time, no zone).
func LocalWall(t time.Time) time.Time {
	l := t.In(Zone)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// FromLocalWall is the inverse of LocalWall: a TIMESTAMP read from the
// warehouse, as the instant it names in Zone.
func FromLocalWall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), Zone)
}
