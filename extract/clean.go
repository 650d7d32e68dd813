package extract

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// cleanCells appends the cleaned cells of src to dst, cutting cells longer than
// max bytes (it returns how many), and dropping trailing empty cells. With
// fixUTF8, bytes that are not UTF-8 become U+FFFD first (it returns how many
// cells had any).
func cleanCells(dst, src []string, max int, fixUTF8 bool) (cells []string, cut, bad int) {
	// Trailing empty cells carry no meaning; keeping rows short keeps the
	// header search cheap.
	end := len(src)
	for end > 0 && strings.TrimSpace(src[end-1]) == "" {
		end--
	}
	for _, c := range src[:end] {
		if len(c) <= max {
			// The common case: one pass over the bytes cleans and checks them.
			out, valid := clean(c)
			if valid || !fixUTF8 {
				dst = append(dst, out)
				continue
			}
		}
		if fixUTF8 && !utf8.ValidString(c) {
			c = strings.ToValidUTF8(c, "\uFFFD")
			bad++
		}
		if len(c) > max {
			c = truncateUTF8(c, max) + CutMarker
			cut++
		}
		dst = append(dst, Clean(c))
	}
	return dst, cut, bad
}

// cutCell is the text of a cell that a reader cut as it read it (keeping
// more than max bytes of it, or text whose escapes it decoded afterwards):
// its first max bytes, whole characters, and CutMarker — what cleanCells
// makes of a longer cell, so that it counts and keeps it as it is.
func cutCell(s string, max int) string {
	if len(s) > max {
		s = truncateUTF8(s, max)
	}
	return s + CutMarker
}

func truncateUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// notes collects a workbook's notes by key, keeping their first order.
// A CSV's rows are read in a goroutine of their own (prefetch), so the notes
// are guarded.
type notes struct {
	mu   sync.Mutex
	keys []string
	text map[string]string
	n    map[string]int
}

func (ns *notes) set(key, text string) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	ns.setLocked(key, text)
}

func (ns *notes) setLocked(key, text string) {
	if ns.text == nil {
		ns.text, ns.n = map[string]string{}, map[string]int{}
	}
	if _, ok := ns.text[key]; !ok {
		ns.keys = append(ns.keys, key)
	}
	ns.text[key] = text
}

// max records a counted note when n exceeds what an earlier reader of the
// same sheet counted.
func (ns *notes) max(key string, n int, text func(n int) string) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if ns.n != nil && ns.n[key] >= n {
		return
	}
	ns.setLocked(key, text(n))
	ns.n[key] = n
}

func (ns *notes) list() []string {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	out := make([]string, len(ns.keys))
	for i, k := range ns.keys {
		out[i] = ns.text[k]
	}
	return out
}
