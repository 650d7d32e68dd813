package gen

// rng is a tiny splitmix64 generator. The package owns it instead of using
// math/rand so that a seed keeps producing the same workbooks on every Go
// release: end-to-end tests and benchmarks compare against stored expectations.
type rng struct{ s uint64 }

// newRNG derives an independent stream from the seed and a label path, so that
// changing how one file is drawn never shifts the draws of any other file.
func newRNG(seed int64, labels ...string) *rng {
	h := uint64(14695981039346656037)
	for _, l := range labels {
		for i := 0; i < len(l); i++ {
			h ^= uint64(l[i])
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	r := &rng{s: uint64(seed)*0x9E3779B97F4A7C15 ^ h}
	r.next()
	return r
}

func (r *rng) next() uint64 {
	r.s += 0x9E3779B97F4A7C15
	z := r.s
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// intn returns a number in [0, n); the modulo bias is far below anything a
// test could notice.
func (r *rng) intn(n int) int {
	if n <= 1 {
		return 0
	}
	return int(r.next() % uint64(n))
}

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.intn(hi-lo+1)
}

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

func (r *rng) chance(p float64) bool { return r.float() < p }

// weighted returns an index drawn with the given relative weights.
func (r *rng) weighted(ws ...float64) int {
	sum := 0.0
	for _, w := range ws {
		sum += w
	}
	x := r.float() * sum
	for i, w := range ws {
		if x < w {
			return i
		}
		x -= w
	}
	return len(ws) - 1
}

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

func shuffle[T any](r *rng, xs []T) {
	for i := len(xs) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		xs[i], xs[j] = xs[j], xs[i]
	}
}
