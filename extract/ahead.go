package extract

import (
	"fmt"
	"io"
)

// ahead runs a producer in a goroutine of its own, a few chunks of items
// ahead of the caller, so that reading a file overlaps with what is done with
// the items already read. Chunks start small (a header search reads a few
// dozen rows only) and grow, to maxChunkRows items or aheadBytes bytes
// (whichever comes first): what is read ahead stays a few megabytes, however
// wide the rows.
type ahead[T any] struct {
	chunks  chan aheadChunk[T]
	stop    chan struct{}
	chunk   []T // the chunk being consumed
	next    int // its next item
	errNext error
	err     error
	done    bool
	stopped bool
}

type aheadChunk[T any] struct {
	items []T
	err   error // what stopped the producer after these items
}

const (
	firstChunkRows = 16
	maxChunkRows   = 512
	aheadBytes     = 1 << 20
	chunksAhead    = 4
)

// startAhead runs produce, which calls emit for each item until emit returns
// false (the caller closed the reader) and returns what stopped it; sizeOf
// tells the bytes an item holds. A panic in produce (a reader library's bug
// on a malformed file) becomes the error onPanic makes of it. produce owns
// whatever it reads until it returns.
func startAhead[T any](produce func(emit func(T) bool) error, sizeOf func(T) int, onPanic func(p any) error) *ahead[T] {
	a := &ahead[T]{chunks: make(chan aheadChunk[T], chunksAhead), stop: make(chan struct{})}
	go func() {
		defer close(a.chunks)
		size, bytes := firstChunkRows, 0
		items := make([]T, 0, size)
		send := func(c aheadChunk[T]) bool {
			select {
			case a.chunks <- c:
				return true
			case <-a.stop:
				return false
			}
		}
		defer func() {
			if p := recover(); p != nil {
				send(aheadChunk[T]{items: items, err: onPanic(p)})
			}
		}()
		err := produce(func(v T) bool {
			items = append(items, v)
			if bytes += sizeOf(v); len(items) < size && bytes < aheadBytes {
				return true
			}
			if !send(aheadChunk[T]{items: items}) {
				return false
			}
			size, bytes = min(2*size, maxChunkRows), 0
			items = make([]T, 0, size)
			return true
		})
		if len(items) > 0 || err != nil {
			send(aheadChunk[T]{items: items, err: err})
		}
	}()
	return a
}

// pull returns the next item; false at the end, or on an error (then in
// a.err) once the items produced before it were returned. It keeps
// returning false after that.
func (a *ahead[T]) pull() (v T, ok bool) {
	if a.done {
		return v, false
	}
	for a.next >= len(a.chunk) {
		if a.errNext != nil {
			a.err, a.errNext, a.done = a.errNext, nil, true
			return v, false
		}
		c, ok := <-a.chunks
		if !ok {
			a.done = true
			return v, false
		}
		a.chunk, a.next, a.errNext = c.items, 0, c.err
	}
	v = a.chunk[a.next]
	var zero T
	a.chunk[a.next] = zero
	a.next++
	return v, true
}

// close stops the producer and waits until it has returned.
func (a *ahead[T]) close() {
	if a.stopped {
		return
	}
	a.stopped = true
	close(a.stop)
	for range a.chunks {
	}
}

// closeWith stops the producer, then closes what it was reading from; once.
func (a *ahead[T]) closeWith(source io.Closer) error {
	if a.stopped {
		return nil
	}
	a.close()
	return source.Close()
}

// prefetchRows reads the rows of another RowReader in a goroutine of its
// own (see ahead), so that reading and cleaning a CSV overlaps with typing
// and loading the rows already read.
type prefetchRows struct {
	inner RowReader
	ahead *ahead[Row]
	row   Row
}

func prefetch(inner RowReader) *prefetchRows {
	return &prefetchRows{inner: inner, ahead: startAhead(func(emit func(Row) bool) error {
		var arena []string // rows' cells are copied into blocks, not one slice each
		for inner.Next() {
			r := inner.Row() // its cells are reused by the next row: copy them
			if len(arena)+len(r.Cells) > cap(arena) {
				arena = make([]string, 0, max(4096, 4*len(r.Cells)))
			}
			start := len(arena)
			arena = append(arena, r.Cells...)
			if !emit(Row{Num: r.Num, Cells: arena[start:len(arena):len(arena)]}) {
				return nil
			}
		}
		return inner.Err()
	}, func(r Row) int { return cellsSize(r.Cells) }, func(p any) error {
		// The panic value is printed, not wrapped (%v): it is a reader's bug, often
		// not an error at all, and no cause a caller should test for.
		return fmt.Errorf("%w: tệp hỏng, trình đọc gặp lỗi nội bộ / malformed file (reader panic: %v)", ErrUnreadable, p)
	})}
}

func (p *prefetchRows) Next() bool {
	var ok bool
	p.row, ok = p.ahead.pull()
	return ok
}

func (p *prefetchRows) Row() Row   { return p.row }
func (p *prefetchRows) Err() error { return p.ahead.err }

// Close stops the reading goroutine and closes the inner reader.
func (p *prefetchRows) Close() error { return p.ahead.closeWith(p.inner) }

// cellsSize is the memory a row's cells hold: their text and a slot each.
func cellsSize(cells []string) int {
	n := cellSlot * len(cells)
	for _, c := range cells {
		n += len(c)
	}
	return n
}
