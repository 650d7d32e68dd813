package cli

import (
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
	text, st := printStatus(t, "../../../internal/warehouse/testdata/status/quality.json")
	goldenFile(t, "status", "quality.txt", text)
	for _, w := range []string{
		"KỲ CHƯA ĐỦ SỐ LIỆU / PERIOD NOT COMPLETE: số liệu mới có đến 2024-02-28, kỳ kết thúc 2024-03-04",
		"nhận / received 2024-03-08 08:00 (do người ghi / recorded)",
		"nhận / received 2024-03-07 10:00 (theo thời điểm tệp / file time)",
		"timeliness disagrees with their dates: 2",
		"(tthc_eid_rate): 13 dòng không tính",
		"ho-so/hoso_ha-dinh.csv  40% bị loại / rejected (2/5)  đơn vị / units ha_dinh",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("status does not say %q:\n%s", w, text)
		}
	}

	// A complete period says so, with the date its data run through.
	st.Quality.Coverage = &warehouse.Coverage{LastDay: "2024-03-04", DataThrough: "2024-03-04", Complete: true}
	var again strings.Builder
	render.StatusText(&again, st)
	text = again.String()
	if !strings.Contains(text, "kỳ đủ số liệu / period complete: số liệu đến hết / data through 2024-03-04") || strings.Contains(text, "CHƯA ĐỦ") {
		t.Errorf("a complete period:\n%s", text)
	}
}
