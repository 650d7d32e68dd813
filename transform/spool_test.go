package transform

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestRejectSpool: the spool writes one JSON line per reject with the
// columns of raw.rejects (NULL for what a reject does not say), counts
// rejects by reason and distinct rows by sheet, and Close removes its file.
func TestRejectSpool(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spool")
	s := NewRejectSpool(dir, "phuong/hoso.xlsx", "sha-1", "run-1")
	if err := s.Add(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("an empty Add made the spool folder (%v)", err)
	}
	batches := [][]Reject{
		{
			{Sheet: "DS", Row: 6, Column: "received_at", RawValue: "31/02/2024", Code: "impossible_date", Reason: "ngày sai / bad date"},
			{Sheet: "DS", Row: 6, Column: "channel", RawValue: "Fax", Code: "unknown_channel", Reason: "kênh lạ / unknown channel"},
		},
		{
			{Sheet: "DS", Row: 9, Column: "channel", RawValue: "Telex", Code: "unknown_channel", Reason: "kênh lạ / unknown channel"},
			{Sheet: "DS2", Row: 6, Column: "dossier_id", Code: "missing_value", Reason: "thiếu / missing"}, // same row, another sheet
			{Row: 0, Code: "no_rows", Reason: "cả tệp / the whole file"},                                   // no sheet, no row
		},
	}
	for _, b := range batches {
		if err := s.Add(b); err != nil {
			t.Fatal(err)
		}
	}
	if s.Len() != 5 {
		t.Errorf("Len = %d, want 5", s.Len())
	}
	if s.Rows() != 4 { // DS!6, DS!9, DS2!6 and the file-level reject's row 0
		t.Errorf("Rows = %d, want 4", s.Rows())
	}
	if want := map[string]int64{"impossible_date": 1, "unknown_channel": 2, "missing_value": 1, "no_rows": 1}; !maps.Equal(s.ByReason(), want) {
		t.Errorf("ByReason = %v, want %v", s.ByReason(), want)
	}
	path, err := s.Finish()
	if err != nil || path == "" || filepath.Dir(path) != dir {
		t.Fatalf("Finish = %q, %v; want a file in %s", path, err, dir)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var l map[string]any
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	f.Close()
	line := func(sheet, row, col, raw any, code, reason string) map[string]any {
		return map[string]any{"file_path": "phuong/hoso.xlsx", "file_sha256": "sha-1", "sheet": sheet,
			"row_number": row, "column_name": col, "raw_value": raw, "reason_code": code, "reason": reason, "run_id": "run-1"}
	}
	want := []map[string]any{
		line("DS", 6.0, "received_at", "31/02/2024", "impossible_date", "ngày sai / bad date"),
		line("DS", 6.0, "channel", "Fax", "unknown_channel", "kênh lạ / unknown channel"),
		line("DS", 9.0, "channel", "Telex", "unknown_channel", "kênh lạ / unknown channel"),
		line("DS2", 6.0, "dossier_id", nil, "missing_value", "thiếu / missing"),
		line(nil, nil, nil, nil, "no_rows", "cả tệp / the whole file"),
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("lines:\n got %v\nwant %v", lines, want)
	}
	for _, l := range lines {
		cols := slices.Collect(maps.Keys(l))
		sort.Strings(cols)
		var rc []string
		for _, f := range RejectSchema.Fields() {
			rc = append(rc, f.Name)
		}
		sort.Strings(rc)
		if !slices.Equal(cols, rc) {
			t.Errorf("line keys %v, RejectSchema %v", cols, rc)
		}
	}

	// Read back as record batches: the same rows, typed, nothing leaked.
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	rr, err := s.Reader(mem)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rr.Next() {
		b := rr.RecordBatch()
		for i := 0; i < int(b.NumRows()); i++ {
			var row []string
			for c := range b.Columns() {
				col := b.Column(c)
				if col.IsNull(i) {
					row = append(row, "NULL")
				} else {
					row = append(row, col.ValueStr(i))
				}
			}
			got = append(got, strings.Join(row, "|"))
		}
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	rr.Release()
	mem.AssertSize(t, 0)
	wantRows := []string{
		"phuong/hoso.xlsx|sha-1|DS|6|received_at|31/02/2024|impossible_date|ngày sai / bad date|run-1",
		"phuong/hoso.xlsx|sha-1|DS|6|channel|Fax|unknown_channel|kênh lạ / unknown channel|run-1",
		"phuong/hoso.xlsx|sha-1|DS|9|channel|Telex|unknown_channel|kênh lạ / unknown channel|run-1",
		"phuong/hoso.xlsx|sha-1|DS2|6|dossier_id|NULL|missing_value|thiếu / missing|run-1",
		"phuong/hoso.xlsx|sha-1|NULL|NULL|NULL|NULL|no_rows|cả tệp / the whole file|run-1",
	}
	if !slices.Equal(got, wantRows) {
		t.Errorf("read back:\n got %q\nwant %q", got, wantRows)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Close left %s (%v)", path, err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestRejectSpoolEmpty: a spool that got no reject has no file to load.
func TestRejectSpoolEmpty(t *testing.T) {
	dir := t.TempDir()
	s := NewRejectSpool(dir, "a.csv", "sha", "")
	path, err := s.Finish()
	if path != "" || err != nil || s.Len() != 0 || s.Rows() != 0 || len(s.ByReason()) != 0 {
		t.Errorf("Finish = %q, %v; Len %d Rows %d ByReason %v", path, err, s.Len(), s.Rows(), s.ByReason())
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files left: %v", entries)
	}
}

// TestRejectSpoolNoRunID: a spool without a run id writes run_id NULL.
func TestRejectSpoolNoRunID(t *testing.T) {
	s := NewRejectSpool(t.TempDir(), "a.csv", "sha", "")
	defer s.Close()
	if err := s.Add([]Reject{{Row: 2, Column: "x", RawValue: "y", Code: "c", Reason: "r / r"}}); err != nil {
		t.Fatal(err)
	}
	path, err := s.Finish()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var l map[string]any
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	if v, ok := l["run_id"]; !ok || v != nil {
		t.Errorf("run_id = %v (present %v), want null", v, ok)
	}
}

// TestRejectSpoolLongValue: a reject keeps a long value whole in raw_value,
// but its reason, which quotes the value, stays a sentence to read.
func TestRejectSpoolLongValue(t *testing.T) {
	s := NewRejectSpool(t.TempDir(), "a.csv", "sha", "")
	defer s.Close()
	long := strings.Repeat("Fax", 10000)
	if err := s.Add([]Reject{{Row: 2, Column: "channel", RawValue: long, Code: "unknown_channel",
		Reason: fmt.Sprintf("hình thức nộp %q không có trong danh mục / unknown channel", long)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Finish(); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rr, err := s.Reader(mem)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	if !rr.Next() {
		t.Fatalf("no batch: %v", rr.Err())
	}
	b := rr.RecordBatch()
	value, reason := b.Column(5).(*array.String).Value(0), b.Column(7).(*array.String).Value(0)
	if value != long {
		t.Errorf("raw_value: %d bytes, want the whole %d", len(value), len(long))
	}
	if n := utf8.RuneCountInString(reason); n > 500 || !strings.HasPrefix(reason, "hình thức nộp \"FaxFax") {
		t.Errorf("reason of %d characters: %.80s…", n, reason)
	}
}
