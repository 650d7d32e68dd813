package extract

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestDate1904: in a workbook on the 1904 date system, a number with a date
// format reads as its serial in the 1900 system (the transform's), and
// every other number as it is.
func TestDate1904(t *testing.T) {
	p := filepath.Join(t.TempDir(), "1904.xlsx")
	// Styles: 1 = built-in 14 (d/m/yyyy), 2 = custom dd/mm/yyyy hh:mm, 3 = #,##0.
	sheet := `<row r="1"><c r="A1" s="1"><v>43831</v></c><c r="B1" s="2"><v>43831.5</v></c><c r="C1" s="3"><v>43831</v></c><c r="D1"><v>43831</v></c><c r="E1" s="1" t="s"><v>0</v></c></row>`
	if err := writeFuzzBook(p, true, "<si><t>43831</t></si>", 1, sheet); err != nil {
		t.Fatal(err)
	}
	// 43831 days after 1904-01-01 is 2024-01-02: 45293 in the 1900 system.
	want := "45293|45293.5|43831|43831|43831"
	if got := firstRow(t, p); got != want {
		t.Errorf("cells %q, want %q", got, want)
	}
}

func TestIsDateFormat(t *testing.T) {
	for code, want := range map[string]bool{
		"dd/mm/yyyy":          true,
		"d/m/yyyy\\ hh:mm":    true,
		"[$-42A]dd/mm/yyyy":   true,
		"[h]:mm:ss":           true,
		"mmm-yy":              true,
		"General":             false,
		"#,##0":               false,
		"0.00%":               false,
		`"Ngày "0`:            false,
		"[Red]#,##0;[Blue]-0": false,
		`0" ngày"`:            false,
		"@":                   false,
		"#,##0_);(#,##0)":     false,
	} {
		if got := isDateFormat(code); got != want {
			t.Errorf("isDateFormat(%q) = %v, want %v", code, got, want)
		}
	}
}

// TestSheetReaderShapes: cells excelize reads in ways worth pinning down
// beside the differential test — a gap in the row numbers, a row and a cell
// without r, a cell that goes back, entities and a character reference,
// CDATA, _xHHHH_ escapes and a formula without its value.
func TestSheetReaderShapes(t *testing.T) {
	x := `<worksheet><sheetData>` +
		`<row r="2"><c r="B2" t="inlineStr"><is><t>a&amp;b&#x1EA1;</t></is></c><c t="str"><v><![CDATA[<x>]]></v></c></row>` +
		`<row><c r="A3" t="inlineStr"><is><r><t>x_x000D_</t></r><r><t>y</t></r><rPh><t>z</t></rPh></is></c><c r="C3"><f>SUM(A1:B1)</f></c></row>` +
		`<row r="4"><c r="C4"><v>1</v></c><c r="A4"><v>2</v></c></row>` +
		`</sheetData></worksheet>`
	sr := newSheetReader(strings.NewReader(x), nil, nil, OpenOptions{}.limits())
	var got []string
	for {
		cells, ok, err := sr.next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		got = append(got, strings.Join(cells, "|"))
	}
	want := []string{"", "|a&bạ|<x>", "x\ry||=SUM(A1:B1)", "||1|2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows\n%q\nwant\n%q", got, want)
	}
	if complete, err := sr.finish(); err != nil || !complete {
		t.Errorf("finish: %v, %v", complete, err)
	}
}

// TestSheetInvalidUTF8: bytes that are not UTF-8 in a sheet's text read as
// U+FFFD (encoding/xml would refuse the sheet; excelize then read it short).
func TestSheetInvalidUTF8(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.xlsx")
	sheet := "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Ph\xffường</t></is></c><c r=\"B1\" t=\"s\"><v>0</v></c></row>"
	if err := writeFuzzBook(p, false, "<si><t>a\xc3</t></si>", 1, sheet); err != nil {
		t.Fatal(err)
	}
	if got := firstRow(t, p); got != "Ph\uFFFDường|a\uFFFD" {
		t.Errorf("cells %q", got)
	}
}

// TestSheetTurnsInvalid: a sheet whose XML stops being well-formed part of
// the way is an error (the file fails; it is never loaded in part), be it an
// end tag that closes another element than the one open, on the fast paths
// and off them, an end tag with nothing open, or a part that ends with
// elements open.
func TestSheetTurnsInvalid(t *testing.T) {
	good := `<row r="1"><c r="A1"><v>1</v></c></row>`
	for name, body := range map[string]string{
		"value closed as cell":  `<row r="2"><c r="A2"><v>2</c></row>`,
		"cell closed as row":    `<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></row>`,
		"inline string unended": `<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></c></row>`,
		"slow cell":             `<row r="2"><c r = "A2"><f>1+1</f><v>2</v></row></c>`,
		"rich run":              `<row r="2"><c r="A2" t="inlineStr"><is><r><t>x</t></is></r></c></row>`,
		"row closed twice":      `<row r="2"><c r="A2"><v>2</v></c></row></row>`,
	} {
		x := `<worksheet><sheetData>` + good + body + `<row r="3"><c r="A3"><v>3</v></c></row></sheetData></worksheet>`
		if err := readSheetXML(x, true); !errors.Is(err, errMalformedXML) {
			t.Errorf("%s: %v, want malformed XML", name, err)
		}
	}
	// Elements nested too deep, or with a name too long to record, fail as
	// too large, whatever follows.
	for name, body := range map[string]string{
		"nested 300 deep": strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300),
		"a long name":     "<" + strings.Repeat("n", 300) + "></" + strings.Repeat("n", 300) + ">",
	} {
		x := `<worksheet><sheetData>` + good + body + `</sheetData></worksheet>`
		if err := readSheetXML(x, false); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: %v, want too large", name, err)
		}
	}
	// A part that breaks off between two rows.
	if err := readSheetXML(`<worksheet><sheetData>`+good, false); !errors.Is(err, errMalformedXML) || !strings.Contains(err.Error(), "<sheetData>") {
		t.Errorf("broken off: %v", err)
	}
}

// TestSharedStringsTurnInvalid: the same of the shared-strings table.
func TestSharedStringsTurnInvalid(t *testing.T) {
	for _, x := range []string{
		`<sst><si><t>a</si></t></sst>`,
		`<sst><si><t>a</t></si>`,
		`<sst><si><t>a</t></si></sst></sst>`,
		`<sst><si><r><t>a</t></si></r></sst>`,
	} {
		sst, err := loadSharedStrings(strings.NewReader(x), int64(len(x)), t.TempDir(), OpenOptions{}.limits(), 1<<20)
		if err == nil {
			sst.Close()
		}
		if !errors.Is(err, errMalformedXML) {
			t.Errorf("%s: %v, want malformed XML", x, err)
		}
	}
}

// firstRow is the first row of sheet S of the workbook p, its cells joined
// by "|".
func firstRow(t *testing.T, p string) string {
	t.Helper()
	wb, err := OpenWorkbook(p, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rr, err := wb.Rows("S")
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Close()
	if !rr.Next() {
		t.Fatal(rr.Err())
	}
	return strings.Join(rr.Row().Cells, "|")
}

// readSheetXML reads the rows of the worksheet XML x to their end and, with
// finish, what follows them: the first error.
func readSheetXML(x string, finish bool) error {
	sr := newSheetReader(strings.NewReader(x), nil, nil, OpenOptions{}.limits())
	var err error
	for ok := true; ok && err == nil; {
		_, ok, err = sr.next()
	}
	if err == nil && finish {
		_, err = sr.finish()
	}
	return err
}
