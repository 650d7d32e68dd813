//go:build duckdb_arrow && bench

package bench

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/extract"
	xlsfixture "github.com/thanhxuan/cchc/internal/fixture"
)

var (
	formatsOnce sync.Once
	formatFiles map[string]string
	formatsErr  error
)

// formatFixtures writes the benchRows dossiers of the CSV fixture once more
// in each format that extract reads besides xlsx and CSV, as the systems
// that send them write them.
func formatFixtures(b *testing.B) map[string]string {
	b.Helper()
	xlsx, csvPath := fixture(b)
	formatsOnce.Do(func() {
		formatFiles = map[string]string{"xlsx": xlsx, "csv": csvPath}
		var rows [][]string
		rows, formatsErr = readCSV(csvPath)
		if formatsErr != nil {
			return
		}
		p := filepath.Join(fixtureDir, "hoso_web.xls")
		if formatsErr = writeFile(p, func(w io.Writer) error { return webExport(w, rows) }); formatsErr != nil {
			return
		}
		formatFiles["html"] = p
		p = filepath.Join(fixtureDir, "hoso_97.xls")
		if formatsErr = os.WriteFile(p, biff8(rows), 0o644); formatsErr != nil {
			return
		}
		formatFiles["xls"] = p
		p = filepath.Join(fixtureDir, "hoso_2003.xml")
		if formatsErr = writeFile(p, func(w io.Writer) error { return spreadsheetML(w, rows) }); formatsErr != nil {
			return
		}
		formatFiles["xml"] = p
	})
	if formatsErr != nil {
		b.Fatal(formatsErr)
	}
	return formatFiles
}

func readCSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return csv.NewReader(f).ReadAll()
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// webExport writes rows as a one-stop-shop web system exports "Excel": an
// HTML table named .xls, a title row over the header, every value as text.
func webExport(w io.Writer, rows [][]string) error {
	fmt.Fprintf(w, "<html><head><meta charset=\"utf-8\"></head><body>\n<table border=\"1\">\n<tr><td colspan=\"%d\"><b>DANH SÁCH HỒ SƠ</b></td></tr>\n", len(rows[0]))
	for i, r := range rows {
		tag := "td"
		if i == 0 {
			tag = "th"
		}
		io.WriteString(w, "<tr>")
		for _, c := range r {
			fmt.Fprintf(w, "<%s>%s</%s>", tag, html.EscapeString(c), tag)
		}
		io.WriteString(w, "</tr>\n")
	}
	_, err := io.WriteString(w, "</table>\n</body></html>\n")
	return err
}

// biff8 writes rows as Excel 97–2003 saves them: text in the shared
// strings, dates as date cells, whole numbers in RK form.
func biff8(rows [][]string) []byte {
	opt := xlsfixture.XLSOptions{XFs: []uint16{22}}
	index := map[string]int{}
	var recs []xlsfixture.BIFF
	for r, row := range rows {
		for c, v := range row {
			if v == "" {
				continue
			}
			if t, err := time.Parse("02/01/2006 15:04:05", v); err == nil {
				recs = append(recs, xlsfixture.XLSNumber(r, c, xlsfixture.XLSCellXF, serial(t)))
				continue
			}
			if t, err := time.Parse("02/01/2006", v); err == nil {
				recs = append(recs, xlsfixture.XLSNumber(r, c, xlsfixture.XLSCellXF, serial(t)))
				continue
			}
			if n, err := strconv.Atoi(v); err == nil && n < 1<<29 && len(v) < 9 && v[0] != '0' {
				recs = append(recs, xlsfixture.XLSRK(r, c, 0, xlsfixture.RKInt(int32(n), false)))
				continue
			}
			i, ok := index[v]
			if !ok {
				i = len(opt.SST)
				index[v] = i
				opt.SST = append(opt.SST, v)
			}
			recs = append(recs, xlsfixture.XLSLabelSST(r, c, 0, i))
		}
	}
	return xlsfixture.XLS(opt, xlsfixture.XLSSheet{Name: "Danh sách", Records: recs})
}

// spreadsheetML writes rows as Excel 2003 saves "XML Spreadsheet": dates
// as DateTime, whole numbers as Number, empty cells left out (the next one
// placed with ss:Index).
func spreadsheetML(w io.Writer, rows [][]string) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(`<?xml version="1.0"?>` + "\n" + `<?mso-application progid="Excel.Sheet"?>` + "\n" +
		`<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">` + "\n" +
		`<Worksheet ss:Name="Danh sách"><Table>` + "\n")
	for _, row := range rows {
		bw.WriteString("<Row>")
		gap := false
		for c, v := range row {
			if v == "" {
				gap = true
				continue
			}
			typ := "String"
			if t, err := time.Parse("02/01/2006 15:04:05", v); err == nil {
				typ, v = "DateTime", t.Format("2006-01-02T15:04:05.000")
			} else if t, err := time.Parse("02/01/2006", v); err == nil {
				typ, v = "DateTime", t.Format("2006-01-02T15:04:05.000")
			} else if _, err := strconv.Atoi(v); err == nil && v[0] != '0' {
				typ = "Number"
			}
			if gap {
				fmt.Fprintf(bw, `<Cell ss:Index="%d">`, c+1)
			} else {
				bw.WriteString("<Cell>")
			}
			fmt.Fprintf(bw, `<Data ss:Type="%s">%s</Data></Cell>`, typ, html.EscapeString(v))
			gap = false
		}
		bw.WriteString("</Row>\n")
	}
	bw.WriteString("</Table></Worksheet></Workbook>\n")
	return bw.Flush()
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serial is t as an Excel date number.
func serial(t time.Time) float64 {
	return float64(t.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC))) / float64(24*time.Hour)
}

// BenchmarkFormats: every data row of the same dossiers read and cleaned
// from each format (opening and the header search included), beside the
// xlsx and CSV paths. rows/cpu-s divides by the CPU time the process used
// (every goroutine), which holds when the machine is shared; peak-heap-MiB
// is the largest heap in use seen while reading (sampled every 1000 rows),
// which stays flat when a reader streams.
func BenchmarkFormats(b *testing.B) {
	for _, kind := range []string{"xlsx", "csv", "html", "xls", "xml"} {
		b.Run(kind, func(b *testing.B) {
			path := formatFixtures(b)[kind]
			s := newStages(b)
			var peak uint64
			var ms runtime.MemStats
			cpu0 := cpuTime()
			for b.Loop() {
				wb, h := s.open(b, path)
				rows, err := extract.Data(wb, h)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					if n++; n%1000 == 0 {
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapInuse)
					}
				}
				if err := rows.Err(); err != nil || n != benchRows {
					b.Fatalf("%d rows: %v", n, err)
				}
				rows.Close()
				wb.Close()
			}
			b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(benchRows*b.N)/(cpuTime()-cpu0).Seconds(), "rows/cpu-s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}
