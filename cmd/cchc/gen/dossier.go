package gen

import (
	"fmt"
	"time"
)

// dossier is one dossier as the one-stop-shop system knows it. Times are wall
// clock in Asia/Ho_Chi_Minh, kept in UTC so that their date is the local date.
type dossier struct {
	id        string
	u         *unit
	field     string
	proc      procedure
	received  time.Time
	due       time.Time
	completed time.Time // zero when none
	channel   string
	level     string
	status    string
	digitized bool
	eid       bool
	name      string
	cccd      string
	phone     string
	addr      string
}

// nextID hands out the unit's next dossier number: the portal numbers dossiers
// per agency, so ids stay unique across units by their H-prefix.
func (g *generator) nextID(r *rng, u *unit) string {
	if g.seq[u.Code] == 0 {
		g.seq[u.Code] = r.between(1, 40)
	}
	g.seq[u.Code] += 1 + r.intn(3)
	return fmt.Sprintf("H%d.%d-%s-%06d", u.Num, g.opt.Year, pick(r, []string{"A", "B", "C"}), g.seq[u.Code])
}

// workday moves a date off the weekend, towards earlier days when back is set.
func workday(t time.Time, back bool) time.Time {
	for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		if back {
			t = t.AddDate(0, 0, -1)
		} else {
			t = t.AddDate(0, 0, 1)
		}
	}
	return t
}

func addWorkdays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			n--
		}
	}
	return t
}

func atClock(day time.Time, minutes, secs int) time.Time {
	return dateOf(day).Add(time.Duration(minutes)*time.Minute + time.Duration(secs)*time.Second)
}

// newDossier draws one dossier of unit u received in [g.from, g.to), and its
// fate as known at the export.
func (g *generator) newDossier(r *rng, u *unit) *dossier {
	d := &dossier{id: g.nextID(r, u), u: u}
	d.field = pick(r, u.Field)
	d.proc = pick(r, procedures[d.field])
	days := int(g.to.Sub(g.from).Hours() / 24)
	day := workday(g.from.AddDate(0, 0, r.intn(days)), true)
	if day.Before(g.from) {
		day = workday(g.from, false)
	}
	d.received = atClock(day, r.between(7*60+30, 17*60), r.intn(60))
	d.due = atClock(addWorkdays(day, max(1, d.proc.Days+r.between(-1, 1))), 17*60, 0)

	switch r.weighted(55, 40, 5) {
	case 0:
		d.channel = "online"
		d.eid = r.chance(0.6)
	case 1:
		d.channel = "counter"
	default:
		d.channel = "postal"
	}
	d.level = d.proc.Level
	if r.chance(0.1) {
		d.level = pick(r, []string{"full", "partial", "none"})
	}
	d.name, d.cccd, d.phone, d.addr = personName(r), cccdNumber(r), phoneNumber(r), address(r)

	switch r.weighted(88, 3, 3, 3, 3) {
	case 1:
		d.status = "withdrawn"
	case 2:
		d.status = "refused"
	case 3:
		d.status = "processing" // stuck: waiting for documents, possibly overdue
	case 4:
		d.status = "resolved"
		d.completed = d.after(r, d.due.AddDate(0, 0, r.between(1, 6)))
	default:
		d.status = "resolved"
		if r.chance(0.64) && dateOf(d.due).After(dateOf(d.received)) {
			span := int(dateOf(d.due).Sub(dateOf(d.received)).Hours() / 24)
			d.completed = d.after(r, dateOf(d.received).AddDate(0, 0, r.intn(span)))
		} else {
			d.completed = d.after(r, d.due)
		}
	}
	if (d.status == "withdrawn" || d.status == "refused") && r.chance(0.5) {
		d.completed = d.after(r, d.received)
	}
	// What has not happened by the export is still in progress.
	if !d.completed.IsZero() && !d.completed.Before(g.export.Truncate(24*time.Hour)) {
		d.status, d.completed = "processing", time.Time{}
	}
	d.digitized = d.status == "resolved" && r.chance(0.62)
	return d
}

// after returns a time on day (or later the same day) that is not before the
// receipt, so a same-day completion never precedes its receipt.
func (d *dossier) after(r *rng, day time.Time) time.Time {
	t := atClock(day, r.between(8*60, 17*60), r.intn(60))
	if t.Before(d.received) {
		t = d.received.Add(time.Duration(r.between(10, 90)) * time.Minute)
	}
	return t
}

// asOf returns the dossier as an export taken at t showed it: what was not
// finished by then was still in progress.
func (d *dossier) asOf(t time.Time) *dossier {
	c := *d
	if !c.completed.IsZero() && !c.completed.Before(t) {
		c.status, c.completed, c.digitized = "processing", time.Time{}, false
	}
	return &c
}

func (g *generator) makeDossiers() {
	for _, u := range g.units {
		r := newRNG(g.opt.Seed, "dossiers", u.Code)
		list := make([]*dossier, g.opt.DossiersPerUnit)
		for i := range list {
			list[i] = g.newDossier(r, u)
		}
		g.dossier[u.Code] = list
	}
}

// Reason codes of planted bad rows.
const (
	rImpossibleDate     = "impossible_date"
	rNotDayFirst        = "not_day_first"
	rCompletedBefore    = "completed_before_received"
	rDueBefore          = "due_before_received"
	rResolvedNoComplete = "resolved_without_completion"
	rUnknownChannel     = "unknown_channel"
	rUnknownUnit        = "unknown_unit"
	rUnknownStatus      = "unknown_status"
	rNegative           = "negative_value"
	rNumAboveDen        = "numerator_above_denominator"
)

var dossierReasons = []string{rImpossibleDate, rNotDayFirst, rCompletedBefore, rDueBefore,
	rResolvedNoComplete, rUnknownChannel, rUnknownUnit, rUnknownStatus}

// item is one data row of a dossier export: a dossier version, or a planted
// bad row whose fault sits in column col with text val.
type item struct {
	d      *dossier
	reason string
	col    string
	val    string
	over   map[string]string // column → text written instead of the dossier's value
}

// plant builds a bad row that fails for exactly one reason, so the reject the
// warehouse records can be compared one to one.
func (g *generator) plant(r *rng, u *unit, reason string) item {
	var d *dossier
	for d == nil || d.status != "resolved" || !dateOf(d.due).After(dateOf(d.received)) {
		d = g.newDossier(r, u)
	}
	it := item{d: d, reason: reason, over: map[string]string{}}
	y := d.received.Year()
	switch reason {
	case rImpossibleDate:
		it.col = pick(r, []string{"received_at", "due_at", "completed_at"})
		day := pick(r, [][2]int{{30, 2}, {31, 2}, {31, 4}, {31, 6}, {31, 9}, {31, 11}})
		it.val = fmt.Sprintf("%02d%s%02d%s%d", day[0], sep(r), day[1], sep(r), y)
	case rNotDayFirst:
		// Typed month-first: readable only as mm/dd, which day-first rejects.
		rd := d.received
		if rd.Day() <= 12 {
			rd = time.Date(rd.Year(), rd.Month(), rd.Day()+12, rd.Hour(), rd.Minute(), 0, 0, time.UTC)
			d.received = rd
			if !d.due.After(rd) {
				d.due = atClock(addWorkdays(rd, 3), 17*60, 0)
			}
			d.completed = d.after(r, d.due)
		}
		it.col = "received_at"
		it.val = fmt.Sprintf("%02d/%02d/%d", int(rd.Month()), rd.Day(), rd.Year())
	case rCompletedBefore:
		it.col = "completed_at"
		c := d.received.AddDate(0, 0, -r.between(2, 6))
		it.val = c.Format("02/01/2006")
	case rDueBefore:
		it.col = "due_at"
		d.status, d.completed, d.digitized = "processing", time.Time{}, false
		it.val = d.received.AddDate(0, 0, -r.between(1, 5)).Format("02/01/2006")
	case rResolvedNoComplete:
		it.col = "completed_at"
		d.completed = time.Time{}
	case rUnknownChannel:
		it.col, it.val = "channel", pick(r, unknownChannels)
	case rUnknownUnit:
		it.col, it.val = "unit", pick(r, foreignUnits)
	case rUnknownStatus:
		it.col, it.val = "status", pick(r, unknownStatuses)
	}
	if it.val != "" {
		it.over[it.col] = it.val
	}
	return it
}

func sep(r *rng) string { return pick(r, []string{"/", "-", "."}) }
