package msg

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestList(t *testing.T) {
	many := make([]string, 200)
	for i := range many {
		many[i] = fmt.Sprintf("cột lạ số %d / unknown column %d", i+1, i+1)
	}
	long := strings.Repeat("Lĩnh vực hộ tịch ", 100)
	tests := []struct {
		name  string
		items []string
		n     int
		want  string
	}{
		{"none", nil, 50, ""},
		{"all fit", []string{"a", "b", "c"}, 50, "a; b; c"},
		{"the first ones and a count", many, 120,
			"cột lạ số 1 / unknown column 1; cột lạ số 2 / unknown column 2; … và 198 mục khác / … and 198 more"},
		{"one long item is clipped", []string{long}, 40, Clip(long, 40)},
		{"a long first item leaves room for the count", []string{long, "b"}, 80,
			Clip(long, 80-len([]rune(more(1)))) + "; b"},
		{"one line", []string{"a\nb", "c\t d"}, 50, "a b; c d"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := List(tc.items, tc.n)
			if got != tc.want {
				t.Errorf("List = %q\nwant   %q", got, tc.want)
			}
			if n := utf8.RuneCountInString(got); n > tc.n {
				t.Errorf("List is %d characters, more than %d", n, tc.n)
			}
		})
	}
}

// TestListBound: whatever the items, the list stays within its length and
// counts every item it leaves out.
func TestListBound(t *testing.T) {
	for k := 1; k <= 300; k += 37 {
		items := make([]string, k)
		for i := range items {
			items[i] = strings.Repeat("đ", i%50+1)
		}
		got := List(items, Max)
		if n := utf8.RuneCountInString(got); n > Max {
			t.Errorf("%d items: %d characters", k, n)
		}
		shown := len(strings.Split(got, "; "))
		var left int
		if i := strings.Index(got, "… và "); i >= 0 {
			fmt.Sscanf(got[i:], "… và %d", &left)
			shown-- // the count itself
		}
		if shown+left != k {
			t.Errorf("%d items: %d shown + %d counted: %q", k, shown, left, got)
		}
	}
}
