package cli

import (
	"database/sql"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/cmd/cchc/gen"
	"github.com/thanhxuan/cchc/load"
	"github.com/thanhxuan/cchc/transform"
)

// TestGeneratedEndToEnd runs the real command on inboxes of the project's own
// generator (every tolerance of CONTRACT 3.4, planted bad rows, junk files, a
// byte copy, re-sent reports) and compares the warehouse with the generator's
// ground truth, row by row.
func TestGeneratedEndToEnd(t *testing.T) {
	t.Parallel()
	for _, seed := range []int64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed%d", seed), func(t *testing.T) {
			t.Parallel() // each seed its own inbox, warehouse and configuration
			dir := t.TempDir()
			inbox, wh := filepath.Join(dir, "inbox"), filepath.Join(dir, "wh.duckdb")
			opt := gen.Default()
			opt.Seed, opt.DossiersPerUnit = seed, 60
			truth, err := gen.Generate(inbox, opt)
			if err != nil {
				t.Fatal(err)
			}
			// The pseudonym key from a configuration file, not the
			// environment, which parallel tests share.
			key := "test-key-not-secret"
			if k := os.Getenv("CCHC_PII_HMAC_KEY"); k != "" {
				key = k // the environment wins over the file
			}
			cfg := filepath.Join(dir, "cchc.yaml")
			if err := os.WriteFile(cfg, []byte("pii:\n  hmac_key: "+key+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			out, code := runCLI(t, "run", "-q", "--config", cfg, "--inbox", inbox, "--warehouse", wh)
			if code != ExitOK {
				t.Fatalf("exit %d:\n%s", code, out)
			}
			db, closeDB, err := load.OpenReadOnly(wh)
			if err != nil {
				t.Fatal(err)
			}
			defer closeDB()
			checkDossiers(t, db, truth, transform.NewPseudonymizer([]byte(key)))
			checkRejectsAndFiles(t, db, truth)
			checkReports(t, db, truth)
			assertNoPersonalData(t, db, truth.PersonalValues)
		})
	}
}

// logFiles logs raw.files, to tell a file that did not load from rows that
// went missing.
func logFiles(t *testing.T, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`SELECT path, status, coalesce(message, '') FROM raw.files ORDER BY path`)
	if err != nil {
		t.Log(err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var path, status, msg string
		if rows.Scan(&path, &status, &msg) == nil {
			t.Logf("raw.files: %s %s %s", path, status, msg)
		}
	}
}

func day(t sql.NullTime) string {
	if !t.Valid {
		return ""
	}
	return t.Time.Format("2006-01-02")
}

func civil(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func checkDossiers(t *testing.T, db *sql.DB, truth *gen.Truth, pseudo *transform.Pseudonymizer) {
	t.Helper()
	rows, err := db.Query(`SELECT dossier_id, unit_code, field_group, received_date, due_date, completed_date, channel,
		coalesce(service_level, ''), status, coalesce(timeliness, ''), coalesce(result_digitized::VARCHAR, ''),
		coalesce(eid_verified::VARCHAR, ''), coalesce(applicant_key, ''), coalesce(reported_timeliness, '') FROM core.dossiers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]string{}
	for rows.Next() {
		var id, unit, group, ch, lvl, st, tl, ak, rt string
		var rec, due, done sql.NullTime
		var dig, eid string
		if err := rows.Scan(&id, &unit, &group, &rec, &due, &done, &ch, &lvl, &st, &tl, &dig, &eid, &ak, &rt); err != nil {
			t.Fatal(err)
		}
		got[id] = fmt.Sprintf("%q", []string{unit, group, day(rec), day(due), day(done), ch, lvl, st, tl, dig, eid, ak, rt})
	}
	bad := 0
	for _, d := range truth.Dossiers {
		want := fmt.Sprintf("%q", []string{d.UnitCode, d.FieldGroup, civil(d.ReceivedDate), civil(d.DueDate), civil(d.CompletedDate),
			d.Channel, d.ServiceLevel, d.Status, d.Timeliness, d.ResultDigitized, d.EIDVerified, pseudo.Key(d.ApplicantID), d.ReportedTimeliness})
		if g, ok := got[d.DossierID]; !ok {
			t.Errorf("dossier %s (from %s) missing", d.DossierID, d.SourceFile)
			bad++
		} else if g != want {
			t.Errorf("dossier %s (from %s):\n got %s\nwant %s", d.DossierID, d.SourceFile, g, want)
			bad++
		}
		if bad > 10 {
			logFiles(t, db)
			t.Fatal("too many differences")
		}
	}
	if len(got) != len(truth.Dossiers) {
		t.Errorf("core.dossiers has %d rows, truth %d", len(got), len(truth.Dossiers))
	}
	// A resolved dossier whose status cell states another timeliness than
	// its dates is listed, and warned of.
	disagree := 0
	for _, d := range truth.Dossiers {
		if d.Status == "resolved" && d.ReportedTimeliness != "" && d.ReportedTimeliness != d.Timeliness {
			disagree++
		}
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM marts.timeliness_disagreements`).Scan(&n); err != nil || n != disagree || disagree == 0 {
		t.Errorf("marts.timeliness_disagreements has %d rows (%v), truth %d", n, err, disagree)
	}
	// A file saved month-first says so, for each date column.
	for _, f := range truth.Files {
		var msg string
		if db.QueryRow(`SELECT coalesce(message, '') FROM raw.files WHERE path = ? AND status = 'loaded'`, f.Path).Scan(&msg) != nil {
			continue // failed, or the copy of a file loaded under another name
		}
		if month := slices.Contains(f.Quirks, "date_month_first"); month != (strings.Count(msg, "read month-first") == 3) {
			t.Errorf("%s (month-first %v): %s", f.Path, month, msg)
		}
	}
}

func checkRejectsAndFiles(t *testing.T, db *sql.DB, truth *gen.Truth) {
	t.Helper()
	rows, err := db.Query(`SELECT DISTINCT file_path, row_number FROM raw.rejects`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for rows.Next() {
		var f string
		var r int
		rows.Scan(&f, &r)
		got[fmt.Sprintf("%s:%d", f, r)] = true
	}
	rows.Close()
	want := map[string]bool{}
	for _, r := range truth.Rejects {
		k := fmt.Sprintf("%s:%d", r.File, r.Row)
		want[k] = true
		if !got[k] {
			t.Errorf("no reject for %s row %d (%s, %s = %q)", r.File, r.Row, r.Reason, r.Column, r.Value)
		}
	}
	for k := range got {
		if !want[k] {
			var reason string
			f, r, _ := strings.Cut(k, ":")
			db.QueryRow(`SELECT string_agg(reason, '; ') FROM raw.rejects WHERE file_path = ? AND row_number = ?`, f, r).Scan(&reason)
			t.Errorf("unexpected reject %s: %s", k, reason)
		}
	}
	status := map[string]string{}
	rows, err = db.Query(`SELECT path, status, coalesce(message, '') FROM raw.files`)
	if err != nil {
		t.Fatal(err)
	}
	msgs := map[string]string{}
	for rows.Next() {
		var p, s, m string
		rows.Scan(&p, &s, &m)
		status[p], msgs[p] = s, m
	}
	rows.Close()
	dupes := 0
	for _, f := range truth.Files {
		st := status[f.Path]
		switch {
		case f.ExpectFailed && st != "failed":
			t.Errorf("%s: status %q, want failed", f.Path, st)
		case !f.ExpectFailed && st == "failed":
			t.Errorf("%s: failed: %s", f.Path, msgs[f.Path])
		case st == "":
			t.Errorf("%s: not in raw.files", f.Path)
		}
		if st == "duplicate" {
			dupes++
		}
	}
	if dupes != 1 {
		t.Errorf("%d duplicate files, want 1", dupes)
	}
}

func checkReports(t *testing.T, db *sql.DB, truth *gen.Truth) {
	t.Helper()
	got := map[string]float64{}
	rows, err := db.Query(`SELECT unit_code, period_code, indicator_code, value FROM core.indicator_values`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u, p, i string
		var v float64
		rows.Scan(&u, &p, &i, &v)
		got[u+"|"+p+"|"+i] = v
	}
	rows.Close()
	for _, i := range truth.Indicators {
		k := i.UnitCode + "|" + i.PeriodCode + "|" + i.IndicatorCode
		if v, ok := got[k]; !ok {
			t.Errorf("indicator %s (%s row %d) missing", k, i.File, i.Row)
		} else if math.Abs(v-i.Value) > 1e-9 {
			t.Errorf("indicator %s = %v, want %v (%s row %d)", k, v, i.Value, i.File, i.Row)
		}
	}
	if len(got) != len(truth.Indicators) {
		var extra []string
		want := map[string]bool{}
		for _, i := range truth.Indicators {
			want[i.UnitCode+"|"+i.PeriodCode+"|"+i.IndicatorCode] = true
		}
		for k := range got {
			if !want[k] {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		t.Errorf("core.indicator_values has %d rows, truth %d; extra %v", len(got), len(truth.Indicators), extra)
	}
	sums := map[string]string{}
	rows, err = db.Query(`SELECT unit_code, period_code, field, received_total, received_online, received_counter_postal, carried_over,
		resolved_total, resolved_early, resolved_on_time, resolved_late, in_progress_total, in_progress_within_deadline, in_progress_overdue, consistent
		FROM core.tthc_summary`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var u, p, f string
		var c [11]sql.NullFloat64
		var ok bool
		rows.Scan(&u, &p, &f, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8], &c[9], &c[10], &ok)
		var s []string
		for _, x := range c {
			s = append(s, fmt.Sprint(int(x.Float64)))
		}
		sums[u+"|"+p+"|"+f] = strings.Join(s, " ") + fmt.Sprint(" ", ok)
	}
	rows.Close()
	for _, s := range truth.Summaries {
		k := s.UnitCode + "|" + s.PeriodCode + "|" + s.Field
		want := fmt.Sprint(s.ReceivedTotal, s.ReceivedOnline, s.ReceivedCounterPostal, s.CarriedOver, s.ResolvedTotal, s.ResolvedEarly,
			s.ResolvedOnTime, s.ResolvedLate, s.InProgressTotal, s.InProgressWithinDeadline, s.InProgressOverdue, s.Consistent)
		want = strings.ReplaceAll(fmt.Sprintln(s.ReceivedTotal, s.ReceivedOnline, s.ReceivedCounterPostal, s.CarriedOver, s.ResolvedTotal, s.ResolvedEarly,
			s.ResolvedOnTime, s.ResolvedLate, s.InProgressTotal, s.InProgressWithinDeadline, s.InProgressOverdue, s.Consistent), "\n", "")
		if sums[k] != want {
			t.Errorf("Biểu 06 %s (%s row %d) = %q, want %q", k, s.File, s.Row, sums[k], want)
		}
	}
	if len(sums) != len(truth.Summaries) {
		t.Errorf("core.tthc_summary has %d rows, truth %d", len(sums), len(truth.Summaries))
	}
}
