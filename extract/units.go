package extract

import (
	"path/filepath"
	"regexp"
	"strings"

	"github.com/thanhxuan/cchc/seeds"
)

// Units matches unit names of the wild to unit codes through the alias seed.
type Units struct {
	byAlias  map[string]string       // folded alias → unit code
	source   map[string]seeds.Source // folded alias → the seed row that wrote it
	level    map[string]string       // unit code → level
	prefixed []aliasCode             // aliases safe to find inside longer title text
	byName   []aliasCode             // squeezed aliases for file names, longest first
}

type aliasCode struct{ alias, code string }

// NewUnits builds the unit matcher from the seed catalogue.
func NewUnits(c *seeds.Catalog) *Units {
	u := &Units{byAlias: map[string]string{}, source: map[string]seeds.Source{}, level: map[string]string{}}
	add := func(code, alias string, src seeds.Source) {
		k := Fold(alias)
		if k == "" {
			return
		}
		if _, ok := u.byAlias[k]; !ok {
			u.byAlias[k], u.source[k] = code, src
		}
		if strings.Contains(k, " ") && (strings.HasPrefix(k, "ubnd") || strings.HasPrefix(k, "phuong ") ||
			strings.HasPrefix(k, "phong ") || strings.HasPrefix(k, "quan ") || strings.HasPrefix(k, "uy ban") ||
			strings.HasPrefix(k, "van phong")) {
			u.prefixed = append(u.prefixed, aliasCode{k, code})
		}
		if s := squeeze(k); len(s) >= 4 {
			u.byName = append(u.byName, aliasCode{s, code})
		}
	}
	for _, x := range c.Units {
		u.level[x.Code] = x.Level
		add(x.Code, x.NameVI, x.Source)
		if x.Level != "district" {
			add(x.Code, x.ShortName, x.Source)
			// File names are often written with the unit code itself
			// (Bieu06_tai_nguyen_moi_truong_Q1_2024.xlsx).
			u.byName = append(u.byName, aliasCode{squeeze(x.Code), x.Code})
		}
	}
	for _, a := range c.UnitAliases {
		add(a.Code, a.Alias, a.Source)
	}
	sortLongestFirst(u.prefixed)
	sortLongestFirst(u.byName)
	return u
}

func sortLongestFirst(a []aliasCode) {
	for i := 1; i < len(a); i++ { // insertion sort: stable and the lists are short
		for j := i; j > 0 && len(a[j].alias) > len(a[j-1].alias); j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// squeeze drops the characters that file names use as separators.
func squeeze(folded string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '_', '.':
			return -1
		}
		return r
	}, folded)
}

// Match returns the unit code whose alias folds to the same text as name.
func (u *Units) Match(name string) (string, bool) {
	code, _, ok := u.MatchSource(name)
	return code, ok
}

// MatchSource is Match that also says which seed row (units.csv or
// unit_aliases.csv) holds the alias that matched.
func (u *Units) MatchSource(name string) (string, seeds.Source, bool) {
	k := Fold(name)
	code, ok := u.byAlias[k]
	if !ok && hasLatin1(name) {
		// Short legacy-font cells ("UBND Néi vô") look like Unicode to
		// LooksTCVN3; a name that matches nothing gets a second reading.
		k = Fold(DecodeTCVN3(name))
		code, ok = u.byAlias[k]
	}
	return code, u.source[k], ok
}

// hasLatin1 reports whether s has a character of the Latin-1 supplement, the
// range that TCVN3 text read as Windows-1252 lives in.
func hasLatin1(s string) bool {
	for _, r := range s {
		if r >= 0x80 && r <= 0xff {
			return true
		}
	}
	return false
}

// Level returns the level of a unit code (district, ward, department).
func (u *Units) Level(code string) string { return u.level[code] }

// FromTitle tells the unit named by a sheet's title rows. When the district is
// named too (UBND QUẬN THANH XUÂN above UBND PHƯỜNG KIM GIANG), the ward or
// department is the unit; a line naming the receiver (Đơn vị nhận báo cáo) is
// not the unit. Two different wards or departments make it ambiguous: no unit.
func (u *Units) FromTitle(title []string) (string, bool) {
	code, _, ok := u.FromTitleLine(title)
	return code, ok
}

// FromTitleLine is FromTitle that also says which line of title (its index)
// named the unit: the evidence that `cchc inspect` shows.
func (u *Units) FromTitleLine(title []string) (code string, line int, ok bool) {
	found := map[string]bool{}
	first := map[string]int{} // code → the first line that names it
	for i, line := range title {
		f := Fold(line)
		if strings.Contains(f, "don vi nhan bao cao") || strings.HasPrefix(f, "kinh gui") || strings.HasPrefix(f, "noi nhan") {
			continue
		}
		if i := strings.LastIndex(f, ":"); i >= 0 && strings.Contains(f[:i], "don vi") {
			f = strings.TrimSpace(f[i+1:])
		}
		if code, ok := u.byAlias[f]; ok {
			found[code] = true
			if _, seen := first[code]; !seen {
				first[code] = i
			}
			continue
		}
		for _, a := range u.prefixed {
			if containsWord(f, a.alias) {
				found[a.code] = true
				if _, seen := first[a.code]; !seen {
					first[a.code] = i
				}
				break
			}
		}
	}
	var local []string
	district := ""
	for code := range found {
		if u.level[code] == "district" {
			district = code
		} else {
			local = append(local, code)
		}
	}
	switch {
	case len(local) == 1:
		return local[0], first[local[0]], true
	case len(local) == 0 && district != "":
		return "thanh_xuan", first[district], true
	}
	return "", -1, false
}

func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(w)
		if (j == 0 || !isWordByte(s[j-1])) && (end == len(s) || !isWordByte(s[end])) {
			return true
		}
		i = j + 1
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
}

// FromFileName tells the unit named by a file name: folded, with `-`, `_`, `.`
// and spaces removed, it contains a unit's alias squeezed the same way; the
// longest such alias wins (ThanhXuanBac is not thanh_xuan).
func (u *Units) FromFileName(path string) (string, bool) {
	name := squeeze(Fold(strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))))
	for _, a := range u.byName {
		if strings.Contains(name, a.alias) {
			return a.code, true
		}
	}
	return "", false
}

var (
	rePeriodQ1   = regexp.MustCompile(`\bquy (i|1) nam (\d{4})\b`)
	rePeriodQx   = regexp.MustCompile(`\bquy (ii|iii|iv|2|3|4) nam (\d{4})\b`)
	rePeriod6    = regexp.MustCompile(`\b6 thang (dau )?nam (\d{4})\b`)
	rePeriod9    = regexp.MustCompile(`\b9 thang (dau )?nam (\d{4})\b`)
	rePeriodYear = regexp.MustCompile(`(bao cao|cai cach hanh chinh|cchc|ky bao cao:?)\s*nam (\d{4})\b`)
	reFileA      = regexp.MustCompile(`(?:^|[^0-9a-z])(20\d\d)[-_ ]?(q1|6m|9m|y)(?:[^0-9a-z]|$)`)
	reFileB      = regexp.MustCompile(`(?:^|[^0-9a-z])(q1|6t|9t|nam)[-_ ]?(20\d\d)(?:[^0-9]|$)`)
)

// PeriodFromTitle tells the period code named by title rows (CONTRACT 3.2):
// `QUÝ I NĂM 2024` → 2024-Q1, `6 THÁNG (ĐẦU) NĂM 2024` → 2024-6M, `9 THÁNG NĂM
// 2024` → 2024-9M, `NĂM 2024` alone → 2024-Y. A quarter other than the first is
// no period of the plan: it returns ok=false with the wording in what.
func PeriodFromTitle(title []string) (code string, what string, ok bool) {
	code, i, ok := PeriodFromTitleLine(title)
	if i >= 0 {
		what = title[i]
	}
	return code, what, ok
}

// PeriodFromTitleLine is PeriodFromTitle that says which line of title (its
// index, -1 when none) named the period, or the quarter that is no period.
func PeriodFromTitleLine(title []string) (code string, line int, ok bool) {
	for i, line := range title {
		f := Fold(line)
		if m := rePeriodQ1.FindStringSubmatch(f); m != nil {
			return m[2] + "-Q1", i, true
		}
		if m := rePeriod6.FindStringSubmatch(f); m != nil {
			return m[2] + "-6M", i, true
		}
		if m := rePeriod9.FindStringSubmatch(f); m != nil {
			return m[2] + "-9M", i, true
		}
		if rePeriodQx.MatchString(f) {
			return "", i, false
		}
	}
	for i, line := range title {
		if m := rePeriodYear.FindStringSubmatch(Fold(line)); m != nil {
			return m[2] + "-Y", i, true
		}
	}
	return "", -1, false
}

// PeriodFromFileName tells the period code written in a file name: `2024-Q1`,
// `Q1_2024`, `2024-6M`, `6T_2024`, `2024-9M`, `9T_2024`, `2024-Y`, `Nam_2024`.
func PeriodFromFileName(path string) (string, bool) {
	name := Fold(filepath.Base(path))
	if m := reFileA.FindStringSubmatch(name); m != nil {
		return m[1] + "-" + strings.ToUpper(m[2]), true
	}
	if m := reFileB.FindStringSubmatch(name); m != nil {
		suffix := map[string]string{"q1": "Q1", "6t": "6M", "9t": "9M", "nam": "Y"}[m[1]]
		return m[2] + "-" + suffix, true
	}
	return "", false
}
