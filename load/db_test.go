package load

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
)

// openTestWork opens a new work database in a temporary folder, closed at
// the end of the test.
func openTestWork(t *testing.T) *Work {
	t.Helper()
	w, err := OpenWork(context.Background(), filepath.Join(t.TempDir(), "work.duckdb"), WorkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func count(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestTx: what fn did is committed when it returns nil, and rolled back when
// it fails or the context is cancelled before the commit; the connection is
// left without an open transaction either way.
func TestTx(t *testing.T) {
	w := openTestWork(t)
	mustExec(t, w.DB, "CREATE TABLE raw.tx_test (n INTEGER)")
	ctx := context.Background()
	insert := func(n int) func(*sql.Conn) error {
		return func(conn *sql.Conn) error {
			_, err := conn.ExecContext(ctx, "INSERT INTO raw.tx_test VALUES (?)", n)
			return err
		}
	}
	if err := Tx(ctx, w.DB, insert(1)); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Tx(ctx, w.DB, func(conn *sql.Conn) error {
		if err := insert(2)(conn); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Tx = %v, want fn's error", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	err = Tx(cctx, w.DB, func(conn *sql.Conn) error {
		if err := insert(3)(conn); err != nil {
			return err
		}
		cancel() // interrupted between the last insert and the commit
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Tx after cancel = %v, want context.Canceled", err)
	}
	if err := Tx(ctx, w.DB, insert(4)); err != nil {
		t.Fatalf("a Tx after a rollback: %v", err)
	}
	var got []int
	rows, err := w.DB.QueryContext(ctx, "SELECT n FROM raw.tx_test ORDER BY n")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		rows.Scan(&n)
		got = append(got, n)
	}
	if len(got) != 2 || got[0] != 1 || got[1] != 4 {
		t.Errorf("rows %v, want [1 4]: the failed and the cancelled Tx rolled back", got)
	}
}

// TestCheckOptions: the settings DuckDB refuses are named by their option,
// before any database file exists.
func TestCheckOptions(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		opt    WorkOptions
		option string // "" when valid
	}{
		{WorkOptions{MemoryLimit: "512MB", Threads: 2, StorageVersion: "v1.0.0", TempDir: "/does/not/exist"}, ""},
		{WorkOptions{}, ""},
		{WorkOptions{MemoryLimit: "lots"}, "MemoryLimit"},
		{WorkOptions{MemoryLimit: "1GB'; DROP TABLE x; --"}, "MemoryLimit"},
		{WorkOptions{StorageVersion: "v9"}, "StorageVersion"},
	} {
		err := CheckOptions(ctx, c.opt)
		var se *SettingError
		switch {
		case c.option == "" && err != nil:
			t.Errorf("%+v: %v", c.opt, err)
		case c.option != "" && (!errors.As(err, &se) || se.Option != c.option):
			t.Errorf("%+v: %v, want a SettingError of %s", c.opt, err, c.option)
		}
	}
}
