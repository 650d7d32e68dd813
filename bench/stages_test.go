//go:build duckdb_arrow && bench

// Package bench holds the per-stage benchmarks of the pipeline (header
// detection, row parsing, transform to Arrow, load into DuckDB) on the
// project's generated dossier workbooks; bench/run.sh times whole runs.
// They build with the tag bench as well, so that the tests (which have no
// business here) do not link DuckDB into one more binary; .ci/run vets
// them, so that they keep compiling.
//
//	go test -tags duckdb_arrow,bench -run '^$' -bench . -benchtime 3x ./bench
package bench

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/thanhxuan/cchc/cmd/cchc/gen"
	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/load"
	"github.com/thanhxuan/cchc/transform"
)

const benchRows = 20000

var (
	fixtureOnce sync.Once
	fixtureDir  string
	fixtureErr  error
)

// fixture writes a benchRows-row dossier workbook and CSV once per process.
func fixture(b *testing.B) (xlsx, csv string) {
	b.Helper()
	fixtureOnce.Do(func() {
		fixtureDir, fixtureErr = makeTemp()
		if fixtureErr == nil {
			fixtureErr = gen.WriteDossierXLSX(filepath.Join(fixtureDir, "hoso.xlsx"), benchRows, 1)
		}
		if fixtureErr == nil {
			fixtureErr = gen.WriteDossierCSV(filepath.Join(fixtureDir, "hoso.csv"), benchRows, 1)
		}
	})
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	return filepath.Join(fixtureDir, "hoso.xlsx"), filepath.Join(fixtureDir, "hoso.csv")
}

// stages are the run's own reading stages (pipeline.NewStages).
type stages struct{ *pipeline.Stages }

func newStages(b *testing.B) stages {
	cfg := config.Defaults()
	cfg.PII.HMACKey, cfg.StateDir = "bench", b.TempDir()
	s, err := pipeline.NewStages(cfg, memory.DefaultAllocator)
	if err != nil {
		b.Fatal(err)
	}
	return stages{s}
}

// open opens path and finds its one dossier sheet.
func (s stages) open(b *testing.B, path string) (extract.Workbook, *extract.SheetHead) {
	wb, err := extract.OpenWorkbook(path, s.Open)
	if err != nil {
		b.Fatal(err)
	}
	heads, err := s.Scanner.Scan(wb, filepath.Base(path))
	if err != nil || len(heads) != 1 {
		b.Fatalf("scan: %v (%d sheets)", err, len(heads))
	}
	return wb, &heads[0]
}

// BenchmarkHeaderDetection: opening a workbook and finding its header, unit
// and layout (what every file costs before its first row).
func BenchmarkHeaderDetection(b *testing.B) {
	xlsx, _ := fixture(b)
	s := newStages(b)
	for b.Loop() {
		wb, h := s.open(b, xlsx)
		if h.Layout.Col("dossier_id") < 0 {
			b.Fatal("no dossier_id column")
		}
		wb.Close()
	}
}

// BenchmarkRowParsing: every data row of the sheet, read and cleaned.
func BenchmarkRowParsing(b *testing.B) {
	for _, kind := range []string{"xlsx", "csv"} {
		b.Run(kind, func(b *testing.B) {
			xlsx, csv := fixture(b)
			path := map[string]string{"xlsx": xlsx, "csv": csv}[kind]
			s := newStages(b)
			for b.Loop() {
				wb, h := s.open(b, path)
				rows, err := extract.Data(wb, h)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					n++
				}
				if err := rows.Err(); err != nil || n != benchRows {
					b.Fatalf("%d rows: %v", n, err)
				}
				rows.Close()
				wb.Close()
			}
			b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// transformAll reads the CSV's rows through the dossier transform and
// returns its batches (retained: the caller releases them).
func (s stages) transformAll(b *testing.B, path string, keep bool) []arrow.RecordBatch {
	wb, h := s.open(b, path)
	defer wb.Close()
	rows, err := extract.Data(wb, h)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	rr, err := transform.NewDossierReader(s.Env, rows, transform.SheetContext{FileSHA256: "bench", Head: h})
	if err != nil {
		b.Fatal(err)
	}
	defer rr.Release()
	var batches []arrow.RecordBatch
	n := 0
	for rr.Next() {
		rec := rr.RecordBatch()
		n += int(rec.NumRows())
		if keep {
			rec.Retain()
			batches = append(batches, rec)
		}
	}
	if rr.Err() != nil || n != benchRows || len(rr.Rejects()) != 0 {
		b.Fatalf("%d rows, %d rejects: %v", n, len(rr.Rejects()), rr.Err())
	}
	return batches
}

// BenchmarkTransform: reading and typing the CSV's rows into Arrow batches
// (dates, value maps, units, pseudonyms); compare with RowParsing/csv for the
// transform's own share.
func BenchmarkTransform(b *testing.B) {
	_, csv := fixture(b)
	s := newStages(b)
	for b.Loop() {
		s.transformAll(b, csv, false)
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkLoad: Arrow batches already in memory into raw.dossier_rows of a
// work database, one transaction.
func BenchmarkLoad(b *testing.B) {
	_, csv := fixture(b)
	s := newStages(b)
	batches := s.transformAll(b, csv, true)
	defer func() {
		for _, r := range batches {
			r.Release()
		}
	}()
	ctx := context.Background()
	w, err := load.OpenWork(ctx, filepath.Join(b.TempDir(), "work.duckdb"), load.WorkOptions{MemoryLimit: "128MB"})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	conn, err := w.DB.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	for b.Loop() {
		rr, err := array.NewRecordReader(transform.DossierSchema, batches)
		if err != nil {
			b.Fatal(err)
		}
		n, err := load.InsertArrow(ctx, conn, transform.TableDossierRows, rr)
		rr.Release()
		if err != nil || n != benchRows {
			b.Fatalf("%d rows: %v", n, err)
		}
	}
	b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkRun: the whole run in process (pipeline.Run) on the xlsx and on
// the CSV: extract, transform, load, models, data tests, publish. A fresh
// warehouse each time, so every row is read again.
func BenchmarkRun(b *testing.B) {
	for _, kind := range []string{"xlsx", "csv"} {
		b.Run(kind, func(b *testing.B) {
			xlsx, csv := fixture(b)
			path := map[string]string{"xlsx": xlsx, "csv": csv}[kind]
			for b.Loop() {
				b.StopTimer()
				dir := b.TempDir()
				cfg := config.Defaults()
				cfg.Inbox, cfg.Warehouse, cfg.PII.HMACKey = filepath.Join(dir, "inbox"), filepath.Join(dir, "cchc.duckdb"), "bench"
				if err := os.MkdirAll(cfg.Inbox, 0o755); err != nil {
					b.Fatal(err)
				}
				if err := os.Link(path, filepath.Join(cfg.Inbox, filepath.Base(path))); err != nil {
					b.Fatal(err)
				}
				if err := cfg.Validate(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				sum, err := pipeline.Run(context.Background(), cfg)
				if err != nil || !sum.Published {
					b.Fatalf("run: %v", err)
				}
				if loaded, _ := sum.Rows(); loaded != benchRows {
					b.Fatalf("%d rows loaded, want %d", loaded, benchRows)
				}
			}
			b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func makeTemp() (string, error) { return os.MkdirTemp("", "cchc-bench-") }

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}
