package gen

import (
	"os"
	"time"

	"github.com/xuri/excelize/v2"
)

// writeJunk writes the files that must fail on their own (CONTRACT 4): a
// truncated workbook (not a zip any more), a letter with no table, and an
// empty workbook.
func (g *generator) writeJunk() error {
	at := local(g.export.Add(time.Hour))

	// A download cut short: the zip's central directory is missing.
	f := excelize.NewFile()
	for i := 1; i <= 60; i++ {
		f.SetCellValue("Sheet1", cellName(1, i), i)
		f.SetCellValue("Sheet1", cellName(2, i), "H14.2024-A-00"+cellName(3, i))
	}
	buf, err := f.WriteToBuffer()
	f.Close()
	if err != nil {
		return err
	}
	b := buf.Bytes()
	if err := g.writeBytes("hoso_bi_loi.xlsx", b[:len(b)*55/100]); err != nil {
		return err
	}
	if err := g.addFile(FileTruth{Path: "hoso_bi_loi.xlsx", Kind: "junk", ModTime: at, ExpectFailed: true,
		Quirks: []string{"truncated_zip"}}); err != nil {
		return err
	}

	f = excelize.NewFile()
	for i, line := range []string{"ỦY BAN NHÂN DÂN QUẬN THANH XUÂN", "Kính gửi: Phòng Nội vụ",
		"V/v đề nghị bổ sung số liệu báo cáo", "Nội dung công văn: đề nghị các đơn vị rà soát, bổ sung số liệu trước ngày 10.",
		"", "Nơi nhận:", "- Như trên;", "- Lưu: VT."} {
		if line != "" {
			f.SetCellValue("Sheet1", cellName(1, i+1), line)
		}
	}
	err = g.saveXLSX(f, "khac/cong_van_den.xlsx")
	f.Close()
	if err != nil {
		return err
	}
	if err := g.addFile(FileTruth{Path: "khac/cong_van_den.xlsx", Kind: "junk", ModTime: at.Add(time.Minute),
		ExpectFailed: true, Quirks: []string{"no_header"}}); err != nil {
		return err
	}

	f = excelize.NewFile()
	err = g.saveXLSX(f, "trong.xlsx")
	f.Close()
	if err != nil {
		return err
	}
	return g.addFile(FileTruth{Path: "trong.xlsx", Kind: "junk", ModTime: at.Add(2 * time.Minute),
		ExpectFailed: true, Quirks: []string{"empty_workbook"}})
}

func (g *generator) writeBytes(rel string, b []byte) error {
	abs, err := g.create(rel)
	if err != nil {
		return err
	}
	return os.WriteFile(abs, b, 0o644)
}
