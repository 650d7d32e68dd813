// Command floor is the parse-only floor of the performance benchmarks: it
// iterates every row of an xlsx sheet with excelize's streaming Rows(), reading
// every cell as raw text, and does nothing else. `cchc run` on the same file is
// measured against it (bench/run.sh).
package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: floor FILE.xlsx|FILE.csv")
		os.Exit(2)
	}
	start := time.Now()
	rows, cells, err := count(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	fmt.Printf("rows=%d cells=%d seconds=%.3f\n", rows, cells, time.Since(start).Seconds())
}

func count(path string) (rows, cells int, err error) {
	if strings.EqualFold(filepath.Ext(path), ".csv") {
		f, err := os.Open(path)
		if err != nil {
			return 0, 0, err
		}
		defer f.Close()
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		r.ReuseRecord = true
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return rows, cells, nil
			}
			if err != nil {
				return rows, cells, err
			}
			rows++
			cells += len(rec)
		}
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	for _, sheet := range f.GetSheetList() {
		it, err := f.Rows(sheet)
		if err != nil {
			return rows, cells, err
		}
		for it.Next() {
			c, err := it.Columns(excelize.Options{RawCellValue: true})
			if err != nil {
				return rows, cells, err
			}
			rows++
			cells += len(c)
		}
		if err := it.Close(); err != nil {
			return rows, cells, err
		}
	}
	return rows, cells, nil
}
