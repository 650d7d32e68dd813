package transform

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/thanhxuan/cchc/seeds"
)

func testValues(t *testing.T) *Values {
	t.Helper()
	c, err := seeds.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	return NewValues(c)
}

// TestEverySeedValueMatches runs every value alias of the seeds through the
// matcher, as written and as exports garble it: each must give its own value
// (no wording that matched before stops matching).
func TestEverySeedValueMatches(t *testing.T) {
	v := testValues(t)
	c, _ := seeds.Load(nil)
	n := 0
	for _, a := range c.Values {
		for _, written := range []string{a.Alias, strings.ToUpper(a.Alias), norm.NFD.String(a.Alias), " " + a.Alias + " ", a.Alias + "."} {
			m, ok := v.Match(a.Domain, written)
			if !ok || m.Value != a.Value || m.Timeliness != "" {
				t.Errorf("%s: %s %q → %q %v (%s), want %q", a.Source, a.Domain, written, m.Value, ok, m.Rule, a.Value)
			}
			if ok && (m.Source.File != "value_map.csv" || m.Source.Line < 2) {
				t.Errorf("%s %q: no seed row in the evidence: %+v", a.Domain, written, m)
			}
			n++
		}
	}
	if n < 400 {
		t.Fatalf("only %d wordings checked", n)
	}
}

func TestValueRulesOfSection35(t *testing.T) {
	v := testValues(t)
	tests := []struct {
		domain, raw string
		value, when string // when: the timeliness stated beside a status
		rule        string
	}{
		{"status", "Đã trả - Trễ hạn", "resolved", "late", ValueWithTimeliness},
		{"status", "Đã trả kết quả (trước hạn)", "resolved", "early", ValueWithTimeliness},
		{"status", "Đang xử lý - Quá hạn", "processing", "late", ValueWithTimeliness},
		{"status", "Đã trả - Sớm hạn", "resolved", "early", ValueWithTimeliness},
		{"status", "Đã trả kết quả (trễ hạn)", "resolved", "late", ValueWithTimeliness},
		{"status", "Đang giải quyết, quá hạn 3 ngày", "processing", "late", ValueWithTimeliness},
		{"status", "Đang xử lý - Còn hạn", "processing", "on_time", ValueWithTimeliness},
		{"status", "ĐÃ TRẢ KQ - ĐÚNG HẠN", "resolved", "on_time", ValueWithTimeliness},
		{"status", "Đã trả - Quá hạn (2 ngày)", "resolved", "late", ValueWithTimeliness},
		{"status", "Hồ sơ đã trả kết quả trước hạn", "resolved", "early", ValueContains},
		{"status", "Hồ sơ đã trả kết quả", "resolved", "", ValueContains},
		{"status", "Từ chối tiếp nhận hồ sơ", "refused", "", ValueContains},
		{"status", "Không được tiếp nhận", "refused", "", ValueExact},
		{"status", "Trả lại/Xin rút", "withdrawn", "", ValueExact},
		{"status", "9", "resolved", "", ValueExact},
		{"status", "10.0", "resolved", "", ValueExcelNumber},
		{"status", "Đã trả kết quả (qua bưu điện)", "resolved", "", ValueParenDropped},
		{"channel", "2.0", "online", "", ValueExcelNumber},
		{"channel", "Nộp hồ sơ trực tuyến", "online", "", ValueExact},
		{"channel", "Qua mạng (Cổng DVC)", "online", "", ValueParenDropped},
		{"service_level", "4", "full", "", ValueExact},
		{"service_level", "Mức độ 4 (toàn trình)", "full", "", ValueParenDropped},
		{"service_level", "Dịch vụ công trực tuyến toàn trình", "full", "", ValueExact},
		{"yes_no", "Chưa số hóa kết quả", "false", "", ValueContains},
		{"yes_no", "Đã số hóa (bản điện tử)", "true", "", ValueParenDropped},
		{"yes_no", "Không số hóa", "false", "", ValueExact},
		{"channel", "Trùc tuyÕn", "online", "", ValueTCVN3},
	}
	for _, tt := range tests {
		m, ok := v.Match(tt.domain, tt.raw)
		if !ok || m.Value != tt.value || m.Timeliness != tt.when || m.Rule != tt.rule {
			t.Errorf("Match(%s, %q) = %q %q by %q, %v; want %q %q by %q", tt.domain, tt.raw, m.Value, m.Timeliness, m.Rule, ok, tt.value, tt.when, tt.rule)
		}
	}
	for _, tt := range []struct{ domain, raw string }{
		{"status", "Đang thẩm định"},
		{"status", "Quá hạn"},           // a timeliness is no status
		{"status", "Đã trả - Bưu điện"}, // what follows is no timeliness, and Đã trả is two words
		{"status", "Đã trả quá hạn"},    // a two-word status matches only whole
		{"channel", "Qua Zalo"},
		{"service_level", "Mức độ hài lòng"},
		{"yes_no", "Có thể"},
	} {
		if m, ok := v.Match(tt.domain, tt.raw); ok {
			t.Errorf("Match(%s, %q) = %q by %q, want no match", tt.domain, tt.raw, m.Value, m.Rule)
		}
	}
}

func TestValueTieIsNoMatch(t *testing.T) {
	c, err := seeds.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Values = append(c.Values,
		seeds.ValueAlias{Domain: "status", Value: "processing", Alias: "Chờ ký số hồ sơ"},
		seeds.ValueAlias{Domain: "status", Value: "resolved", Alias: "Chờ ký số hồ sơ"})
	v := NewValues(c)
	m, ok := v.Match("status", "Chờ ký số hồ sơ điện tử")
	if ok || m.Rule != ValueAmbiguous || !reflect.DeepEqual(m.Candidates, []string{"processing", "resolved"}) {
		t.Errorf("tie: %+v, %v", m, ok)
	}
}

// FieldGroupMatch names the row of field_groups.csv behind a group; a field
// that no row names is other, without a row.
func TestFieldGroupMatch(t *testing.T) {
	v := testValues(t)
	c, _ := seeds.Load(nil)
	for _, g := range c.FieldGroups {
		group, src, ok := v.FieldGroupMatch(strings.ToUpper(g.Alias))
		if !ok || group != g.Code || src != g.Source {
			t.Errorf("FieldGroupMatch(%q) = %q, %+v, %v; want %q at %+v", g.Alias, group, src, ok, g.Code, g.Source)
		}
	}
	if group, src, ok := v.FieldGroupMatch("Hộ tịch"); ok || group != "other" || src.File != "" {
		t.Errorf("FieldGroupMatch(Hộ tịch) = %q, %+v, %v; want other without a row", group, src, ok)
	}
}
