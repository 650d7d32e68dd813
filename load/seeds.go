package load

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/thanhxuan/cchc/seeds"
)

// LoadSeeds replaces the ref.* seed tables with the CSV files of fsys, each
// table and column commented (seeds/columns.csv holds the column comments),
// in one transaction; loaded is false when it had nothing to do.
//
// stateDir is the run's state folder: the seeds' temporary copies go there,
// and seeds.state records what the last load made — a digest of the seed
// set (the files, the comments, the types) and a fingerprint of the tables
// (each one's rows and an order-free hash of them). When the seed set has
// that digest and the tables still have that fingerprint, the tables are
// what a load would make, and LoadSeeds leaves them as they are; anything
// else (another seed, a table changed or missing, no record) loads them.
func LoadSeeds(ctx context.Context, db *sql.DB, fsys fs.FS, stateDir string) (loaded bool, err error) {
	comments, err := columnComments(fsys)
	if err != nil {
		return false, err
	}
	files := make([][]byte, len(seeds.Tables))
	sum := sha256.New()
	fmt.Fprintf(sum, "cchc seeds 1\n")
	for i, t := range seeds.Tables {
		if files[i], err = fs.ReadFile(fsys, t.File); err != nil {
			return false, fmt.Errorf("seed %s: %w", t.File, err)
		}
		name := strings.TrimSuffix(t.File, ".csv")
		fmt.Fprintf(sum, "%s\x00%s\x00%s\x00%d\x00", t.File, t.Comment, typesArg(seeds.Types[t.File]), len(files[i]))
		sum.Write(files[i])
		cols := slices.Sorted(maps.Keys(comments[name]))
		for _, c := range cols {
			fmt.Fprintf(sum, "\x00%s\x00%s", c, comments[name][c])
		}
		sum.Write([]byte{'\n'})
	}
	digest := hex.EncodeToString(sum.Sum(nil))
	record := filepath.Join(stateDir, "seeds.state")
	if b, err := os.ReadFile(record); err == nil {
		if fp, err := seedFingerprint(ctx, db); err == nil && string(b) == digest+"\n"+fp+"\n" {
			return false, nil
		}
	}
	// The record goes first: a load that fails or dies leaves none.
	if err := os.Remove(record); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	dir, err := os.MkdirTemp(stateDir, "cchc-seeds-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(dir)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	for i, t := range seeds.Tables {
		p := filepath.Join(dir, t.File)
		if err := os.WriteFile(p, files[i], 0o600); err != nil {
			return false, err
		}
		name := "ref." + strings.TrimSuffix(t.File, ".csv")
		stmts := []string{
			fmt.Sprintf(`CREATE OR REPLACE TABLE %s AS SELECT * FROM read_csv('%s', header = true, all_varchar = false, sample_size = -1, buffer_size = 1048576%s)`, name, p, typesArg(seeds.Types[t.File])),
			fmt.Sprintf(`COMMENT ON TABLE %s IS %s`, name, QuoteLiteral(t.Comment+" (seeds/"+t.File+")")),
		}
		for col, c := range comments[strings.TrimSuffix(t.File, ".csv")] {
			stmts = append(stmts, fmt.Sprintf(`COMMENT ON COLUMN %s.%s IS %s`, name, col, QuoteLiteral(c)))
		}
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return false, fmt.Errorf("seed %s: %w", t.File, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	// The record is only a shortcut for the next run: without it, that run
	// loads the seeds again.
	if fp, err := seedFingerprint(ctx, db); err == nil {
		writeRecord(record, digest+"\n"+fp+"\n")
	}
	return true, nil
}

// seedFingerprint is the rows and an order-free hash of every seed table,
// a query each (one query of them all takes DuckDB several times longer to
// plan than these take to run).
func seedFingerprint(ctx context.Context, db *sql.DB) (string, error) {
	parts := make([]string, len(seeds.Tables))
	for i, t := range seeds.Tables {
		name := "ref." + strings.TrimSuffix(t.File, ".csv")
		q := fmt.Sprintf("SELECT count(*) || ':' || coalesce(bit_xor(hash(t)), 0) FROM %s t", name)
		if err := db.QueryRowContext(ctx, q).Scan(&parts[i]); err != nil {
			return "", err
		}
	}
	return strings.Join(parts, " "), nil
}

// writeRecord replaces the file p with text, whole or not at all.
func writeRecord(p, text string) {
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
		os.Remove(tmp)
		return
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
	}
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
