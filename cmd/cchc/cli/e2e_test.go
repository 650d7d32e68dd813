package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/internal/testwh"
	"github.com/thanhxuan/cchc/load"
)

// samplesDir finds ../shared/samples beside the checkout (CI lays shared/ there),
// or CCHC_SAMPLES.
func samplesDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("CCHC_SAMPLES"); d != "" {
		return d
	}
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("module root not found")
		}
		dir = parent
	}
	s := filepath.Join(dir, "..", "shared", "samples")
	if _, err := os.Stat(filepath.Join(s, "expected.json")); err != nil {
		t.Skipf("no public samples at %s", s)
	}
	return s
}

// stageSamples copies the sample inbox to dst with the file times of its
// manifest, as ../shared/tools/stage.py does.
func stageSamples(t *testing.T, samples, dst string) {
	t.Helper()
	var manifest struct {
		Files []struct {
			Path  string `json:"path"`
			MTime string `json:"mtime"`
		} `json:"files"`
	}
	b, err := os.ReadFile(filepath.Join(samples, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatal(err)
	}
	for _, f := range manifest.Files {
		src, dstPath := filepath.Join(samples, "inbox", f.Path), filepath.Join(dst, f.Path)
		if err := os.MkdirAll(filepath.Dir(dstPath), 0o755); err != nil {
			t.Fatal(err)
		}
		copyFile(t, src, dstPath)
		mt, err := time.Parse(time.RFC3339, f.MTime)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(dstPath, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

type expected struct {
	Periods   []string `json:"periods"`
	KPIValues []struct {
		Period      string   `json:"period_code"`
		Unit        string   `json:"unit_code"`
		KPI         string   `json:"kpi_code"`
		Numerator   *float64 `json:"numerator"`
		Denominator *float64 `json:"denominator"`
		Value       *float64 `json:"value"`
		Target      *float64 `json:"target"`
		Meets       *bool    `json:"meets_target"`
	} `json:"kpi_values"`
	DossierCount int `json:"dossier_count"`
	Rejects      []struct {
		File string `json:"file"`
		Row  int    `json:"row"`
	} `json:"rejects"`
	FailedFiles       []string `json:"failed_files"`
	ReportSubmissions []struct {
		Period   string `json:"period_code"`
		Unit     string `json:"unit_code"`
		Received bool   `json:"received"`
		OnTime   *bool  `json:"on_time"`
	} `json:"report_submissions"`
	Reconciliation []map[string]any `json:"reconciliation"`
	PIIValues      []string         `json:"pii_values"`
}

func runCLI(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(args, strings.NewReader(""), &out, &errb)
	return out.String() + errb.String(), code
}

// TestSamplesEndToEnd runs the real command on the public samples and checks
// the published warehouse against their expected.json, as the acceptance
// checks do.
func TestSamplesEndToEnd(t *testing.T) {
	t.Parallel()
	samples := samplesDir(t)
	var exp expected
	b, err := os.ReadFile(filepath.Join(samples, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	inbox, wh := filepath.Join(dir, "inbox"), filepath.Join(dir, "warehouse.duckdb")
	stageSamples(t, samples, inbox)
	out, code := runCLI(t, "run", "-q", "--inbox", inbox, "--warehouse", wh)
	if code != ExitOK {
		t.Fatalf("cchc run exit %d:\n%s", code, out)
	}
	db, closeDB, err := load.OpenReadOnly(wh)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()

	t.Run("kpi_values", func(t *testing.T) {
		type row struct {
			num, den, val, tgt sql.NullFloat64
			meets              sql.NullBool
		}
		got := map[string]row{}
		rows, err := db.Query(`SELECT period_code, unit_code, kpi_code, numerator, denominator, value, target, meets_target FROM marts.kpi_values`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var p, u, k string
			var r row
			if err := rows.Scan(&p, &u, &k, &r.num, &r.den, &r.val, &r.tgt, &r.meets); err != nil {
				t.Fatal(err)
			}
			got[p+"|"+u+"|"+k] = r
		}
		rows.Close()
		eq := func(g sql.NullFloat64, w *float64) bool {
			if w == nil || !g.Valid {
				return w == nil && !g.Valid
			}
			return math.Abs(g.Float64-*w) <= 1e-9*math.Max(1, math.Abs(*w))
		}
		want := map[string]bool{}
		bad := 0
		for _, k := range exp.KPIValues {
			key := k.Period + "|" + k.Unit + "|" + k.KPI
			want[key] = true
			g, ok := got[key]
			switch {
			case !ok:
				t.Errorf("missing %s", key)
			case !eq(g.num, k.Numerator) || !eq(g.den, k.Denominator) || !eq(g.val, k.Value) || !eq(g.tgt, k.Target) ||
				g.meets.Valid != (k.Meets != nil) || (k.Meets != nil && g.meets.Bool != *k.Meets):
				t.Errorf("%s: got %v/%v=%v target %v meets %v; want %v/%v=%v target %v meets %v", key,
					g.num, g.den, g.val, g.tgt, g.meets, k.Numerator, k.Denominator, k.Value, k.Target, k.Meets)
			default:
				continue
			}
			if bad++; bad > 10 {
				t.Fatal("too many KPI differences")
			}
		}
		periods := map[string]bool{}
		for _, p := range exp.Periods {
			periods[p] = true
		}
		codes := map[string]bool{}
		for _, k := range exp.KPIValues {
			codes[k.KPI] = true
		}
		for key := range got {
			parts := strings.Split(key, "|")
			if periods[parts[0]] && codes[parts[2]] && !want[key] {
				t.Errorf("unexpected KPI row %s", key)
			}
		}
	})

	t.Run("dossiers_rejects_files", func(t *testing.T) {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM core.dossiers`).Scan(&n); err != nil || n != exp.DossierCount {
			t.Errorf("core.dossiers has %d rows (%v), want %d", n, err, exp.DossierCount)
		}
		for _, r := range exp.Rejects {
			var c int
			db.QueryRow(`SELECT count(*) FROM raw.rejects WHERE file_path = ? AND row_number = ?`, r.File, r.Row).Scan(&c)
			if c == 0 {
				t.Errorf("no reject for %s row %d", r.File, r.Row)
			}
		}
		for _, f := range exp.FailedFiles {
			var st string
			db.QueryRow(`SELECT status FROM raw.files WHERE path = ?`, f).Scan(&st)
			if st != "failed" {
				t.Errorf("%s: status %q, want failed", f, st)
			}
		}
	})

	t.Run("submissions_reconciliation", func(t *testing.T) {
		for _, s := range exp.ReportSubmissions {
			var rec bool
			var onTime sql.NullBool
			err := db.QueryRow(`SELECT received, on_time FROM marts.report_submissions WHERE period_code = ? AND unit_code = ?`, s.Period, s.Unit).Scan(&rec, &onTime)
			if err != nil || rec != s.Received || onTime.Valid != (s.OnTime != nil) || (s.OnTime != nil && onTime.Bool != *s.OnTime) {
				t.Errorf("%s|%s: received %v on_time %v (%v); want %v %v", s.Period, s.Unit, rec, onTime, err, s.Received, s.OnTime)
			}
		}
		for _, e := range exp.Reconciliation {
			cols := []string{"reported_resolved_total", "computed_resolved_total", "reported_resolved_on_time_or_early", "computed_resolved_on_time_or_early"}
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			err := db.QueryRow(fmt.Sprintf(`SELECT %s FROM marts.tthc_reconciliation WHERE period_code = ? AND unit_code = ?`, strings.Join(cols, ", ")),
				e["period_code"], e["unit_code"]).Scan(ptrs...)
			if err != nil {
				t.Errorf("%v|%v: %v", e["period_code"], e["unit_code"], err)
				continue
			}
			for i, c := range cols {
				if fmt.Sprint(vals[i]) != fmt.Sprint(e[c]) {
					t.Errorf("%v|%v %s = %v, want %v", e["period_code"], e["unit_code"], c, vals[i], e[c])
				}
			}
		}
	})

	t.Run("no_personal_data", func(t *testing.T) {
		assertNoPersonalData(t, db, exp.PIIValues)
	})

	t.Run("second_run_changes_nothing", func(t *testing.T) {
		before := testwh.TableDigest(t, db)
		out, code := runCLI(t, "run", "--inbox", inbox, "--warehouse", wh)
		if code != ExitOK {
			t.Fatalf("second run exit %d:\n%s", code, out)
		}
		if !strings.Contains(out, "files: 0 loaded, 0 failed, 0 duplicate, 64 skipped") {
			t.Errorf("second run did not skip every file:\n%s", out)
		}
		db2, close2, err := load.OpenReadOnly(wh)
		if err != nil {
			t.Fatal(err)
		}
		defer close2()
		if after := testwh.TableDigest(t, db2); after != before {
			t.Errorf("warehouse content changed on a re-run:\n%s\nvs\n%s", before, after)
		}
	})
}

// assertNoPersonalData scans every VARCHAR column of every table for the
// applicant values of the input.
func assertNoPersonalData(t *testing.T, db *sql.DB, values []string) {
	t.Helper()
	cols, hits, err := personalDataHits(db, values)
	if err != nil {
		t.Fatal(err)
	}
	if cols < 20 {
		t.Fatalf("only %d text columns found: the scan would prove nothing", cols)
	}
	for _, h := range hits {
		t.Error(h)
	}
}

// personalDataHits scans every text column of db (tables and views) for
// the values, whole or, for a sample of them, inside longer text; it
// returns how many columns it scanned and a line per column holding any.
func personalDataHits(db *sql.DB, values []string) (int, []string, error) {
	ctx := context.Background()
	// One connection: the values are a temporary table of it, parsed once
	// (a list of thousands of literals in each query cost each 20 ms).
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, nil, err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT schema_name, table_name, column_name FROM duckdb_columns()
		WHERE database_name = current_database() AND data_type LIKE 'VARCHAR%' AND schema_name NOT IN ('information_schema', 'pg_catalog')`)
	if err != nil {
		return 0, nil, err
	}
	var cols [][3]string
	for rows.Next() {
		var c [3]string
		if err := rows.Scan(&c[0], &c[1], &c[2]); err != nil {
			rows.Close()
			return 0, nil, err
		}
		cols = append(cols, c)
	}
	rows.Close()
	lits := make([]string, len(values))
	for i, v := range values {
		lits[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE personal_values AS SELECT unnest([`+strings.Join(lits, ",")+`]::VARCHAR[]) AS v`); err != nil {
		return 0, nil, err
	}
	defer conn.ExecContext(ctx, `DROP TABLE IF EXISTS temp.personal_values`)
	// Values inside longer text: a sample of them, as the acceptance check
	// does, as one alternation of literals (RE2 reads a value once for all
	// of them, where a contains() per literal read it 150 times).
	var parts []string
	step := len(values)/150 + 1
	for i := 0; i < len(values); i += step {
		parts = append(parts, regexp.QuoteMeta(values[i]))
	}
	inside := "'" + strings.ReplaceAll(strings.Join(parts, "|"), "'", "''") + "'"
	var hits []string
	for _, c := range cols {
		var n int
		col := `"` + c[2] + `"`
		q := fmt.Sprintf(`SELECT count(*) FROM "%s"."%s" WHERE %s IN (SELECT v FROM temp.personal_values) OR regexp_matches(%s, %s)`, c[0], c[1], col, col, inside)
		if err := conn.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return len(cols), hits, fmt.Errorf("%v: %w", c, err)
		}
		if n > 0 {
			hits = append(hits, fmt.Sprintf("%s.%s.%s holds %d personal values", c[0], c[1], c[2], n))
		}
	}
	return len(cols), hits, nil
}

// TestPersonalDataScanFindsThem: the scan finds a value standing alone
// and one inside longer text, with the characters a pattern would read
// otherwise (a dot, parentheses, a plus, a quote), and nothing else.
func TestPersonalDataScanFindsThem(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE a (x VARCHAR, y VARCHAR, z VARCHAR);
		INSERT INTO a VALUES ('Nguyễn Văn A.', 'clean', 'gọi (+84) 098-123 nhé'), ('clean', 'ngõ O''Hara 12', 'clean');
		CREATE TABLE b (w VARCHAR); INSERT INTO b VALUES ('Nguyễn Văn AB'), ('xx098-123');`); err != nil {
		t.Fatal(err)
	}
	_, hits, err := personalDataHits(db, []string{"Nguyễn Văn A.", "(+84) 098-123", "O'Hara"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"main.a.x holds 1 personal values", "main.a.y holds 1 personal values", "main.a.z holds 1 personal values"}
	if strings.Join(hits, "\n") != strings.Join(want, "\n") {
		t.Errorf("hits\n%s\nwant\n%s", strings.Join(hits, "\n"), strings.Join(want, "\n"))
	}
}
