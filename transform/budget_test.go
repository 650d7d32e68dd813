package transform

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/internal/fixture"
)

// TestDossierBatchesBoundedInBytes: rows of large cells close a batch at
// batchBytes of text, and their rejects are handed over at rejectBytes:
// what the reader holds does not grow with the sheet (here with bounds of
// 1 MiB and 512 KiB, and cells of 64 KiB).
func TestDossierBatchesBoundedInBytes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := testEnv(t, mem, "k")
	defer func(b, r int) { batchBytes, rejectBytes = b, r }(batchBytes, rejectBytes)
	batchBytes, rejectBytes = 1<<20, 1<<19
	big := strings.Repeat("x", 64<<10)
	ds := fixture.Dossiers("KG", "Phường Kim Giang", 40)
	for i := range ds {
		ds[i].Procedure = big + strconv.Itoa(i)
		if i >= 20 {
			ds[i].Received = big // each a reject quoting 64 KiB, three times
		}
	}
	got := readSheet(t, env, newMemBook(fixture.Sheet{Name: "DS", Rows: fixture.DossierGrid(nil, ds)}), "hoso.xlsx", extract.KindDossiers)
	rows := got.rows[TableDossierRows]
	if len(rows) != 20 || rows[19]["procedure_name"] != big+"19" {
		t.Fatalf("%d rows loaded, want 20", len(rows))
	}
	// 16 rows of 64 KiB fill a batch of 1 MiB.
	if got.batches[TableDossierRows] != 2 {
		t.Errorf("%d batches, want 2 (16 + 4 rows)", got.batches[TableDossierRows])
	}
	if len(got.rejects) != 20 {
		t.Fatalf("%d rejects, want 20", len(got.rejects))
	}
	for _, n := range got.chunks {
		if n > 3 {
			t.Errorf("rejects handed over in chunks of %v: more than 3 of 192 KiB at once", got.chunks)
			break
		}
	}
}

// TestReportBoundedInBytes: a sheet that reads as a unit report but holds
// more than reportBytes of text fails: a report is read whole (here a bound
// of 1 MiB, and 40 lines of 80 KiB).
func TestReportBoundedInBytes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	env := testEnv(t, mem, "k")
	defer func(b int) { reportBytes = b }(reportBytes)
	reportBytes = 1 << 20
	report := fixture.UnitReport("UBND PHƯỜNG NHÂN CHÍNH", "QUÝ I NĂM 2024", map[string]any{})
	var lines [][]any
	for i := range 40 {
		lines = append(lines, []any{strconv.Itoa(100 + i), strings.Repeat("dòng lạ ", 1<<13), "", "1"})
	}
	end := len(report.Rows) - 2 // the signatures
	report.Rows = append(report.Rows[:end:end], append(lines, report.Rows[end:]...)...)
	wb := newMemBook(report)
	heads, err := (&extract.Scanner{Vocab: extract.NewVocab(testCatalog(t)), Units: env.Units}).Scan(wb, "nhan-chinh_2024-Q1.xlsx")
	if err != nil || len(heads) != 1 || heads[0].Layout.Kind != extract.KindUnitReport {
		t.Fatalf("heads %+v, %v", heads, err)
	}
	rows, err := extract.Data(wb, &heads[0])
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	kind, _ := KindOf(extract.KindUnitReport)
	out, err := kind.Read(env, rows, SheetContext{Head: &heads[0], OnRejects: func([]Reject) error { return nil }})
	if out != nil {
		out.Release()
	}
	if !errors.Is(err, extract.ErrTooLarge) || !strings.Contains(err.Error(), "holds more than 1 MiB of text: not one unit's report") {
		t.Errorf("err = %v", err)
	}
}
