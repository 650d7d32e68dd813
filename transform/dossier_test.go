package transform

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/internal/fixture"
)

// TestDossierKind: the dossier kind turns each data row of an export into a
// typed row of raw.dossier_rows, in batches of Env.BatchRows, and each bad
// cell into a reject with its code; nothing stays allocated.
func TestDossierKind(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := testEnv(t, mem, "khóa thử")
	env.BatchRows = 2

	ds := []fixture.Dossier{
		{ID: "KG-1", Procedure: "Đăng ký khai sinh", Field: "Hộ tịch", Unit: "Phường Kim Giang",
			Received: "02/01/2024 08:30", Due: "05/01/2024", Completed: "04/01/2024 15:00",
			Channel: "Trực tuyến", Level: "Toàn trình", Status: "Đã trả kết quả", Digitized: "Có", EID: "x",
			ApplicantName: "Nguyễn Văn A", ApplicantID: "001 089-012345"},
		// No unit cell: the unit of the title. An ISO date, an Excel serial,
		// an empty service level and an empty applicant ID.
		{ID: "KG-2", Procedure: "Cấp giấy chứng nhận quyền sử dụng đất", Field: "Đất đai",
			Received: "2024-01-03", Due: "45300",
			Channel: "Bưu chính", Status: "Đang giải quyết", Digitized: "Không"},
		{ID: "KG-3", Procedure: "Đăng ký kết hôn", Field: "Hộ tịch", Unit: "Phường Kim Giang",
			Received: "31/02/2024", Due: "05/03/2024", Channel: "Fax", Status: "Đang giải quyết"},
		{ID: "KG-4", Procedure: "Đăng ký kết hôn", Field: "Hộ tịch", Unit: "Phường Kim Giang",
			Received: "10/01/2024", Due: "12/01/2024", Completed: "09/01/2024",
			Channel: "Trực tiếp", Status: "Đã trả kết quả"},
		{ID: "KG-5", Procedure: "Chứng thực bản sao từ bản chính", Field: "Chứng thực", Unit: "P. Khương Đình",
			Received: "11/01/2024 14:05", Due: "11/01/2024", Completed: "11/01/2024 16:00",
			Channel: "Trực tiếp", Level: "Một phần", Status: "Hoàn thành", Digitized: "Chưa số hóa", EID: "Có",
			ApplicantID: "b1234567"},
	}
	grid := fixture.DossierGrid([]string{"UBND PHƯỜNG KIM GIANG"}, ds)
	grid = append(grid, []any{"", "Tổng cộng: 5 hồ sơ"})
	got := readSheet(t, env, newMemBook(fixture.Sheet{Name: "DS", Rows: grid}), "hoso.xlsx", extract.KindDossiers)

	if len(got.tables) != 1 || got.tables[0] != TableDossierRows || !got.data[TableDossierRows] {
		t.Fatalf("streams %v (data %v), want one data stream of %s", got.tables, got.data, TableDossierRows)
	}
	if got.batches[TableDossierRows] != 2 {
		t.Errorf("%d batches, want 2 (3 rows, 2 a batch)", got.batches[TableDossierRows])
	}
	key := func(id string) string {
		m := hmac.New(sha256.New, []byte("khóa thử"))
		m.Write([]byte(id))
		return hex.EncodeToString(m.Sum(nil))
	}
	at := func(y, mo, d, h, mi int) time.Time { return time.Date(y, time.Month(mo), d, h, mi, 0, 0, time.UTC) }
	// Rows 1–3 are the title, a blank row and the header.
	checkRows(t, TableDossierRows, DossierSchema, got.rows[TableDossierRows], []map[string]any{
		{"file_sha256": "sha-of-file", "sheet": "DS", "row_number": int32(4), "dossier_id": "KG-1",
			"unit_code": "kim_giang", "unit_source": "column", "field": "Hộ tịch", "field_group": "other",
			"procedure_code": nil, "procedure_name": "Đăng ký khai sinh",
			"received_at": at(2024, 1, 2, 8, 30), "due_at": at(2024, 1, 5, 0, 0), "completed_at": at(2024, 1, 4, 15, 0),
			"channel": "online", "service_level": "full", "status": "resolved",
			"result_digitized": true, "eid_verified": true, "applicant_key": key("001089012345"), "reported_timeliness": nil},
		{"file_sha256": "sha-of-file", "sheet": "DS", "row_number": int32(5), "dossier_id": "KG-2",
			"unit_code": "kim_giang", "unit_source": "title_or_file_name", "field": "Đất đai", "field_group": "tnmt",
			"procedure_code": nil, "procedure_name": "Cấp giấy chứng nhận quyền sử dụng đất",
			"received_at": at(2024, 1, 3, 0, 0), "due_at": at(2024, 1, 9, 0, 0), "completed_at": nil,
			"channel": "postal", "service_level": "none", "status": "processing",
			"result_digitized": false, "eid_verified": false, "applicant_key": nil, "reported_timeliness": nil},
		{"file_sha256": "sha-of-file", "sheet": "DS", "row_number": int32(8), "dossier_id": "KG-5",
			"unit_code": "khuong_dinh", "unit_source": "column", "field": "Chứng thực", "field_group": "other",
			"procedure_code": nil, "procedure_name": "Chứng thực bản sao từ bản chính",
			"received_at": at(2024, 1, 11, 14, 5), "due_at": at(2024, 1, 11, 0, 0), "completed_at": at(2024, 1, 11, 16, 0),
			"channel": "counter", "service_level": "partial", "status": "resolved",
			"result_digitized": false, "eid_verified": true, "applicant_key": key("B1234567"), "reported_timeliness": nil},
	})
	checkRejects(t, got.rejects, []Reject{
		{Sheet: "DS", Row: 6, Column: "received_at", RawValue: "31/02/2024", Code: "impossible_date"},
		{Sheet: "DS", Row: 6, Column: "channel", RawValue: "Fax", Code: "unknown_channel"},
		{Sheet: "DS", Row: 7, Column: "completed_at", RawValue: "09/01/2024", Code: "completed_before_received",
			Reason: "ngày trả kết quả 09/01/2024 trước ngày tiếp nhận 10/01/2024 / completed before received"},
	})
	if got.skipped[extract.RowTotal] != 1 {
		t.Errorf("skipped %v, want the total row", got.skipped)
	}
}

// TestDossierKindNoUnit: a sheet without a unit column whose title and file
// name name no unit fails with ErrNoUnit before a row is read.
func TestDossierKindNoUnit(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := testEnv(t, mem, "k")
	grid := [][]any{{"Mã hồ sơ", "Tên thủ tục", "Lĩnh vực", "Ngày tiếp nhận", "Ngày hẹn trả", "Hình thức nộp", "Trạng thái"},
		{"X-1", "Đăng ký khai sinh", "Hộ tịch", "02/01/2024", "05/01/2024", "Trực tuyến", "Đang giải quyết"}}
	wb := newMemBook(fixture.Sheet{Name: "S", Rows: grid})
	c := testCatalog(t)
	heads, err := (&extract.Scanner{Vocab: extract.NewVocab(c), Units: env.Units}).Scan(wb, "hoso.xlsx")
	if err != nil || len(heads) != 1 || heads[0].Layout.Col("unit") >= 0 {
		t.Fatalf("heads = %+v, %v; want one without a unit column", heads, err)
	}
	rows, err := extract.Data(wb, &heads[0])
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	kind, _ := KindOf(extract.KindDossiers)
	if out, err := kind.Read(env, rows, SheetContext{Head: &heads[0]}); !errors.Is(err, extract.ErrNoUnit) {
		if out != nil {
			out.Release()
		}
		t.Fatalf("err = %v, want ErrNoUnit", err)
	}
}

// TestDossierKindRejectChunks: rejects reach SheetContext.OnRejects in
// chunks as they come, each once.
func TestDossierKindRejectChunks(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := testEnv(t, mem, "k")
	ds := fixture.Dossiers("KG", "Phường Kim Giang", 2*rejectChunk+10)
	for i := range ds {
		if i != 7 {
			ds[i].Channel = "Fax"
		}
	}
	wb := newMemBook(fixture.Sheet{Name: "DS", Rows: fixture.DossierGrid(nil, ds)})
	heads, err := (&extract.Scanner{Vocab: extract.NewVocab(testCatalog(t)), Units: env.Units}).Scan(wb, "hoso.csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := extract.Data(wb, &heads[0])
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var calls []int
	seen := map[int]bool{}
	r, err := NewDossierReader(env, rows, SheetContext{Head: &heads[0], OnRejects: func(rs []Reject) error {
		calls = append(calls, len(rs))
		for _, x := range rs {
			if seen[x.Row] || x.Code != "unknown_channel" {
				return fmt.Errorf("reject %+v given twice or with the wrong code", x)
			}
			seen[x.Row] = true
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	loaded := 0
	for r.Next() {
		loaded += int(r.RecordBatch().NumRows())
	}
	if r.Err() != nil || loaded != 1 || r.Loaded() != 1 {
		t.Fatalf("loaded %d (%d), err %v; want the one good row", loaded, r.Loaded(), r.Err())
	}
	if len(seen) != len(ds)-1 || len(calls) < 3 || len(r.Rejects()) != 0 {
		t.Errorf("%d rows rejected in calls of %v, %d held; want %d in chunks of at most %d, none held",
			len(seen), calls, len(r.Rejects()), len(ds)-1, rejectChunk)
	}
	for _, n := range calls {
		if n > rejectChunk {
			t.Errorf("a chunk of %d rejects, more than %d", n, rejectChunk)
		}
	}
}
