package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/thanhxuan/cchc/internal/render"
	"github.com/thanhxuan/cchc/internal/warehouse"
)

// TestStatusQualityGolden prints, as `cchc status` does, the status that the
// warehouse package's quality test reads (a period not complete, KPIs that
// left rows out, disagreements, a mostly rejected file, late reports whose
// times come from a file and from a person's record): the JSON printed again
// is the same document, and the text is the golden text.
func TestStatusQualityGolden(t *testing.T) {
	b, err := os.ReadFile("../../../internal/warehouse/testdata/status/quality.json")
	if err != nil {
		t.Fatal(err)
	}
	var st warehouse.Status
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	var js, text strings.Builder
	if err := writeStatusJSON(&js, &st); err != nil {
		t.Fatal(err)
	}
	if js.String() != string(b) {
		t.Errorf("status --json prints\n%s\nnot the document it read:\n%s", js.String(), b)
	}
	render.StatusText(&text, &st)
	goldenFile(t, "status", "quality.txt", text.String())
	for _, w := range []string{
		"KỲ CHƯA ĐỦ SỐ LIỆU / PERIOD NOT COMPLETE: số liệu mới có đến 2024-02-28, kỳ kết thúc 2024-03-04",
		"nhận / received 2024-03-08 08:00 (do người ghi / recorded)",
		"nhận / received 2024-03-07 10:00 (theo thời điểm tệp / file time)",
		"timeliness disagrees with their dates: 2",
		"(tthc_eid_rate): 13 dòng không tính",
		"ho-so/hoso_ha-dinh.csv  40% bị loại / rejected (2/5)  đơn vị / units ha_dinh",
	} {
		if !strings.Contains(text.String(), w) {
			t.Errorf("status does not say %q:\n%s", w, text.String())
		}
	}

	// A complete period says so, with the date its data run through.
	st.Quality.Coverage = &warehouse.Coverage{LastDay: "2024-03-04", DataThrough: "2024-03-04", Complete: true}
	text.Reset()
	render.StatusText(&text, &st)
	if !strings.Contains(text.String(), "kỳ đủ số liệu / period complete: số liệu đến hết / data through 2024-03-04") || strings.Contains(text.String(), "CHƯA ĐỦ") {
		t.Errorf("a complete period:\n%s", text.String())
	}
}
