package render_test

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/xuri/excelize/v2"

	"github.com/thanhxuan/cchc/cmd/cchc/gen"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/render"
	"github.com/thanhxuan/cchc/internal/testwh"
	"github.com/thanhxuan/cchc/internal/warehouse"
	"github.com/thanhxuan/cchc/load"
)

// Names a data team could put in the seeds: each starts with a character
// that a spreadsheet would read as the start of a formula.
const (
	evilUnitName  = `=HYPERLINK("http://example.invalid/x","Kim Giang")`
	evilUnitShort = `@Kim Giang`
	evilKPIPlus   = `+`
	evilKPIMinus  = `-`
)

// generatedWarehouse runs the pipeline on an inbox of the project's
// generator and returns the published warehouse.
func generatedWarehouse(t *testing.T, seed int64, perUnit int) string {
	t.Helper()
	cfg := testwh.Config(t, t.TempDir())
	opt := gen.Default()
	opt.Seed, opt.DossiersPerUnit = seed, perUnit
	if _, err := gen.Generate(cfg.Inbox, opt); err != nil {
		t.Fatal(err)
	}
	cfg.PII.HMACKey = "test-key-not-secret"
	cfg = testwh.Validate(t, cfg)
	if sum, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t))); err != nil || !sum.Published {
		t.Fatalf("pipeline run: published %v, %v", sum.Published, err)
	}
	return cfg.Warehouse
}

// reportWarehouse is a generated warehouse whose seeds carry formula-like
// names: the unit kim_giang, and two KPIs whose names now start with + and -.
func reportWarehouse(t *testing.T) string {
	t.Helper()
	wh := generatedWarehouse(t, 5, 25)
	db, err := sql.Open("duckdb", wh)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE ref.units SET name_vi = '` + strings.ReplaceAll(evilUnitName, "'", "''") + `', short_name = '` + evilUnitShort + `' WHERE unit_code = 'kim_giang'`,
		`UPDATE ref.kpis SET name_vi = '` + evilKPIPlus + `' || name_vi WHERE kpi_code = 'satisfaction_rate'`,
		`UPDATE ref.kpis SET name_vi = '` + evilKPIMinus + `' || name_vi WHERE kpi_code = 'tthc_on_time_rate'`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return wh
}

// TestReport reads the leadership report of a generated warehouse, writes
// it as a workbook and a page, and checks both against the warehouse's
// marts.
func TestReport(t *testing.T) {
	t.Parallel()
	wh := reportWarehouse(t)
	dir := t.TempDir()
	xlsx, page := filepath.Join(dir, "bao-cao.xlsx"), filepath.Join(dir, "bao-cao.html")
	const period = "2024-6M"
	db, closeDB, err := warehouse.Open(wh)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	d, err := warehouse.ReadReport(context.Background(), db, period)
	if err != nil {
		t.Fatal(err)
	}
	doc := render.NewReport(d, time.Now().In(load.Zone))
	if err := render.WriteFile(xlsx, doc.WriteXLSX); err != nil {
		t.Fatal(err)
	}
	if err := render.WriteFile(page, doc.WriteHTML); err != nil {
		t.Fatal(err)
	}
	want := readReportTruth(t, db, period)

	charts := 0
	t.Run("workbook", func(t *testing.T) { charts = checkWorkbook(t, xlsx, want) })
	t.Run("print setup", func(t *testing.T) { checkPrintSetup(t, xlsx) })
	t.Run("html", func(t *testing.T) { checkReportHTML(t, page, want, charts) })
	t.Run("screenshot", func(t *testing.T) { checkScreenshot(t, page) })

	t.Run("unknown period", func(t *testing.T) {
		_, err := warehouse.ReadReport(context.Background(), db, "2031-6M")
		if !errors.Is(err, warehouse.ErrNoPeriod) || !strings.Contains(fmt.Sprint(err), "available") || !strings.Contains(fmt.Sprint(err), period) {
			t.Errorf("error %v, want %v listing %s", err, warehouse.ErrNoPeriod, period)
		}
	})
}

// reportTruth is what the marts say, read with the test's own queries.
type reportTruth struct {
	period    string
	kpis      map[string]truthKPI // by code
	chapters  []string            // II.1, II.3 … in plan order
	units     map[string]string   // code → name, wards and departments
	district  string              // the district's name
	values    map[[2]string]truthValue
	subs      map[string]string // unit name → Chưa gửi / Gửi trễ / Đúng hạn
	recon     map[string][4]float64
	unitNames map[string]string // name → code
}

type truthKPI struct {
	code, name, chapter string
}

type truthValue struct {
	value, target sql.NullFloat64
	meets         sql.NullBool
}

func readReportTruth(t *testing.T, db *sql.DB, period string) reportTruth {
	t.Helper()
	r := reportTruth{period: period, kpis: map[string]truthKPI{}, units: map[string]string{}, values: map[[2]string]truthValue{},
		subs: map[string]string{}, recon: map[string][4]float64{}, unitNames: map[string]string{}}
	q := func(query string, args []any, scan func(*sql.Rows) error) {
		t.Helper()
		rows, err := db.Query(query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				t.Fatal(err)
			}
		}
	}
	q(`SELECT kpi_code, name_vi, regexp_extract(plan_section, '^([A-Z]+\.[0-9]+)', 1) FROM ref.kpis`, nil, func(rows *sql.Rows) error {
		var k truthKPI
		err := rows.Scan(&k.code, &k.name, &k.chapter)
		r.kpis[k.code] = k
		return err
	})
	q(`SELECT DISTINCT regexp_extract(plan_section, '^([A-Z]+\.[0-9]+)', 1) AS c FROM ref.kpis ORDER BY c`, nil, func(rows *sql.Rows) error {
		var c string
		err := rows.Scan(&c)
		r.chapters = append(r.chapters, c)
		return err
	})
	q(`SELECT unit_code, name_vi, level FROM ref.units`, nil, func(rows *sql.Rows) error {
		var code, name, level string
		err := rows.Scan(&code, &name, &level)
		if level == "district" {
			r.district = name
		} else {
			r.units[code] = name
		}
		r.unitNames[name] = code
		return err
	})
	q(`SELECT unit_code, kpi_code, value, target, meets_target FROM marts.kpi_values WHERE period_code = ?`, []any{period}, func(rows *sql.Rows) error {
		var u, k string
		var v truthValue
		err := rows.Scan(&u, &k, &v.value, &v.target, &v.meets)
		r.values[[2]string{u, k}] = v
		return err
	})
	q(`SELECT u.name_vi, s.received, s.on_time FROM marts.report_submissions s JOIN ref.units u USING (unit_code) WHERE s.period_code = ?`, []any{period}, func(rows *sql.Rows) error {
		var name string
		var received bool
		var onTime sql.NullBool
		err := rows.Scan(&name, &received, &onTime)
		switch {
		case !received:
			r.subs[name] = "✗ Chưa gửi"
		case !onTime.Bool:
			r.subs[name] = "! Gửi trễ"
		default:
			r.subs[name] = "✓ Đúng hạn"
		}
		return err
	})
	q(`SELECT u.name_vi, reported_resolved_total, computed_resolved_total, reported_on_time_rate, computed_on_time_rate
		FROM marts.tthc_reconciliation r JOIN ref.units u USING (unit_code) WHERE r.period_code = ?`, []any{period}, func(rows *sql.Rows) error {
		var name string
		var v [4]float64
		err := rows.Scan(&name, &v[0], &v[1], &v[2], &v[3])
		r.recon[name] = v
		return err
	})
	if len(r.values) == 0 || len(r.subs) == 0 || len(r.recon) == 0 {
		t.Fatalf("the generated warehouse has %d KPI values, %d submissions, %d reconciliation rows for %s: the test would check little",
			len(r.values), len(r.subs), len(r.recon), period)
	}
	return r
}

// chartedKPIs are the KPIs of a chapter that a ward or department has a
// value for: each must have its chart.
func (r reportTruth) chartedKPIs(chapter string) map[string]bool {
	out := map[string]bool{}
	for key, v := range r.values {
		if _, member := r.units[key[0]]; member && v.value.Valid && r.kpis[key[1]].chapter == chapter {
			out[r.kpis[key[1]].name] = true
		}
	}
	return out
}

// wantStatus is a KPI's result in the report's one vocabulary (Đạt /
// Chưa đạt), signed so that it never rests on colour alone.
func wantStatus(v truthValue) string {
	switch {
	case !v.meets.Valid:
		return "Chưa đánh giá"
	case v.meets.Bool:
		return "✓ Đạt"
	}
	return "✗ Chưa đạt"
}

// wantSign is the sign in front of a marked figure.
func wantSign(v truthValue) string {
	switch {
	case !v.meets.Valid:
		return ""
	case v.meets.Bool:
		return "✓ "
	}
	return "✗ "
}

// Fills of met and missed: blue and orange, told apart with the common
// colour-vision deficiencies (red and green are not).
const (
	fillMet    = "DDEBF7"
	fillMissed = "FCE4CC"
)

func wantFill(v truthValue) string {
	switch {
	case !v.meets.Valid:
		return "EDEDED"
	case v.meets.Bool:
		return fillMet
	}
	return fillMissed
}

func checkWorkbook(t *testing.T, file string, want reportTruth) int {
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	// Sheets: the cover, one per plan chapter with KPIs, then the tables.
	sheets := f.GetSheetList()
	if len(sheets) != len(want.chapters)+5 {
		t.Fatalf("sheets %q, want cover + %d families + 4", sheets, len(want.chapters))
	}
	if sheets[0] != "Tổng quan" || strings.Join(sheets[len(sheets)-4:], "|") != "Gửi báo cáo|Đối chiếu Biểu 06|Chất lượng số liệu|Số liệu biểu đồ" {
		t.Errorf("sheets %q", sheets)
	}
	familySheet := map[string]string{} // chapter → sheet
	for i, ch := range want.chapters {
		if s := sheets[1+i]; !strings.HasPrefix(s, ch+" ") {
			t.Errorf("sheet %d is %q, want family %s", i+2, s, ch)
		}
		familySheet[ch] = sheets[1+i]
	}

	// Cover: the district's value, target and result of every KPI.
	rows := getRows(t, f, "Tổng quan")
	seen := map[string]bool{}
	for _, row := range rows {
		if len(row) < 7 {
			continue
		}
		k, ok := want.kpis[row[2]]
		if !ok {
			continue
		}
		seen[k.code] = true
		if row[3] != k.name {
			t.Errorf("cover %s: name %q, want %q", k.code, row[3], k.name)
		}
		v, has := want.values[[2]string{"thanh_xuan", k.code}]
		if !has {
			if row[4] != "—" {
				t.Errorf("cover %s: value %q for a KPI without a district row", k.code, row[4])
			}
			continue
		}
		checkNum(t, "cover "+k.code+" value", row[4], v.value)
		checkNum(t, "cover "+k.code+" target", row[5], v.target)
		if row[6] != wantStatus(v) {
			t.Errorf("cover %s: result %q, want %q", k.code, row[6], wantStatus(v))
		}
	}
	if len(seen) != len(want.kpis) {
		t.Errorf("cover lists %d of %d KPIs", len(seen), len(want.kpis))
	}

	// Family sheets: every unit a row, every KPI of the chapter a column,
	// values as in the marts, met and missed told apart by the fill.
	fills := map[string]int{}
	for _, ch := range want.chapters {
		s := familySheet[ch]
		rows := getRows(t, f, s)
		codeRow := -1
		for i, row := range rows {
			if len(row) > 1 && row[1] == "Mã KPI" {
				codeRow = i
			}
		}
		if codeRow < 0 {
			t.Errorf("%s: no Mã KPI row", s)
			continue
		}
		cols := map[int]string{}
		for c, code := range rows[codeRow] {
			if _, ok := want.kpis[code]; ok {
				cols[c] = code
			}
		}
		for code, k := range want.kpis {
			found := false
			for _, c := range cols {
				found = found || c == code
			}
			if found != (k.chapter == ch) {
				t.Errorf("%s: KPI %s on the sheet %v, its chapter is %s", s, code, found, k.chapter)
			}
		}
		units := map[string]bool{}
		for r := codeRow + 1; r < len(rows); r++ {
			row := rows[r]
			if len(row) < 2 {
				continue
			}
			code, isUnit := want.unitNames[row[1]]
			if !isUnit {
				continue
			}
			units[row[1]] = true
			for c, kpi := range cols {
				got := ""
				if c < len(row) {
					got = row[c]
				}
				v, has := want.values[[2]string{code, kpi}]
				if !has {
					if got != "—" {
						t.Errorf("%s %s %s: %q where the marts have no row", s, code, kpi, got)
					}
					continue
				}
				checkNum(t, fmt.Sprintf("%s %s %s", s, code, kpi), got, v.value)
				fill := cellFill(t, f, s, c+1, r+1)
				if fill != wantFill(v) {
					t.Errorf("%s %s %s: fill %s, want %s (meets_target %v)", s, code, kpi, fill, wantFill(v), v.meets)
				}
				fills[fill]++
			}
		}
		for _, name := range want.units {
			if !units[name] {
				t.Errorf("%s: unit %q has no row", s, name)
			}
		}
		if !units[want.district] {
			t.Errorf("%s: no district row", s)
		}
	}
	if fills[fillMet] == 0 || fills[fillMissed] == 0 {
		t.Errorf("fills %v: the data should have both met and missed cells", fills)
	}

	// Charts: one on the cover, one per KPI with unit values on each family
	// sheet (titled with the KPI's name), one for the reconciliation.
	perSheet := chartsOf(t, file)
	total := 0
	for _, c := range perSheet {
		total += len(c)
	}
	if len(perSheet["Tổng quan"]) != 1 {
		t.Errorf("cover has %d charts", len(perSheet["Tổng quan"]))
	}
	for _, ch := range want.chapters {
		s := familySheet[ch]
		var titles []string
		for _, x := range perSheet[s] {
			info := parseChart(t, x)
			titles = append(titles, info.title)
			if !info.bar || !strings.Contains(strings.Join(info.refs, " "), "'Số liệu biểu đồ'!") {
				t.Errorf("%s: chart %q is not a bar chart of the chart data (refs %q)", s, info.title, info.refs)
			}
		}
		wantTitles := want.chartedKPIs(ch)
		if len(wantTitles) == 0 {
			t.Fatalf("chapter %s has no unit values: the test data should cover every family", ch)
		}
		sort.Strings(titles)
		var wt []string
		for n := range wantTitles {
			wt = append(wt, n)
		}
		sort.Strings(wt)
		if strings.Join(titles, "|") != strings.Join(wt, "|") {
			t.Errorf("%s charts:\n got %q\nwant %q", s, titles, wt)
		}
	}
	if len(perSheet["Đối chiếu Biểu 06"]) != 1 {
		t.Errorf("reconciliation sheet has %d charts", len(perSheet["Đối chiếu Biểu 06"]))
	}

	// Submissions: who sent, late or not at all.
	gotSubs := map[string]string{}
	for _, row := range getRows(t, f, "Gửi báo cáo") {
		if len(row) > 3 && want.unitNames[row[1]] != "" {
			gotSubs[row[1]] = row[3]
		}
	}
	if fmt.Sprint(gotSubs) != fmt.Sprint(want.subs) {
		t.Errorf("submissions:\n got %v\nwant %v", gotSubs, want.subs)
	}

	// Reconciliation: reported against computed.
	n := 0
	for _, row := range getRows(t, f, "Đối chiếu Biểu 06") {
		v, ok := want.recon[safeIndex(row, 1)]
		if !ok {
			continue
		}
		n++
		for i, c := range []int{2, 3, 8, 9} {
			checkNum(t, "reconciliation "+row[1], safeIndex(row, c), sql.NullFloat64{Float64: v[i], Valid: true})
		}
	}
	if n != len(want.recon) {
		t.Errorf("reconciliation has %d rows, the mart %d", n, len(want.recon))
	}

	// Formula-like text stays text: string cells, no formula, Text format.
	plusName, minusName := want.kpis["satisfaction_rate"].name, want.kpis["tthc_on_time_rate"].name
	if !strings.HasPrefix(plusName, evilKPIPlus) || !strings.HasPrefix(minusName, evilKPIMinus) {
		t.Fatalf("KPI names %q, %q: the seeds were not changed", plusName, minusName)
	}
	evil := map[string]int{}
	for _, s := range sheets {
		rows := getRows(t, f, s)
		for r, row := range rows {
			for c, v := range row {
				// names, and the cover chart's labels that start with them
				if v != evilUnitName && v != evilUnitShort && !strings.HasPrefix(v, plusName) && !strings.HasPrefix(v, minusName) {
					continue
				}
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if formula, _ := f.GetCellFormula(s, ref); formula != "" {
					t.Errorf("%s!%s %q has formula %q", s, ref, v, formula)
				}
				if ty, _ := f.GetCellType(s, ref); ty != excelize.CellTypeSharedString && ty != excelize.CellTypeInlineString {
					t.Errorf("%s!%s %q is not a string cell (type %v)", s, ref, v, ty)
				}
				if id, _ := f.GetCellStyle(s, ref); id != 0 {
					if st, _ := f.GetStyle(id); st.NumFmt != 49 {
						t.Errorf("%s!%s %q: number format %d, want 49 (Text)", s, ref, v, st.NumFmt)
					}
				}
				evil[v]++
			}
		}
	}
	if evil[evilUnitName] == 0 || evil[evilUnitShort] == 0 || evil[plusName] == 0 || evil[minusName] == 0 {
		t.Errorf("formula-like names found %v: each should appear", evil)
	}
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/worksheets/") && strings.HasSuffix(zf.Name, ".xml") {
			b := readZip(t, zf)
			if bytes.Contains(b, []byte("<f>")) || bytes.Contains(b, []byte("<f ")) {
				t.Errorf("%s holds a formula", zf.Name)
			}
		}
	}
	return total
}

func safeIndex(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

func getRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// checkNum compares a raw cell with a value of the warehouse: the same
// float64, or a dash for NULL.
func checkNum(t *testing.T, what, got string, want sql.NullFloat64) {
	t.Helper()
	if !want.Valid {
		if got != "—" {
			t.Errorf("%s: %q, want — for NULL", what, got)
		}
		return
	}
	// A workbook keeps Excel's 15 significant digits.
	g, err := strconv.ParseFloat(got, 64)
	if err != nil || math.Abs(g-want.Float64) > 1e-12*math.Max(1, math.Abs(want.Float64)) {
		t.Errorf("%s: %q, want %v", what, got, want.Float64)
	}
}

func cellFill(t *testing.T, f *excelize.File, sheet string, col, row int) string {
	t.Helper()
	ref, _ := excelize.CoordinatesToCellName(col, row)
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Fill.Color) == 0 {
		return ""
	}
	c := strings.ToUpper(strings.TrimPrefix(st.Fill.Color[0], "#"))
	if len(c) > 6 {
		c = c[len(c)-6:]
	}
	return c
}

func readZip(t *testing.T, zf *zip.File) []byte {
	t.Helper()
	rc, err := zf.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// chartsOf follows the package relationships workbook → sheet → drawing →
// chart and returns each sheet's chart parts.
func chartsOf(t *testing.T, file string) map[string][]string {
	t.Helper()
	zr, err := zip.OpenReader(file)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	parts := map[string][]byte{}
	for _, zf := range zr.File {
		parts[zf.Name] = readZip(t, zf)
	}
	type rel struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	}
	rels := func(part string) []rel {
		var r struct {
			Rels []rel `xml:"Relationship"`
		}
		b, ok := parts[path.Join(path.Dir(part), "_rels", path.Base(part)+".rels")]
		if !ok {
			return nil
		}
		if err := xml.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		for i := range r.Rels {
			if tg := r.Rels[i].Target; strings.HasPrefix(tg, "/") {
				r.Rels[i].Target = strings.TrimPrefix(tg, "/")
			} else {
				r.Rels[i].Target = path.Join(path.Dir(part), tg)
			}
		}
		return r.Rels
	}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(parts["xl/workbook.xml"], &wb); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, s := range wb.Sheets {
		for _, r := range rels("xl/workbook.xml") {
			if r.ID != s.RID {
				continue
			}
			for _, d := range rels(r.Target) {
				if !strings.HasSuffix(d.Type, "/drawing") {
					continue
				}
				for _, c := range rels(d.Target) {
					if strings.HasSuffix(c.Type, "/chart") {
						x, ok := parts[c.Target]
						if !ok {
							t.Errorf("%s: chart part %s missing", s.Name, c.Target)
						}
						out[s.Name] = append(out[s.Name], string(x))
					}
				}
			}
		}
	}
	return out
}

type chartInfo struct {
	title string   // the first run of the chart's title
	bar   bool     // has a bar (or column) chart
	refs  []string // the cell ranges it plots
}

// parseChart reads a chart part, whatever prefix its namespace has.
func parseChart(t *testing.T, x string) chartInfo {
	t.Helper()
	var info chartInfo
	dec := xml.NewDecoder(strings.NewReader(x))
	var stack []string
	inTitle, gotTitle := 0, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			stack = append(stack, e.Name.Local)
			switch e.Name.Local {
			case "title":
				inTitle++
			case "barChart":
				info.bar = true
			}
		case xml.EndElement:
			if e.Name.Local == "title" {
				inTitle--
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			switch top := stack[len(stack)-1]; {
			case top == "t" && inTitle > 0 && !gotTitle:
				info.title, gotTitle = string(e), true
			case top == "f":
				info.refs = append(info.refs, string(e))
			}
		}
	}
	return info
}

// pct is the page's Vietnamese percentage, written independently of the
// report's own formatter.
func pct(v float64) string {
	return strings.Replace(strconv.FormatFloat(100*v, 'f', 1, 64), ".", ",", 1) + "%"
}

// checkReportHTML parses the page: self-contained, one <svg> per chart of
// the workbook, the district's values in the cover table, the formula-like
// names as plain text.
func checkReportHTML(t *testing.T, file string, want reportTruth, charts int) {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	raw := string(b)
	for _, bad := range []string{"<script", "src=", "href=\"http", "@import", "url("} {
		if strings.Contains(raw, bad) {
			t.Errorf("page is not self-contained: has %q", bad)
		}
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict, dec.AutoClose, dec.Entity = false, xml.HTMLAutoClose, xml.HTMLEntity
	svgs, rectsInSVG, depth := 0, 0, 0
	var text strings.Builder
	coverRows := map[string][]string{} // data-kpi → cell texts
	var curKPI string
	var cell *strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("page does not parse: %v", err)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			switch x.Name.Local {
			case "svg":
				svgs++
				depth++
			case "rect":
				if depth > 0 {
					rectsInSVG++
				}
			case "tr":
				curKPI = ""
				for _, a := range x.Attr {
					if a.Name.Local == "data-kpi" {
						curKPI = a.Value
					}
				}
			case "td":
				cell = &strings.Builder{}
			}
		case xml.EndElement:
			switch x.Name.Local {
			case "svg":
				depth--
			case "td":
				if curKPI != "" && cell != nil {
					coverRows[curKPI] = append(coverRows[curKPI], strings.TrimSpace(cell.String()))
				}
				cell = nil
			}
		case xml.CharData:
			text.Write(x)
			if cell != nil {
				cell.Write(x)
			}
		}
	}
	if charts == 0 || svgs != charts {
		t.Errorf("page has %d <svg>, the workbook %d charts", svgs, charts)
	}
	if rectsInSVG < svgs {
		t.Errorf("%d bars in %d charts", rectsInSVG, svgs)
	}
	for code, k := range want.kpis {
		row, ok := coverRows[code]
		if !ok || len(row) < 7 {
			t.Errorf("page: no cover row for %s", code)
			continue
		}
		if row[3] != k.name {
			t.Errorf("page %s: name %q, want %q", code, row[3], k.name)
		}
		if v, has := want.values[[2]string{"thanh_xuan", code}]; has && v.value.Valid {
			if row[4] != wantSign(v)+pct(v.value.Float64) || row[6] != wantStatus(v) {
				t.Errorf("page %s: %q %q, want %q %q", code, row[4], row[6], wantSign(v)+pct(v.value.Float64), wantStatus(v))
			}
		}
	}
	all := text.String()
	for _, s := range []string{evilUnitName, evilUnitShort, want.district, "Tổng quan", "Tình hình gửi báo cáo định kỳ", "Đối chiếu Biểu 06"} {
		if !strings.Contains(all, s) {
			t.Errorf("page text lacks %q", s)
		}
	}
	for _, name := range want.units {
		if !strings.Contains(all, name) {
			t.Errorf("page lacks unit %q", name)
		}
	}
}

// checkScreenshot renders the page in a real headless browser (Debian's
// chromium) and checks the picture: not blank, and the bar colours drawn.
func checkScreenshot(t *testing.T, page string) {
	bin := "/usr/bin/chromium"
	if _, err := os.Stat(bin); err != nil {
		if bin, err = exec.LookPath("chromium"); err != nil {
			t.Skip("chromium is not installed (apt-get install chromium): the screenshot check is skipped")
		}
	}
	dir := t.TempDir()
	shot := filepath.Join(dir, "shot.png")
	abs, _ := filepath.Abs(page)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--screenshot="+shot, "--window-size=1280,2000", "file://"+abs)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	fh, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	bnd := img.Bounds()
	if bnd.Dx() < 1000 || bnd.Dy() < 1000 {
		t.Fatalf("screenshot is %v", bnd)
	}
	colours := map[[3]uint32]int{}
	for y := bnd.Min.Y; y < bnd.Max.Y; y += 2 {
		for x := bnd.Min.X; x < bnd.Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, b >> 8}]++
		}
	}
	if len(colours) < 20 {
		t.Errorf("screenshot has %d colours: the page did not render", len(colours))
	}
	bars := colours[[3]uint32{0x00, 0x72, 0xb2}] + colours[[3]uint32{0xe6, 0x9f, 0x00}]
	cells := colours[[3]uint32{0xdd, 0xeb, 0xf7}] + colours[[3]uint32{0xfc, 0xe4, 0xcc}]
	if bars < 50 || cells < 50 {
		t.Errorf("screenshot shows %d bar pixels and %d met/missed cell pixels: the charts or the colours are missing", bars, cells)
	}
}

// checkPrintSetup reads the workbook's page setup back: every sheet prints
// one page wide (fitToPage with fitToWidth 1 and fitToHeight 0: fitToWidth
// alone is ignored) on A4, landscape exactly where its table is wide; every
// sheet with a table repeats its header rows on each page; and every text
// longer than its column wraps in a row tall enough for its lines, so that
// no cell runs over another.
func checkPrintSetup(t *testing.T, file string) {
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	titles := map[string]string{}
	for _, d := range f.GetDefinedName() {
		if d.Name == "_xlnm.Print_Titles" {
			titles[d.Scope] = d.RefersTo
		}
	}
	landscapes := 0
	for _, s := range f.GetSheetList() {
		props, err := f.GetSheetProps(s)
		if err != nil {
			t.Fatal(err)
		}
		if props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("%s: fitToPage is not set: fitToWidth would be ignored", s)
		}
		pl, err := f.GetPageLayout(s)
		if err != nil {
			t.Fatal(err)
		}
		if pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 || pl.Size == nil || *pl.Size != 9 || pl.Orientation == nil {
			t.Errorf("%s: page layout %+v, want A4, one page wide, any number tall", s, pl)
			continue
		}
		rows := getRows(t, f, s)
		if s == "Số liệu biểu đồ" {
			if *pl.Orientation != "portrait" {
				t.Errorf("%s: %s, want the long narrow figures portrait", s, *pl.Orientation)
			}
			continue
		}
		// The header row: the first whose first cell is STT.
		head := 0
		for i, r := range rows {
			if len(r) > 1 && r[0] == "STT" {
				head = i + 1
				break
			}
		}
		if head == 0 {
			t.Errorf("%s: no table header", s)
			continue
		}
		width := 0.0
		for c := 1; c <= len(rows[head-1]); c++ {
			w, _ := f.GetColWidth(s, colName(c))
			width += w
		}
		if want := map[bool]string{true: "landscape", false: "portrait"}[width > 140]; *pl.Orientation != want {
			t.Errorf("%s: %s for a table %.0f characters wide, want %s", s, *pl.Orientation, width, want)
		}
		if *pl.Orientation == "landscape" {
			landscapes++
		}
		ref, ok := titles[s]
		if !ok || !strings.HasPrefix(ref, "'"+s+"'!$"+strconv.Itoa(head)+":$") {
			t.Errorf("%s: print titles %q, want the header row %d on", s, ref, head)
		}
		// The lines above the table wrap across it, in rows as tall as
		// their lines.
		merged, _ := f.GetMergeCells(s)
		for _, m := range merged {
			c1, r1, _ := excelize.CellNameToCoordinates(m.GetStartAxis())
			c2, _, _ := excelize.CellNameToCoordinates(m.GetEndAxis())
			w := 0.0
			for c := c1; c <= c2; c++ {
				cw, _ := f.GetColWidth(s, colName(c))
				w += cw
			}
			id, _ := f.GetCellStyle(s, m.GetStartAxis())
			st, _ := f.GetStyle(id)
			size := 11.0
			if st.Font != nil && st.Font.Size > 0 {
				size = st.Font.Size
			}
			lines := math.Ceil(float64(utf8.RuneCountInString(m.GetCellValue())) / ((w - 1) * 1.2 * 11 / size))
			h, _ := f.GetRowHeight(s, r1)
			if st.Alignment == nil || !st.Alignment.WrapText || lines > 1 && h < lines*size*1.2 {
				t.Errorf("%s!%s: %q across %.0f characters: wrap %v, row %.0f points for %.0f lines", s, m.GetStartAxis(), m.GetCellValue(), w, st.Alignment != nil && st.Alignment.WrapText, h, lines)
			}
		}
		// No cell runs over another.
		for r, row := range rows {
			for c, v := range row {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if merged, _ := f.GetMergeCells(s); inMerge(merged, cell) {
					continue // the lines above the table: checked below
				}
				// A column's width counts characters of the 11-point
				// default font; a serif face fits about a fifth more.
				w, _ := f.GetColWidth(s, colName(c+1))
				id, _ := f.GetCellStyle(s, cell)
				st, _ := f.GetStyle(id)
				size := 11.0
				if st.Font != nil && st.Font.Size > 0 {
					size = st.Font.Size
				}
				per := (w - 1) * 1.2 * 11 / size
				lines := math.Ceil(float64(utf8.RuneCountInString(v)) / per)
				if lines <= 1 {
					continue
				}
				if ty, _ := f.GetCellType(s, cell); ty != excelize.CellTypeSharedString && ty != excelize.CellTypeInlineString {
					continue // a number: Excel shows #### rather than spill
				}
				if st.Alignment == nil || !st.Alignment.WrapText {
					t.Errorf("%s!%s: %q is longer than its column (%.0f) and does not wrap", s, cell, v, w)
					continue
				}
				if h, _ := f.GetRowHeight(s, r+1); h < lines*size*1.2 {
					t.Errorf("%s!%s: %q needs %.0f lines of %.0f points, its row is %.0f points tall", s, cell, v, lines, size, h)
				}
			}
		}
	}
	if landscapes == 0 {
		t.Error("no sheet is landscape: the wide tables should be")
	}
}

// inMerge reports whether cell lies in one of the merged ranges.
func inMerge(merged []excelize.MergeCell, cell string) bool {
	for _, m := range merged {
		if m.GetStartAxis() == cell {
			return true
		}
	}
	return false
}

func colName(c int) string {
	n, _ := excelize.ColumnNumberToName(c)
	return n
}
