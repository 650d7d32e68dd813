// Command floor is the parse-only floor of the performance benchmarks: it
// iterates every row of an xlsx sheet with excelize's streaming Rows(), reading
// every cell as raw text, and does nothing else. `cchc run` on the same file is
// measured against it (bench/run.sh).
//
// With -reader cchc it reads the same rows with the project's own reader
// (extract.OpenWorkbook: raw cells, cleaned); with -reader inflate it only
// inflates the workbook's parts and throws the bytes away: the physical
// floor under every reader.
package main

import (
	"archive/zip"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"

	"github.com/thanhxuan/cchc/extract"
)

func main() {
	reader := flag.String("reader", "excelize", "excelize, cchc or inflate")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: floor [-reader excelize|cchc|inflate] FILE.xlsx|FILE.csv")
		os.Exit(2)
	}
	count := map[string]func(string) (int, int, error){"excelize": count, "cchc": countCCHC, "inflate": inflate}[*reader]
	if count == nil {
		fmt.Fprintln(os.Stderr, "floor: unknown reader", *reader)
		os.Exit(2)
	}
	start := time.Now()
	rows, cells, err := count(flag.Arg(0))
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

// countCCHC reads every row of every sheet with the project's reader.
func countCCHC(path string) (rows, cells int, err error) {
	wb, err := extract.OpenWorkbook(path, extract.OpenOptions{})
	if err != nil {
		return 0, 0, err
	}
	defer wb.Close()
	for _, sheet := range wb.Sheets() {
		rr, err := wb.Rows(sheet)
		if err != nil {
			return rows, cells, err
		}
		for rr.Next() {
			rows++
			cells += len(rr.Row().Cells)
		}
		if err := errors.Join(rr.Err(), rr.Close()); err != nil {
			return rows, cells, err
		}
	}
	return rows, cells, nil
}

// inflate inflates every part of the package and counts its bytes (as
// "cells"): no reader can take less.
func inflate(path string) (parts, bytes int, err error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return 0, 0, err
	}
	defer zr.Close()
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return flate.NewReader(r) })
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return parts, bytes, err
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return parts, bytes, err
		}
		parts++
		bytes += int(n)
	}
	return parts, bytes, nil
}
