package gen

import (
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// dossierFile is one planned dossier export.
type dossierFile struct {
	path     string
	csv      bool
	units    []*unit
	unitCol  bool
	unitFrom string // column, title or filename
	snapshot bool   // an early export superseded by a later one
	items    []item
	mtime    time.Time
	plants   []string
	tcvn     bool // type some unit names in TCVN3
	long     bool // a long preamble (up to 15 title rows)
	english  bool // a CSV saved by an English-locale Excel: dates month-first (12/19/2023 17:00)
	q        quirks
}

// writeDossierFiles plans the dossier exports, writes them, and offers every
// valid row to the latest-file-wins truth.
func (g *generator) writeDossierFiles() error {
	r := newRNG(g.opt.Seed, "plan", "dossiers")
	messy := g.opt.Messy
	order := append([]*unit(nil), g.units...)
	if messy {
		shuffle(r, order)
	}
	var mains []*dossierFile
	for i, n := 0, 0; i < len(order); n++ {
		size := 3
		if messy {
			size = r.between(1, 3)
			if n < 2 {
				size = 1 // single-unit exports, whose unit may come from title or file name
			}
		}
		size = min(size, len(order)-i)
		df := &dossierFile{units: order[i : i+size], q: quirks{}}
		i += size
		df.csv = n%3 == 1
		if messy {
			df.csv = g.turn("main-format", 5)%2 == 0
		}
		ext := ".xlsx"
		if df.csv {
			ext = ".csv"
		}
		df.unitCol, df.unitFrom = true, "column"
		if size == 1 {
			u := df.units[0]
			if messy {
				switch g.turn("unit-from", 3) {
				case 1:
					df.unitCol, df.unitFrom = false, "title"
				case 2:
					df.unitCol, df.unitFrom = false, "filename"
					if u.Code == "van_phong" { // no X a file name could carry
						df.unitFrom = "title"
					}
				}
			}
			df.path = fmt.Sprintf("hoso_%s_%d%s", u.fileToken(&rng{s: r.next()}), 1, ext)
			df.path = strings.ReplaceAll(df.path, " ", "_")
		} else {
			df.path = fmt.Sprintf("export_tthc_%02d%s", n+1, ext)
		}
		if messy && r.chance(0.4) {
			df.path = "ho_so/" + df.path
		}
		df.mtime = local(g.export.Add(time.Duration(n) * time.Minute))
		mains = append(mains, df)
	}
	// Early exports of a few single units, superseded by the main exports:
	// the same dossiers appear twice and the later file carries their fate.
	var snaps []*dossierFile
	for i, u := range order {
		if i >= 2 {
			break
		}
		df := &dossierFile{units: []*unit{u}, snapshot: true, q: quirks{"resent": true}}
		df.csv = messy && i == 1
		ext := ".xlsx"
		if df.csv {
			ext = ".csv"
		}
		df.unitCol, df.unitFrom = true, "column"
		if messy {
			switch g.turn("unit-from", 3) {
			case 1:
				df.unitCol, df.unitFrom = false, "title"
			case 2:
				if u.Code != "van_phong" {
					df.unitCol, df.unitFrom = false, "filename"
				}
			}
		}
		df.path = strings.ReplaceAll(fmt.Sprintf("hoso_%s_dot1%s", u.fileToken(&rng{s: r.next()}), ext), " ", "_")
		df.mtime = local(g.snap.Add(time.Duration(i) * time.Minute))
		snaps = append(snaps, df)
	}
	all := append(append([]*dossierFile(nil), mains...), snaps...)

	// The byte copy must come from a file without bad rows: whichever of the
	// two the warehouse loads, its rejects would otherwise name either path.
	var dupSrc *dossierFile
	if messy {
		dupSrc = mains[0]
		for _, df := range mains {
			if len(df.units) > 1 {
				dupSrc = df // a multi-unit export, as people forward those
				break
			}
		}
		// One CSV as an English-locale Excel saves it. Its planted rows
		// carry no day-first date text, which it would read month-first.
		for _, df := range mains {
			if df.csv {
				df.english = true
				break
			}
		}
		g.assignPlants(r, all, dupSrc)
		if g.opt.TCVN3 {
			for _, df := range mains {
				if df.unitCol && !df.csv && df != dupSrc {
					df.tcvn = true
					break
				}
			}
		}
		for _, df := range all {
			if df != dupSrc && !df.csv {
				df.long = true
				break
			}
		}
	}

	for _, df := range all {
		g.fillItems(df)
		if err := g.writeDossierFile(df); err != nil {
			return fmt.Errorf("gen: %s: %w", df.path, err)
		}
	}
	if dupSrc != nil {
		dir, base := path.Split(dupSrc.path)
		cp := dir + "ban_sao_" + base
		if err := copyFile(g.dir, dupSrc.path, cp); err != nil {
			return err
		}
		ft := g.t.Files[g.files[dupSrc.path]]
		ft.Path, ft.DuplicateOf = cp, dupSrc.path
		ft.ModTime = dupSrc.mtime.Add(59 * time.Minute)
		ft.Quirks = append(append([]string(nil), ft.Quirks...), "duplicate_bytes")
		sort.Strings(ft.Quirks)
		if err := g.addFile(ft); err != nil {
			return err
		}
	}
	return nil
}

// assignPlants spreads the dossier reject reasons over the files so that each
// reason occurs at least once when there are enough files for it.
func (g *generator) assignPlants(r *rng, files []*dossierFile, skip *dossierFile) {
	var eligible []*dossierFile
	for _, df := range files {
		if df != skip {
			eligible = append(eligible, df)
		}
	}
	if len(eligible) == 0 {
		return
	}
	reasons := append([]string(nil), dossierReasons...)
	shuffle(r, reasons)
	for _, reason := range reasons {
		var best *dossierFile
		for _, df := range eligible {
			if reason == rUnknownUnit && !df.unitCol || df.english && dayFirstPlant(reason) {
				continue
			}
			if best == nil || len(df.plants) < len(best.plants) {
				best = df
			}
		}
		if best != nil {
			best.plants = append(best.plants, reason)
		}
	}
	for _, df := range eligible {
		if r.chance(0.3) {
			reason := pick(r, dossierReasons)
			if (reason != rUnknownUnit || df.unitCol) && !(df.english && dayFirstPlant(reason)) {
				df.plants = append(df.plants, reason)
			}
		}
	}
}

// dayFirstPlant reports whether a planted bad row writes a date as day-first
// text (a month-first column would read it otherwise).
func dayFirstPlant(reason string) bool {
	return reason == rNotDayFirst || reason == rCompletedBefore || reason == rDueBefore
}

// monthFirstReadable reports whether every date column of an English-locale
// export would be read month-first (CONTRACT 3.5): at least ten of its dates
// read in one order only — a day above 12, written m/d/yyyy — and, written
// so, none reads day-first only.
func (df *dossierFile) monthFirstReadable() bool {
	for _, key := range []string{"received_at", "due_at", "completed_at"} {
		n := 0
		for _, it := range df.items {
			if _, over := it.over[key]; over {
				continue
			}
			if t := map[string]time.Time{"received_at": it.d.received, "due_at": it.d.due, "completed_at": it.d.completed}[key]; !t.IsZero() && t.Day() > 12 {
				n++
			}
		}
		if n < 10 {
			return false
		}
	}
	return true
}

// fillItems puts the file's rows in the order an export would have them, with
// the planted bad rows among them.
func (g *generator) fillItems(df *dossierFile) {
	r := newRNG(g.opt.Seed, "items", df.path)
	for _, u := range df.units {
		for _, d := range g.dossier[u.Code] {
			if df.snapshot {
				if !d.received.Before(g.snap) {
					continue
				}
				d = d.asOf(g.snap)
			}
			df.items = append(df.items, item{d: d})
		}
	}
	switch r.intn(5) {
	case 0:
		shuffle(r, df.items)
	case 1:
		sort.SliceStable(df.items, func(i, j int) bool { return df.items[i].d.id < df.items[j].d.id })
	default:
		sort.SliceStable(df.items, func(i, j int) bool { return df.items[i].d.received.Before(df.items[j].d.received) })
	}
	for _, reason := range df.plants {
		it := g.plant(r, pick(r, df.units), reason)
		at := r.between(1, len(df.items))
		df.items = append(df.items[:at], append([]item{it}, df.items[at:]...)...)
	}
}

func copyFile(dir, from, to string) error {
	b, err := os.ReadFile(path.Join(dir, from))
	if err != nil {
		return err
	}
	return os.WriteFile(path.Join(dir, to), b, 0o644)
}

// dcol is one column of a dossier export.
type dcol struct {
	key   string
	head  string // top header cell
	child string // second header row ("" when the top cell spans both rows)
	style int    // date number format when dates are Excel date cells
	lays  []string
}

// dossierWriter renders one export.
type dossierWriter struct {
	g      *generator
	df     *dossierFile
	r      *rng
	f      *excelize.File
	cols   []dcol
	has    map[string]bool
	styles map[string]int
	messy  bool
	padP   float64 // chance that a text cell carries stray spaces

	portal    bool // numeric portal codes for channel and status
	codeCells bool // … written as number cells
	// CONTRACT 3.5 profiles: the portal's service level codes 2/3/4; a
	// status cell that states the timeliness (`Đã trả - Trễ hạn`).
	levelCodes, statusTimeliness bool
	lied                         bool   // a status cell already stated a timeliness its dates contradict
	stated                       string // the timeliness the current row's status cell stated
	primary                      map[string]int
	yes                          map[string][2]string
	boolCells                    bool
	unitAlias                    map[string]int // fixed alias index per unit, or -1 for varied
}

var dateFamilies = []struct{ layout, quirk string }{
	{"02/01/2006", "date_dmy"}, {"2/1/2006", "date_dmy_short"}, {"02-01-2006", "date_dmy_dash"},
	{"02.01.2006", "date_dmy_dot"}, {"2006-01-02", "date_iso"}, {"20060102150405", "date_portal"},
}

// dateFamilies35 are the layouts of CONTRACT 3.5: the time before the date,
// 12-hour clocks.
var dateFamilies35 = []struct{ layout, quirk string }{
	{"15:04 02/01/2006", "date_time_first"}, {"15:04:05 2/1/2006", "date_time_first"},
	{"02/01/2006 03:04:05 PM" + viClock, "date_12h_sa_ch"}, {"03:04 PM 02/01/2006", "date_12h_am_pm"},
}

// viClock marks a layout whose AM/PM is written SA/CH (sáng/chiều).
const viClock = "\x00vi"

func (w *dossierWriter) dateStyle(format string) int {
	if id, ok := w.styles[format]; ok {
		return id
	}
	f := format
	id, err := w.f.NewStyle(&excelize.Style{CustomNumFmt: &f})
	if err != nil {
		panic(err) // a constant format string; cannot fail
	}
	w.styles[format] = id
	return id
}

func (g *generator) writeDossierFile(df *dossierFile) error {
	r := newRNG(g.opt.Seed, "dossier-file", df.path)
	w := &dossierWriter{g: g, df: df, r: r, messy: g.opt.Messy, has: map[string]bool{}, styles: map[string]int{},
		primary: map[string]int{}, yes: map[string][2]string{}, unitAlias: map[string]int{}}
	q := df.q
	if !df.csv {
		w.f = excelize.NewFile()
		defer w.f.Close()
	}
	if df.english && !(w.messy && df.csv && df.monthFirstReadable()) {
		df.english = false
	}
	w.planColumns()
	w.planValues()

	sheet := ""
	var s sink
	var closeFn func() error
	if df.csv {
		delim := ','
		bom, crlf := false, false
		if w.messy {
			delim = []rune{',', ';', '\t'}[g.turn("csv-delim", 3)]
			bom, crlf = g.turn("csv-bom", 2) == 0, r.chance(0.5)
		}
		q.add(map[rune]string{',': "csv_delim_comma", ';': "csv_delim_semicolon", '\t': "csv_delim_tab"}[delim])
		if bom {
			q.add("csv_bom")
		}
		abs, err := g.create(df.path)
		if err != nil {
			return err
		}
		cf, err := createCSV(abs, delim, bom, crlf, len(w.cols))
		if err != nil {
			return err
		}
		s, closeFn = cf.sink, cf.close
	} else {
		sheet = "Danh sách"
		if w.messy {
			sheet = pick(r, []string{"DS ho so", "Danh sách", "Hồ sơ", "Sheet1", "Export", "TTHC"})
		}
		first := sheet
		if w.messy && r.chance(0.25) {
			first = pick(r, []string{"Hướng dẫn", "Ghi chú"})
			q.add("notes_sheet_first")
		}
		if err := w.f.SetSheetName("Sheet1", first); err != nil {
			return err
		}
		if first != sheet {
			for i, line := range []string{first, "Điền đầy đủ thông tin các cột. Ngày theo định dạng dd/mm/yyyy.",
				"Dữ liệu trích xuất từ Hệ thống thông tin giải quyết TTHC thành phố Hà Nội."} {
				if err := w.f.SetCellValue(first, cellName(1, i+1), line); err != nil {
					return err
				}
			}
			idx, err := w.f.NewSheet(sheet)
			if err != nil {
				return err
			}
			w.f.SetActiveSheet(idx)
		}
		if w.messy && g.turn("empty-sheet", 3) == 0 {
			if _, err := w.f.NewSheet(pick(r, []string{"Sheet2", "Sheet3"})); err != nil {
				return err
			}
			q.add("empty_sheet")
		}
		sw, err := w.f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		if err := sw.SetColWidth(1, len(w.cols), 18); err != nil {
			return err
		}
		s = &streamSink{sw: sw}
		closeFn = func() error {
			if err := sw.Flush(); err != nil {
				return err
			}
			abs, err := g.create(df.path)
			if err != nil {
				return err
			}
			return saveStreaming(w.f, abs)
		}
	}

	rows, err := w.emit(s, sheet)
	if err != nil {
		closeFn()
		return err
	}
	if err := closeFn(); err != nil {
		return err
	}
	ft := FileTruth{Path: df.path, Kind: "dossiers", ModTime: df.mtime, Rows: rows}
	if len(df.units) == 1 {
		ft.UnitCode = df.units[0].Code
	}
	if len(df.units) > 1 {
		q.add("multi_unit")
	}
	q.add("unit_from_" + df.unitFrom)
	ft.Quirks = q.list()
	return g.addFile(ft)
}

// planColumns chooses the columns, their order and their header texts.
func (w *dossierWriter) planColumns() {
	r, messy, q := w.r, w.messy, w.df.q
	keys := []string{"dossier_id", "procedure_name", "field", "received_at", "due_at", "completed_at", "channel", "status"}
	if w.df.unitCol {
		keys = append(keys, "unit")
	}
	optional := []struct {
		key string
		p   float64
	}{{"procedure_code", 0.7}, {"service_level", 0.8}, {"result_digitized", 0.75}, {"eid_verified", 0.65},
		{"applicant_name", 0.75}, {"applicant_id", 0.7}, {"applicant_phone", 0.55}, {"applicant_address", 0.55},
		{"x_trich_yeu", 0.35}, {"x_so_theo_doi", 0.25}, {"x_nguoi_xu_ly", 0.25}, {"x_ghi_chu", 0.25}}
	for _, o := range optional {
		if messy && r.chance(o.p) || !messy && !strings.HasPrefix(o.key, "x_") {
			keys = append(keys, o.key)
		}
	}
	canon := []string{"dossier_id", "procedure_code", "procedure_name", "field", "unit", "received_at", "due_at",
		"completed_at", "channel", "service_level", "status", "result_digitized", "eid_verified",
		"applicant_name", "applicant_id", "applicant_phone", "applicant_address",
		"x_trich_yeu", "x_so_theo_doi", "x_nguoi_xu_ly", "x_ghi_chu"}
	rank := map[string]int{}
	for i, k := range canon {
		rank[k] = i
	}
	sort.SliceStable(keys, func(i, j int) bool { return rank[keys[i]] < rank[keys[j]] })
	if messy {
		shuffle(r, keys)
		q.add("shuffled_columns")
	}
	for _, k := range keys {
		if strings.HasPrefix(k, "x_") {
			q.add("unknown_columns")
		}
	}
	stt := !messy || r.chance(0.85)
	if stt {
		if messy && r.chance(0.15) {
			at := r.intn(len(keys) + 1)
			keys = append(keys[:at], append([]string{"stt"}, keys[at:]...)...)
		} else {
			keys = append([]string{"stt"}, keys...)
		}
	}
	twoRow := messy && !w.df.csv && r.chance(0.4)
	if twoRow {
		// The dates sit together under their merged parent.
		at := -1
		var rest []string
		for _, k := range keys {
			if isDateKey(k) {
				if at < 0 {
					at = len(rest)
				}
				continue
			}
			rest = append(rest, k)
		}
		keys = append(rest[:at:at], append([]string{"received_at", "due_at", "completed_at"}, rest[at:]...)...)
		q.add("two_row_header")
	}
	for pos, k := range keys {
		c := dcol{key: k}
		names := dossierHeaders[k]
		c.head = names[0]
		if messy {
			c.head = pick(r, names)
			if extra := dossierHeaders35[k]; len(extra) > 0 && r.chance(0.2) {
				c.head = extra[w.g.turn("header35/"+k, len(extra))]
				q.add("header_aliases_35")
			}
			c.head = w.decorate(k, c.head, pos)
			if r.chance(0.6) {
				c.head = messText(r, c.head, "header", !w.df.csv, q)
			}
		}
		if twoRow && isDateKey(k) {
			c.head = pick(r, []string{"Ngày", "NGÀY", "Ngày", "Ngay"})
			c.child = pick(r, dateChildren[k])
			if r.chance(0.5) {
				c.child = messText(r, c.child, "header", true, q)
			}
		}
		if isDateKey(k) {
			w.planDates(&c)
		}
		w.cols = append(w.cols, c)
		w.has[k] = true
	}
}

// decorate writes a header as real exports do (CONTRACT 3.5): longer than
// the alias it holds, with a hint in parentheses, numbered, or with a
// trailing colon or star.
func (w *dossierWriter) decorate(key, head string, pos int) string {
	r, q := w.r, w.df.q
	if tail, ok := headerTails[head]; ok && r.chance(0.25) {
		head += tail
		q.add("header_contains")
	}
	if hints := headerHints[key]; len(hints) > 0 && r.chance(0.2) {
		head += " " + pick(r, hints)
		q.add("header_parens")
	}
	switch r.weighted(88, 6, 6) {
	case 1:
		head = fmt.Sprintf("%d. %s", pos+1, head)
		q.add("header_numbering")
	case 2:
		head += pick(r, []string{":", " *"})
		q.add("header_colon")
	}
	return head
}

func isDateKey(k string) bool { return k == "received_at" || k == "due_at" || k == "completed_at" }

// planDates picks how one date column is written: Excel date cells or text in
// one (or, for a sloppy column, several) of the layouts of CONTRACT 3.4.
func (w *dossierWriter) planDates(c *dcol) {
	r, q := w.r, w.df.q
	if w.df.english {
		c.lays = []string{"1/2/2006 15:04"}
		q.add("date_month_first")
		return
	}
	if !w.messy {
		if w.df.csv {
			c.lays = []string{"02/01/2006 15:04:05"}
			q.add("date_dmy_hms")
		} else {
			c.style = w.dateStyle("dd/mm/yyyy hh:mm")
			q.add("date_cells")
		}
		return
	}
	if !w.df.csv && r.chance(0.5) {
		c.style = w.dateStyle(pick(r, []string{"dd/mm/yyyy", "dd/mm/yyyy hh:mm", "dd/mm/yyyy hh:mm:ss", "d/m/yyyy h:mm"}))
		q.add("date_cells")
		return
	}
	timeP := map[string]float64{"received_at": 0.5, "due_at": 0.15, "completed_at": 0.4}[c.key]
	n := 1
	if r.chance(0.2) {
		n = 3
	}
	for i := 0; i < n; i++ {
		fam := dateFamilies[w.g.turn("date-family", len(dateFamilies))]
		if r.chance(0.25) {
			fam = dateFamilies35[w.g.turn("date-family-35", len(dateFamilies35))]
		}
		lay := fam.layout
		q.add(fam.quirk)
		if fam.quirk != "date_portal" && !strings.Contains(lay, ":04") && r.chance(timeP) {
			if w.g.turn("time-layout", 2) == 0 {
				lay += " 15:04"
				q.add("date_hm")
			} else {
				lay += " 15:04:05"
				q.add("date_dmy_hms")
			}
		}
		c.lays = append(c.lays, lay)
	}
}

// planValues fixes the vocabulary this export system uses for coded values.
func (w *dossierWriter) planValues() {
	r, q := w.r, w.df.q
	if !w.messy {
		for _, k := range []string{"result_digitized", "eid_verified"} {
			w.yes[k] = [2]string{"Có", "Không"}
		}
		return
	}
	w.portal = w.g.turn("portal", 4) == 0
	if w.portal {
		q.add("numeric_codes")
		w.codeCells = !w.df.csv && r.chance(0.5)
	}
	if w.levelCodes = w.g.turn("level-codes", 4) == 1; w.levelCodes {
		q.add("level_codes")
	}
	if w.statusTimeliness = !w.portal && w.g.turn("status-timeliness", 3) == 0; w.statusTimeliness {
		q.add("status_timeliness")
	}
	// Each export system has its own spelling; rotating them over the files
	// makes sure every spelling of the contract is written somewhere.
	for _, v := range []string{"full", "partial", "none"} {
		w.primary["level/"+v] = w.g.turn("level/"+v, len(levelText[v]))
	}
	if !w.portal { // portal exports write codes, their turn would be lost
		for _, v := range []string{"online", "counter", "postal"} {
			w.primary["channel/"+v] = w.g.turn("channel/"+v, len(channelText[v]))
		}
		for _, v := range []string{"resolved", "processing", "withdrawn", "refused"} {
			w.primary["status/"+v] = w.g.turn("status/"+v, len(statusText[v]))
		}
	}
	for _, k := range []string{"result_digitized", "eid_verified"} {
		pairs := append([][2]string{{"Đã số hóa", "Chưa"}}, yesNoPairs...)
		if k == "eid_verified" {
			pairs[0] = [2]string{"Đã xác thực", "Chưa"}
		}
		w.yes[k] = pairs[w.g.turn("yes-no/"+k, len(pairs))]
	}
	w.boolCells = !w.df.csv && w.g.turn("bool-cells", 3) == 0
	if w.boolCells {
		q.add("bool_cells")
	}
	if r.chance(0.4) {
		w.padP = 0.12
		q.add("padded_text")
	}
	for _, u := range w.df.units {
		w.unitAlias[u.Code] = -1
		if r.chance(0.5) {
			w.unitAlias[u.Code] = r.intn(len(u.aliases()))
		}
	}
}

// emit writes the whole sheet and returns the number of data rows.
func (w *dossierWriter) emit(s sink, sheet string) (int, error) {
	r, df, q, messy := w.r, w.df, w.df.q, w.messy
	width := len(w.cols)
	span := min(width, 8)

	// Title rows.
	var titles []string
	wantTitles := df.unitFrom == "title" || df.long || messy && (!df.csv && r.chance(0.8) || df.csv && r.chance(0.2))
	if wantTitles {
		if df.unitFrom == "title" {
			if r.chance(0.5) {
				titles = append(titles, "UBND QUẬN THANH XUÂN")
			}
			titles = append(titles, df.units[0].titleName())
			q.add("unit_in_title")
		} else if df.unitCol && r.chance(0.3) {
			titles = append(titles, "UBND QUẬN THANH XUÂN")
		}
		titles = append(titles, pick(r, []string{"DANH SÁCH HỒ SƠ THỦ TỤC HÀNH CHÍNH", "DANH SÁCH HỒ SƠ TTHC ĐÃ TIẾP NHẬN"}))
		end := w.g.export
		if df.snapshot {
			end = w.g.snap
		}
		titles = append(titles, fmt.Sprintf("Từ ngày %s đến ngày %s", w.g.from.Format("02/01/2006"), end.Format("02/01/2006")))
		fill := r.intn(3)
		if df.long {
			fill = 15 - len(titles)
		}
		extras := []string{"", "Đơn vị tính: hồ sơ", "", "Trích xuất từ Hệ thống thông tin giải quyết TTHC thành phố Hà Nội",
			"Ngày trích xuất: " + end.Format("02/01/2006 15:04"), "", "Lĩnh vực: Tất cả", "Người trích xuất: " + pick(r, staffNames),
			"", "Tiêu chí lọc: theo ngày tiếp nhận", "", "Ghi chú: danh sách gồm cả hồ sơ chuyển kỳ", ""}
		for i := 0; i < fill && len(titles) < 15; i++ {
			titles = append(titles, extras[i%len(extras)])
		}
		q.add("title_rows")
	}
	for _, t := range titles {
		if t == "" {
			if err := s.skip(); err != nil {
				return 0, err
			}
			continue
		}
		n, err := s.put([]cell{txt(t)})
		if err != nil {
			return 0, err
		}
		if err := s.merge(n, 1, n, span); err != nil {
			return 0, err
		}
	}

	// Header.
	twoRow := false
	for _, c := range w.cols {
		if c.child != "" {
			twoRow = true
		}
	}
	head := make([]cell, width)
	for i, c := range w.cols {
		// Under a merged parent only the first cell holds the text.
		if c.child == "" || i == 0 || w.cols[i-1].child == "" {
			head[i] = txt(c.head)
		}
	}
	hr, err := s.put(head)
	if err != nil {
		return 0, err
	}
	if twoRow {
		child := make([]cell, width)
		first, last := -1, -1
		for i, c := range w.cols {
			if c.child != "" {
				child[i] = txt(c.child)
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		if _, err := s.put(child); err != nil {
			return 0, err
		}
		for i, c := range w.cols {
			if c.child == "" {
				if err := s.merge(hr, i+1, hr+1, i+1); err != nil {
					return 0, err
				}
			}
		}
		if err := s.merge(hr, first+1, hr, last+1); err != nil {
			return 0, err
		}
	}
	if messy && r.chance(0.25) {
		nums := make([]cell, width)
		paren := r.chance(0.5)
		for i := range nums {
			if paren {
				nums[i] = txt(fmt.Sprintf("(%d)", i+1))
			} else if df.csv {
				nums[i] = txt(fmt.Sprint(i + 1))
			} else {
				nums[i] = cell{v: i + 1}
			}
		}
		if _, err := s.put(nums); err != nil {
			return 0, err
		}
		q.add("number_row")
	}

	// Body, grouped by field under section rows when the system does that.
	sections := messy && w.g.turn("sections", 3) == 0
	subtotals := sections && w.g.turn("subtotals", 2) == 0
	blanks := messy && w.g.turn("blank-rows", 2) == 0
	groups := [][]item{df.items}
	var groupNames []string
	if sections {
		by := map[string][]item{}
		for _, it := range df.items {
			if _, ok := by[it.d.field]; !ok {
				groupNames = append(groupNames, it.d.field)
			}
			by[it.d.field] = append(by[it.d.field], it)
		}
		sort.Slice(groupNames, func(i, j int) bool { return stripDia(groupNames[i]) < stripDia(groupNames[j]) })
		groups = groups[:0]
		for _, n := range groupNames {
			groups = append(groups, by[n])
		}
		q.add("section_rows")
		if subtotals {
			q.add("subtotal_rows")
		}
	}
	stt, data := 0, 0
	sttCells := !df.csv && r.chance(0.7)
	for gi, items := range groups {
		if sections {
			label := fmt.Sprintf("%s. Lĩnh vực %s", roman(gi+1), groupNames[gi])
			if r.chance(0.3) {
				label = strings.ToUpper(label)
			}
			n, err := s.put([]cell{txt(label)})
			if err != nil {
				return 0, err
			}
			if err := s.merge(n, 1, n, width); err != nil {
				return 0, err
			}
		}
		for _, it := range items {
			stt++
			n, err := s.put(w.row(it, stt, sttCells))
			if err != nil {
				return 0, err
			}
			data++
			w.record(it, n, sheet)
			if blanks && r.chance(0.03) {
				if err := s.skip(); err != nil {
					return 0, err
				}
				q.add("blank_rows")
			}
		}
		if subtotals {
			if _, err := s.put([]cell{txt(pick(r, []string{"Cộng", "Cộng:", "CỘNG"})), txt(fmt.Sprintf("%d hồ sơ", len(items)))}); err != nil {
				return 0, err
			}
		}
	}
	if messy && r.chance(0.35) {
		if _, err := s.put([]cell{txt(pick(r, []string{"Tổng cộng", "TỔNG CỘNG", "Tổng số"})), txt(fmt.Sprintf("%d hồ sơ", data))}); err != nil {
			return 0, err
		}
		q.add("total_row")
	}
	if messy && r.chance(map[bool]float64{false: 0.4, true: 0.1}[df.csv]) && width >= 4 {
		if err := w.footer(s, width); err != nil {
			return 0, err
		}
		q.add("footer")
	}
	return data, nil
}

func (w *dossierWriter) footer(s sink, width int) error {
	at := w.g.export
	if w.df.snapshot {
		at = w.g.snap
	}
	right := width - 2
	row := func(cells map[int]string) error {
		c := make([]cell, width)
		for i, v := range cells {
			c[i] = txt(v)
		}
		_, err := s.put(c)
		return err
	}
	if err := s.skip(); err != nil {
		return err
	}
	if err := row(map[int]string{right: fmt.Sprintf("Thanh Xuân, ngày %02d tháng %d năm %d", at.Day(), int(at.Month()), at.Year())}); err != nil {
		return err
	}
	if err := row(map[int]string{1: "NGƯỜI LẬP BIỂU", right: "THỦ TRƯỞNG ĐƠN VỊ"}); err != nil {
		return err
	}
	if err := row(map[int]string{1: "(Ký, ghi rõ họ tên)", right: "(Ký tên, đóng dấu)"}); err != nil {
		return err
	}
	s.skip()
	s.skip()
	return row(map[int]string{1: pick(w.r, staffNames[1:]), right: pick(w.r, staffNames[1:])})
}

func roman(n int) string {
	r := []string{"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"}
	if n < len(r) {
		return r[n]
	}
	return fmt.Sprint(n)
}

// text pads a value now and then.
func (w *dossierWriter) text(s string) cell {
	if s != "" && w.padP > 0 && w.r.chance(w.padP) {
		return txt(pad(w.r, s))
	}
	return txt(s)
}

// coded writes a coded value (channel, service level, status) in the file's
// vocabulary, now and then in another variant, case or without diacritics.
func (w *dossierWriter) coded(kind, v string, texts map[string][]string) cell {
	r := w.r
	if !w.messy {
		return txt(texts[v][0])
	}
	if kind == "level" && w.levelCodes {
		return w.text(levelCode[v])
	}
	if w.portal && kind != "level" {
		code := channelCode[v]
		if kind == "status" {
			code = pick(r, statusCodes[v])
		}
		if w.codeCells {
			n := 0
			fmt.Sscan(code, &n)
			return cell{v: n}
		}
		return w.text(code)
	}
	s := texts[v][w.primary[kind+"/"+v]]
	more := map[string]map[string][]string{"channel": channelText35, "level": levelText35, "status": statusText35}[kind][v]
	switch {
	case kind == "status" && v != "resolved" || kind == "channel" && v == "postal":
		// Rare values: rotate every spelling (3.1's, then 3.5's) over
		// the cells written, or a set of a few dozen such dossiers could
		// miss one.
		all := append(append([]string(nil), texts[v]...), more...)
		i := w.g.turn("cell/"+kind+"/"+v, len(all))
		s = all[i]
		if i >= len(texts[v]) {
			w.df.q.add("values_35")
		}
	case len(more) > 0 && r.chance(0.1):
		s = more[w.g.turn("cell35/"+kind+"/"+v, len(more))]
		w.df.q.add("values_35")
	case r.chance(0.15):
		s = pick(r, texts[v])
	}
	switch r.weighted(92, 4, 4) {
	case 1:
		s = strings.ToUpper(s)
		w.df.q.add("value_upper")
	case 2:
		s = stripDia(s)
		w.df.q.add("value_nodia")
	}
	return w.text(s)
}

func (w *dossierWriter) yesNo(key string, v bool) cell {
	if w.boolCells {
		return cell{v: v}
	}
	i := 1
	if v {
		i = 0
	}
	s := w.yes[key][i]
	if more := noText35[key]; !v && w.messy && len(more) > 0 && w.r.chance(0.08) {
		s = more[w.g.turn("no35/"+key, len(more))]
		w.df.q.add("values_35")
	} else if w.messy && w.r.chance(0.1) {
		pool := yesNoAll[i]
		if v {
			pool = append(pool[:len(pool):len(pool)], map[string]string{"result_digitized": "Đã số hóa", "eid_verified": "Đã xác thực"}[key])
		}
		s = pick(w.r, pool)
	}
	return w.text(s)
}

func (w *dossierWriter) unitName(u *unit) cell {
	r := w.r
	al := u.aliases()
	if !w.messy {
		if u.Ward {
			return txt(al[1])
		}
		return txt(al[0])
	}
	s := al[r.intn(len(al))]
	if i := w.unitAlias[u.Code]; i >= 0 && r.chance(0.9) {
		s = al[i]
	}
	switch r.weighted(84, 8, 8) {
	case 1:
		s = strings.ToUpper(s)
	case 2:
		s = stripDia(s)
	}
	if w.df.tcvn && r.chance(0.35) {
		if enc, ok := tcvn3(s); ok && enc != s {
			w.df.q.add("tcvn3")
			return txt(enc)
		}
	}
	return w.text(s)
}

func (w *dossierWriter) date(c dcol, t time.Time) cell {
	if t.IsZero() {
		return cell{}
	}
	if c.style != 0 {
		return cell{v: serial(t), style: c.style}
	}
	lay := pick(w.r, c.lays)
	s := t.Format(strings.TrimSuffix(lay, viClock))
	if strings.HasSuffix(lay, viClock) {
		s = strings.NewReplacer(" AM", " SA", " PM", " CH").Replace(s)
	}
	return w.text(s)
}

// row renders one data row.
func (w *dossierWriter) row(it item, stt int, sttCells bool) []cell {
	d := it.d
	w.stated = ""
	out := make([]cell, len(w.cols))
	for i, c := range w.cols {
		if v, ok := it.over[c.key]; ok {
			out[i] = txt(v)
			continue
		}
		switch c.key {
		case "stt":
			if sttCells {
				out[i] = cell{v: stt}
			} else {
				out[i] = txt(fmt.Sprint(stt))
			}
		case "dossier_id":
			out[i] = w.text(d.id)
		case "procedure_code":
			out[i] = w.text(d.proc.Code)
		case "procedure_name":
			out[i] = w.text(d.proc.Name)
		case "field":
			out[i] = w.text(d.field)
		case "unit":
			out[i] = w.unitName(d.u)
		case "received_at":
			out[i] = w.date(c, d.received)
		case "due_at":
			out[i] = w.date(c, d.due)
		case "completed_at":
			out[i] = w.date(c, d.completed)
		case "channel":
			out[i] = w.coded("channel", d.channel, channelText)
		case "service_level":
			out[i] = w.coded("level", d.level, levelText)
		case "status":
			if w.statusTimeliness && (d.status == "resolved" && !d.completed.IsZero() || d.status == "processing" && w.r.chance(0.5)) {
				out[i] = w.statusWithTimeliness(d)
			} else {
				out[i] = w.coded("status", d.status, statusText)
			}
		case "result_digitized":
			out[i] = w.yesNo(c.key, d.digitized)
		case "eid_verified":
			out[i] = w.yesNo(c.key, d.eid)
		case "applicant_name":
			out[i] = w.text(d.name)
			w.g.addPII(d.name)
		case "applicant_id":
			out[i] = w.text(d.cccd)
			w.g.addPII(d.cccd)
		case "applicant_phone":
			out[i] = w.text(d.phone)
			w.g.addPII(d.phone)
		case "applicant_address":
			out[i] = w.text(d.addr)
			w.g.addPII(d.addr)
		default:
			out[i] = txt(pick(w.r, unknownValues[c.key]))
		}
	}
	return out
}

// statusWithTimeliness writes a status and the dossier's timeliness in one
// cell (`Đã trả - Trễ hạn`, `Đã trả kết quả (trước hạn)`, `Đang xử lý, quá
// hạn 3 ngày`): resolved as its dates say — but once per file a late one
// called on time, the disagreement a data test warns of — and in progress as
// its due date stands at the export.
func (w *dossierWriter) statusWithTimeliness(d *dossier) cell {
	r := w.r
	when, late := "", 0
	if d.status == "resolved" {
		when = timelinessOf(dateOf(d.completed), dateOf(d.due))
		late = int(dateOf(d.completed).Sub(dateOf(d.due)).Hours() / 24)
	} else {
		at := w.g.export
		if w.df.snapshot {
			at = w.g.snap
		}
		when, late = "on_time", int(dateOf(at).Sub(dateOf(d.due)).Hours()/24)
		if late > 0 {
			when = "late"
		}
	}
	stated := when
	if when == "late" && d.status == "resolved" && !w.lied {
		stated, w.lied = "on_time", true
	}
	texts := timelinessText[stated]
	tl := texts[w.g.turn("timeliness/"+stated, len(texts))]
	if strings.Contains(tl, "%d") {
		tl = fmt.Sprintf(tl, max(late, 1))
		if stated != "late" || late < 1 {
			tl = "Quá hạn"
		}
	}
	status := statusText[d.status][w.primary["status/"+d.status]]
	if r.chance(0.3) {
		status = pick(r, append(append([]string(nil), statusText[d.status]...), statusText35[d.status]...))
	}
	form := statusWithTimelinessForms[w.g.turn("timeliness-form", len(statusWithTimelinessForms))]
	s := fmt.Sprintf(form, status, tl)
	if r.chance(0.1) {
		s = strings.ToUpper(s)
	}
	w.stated = stated
	return w.text(s)
}

func timelinessOf(completed, due time.Time) string {
	switch completed.Compare(due) {
	case -1:
		return "early"
	case 0:
		return "on_time"
	}
	return "late"
}

// record files a written row in the truth: a reject, or a dossier version as
// the warehouse must normalise it given the columns this file has.
func (w *dossierWriter) record(it item, row int, sheet string) {
	g, df := w.g, w.df
	if it.reason != "" {
		g.t.Rejects = append(g.t.Rejects, RejectTruth{File: df.path, Sheet: sheet, Row: row, Reason: it.reason, Column: it.col, Value: it.val})
		return
	}
	d := it.d
	t := Dossier{DossierID: d.id, UnitCode: d.u.Code, Field: d.field, FieldGroup: FieldGroup(d.field),
		ProcedureName: d.proc.Name, ReceivedDate: dateOf(d.received), DueDate: dateOf(d.due),
		CompletedDate: dateOf(d.completed), Channel: d.channel, Status: d.status, SourceFile: df.path}
	if w.has["procedure_code"] {
		t.ProcedureCode = d.proc.Code
	}
	// Absent is unknown (CONTRACT 3.5): a file without the column tells nothing.
	if w.has["service_level"] {
		t.ServiceLevel = d.level
	}
	if w.has["result_digitized"] {
		t.ResultDigitized = fmt.Sprint(d.digitized)
	}
	if w.has["eid_verified"] {
		t.EIDVerified = fmt.Sprint(d.eid)
	}
	if w.has["applicant_id"] {
		t.ApplicantID = d.cccd
	}
	if t.Status == "resolved" && !t.CompletedDate.IsZero() {
		t.Timeliness = timelinessOf(t.CompletedDate, t.DueDate)
	}
	t.ReportedTimeliness = w.stated
	g.offer(t, df.mtime)
}
