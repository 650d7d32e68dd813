package load

import (
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// readAhead is an array.RecordReader that calls the Next of another in a
// goroutine of its own, up to depth batches ahead: DuckDB appends one batch
// while the next is being parsed and typed, instead of taking turns with it
// on one thread.
type readAhead struct {
	inner   array.RecordReader
	batches chan arrow.RecordBatch
	stop    chan struct{}
	cur     arrow.RecordBatch
	err     error
	refs    atomic.Int64
}

func newReadAhead(inner array.RecordReader, depth int) *readAhead {
	r := &readAhead{inner: inner, batches: make(chan arrow.RecordBatch, depth),
		stop: make(chan struct{})}
	r.refs.Store(1)
	inner.Retain()
	go r.run()
	return r
}

// run owns inner's Next until it has closed r.batches.
func (r *readAhead) run() {
	defer close(r.batches)
	for r.inner.Next() {
		b := r.inner.RecordBatch()
		b.Retain() // inner releases it at its next Next
		select {
		case r.batches <- b:
		case <-r.stop:
			b.Release()
			return
		}
	}
}

func (r *readAhead) Schema() *arrow.Schema { return r.inner.Schema() }

func (r *readAhead) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	b, ok := <-r.batches
	if !ok {
		r.err = r.inner.Err() // r.batches closed: run is done with inner
		return false
	}
	r.cur = b
	return true
}

func (r *readAhead) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch.
//
// Deprecated: use RecordBatch.
func (r *readAhead) Record() arrow.RecordBatch { return r.cur }

func (r *readAhead) Err() error { return r.err }

func (r *readAhead) Retain() { r.refs.Add(1) }

// Release drops a reference; the last one stops the goroutine, frees the
// batches read ahead and releases inner.
func (r *readAhead) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	close(r.stop)
	for b := range r.batches {
		b.Release()
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.inner.Release()
}
