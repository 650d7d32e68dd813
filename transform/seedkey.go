package transform

import "github.com/thanhxuan/cchc/extract"

// SeedKey is the seeds.KeyFunc of the matchers: the form in which each kind
// of alias is matched, so that merging a data team's seeds finds a row that
// gives an alias already known (in any spelling that matches the same cells)
// another field, value, unit or indicator.
func SeedKey(file, column, value string) string {
	switch file + "/" + column {
	case "headers.csv/alias":
		return extract.HeaderKey(value)
	case "value_map.csv/alias":
		return extract.NormalizeValue(value)
	case "unit_aliases.csv/alias", "field_groups.csv/field":
		return extract.Fold(value)
	case "indicator_aliases.csv/alias":
		return IndicatorKey(value)
	}
	return value
}
