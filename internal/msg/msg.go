// Package msg shapes the sentences that people read in the warehouse and on
// the terminal: one line, of a bounded length, cut between characters (the
// text is Vietnamese), never inside one.
package msg

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Max is the length, in characters, of a message that a person reads in the
// warehouse (raw.files.message): CONTRACT section 4 wants it "at most about
// 500 characters, the first problems with a count of the rest".
const Max = 500

// Clip puts s on one line (runs of white space become one space) and cuts it
// to n characters, ending with "..." when it was cut.
func Clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		if n <= 3 {
			return string(r[:n])
		}
		return string(r[:n-3]) + "..."
	}
	return s
}

// List joins items with "; " into at most about n characters: as many of
// the first items as fit whole, then how many were left out ("… và 3 mục
// khác / … and 3 more"). The first item is always there (clipped when it is
// alone longer than n), so a list never reads as empty. Items are put on
// one line each (Clip).
func List(items []string, n int) string {
	var b strings.Builder
	used := 0
	for i, it := range items {
		// The count of the rest must fit too, unless this is the last item.
		rest := 0
		if i < len(items)-1 {
			rest = utf8.RuneCountInString(more(len(items) - i - 1))
		}
		if i == 0 {
			it = Clip(it, max(n-rest, n/2))
			b.WriteString(it)
			used = utf8.RuneCountInString(it)
			continue
		}
		it = Clip(it, n)
		w := len("; ") + utf8.RuneCountInString(it)
		if used+w+rest > n {
			b.WriteString(more(len(items) - i))
			return b.String()
		}
		b.WriteString("; ")
		b.WriteString(it)
		used += w
	}
	return b.String()
}

// more says how many items of a list were left out.
func more(n int) string {
	return fmt.Sprintf("; … và %d mục khác / … and %d more", n, n)
}
