package seeds

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func overlay(t *testing.T, files map[string]string) *Set {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	s, err := Read(fsys, "/srv/cchc/seeds")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var lower = func(_, _, v string) string { return strings.ToLower(v) }

// TestMergeAddsRows: a data team's folder adds rows to the embedded seeds
// with one line; repeats of embedded rows are dropped; a new seed file joins.
func TestMergeAddsRows(t *testing.T) {
	base, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	over := overlay(t, map[string]string{
		"headers.csv":   "kind,field,required,rank,alias\ndossiers,received_at,true,9,Ngày nộp đơn\ndossiers,dossier_id,true,0,MÃ HỒ SƠ\n",
		"value_map.csv": "domain,value,alias\nstatus,resolved,Đã hoàn tất\n",
		"arrivals.csv":  "unit,period,received_at,note\nkim_giang,2024-Q1,2024-03-04 16:00,nộp bản giấy\n",
		"holidays.csv":  "date,name\n2024-09-02,Quốc khánh\n",
	})
	merged, err := Merge(base, over, lower)
	if err != nil {
		t.Fatal(err)
	}
	c, err := merged.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	embedded, _ := Load(nil)
	if len(c.Headers) != len(embedded.Headers)+1 || len(c.Values) != len(embedded.Values)+1 {
		t.Fatalf("%d headers, %d values; want one more of each than %d, %d", len(c.Headers), len(c.Values), len(embedded.Headers), len(embedded.Values))
	}
	last := c.Headers[len(c.Headers)-1]
	if last.Alias != "Ngày nộp đơn" || last.Field != "received_at" || last.Source.String() != "/srv/cchc/seeds/headers.csv:2" || last.Source.Embedded() {
		t.Errorf("added header %+v", last)
	}
	if f := merged.File("holidays.csv"); f == nil || len(f.Rows) != 1 || f.Rows[0].Fields[1] != "Quốc khánh" {
		t.Errorf("a new seed file does not join: %+v", f)
	}
	// The embedded arrivals.csv is a header only: the folder's rows fill it.
	if f := merged.File("arrivals.csv"); f == nil || len(base.File("arrivals.csv").Rows) != 0 || len(f.Rows) != 1 || f.Rows[0].Fields[3] != "nộp bản giấy" ||
		f.Rows[0].Source.String() != "/srv/cchc/seeds/arrivals.csv:2" {
		t.Errorf("the arrivals of the folder do not add to the embedded header: %+v", f)
	}
	if len(base.File("headers.csv").Rows) != len(embedded.Headers) {
		t.Error("Merge changed its base")
	}
}

// TestMergeContradiction: the same alias for another field, value or unit is
// an error naming both rows, file and line.
func TestMergeContradiction(t *testing.T) {
	base, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file, body string
		want       []string
	}{
		{"headers.csv", "kind,field,required,rank,alias\ndossiers,received_at,true,9,Ngày nộp đơn\ndossiers,due_at,true,9,NGÀY TIẾP NHẬN\n",
			[]string{"/srv/cchc/seeds/headers.csv:3", "seeds/headers.csv:", "(embedded)", `field="due_at"`, `field="received_at"`}},
		{"value_map.csv", "domain,value,alias\nstatus,processing,Đã trả kết quả\n",
			[]string{"/srv/cchc/seeds/value_map.csv:2", "seeds/value_map.csv:", `value="processing"`, `value="resolved"`}},
		{"units.csv", "unit_code,name_vi,short_name,level\nkim_giang,Phường Kim Giang mới,Kim Giang,ward\n",
			[]string{"/srv/cchc/seeds/units.csv:2", "seeds/units.csv:"}},
		// Two rows of the folder itself.
		{"unit_aliases.csv", "unit_code,alias\nkim_giang,KG\nha_dinh,kg\n",
			[]string{"/srv/cchc/seeds/unit_aliases.csv:3", "/srv/cchc/seeds/unit_aliases.csv:2"}},
	}
	for _, tt := range tests {
		_, err := Merge(base, overlay(t, map[string]string{tt.file: tt.body}), lower)
		if !errors.Is(err, ErrContradiction) {
			t.Errorf("%s: %v, want ErrContradiction", tt.file, err)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v does not name %s", tt.file, err, w)
			}
		}
	}
	_, err = Merge(base, overlay(t, map[string]string{"headers.csv": "kind,field,alias\ndossiers,received_at,Ngày nộp\n"}), lower)
	if !errors.Is(err, ErrSeed) || !strings.Contains(err.Error(), "/srv/cchc/seeds/headers.csv:1") {
		t.Errorf("other columns: %v", err)
	}
}

// TestMergeOfACopy: a folder that is a whole copy of the embedded seeds (what
// seeds_dir held when it replaced them) merges to the embedded seeds.
func TestMergeOfACopy(t *testing.T) {
	base, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	copyFS := fstest.MapFS{}
	for _, n := range base.Names() {
		b, err := files.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		copyFS[n] = &fstest.MapFile{Data: b}
	}
	over, err := Read(copyFS, "/srv/copy")
	if err != nil {
		t.Fatal(err)
	}
	merged, err := Merge(base, over, lower)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range base.Names() {
		if a, b := len(base.File(n).Rows), len(merged.File(n).Rows); a != b {
			t.Errorf("%s: %d rows merged, %d embedded", n, b, a)
		}
	}
}
