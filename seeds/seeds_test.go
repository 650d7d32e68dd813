package seeds

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// TestSourcesNameTheLine: every row of the catalogue says which file and line
// wrote it, so that errors and `cchc inspect` can point at it.
func TestSourcesNameTheLine(t *testing.T) {
	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(FS(), "headers.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	for _, h := range c.Headers {
		if h.Source.File != "headers.csv" || !h.Source.Embedded() {
			t.Fatalf("%+v: source %+v", h, h.Source)
		}
		line := lines[h.Source.Line-1]
		if !strings.HasSuffix(line, ","+h.Alias) && !strings.HasSuffix(line, `,"`+h.Alias+`"`) {
			t.Errorf("%s is %q, not the row of %q", h.Source, line, h.Alias)
		}
	}
	if got := c.Headers[0].Source.String(); got != "seeds/headers.csv:2 (embedded)" {
		t.Errorf("first header row: %s", got)
	}
	if len(c.Values) == 0 || c.Values[0].Source.Line != 2 || c.UnitAliases[0].Source.File != "unit_aliases.csv" {
		t.Errorf("value and unit alias sources: %+v %+v", c.Values[0].Source, c.UnitAliases[0].Source)
	}
}

// TestSetRendersItsRows: a Set read from a folder (a BOM, CRLF, padded cells)
// renders back the same rows, which is what the ref.* tables load.
func TestSetRendersItsRows(t *testing.T) {
	dir := fstest.MapFS{
		"value_map.csv": {Data: []byte("\ufeffdomain,value,alias\r\nstatus,resolved, Đã trả xong \r\nchannel,online,\"Qua mạng, DVC\"\r\n")},
		"notes.txt":     {Data: []byte("not a seed")},
	}
	s, err := Read(dir, "/srv/seeds")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Names(); !reflect.DeepEqual(got, []string{"value_map.csv"}) {
		t.Fatalf("names %v", got)
	}
	f := s.File("value_map.csv")
	want := []Row{
		{[]string{"status", "resolved", "Đã trả xong"}, Source{"value_map.csv", 2, "/srv/seeds"}},
		{[]string{"channel", "online", "Qua mạng, DVC"}, Source{"value_map.csv", 3, "/srv/seeds"}},
	}
	if !reflect.DeepEqual(f.Rows, want) {
		t.Fatalf("rows %+v", f.Rows)
	}
	if got := f.Rows[1].Source.String(); got != "/srv/seeds/value_map.csv:3" {
		t.Errorf("source %q", got)
	}
	again, err := Read(s, "x")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range again.File("value_map.csv").Rows {
		if !reflect.DeepEqual(r.Fields, want[i].Fields) {
			t.Errorf("rendered row %d: %q", i, r.Fields)
		}
	}
	if _, err := s.Open("missing.csv"); err == nil {
		t.Error("opened a missing file")
	}
}

func TestMalformedSeedNamesTheFile(t *testing.T) {
	dir := fstest.MapFS{"headers.csv": {Data: []byte("kind,field,required,rank,alias\ndossiers,dossier_id,true,x,Mã\n")}}
	s, err := Read(dir, "/srv/seeds")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Catalog()
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("a set without units.csv: %v", err)
	}
}
