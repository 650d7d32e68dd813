package load

import (
	"context"
	"encoding/csv"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/thanhxuan/cchc/seeds"
)

// csvRecords counts the data records of a seed file (its header aside).
func csvRecords(t *testing.T, fsys fs.FS, name string) int64 {
	t.Helper()
	f, err := fsys.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return int64(len(recs) - 1)
}

// TestLoadSeeds: every seed file becomes its ref table with all its rows,
// the table's comment and the column comments of seeds/columns.csv; a seed
// set that fails to load leaves the tables loaded before as they were, and
// no temporary file stays behind.
func TestLoadSeeds(t *testing.T) {
	ctx := context.Background()
	w := openTestWork(t)
	tmp := t.TempDir()
	fsys := seeds.FS()
	if _, err := LoadSeeds(ctx, w.DB, fsys, tmp); err != nil {
		t.Fatal(err)
	}
	comments := map[string]map[string]string{}
	colFile, _ := fs.ReadFile(fsys, "columns.csv")
	recs, err := csv.NewReader(strings.NewReader(string(colFile))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		if comments[r[0]] == nil {
			comments[r[0]] = map[string]string{}
		}
		comments[r[0]][r[1]] = r[2]
	}
	if len(seeds.Tables) < 10 {
		t.Fatalf("only %d seed tables", len(seeds.Tables))
	}
	for _, st := range seeds.Tables {
		name := strings.TrimSuffix(st.File, ".csv")
		// arrivals.csv alone ships empty: the data team's seeds fill it.
		if n, want := count(t, w.DB, "SELECT count(*) FROM ref."+name), csvRecords(t, fsys, st.File); n != want || n == 0 && st.File != "arrivals.csv" {
			t.Errorf("ref.%s: %d rows, want %d", name, n, want)
		}
		var comment string
		if err := w.DB.QueryRowContext(ctx, `SELECT comment FROM duckdb_tables() WHERE schema_name = 'ref' AND table_name = ?`, name).Scan(&comment); err != nil {
			t.Fatalf("ref.%s: %v", name, err)
		}
		if want := st.Comment + " (seeds/" + st.File + ")"; comment != want {
			t.Errorf("ref.%s comment %q, want %q", name, comment, want)
		}
		for col, want := range comments[name] {
			var got string
			if err := w.DB.QueryRowContext(ctx, `SELECT coalesce(comment, '') FROM duckdb_columns() WHERE schema_name = 'ref' AND table_name = ? AND column_name = ?`, name, col).Scan(&got); err != nil {
				t.Errorf("ref.%s.%s: %v", name, col, err)
			} else if got != want {
				t.Errorf("ref.%s.%s comment %q, want %q", name, col, got, want)
			}
		}
	}
	if len(comments["units"]) == 0 {
		t.Error("columns.csv comments no column of units")
	}

	// A second set whose units differ and that lacks kpis.csv: nothing of it stays.
	units := count(t, w.DB, "SELECT count(*) FROM ref.units")
	broken := fstest.MapFS{}
	for _, st := range seeds.Tables {
		b, _ := fs.ReadFile(fsys, st.File)
		broken[st.File] = &fstest.MapFile{Data: b}
	}
	broken["columns.csv"] = &fstest.MapFile{Data: colFile}
	broken["units.csv"] = &fstest.MapFile{Data: []byte("unit_code,name_vi,short_name,level\nx,X,X,ward\n")}
	delete(broken, "kpis.csv")
	_, err = LoadSeeds(ctx, w.DB, broken, tmp)
	if err == nil || !strings.Contains(err.Error(), "kpis.csv") {
		t.Fatalf("LoadSeeds without kpis.csv = %v", err)
	}
	if n := count(t, w.DB, "SELECT count(*) FROM ref.units"); n != units {
		t.Errorf("ref.units has %d rows after a failed load, want the %d loaded before", n, units)
	}
	// What stays in the state folder is the record of the first load.
	if entries, _ := os.ReadDir(tmp); len(entries) != 1 || entries[0].Name() != "seeds.state" {
		t.Errorf("left in the state folder: %v", entries)
	}
}

// TestLoadSeedsOnlyWhenChanged: a second load of the same seed set leaves
// the tables as they are; another seed set, a table changed by hand, a table
// dropped or a lost record load them again.
func TestLoadSeedsOnlyWhenChanged(t *testing.T) {
	ctx := context.Background()
	w := openTestWork(t)
	state := t.TempDir()
	load := func(fsys fs.FS) bool {
		t.Helper()
		loaded, err := LoadSeeds(ctx, w.DB, fsys, state)
		if err != nil {
			t.Fatal(err)
		}
		return loaded
	}
	if !load(seeds.FS()) {
		t.Fatal("the first load did nothing")
	}
	units := count(t, w.DB, "SELECT count(*) FROM ref.units")
	if load(seeds.FS()) {
		t.Error("the same seeds were loaded again")
	}
	other := embeddedSeeds(t)
	other["unit_aliases.csv"] = &fstest.MapFile{Data: append(slices.Clone(other["unit_aliases.csv"].Data), "kim_giang,P. Kim Giang mới\r\n"...)}
	if !load(other) {
		t.Error("a seed set with one more alias was not loaded")
	}
	if load(other) {
		t.Error("the same seeds were loaded again")
	}
	if _, err := w.DB.ExecContext(ctx, "DELETE FROM ref.units WHERE unit_code = 'kim_giang'"); err != nil {
		t.Fatal(err)
	}
	if !load(other) || count(t, w.DB, "SELECT count(*) FROM ref.units") != units {
		t.Error("a table changed by hand was not loaded again")
	}
	if _, err := w.DB.ExecContext(ctx, "UPDATE ref.kpis SET target_ward = 0.5 WHERE kpi_code = 'tthc_on_time_rate'"); err != nil {
		t.Fatal(err)
	}
	if !load(other) {
		t.Error("a value changed by hand was not loaded again")
	}
	if _, err := w.DB.ExecContext(ctx, "DROP TABLE ref.kpi_families"); err != nil {
		t.Fatal(err)
	}
	if !load(other) {
		t.Error("a dropped table was not loaded again")
	}
	if err := os.Remove(filepath.Join(state, "seeds.state")); err != nil {
		t.Fatal(err)
	}
	if !load(other) {
		t.Error("without its record, the seed set was not loaded again")
	}
}

// TestLoadSeedsTypes: a seed with fixed column types (seeds.Types) loads
// with them whether it holds rows or, as arrivals.csv ships, none.
func TestLoadSeedsTypes(t *testing.T) {
	ctx := context.Background()
	w := openTestWork(t)
	typeOf := func() string {
		var typ string
		if err := w.DB.QueryRowContext(ctx, `SELECT data_type FROM duckdb_columns() WHERE schema_name = 'ref' AND table_name = 'arrivals' AND column_name = 'received_at'`).Scan(&typ); err != nil {
			t.Fatal(err)
		}
		return typ
	}
	if _, err := LoadSeeds(ctx, w.DB, seeds.FS(), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if typ, n := typeOf(), count(t, w.DB, "SELECT count(*) FROM ref.arrivals"); typ != "TIMESTAMP" || n != 0 {
		t.Errorf("the embedded arrivals: received_at %s, %d rows", typ, n)
	}
	fsys := embeddedSeeds(t)
	fsys["arrivals.csv"] = &fstest.MapFile{Data: []byte("unit,period,received_at,note\nkim_giang,2024-Q1,2024-03-04 16:30:00,123\n")}
	if _, err := LoadSeeds(ctx, w.DB, fsys, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := w.DB.QueryRowContext(ctx, `SELECT unit || ' ' || period || ' ' || strftime(received_at, '%Y-%m-%d %H:%M') || ' ' || note FROM ref.arrivals`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if typ := typeOf(); typ != "TIMESTAMP" || got != "kim_giang 2024-Q1 2024-03-04 16:30 123" {
		t.Errorf("arrivals with a row: received_at %s, row %q", typ, got)
	}
}

// embeddedSeeds is a copy of the embedded seed set that a test may change.
func embeddedSeeds(t *testing.T) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, st := range append(seeds.Tables, struct{ File, Comment string }{"columns.csv", ""}) {
		b, err := fs.ReadFile(seeds.FS(), st.File)
		if err != nil {
			t.Fatal(err)
		}
		fsys[st.File] = &fstest.MapFile{Data: b}
	}
	return fsys
}
