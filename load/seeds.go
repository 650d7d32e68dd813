package load

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/thanhxuan/cchc/seeds"
)

// LoadSeeds replaces the ref.* seed tables with the CSV files of fsys, each
// table and column commented (seeds/columns.csv holds the column comments),
// in one transaction.
func LoadSeeds(ctx context.Context, db *sql.DB, fsys fs.FS, tmpDir string) (err error) {
	dir, err := os.MkdirTemp(tmpDir, "cchc-seeds-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	comments, err := columnComments(fsys)
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	for _, t := range seeds.Tables {
		b, err := fs.ReadFile(fsys, t.File)
		if err != nil {
			return fmt.Errorf("seed %s: %w", t.File, err)
		}
		p := filepath.Join(dir, t.File)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			return err
		}
		name := "ref." + strings.TrimSuffix(t.File, ".csv")
		stmts := []string{
			fmt.Sprintf(`CREATE OR REPLACE TABLE %s AS SELECT * FROM read_csv('%s', header = true, all_varchar = false, sample_size = -1%s)`, name, p, typesArg(seeds.Types[t.File])),
			fmt.Sprintf(`COMMENT ON TABLE %s IS %s`, name, QuoteLiteral(t.Comment+" (seeds/"+t.File+")")),
		}
		for col, c := range comments[strings.TrimSuffix(t.File, ".csv")] {
			stmts = append(stmts, fmt.Sprintf(`COMMENT ON COLUMN %s.%s IS %s`, name, col, QuoteLiteral(c)))
		}
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("seed %s: %w", t.File, err)
			}
		}
	}
	return tx.Commit()
}

// typesArg is the read_csv argument that fixes the types of the columns.
func typesArg(types map[string]string) string {
	if len(types) == 0 {
		return ""
	}
	cols := make([]string, 0, len(types))
	for c := range types {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	var b strings.Builder
	b.WriteString(", types = {")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(QuoteLiteral(c) + ": " + QuoteLiteral(types[c]))
	}
	b.WriteString("}")
	return b.String()
}

func columnComments(fsys fs.FS) (map[string]map[string]string, error) {
	f, err := fsys.Open("columns.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	out := map[string]map[string]string{}
	for i := 0; ; i++ {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("seeds/columns.csv: %w", err)
		}
		if i == 0 {
			continue
		}
		if out[rec[0]] == nil {
			out[rec[0]] = map[string]string{}
		}
		out[rec[0]][rec[1]] = rec[2]
	}
}

// quote makes a SQL string literal.
