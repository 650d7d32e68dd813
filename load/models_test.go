package load

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

func names(ms []*Model) string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Name)
	}
	return strings.Join(s, " ")
}

func TestOrder(t *testing.T) {
	builtin := fstest.MapFS{
		"core/b.sql":   {Data: []byte("SELECT * FROM core.a")},
		"core/a.sql":   {Data: []byte("SELECT 1 AS x")},
		"marts/c.sql":  {Data: []byte("-- depends: core.a\nSELECT * FROM core.b")},
		"tests/t1.sql": {Data: []byte("SELECT 1 WHERE false")},
	}
	custom := fstest.MapFS{
		"team/d.sql": {Data: []byte("SELECT * FROM marts.c -- and core.zzz is only a comment")},
		"core/e.sql": {Data: []byte("SELECT 2 AS y")},
	}
	m1, t1, err := ParseModels(builtin, "sql", 0)
	if err != nil {
		t.Fatal(err)
	}
	m2, _, err := ParseModels(custom, "team", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(t1) != 1 || t1[0].Name != "tests.t1" {
		t.Fatalf("tests = %+v", t1)
	}
	got, err := Order(append(m1, m2...))
	if err != nil {
		t.Fatal(err)
	}
	if want := "core.a core.b marts.c core.e team.d"; names(got) != want {
		t.Errorf("order = %s, want %s", names(got), want)
	}
}

func TestOrderErrors(t *testing.T) {
	cycle := fstest.MapFS{
		"core/a.sql": {Data: []byte("SELECT * FROM core.b")},
		"core/b.sql": {Data: []byte("SELECT * FROM core.a")},
	}
	m, _, _ := ParseModels(cycle, "sql", 0)
	_, err := Order(m)
	if !errors.Is(err, ErrModelGraph) || !strings.Contains(err.Error(), "sql:core/a.sql") || !strings.Contains(err.Error(), "sql:core/b.sql") {
		t.Errorf("cycle error = %v, want one naming both files", err)
	}
	a, _, _ := ParseModels(fstest.MapFS{"core/a.sql": {Data: []byte("SELECT 1")}}, "sql", 0)
	b, _, _ := ParseModels(fstest.MapFS{"core/a.sql": {Data: []byte("SELECT 2")}}, "/srv/team", 1)
	_, err = Order(append(a, b...))
	if !errors.Is(err, ErrModelGraph) || !strings.Contains(err.Error(), "sql:core/a.sql") || !strings.Contains(err.Error(), "/srv/team:core/a.sql") {
		t.Errorf("duplicate error = %v, want one naming both files", err)
	}
	_, _, err = ParseModels(fstest.MapFS{"a.sql": {Data: []byte("SELECT 1")}}, "x", 0)
	if !errors.Is(err, ErrModelGraph) {
		t.Errorf("a model outside schema/ = %v, want ErrModelGraph", err)
	}
	_, _, err = ParseModels(fstest.MapFS{"core/a.sql": {Data: []byte("-- test: sorted(x)\nSELECT 1 AS x")}}, "x", 0)
	if !errors.Is(err, ErrModelGraph) || !strings.Contains(err.Error(), "x:core/a.sql:1") {
		t.Errorf("unknown test = %v, want an error naming file and line", err)
	}
}

func TestRunModelsDataTests(t *testing.T) {
	fsys := fstest.MapFS{
		"core/nums.sql": {Data: []byte(`-- comment: numbers
-- column n: a number
-- column label: its label
-- test: unique(n)
-- test: not_null(label)
-- test: accepted_values(label: one, two)
-- test: expression(n BETWEEN 1 AND 2)
SELECT * FROM (VALUES (1, 'one'), (2, 'two'), (2, NULL), (3, 'three')) t(n, label)`)},
	}
	w := openTestWork(t)
	results, err := runModelsOf(t, w, fsys)
	if !errors.Is(err, ErrDataTest) {
		t.Fatalf("err = %v, want ErrDataTest", err)
	}
	failing := map[string]int64{}
	for _, r := range results {
		if r.Err != nil {
			failing[r.Name] = r.Rows
		}
	}
	want := map[string]int64{
		"core.nums.unique(n)":                        1,
		"core.nums.not_null(label)":                  1,
		"core.nums.accepted_values(label: one, two)": 1,
		"core.nums.expression(n BETWEEN 1 AND 2)":    1,
	}
	for k, n := range want {
		if failing[k] != n {
			t.Errorf("test %s failing rows = %d, want %d (failing: %v)", k, failing[k], n, failing)
		}
	}
	if _, ok := failing["core.nums.comments"]; ok {
		t.Errorf("comments test failed although every column is commented")
	}
	var c string
	w.DB.QueryRow(`SELECT comment FROM duckdb_columns() WHERE table_name = 'nums' AND column_name = 'label'`).Scan(&c)
	if c != "its label" {
		t.Errorf("column comment = %q", c)
	}
}

// TestRowTestsOneScanErrors: when one test of a model's scan does not bind
// (a column that does not exist), that test alone fails with its error and
// the others still count their rows.
func TestRowTestsOneScanErrors(t *testing.T) {
	fsys := fstest.MapFS{
		"core/nums.sql": {Data: []byte(`-- comment: numbers
-- column n: a number
-- test: not_null(n)
-- test: expression(missing_column > 0)
-- test: accepted_values(n: 1, 2)
SELECT * FROM (VALUES (1), (3), (NULL)) t(n)`)},
	}
	w := openTestWork(t)
	results, err := runModelsOf(t, w, fsys)
	if !errors.Is(err, ErrDataTest) {
		t.Fatalf("err = %v, want ErrDataTest", err)
	}
	got := map[string]string{}
	for _, r := range results {
		if r.Kind == "test" {
			got[r.Name] = fmt.Sprintf("%d %v", r.Rows, r.Err)
		}
	}
	if g := got["core.nums.not_null(n)"]; g != "1 1 failing rows" {
		t.Errorf("not_null: %s", g)
	}
	if g := got["core.nums.accepted_values(n: 1, 2)"]; g != "1 1 failing rows" {
		t.Errorf("accepted_values: %s", g)
	}
	if g := got["core.nums.expression(missing_column > 0)"]; !strings.Contains(g, "missing_column") {
		t.Errorf("expression: %s, want its binder error", g)
	}
}

// TestWarningTests: a standalone test whose header says `-- severity: warn`
// reports its rows without failing the run.
func TestWarningTests(t *testing.T) {
	fsys := fstest.MapFS{
		"core/nums.sql":  {Data: []byte("-- comment: numbers\n-- column n: a number\nSELECT * FROM (VALUES (1), (2), (3)) t(n)")},
		"tests/odd.sql":  {Data: []byte("-- Odd numbers are worth a look, not a failure.\n-- severity: warn\nSELECT n FROM core.nums WHERE n % 2 = 1")},
		"tests/none.sql": {Data: []byte("-- severity: warn\nSELECT n FROM core.nums WHERE n > 5")},
	}
	w := openTestWork(t)
	results, err := runModelsOf(t, w, fsys)
	if err != nil {
		t.Fatalf("a warning failed the run: %v", err)
	}
	got := map[string]Result{}
	for _, r := range results {
		got[r.Name] = r
	}
	if r := got["tests.odd"]; !r.Warn || r.Rows != 2 || r.Err != nil {
		t.Errorf("tests.odd = %+v, want a warning of 2 rows", r)
	}
	if r := got["tests.none"]; r.Warn || r.Rows != 0 || r.Err != nil {
		t.Errorf("tests.none = %+v, want ok", r)
	}
	// Without the severity line the same test fails the run.
	fsys["tests/odd.sql"] = &fstest.MapFile{Data: []byte("SELECT n FROM core.nums WHERE n % 2 = 1")}
	if _, err := runModelsOf(t, w, fsys); !errors.Is(err, ErrDataTest) {
		t.Errorf("an error test with rows: %v, want ErrDataTest", err)
	}
	fsys["tests/odd.sql"] = &fstest.MapFile{Data: []byte("-- severity: maybe\nSELECT 1")}
	if _, _, err := ParseModels(fsys, "sql", 0); !errors.Is(err, ErrModelGraph) || !strings.Contains(err.Error(), "sql:tests/odd.sql") {
		t.Errorf("unknown severity: %v", err)
	}
}

// runModelsOf parses the models and tests of fsys (its sql/ layout) and
// runs them on w.
func runModelsOf(t *testing.T, w *Work, fsys fstest.MapFS) ([]Result, error) {
	t.Helper()
	models, tests, err := ParseModels(fsys, "sql", 0)
	if err != nil {
		t.Fatal(err)
	}
	return RunModels(context.Background(), w.DB, models, tests)
}
