package extract

import (
	"archive/zip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/thanhxuan/cchc/cmd/cchc/gen"
	"github.com/thanhxuan/cchc/internal/fixture"
)

// samplesInbox is the shared sample inbox of the acceptance checks, read
// when it is there (CI has none): CCHC_SAMPLES or the workplace's copy.
func samplesInbox() string {
	if d := os.Getenv("CCHC_SAMPLES"); d != "" {
		return d
	}
	return "/work/shared/samples/inbox"
}

// TestReaderMatchesExcelize reads every xlsx the project has — the
// repository's testdata, the generator's inbox and benchmark sheet, the
// fixture writers' workbooks, and the shared sample inbox when present —
// with the project's reader and with excelize, and compares them cell by
// cell. A difference is a bug in one of them.
func TestReaderMatchesExcelize(t *testing.T) {
	var paths []string
	root, _ := filepath.Abs("..")
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), ".xlsx") {
			paths = append(paths, p)
		}
		return nil
	})
	dir := t.TempDir()
	if _, err := gen.Generate(filepath.Join(dir, "gen"), gen.Default()); err != nil {
		t.Fatal(err)
	}
	bench := filepath.Join(dir, "bench.xlsx")
	if err := gen.WriteDossierXLSX(bench, 3000, 7); err != nil {
		t.Fatal(err)
	}
	paths = append(paths, bench)
	for i, w := range fixtureWorkbooks() {
		p := filepath.Join(dir, fmt.Sprintf("fixture-%d.xlsx", i))
		if err := w(p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	for _, d := range []string{filepath.Join(dir, "gen"), samplesInbox()} {
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.EqualFold(filepath.Ext(p), ".xlsx") {
				paths = append(paths, p)
			}
			return nil
		})
	}
	compared := 0
	for _, p := range paths {
		n, err := compareReaders(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
		}
		compared += n
	}
	if compared < 1000 {
		t.Errorf("only %d cells compared in %d files", compared, len(paths))
	}
	t.Logf("%d workbooks, %d cells compared", len(paths), compared)

	// Once more with every shared-strings table spilled, a head of 64
	// bytes and a window of 256: lookups from the head, the window, ahead
	// of it and behind it.
	defer func(s, h, w int64, c int) { spillSST, hotBytes, windowSize, cacheMax = s, h, w, c }(spillSST, hotBytes, windowSize, cacheMax)
	spillSST, hotBytes, windowSize, cacheMax = -1, 64, 256, 8
	spilled := 0
	for _, p := range paths {
		n, err := compareReaders(p)
		if err != nil {
			t.Errorf("spilled: %s: %v", p, err)
		}
		spilled += n
	}
	if spilled != compared {
		t.Errorf("spilled: %d cells compared, %d held in memory", spilled, compared)
	}
}

// fixtureWorkbooks are the fixture writers' kinds of workbook: excelize's
// own (shared strings), raw sheet XML (inline strings, numbers, formulas).
func fixtureWorkbooks() []func(string) error {
	ds := fixture.Dossiers("DF", "Phường Kim Giang", 12)
	ds[1].Procedure = "Đăng ký khai sinh\r\nkết hợp & <nhận> \"cha\" 'mẹ'"
	report := fixture.UnitReport("UBND PHƯỜNG NHÂN CHÍNH", "QUÝ I NĂM 2024", map[string]any{"pakn_received": 12})
	for _, r := range report.Rows {
		if len(r) > 3 && r[1] == "Số cuộc đối thoại với người dân, doanh nghiệp về TTHC" {
			r[3] = fixture.Formula{Text: "SUM(D9:D10)"}
		}
	}
	return []func(string) error{
		func(p string) error {
			return fixture.WriteXLSX(p, fixture.XLSXOptions{}, fixture.Sheet{Name: "DS", Rows: fixture.DossierGrid(nil, ds)})
		},
		func(p string) error {
			return fixture.WriteRawXLSX(p, fixture.RawOptions{}, fixture.RawSheet{Name: "DS", Data: fixture.GridRows(fixture.DossierGrid(nil, ds))})
		},
		func(p string) error {
			return fixture.WriteRawXLSX(p, fixture.RawOptions{}, fixture.RawSheet{Name: report.Name, Data: fixture.GridRows(report.Rows)})
		},
		func(p string) error { return fixture.WriteXLSX(p, fixture.XLSXOptions{}, report) },
	}
}

// compareReaders compares the two readers on every sheet of the workbook
// at p and returns how many cells it compared. Encrypted workbooks and
// packages the project's reader leaves to excelize are skipped.
func compareReaders(p string) (int, error) {
	opt := OpenOptions{}.withDefaults()
	fi, err := os.Stat(p)
	if err != nil {
		return 0, err
	}
	stamp := fileStamp{fi.Size(), fi.ModTime()}
	zr, err := zip.OpenReader(p)
	if err != nil {
		return 0, nil // not a zip package (encrypted, or junk on purpose)
	}
	defer zr.Close()
	if checkZip(&zr.Reader, opt) != nil {
		return 0, nil
	}
	book, err := openBook(&zr.Reader, nil, p, opt, stamp)
	if errors.Is(err, errNotPlain) {
		return 0, nil
	}
	ewb, eerr := openXLSX(p, opt, stamp, false)
	if err != nil || eerr != nil {
		if err != nil && eerr != nil {
			return 0, nil // both refuse it
		}
		return 0, fmt.Errorf("one reader refuses the file: ours %v, excelize %v", err, eerr)
	}
	defer ewb.Close()
	xb := ewb.(*xlsxBook)
	if fmt.Sprint(book.Sheets()) != fmt.Sprint(xb.Sheets()) {
		return 0, fmt.Errorf("sheets %q, excelize %q", book.Sheets(), xb.Sheets())
	}
	total := 0
	for _, sheet := range book.Sheets() {
		ours, err := book.rawRows(sheet)
		if err != nil {
			return total, fmt.Errorf("sheet %q: ours: %w", sheet, err)
		}
		theirs, err := xb.rawRows(sheet)
		if err != nil {
			return total, fmt.Errorf("sheet %q: excelize: %w", sheet, err)
		}
		if len(ours) != len(theirs) {
			return total, fmt.Errorf("sheet %q: %d rows, excelize %d", sheet, len(ours), len(theirs))
		}
		for i := range ours {
			a, b := trimEmpty(ours[i]), trimEmpty(theirs[i])
			if len(a) != len(b) {
				return total, fmt.Errorf("sheet %q row %d: %d cells %q, excelize %d %q", sheet, i+1, len(a), a, len(b), b)
			}
			for j := range a {
				total++
				if a[j] == b[j] || book.date1904 && shifted1904(xb.f, sheet, j+1, i+1, a[j], b[j]) {
					continue
				}
				return total, fmt.Errorf("sheet %q %s%d: %q, excelize %q", sheet, colName(j+1), i+1, a[j], b[j])
			}
		}
	}
	return total, book.Close()
}

// shifted1904 reports whether ours is theirs moved from the 1904 date
// system to the 1900 one, in a cell with a date format.
func shifted1904(f *excelize.File, sheet string, col, row int, ours, theirs string) bool {
	b, err := strconv.ParseFloat(theirs, 64)
	if err != nil || ours != strconv.FormatFloat(b+days1904, 'f', -1, 64) {
		return false
	}
	ref, _ := excelize.CoordinatesToCellName(col, row)
	style, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		return false
	}
	st, err := f.GetStyle(style)
	if err != nil {
		return false
	}
	if st.CustomNumFmt != nil {
		return isDateFormat(*st.CustomNumFmt)
	}
	return builtInDate(st.NumFmt)
}

func colName(c int) string { n, _ := excelize.ColumnNumberToName(c); return n }

func trimEmpty(row []string) []string {
	for len(row) > 0 && row[len(row)-1] == "" {
		row = row[:len(row)-1]
	}
	return row
}

// rawRows reads every row of a sheet with the project's reader, uncleaned.
func (b *packageBook) rawRows(sheet string) ([][]string, error) {
	f := b.parts[sheet]
	if f == nil {
		return nil, fmt.Errorf("no part")
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	sr := newSheetReader(rc, b.sst, b.dates, b.opt.limits())
	var rows [][]string
	for {
		cells, ok, err := sr.next()
		if err != nil {
			return rows, err
		}
		if !ok {
			break
		}
		rows = append(rows, append([]string(nil), cells...))
	}
	complete, err := sr.finish()
	if err == nil && !complete {
		err = fmt.Errorf("truncated")
	}
	return rows, err
}

// rawRows reads every row of a sheet with excelize, uncleaned, with the
// uncached formulas shown as xlsxRows.Next shows them.
func (b *xlsxBook) rawRows(sheet string) ([][]string, error) {
	formulas, err := b.uncachedFormulas(sheet)
	if err != nil {
		return nil, err
	}
	rows, err := b.f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]string
	n := 0
	err = excelizeRows(rows, sheet, &n)(func(cols []string) bool {
		row := append([]string(nil), cols...)
		for _, f := range formulas[len(out)+1] {
			for len(row) < f.col {
				row = append(row, "")
			}
			if row[f.col-1] == "" {
				text := f.text
				if text == "" {
					text = "(công thức dùng chung / shared formula)"
				}
				row[f.col-1] = "=" + text
			}
		}
		out = append(out, row)
		return true
	})
	return out, err
}
