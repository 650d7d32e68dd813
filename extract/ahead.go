package extract

import "io"

// ahead runs a producer in a goroutine of its own, a few chunks of items
// ahead of the caller, so that reading a file overlaps with what is done with
// the items already read. Chunks start small (a header search reads a few
// dozen rows only) and grow.
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
	chunksAhead    = 4
)

// startAhead runs produce, which calls emit for each item until emit returns
// false (the caller closed the reader) and returns what stopped it. A panic
// in produce (a reader library's bug on a malformed file) becomes the error
// onPanic makes of it. produce owns whatever it reads until it returns.
func startAhead[T any](produce func(emit func(T) bool) error, onPanic func(p any) error) *ahead[T] {
	a := &ahead[T]{chunks: make(chan aheadChunk[T], chunksAhead), stop: make(chan struct{})}
	go func() {
		defer close(a.chunks)
		size := firstChunkRows
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
			if len(items) < size {
				return true
			}
			if !send(aheadChunk[T]{items: items}) {
				return false
			}
			size = min(2*size, maxChunkRows)
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
