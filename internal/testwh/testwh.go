// Package testwh holds what the tests of the pipeline, the scheduler and the
// command line share: small input files, a valid configuration in a
// temporary folder, queries of a published warehouse, a logger that prints
// only when a test fails, and a recorder of progress events. Only tests
// import it.
package testwh

import (
	"bytes"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/progress"
	"github.com/thanhxuan/cchc/load"
)

// DossierCSV is a one-stop-shop export of n dossiers of Kim Giang, ids
// prefix-1 … prefix-n.
func DossierCSV(prefix string, n int) string {
	var b strings.Builder
	b.WriteString("Mã hồ sơ,Tên thủ tục,Lĩnh vực,Đơn vị tiếp nhận,Ngày tiếp nhận,Ngày hẹn trả,Ngày trả kết quả,Hình thức nộp,Trạng thái\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%s-%d,Đăng ký khai sinh,Hộ tịch,Phường Kim Giang,0%d/01/2024,10/01/2024,09/01/2024,Trực tuyến,Đã trả kết quả\n", prefix, i, i%9+1)
	}
	return b.String()
}

// ReportCSV is a unit's periodic report with one indicator.
func ReportCSV(unitTitle, periodTitle string) string {
	return unitTitle + ",,,\nBÁO CÁO CÔNG TÁC CẢI CÁCH HÀNH CHÍNH " + periodTitle + ",,,\n" +
		"STT,Nội dung,Đơn vị tính,Kết quả\n" +
		`1,"Số cuộc đối thoại với người dân, doanh nghiệp về TTHC",cuộc,2` + "\n"
}

// WriteFile writes body at dir/rel with the modification time mod (zero: now).
func WriteFile(t testing.TB, dir, rel, body string, mod time.Time) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if !mod.IsZero() {
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
}

// Config is a configuration with an inbox (made) and a warehouse in dir; it
// still needs Validate.
func Config(t testing.TB, dir string) config.Config {
	t.Helper()
	cfg := config.Defaults()
	cfg.Inbox, cfg.Warehouse = filepath.Join(dir, "inbox"), filepath.Join(dir, "cchc.duckdb")
	cfg.DuckDB.Threads = 1
	if err := os.MkdirAll(cfg.Inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Validate validates cfg, failing the test when it is not valid.
func Validate(t testing.TB, cfg config.Config) config.Config {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Query returns the first column of a query on the published warehouse as
// text, one value a line.
func Query(t testing.TB, warehouse, q string, args ...any) string {
	t.Helper()
	db, closeDB, err := load.OpenReadOnly(warehouse)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v sql.NullString
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v.String)
	}
	return strings.Join(out, "\n")
}

// TableDigest is a digest of every table and view of db but the run
// history: two builds of the same inputs have the same digest.
func TableDigest(t testing.TB, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query(`SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name NOT IN ('ops')
		UNION ALL SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal AND schema_name NOT IN ('ops')
		ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var s, n string
		rows.Scan(&s, &n)
		tables = append(tables, s+"."+n)
	}
	rows.Close()
	var sb strings.Builder
	for _, tb := range tables {
		var n int64
		var h sql.NullString
		// run_id and loaded_at say when, not what: they differ between runs by design.
		q := fmt.Sprintf(`SELECT count(*), sum(hash(*COLUMNS(c -> c NOT IN ('run_id', 'loaded_at'))))::VARCHAR FROM %s`, tb)
		if err := db.QueryRow(q).Scan(&n, &h); err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		fmt.Fprintf(&sb, "%s %d %s\n", tb, n, h.String)
	}
	return sb.String()
}

// Digest is TableDigest of the published warehouse.
func Digest(t testing.TB, warehouse string) string {
	t.Helper()
	db, closeDB, err := load.OpenReadOnly(warehouse)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	return TableDigest(t, db)
}

// Log is a logger writing into a buffer that is printed when the test fails.
func Log(t testing.TB) *slog.Logger {
	var mu sync.Mutex
	var buf bytes.Buffer
	t.Cleanup(func() {
		if t.Failed() {
			mu.Lock()
			t.Log("log:\n" + buf.String())
			mu.Unlock()
		}
	})
	return slog.New(slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Events collects progress events and tells when a job finishes.
type Events struct {
	mu   sync.Mutex
	all  []progress.Event
	jobs chan progress.Event // finished jobs
}

// NewEvents returns an empty recorder.
func NewEvents() *Events { return &Events{jobs: make(chan progress.Event, 16)} }

// Add records ev; it is a progress.Func.
func (e *Events) Add(ev progress.Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
	if ev.Phase == progress.Job && ev.Status != "started" {
		e.jobs <- ev
	}
}

// NextJob waits for the next finished job; the deadline only guards against
// a hang, it is not what the test measures.
func (e *Events) NextJob(t testing.TB) progress.Event {
	t.Helper()
	select {
	case ev := <-e.jobs:
		return ev
	case <-time.After(2 * time.Minute):
		t.Fatal("no job finished")
	}
	return progress.Event{}
}

// Phase returns the events of phase p, in the order they came.
func (e *Events) Phase(p string) []progress.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []progress.Event
	for _, ev := range e.all {
		if ev.Phase == p {
			out = append(out, ev)
		}
	}
	return out
}
