//go:build duckdb_arrow

package load

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/thanhxuan/cchc/transform"
)

var arrowTestSchema = arrow.NewSchema([]arrow.Field{
	{Name: "label", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "n", Type: arrow.PrimitiveTypes.Int64},
	{Name: "ok", Type: arrow.FixedWidthTypes.Boolean},
	{Name: "seen_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
}, nil)

var arrowTestBase = time.Date(2024, 1, 2, 8, 0, 0, 0, time.UTC)

// arrowTestBatch makes rows first…first+n-1: label "dòng i" (NULL for every
// seventh), n = i, ok for even i, seen_at = base + i seconds.
func arrowTestBatch(mem memory.Allocator, first, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, arrowTestSchema)
	defer b.Release()
	for i := first; i < first+n; i++ {
		if i%7 == 0 {
			b.Field(0).AppendNull()
		} else {
			b.Field(0).(*array.StringBuilder).Append("dòng " + strconv.Itoa(i))
		}
		b.Field(1).(*array.Int64Builder).Append(int64(i))
		b.Field(2).(*array.BooleanBuilder).Append(i%2 == 0)
		b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(arrowTestBase.Add(time.Duration(i) * time.Second).UnixMicro()))
	}
	return b.NewRecordBatch()
}

// TestInsertArrow: every batch of the reader lands in the table by column
// name (a column the batches lack is NULL), with its values; no view is left
// in the catalog and no Arrow memory stays allocated.
func TestInsertArrow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	w := openTestWork(t)
	mustExec(t, w.DB, "CREATE TABLE raw.arrow_test (n BIGINT NOT NULL, seen_at TIMESTAMP, label VARCHAR, ok BOOLEAN, extra DOUBLE)")

	var batches []arrow.RecordBatch
	first := 0
	for _, n := range []int{1000, 1, 2500} {
		batches = append(batches, arrowTestBatch(mem, first, n))
		first += n
	}
	rr, err := array.NewRecordReader(arrowTestSchema, batches)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range batches {
		b.Release() // the reader holds them
	}
	var n int64
	err = Tx(ctx, w.DB, func(conn *sql.Conn) error {
		n, err = InsertArrow(ctx, conn, "raw.arrow_test", rr)
		return err
	})
	rr.Release()
	if err != nil || n != 3501 {
		t.Fatalf("InsertArrow = %d, %v; want 3501 rows", n, err)
	}
	var rows, sum, labels, oks, extras, views int64
	var minAt, maxAt time.Time
	var label7, label8 sql.NullString
	if err := w.DB.QueryRowContext(ctx, `SELECT count(*), sum(n), count(label), count(*) FILTER (ok), count(extra), min(seen_at), max(seen_at),
		any_value(label) FILTER (n = 7), any_value(label) FILTER (n = 8),
		(SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'cchc_arrow_%')
		FROM raw.arrow_test`).Scan(&rows, &sum, &labels, &oks, &extras, &minAt, &maxAt, &label7, &label8, &views); err != nil {
		t.Fatal(err)
	}
	if rows != 3501 || sum != 3500*3501/2 || labels != 3501-501 || oks != 1751 || extras != 0 {
		t.Errorf("rows %d, sum %d, labels %d, ok %d, extra %d", rows, sum, labels, oks, extras)
	}
	if !minAt.Equal(arrowTestBase) || !maxAt.Equal(arrowTestBase.Add(3500*time.Second)) {
		t.Errorf("seen_at from %v to %v", minAt, maxAt)
	}
	if label7.Valid || label8.String != "dòng 8" {
		t.Errorf("labels of rows 7 and 8: %v, %v", label7, label8)
	}
	if views != 0 {
		t.Errorf("%d Arrow views left in the catalog", views)
	}
}

// TestInsertArrowReaderFails: a reader that fails after some batches fails
// the insert with its error, and the file's transaction loads none of them.
func TestInsertArrowReaderFails(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	w := openTestWork(t)
	mustExec(t, w.DB, "CREATE TABLE raw.arrow_test (n BIGINT, seen_at TIMESTAMP, label VARCHAR, ok BOOLEAN)")
	boom := errors.New("row 2001: bad cell")
	rr := array.ReaderFromIter(arrowTestSchema, func(yield func(arrow.RecordBatch, error) bool) {
		for i := range 2 {
			if !yield(arrowTestBatch(mem, 1000*i, 1000), nil) {
				return
			}
		}
		yield(nil, boom)
	})
	err := Tx(ctx, w.DB, func(conn *sql.Conn) error {
		_, err := InsertArrow(ctx, conn, "raw.arrow_test", rr)
		return err
	})
	rr.Release()
	if !errors.Is(err, boom) || strings.Contains(err.Error(), "arrow_scan") {
		t.Fatalf("err = %v, want the reader's own", err)
	}
	if n := count(t, w.DB, "SELECT count(*) FROM raw.arrow_test"); n != 0 {
		t.Errorf("%d rows stayed after the rollback", n)
	}
}

// TestTransformSchemasLoad: a row of each stream schema of the transforms
// loads into its raw table (load/schema.sql): the columns agree by name and
// type, and no NOT NULL column is missing.
func TestTransformSchemasLoad(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	w := openTestWork(t)
	schemas := map[string]*arrow.Schema{
		transform.TableDossierRows:   transform.DossierSchema,
		transform.TableIndicatorRows: transform.IndicatorSchema,
		transform.TableUnmatched:     transform.UnmatchedSchema,
		transform.TableSummaryRows:   transform.SummarySchema,
	}
	for _, k := range transform.Kinds() {
		for _, table := range k.Tables {
			schema, ok := schemas[table]
			if !ok {
				t.Fatalf("kind %s: no schema known for %s", k.Name, table)
			}
			b := array.NewRecordBuilder(mem, schema)
			for i, f := range schema.Fields() {
				switch fb := b.Field(i).(type) {
				case *array.StringBuilder:
					fb.Append("x")
				case *array.Int32Builder:
					fb.Append(7)
				case *array.Float64Builder:
					fb.Append(1.5)
				case *array.BooleanBuilder:
					fb.Append(true)
				case *array.TimestampBuilder:
					fb.Append(arrow.Timestamp(arrowTestBase.UnixMicro()))
				default:
					t.Fatalf("%s.%s: no test value for %s", table, f.Name, f.Type)
				}
			}
			batch := b.NewRecordBatch()
			b.Release()
			rr, err := array.NewRecordReader(schema, []arrow.RecordBatch{batch})
			batch.Release()
			if err != nil {
				t.Fatal(err)
			}
			err = Tx(ctx, w.DB, func(conn *sql.Conn) error {
				_, err := InsertArrow(ctx, conn, table, rr)
				return err
			})
			rr.Release()
			if err != nil {
				t.Errorf("kind %s: %v", k.Name, err)
				continue
			}
			if n := count(t, w.DB, "SELECT count(*) FROM "+table+" WHERE row_number = 7 AND file_sha256 = 'x'"); n != 1 {
				t.Errorf("%s: %d rows back, want 1", table, n)
			}
		}
	}
}
