package transform

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/thanhxuan/cchc/seeds"
)

// TestEmbeddedSeedsAgree: no alias of the embedded seeds names two fields,
// values, units or indicators in the form its matcher matches.
func TestEmbeddedSeedsAgree(t *testing.T) {
	set, err := seeds.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range set.Contradictions(SeedKey) {
		t.Error(err)
	}
}

// TestSeedKeyFindsSpellings: a data team's alias that matches the same cells
// as an embedded one for another field or value is a contradiction, however
// it is spelled.
func TestSeedKeyFindsSpellings(t *testing.T) {
	base, err := seeds.Embedded()
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		"headers.csv":           "kind,field,required,rank,alias\ndossiers,due_at,true,9,1. Ngay tiep nhan (dd/mm/yyyy):\n",
		"value_map.csv":         "domain,value,alias\nchannel,counter,TRUC TUYEN\n",
		"unit_aliases.csv":      "unit_code,alias\nha_dinh,phuong  kim giang\n",
		"indicator_aliases.csv": "indicator_code,alias\nstaff_total,1. Số phiếu khảo sát sự hài lòng thu về:\n",
	} {
		over, err := seeds.Read(fstest.MapFS{name: {Data: []byte(body)}}, "/srv/seeds")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := seeds.Merge(base, over, SeedKey); !errors.Is(err, seeds.ErrContradiction) || !strings.Contains(err.Error(), "/srv/seeds/"+name+":2") {
			t.Errorf("%s: %v, want a contradiction naming the row", name, err)
		}
	}
}
