package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// inspectExport is the export of internal/inspect's tests: unknown channel
// and status wordings, an ignored column, dates that cannot be read.
const inspectExport = "../../../internal/inspect/testdata/files/hoso_KimGiang.csv"

func runInspect(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(append([]string{"inspect"}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// cchc inspect: text for people, --json a document, its own exit statuses,
// and nothing written — no warehouse, no state folder — whatever the
// configuration names.
func TestInspectCommand(t *testing.T) {
	dir := t.TempDir()
	body, err := os.ReadFile(inspectExport)
	if err != nil {
		t.Fatal(err)
	}
	export := filepath.Join(dir, "in", "hoso_KimGiang.csv")
	if err := os.MkdirAll(filepath.Dir(export), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(export, body, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CCHC_WAREHOUSE", filepath.Join(dir, "cchc.duckdb"))
	t.Setenv("CCHC_STATE_DIR", filepath.Join(dir, "state"))
	seedsDir := filepath.Join(dir, "seeds")
	if err := os.Mkdir(seedsDir, 0o755); err != nil {
		t.Fatal(err)
	}

	code, out, errs := runInspect(t, "--seeds-dir", seedsDir, export)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"TỆP / FILE " + filepath.ToSlash(export),
		`đơn vị / unit: kim_giang — dòng tiêu đề / title row 2: "UBND PHƯỜNG KIM GIANG"`,
		"unknown_channel",
		"DÒNG CÓ THỂ THÊM / LINES TO ADD — vào / to " + seedsDir,
		filepath.Join(seedsDir, "value_map.csv") + " (tệp mới, dòng đầu / a new file, first line: domain,value,alias)",
		"    status,<resolved|processing|withdrawn|refused>,Hoàn tất",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}

	code, out, errs = runInspect(t, "--json", export)
	var doc struct {
		Files []struct {
			Path      string `json:"path"`
			WouldLoad bool   `json:"would_load"`
			Sheets    []struct {
				Kind    string `json:"kind"`
				Rejects []struct {
					Code  string `json:"code"`
					Count int    `json:"count"`
				} `json:"rejects"`
			} `json:"sheets"`
		} `json:"files"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &doc) != nil {
		t.Fatalf("--json: exit %d, %s\n%s", code, errs, out)
	}
	if len(doc.Files) != 1 || !doc.Files[0].WouldLoad || doc.Files[0].Sheets[0].Kind != "dossiers" || len(doc.Files[0].Sheets[0].Rejects) != 5 {
		t.Errorf("--json document %+v", doc)
	}

	// A file that cannot be opened: exit 1, the others still inspected.
	code, out, errs = runInspect(t, export, filepath.Join(dir, "missing.xlsx"))
	if code != ExitFailed || !strings.Contains(out, "unknown_channel") || !strings.Contains(out, "KHÔNG MỞ ĐƯỢC / CANNOT BE OPENED") ||
		!strings.Contains(errs, "1/2 tệp không mở được / files cannot be opened") {
		t.Errorf("a missing file: exit %d, stderr %q", code, errs)
	}
	// A file a run would fail is inspected: exit 0.
	junk := filepath.Join(dir, "in", "junk.csv")
	if err := os.WriteFile(junk, []byte("a,b\n1,2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ = runInspect(t, junk); code != ExitOK || !strings.Contains(out, "a run would record it failed") {
		t.Errorf("no header: exit %d\n%s", code, out)
	}
	for _, args := range [][]string{{}, {"--seeds-dir", filepath.Join(dir, "none"), export}, {"--nope", export}} {
		if code, _, errs = runInspect(t, args...); code != ExitUsage {
			t.Errorf("inspect %q: exit %d, want %d (%s)", args, code, ExitUsage, errs)
		}
	}

	for _, p := range []string{filepath.Join(dir, "cchc.duckdb"), filepath.Join(dir, "state")} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s: %v; inspect must write nothing", p, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if fmt.Sprint(names) != "[in seeds]" {
		t.Errorf("the folder holds %v", names)
	}
	if left, _ := os.ReadDir(seedsDir); len(left) != 0 {
		t.Errorf("the seeds folder holds %d files", len(left))
	}
}

// Its --help lists its own exit statuses, not those of a run.
func TestInspectHelp(t *testing.T) {
	code, out, _ := runInspect(t, "--help")
	if code != ExitOK || !strings.Contains(out, "EXIT STATUS") || !strings.Contains(out, "a file cannot be opened at all") ||
		strings.Contains(out, "the warehouse was published") || !strings.Contains(out, "--seeds-dir") {
		t.Errorf("inspect --help (exit %d):\n%s", code, out)
	}
}
