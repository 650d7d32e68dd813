package gen

import (
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"
)

// benchHeader is the header of the benchmark exports: 19 columns, Vietnamese
// headers of CONTRACT 3.1 plus one unknown column.
var benchHeader = []string{"STT", "Mã hồ sơ", "Mã TTHC", "Tên thủ tục", "Lĩnh vực", "Đơn vị tiếp nhận",
	"Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả", "Hình thức nộp", "Mức độ DVC", "Trạng thái",
	"Số hóa kết quả", "Xác thực VNeID", "Người nộp", "Số CCCD", "Số điện thoại", "Địa chỉ", "Trích yếu"}

// benchRows draws valid dossiers of the default units, one at a time, so a
// writer never holds more than one row.
type benchRows struct {
	g  *generator
	r  *rng
	us []*unit
}

func newBenchRows(seed int64) *benchRows {
	g := &generator{opt: Options{Seed: seed, Year: 2024}, seq: map[string]int{}}
	g.from, g.to = civil(2023, 11, 5), civil(2024, 6, 5)
	g.export = g.to.AddDate(0, 0, 2).Add(8*time.Hour + 31*time.Minute)
	b := &benchRows{g: g, r: newRNG(seed, "bench")}
	for _, c := range DefaultUnits() {
		b.us = append(b.us, unitByCode(c))
	}
	return b
}

func (b *benchRows) next() *dossier { return b.g.newDossier(b.r, pick(b.r, b.us)) }

func benchUnitName(u *unit) string {
	if u.Ward {
		return "Phường " + u.Short
	}
	return u.Name
}

func yesNoText(v bool) string {
	if v {
		return "Có"
	}
	return "Không"
}

// WriteDossierXLSX writes one dossier export of rows valid dossiers to path for
// benchmarks: the header in row 1, data from row 2, 19 columns of Vietnamese
// text, the receipt and due dates as Excel date cells, the completion date as
// dd/mm/yyyy hh:mm text. It streams (excelize StreamWriter), so memory stays
// bounded at a million rows. The same seed writes the same rows.
func WriteDossierXLSX(path string, rows int, seed int64) error {
	if rows <= 0 {
		return ErrNoRows
	}
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Danh sách"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	withTime, dateOnly := "dd/mm/yyyy hh:mm", "dd/mm/yyyy"
	dt, err := f.NewStyle(&excelize.Style{CustomNumFmt: &withTime})
	if err != nil {
		return err
	}
	dd, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateOnly})
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, len(benchHeader), 16); err != nil {
		return err
	}
	vals := make([]any, len(benchHeader))
	for i, h := range benchHeader {
		vals[i] = h
	}
	if err := sw.SetRow("A1", vals); err != nil {
		return err
	}
	b := newBenchRows(seed)
	for i := 1; i <= rows; i++ {
		d := b.next()
		completed := any(nil)
		if !d.completed.IsZero() {
			completed = d.completed.Format("02/01/2006 15:04")
		}
		vals = append(vals[:0], i, d.id, d.proc.Code, d.proc.Name, d.field, benchUnitName(d.u),
			excelize.Cell{StyleID: dt, Value: serial(d.received)}, excelize.Cell{StyleID: dd, Value: serial(d.due)},
			completed, channelText[d.channel][0], levelText[d.level][0], statusText[d.status][0],
			yesNoText(d.digitized), yesNoText(d.eid), d.name, d.cccd, d.phone, d.addr, "Hồ sơ đầy đủ")
		if err := sw.SetRow(cellName(1, i+1), vals); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return saveStreaming(f, path)
}

// WriteDossierCSV writes the same kind of export as WriteDossierXLSX as a
// comma-separated UTF-8 file (no BOM): the header on line 1, one dossier per
// line after it, dates as text (dd/mm/yyyy hh:mm:ss, dd/mm/yyyy,
// dd/mm/yyyy hh:mm).
func WriteDossierCSV(path string, rows int, seed int64) error {
	if rows <= 0 {
		return ErrNoRows
	}
	cf, err := createCSV(path, ',', false, false, len(benchHeader))
	if err != nil {
		return err
	}
	w := cf.sink.w
	if err := w.Write(benchHeader); err != nil {
		cf.close()
		return err
	}
	b := newBenchRows(seed)
	rec := make([]string, len(benchHeader))
	for i := 1; i <= rows; i++ {
		d := b.next()
		completed := ""
		if !d.completed.IsZero() {
			completed = d.completed.Format("02/01/2006 15:04")
		}
		rec = append(rec[:0], fmt.Sprint(i), d.id, d.proc.Code, d.proc.Name, d.field, benchUnitName(d.u),
			d.received.Format("02/01/2006 15:04:05"), d.due.Format("02/01/2006"), completed,
			channelText[d.channel][0], levelText[d.level][0], statusText[d.status][0],
			yesNoText(d.digitized), yesNoText(d.eid), d.name, d.cccd, d.phone, d.addr, "Hồ sơ đầy đủ")
		if err := w.Write(rec); err != nil {
			cf.close()
			return err
		}
	}
	return cf.close()
}
