package extract

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// fuzzBook writes a workbook whose sheet (and shared strings) the bytes
// of data decide: every kind of cell the readers know (shared and inline
// strings with rich-text runs and phonetic runs, t="str", b, e, d, numbers
// with exponents, formulas with and without values), references given or
// left out, rows with gaps, entities, character references, CDATA,
// comments, line ends and _xHHHH_ escapes, in the 1900 or 1904 system.
func fuzzBook(p string, data []byte) error {
	next := func() byte {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return b
	}
	text := func() string {
		n := int(next() % 12)
		var b strings.Builder
		for i := 0; i < n; i++ {
			switch c := next(); c % 16 {
			case 0:
				b.WriteString("&amp;&lt;&gt;&quot;&apos;")
			case 1:
				b.WriteString("&#7871;&#x1EA1;")
			case 2:
				b.WriteString("\r\n")
			case 3:
				b.WriteString("<![CDATA[a<b]]>")
			case 4:
				b.WriteString("_x000D__x005F_x0041_")
			case 5:
				b.WriteString("<!-- c -->")
			case 6:
				b.WriteString("Phường ")
			case 7:
				b.WriteString(" \t")
			case 8:
				b.WriteString("\r")
			default:
				r := rune(c)
				if !utf8.ValidRune(r) || r < 0x20 {
					r = 'x'
				}
				b.WriteString(html.EscapeString(string(r)))
			}
		}
		return b.String()
	}
	t := func(s string) string {
		if next()%2 == 0 {
			return `<t xml:space="preserve">` + s + `</t>`
		}
		return `<x:t>` + s + `</x:t>`
	}
	item := func() string {
		switch next() % 4 {
		case 0:
			return t(text())
		case 1:
			return `<r><rPr><b/></rPr>` + t(text()) + `</r><r>` + t(text()) + `</r>`
		case 2:
			return t(text()) + `<rPh sb="0" eb="1"><t>ふ</t></rPh><phoneticPr fontId="1"/>`
		default:
			return `<t/>`
		}
	}
	var sst strings.Builder
	nStrings := int(next()%8) + 1
	for i := 0; i < nStrings; i++ {
		sst.WriteString("<si>" + item() + "</si>")
	}
	date1904 := next()%2 == 0
	var sheet strings.Builder
	row := 0
	for rows := int(next() % 12); rows > 0; rows-- {
		prev := row
		row += int(next()%3) + 1
		if next()%3 == 0 && !date1904 {
			fmt.Fprintf(&sheet, `<row>`)
			row = prev + 1 // excelize's number for a row without r
		} else {
			fmt.Fprintf(&sheet, `<row r="%d" spans="1:9">`, row)
		}
		col := 0
		for cells := int(next() % 8); cells > 0; cells-- {
			col += int(next()%3) + 1
			ref := ""
			// excelize's GetCellStyle, which the check of a 1904 date
			// asks, finds no cell without r.
			if next()%4 != 0 || date1904 {
				ref = fmt.Sprintf(` r="%s%d"`, colName(col), row)
			}
			style := fmt.Sprintf(` s="%d"`, next()%4)
			switch next() % 12 {
			case 0:
				fmt.Fprintf(&sheet, `<c%s%s t="s"><v>%d</v></c>`, ref, style, next()%uint8(nStrings+1))
			case 1:
				fmt.Fprintf(&sheet, `<c%s%s t="inlineStr"><is>%s</is></c>`, ref, style, item())
			case 2:
				fmt.Fprintf(&sheet, `<c%s%s t="str"><f>A1&amp;B1</f><v>%s</v></c>`, ref, style, text())
			case 3:
				fmt.Fprintf(&sheet, `<c%s%s t="b"><v>%d</v></c>`, ref, style, next()%2)
			case 4:
				fmt.Fprintf(&sheet, `<c%s%s t="e"><v>#N/A</v></c>`, ref, style)
			case 5:
				fmt.Fprintf(&sheet, `<c%s%s t="d"><v>2024-01-0%dT10:00:00</v></c>`, ref, style, next()%9+1)
			case 6:
				fmt.Fprintf(&sheet, `<c%s%s><v>4.5%dE4</v></c>`, ref, style, next())
			case 7:
				fmt.Fprintf(&sheet, `<c%s%s><v>%d.%d</v></c>`, ref, style, 40000+int(next())*10, next())
			case 8:
				fmt.Fprintf(&sheet, `<c%s%s><f>SUM(A%d:B%d)</f></c>`, ref, style, row, row)
			case 9:
				fmt.Fprintf(&sheet, `<c%s%s><f t="shared" si="0"/></c>`, ref, style)
			case 10:
				fmt.Fprintf(&sheet, `<c%s%s/>`, ref, style)
			default:
				fmt.Fprintf(&sheet, `<c%s%s t="n"><v>-1.5e-3</v></c>`, ref, style)
			}
		}
		sheet.WriteString(`</row>`)
	}
	return writeFuzzBook(p, date1904, sst.String(), nStrings, sheet.String())
}

func writeFuzzBook(p string, date1904 bool, sst string, n int, sheet string) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	pr := ""
	if date1904 {
		pr = `<workbookPr date1904="1"/>`
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` + pr + `<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`},
		{"xl/styles.xml", `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy\ hh:mm"/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="3"/></cellXfs></styleSheet>`},
		{"xl/sharedStrings.xml", fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>`, n, n, sst)},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + sheet + `</sheetData></worksheet>`},
	}
	for _, part := range parts {
		w, err := zw.Create(part.name)
		if err != nil {
			return err
		}
		if _, err := w.Write([]byte(part.body)); err != nil {
			return err
		}
	}
	return zw.Close()
}

// FuzzSheetReader generates workbooks and compares the project's reader
// with excelize on them, cell by cell.
func FuzzSheetReader(f *testing.F) {
	f.Add([]byte("\x03\x01\x05\x07\x02\x01\x00\x04\x01\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b"))
	f.Add([]byte("\x07\x00\x0b\x02\x03\x01\x02\x00\x01\x06\x00\x07\x01\x08\x00\x09\x01\x0a\x00\x05"))
	f.Add([]byte(strings.Repeat("\x05\x02\x01\x03\x06\x08\x04\x00", 16)))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.xlsx")
		if err := fuzzBook(p, data); err != nil {
			t.Fatal(err)
		}
		if _, err := compareReaders(p); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzSheetXML feeds the sheet reader raw worksheet XML, well-formed or
// not: it never panics, reads to an end or an error, and a document it
// reads without error has its elements closed in order (checked against
// encoding/xml's strict decoder on the same bytes, where that one
// accepts the document's shape).
func FuzzSheetXML(f *testing.F) {
	f.Add(`<worksheet><sheetData><row r="2"><c r="B2" t="inlineStr"><is><t>a&amp;b</t></is></c><c t="str"><v><![CDATA[<x>]]></v></c></row></sheetData></worksheet>`)
	f.Add(`<worksheet><sheetData><row><c r="A3" t="inlineStr"><is><r><t>x</t></r><rPh><t>z</t></rPh></is></c><c r="C3"><f>SUM(A1:B1)</f></c></row></sheetData></worksheet>`)
	f.Add(`<worksheet><sheetData><row r="1"><c r="A1"><v>1</c></row></sheetData></worksheet>`)
	f.Add(`<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row>`)
	f.Add(`<x:worksheet><x:sheetData><x:row><x:c><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>`)
	f.Fuzz(func(t *testing.T, x string) {
		sr := newSheetReader(strings.NewReader(x), nil, nil, OpenOptions{}.limits())
		var err error
		for rows, ok := 0, true; ok && err == nil; rows++ {
			if rows > len(x)+excelize.TotalRows {
				t.Fatal("the reader does not end")
			}
			_, ok, err = sr.next()
		}
		if err == nil {
			_, err = sr.finish()
		}
		if err != nil {
			return
		}
		// Read without error: then no end tag closed another element.
		d := xml.NewDecoder(strings.NewReader(x))
		d.Strict = true
		for {
			_, derr := d.Token()
			if derr == io.EOF {
				break
			}
			if derr != nil {
				// The reader knows elements by their local names: only a
				// mismatch of those is its error to find.
				var se *xml.SyntaxError
				if !errors.As(derr, &se) {
					break
				}
				if m := closedBy.FindStringSubmatch(se.Msg); m != nil && localName(m[1]) != localName(m[2]) ||
					strings.HasPrefix(se.Msg, "unexpected end element") {
					t.Fatalf("read without error, but encoding/xml says: %v", derr)
				}
				break
			}
		}
	})
}

// closedBy is encoding/xml's message of an end tag that closes another
// element than the one open (by local names, the namespace aside).
var closedBy = regexp.MustCompile(`^element <([^>]*)> closed by </([^>]*)>$`)

// localName is a name as the scanner knows it: without a prefix.
func localName(n string) string {
	if i := strings.IndexByte(n, ':'); i >= 0 {
		return n[i+1:]
	}
	return n
}
