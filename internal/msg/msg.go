// Package msg shapes the sentences that people read in the warehouse and on
// the terminal: one line, of a bounded length, cut between characters (the
// text is Vietnamese), never inside one.
package msg

import "strings"

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
