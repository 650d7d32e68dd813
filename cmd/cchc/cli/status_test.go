package cli

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/render"
	"github.com/thanhxuan/cchc/internal/warehouse"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenFile compares got with testdata/DIR/NAME, or writes it there with
// -update; it names the first line that differs.
func goldenFile(t *testing.T, dir, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", dir, name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s differs from line %d on (run with -update to accept):\n got: %s\nwant: %s", file, i+1, g, w)
			return
		}
	}
}

// statusGolden are the statuses that internal/warehouse reads from its test
// warehouse, as its golden files hold them, and the text files here that
// print them.
var statusGolden = map[string]string{
	"../../../internal/warehouse/testdata/status/missing_late.json": "missing_late.txt",
	"../../../internal/warehouse/testdata/status/period_q1.json":    "period_q1.txt",
}

// TestStatusGolden prints, as `cchc status` does, the statuses that the
// warehouse package's golden test reads: the JSON printed again is the same
// document, and the text is the golden text, each unit on one line.
func TestStatusGolden(t *testing.T) {
	for file, golden := range statusGolden {
		text, st := printStatus(t, file)
		goldenFile(t, "status", golden, text)
		// The period's section names each unit once (the data quality
		// section after it may name a unit again, for another reason).
		section := text[strings.Index(text, "KỲ BÁO CÁO / PERIOD"):]
		if end := strings.Index(section, "\n\n"); end >= 0 {
			section = section[:end+1]
		}
		for _, u := range st.Period.Unit {
			if n := strings.Count(section, " "+u.Unit+" ") + strings.Count(section, " "+u.Unit+"\n"); n != 1 {
				t.Errorf("%s: %s is printed %d times", golden, u.Unit, n)
			}
		}

		// While a run holds the state folder, status says so.
		st.RunInProgress = true
		var again strings.Builder
		render.StatusText(&again, st)
		text = again.String()
		if !strings.Contains(text, "a run is in progress") {
			t.Errorf("status during a run:\n%s", text)
		}
	}
}

// TestStatusOptions: --today, else CCHC_TODAY, is the day deadlines are
// counted from; the state folder is beside the warehouse unless set.
func TestStatusOptions(t *testing.T) {
	cfg := config.Config{Warehouse: "/w/cchc.duckdb"}
	t.Setenv("CCHC_TODAY", "2024-03-10")
	o, err := statusOptionsFrom(cfg, "", 5)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC); !o.Today.Equal(want) || o.StateDir != "/w/cchc.duckdb.state" || o.Runs != 5 {
		t.Errorf("options %+v", o)
	}
	if o, err = statusOptionsFrom(cfg, "2024-04-01", 5); err != nil || o.Today.Format("2006-01-02") != "2024-04-01" {
		t.Errorf("--today 2024-04-01: %+v, %v", o, err)
	}
}

func TestStatusUsage(t *testing.T) {
	if out, code := runCLI(t, "status"); code != ExitUsage || !strings.Contains(out, "warehouse") {
		t.Errorf("no warehouse: exit %d\n%s", code, out)
	}
	if out, code := runCLI(t, "status", "--warehouse", filepath.Join(t.TempDir(), "none.duckdb")); code != ExitFailed || !strings.Contains(out, "no warehouse") {
		t.Errorf("missing warehouse: exit %d\n%s", code, out)
	}
	if out, code := runCLI(t, "status", "--warehouse", "x.duckdb", "--today", "10/03/2024"); code != ExitUsage || !strings.Contains(out, "YYYY-MM-DD") {
		t.Errorf("bad --today: exit %d\n%s", code, out)
	}
}

// printStatus reads a status document as `cchc status` would have it and
// prints it as `status` does: the JSON printed again must be the same
// document; it returns the text and the status read.
func printStatus(t *testing.T, file string) (string, *warehouse.Status) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var st warehouse.Status
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	var js, text strings.Builder
	if err := writeStatusJSON(&js, &st); err != nil {
		t.Fatal(err)
	}
	if js.String() != string(b) {
		t.Errorf("status --json prints\n%s\nnot the document it read:\n%s", js.String(), b)
	}
	render.StatusText(&text, &st)
	return text.String(), &st
}
