//go:build duckdb_arrow

package pipeline_test

// A verdict on a file is a verdict on its bytes (CONTRACT section 4): what
// is recorded of a name that is no file, of a file read only in part, and
// what an error of the environment leaves behind.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/fixture"
	"github.com/thanhxuan/cchc/internal/msg"
	"github.com/thanhxuan/cchc/internal/pipeline"
	"github.com/thanhxuan/cchc/internal/testwh"
)

var vTime = time.Date(2024, 3, 1, 9, 0, 0, 0, time.Local)

// vRun runs the pipeline on cfg and fails the test unless it published.
func vRun(t *testing.T, cfg config.Config, opts ...pipeline.Option) *pipeline.Summary {
	t.Helper()
	sum, err := pipeline.Run(context.Background(), cfg, append([]pipeline.Option{pipeline.WithLogger(testwh.Log(t))}, opts...)...)
	if err != nil || !sum.Published {
		t.Fatalf("run: %v (published %v)", err, sum != nil && sum.Published)
	}
	return sum
}

// vFiles is raw.files as "path|status|rows_loaded|message" lines, by path;
// the message only of files not loaded (a loaded file's notes are not what
// these tests look at).
func vFiles(t *testing.T, wh string) string {
	t.Helper()
	return testwh.Query(t, wh, `SELECT concat_ws('|', path, status, rows_loaded, CASE WHEN status <> 'loaded' THEN coalesce(message, '') ELSE '' END)
		FROM raw.files ORDER BY path, loaded_at`)
}

// TestReliabilityNamesThatAreNoFile: a link (to a file or a folder, inside the inbox or
// out of it), a pipe, a name that is not UTF-8, a hidden file and Excel's
// lock file each get their raw.files row; what a link points at is never
// read; a temporary file of cchc pull is left for the file it becomes. A
// second run records nothing again.
func TestReliabilityNamesThatAreNoFile(t *testing.T) {
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	outside := filepath.Join(dir, "outside")
	testwh.WriteFile(t, outside, "hoso.csv", testwh.DossierCSV("OUT", 5), vTime)
	testwh.WriteFile(t, cfg.Inbox, "hoso.csv", testwh.DossierCSV("IN", 3), vTime)
	testwh.WriteFile(t, cfg.Inbox, "ph\xf5ng/h\xe0 s\xff.csv", testwh.DossierCSV("NAME", 2), vTime)
	testwh.WriteFile(t, cfg.Inbox, ".an/.hoso.csv", testwh.DossierCSV("HID", 4), vTime)
	testwh.WriteFile(t, cfg.Inbox, "~$bao-cao.xlsx", "\x0bNguyen Van A", vTime)
	testwh.WriteFile(t, cfg.Inbox, ".dang-keo.csv.part-4242", testwh.DossierCSV("PART", 1), vTime)
	for _, l := range [][2]string{
		{filepath.Join(outside, "hoso.csv"), "ngoai.csv"}, {outside, "thu-muc-ngoai"}, {"hoso.csv", "ban-sao.csv"},
	} {
		if err := os.Symlink(l[0], filepath.Join(cfg.Inbox, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(cfg.Inbox, "ong.csv"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg = testwh.Validate(t, cfg)
	vRun(t, cfg)

	link := func(to string) string {
		return "failed|0|not a regular file: liên kết tượng trưng (→ " + to + "), không đọc theo: không đọc gì ngoài inbox — hãy chép chính tệp vào / a symbolic link (→ " + to + "), not followed: nothing outside the inbox is read; copy the file itself in"
	}
	want := strings.Join([]string{
		".an/.hoso.csv|loaded|4|",
		"ban-sao.csv|" + link("hoso.csv"),
		"hoso.csv|loaded|3|",
		"ngoai.csv|" + link(filepath.Join(outside, "hoso.csv")),
		"ong.csv|failed|0|not a regular file: ống dẫn có tên (FIFO), không mở / a named pipe (FIFO), not opened",
		`ph\xf5ng/h\xe0 s\xff.csv|loaded|2|`,
		"thu-muc-ngoai|" + link(outside),
		"~$bao-cao.xlsx|failed|0|tệp khóa của Excel (có người đang mở bao-cao.xlsx), không phải dữ liệu / Excel's lock file of an open workbook, not data — " +
			"file cannot be read: tệp hỏng hoặc không phải Excel (không phải tệp zip của xlsx) — hãy gửi lại / corrupt, or not an xlsx (zip) file: send it again",
	}, "\n")
	if got := vFiles(t, cfg.Warehouse); got != want {
		t.Errorf("raw.files:\n%s\nwant:\n%s", got, want)
	}
	if got := testwh.Query(t, cfg.Warehouse, `SELECT string_agg(DISTINCT split_part(dossier_id, '-', 1), ',' ORDER BY split_part(dossier_id, '-', 1)) FROM core.dossiers`); got != "HID,IN,NAME" {
		t.Errorf("core.dossiers holds the dossiers of %s, want HID,IN,NAME (nothing behind a link, nothing of pull's temporary)", got)
	}
	if got := testwh.Query(t, cfg.Warehouse, `SELECT count(*) FROM raw.files WHERE sha256 IS NULL`); got != "4" {
		t.Errorf("%s rows without a hash, want the 4 names whose content is not read", got)
	}

	before := testwh.Digest(t, cfg.Warehouse)
	sum := vRun(t, cfg)
	if n := sum.Count(pipeline.Skipped); n != len(sum.Files) || n != 8 {
		t.Errorf("second run: %d of %d files skipped, want all 8: %+v", n, len(sum.Files), sum.Files)
	}
	if got := testwh.Digest(t, cfg.Warehouse); got != before {
		t.Errorf("a second run changed the warehouse:\n%s\nvs\n%s", before, got)
	}

	// The link replaced by the file itself loads; the pipe's reason, changed,
	// is recorded again.
	os.Remove(filepath.Join(cfg.Inbox, "ngoai.csv"))
	testwh.WriteFile(t, cfg.Inbox, "ngoai.csv", testwh.DossierCSV("OUT", 5), vTime.Add(time.Hour))
	os.Remove(filepath.Join(cfg.Inbox, "ong.csv"))
	if err := os.Symlink("hoso.csv", filepath.Join(cfg.Inbox, "ong.csv")); err != nil {
		t.Fatal(err)
	}
	vRun(t, cfg)
	if got := testwh.Query(t, cfg.Warehouse, `SELECT string_agg(status, ',' ORDER BY loaded_at) FROM raw.files WHERE path IN ('ngoai.csv', 'ong.csv') GROUP BY path ORDER BY path`); got != "failed,loaded\nfailed,failed" {
		t.Errorf("ngoai.csv and ong.csv: %q, want failed,loaded and failed,failed", got)
	}
}

// TestReliabilityInboxIsALink: the inbox configured may be a link to its
// folder (links under it are not followed).
func TestReliabilityInboxIsALink(t *testing.T) {
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	testwh.WriteFile(t, cfg.Inbox, "phuong/hoso.csv", testwh.DossierCSV("L", 3), vTime)
	link := filepath.Join(dir, "inbox-link")
	if err := os.Symlink(cfg.Inbox, link); err != nil {
		t.Fatal(err)
	}
	cfg.Inbox = link
	vRun(t, testwh.Validate(t, cfg))
	if got := vFiles(t, cfg.Warehouse); got != "phuong/hoso.csv|loaded|3|" {
		t.Errorf("raw.files: %s", got)
	}
}

// TestReliabilityDatabaseFaultIsNoVerdict: a database error in the middle of loading
// stops the run: nothing is published, no file is recorded as failed, and
// the next run loads every file.
func TestReliabilityDatabaseFaultIsNoVerdict(t *testing.T) {
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	cfg.Extract.Workers = 1
	testwh.WriteFile(t, cfg.Inbox, "dot1.csv", testwh.DossierCSV("A", 4), vTime)
	cfg = testwh.Validate(t, cfg)
	vRun(t, cfg)
	before := testwh.Digest(t, cfg.Warehouse)

	for i, name := range []string{"dot2.csv", "dot3.csv", "dot4.csv"} {
		testwh.WriteFile(t, cfg.Inbox, name, testwh.DossierCSV(fmt.Sprintf("B%d", i), 3), vTime.Add(time.Duration(i+1)*time.Hour))
	}
	testwh.WriteFile(t, cfg.Inbox, "bc.csv", testwh.ReportCSV("UBND PHƯỜNG KIM GIANG", "QUÝ I NĂM 2024"), vTime.Add(5*time.Hour))
	for _, n := range []int{1, 2, 3} {
		sum, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t)), pipeline.WithInsertFault(n))
		var ee *pipeline.EnvironmentError
		if !errors.As(err, &ee) || !strings.Contains(err.Error(), "cchc_injected_fault") {
			t.Fatalf("insert %d fails: run error %v, want an EnvironmentError with the database's", n, err)
		}
		if sum.Published || sum.Count(pipeline.Failed) > 0 {
			t.Errorf("insert %d fails: published %v, %d files failed", n, sum.Published, sum.Count(pipeline.Failed))
		}
		if got := testwh.Digest(t, cfg.Warehouse); got != before {
			t.Errorf("insert %d fails: the published warehouse changed", n)
		}
	}
	vRun(t, cfg)
	if got := testwh.Query(t, cfg.Warehouse, `SELECT string_agg(path || ':' || status, ' ' ORDER BY path) FROM raw.files`); got != "bc.csv:loaded dot1.csv:loaded dot2.csv:loaded dot3.csv:loaded dot4.csv:loaded" {
		t.Errorf("after a clean run raw.files = %s", got)
	}
	if got := testwh.Query(t, cfg.Warehouse, `SELECT count(*) FROM core.dossiers`); got != "13" {
		t.Errorf("core.dossiers has %s rows, want 13", got)
	}
}

// TestReliabilityStateFolderIsNoVerdict: a state folder that cannot be written
// into while files load (here: its reject spool) stops the run; no file is
// recorded as failed for it.
func TestReliabilityStateFolderIsNoVerdict(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes where modes forbid it (TestReliabilityEnvironment runs this case as nobody)")
	}
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	cfg = testwh.Validate(t, cfg)
	vRun(t, cfg)
	before := testwh.Digest(t, cfg.Warehouse)
	// Rejected rows go to the spool folder, where nothing can be written.
	testwh.WriteFile(t, cfg.Inbox, "hong.csv", strings.Replace(testwh.DossierCSV("R", 3), "Phường Kim Giang", "Phường Không Có", 1), vTime)
	spool := filepath.Join(cfg.StateDir, "spool")
	testwh.WriteFile(t, spool, "giu-cho", "", time.Time{}) // a run cannot remove the folder
	if err := os.Chmod(spool, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(spool, 0o755)
	sum, err := pipeline.Run(context.Background(), cfg, pipeline.WithLogger(testwh.Log(t)))
	var ee *pipeline.EnvironmentError
	if !errors.As(err, &ee) || sum.Published || sum.Count(pipeline.Failed) > 0 {
		t.Fatalf("run: %v, published %v, %d failed", err, sum.Published, sum.Count(pipeline.Failed))
	}
	if got := testwh.Digest(t, cfg.Warehouse); got != before {
		t.Error("the published warehouse changed")
	}
	os.Chmod(spool, 0o755)
	vRun(t, cfg)
	if got := testwh.Query(t, cfg.Warehouse, `SELECT status || ' ' || rows_loaded || ' ' || rows_rejected FROM raw.files WHERE path = 'hong.csv'`); got != "loaded 2 1" {
		t.Errorf("hong.csv after a clean run: %s, want loaded 2 1", got)
	}
}

// TestReliabilityReadOnlyInPart: a file that reads only in part — a sheet whose XML
// breaks off or that the reader finds invalid, in the data or in a sheet of
// notes below what the header search reads, a CSV line too long after good
// lines — is failed, and nothing of it is loaded.
func TestReliabilityReadOnlyInPart(t *testing.T) {
	ds := fixture.Dossiers("P", "Phường Kim Giang", 200)
	grid := fixture.DossierGrid(nil, ds)
	notes := func(w io.Writer) error {
		for i := 1; i <= 300; i++ {
			if err := fixture.RowXML(w, i, fmt.Sprintf("ghi chú %d", i)); err != nil {
				return err
			}
		}
		return nil
	}
	invalid := func(rows func(io.Writer) error) func(io.Writer) error {
		return func(w io.Writer) error {
			if err := rows(w); err != nil {
				return err
			}
			// A cell past the last column Excel has: the reader stops there.
			_, err := io.WriteString(w, `<row r="900"><c r="ZZZZZZ900" t="inlineStr"><is><t>x</t></is></c></row>`)
			return err
		}
	}
	mismatched := func(rows func(io.Writer) error) func(io.Writer) error {
		return func(w io.Writer) error {
			if err := rows(w); err != nil {
				return err
			}
			// A value closed as if it were its cell, then more rows.
			if _, err := io.WriteString(w, `<row r="900"><c r="A900"><v>1</c></row>`); err != nil {
				return err
			}
			return fixture.RowXML(w, 901, "x")
		}
	}
	data := fixture.RawSheet{Name: "DS", Data: fixture.GridRows(grid)}
	tests := []struct {
		name   string
		write  func(p string) error
		reason string
	}{
		{"data sheet breaks off", func(p string) error {
			return fixture.WriteRawXLSX(p, fixture.RawOptions{}, fixture.RawSheet{Name: "DS", Data: fixture.GridRows(grid), Truncate: true})
		}, "file cannot be read"},
		{"data sheet turns invalid", func(p string) error {
			return fixture.WriteRawXLSX(p, fixture.RawOptions{}, fixture.RawSheet{Name: "DS", Data: invalid(fixture.GridRows(grid))})
		}, "file cannot be read"},
		{"data sheet with a mismatched end tag", func(p string) error {
			return fixture.WriteRawXLSX(p, fixture.RawOptions{}, fixture.RawSheet{Name: "DS", Data: mismatched(fixture.GridRows(grid))})
		}, "malformed XML"},
		{"notes sheet breaks off", func(p string) error {
			return fixture.WriteRawXLSX(p, fixture.RawOptions{}, data, fixture.RawSheet{Name: "Ghi chu", Data: notes, Truncate: true})
		}, "file cannot be read"},
		{"notes sheet turns invalid", func(p string) error {
			return fixture.WriteRawXLSX(p, fixture.RawOptions{}, data, fixture.RawSheet{Name: "Ghi chu", Data: invalid(notes)})
		}, "file cannot be read"},
		{"CSV line too long", func(p string) error {
			return os.WriteFile(p[:len(p)-len(".xlsx")]+".csv", []byte(testwh.DossierCSV("P", 200)+strings.Repeat("x", 9<<20)+"\n"+testwh.DossierCSV("Q", 2)), 0o644)
		}, "file exceeds the size limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := testwh.Config(t, dir)
			testwh.WriteFile(t, cfg.Inbox, "tot.csv", testwh.DossierCSV("OK", 2), vTime)
			if err := tc.write(filepath.Join(cfg.Inbox, "hoso.xlsx")); err != nil {
				t.Fatal(err)
			}
			vRun(t, testwh.Validate(t, cfg))
			got := testwh.Query(t, cfg.Warehouse, `SELECT concat_ws('|', status, rows_loaded, message) FROM raw.files WHERE path LIKE 'hoso.%'`)
			if !strings.HasPrefix(got, "failed|0|") || !strings.Contains(got, tc.reason) {
				t.Errorf("raw.files: %s, want failed|0|%s…", got, tc.reason)
			}
			if n := testwh.Query(t, cfg.Warehouse, `SELECT count(*) FROM raw.dossier_rows WHERE dossier_id NOT LIKE 'OK-%'`); n != "0" {
				t.Errorf("%s rows of the broken file loaded", n)
			}
			if n := testwh.Query(t, cfg.Warehouse, `SELECT count(*) FROM core.dossiers`); n != "2" {
				t.Errorf("core.dossiers has %s rows, want the other file's 2", n)
			}
		})
	}
}

// TestReliabilityUndecodableBytesAreVisible: bytes that do not decode under a CSV's
// encoding (a lone surrogate in UTF-16, a byte Windows-1258 leaves
// undefined) stop nothing: they read as U+FFFD, every row is loaded or
// rejected — the cell that must match shows the U+FFFD in raw.rejects —
// and nothing is left out.
func TestReliabilityUndecodableBytesAreVisible(t *testing.T) {
	body := strings.Replace(testwh.DossierCSV("U", 20), "Phường Kim Giang", "Phường Kim \uE000Giang", 1) // the 1st data row
	utf16le := func(s string) []byte {
		b := []byte{0xFF, 0xFE}
		for _, u := range utf16.Encode([]rune(strings.ReplaceAll(s, ",", "\t"))) {
			if u == 0xE000 {
				u = 0xD800 // a high surrogate with no low one
			}
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	cp1258, err := fixture.EncodeCP1258(strings.ReplaceAll(body, "\uE000", "~"))
	if err != nil {
		t.Fatal(err)
	}
	cp1258 = bytes.Replace(cp1258, []byte("~"), []byte{0x81}, 1) // undefined in Windows-1258
	for name, b := range map[string][]byte{"utf16.txt": utf16le(body), "cp1258.csv": cp1258} {
		t.Run(name, func(t *testing.T) {
			cfg := testwh.Config(t, t.TempDir())
			testwh.WriteFile(t, cfg.Inbox, name, string(b), vTime)
			vRun(t, testwh.Validate(t, cfg))
			if got := testwh.Query(t, cfg.Warehouse, `SELECT concat_ws('|', status, rows_loaded, rows_rejected) FROM raw.files`); got != "loaded|19|1" {
				t.Errorf("raw.files: %s, want loaded|19|1", got)
			}
			if got := testwh.Query(t, cfg.Warehouse, `SELECT concat_ws('|', row_number, reason_code, raw_value) FROM raw.rejects`); got != "2|unknown_unit|Phường Kim \uFFFDGiang" {
				t.Errorf("raw.rejects: %s", got)
			}
		})
	}
}

// TestReliabilityDuplicateNamesItsOriginal: a duplicate's message names the file it
// duplicates; of two copies with the same modification time, the path first
// in byte order is the original.
func TestReliabilityDuplicateNamesItsOriginal(t *testing.T) {
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	body := testwh.DossierCSV("D", 3)
	for _, p := range []string{"b/hoso.csv", "B/hoso.csv", "a/hoso.csv"} {
		testwh.WriteFile(t, cfg.Inbox, p, body, vTime)
	}
	cfg = testwh.Validate(t, cfg)
	vRun(t, cfg)
	// A later run finds one more copy of what an earlier run loaded.
	testwh.WriteFile(t, cfg.Inbox, "0/hoso.csv", body, vTime)
	vRun(t, cfg)
	want := strings.Join([]string{
		"0/hoso.csv|duplicate|0|trùng nội dung với tệp đã nạp B/hoso.csv / same content as B/hoso.csv, already loaded",
		"B/hoso.csv|loaded|3|",
		"a/hoso.csv|duplicate|0|trùng nội dung với tệp đã nạp B/hoso.csv / same content as B/hoso.csv, already loaded",
		"b/hoso.csv|duplicate|0|trùng nội dung với tệp đã nạp B/hoso.csv / same content as B/hoso.csv, already loaded",
	}, "\n")
	if got := vFiles(t, cfg.Warehouse); got != want {
		t.Errorf("raw.files:\n%s\nwant:\n%s", got, want)
	}
}

// TestReliabilityMessagesStayShort: raw.files.message holds at most msg.Max
// characters, the first problems and a count of the rest.
func TestReliabilityMessagesStayShort(t *testing.T) {
	dir := t.TempDir()
	cfg := testwh.Config(t, dir)
	// 150 columns that name nothing.
	var head, row strings.Builder
	for i := 1; i <= 150; i++ {
		fmt.Fprintf(&head, ",Cột thêm số %d của hệ thống", i)
		row.WriteString(",x")
	}
	var b strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(testwh.DossierCSV("W", 3)), "\n") {
		b.WriteString(line)
		if i == 0 {
			b.WriteString(head.String())
		} else {
			b.WriteString(row.String())
		}
		b.WriteString("\n")
	}
	testwh.WriteFile(t, cfg.Inbox, "rong.csv", b.String(), vTime)
	vRun(t, testwh.Validate(t, cfg))
	got := testwh.Query(t, cfg.Warehouse, `SELECT message FROM raw.files`)
	if n := utf8.RuneCountInString(got); n > msg.Max {
		t.Errorf("message of %d characters: %s", n, got)
	}
	if !strings.HasPrefix(got, "cột bị bỏ qua / ignored columns: Cột thêm số 1 của hệ thống; Cột thêm số 2 của hệ thống;") || !strings.Contains(got, " mục khác / … and ") {
		t.Errorf("message does not give the first columns and a count of the rest: %s", got)
	}
	if n := testwh.Query(t, cfg.Warehouse, `SELECT len(string_split(ignored_columns, '; ')) FROM raw.files`); n != "150" {
		t.Errorf("raw.files.ignored_columns names %s columns, want all 150", n)
	}
}
