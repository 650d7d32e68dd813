package extract

import (
	"archive/zip"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/thanhxuan/cchc/cmd/cchc/gen"
)

// BenchmarkSheetReader: the raw cells of the generator's dossier sheet
// (inline strings), by the project's reader and by excelize; inflate is
// the floor under both (the sheet's XML inflated and thrown away).
func BenchmarkSheetReader(b *testing.B) {
	const rows = 20000
	p := filepath.Join(b.TempDir(), "bench.xlsx")
	if err := gen.WriteDossierXLSX(p, rows, 1); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(p)
	stamp := fileStamp{fi.Size(), fi.ModTime()}
	opt := OpenOptions{}.withDefaults()
	b.Run("inflate", func(b *testing.B) {
		zr, err := zip.OpenReader(p)
		if err != nil {
			b.Fatal(err)
		}
		defer zr.Close()
		book, err := openBook(&zr.Reader, nil, p, opt, stamp)
		if err != nil {
			b.Fatal(err)
		}
		f := book.parts[book.sheets[0]]
		b.SetBytes(int64(f.UncompressedSize64))
		for b.Loop() {
			rc, _ := f.Open()
			io.Copy(io.Discard, rc)
			rc.Close()
		}
	})
	b.Run("ours", func(b *testing.B) {
		zr, err := zip.OpenReader(p)
		if err != nil {
			b.Fatal(err)
		}
		defer zr.Close()
		book, err := openBook(&zr.Reader, nil, p, opt, stamp)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(book.parts[book.sheets[0]].UncompressedSize64))
		for b.Loop() {
			if got, err := book.rawRows(book.sheets[0]); err != nil || len(got) != rows+1 {
				b.Fatalf("%d rows: %v", len(got), err)
			}
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
	b.Run("excelize", func(b *testing.B) {
		wb, err := openXLSX(p, opt, stamp, false)
		if err != nil {
			b.Fatal(err)
		}
		defer wb.Close()
		for b.Loop() {
			if got, err := wb.(*xlsxBook).rawRows(wb.Sheets()[0]); err != nil || len(got) != rows+1 {
				b.Fatalf("%d rows: %v", len(got), err)
			}
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
	})
}
