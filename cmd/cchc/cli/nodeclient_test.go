package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/cmd/cchc/gen"
	"github.com/thanhxuan/cchc/load"
)

// nodeAPIVersion is the @duckdb/node-api release the test installs when none
// is found: the DuckDB version the project builds with (duckdb-go v2.10506 is
// DuckDB 1.5.6).
const nodeAPIVersion = "1.5.6-r.1"

var (
	nodeAPIOnce sync.Once
	nodeAPIDir  string
	nodeAPIWhy  string
)

// hasNodeAPI reports whether dir (a node_modules folder, or a folder holding
// one) has @duckdb/node-api, and returns the node_modules folder.
func hasNodeAPI(dir string) (string, bool) {
	if dir == "" {
		return "", false
	}
	for _, nm := range []string{dir, filepath.Join(dir, "node_modules")} {
		if _, err := os.Stat(filepath.Join(nm, "@duckdb", "node-api", "package.json")); err == nil {
			return nm, true
		}
	}
	return "", false
}

// findNodeAPI looks for @duckdb/node-api in $CCHC_NODE_MODULES, then in the
// acceptance checks' cache, then in this test's own cache, and installs it
// there with npm (once per process; the cache keeps it for the next runs).
// It returns the node_modules folder, or "" and why not.
func findNodeAPI() (string, string) {
	nodeAPIOnce.Do(func() {
		home, _ := os.UserHomeDir()
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = filepath.Join(os.TempDir(), "cchc-cache")
		}
		own := filepath.Join(cache, "cchc-test-node")
		for _, dir := range []string{os.Getenv("CCHC_NODE_MODULES"), filepath.Join(home, ".cache", "cchc-acceptance", "node_modules"), own} {
			if nm, ok := hasNodeAPI(dir); ok {
				nodeAPIDir = nm
				return
			}
		}
		npm, err := exec.LookPath("npm")
		if err != nil {
			nodeAPIWhy = "@duckdb/node-api is not installed ($CCHC_NODE_MODULES, ~/.cache/cchc-acceptance) and npm is not on PATH"
			return
		}
		if err := os.MkdirAll(own, 0o755); err != nil {
			nodeAPIWhy = err.Error()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "install", "--prefix", own, "--no-audit", "--no-fund", "--loglevel", "error", "@duckdb/node-api@"+nodeAPIVersion)
		if out, err := cmd.CombinedOutput(); err != nil {
			nodeAPIWhy = "npm install @duckdb/node-api@" + nodeAPIVersion + " failed: " + err.Error() + ": " + lastLines(string(out), 5)
			return
		}
		if nm, ok := hasNodeAPI(own); ok {
			nodeAPIDir = nm
			return
		}
		nodeAPIWhy = "npm install finished but " + own + " has no @duckdb/node-api"
	})
	return nodeAPIDir, nodeAPIWhy
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimSpace(s), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, " | ")
}

type nodeTemporal struct {
	Relation string `json:"relation"`
	Column   string `json:"column"`
	Type     string `json:"type,omitempty"`
	JSType   string `json:"jsType,omitempty"`
	ISO      string `json:"iso,omitempty"`
}

type nodeReport struct {
	Version      string           `json:"version"`
	Relations    []string         `json:"relations"`
	Counts       map[string]int64 `json:"counts"`
	Temporal     []nodeTemporal   `json:"temporal"`
	WriteRefused bool             `json:"writeRefused"`
	WriteError   string           `json:"writeError"`
}

// biWarehouse publishes a warehouse from a small generated inbox (dossier
// exports, unit reports and Biểu 06 of every unit, two periods, planted bad
// rows) and returns its path: what the analysts and BI tools open.
func biWarehouse(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	inbox, wh := filepath.Join(dir, "inbox"), filepath.Join(dir, "cchc.duckdb")
	opt := gen.Default()
	opt.Seed, opt.DossiersPerUnit = 5, 10
	if _, err := gen.Generate(inbox, opt); err != nil {
		t.Fatal(err)
	}
	if out, code := runCLI(t, "run", "-q", "--inbox", inbox, "--warehouse", wh); code != ExitOK {
		t.Fatalf("cchc run exit %d:\n%s", code, out)
	}
	return wh
}

// TestNodeClientReadsWarehouse opens the published warehouse with DuckDB's
// Node.js client, which shares no code with duckdb-go, as a BI tool would:
// read-only, listing the tables, counting the scoreboard and the KPI rows,
// and reading DATE and TIMESTAMP columns as dates. It skips when node or the
// package cannot be had.
func TestNodeClientReadsWarehouse(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: the independent-client check needs Node.js and @duckdb/node-api")
	}
	modules, why := findNodeAPI()
	if modules == "" {
		t.Skip("no @duckdb/node-api: " + why)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "nodeclient", "read_warehouse.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	wh := biWarehouse(t)

	// What duckdb-go sees.
	db, closeDB, err := load.OpenReadOnly(wh)
	if err != nil {
		t.Fatal(err)
	}
	var relations []string
	rows, err := db.Query(`
		SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE database_name = current_database() AND NOT internal
		UNION ALL
		SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		relations = append(relations, r)
	}
	rows.Close()
	counted := []string{"marts.scoreboard", "marts.kpi_values"}
	counts := map[string]int64{}
	for _, r := range counted {
		var n int64
		if err := db.QueryRow("SELECT count(*) FROM " + r).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[r] = n
	}
	var temporal []nodeTemporal
	want := map[string]nodeTemporal{}
	rows, err = db.Query(`SELECT schema_name || '.' || table_name, column_name, data_type FROM duckdb_columns()
		WHERE database_name = current_database() AND data_type IN ('DATE', 'TIMESTAMP')
		  AND schema_name || '.' || table_name IN ('marts.scoreboard', 'marts.report_submissions', 'core.dossiers', 'raw.files')
		ORDER BY 1, column_index`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c nodeTemporal
		if err := rows.Scan(&c.Relation, &c.Column, &c.Type); err != nil {
			t.Fatal(err)
		}
		var v time.Time
		q := "SELECT " + c.Column + " FROM " + c.Relation + " WHERE " + c.Column + " IS NOT NULL ORDER BY 1 LIMIT 1"
		if err := db.QueryRow(q).Scan(&v); err != nil {
			continue // an empty column here: nothing to compare
		}
		c.JSType, c.ISO = "Date", v.UTC().Format("2006-01-02T15:04:05.000Z")
		want[c.Relation+"."+c.Column] = c
		temporal = append(temporal, nodeTemporal{Relation: c.Relation, Column: c.Column})
	}
	rows.Close()
	closeDB()
	types := map[string]int{}
	for _, c := range want {
		types[c.Type]++
	}
	if types["DATE"] < 3 || types["TIMESTAMP"] < 2 {
		t.Fatalf("too few DATE/TIMESTAMP columns with values to compare: %v", types)
	}

	spec, _ := json.Marshal(map[string]any{"warehouse": wh, "counts": counted, "temporal": temporal})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, node, script, modules, string(spec))
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\n%s%s", filepath.Base(script), err, stdout.String(), stderr.String())
	}
	var got nodeReport
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("node printed %q: %v", stdout.String(), err)
	}
	t.Logf("@duckdb/node-api with DuckDB %s", got.Version)

	sort.Strings(got.Relations)
	if strings.Join(got.Relations, "\n") != strings.Join(relations, "\n") {
		t.Errorf("node sees tables\n%v\nduckdb-go sees\n%v", got.Relations, relations)
	}
	for _, r := range counted {
		if got.Counts[r] != counts[r] || counts[r] == 0 {
			t.Errorf("%s: node counts %d rows, duckdb-go %d", r, got.Counts[r], counts[r])
		}
	}
	if len(got.Temporal) != len(want) {
		t.Errorf("node read %d temporal columns, want %d", len(got.Temporal), len(want))
	}
	for _, g := range got.Temporal {
		w := want[g.Relation+"."+g.Column]
		if g != w {
			t.Errorf("%s.%s: node reads %s %s %s; duckdb-go %s %s %s", g.Relation, g.Column, g.Type, g.JSType, g.ISO, w.Type, w.JSType, w.ISO)
		}
	}
	if !got.WriteRefused {
		t.Error("node could write to the warehouse: it was not opened read-only")
	}
}
