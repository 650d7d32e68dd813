package load

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestReadAhead(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	batch := func(i int64) arrow.RecordBatch {
		b := array.NewRecordBuilder(mem, schema)
		defer b.Release()
		b.Field(0).(*array.Int64Builder).Append(i)
		return b.NewRecordBatch()
	}
	boom := errors.New("bad row")
	source := func(n int, err error) array.RecordReader {
		return array.ReaderFromIter(schema, func(yield func(arrow.RecordBatch, error) bool) {
			for i := range n {
				if !yield(batch(int64(i)), nil) { // the reader owns the batch
					return
				}
			}
			if err != nil {
				yield(nil, err)
			}
		})
	}

	t.Run("in order", func(t *testing.T) {
		src := source(7, nil)
		defer src.Release()
		r := newReadAhead(src, 2)
		var got []int64
		for r.Next() {
			got = append(got, r.RecordBatch().Column(0).(*array.Int64).Value(0))
		}
		r.Release()
		if len(got) != 7 || got[0] != 0 || got[6] != 6 || r.Err() != nil {
			t.Errorf("got %v, err %v", got, r.Err())
		}
	})
	t.Run("error after the rows before it", func(t *testing.T) {
		src := source(3, boom)
		defer src.Release()
		r := newReadAhead(src, 2)
		n := 0
		for r.Next() {
			n++
		}
		r.Release()
		if n != 3 || !errors.Is(r.Err(), boom) {
			t.Errorf("%d batches, err %v", n, r.Err())
		}
	})
	t.Run("source released early", func(t *testing.T) {
		r := source(100, nil)
		r.Next()
		r.Release()
	})
	t.Run("released early", func(t *testing.T) {
		src := source(100, nil)
		r := newReadAhead(src, 2)
		r.Next()
		r.Release() // stops the goroutine and frees what it read ahead (AssertSize)
		src.Release()
	})
}
