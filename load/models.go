package load

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	sqlfs "github.com/thanhxuan/cchc/sql"
)

// Model is one SQL model: a SELECT in a file `schema/name.sql` that becomes the
// table (or view) schema.name. Its header comment lines declare metadata:
//
//	-- comment: what the table holds (Vietnamese / English)
//	-- column NAME: what the column means
//	-- materialized: view            (default: table)
//	-- depends: other.model          (extra dependencies; references are also parsed)
//	-- test: unique(a, b)
//	-- test: not_null(a, b)
//	-- test: accepted_values(col: v1, v2)
//	-- test: relationships(col -> schema.table.col)
//	-- test: expression(0 <= value AND value <= 1)
type Model struct {
	Name         string // schema.name
	File         string // path inside its fs, with the source prefix
	Source       string // builtin or the custom folder
	SQL          string
	Comment      string
	Columns      map[string]string
	Materialized string
	Deps         []string
	Tests        []DataTest
	order        int // the source's rank: built-ins first
}

// DataTest is one data test: a query that returns the failing rows.
type DataTest struct {
	Name  string
	Model string // model it belongs to ("" for a standalone test file)
	File  string
	SQL   string
	Deps  []string
	// Warn: rows it finds are a warning, never a failure of the run (a
	// standalone test whose header says `-- severity: warn`).
	Warn bool
	// Fails, for a test of one row at a time (not_null, accepted_values,
	// expression), is the condition of a failing row of Model: the tests of
	// a model that have one are counted in one scan of it.
	Fails string
}

// Result is the outcome of one model build or data test, like goose's
// MigrationResult: the run's summary is data.
type Result struct {
	Name     string
	Kind     string // model or test
	File     string
	Duration time.Duration
	Rows     int64 // rows built, or failing rows of a test
	Err      error
	Warn     bool // a warning test found rows (Err stays nil: the run goes on)
}

var (
	reHeader = regexp.MustCompile(`^--\s*(comment|column|materialized|depends|test)\b\s*([^:]*?)\s*:\s*(.*)$`)
	reRef    = regexp.MustCompile(`(?i)\b([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\b`)
	reName   = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
)

// ParseModels reads every `.sql` file of fsys: `tests/*.sql` are standalone
// data tests (a query returning failing rows), every other `schema/name.sql` a
// model. All files are parsed before anything runs.
func ParseModels(fsys fs.FS, source string, order int) ([]*Model, []DataTest, error) {
	var models []*Model
	var tests []DataTest
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".sql") {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		file := source + ":" + p
		dir, base := path.Split(p)
		dir = strings.Trim(dir, "/")
		name := strings.TrimSuffix(base, ".sql")
		if strings.Contains(dir, "/") || dir == "" || !reName.MatchString(dir) || !reName.MatchString(name) {
			return fmt.Errorf("%w: %s: a model lives at schema/name.sql (lower case, digits, _)", ErrModelGraph, file)
		}
		if dir == "tests" {
			warn, err := testSeverity(string(b))
			if err != nil {
				return fmt.Errorf("%w: %s: %w", ErrModelGraph, file, err)
			}
			tests = append(tests, DataTest{Name: "tests." + name, File: file, SQL: string(b), Warn: warn})
			return nil
		}
		m, err := parseModel(dir+"."+name, file, string(b))
		if err != nil {
			return err
		}
		m.Source, m.order = source, order
		models = append(models, m)
		return nil
	})
	return models, tests, err
}

func parseModel(name, file, text string) (*Model, error) {
	m := &Model{Name: name, File: file, SQL: text, Columns: map[string]string{}, Materialized: "table"}
	sc := bufio.NewScanner(strings.NewReader(text))
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(l, "--") {
			if l == "" {
				continue
			}
			break
		}
		mm := reHeader.FindStringSubmatch(l)
		if mm == nil {
			continue
		}
		key, arg, val := mm[1], mm[2], strings.TrimSpace(mm[3])
		switch key {
		case "comment":
			m.Comment = strings.TrimSpace(m.Comment + " " + val)
		case "column":
			m.Columns[arg] = val
		case "materialized":
			if val != "table" && val != "view" {
				return nil, fmt.Errorf("%w: %s:%d: materialized must be table or view", ErrModelGraph, file, line)
			}
			m.Materialized = val
		case "depends":
			for _, d := range strings.Split(val, ",") {
				if d = strings.TrimSpace(d); d != "" {
					m.Deps = append(m.Deps, d)
				}
			}
		case "test":
			t, err := builtinTest(m.Name, arg+":"+val)
			if err != nil {
				return nil, fmt.Errorf("%w: %s:%d: %w", ErrModelGraph, file, line, err)
			}
			t.File = file
			m.Tests = append(m.Tests, t)
		}
	}
	return m, nil
}

var reSeverity = regexp.MustCompile(`^--\s*severity\s*:\s*(\S*)\s*$`)

// testSeverity reads a standalone test's `-- severity: warn` (or error, the
// default) among its leading comment lines.
func testSeverity(text string) (warn bool, err error) {
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "--") {
			if l == "" {
				continue
			}
			break
		}
		if m := reSeverity.FindStringSubmatch(l); m != nil {
			switch m[1] {
			case "warn":
				warn = true
			case "error":
				warn = false
			default:
				return false, fmt.Errorf("severity %q: want warn or error", m[1])
			}
		}
	}
	return warn, nil
}

var reTest = regexp.MustCompile(`^:?\s*(\w+)\s*\((.*)\)\s*$`)

// builtinTest turns a `-- test:` declaration into its SQL.
func builtinTest(model, decl string) (DataTest, error) {
	mm := reTest.FindStringSubmatch(strings.TrimSpace(decl))
	if mm == nil {
		return DataTest{}, fmt.Errorf("cannot read test %q", decl)
	}
	kind, args := mm[1], mm[2]
	cols := func(s string) []string {
		var out []string
		for _, c := range strings.Split(s, ",") {
			if c = strings.TrimSpace(c); c != "" {
				out = append(out, c)
			}
		}
		return out
	}
	t := DataTest{Model: model, Name: fmt.Sprintf("%s.%s(%s)", model, kind, args)}
	switch kind {
	case "unique":
		c := strings.Join(cols(args), ", ")
		t.SQL = fmt.Sprintf("SELECT %s, count(*) AS n FROM %s GROUP BY ALL HAVING count(*) > 1", c, model)
	case "not_null":
		var conds []string
		for _, c := range cols(args) {
			conds = append(conds, c+" IS NULL")
		}
		t.Fails = strings.Join(conds, " OR ")
		t.SQL = fmt.Sprintf("SELECT * FROM %s WHERE %s", model, t.Fails)
	case "accepted_values":
		col, vals, ok := strings.Cut(args, ":")
		if !ok {
			return t, fmt.Errorf("accepted_values(col: v1, v2)")
		}
		var lits []string
		for _, v := range cols(vals) {
			lits = append(lits, QuoteLiteral(v))
		}
		col = strings.TrimSpace(col)
		t.Fails = fmt.Sprintf("%s IS NOT NULL AND %s NOT IN (%s)", col, col, strings.Join(lits, ", "))
		t.SQL = fmt.Sprintf("SELECT %s FROM %s WHERE %s", col, model, t.Fails)
	case "relationships":
		col, ref, ok := strings.Cut(args, "->")
		ref = strings.TrimSpace(ref)
		i := strings.LastIndex(ref, ".")
		if !ok || i < 0 {
			return t, fmt.Errorf("relationships(col -> schema.table.col)")
		}
		col = strings.TrimSpace(col)
		t.SQL = fmt.Sprintf("SELECT m.%s FROM %s m WHERE m.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s r WHERE r.%s = m.%s)",
			col, model, col, ref[:i], ref[i+1:], col)
		t.Deps = []string{ref[:i]}
	case "expression":
		t.Fails = fmt.Sprintf("NOT coalesce((%s), true)", args)
		t.SQL = fmt.Sprintf("SELECT * FROM %s WHERE %s", model, t.Fails)
	default:
		return t, fmt.Errorf("unknown test %q (unique, not_null, accepted_values, relationships, expression)", kind)
	}
	return t, nil
}

// Order sorts models so that each comes after the models it references, with a
// stable tie-break (built-ins first, then by name). A duplicate name or a cycle
// is an error naming the files.
func Order(models []*Model) ([]*Model, error) {
	byName := map[string]*Model{}
	for _, m := range models {
		if prev, dup := byName[m.Name]; dup {
			return nil, fmt.Errorf("%w: model %s is defined twice: %s and %s", ErrModelGraph, m.Name, prev.File, m.File)
		}
		byName[m.Name] = m
	}
	deps := map[string][]string{}
	for _, m := range models {
		seen := map[string]bool{}
		add := func(d string) {
			if d != m.Name && !seen[d] {
				if _, ok := byName[d]; ok {
					seen[d] = true
					deps[m.Name] = append(deps[m.Name], d)
				}
			}
		}
		for _, d := range m.Deps {
			if _, ok := byName[d]; !ok {
				return nil, fmt.Errorf("%w: %s depends on %s, which no model defines", ErrModelGraph, m.File, d)
			}
			add(d)
		}
		for _, r := range References(m.SQL) {
			add(r)
		}
		sort.Strings(deps[m.Name])
	}
	sorted := append([]*Model(nil), models...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].order != sorted[j].order {
			return sorted[i].order < sorted[j].order
		}
		return sorted[i].Name < sorted[j].Name
	})
	state := map[string]int{} // 0 new, 1 visiting, 2 done
	var out []*Model
	var stack []string
	var visit func(n string) error
	visit = func(n string) error {
		switch state[n] {
		case 2:
			return nil
		case 1:
			i := 0
			for stack[i] != n {
				i++
			}
			var files []string
			for _, s := range append(stack[i:], n) {
				files = append(files, byName[s].File)
			}
			return fmt.Errorf("%w: dependency cycle: %s", ErrModelGraph, strings.Join(files, " → "))
		}
		state[n] = 1
		stack = append(stack, n)
		for _, d := range deps[n] {
			if err := visit(d); err != nil {
				return err
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = 2
		out = append(out, byName[n])
		return nil
	}
	for _, m := range sorted {
		if err := visit(m.Name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

var reLineComment = regexp.MustCompile(`--[^\n]*`)

// StripComments returns a SQL text without its line comments: the text that
// References, and the data dictionary's search for input kinds, read.
func StripComments(sqlText string) string { return reLineComment.ReplaceAllString(sqlText, "") }

// References returns the schema.name references of a SQL text outside its
// line comments, in lower case, in order of appearance (with repeats): the
// rule by which Order finds what a model depends on.
func References(sqlText string) []string {
	var out []string
	for _, r := range reRef.FindAllStringSubmatch(StripComments(sqlText), -1) {
		out = append(out, strings.ToLower(r[1]+"."+r[2]))
	}
	return out
}

// ModelSet parses the built-in models (sql/) and, when modelsDir is set, the
// data team's, and returns the models in build order and the standalone data
// tests by name: the set a run builds and the data dictionary draws.
func ModelSet(modelsDir string) ([]*Model, []DataTest, error) {
	models, tests, err := ParseModels(sqlfs.FS(), "sql", 0)
	if err != nil {
		return nil, nil, err
	}
	if modelsDir != "" {
		m2, t2, err := ParseModels(os.DirFS(modelsDir), modelsDir, 1)
		if err != nil {
			return nil, nil, err
		}
		models, tests = append(models, m2...), append(tests, t2...)
	}
	ordered, err := Order(models)
	if err != nil {
		return nil, nil, err
	}
	sort.SliceStable(tests, func(i, j int) bool { return tests[i].Name < tests[j].Name })
	return ordered, tests, nil
}

// RunModels builds every model in order and then runs every data test. A model
// that fails stops the run (what depends on it cannot be built); data tests all
// run and each failure is reported; a warning test's rows are reported in its
// Result (Warn), not as a failure. The results are returned in run order.
func RunModels(ctx context.Context, db *sql.DB, models []*Model, tests []DataTest) ([]Result, error) {
	var results []Result
	for _, m := range models {
		r := buildModel(ctx, db, m)
		results = append(results, r)
		if r.Err != nil {
			return results, fmt.Errorf("%w: %s (%s): %w", ErrModel, m.Name, m.File, r.Err)
		}
	}
	for _, t := range tests {
		results = append(results, runTest(ctx, db, t))
	}
	for _, m := range models {
		var rowTests []DataTest
		for _, t := range m.Tests {
			if t.Fails != "" {
				rowTests = append(rowTests, t)
			} else {
				results = append(results, runTest(ctx, db, t))
			}
		}
		results = append(results, rowTestResults(ctx, db, m.Name, rowTests)...)
	}
	results = append(results, commentResults(ctx, db, models)...)
	var failed []string
	for _, r := range results {
		if r.Kind == "test" && r.Err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", r.Name, r.Err))
		}
	}
	if len(failed) > 0 {
		return results, fmt.Errorf("%w: %s", ErrDataTest, strings.Join(failed, "; "))
	}
	return results, nil
}

// runTest runs one data test: its query's rows are failures, or warnings
// when the test says so.
func runTest(ctx context.Context, db *sql.DB, t DataTest) Result {
	start := time.Now()
	var n int64
	err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT count(*) FROM (%s) AS failing", strings.TrimRight(strings.TrimSpace(t.SQL), ";"))).Scan(&n)
	return testResult(t, n, err, time.Since(start))
}

// testResult is the outcome of test t that found n failing rows (or err):
// rows are a failure, or a warning when the test says so.
func testResult(t DataTest, n int64, err error, d time.Duration) Result {
	warn := err == nil && n > 0 && t.Warn
	if err == nil && n > 0 && !t.Warn {
		err = fmt.Errorf("%d failing rows", n)
	}
	return Result{Name: t.Name, Kind: "test", File: t.File, Duration: d, Rows: n, Err: err, Warn: warn}
}

// rowTestResults runs the tests of one row at a time of a model (each with
// Fails) in one scan of it, a count of failing rows per test; each result
// carries its share of the scan's time. When the scan fails (a test's
// condition does not bind), each test runs alone, so that the error is
// the test's own.
func rowTestResults(ctx context.Context, db *sql.DB, model string, tests []DataTest) []Result {
	if len(tests) == 0 {
		return nil
	}
	start := time.Now()
	aggs := make([]string, len(tests))
	counts := make([]int64, len(tests))
	dest := make([]any, len(tests))
	for i, t := range tests {
		aggs[i] = fmt.Sprintf("count(*) FILTER (WHERE %s)", t.Fails)
		dest[i] = &counts[i]
	}
	if err := db.QueryRowContext(ctx, "SELECT "+strings.Join(aggs, ", ")+" FROM "+model).Scan(dest...); err != nil {
		out := make([]Result, len(tests))
		for i, t := range tests {
			out[i] = runTest(ctx, db, t)
		}
		return out
	}
	share := time.Since(start) / time.Duration(len(tests))
	out := make([]Result, len(tests))
	for i, t := range tests {
		out[i] = testResult(t, counts[i], nil, share)
	}
	return out
}

// commentResults is the test "every column of the model has a comment"
// (readers rely on every column being described) of each model, a result
// named MODEL.comments each, from one look at the catalog: the catalog
// query costs the same for one model as for all. Each result carries its
// share of that query's time.
func commentResults(ctx context.Context, db *sql.DB, models []*Model) []Result {
	start := time.Now()
	missing := map[string]int64{}
	rows, err := db.QueryContext(ctx, `SELECT schema_name || '.' || table_name, count(*)
		FROM duckdb_columns() WHERE database_name = current_database() AND (comment IS NULL OR comment = '')
		GROUP BY ALL`)
	if err == nil {
		for rows.Next() {
			var name string
			var n int64
			if err = rows.Scan(&name, &n); err != nil {
				break
			}
			missing[name] = n
		}
		if err == nil {
			err = rows.Err()
		}
		rows.Close()
	}
	share := time.Since(start) / time.Duration(max(len(models), 1))
	out := make([]Result, 0, len(models))
	for _, m := range models {
		var n int64
		if err == nil {
			n = missing[m.Name]
		}
		out = append(out, testResult(DataTest{Name: m.Name + ".comments", Model: m.Name, File: m.File}, n, err, share))
	}
	return out
}

func buildModel(ctx context.Context, db *sql.DB, m *Model) Result {
	start := time.Now()
	r := Result{Name: m.Name, Kind: "model", File: m.File}
	body := strings.TrimRight(strings.TrimSpace(m.SQL), ";")
	schema, table, _ := strings.Cut(m.Name, ".")
	var stmts []string
	// A model that changed from table to view (or back) replaces the old object.
	var existing string
	_ = db.QueryRowContext(ctx, `SELECT table_type FROM information_schema.tables
		WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ?`, schema, table).Scan(&existing)
	if m.Materialized == "view" {
		if existing == "BASE TABLE" {
			stmts = append(stmts, "DROP TABLE "+m.Name)
		}
		stmts = append(stmts, fmt.Sprintf("CREATE OR REPLACE VIEW %s AS\n%s", m.Name, body))
	} else {
		if existing == "VIEW" {
			stmts = append(stmts, "DROP VIEW "+m.Name)
		}
		stmts = append(stmts, fmt.Sprintf("CREATE OR REPLACE TABLE %s AS\n%s", m.Name, body))
	}
	kind := map[string]string{"table": "TABLE", "view": "VIEW"}[m.Materialized]
	if m.Comment != "" {
		stmts = append(stmts, fmt.Sprintf("COMMENT ON %s %s IS %s", kind, m.Name, QuoteLiteral(m.Comment)))
	}
	cols := make([]string, 0, len(m.Columns))
	for c := range m.Columns {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	for _, c := range cols {
		stmts = append(stmts, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", m.Name, c, QuoteLiteral(m.Columns[c])))
	}
	// One transaction: the model and its comments appear together, and
	// DuckDB commits a catalog change once rather than once per comment.
	r.Err = Tx(ctx, db, func(conn *sql.Conn) error {
		for _, s := range stmts {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		if m.Materialized == "table" {
			return conn.QueryRowContext(ctx, "SELECT count(*) FROM "+m.Name).Scan(&r.Rows)
		}
		return nil
	})
	r.Duration = time.Since(start)
	return r
}

// Failed reports whether any result failed.
func Failed(rs []Result) bool {
	for _, r := range rs {
		if r.Err != nil {
			return true
		}
	}
	return false
}
