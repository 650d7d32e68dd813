package cli

// The reliability tests (issue 4: nothing lost, nothing half-published) run
// cchc as a subprocess — so that it can be killed, locked out, limited and
// watched from outside — and read what it published with a second process
// (a readwh reader, cmd/cchc/internal/readwh) or from here. The subprocesses
// are this test binary itself, copied once: with CCHC_RELIABILITY_ROLE=cchc
// its TestMain is cmd/cchc's one-line main (cli.Run on the arguments), with
// =readwh it is the reader — no second build of the same code. They are all
// named TestReliability…: `go test -tags duckdb_arrow -run Reliability ./...`
// runs them with extract's. See docs/reliability.md.

import (
	"bufio"
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/cmd/cchc/internal/readwh"
	"github.com/thanhxuan/cchc/internal/fixture"
	"github.com/thanhxuan/cchc/internal/testwh"
	"github.com/thanhxuan/cchc/load"
)

// relBins is this test binary, copied where any user may run it (one test
// runs cchc as nobody), to be run as cchc or readwh.
var relBins struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// relRole names what a subprocess of this test binary plays: cchc or readwh.
const relRole = "CCHC_RELIABILITY_ROLE"

func TestMain(m *testing.M) {
	switch os.Getenv(relRole) {
	case "cchc":
		os.Exit(Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) // cmd/cchc's main
	case "readwh":
		os.Exit(readwh.Main(os.Args[1:]))
	}
	code := m.Run()
	if relBins.dir != "" {
		os.RemoveAll(relBins.dir)
	}
	os.Exit(code)
}

// relBinaries copies this test binary, once per test process, and returns
// the commands that run it as cchc and as readwh.
func relBinaries(t *testing.T) (cchc, readwh string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the reliability tests watch processes through Linux's /proc")
	}
	relBins.once.Do(func() {
		relBins.dir, relBins.err = os.MkdirTemp("", "cchc-reliability-")
		if relBins.err != nil {
			return
		}
		os.Chmod(relBins.dir, 0o755) // runnable by an unprivileged user too
		self, err := os.Executable()
		if err != nil {
			relBins.err = err
			return
		}
		relBins.bin = filepath.Join(relBins.dir, "cchc")
		relBins.err = relCopyFile(self, relBins.bin, 0o755)
	})
	if relBins.err != nil {
		t.Fatalf("copying the test binary to run as cchc: %v", relBins.err)
	}
	return relBins.bin, relBins.bin
}

// relCopyFile copies src to dst with mode.
func relCopyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// relFileTime is the modification time of the n-th fixture file: fixed, so that
// two builds of the same inbox are equal row for row.
func relFileTime(n int) time.Time {
	return time.Date(2024, 3, 1, 9, 0, 0, 0, load.Zone).Add(time.Duration(n) * time.Hour)
}

// relInFile is one file of a fixture inbox.
type relInFile struct {
	path  string
	write func(p string) error
	n     int // modification time: relFileTime(n)
}

func relXlsxOf(sheets ...fixture.Sheet) func(string) error {
	return func(p string) error { return fixture.WriteXLSX(p, fixture.XLSXOptions{}, sheets...) }
}

func relCsvOf(comma rune, bom bool, rows [][]string) func(string) error {
	return func(p string) error { return fixture.WriteCSV(p, comma, bom, nil, rows) }
}

// relStage writes files under dir with their modification times.
func relStage(t *testing.T, dir string, files ...relInFile) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := f.write(p); err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
		mt := relFileTime(f.n)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
}

var relKgTitle = []string{"UBND QUẬN THANH XUÂN", "UBND PHƯỜNG KIM GIANG", "DANH SÁCH HỒ SƠ TTHC TIẾP NHẬN"}

func relBieu06Fields() map[string][11]any {
	return map[string][11]any{
		"Hộ tịch":    {"20", "8", "10", "2", "18", "10", "8", "0", "2", "2", "0"},
		"Chứng thực": {"13", "8", "4", "1", "13", "8", "5", "0", "0", "0", "0"},
		"Đất đai":    {"15", "4", "11", "0", "14", "10", "4", "0", "1", "1", "0"},
	}
}

// relInboxA is a small inbox of every kind: dossiers (xlsx with title rows and a
// unit column, CSV), a unit report and a Biểu 06.
func relInboxA() []relInFile {
	return []relInFile{
		{"hoso_kim-giang_dot1.xlsx", relXlsxOf(fixture.Sheet{Name: "Danh sách", Rows: fixture.DossierGrid(relKgTitle, fixture.Dossiers("KG", "Phường Kim Giang", 40))}), 0},
		{"phuong/hoso_ha-dinh.csv", relCsvOf(';', true, fixture.DossierRows(fixture.Dossiers("HD", "Hạ Đình", 30))), 1},
		{"kim-giang_2024-Q1.xlsx", relXlsxOf(fixture.UnitReport("UBND PHƯỜNG KIM GIANG", "QUÝ I NĂM 2024", nil)), 2},
		{"Bieu06_kim_giang_Q1_2024.xlsx", relXlsxOf(fixture.Bieu06("UBND phường Kim Giang", "Quý I năm 2024 (Từ ngày 05/12/2023 đến ngày 04/03/2024)", relBieu06Fields())), 3},
	}
}

// relInboxB is what arrives after relInboxA: more dossiers (one file large enough
// that loading it takes a while), another unit report.
func relInboxB() []relInFile {
	return []relInFile{
		{"hoso_khuong-trung.xlsx", relXlsxOf(fixture.Sheet{Name: "DS", Rows: fixture.DossierGrid(nil, fixture.Dossiers("KT", "Phường Khương Trung", 40))}), 4},
		{"export/hoso_nhan-chinh_lon.csv", relCsvOf(',', false, fixture.DossierRows(fixture.Dossiers("NC", "Phường Nhân Chính", 60000))), 5},
		{"ha-dinh_2024-Q1.xlsx", relXlsxOf(fixture.UnitReport("UBND PHƯỜNG HẠ ĐÌNH", "QUÝ I NĂM 2024", nil)), 6},
	}
}

// run is one finished cchc process.
type relRun struct {
	code           int
	stdout, stderr string
	rusage         *syscall.Rusage
}

func (r relRun) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// relCchcCmd prepares the cchc binary with args; env adds to a clean
// environment (no CCHC_* variables of the caller).
func relCchcCmd(t *testing.T, env []string, args ...string) *exec.Cmd {
	t.Helper()
	bin, _ := relBinaries(t)
	cmd := exec.Command(bin, args...)
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "CCHC_") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(append(cmd.Env, relRole+"=cchc"), env...)
	return cmd
}

// relRunCchc runs cchc to its end.
func relRunCchc(t *testing.T, env []string, args ...string) relRun {
	t.Helper()
	return relFinish(t, relCchcCmd(t, env, args...))
}

func relFinish(t *testing.T, cmd *exec.Cmd) relRun {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := relRun{stdout: out.String(), stderr: errb.String(), code: cmd.ProcessState.ExitCode()}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("cchc: %v", err)
	}
	r.rusage, _ = cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return r
}

// relMustRun runs `cchc run` on inbox and wh and fails unless it published.
func relMustRun(t *testing.T, inbox, wh string, env []string, extra ...string) relRun {
	t.Helper()
	r := relRunCchc(t, env, append([]string{"run", "--inbox", inbox, "--warehouse", wh}, extra...)...)
	if r.code != ExitOK {
		t.Fatalf("cchc run: %s", r)
	}
	return r
}

// relOpenWH opens a published warehouse read-only for the rest of the test.
func relOpenWH(t *testing.T, wh string) *sql.DB {
	t.Helper()
	db, closeDB, err := load.OpenReadOnly(wh)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeDB() })
	return db
}

// relDigest is tableDigest of a published warehouse: its content, table by table.
func relDigest(t *testing.T, wh string) string {
	t.Helper()
	db, closeDB, err := load.OpenReadOnly(wh)
	if err != nil {
		t.Fatal(err)
	}
	defer closeDB()
	return testwh.TableDigest(t, db)
}

// scanRow scans the current row of rows, n columns of any type.
func scanRow(t *testing.T, rows *sql.Rows, n int) []any {
	t.Helper()
	vals, ptrs := make([]any, n), make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	return vals
}

// relQuery returns the rows of q, columns joined by "|", one string per row.
func relQuery(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := scanRow(t, rows, len(cols))
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				parts[i] = "NULL"
			} else {
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func relQuery1(t *testing.T, db *sql.DB, q string, args ...any) string {
	t.Helper()
	r := relQuery(t, db, q, args...)
	if len(r) != 1 {
		t.Fatalf("%s: %d rows", q, len(r))
	}
	return r[0]
}

// relCopyTree copies a folder with the modification times of its files.
func relCopyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		d := filepath.Join(dst, rel)
		switch {
		case fi.IsDir():
			return os.MkdirAll(d, 0o755)
		case !fi.Mode().IsRegular():
			return nil
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(d, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fi.Mode().Perm())
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			return err
		}
		if err := out.Close(); err != nil {
			return err
		}
		return os.Chtimes(d, fi.ModTime(), fi.ModTime())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// reader is a readwh process holding a warehouse open read-only.
type relReader struct {
	t     *testing.T
	cmd   *exec.Cmd
	in    io.WriteCloser
	lines chan string
}

func relStartReader(t *testing.T, wh, q string) (*relReader, string) {
	t.Helper()
	_, bin := relBinaries(t)
	cmd := exec.Command(bin, "-db", wh, "-query", q)
	cmd.Env = append(os.Environ(), relRole+"=readwh")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &relReader{t: t, cmd: cmd, in: in, lines: make(chan string, 16)}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		close(r.lines)
	}()
	t.Cleanup(func() {
		r.in.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	return r, r.expect("ready ")
}

// ask sends a command and returns the reply without its prefix.
func (r *relReader) ask(cmd, prefix string) string {
	r.t.Helper()
	if _, err := fmt.Fprintln(r.in, cmd); err != nil {
		r.t.Fatalf("reader: %v", err)
	}
	return r.expect(prefix)
}

func (r *relReader) expect(prefix string) string {
	r.t.Helper()
	select {
	case l, ok := <-r.lines:
		if !ok {
			r.t.Fatal("reader exited")
		}
		if !strings.HasPrefix(l, prefix) {
			r.t.Fatalf("reader said %q, want %q…", l, prefix)
		}
		return strings.TrimPrefix(l, prefix)
	case <-time.After(60 * time.Second):
		r.t.Fatalf("reader: no %q line", prefix)
	}
	return ""
}

// TestReliabilityReaderKeepsSnapshot: a BI tool holding the published
// warehouse open read-only — in another process — neither blocks a run nor
// sees half of one: it keeps the build it opened, polling all along; a new
// reader, and the old one once it reopens the file, see the new build.
func TestReliabilityReaderKeepsSnapshot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inbox, wh := filepath.Join(dir, "inbox"), filepath.Join(dir, "cchc.duckdb")
	relStage(t, inbox, relInboxA()...)
	relMustRun(t, inbox, wh, nil)

	const q = `SELECT (SELECT count(*) FROM raw.files), (SELECT count(*) FROM core.dossiers),
		(SELECT count(*) FROM marts.kpi_values), (SELECT string_agg(run_id, ' ' ORDER BY run_id) FROM ops.runs)`
	rd, before := relStartReader(t, wh, q)
	if strings.HasPrefix(before, "error") || !strings.HasPrefix(before, "4,70,") {
		t.Fatalf("reader sees %q, want 4 files and 70 dossiers", before)
	}
	// Poll during the whole run, as a dashboard refreshing would.
	if _, err := fmt.Fprintln(rd.in, "poll"); err != nil {
		t.Fatal(err)
	}
	relStage(t, inbox, relInboxB()...)
	r := relMustRun(t, inbox, wh, nil)
	if !strings.Contains(r.stdout, "published ") {
		t.Errorf("run did not say it published:\n%s", r)
	}
	polled := rd.ask("stop", "polled ")
	if n, vals, _ := strings.Cut(polled, " "); n == "0" || vals != before {
		t.Errorf("while the run published, the reader saw %q (%s polls); want only the old build %q", vals, n, before)
	}
	if again := rd.ask("again", "again "); again != before {
		t.Errorf("the held connection sees %q after the run, want the old build %q", again, before)
	}
	// A new reader — another process — sees the new build …
	db := relOpenWH(t, wh)
	after := strings.ReplaceAll(relQuery1(t, db, q), "|", ",")
	if after == before || !strings.HasPrefix(after, "7,60110,") {
		t.Errorf("a new reader sees %q, want the new build (7 files, 60110 dossiers)", after)
	}
	// … while the old one, still open, still reads the old build …
	if again := rd.ask("again", "again "); again != before {
		t.Errorf("the held connection sees %q at the end, want %q", again, before)
	}
	// … until it opens the file again, as a BI tool's refresh does.
	if reopened := rd.ask("reopen", "reopen "); reopened != after {
		t.Errorf("the reader, reopened, sees %q, want the new build %q", reopened, after)
	}
}

// TestReliabilityNoOverlappingRuns: a run while another holds the warehouse's
// state directory exits with ExitLocked and says so, changing nothing; a lock
// left by a dead process does not block.
func TestReliabilityNoOverlappingRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inbox, wh := filepath.Join(dir, "inbox"), filepath.Join(dir, "cchc.duckdb")
	relStage(t, inbox, relInboxA()...)
	relMustRun(t, inbox, wh, nil)
	before := relDigest(t, wh)
	relStage(t, inbox, relInboxB()...)

	// The first run is held inside model building (a model reading a FIFO),
	// so the second surely starts while it runs.
	models := filepath.Join(dir, "models")
	gate := relGateModel(t, models)
	first := relCchcCmd(t, nil, "run", "--inbox", inbox, "--warehouse", wh, "--models-dir", models)
	var out1 bytes.Buffer
	first.Stdout, first.Stderr = &out1, &out1
	relHoldGate(t, gate)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	var w *os.File
	select {
	case w = <-relOpenGate(t, gate):
	case <-time.After(2 * time.Minute):
		first.Process.Kill()
		first.Wait()
		t.Fatalf("the first run never reached its models:\n%s", out1.String())
	}

	second := relRunCchc(t, nil, "run", "--inbox", inbox, "--warehouse", wh)
	if second.code != ExitLocked {
		t.Errorf("second run: %s\nwant exit %d", second, ExitLocked)
	}
	if want := "another run holds the state directory"; !strings.Contains(second.stderr, want) {
		t.Errorf("second run says %q, want %q", second.stderr, want)
	}
	if got := relDigest(t, wh); got != before {
		t.Error("the locked-out run changed the warehouse")
	}

	stopPump := relPassGate(gate, w)
	err := relWait(first, 3*time.Minute)
	stopPump()
	if err != nil {
		t.Fatalf("first run: %v\n%s", err, out1.String())
	}
	if got := relDigest(t, wh); got == before {
		t.Error("the first run did not publish")
	}
	relReleaseGate(t, gate)

	// A lock file left by a process that died (here: a pid that does not
	// run) is no lock: the kernel released the flock with the process.
	if err := os.WriteFile(filepath.Join(wh+".state", "lock"), []byte("999999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	third := relRunCchc(t, nil, "run", "--inbox", inbox, "--warehouse", wh)
	if third.code != ExitOK {
		t.Errorf("run after a stale lock file: %s", third)
	}
}

// relGateModel writes a data-team model that reads a file (gate) and returns
// the gate's path. While the gate is a FIFO nobody writes, model building
// waits there: the test knows exactly where the run is.
func relGateModel(t *testing.T, models string) string {
	t.Helper()
	gate := filepath.Join(models, "gate.csv")
	sqlText := fmt.Sprintf(`-- comment: cổng của bài kiểm thử / a test gate
-- column x: dòng đầu / first line
SELECT min(x) AS x FROM read_csv('%s', header = false, columns = {'x': 'VARCHAR'})
`, gate)
	if err := os.MkdirAll(filepath.Join(models, "marts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(models, "marts", "test_gate.sql"), []byte(sqlText), 0o644); err != nil {
		t.Fatal(err)
	}
	relReleaseGate(t, gate)
	return gate
}

// relHoldGate makes the gate a FIFO: a model reading it waits for a writer.
func relHoldGate(t *testing.T, gate string) {
	t.Helper()
	os.Remove(gate)
	if err := syscall.Mkfifo(gate, 0o644); err != nil {
		t.Fatal(err)
	}
}

// relOpenGate opens the FIFO for writing in the background; the channel
// yields the writer once a reader (the model) has opened the FIFO. The model
// waits there until relPassGate.
func relOpenGate(t *testing.T, gate string) <-chan *os.File {
	t.Helper()
	ch := make(chan *os.File, 1)
	go func() {
		if f, err := os.OpenFile(gate, os.O_WRONLY, 0); err == nil {
			ch <- f
		}
	}()
	return ch
}

// relPassGate lets the model through: it writes a line to the held writer
// and, until the returned stop is called, to every later reader of the FIFO
// (DuckDB may open a file more than once: to sniff it, then to read it).
func relPassGate(gate string, w *os.File) (stop func()) {
	io.WriteString(w, "x\n")
	w.Close()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
			if f, err := os.OpenFile(gate, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
				io.WriteString(f, "x\n")
				f.Close()
			}
		}
	}()
	return func() { close(done); <-finished }
}

// relWait waits for cmd, killing it after d.
func relWait(cmd *exec.Cmd, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("killed after %v", d)
	}
}

// relReleaseGate makes the gate a plain file again.
func relReleaseGate(t *testing.T, gate string) {
	t.Helper()
	os.Remove(gate)
	if err := os.WriteFile(gate, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReliabilityIdempotent: loading the same thing again changes nothing; a
// copy under another name is a duplicate; a corrected re-export supersedes
// the earlier rows in core while raw keeps both.
func TestReliabilityIdempotent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inbox, wh := filepath.Join(dir, "inbox"), filepath.Join(dir, "cchc.duckdb")
	relStage(t, inbox, relInboxA()...)
	relMustRun(t, inbox, wh, nil)
	first := relDigest(t, wh)

	t.Run("same inbox twice", func(t *testing.T) {
		r := relMustRun(t, inbox, wh, nil)
		if !strings.Contains(r.stdout, "files: 0 loaded, 0 failed, 0 duplicate, 4 skipped") {
			t.Errorf("second run:\n%s", r.stdout)
		}
		if got := relDigest(t, wh); got != first {
			t.Errorf("content changed on a re-run:\n%s\nvs\n%s", first, got)
		}
	})

	t.Run("same file under two names", func(t *testing.T) {
		// The same bytes, in another folder, another name, a later time.
		src := filepath.Join(inbox, "hoso_kim-giang_dot1.xlsx")
		relStage(t, inbox, relInFile{"ban sao/hoso_kim-giang_dot1 (1).xlsx", func(p string) error {
			b, err := os.ReadFile(src)
			if err != nil {
				return err
			}
			return os.WriteFile(p, b, 0o644)
		}, 10})
		r := relMustRun(t, inbox, wh, nil)
		if !strings.Contains(r.stdout, "files: 0 loaded, 0 failed, 1 duplicate, 4 skipped") {
			t.Errorf("run:\n%s", r.stdout)
		}
		db := relOpenWH(t, wh)
		got := relQuery(t, db, `SELECT path, status, message, sha256 = (SELECT sha256 FROM raw.files WHERE path = 'hoso_kim-giang_dot1.xlsx')
			FROM raw.files WHERE path LIKE '%kim-giang_dot1%' ORDER BY path`)
		want := []string{
			"ban sao/hoso_kim-giang_dot1 (1).xlsx|duplicate|trùng nội dung với tệp đã nạp hoso_kim-giang_dot1.xlsx / same content as hoso_kim-giang_dot1.xlsx, already loaded|true",
			"hoso_kim-giang_dot1.xlsx|loaded|cột bị bỏ qua / ignored columns: STT|true",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("raw.files:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if n := relQuery1(t, db, `SELECT count(*) FROM raw.dossier_rows`); n != "70" {
			t.Errorf("raw.dossier_rows has %s rows after a duplicate, want 70", n)
		}
		// And again: still one row for the copy.
		relMustRun(t, inbox, wh, nil)
		db = relOpenWH(t, wh)
		if n := relQuery1(t, db, `SELECT count(*) FROM raw.files WHERE path LIKE 'ban sao/%'`); n != "1" {
			t.Errorf("the copy has %s raw.files rows after another run, want 1", n)
		}
	})

	t.Run("corrected re-export supersedes", func(t *testing.T) {
		// dot2 re-exports the first ten Kim Giang dossiers, corrected: the ones
		// in progress are now resolved; and the unit report is re-sent with
		// one value changed.
		ds := fixture.Dossiers("KG", "Phường Kim Giang", 10)
		for i := range ds {
			if ds[i].Status == "Đang giải quyết" {
				ds[i].Status, ds[i].Completed = "Đã trả kết quả", "20/02/2024 10:00"
			}
		}
		relStage(t, inbox,
			relInFile{"hoso_kim-giang_dot2.xlsx", relXlsxOf(fixture.Sheet{Name: "Danh sách", Rows: fixture.DossierGrid(relKgTitle, ds)}), 11},
			relInFile{"kim-giang_2024-Q1_bosung.xlsx", relXlsxOf(fixture.UnitReport("UBND PHƯỜNG KIM GIANG", "QUÝ I NĂM 2024", map[string]any{"pakn_received": "12"})), 12},
		)
		relMustRun(t, inbox, wh, nil)
		db := relOpenWH(t, wh)
		got := relQuery(t, db, `SELECT d.dossier_id, d.status, d.completed_date, f.path
			FROM core.dossiers d JOIN raw.files f ON f.sha256 = d.source_file_sha256 AND f.status = 'loaded'
			WHERE d.dossier_id IN ('KG-00004', 'KG-00008', 'KG-00011') ORDER BY 1`)
		want := []string{
			"KG-00004|resolved|2024-02-20 00:00:00 +0000 UTC|hoso_kim-giang_dot2.xlsx",
			"KG-00008|resolved|2024-02-20 00:00:00 +0000 UTC|hoso_kim-giang_dot2.xlsx",
			"KG-00011|resolved|2024-01-17 00:00:00 +0000 UTC|hoso_kim-giang_dot1.xlsx",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("core.dossiers:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if n := relQuery1(t, db, `SELECT count(*) FROM core.dossiers`); n != "70" {
			t.Errorf("core.dossiers has %s rows, want 70 (one per dossier)", n)
		}
		if got := relQuery(t, db, `SELECT dossier_id, string_agg(status, ',' ORDER BY status) FROM raw.dossier_rows
			WHERE dossier_id IN ('KG-00004', 'KG-00005') GROUP BY 1 ORDER BY 1`); strings.Join(got, " ") != "KG-00004|processing,resolved KG-00005|resolved,resolved" {
			t.Errorf("raw.dossier_rows keeps %q, want both versions", got)
		}
		if got := relQuery(t, db, `SELECT value FROM core.indicator_values WHERE unit_code = 'kim_giang' AND period_code = '2024-Q1' AND indicator_code = 'pakn_received'`); strings.Join(got, "") != "12" {
			t.Errorf("core.indicator_values pakn_received = %q, want the re-sent 12", got)
		}
		if got := relQuery(t, db, `SELECT value FROM raw.indicator_rows WHERE unit_code = 'kim_giang' AND indicator_code = 'pakn_received' ORDER BY value`); strings.Join(got, ",") != "10,12" {
			t.Errorf("raw.indicator_rows pakn_received = %q, want both reports (10,12)", got)
		}
	})
}

// TestReliabilityFailedFilesOnce: a file that cannot be read is recorded once,
// not once per run: running the same inbox again changes nothing.
func TestReliabilityFailedFilesOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inbox, wh := filepath.Join(dir, "inbox"), filepath.Join(dir, "cchc.duckdb")
	relStage(t, inbox, relInboxA()[:1]...)
	relStage(t, inbox, relInFile{"hong.xlsx", func(p string) error { return os.WriteFile(p, []byte("PK\x03\x04 broken"), 0o644) }, 1})
	if err := os.Symlink("khong-co.xlsx", filepath.Join(inbox, "lien-ket-hong.xlsx")); err != nil {
		t.Fatal(err)
	}
	relMustRun(t, inbox, wh, nil)
	first := relDigest(t, wh)
	// Closed before the next run: DuckDB shares one instance per file within
	// a process, and a reader still open would see this build again.
	db, closeDB, err := load.OpenReadOnly(wh)
	if err != nil {
		t.Fatal(err)
	}
	got := relQuery(t, db, `SELECT path, status, sha256 IS NULL FROM raw.files ORDER BY path`)
	closeDB()
	want := "hong.xlsx|failed|false hoso_kim-giang_dot1.xlsx|loaded|false lien-ket-hong.xlsx|failed|true"
	if strings.Join(got, " ") != want {
		t.Errorf("raw.files = %q, want %q", got, want)
	}
	r := relMustRun(t, inbox, wh, nil)
	if got := relDigest(t, wh); got != first {
		t.Errorf("a second run over the same failed files changed the warehouse. Run:\n%s\ndigest before:\n%s\nafter:\n%s", r.stdout, first, got)
	}
}

// relSortedLines returns the non-empty lines of s, sorted.
func relSortedLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}
