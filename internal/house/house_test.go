// Package house checks the rules that keep the project easy to see
// (docs/architecture.md): data flows cmd → extract → transform → load and
// never back, only the command line knows cobra, files stay small enough to
// read, and errors keep their causes. It reads the source tree; it links
// nothing of the project.
package house

import (
	"bytes"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/thanhxuan/cchc"

// goFile is one Go file of the module.
type goFile struct {
	path    string // relative to the module root, '/'-separated
	pkg     string // its package's import path
	test    bool
	lines   int
	imports []string
	src     []byte
}

func moduleFiles(t *testing.T) []goFile {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	var out []goFile
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, p, src, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		g := goFile{path: rel, pkg: module + "/" + filepath.ToSlash(filepath.Dir(rel)), test: strings.HasSuffix(p, "_test.go"),
			lines: bytes.Count(src, []byte("\n")), src: src}
		if filepath.Dir(rel) == "." {
			g.pkg = module
		}
		for _, im := range f.Imports {
			v, _ := strconv.Unquote(im.Path.Value)
			g.imports = append(g.imports, v)
		}
		out = append(out, g)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 50 {
		t.Fatalf("only %d Go files found: is the walk at the module root?", len(out))
	}
	return out
}

// under reports whether pkg is dir or inside it (dir relative to the module).
func under(pkg, dir string) bool {
	p := module + "/" + dir
	return pkg == p || strings.HasPrefix(pkg, p+"/")
}

// TestDataFlowsOneWay: extract reads files and knows nothing of what comes
// after it; transform makes record batches and opens no database; load takes
// batches in and knows nothing of reading files; the stages never import the
// packages that wire them (internal/pipeline, pull, schedule, warehouse,
// render) nor the command line.
func TestDataFlowsOneWay(t *testing.T) {
	rules := []struct {
		pkg       string
		forbidden []string
	}{
		{"extract", []string{"transform", "load", "internal/pipeline", "internal/pull", "internal/schedule", "internal/warehouse", "internal/render", "cmd", "database/sql", "github.com/duckdb"}},
		{"transform", []string{"load", "internal/pipeline", "internal/pull", "internal/schedule", "internal/warehouse", "internal/render", "cmd", "database/sql", "github.com/duckdb"}},
		{"load", []string{"extract", "transform", "internal/pipeline", "internal/pull", "internal/schedule", "internal/warehouse", "internal/render", "cmd"}},
		{"config", []string{"extract", "transform", "load", "internal", "cmd"}},
		{"seeds", []string{"extract", "transform", "load", "internal", "cmd"}},
		{"internal/render", []string{"github.com/duckdb", "load", "internal/pipeline", "cmd"}}, // sql.Null* values are fine; queries are not
		{"internal", []string{"cmd"}},
	}
	for _, f := range moduleFiles(t) {
		if f.test {
			continue
		}
		for _, r := range rules {
			if !under(f.pkg, r.pkg) {
				continue
			}
			for _, im := range f.imports {
				for _, bad := range r.forbidden {
					if im == bad || strings.HasPrefix(im, bad+"/") || im == module+"/"+bad || strings.HasPrefix(im, module+"/"+bad+"/") {
						t.Errorf("%s imports %s: %s must not depend on %s", f.path, im, r.pkg, bad)
					}
				}
			}
		}
	}
}

// TestOnlyTheCommandLineKnowsCobra: flags become options in cmd/; everything
// below takes typed structs.
func TestOnlyTheCommandLineKnowsCobra(t *testing.T) {
	for _, f := range moduleFiles(t) {
		if under(f.pkg, "cmd") {
			continue
		}
		for _, im := range f.imports {
			if strings.HasPrefix(im, "github.com/spf13/cobra") {
				t.Errorf("%s imports %s: only cmd/ may", f.path, im)
			}
		}
	}
}

// TestFilesStayReadable: no file of code over 700 lines (the generator's
// vocabulary tables excepted), and the command line a thin layer.
func TestFilesStayReadable(t *testing.T) {
	cli := 0
	for _, f := range moduleFiles(t) {
		if f.test {
			continue
		}
		if f.lines > 700 && !under(f.pkg, "cmd/cchc/gen") {
			t.Errorf("%s has %d lines (at most 700: split it by idea)", f.path, f.lines)
		}
		if under(f.pkg, "cmd/cchc/cli") {
			cli += f.lines
		}
	}
	if cli > 1800 {
		t.Errorf("cmd/cchc/cli has %d lines of code (at most 1,800: it parses flags, calls one function and prints)", cli)
	}
}

var reWrapV = regexp.MustCompile(`Errorf\("[^"]*%w[^"]*%v`)

// TestErrorsKeepTheirCauses: an error wrapped with %w and its cause formatted
// with %v loses the cause from the chain; errors.Is cannot see it.
func TestErrorsKeepTheirCauses(t *testing.T) {
	for _, f := range moduleFiles(t) {
		if f.test {
			continue
		}
		lines := strings.Split(string(f.src), "\n")
		for i, line := range lines {
			if !reWrapV.MatchString(line) {
				continue
			}
			// A deliberate %v says why in a comment just above: "(%v)".
			said := false
			for j := max(0, i-3); j < i; j++ {
				said = said || strings.Contains(lines[j], "//") && strings.Contains(lines[j], "(%v)")
			}
			if !said {
				t.Errorf("%s:%d: %s — wrap the cause with %%w too (%%w: %%w), or say why not in a comment with (%%v) just above", f.path, i+1, strings.TrimSpace(line))
			}
		}
	}
}

