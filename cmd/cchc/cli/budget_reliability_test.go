package cli

import (
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/internal/fixture"
)

// relRepeat writes s to w until n bytes are written.
func relRepeat(w io.Writer, s string, n int) error {
	chunk := []byte(strings.Repeat(s, max(1, (64<<10)/len(s))))
	for written := 0; written < n; written += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return err
		}
	}
	return nil
}

// relFloodXLSX writes a dossier export of five dossiers whose sheet goes on
// with what more writes (raw sheet XML from row 7), deflated small.
func relFloodXLSX(ds []fixture.Dossier, more func(w io.Writer, row int) error, extra ...fixture.RawPart) func(string) error {
	return func(p string) error {
		grid := fixture.DossierGrid(nil, ds)
		return fixture.WriteRawXLSX(p, fixture.RawOptions{Level: 9, Extra: extra}, fixture.RawSheet{Name: "DS", Data: func(w io.Writer) error {
			if err := fixture.GridRows(grid)(w); err != nil {
				return err
			}
			return more(w, len(grid)+1)
		}})
	}
}

// TestReliabilityMemoryFlood: files of a few hundred kilobytes that inflate
// to floods (CONTRACT.md section 4: reading one file stays within a memory
// budget whatever it holds) fail alone with the reason, or load with their
// flood cut; every other file loads, and the run's peak memory stays low.
// On main before the budget, the 300 MB cell alone took a run to 1.4 GiB.
func TestReliabilityMemoryFlood(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("inflates floods of hundreds of megabytes")
	}
	const flood = 300 << 20
	dir := t.TempDir()
	inbox, wh := filepath.Join(dir, "inbox"), filepath.Join(dir, "cchc.duckdb")
	relStage(t, inbox, relInboxA()...)
	cell := fixture.Dossiers("LO", "Phường Kim Giang", 6)
	relStage(t, inbox,
		// The procedure name of the sixth dossier: 300 MB of spaces.
		relInFile{"lu/hoso_lu-o.xlsx", relFloodXLSX(cell[:5], func(w io.Writer, row int) error {
			cells := cell[5].Cells(6)
			fmt.Fprintf(w, `<row r="%d">`, row)
			for i, c := range cells {
				fmt.Fprintf(w, `<c r="%c%d" t="inlineStr"><is><t>%s`, 'A'+i, row, html.EscapeString(c))
				if i == 2 {
					relRepeat(w, " ", flood)
					io.WriteString(w, "trích lục")
				}
				io.WriteString(w, `</t></is></c>`)
			}
			_, err := io.WriteString(w, `</row>`)
			return err
		}), 10},
		// 300 MB of spaces inside a row's tag.
		relInFile{"lu/hoso_lu-the.xlsx", relFloodXLSX(fixture.Dossiers("LT", "Phường Kim Giang", 5), func(w io.Writer, row int) error {
			fmt.Fprintf(w, `<row r="%d"`, row)
			relRepeat(w, " ", flood)
			_, err := io.WriteString(w, `/>`)
			return err
		}), 11},
		// 60 million shared strings.
		relInFile{"lu/hoso_chuoi.xlsx", relFloodXLSX(fixture.Dossiers("CH", "Phường Kim Giang", 5), func(io.Writer, int) error { return nil },
			fixture.RawPart{Name: "xl/sharedStrings.xml", Data: func(w io.Writer) error {
				io.WriteString(w, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
				relRepeat(w, `<si/>`, flood)
				_, err := io.WriteString(w, `</sst>`)
				return err
			}}), 12},
		// A quote that never closes, over 20 MB of lines.
		relInFile{"lu/hoso_ngoac.csv", func(p string) error {
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			rows := fixture.DossierRows(fixture.Dossiers("NG", "Phường Kim Giang", 3))
			for _, r := range rows {
				fmt.Fprintln(f, strings.Join(r, ","))
			}
			io.WriteString(f, `NG-9,"`)
			relRepeat(f, "x\n", 20<<20)
			return f.Close()
		}, 13},
	)
	r, peak := relPeakRun(t, []string{"HOME=" + dir}, "run", "-q", "--inbox", inbox, "--warehouse", wh)
	t.Logf("peak %d MiB", peak>>20)
	if r.code != ExitOK {
		t.Fatalf("cchc run: %s", r)
	}
	if peak > 512<<20 {
		t.Errorf("peak RSS %d MiB, want under 512 MiB", peak>>20)
	}
	db := relOpenWH(t, wh)
	files := map[string]string{}
	for _, row := range relQuery(t, db, `SELECT path, status, rows_loaded, coalesce(message, '') FROM raw.files`) {
		p, rest, _ := strings.Cut(row, "|")
		files[p] = rest
	}
	want := map[string]string{
		"hoso_kim-giang_dot1.xlsx":      "loaded|40|",
		"phuong/hoso_ha-dinh.csv":       "loaded|30|",
		"kim-giang_2024-Q1.xlsx":        "loaded|",
		"Bieu06_kim_giang_Q1_2024.xlsx": "loaded|3|",
		"lu/hoso_lu-o.xlsx":             "loaded|6|",
		"lu/hoso_lu-the.xlsx":           "failed|0|file exceeds the size limit: trang \"DS\" dòng 7: một thẻ XML dài hơn 8.0 MiB",
		"lu/hoso_chuoi.xlsx":            "failed|0|file exceeds the size limit: bảng chuỗi dùng chung: bảng chuỗi dùng chung có hơn 31457280 chuỗi",
		"lu/hoso_ngoac.csv":             "failed|0|file exceeds the size limit: một bản ghi CSV dài hơn 8.0 MiB (sau dòng 4; dấu ngoặc kép không đóng?)",
	}
	for p, w := range want {
		if got, ok := files[p]; !ok || !strings.HasPrefix(got, w) {
			t.Errorf("%s:\n got %s\nwant %s…", p, got, w)
		}
	}
	if len(files) != len(want) {
		t.Errorf("raw.files has %d rows, want %d: %v", len(files), len(want), files)
	}
	for p, w := range map[string]string{
		"lu/hoso_lu-the.xlsx": `sheet "DS" row 7: an XML tag longer than 8.0 MiB: not a data table`,
		"lu/hoso_chuoi.xlsx":  "the shared strings hold more than 31457280 strings and would need more than 128.0 MiB of memory (half of extract.max_memory_bytes)",
		"lu/hoso_lu-o.xlsx":   "1 cells longer than 32768 bytes were cut",
	} {
		if !strings.Contains(files[p], w) {
			t.Errorf("%s: %s, want it to say %q", p, files[p], w)
		}
	}
	if got := relQuery1(t, db, `SELECT procedure_name FROM raw.dossier_rows WHERE dossier_id = 'LO-00006'`); !strings.HasPrefix(got, cell[5].Procedure) || !strings.HasSuffix(got, "…") || len(got) > 32<<10+4 {
		t.Errorf("the flooded cell was loaded as %.80q… (%d bytes)", got, len(got))
	}
}
