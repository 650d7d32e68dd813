package gen

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/seeds"

	"github.com/xuri/excelize/v2"
)

// sheetRows is a file's content as text: sheet name ("" for CSV) → rows, where
// rows[i] is sheet row i+1 (or CSV line i+1).
type sheetRows map[string][][]string

func readXLSX(t *testing.T, path string) (sheetRows, []string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	out := sheetRows{}
	for _, s := range f.GetSheetList() {
		rows, err := f.GetRows(s, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatalf("%s!%s: %v", path, s, err)
		}
		out[s] = rows
	}
	return out, f.GetSheetList()
}

func readCSV(t *testing.T, path string, quirks []string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.Comma = ','
	for _, q := range quirks {
		switch q {
		case "csv_delim_semicolon":
			r.Comma = ';'
		case "csv_delim_tab":
			r.Comma = '\t'
		}
	}
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	// Line numbers are the truth's row numbers: no record may span lines.
	if lines := bytes.Count(b, []byte("\n")); lines != len(recs) {
		t.Fatalf("%s: %d lines but %d records", path, lines, len(recs))
	}
	return recs
}

func trim(s string) string { return strings.Trim(s, " \u00a0\t\r\n") }

var reID = regexp.MustCompile(`^H\d+\.\d{4}-[ABC]-\d{6,}$`)

func has(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// loaded reads every non-junk file of a generated inbox.
func loaded(t *testing.T, dir string, tr *Truth) map[string]sheetRows {
	t.Helper()
	out := map[string]sheetRows{}
	for _, ft := range tr.Files {
		p := filepath.Join(dir, filepath.FromSlash(ft.Path))
		if ft.ExpectFailed {
			continue
		}
		if strings.HasSuffix(ft.Path, ".csv") {
			out[ft.Path] = sheetRows{"": readCSV(t, p, ft.Quirks)}
		} else {
			out[ft.Path], _ = readXLSX(t, p)
		}
	}
	return out
}

func rowAt(t *testing.T, content map[string]sheetRows, file, sheet string, row int) []string {
	t.Helper()
	sr, ok := content[file]
	if !ok {
		t.Fatalf("%s: not a readable file of the truth", file)
	}
	rows, ok := sr[sheet]
	if !ok {
		t.Fatalf("%s: no sheet %q", file, sheet)
	}
	if row < 1 || row > len(rows) {
		t.Fatalf("%s!%s: row %d outside 1..%d", file, sheet, row, len(rows))
	}
	return rows[row-1]
}

func TestGenerateDefault(t *testing.T) {
	for _, seed := range []int64{1, 2, 3, 17} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			opt := Default()
			opt.Seed = seed
			checkGenerated(t, opt)
		})
	}
}

// checkGenerated generates a set and holds every file against the truth.
func checkGenerated(t *testing.T, opt Options) {
	dir := t.TempDir()
	start := time.Now()
	tr, err := Generate(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated %d files, %d dossiers, %d rejects, %d indicators, %d summary rows in %v",
		len(tr.Files), len(tr.Dossiers), len(tr.Rejects), len(tr.Indicators), len(tr.Summaries), time.Since(start))

	// Every file on disk is in the truth, with the mtime the truth says.
	var onDisk []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			onDisk = append(onDisk, filepath.ToSlash(rel))
		}
		return err
	})
	if len(onDisk) != len(tr.Files) {
		t.Fatalf("%d files on disk, %d in the truth", len(onDisk), len(tr.Files))
	}
	kinds := map[string]int{}
	for _, ft := range tr.Files {
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(ft.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if !st.ModTime().Equal(ft.ModTime) {
			t.Errorf("%s: mtime %v, truth %v", ft.Path, st.ModTime(), ft.ModTime)
		}
		kinds[ft.Kind]++
	}
	t.Logf("kinds: %v", kinds)
	if kinds["dossiers"] < 8 || kinds["unit_report"] < 25 || kinds["tthc_summary"] < 5 || kinds["junk"] != 3 {
		t.Errorf("unexpected mix of kinds: %v", kinds)
	}

	// Junk fails as it should: the truncated workbook is no zip, the others open.
	for _, ft := range tr.Files {
		if !ft.ExpectFailed {
			continue
		}
		f, err := excelize.OpenFile(filepath.Join(dir, filepath.FromSlash(ft.Path)))
		if has(ft.Quirks, "truncated_zip") != (err != nil) {
			t.Errorf("%s: open error %v", ft.Path, err)
		}
		if err == nil {
			f.Close()
		}
	}

	content := loaded(t, dir, tr)

	// Dossiers: unique, sane, present in the file they come from, and that
	// file is the latest one holding them.
	ids := map[string]map[string]bool{} // id → files holding it
	for _, ft := range tr.Files {
		if ft.Kind != "dossiers" || ft.DuplicateOf != "" {
			continue
		}
		for _, rows := range content[ft.Path] {
			for _, row := range rows {
				for _, c := range row {
					if c = trim(c); reID.MatchString(c) {
						if ids[c] == nil {
							ids[c] = map[string]bool{}
						}
						ids[c][ft.Path] = true
					}
				}
			}
		}
	}
	mtime := map[string]time.Time{}
	fileByPath := map[string]FileTruth{}
	for _, ft := range tr.Files {
		mtime[ft.Path] = ft.ModTime
		fileByPath[ft.Path] = ft
	}
	seen := map[string]bool{}
	pii := map[string]bool{}
	for _, v := range tr.PersonalValues {
		pii[v] = true
	}
	overlap, changed := 0, 0
	unitSeen := map[string]bool{}
	for _, d := range tr.Dossiers {
		if seen[d.DossierID] {
			t.Fatalf("dossier %s twice in the truth", d.DossierID)
		}
		seen[d.DossierID] = true
		unitSeen[d.UnitCode] = true
		if !ids[d.DossierID][d.SourceFile] {
			t.Fatalf("dossier %s not found in its source file %s", d.DossierID, d.SourceFile)
		}
		for f := range ids[d.DossierID] {
			if mtime[f].After(mtime[d.SourceFile]) {
				t.Errorf("dossier %s: truth from %s, but %s is later", d.DossierID, d.SourceFile, f)
			}
		}
		if len(ids[d.DossierID]) > 1 {
			overlap++
			if d.Status == "resolved" && d.CompletedDate.After(civil(2024, 3, 11)) {
				changed++ // in progress in the early export, resolved in the later one
			}
		}
		if d.DueDate.Before(d.ReceivedDate) || !d.CompletedDate.IsZero() && d.CompletedDate.Before(d.ReceivedDate) {
			t.Errorf("dossier %s: impossible dates %+v", d.DossierID, d)
		}
		if d.Status == "resolved" && (d.CompletedDate.IsZero() || d.Timeliness == "") {
			t.Errorf("dossier %s: resolved without completion or timeliness", d.DossierID)
		}
		if d.FieldGroup != FieldGroup(d.Field) {
			t.Errorf("dossier %s: field group %s for %s", d.DossierID, d.FieldGroup, d.Field)
		}
		if d.ApplicantID != "" && !pii[d.ApplicantID] {
			t.Errorf("dossier %s: applicant id not among the personal values", d.DossierID)
		}
		if d.ReceivedDate.Location() != time.UTC || d.ReceivedDate.Hour() != 0 {
			t.Errorf("dossier %s: received date %v is not a civil date", d.DossierID, d.ReceivedDate)
		}
	}
	if len(tr.Dossiers) != len(opt.Units)*opt.DossiersPerUnit {
		t.Errorf("%d dossiers, want %d", len(tr.Dossiers), len(opt.Units)*opt.DossiersPerUnit)
	}
	if len(unitSeen) != len(opt.Units) {
		t.Errorf("dossiers of %d units, want %d", len(unitSeen), len(opt.Units))
	}
	if overlap == 0 || changed == 0 {
		t.Errorf("latest-file-wins not exercised: %d dossiers in two files, %d changed", overlap, changed)
	}
	for _, groups := range []string{"tnmt", "khdt", "other"} {
		n := 0
		for _, d := range tr.Dossiers {
			if d.FieldGroup == groups {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no dossier of field group %s", groups)
		}
	}

	// Every planted reject points at an existing row whose cell holds the bad value.
	reasons := map[string]int{}
	for _, rj := range tr.Rejects {
		reasons[rj.Reason]++
		row := rowAt(t, content, rj.File, rj.Sheet, rj.Row)
		if len(row) == 0 {
			t.Errorf("reject %+v: empty row", rj)
			continue
		}
		if rj.Value != "" && !has(row, rj.Value) {
			t.Errorf("reject %+v: no cell holds %q in %q", rj, rj.Value, row)
		}
		if fileByPath[rj.File].Kind == "dossiers" {
			found := false
			for _, c := range row {
				if c = trim(c); reID.MatchString(c) {
					found = true
					if seen[c] {
						t.Errorf("reject %+v: its dossier %s is also in the truth", rj, c)
					}
				}
			}
			if !found {
				t.Errorf("reject %+v: row holds no dossier id: %q", rj, row)
			}
		}
	}
	for _, want := range []string{rImpossibleDate, rNotDayFirst, rCompletedBefore, rDueBefore, rResolvedNoComplete,
		rUnknownChannel, rUnknownUnit, rUnknownStatus, rNegative, rNumAboveDen} {
		if reasons[want] == 0 {
			t.Errorf("no planted reject with reason %s (have %v)", want, reasons)
		}
	}

	// Indicators: one value per unit, period and code, read back from its row.
	type key struct{ u, p, c string }
	ind := map[key]bool{}
	for _, it := range tr.Indicators {
		k := key{it.UnitCode, it.PeriodCode, it.IndicatorCode}
		if ind[k] {
			t.Errorf("indicator %v twice", k)
		}
		ind[k] = true
		ft := fileByPath[it.File]
		if ft.Kind != "unit_report" || ft.UnitCode != it.UnitCode || ft.PeriodCode != it.PeriodCode {
			t.Errorf("indicator %+v: file %+v", it, ft)
		}
		row := rowAt(t, content, it.File, it.Sheet, it.Row)
		ok := false
		for _, c := range row {
			if v, err := strconv.ParseFloat(strings.ReplaceAll(trim(c), ".", ""), 64); err == nil && v == it.Value {
				ok = true
			}
		}
		if !ok {
			t.Errorf("indicator %+v: value not in row %q", it, row)
		}
	}
	for _, ft := range tr.Files {
		if ft.Replaces != "" {
			old := fileByPath[ft.Replaces]
			if old.Kind != "unit_report" || !old.ModTime.Before(ft.ModTime) || old.UnitCode != ft.UnitCode || old.PeriodCode != ft.PeriodCode {
				t.Errorf("%s replaces %s, which is not an earlier report of the same unit and period", ft.Path, ft.Replaces)
			}
			for _, it := range tr.Indicators {
				if it.File == ft.Replaces {
					t.Errorf("indicator %+v comes from a replaced report", it)
				}
			}
		}
	}

	// Biểu 06 rows: read back, identities as the truth says, and equal to what
	// the dossiers show except for the planted rows.
	byUnit := map[string][]Dossier{}
	for _, d := range tr.Dossiers {
		byUnit[d.UnitCode] = append(byUnit[d.UnitCode], d)
	}
	inconsistent, differ := 0, 0
	for _, s := range tr.Summaries {
		row := rowAt(t, content, s.File, s.Sheet, s.Row)
		got := []int{s.ReceivedTotal, s.ReceivedOnline, s.ReceivedCounterPostal, s.CarriedOver, s.ResolvedTotal,
			s.ResolvedEarly, s.ResolvedOnTime, s.ResolvedLate, s.InProgressTotal, s.InProgressWithinDeadline, s.InProgressOverdue}
		if len(row) < 13 || row[1] != s.Field {
			t.Fatalf("summary %+v: row %q", s, row)
		}
		var c b06counts
		for i, v := range got {
			n, err := strconv.Atoi(trim(row[2+i]))
			if err != nil || n != v {
				t.Errorf("summary %+v: column (%d) holds %q", s, i+3, row[2+i])
			}
			c[i] = v
		}
		if consistent(c) != s.Consistent {
			t.Errorf("summary %+v: consistent flag wrong", s)
		}
		if !s.Consistent {
			inconsistent++
		}
		var p Period
		for _, pp := range tr.Periods {
			if pp.Code == s.PeriodCode {
				p = pp
			}
		}
		_, computed := bieu06Counts(byUnit[s.UnitCode], p)
		if *computed[s.Field] != c {
			differ++
			q := fileByPath[s.File].Quirks
			if !has(q, "b06_inflated") && !has(q, "b06_inconsistent") {
				t.Errorf("summary %+v differs from the dossiers %v without a planted fault", s, *computed[s.Field])
			}
		}
	}
	if inconsistent != 1 || differ != 2 {
		t.Errorf("%d inconsistent and %d differing Biểu 06 rows, want 1 and 2", inconsistent, differ)
	}

	// The set exercises every tolerance of the samples' manifest.
	all := quirks{}
	for _, ft := range tr.Files {
		all.add(ft.Quirks...)
	}
	for _, q := range []string{"b06_inconsistent", "b06_inflated", "b06_variant_wording", "blank_rows", "code_column",
		"csv_bom", "csv_delim_comma", "csv_delim_semicolon", "csv_delim_tab", "date_cells", "date_dmy", "date_dmy_dash",
		"date_dmy_dot", "date_dmy_hms", "date_dmy_short", "date_iso", "date_portal", "duplicate_bytes", "empty_sheet",
		"footer", "header_linebreak", "header_nodia", "header_spaces", "header_upper", "label_colon", "label_linebreak",
		"label_nodia", "label_numbering", "label_spaces", "label_upper", "negative_value", "note_rows", "notes_sheet_first",
		"number_row", "number_text", "number_text_padded", "numeric_codes", "padded_text", "resent", "section_rows",
		"shuffled_columns", "title_rows", "total_row", "truncated_zip", "two_row_header", "unknown_columns",
		"tcvn3", "unit_from_title", "unit_from_filename", "unit_from_column", "multi_unit", "subtotal_rows",
		// CONTRACT 3.5
		"header_aliases_35", "header_parens", "header_contains", "header_numbering", "header_colon", "status_timeliness",
		"level_codes", "values_35", "date_time_first", "date_12h_sa_ch", "date_12h_am_pm", "date_month_first"} {
		if !all[q] {
			t.Errorf("no file exercises %s", q)
		}
	}
	t.Logf("quirks: %v", all.list())

	// Every value variant of CONTRACT 3.1 and every alias form of a unit name
	// occurs somewhere, written as is.
	cells := map[string]bool{}
	for _, ft := range tr.Files {
		if ft.Kind == "dossiers" {
			for _, rows := range content[ft.Path] {
				for _, row := range rows {
					for _, c := range row {
						cells[trim(c)] = true
					}
				}
			}
		}
	}
	var want []string
	for _, m := range []map[string][]string{channelText, levelText, statusText, statusCodes} {
		for _, vs := range m {
			want = append(want, vs...)
		}
	}
	for _, v := range channelCode {
		want = append(want, v)
	}
	want = append(want, yesNoAll[0]...)
	want = append(want, yesNoAll[1]...)
	want = append(want, "Đã số hóa", "Đã xác thực")
	for _, m := range []map[string][]string{channelText35, levelText35, statusText35, noText35} {
		for _, vs := range m {
			want = append(want, vs...)
		}
	}
	for _, v := range levelCode {
		want = append(want, v)
	}
	for _, v := range want {
		if v != "" && !cells[v] {
			t.Errorf("value %q never written", v)
		}
	}
	formOf := map[string]string{}
	for _, u := range units {
		for i, a := range u.aliases() {
			formOf[strings.ToUpper(a)] = "upper"
			formOf[stripDia(a)] = "nodia"
			formOf[a] = fmt.Sprintf("ward=%v alias %d", u.Ward, i)
		}
	}
	forms := map[string]bool{}
	for c := range cells {
		if f, ok := formOf[c]; ok {
			forms[f] = true
		}
	}
	for _, f := range []string{"ward=true alias 0", "ward=true alias 1", "ward=true alias 2", "ward=true alias 3",
		"ward=true alias 4", "ward=false alias 0", "ward=false alias 1", "ward=false alias 2", "upper", "nodia"} {
		if !forms[f] {
			t.Errorf("unit name form %s never written (have %v)", f, forms)
		}
	}

	// Status cells that state the timeliness: as the dates say, but once per
	// such file a late dossier called on time.
	stated, disagree := 0, 0
	for _, d := range tr.Dossiers {
		if d.ReportedTimeliness != "" {
			stated++
			if d.Status == "resolved" && d.ReportedTimeliness != d.Timeliness {
				disagree++
			}
		}
	}
	if stated < 20 || disagree < 1 {
		t.Errorf("%d dossiers state their timeliness, %d against their dates", stated, disagree)
	}

	// The byte copy really is one.
	for _, ft := range tr.Files {
		if ft.DuplicateOf != "" {
			a, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ft.Path)))
			b, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ft.DuplicateOf)))
			if !bytes.Equal(a, b) {
				t.Errorf("%s is not a copy of %s", ft.Path, ft.DuplicateOf)
			}
			for _, rj := range tr.Rejects {
				if rj.File == ft.DuplicateOf {
					t.Errorf("the copied file %s has planted rejects", ft.DuplicateOf)
				}
			}
		}
	}
}

// TestHeadersReadable checks that every dossier export has a header row
// naming its required fields, as CONTRACT 3.4 and 3.5 read headers (the
// wordings of 3.5 — more aliases, hints in parentheses, numbering, headers
// that hold an alias — included): through the warehouse's own header search.
func TestHeadersReadable(t *testing.T) {
	dir := t.TempDir()
	opt := Default()
	opt.DossiersPerUnit = 20
	opt.Reports = false
	tr, err := Generate(dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := seeds.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	vocab := extract.NewVocab(cat)
	content := loaded(t, dir, tr)
	all := quirks{}
	for _, ft := range tr.Files {
		if ft.Kind != "dossiers" {
			continue
		}
		all.add(ft.Quirks...)
		found := false
		for _, rows := range content[ft.Path] {
			var head []extract.Row
			for i, row := range rows {
				if i == 20 {
					break
				}
				cells := make([]string, len(row))
				for j, c := range row {
					cells[j] = extract.Clean(c)
				}
				head = append(head, extract.Row{Num: i + 1, Cells: cells})
			}
			if l, ok := vocab.FindHeader(head); ok && l.Kind == extract.KindDossiers {
				found = true
				if len(l.Ambiguous) > 0 {
					t.Errorf("%s: ambiguous columns %q", ft.Path, l.Ambiguous)
				}
			}
		}
		if !found {
			t.Errorf("%s: no header row with the required fields", ft.Path)
		}
	}
	for _, q := range []string{"header_aliases_35", "header_parens", "header_numbering", "header_colon"} {
		if !all[q] {
			t.Errorf("no dossier export exercises %s", q)
		}
	}
}

func fileHashes(t *testing.T, dir string, tr *Truth) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	for _, ft := range tr.Files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ft.Path)))
		if err != nil {
			t.Fatal(err)
		}
		out[ft.Path] = sha256.Sum256(b)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	opt := Default()
	opt.Seed = 42
	opt.DossiersPerUnit = 40
	d1, d2 := t.TempDir(), t.TempDir()
	t1, err := Generate(d1, opt)
	if err != nil {
		t.Fatal(err)
	}
	t2, err := Generate(d2, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(t1, t2) {
		t.Fatal("two runs with the same options gave different truths")
	}
	h1, h2 := fileHashes(t, d1, t1), fileHashes(t, d2, t2)
	for p, h := range h1 {
		if h2[p] != h {
			t.Errorf("%s differs between runs", p)
		}
	}
	opt.Seed = 43
	t3, err := Generate(t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(t1.Dossiers, t3.Dossiers) {
		t.Error("another seed gave the same dossiers")
	}
}

func TestClean(t *testing.T) {
	dir := t.TempDir()
	tr, err := Generate(dir, Options{Seed: 7, Reports: true, DossiersPerUnit: 30})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Rejects) != 0 {
		t.Errorf("clean set has %d rejects", len(tr.Rejects))
	}
	for _, ft := range tr.Files {
		if ft.ExpectFailed || ft.DuplicateOf != "" {
			t.Errorf("clean set has %s", ft.Path)
		}
	}
	for _, s := range tr.Summaries {
		if !s.Consistent {
			t.Errorf("clean set has inconsistent %+v", s)
		}
	}
	content := loaded(t, dir, tr)
	for _, ft := range tr.Files {
		if ft.Kind != "dossiers" {
			continue
		}
		for _, rows := range content[ft.Path] {
			if len(rows) == 0 || rows[0][0] != "STT" || rows[0][1] != "Mã hồ sơ" {
				t.Errorf("%s: clean header expected in row 1, got %q", ft.Path, rows[0])
			}
		}
	}
	if len(tr.Dossiers) != len(DefaultUnits())*30 {
		t.Errorf("%d dossiers", len(tr.Dossiers))
	}
}

func TestSmallSets(t *testing.T) {
	for _, opt := range []Options{
		{Seed: 3, Units: []string{"kim_giang"}, Periods: []string{"2024-Q1"}, DossiersPerUnit: 5, Reports: true, Messy: true, TCVN3: true},
		{Seed: 4, Units: []string{"van_phong", "tu_phap"}, Year: 2025, Periods: []string{"2025-9M", "2025-Y"}, DossiersPerUnit: 10, Reports: true, Messy: true},
	} {
		dir := t.TempDir()
		tr, err := Generate(dir, opt)
		if err != nil {
			t.Fatal(err)
		}
		loaded(t, dir, tr)
		if len(tr.Dossiers) != len(opt.Units)*opt.DossiersPerUnit {
			t.Errorf("%v: %d dossiers", opt.Units, len(tr.Dossiers))
		}
	}
	if _, err := Generate(t.TempDir(), Options{Units: []string{"hoan_kiem"}}); err == nil {
		t.Error("unknown unit accepted")
	}
	if _, err := Generate(t.TempDir(), Options{Periods: []string{"2024-Q5"}}); err == nil {
		t.Error("unknown period accepted")
	}
}

func TestTCVN3(t *testing.T) {
	got, ok := tcvn3("Khương Đình")
	if !ok || got != "Kh\u00ad\u00acng \u00a7\u00d7nh" {
		t.Errorf("tcvn3(Khương Đình) = %q, %v", got, ok)
	}
	if _, ok := tcvn3("PHƯỜNG"); ok {
		t.Error("an upper-case toned vowel has no TCVN3 code")
	}
}

func TestWriteDossierXLSX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.xlsx")
	if err := WriteDossierXLSX(path, 2000, 1); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows("Danh sách")
	if err != nil {
		t.Fatal(err)
	}
	n, dateCells := 0, 0
	ids := map[string]bool{}
	for rows.Next() {
		n++
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			if len(cols) != len(benchHeader) || cols[1] != "Mã hồ sơ" {
				t.Fatalf("header %q", cols)
			}
			continue
		}
		if len(cols) < 16 || !reID.MatchString(cols[1]) {
			t.Fatalf("row %d: %q", n, cols)
		}
		ids[cols[1]] = true
		if _, err := strconv.ParseFloat(cols[6], 64); err == nil {
			dateCells++
		}
	}
	if n-1 != 2000 || len(ids) != 2000 || dateCells != 2000 {
		t.Errorf("%d data rows, %d ids, %d date cells; want 2000 each", n-1, len(ids), dateCells)
	}
	typ, err := f.GetCellType("Danh sách", "G2")
	if err != nil || typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("G2 is not a date cell: %v %v", typ, err)
	}

	cpath := filepath.Join(t.TempDir(), "big.csv")
	if err := WriteDossierCSV(cpath, 2000, 1); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, cpath, nil)
	if len(recs) != 2001 || recs[1][1] != func() string {
		r, _ := f.GetCellValue("Danh sách", "B2")
		return r
	}() {
		t.Errorf("csv: %d records; first id %q", len(recs), recs[1][1])
	}
	if err := WriteDossierXLSX(path, 0, 1); err != ErrNoRows {
		t.Errorf("0 rows: %v", err)
	}
}

func BenchmarkWriteDossierXLSX(b *testing.B) {
	dir := b.TempDir()
	const rows = 20000
	for i := 0; i < b.N; i++ {
		if err := WriteDossierXLSX(filepath.Join(dir, "b.xlsx"), rows, int64(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// TestDump writes the default set to $GEN_DUMP for people to look at:
// GEN_DUMP=/tmp/inbox go test -run TestDump ./cmd/cchc/gen/
func TestDump(t *testing.T) {
	dir := os.Getenv("GEN_DUMP")
	if dir == "" {
		t.Skip("set GEN_DUMP to a folder")
	}
	tr, err := Generate(dir, Default())
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, f := range tr.Files {
		lines = append(lines, f.ModTime.Format(time.RFC3339)+" "+f.Kind+" "+f.Path+" "+strings.Join(f.Quirks, ","))
	}
	sort.Strings(lines)
	t.Log("\n" + strings.Join(lines, "\n"))
	for _, r := range tr.Rejects {
		t.Logf("reject %+v", r)
	}
}
