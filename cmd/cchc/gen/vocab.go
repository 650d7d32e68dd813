package gen

import (
	"fmt"
	"strings"
)

// unit is one ward or department of CONTRACT section 1, with what the generator
// needs to invent its workload.
type unit struct {
	Code  string
	Name  string // "Phường Hạ Đình", "Phòng Tư pháp"
	Short string // the X of "Phường X" / "Phòng X"
	Ward  bool
	Num   int      // the portal's agency number in dossier ids (H14.2024-…)
	Field []string // fields (lĩnh vực) the unit resolves
}

var wardFields = []string{"Hộ tịch", "Chứng thực", "Bảo trợ xã hội", "Người có công", "Thi đua, khen thưởng", "Đất đai"}

var units = []*unit{
	{"ha_dinh", "Phường Hạ Đình", "Hạ Đình", true, 10, wardFields},
	{"khuong_dinh", "Phường Khương Đình", "Khương Đình", true, 11, wardFields},
	{"khuong_mai", "Phường Khương Mai", "Khương Mai", true, 12, wardFields},
	{"khuong_trung", "Phường Khương Trung", "Khương Trung", true, 13, wardFields},
	{"kim_giang", "Phường Kim Giang", "Kim Giang", true, 14, wardFields},
	{"nhan_chinh", "Phường Nhân Chính", "Nhân Chính", true, 15, wardFields},
	{"phuong_liet", "Phường Phương Liệt", "Phương Liệt", true, 16, wardFields},
	{"thanh_xuan_bac", "Phường Thanh Xuân Bắc", "Thanh Xuân Bắc", true, 17, wardFields},
	{"thanh_xuan_nam", "Phường Thanh Xuân Nam", "Thanh Xuân Nam", true, 18, wardFields},
	{"thanh_xuan_trung", "Phường Thanh Xuân Trung", "Thanh Xuân Trung", true, 19, wardFields},
	{"thuong_dinh", "Phường Thượng Đình", "Thượng Đình", true, 20, wardFields},
	{"tai_nguyen_moi_truong", "Phòng Tài nguyên và Môi trường", "Tài nguyên và Môi trường", false, 21,
		[]string{"Đất đai", "Môi trường", "Tài nguyên nước", "Khoáng sản"}},
	{"tai_chinh_ke_hoach", "Phòng Tài chính - Kế hoạch", "Tài chính - Kế hoạch", false, 22,
		[]string{"Đăng ký kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", "Kế hoạch và đầu tư"}},
	{"quan_ly_do_thi", "Phòng Quản lý đô thị", "Quản lý đô thị", false, 23,
		[]string{"Xây dựng", "Quy hoạch xây dựng", "Hạ tầng kỹ thuật"}},
	{"kinh_te", "Phòng Kinh tế", "Kinh tế", false, 24,
		[]string{"An toàn thực phẩm", "Lưu thông hàng hóa trong nước", "Thành lập và hoạt động của hộ kinh doanh", "Đăng ký kinh doanh"}},
	{"tu_phap", "Phòng Tư pháp", "Tư pháp", false, 25, []string{"Chứng thực", "Hộ tịch", "Bồi thường nhà nước"}},
	{"lao_dong_tbxh", "Phòng Lao động - Thương binh và Xã hội", "Lao động - Thương binh và Xã hội", false, 26,
		[]string{"Bảo trợ xã hội", "Người có công", "Việc làm"}},
	{"noi_vu", "Phòng Nội vụ", "Nội vụ", false, 27, []string{"Thi đua, khen thưởng", "Tôn giáo", "Công chức, viên chức"}},
	{"van_phong", "Văn phòng HĐND và UBND quận", "Văn phòng HĐND và UBND quận", false, 28, []string{"Đầu tư", "Kế hoạch và đầu tư"}},
	{"van_hoa_thong_tin", "Phòng Văn hóa và Thông tin", "Văn hóa và Thông tin", false, 29, []string{"Văn hóa", "Thể dục thể thao"}},
}

func unitByCode(code string) *unit {
	for _, u := range units {
		if u.Code == code {
			return u
		}
	}
	return nil
}

// DefaultUnits returns the unit codes Default() uses: the eleven wards and the
// departments whose workload covers every field group.
func DefaultUnits() []string {
	var out []string
	for _, u := range units {
		if u.Ward {
			out = append(out, u.Code)
		}
	}
	return append(out, "kinh_te", "tu_phap", "quan_ly_do_thi", "tai_nguyen_moi_truong", "noi_vu", "van_phong")
}

// aliases lists the unit names of CONTRACT section 1 that must match the unit.
func (u *unit) aliases() []string {
	switch {
	case u.Code == "van_phong":
		return []string{u.Name}
	case u.Ward:
		return []string{u.Short, "Phường " + u.Short, "P. " + u.Short, "UBND phường " + u.Short,
			"Ủy ban nhân dân phường " + u.Short, "UBND Phường " + u.Short}
	default:
		a := []string{"Phòng " + u.Short, u.Short, "UBND Phòng " + u.Short, "UBND " + u.Short}
		if u.Code == "tai_chinh_ke_hoach" {
			a = append(a, "Phòng TC-KH")
		}
		return a
	}
}

// titleName is how a unit names itself in the heading of its own documents.
func (u *unit) titleName() string {
	switch {
	case u.Code == "van_phong":
		return "VĂN PHÒNG HĐND VÀ UBND QUẬN"
	case u.Ward:
		return "UBND PHƯỜNG " + strings.ToUpper(u.Short)
	default:
		return "PHÒNG " + strings.ToUpper(u.Short)
	}
}

// fileToken is the unit's X spelled for a file name (CONTRACT 1: folded, with
// separators that the matcher drops). van_phong has no usable X, so callers
// never rely on a file name alone for it.
func (u *unit) fileToken(r *rng) string {
	words := strings.Fields(strings.ReplaceAll(stripDia(u.Short), "-", " "))
	switch r.intn(5) {
	case 0:
		return strings.ToLower(strings.Join(words, "-"))
	case 1:
		return strings.ToLower(strings.Join(words, "_"))
	case 2:
		for i, w := range words {
			words[i] = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
		}
		return strings.Join(words, "")
	case 3:
		return strings.ToLower(strings.Join(words, ""))
	default:
		prefix := "Phuong "
		if !u.Ward {
			prefix = "Phong "
		}
		return prefix + strings.Join(words, " ")
	}
}

// procedure is one administrative procedure (TTHC) with the working days the
// law allows and the service level the portal offers for it.
type procedure struct {
	Code, Name string
	Days       int
	Level      string // full, partial, none
}

var procedures = map[string][]procedure{
	"Hộ tịch": {
		{"1.001193", "Đăng ký khai sinh", 1, "full"}, {"1.000894", "Đăng ký kết hôn", 3, "partial"},
		{"1.000656", "Đăng ký khai tử", 1, "full"}, {"2.000635", "Cấp bản sao trích lục hộ tịch", 1, "full"},
	},
	"Chứng thực": {
		{"2.000815", "Chứng thực bản sao từ bản chính", 1, "partial"}, {"2.000884", "Chứng thực chữ ký", 1, "none"},
		{"2.001035", "Chứng thực hợp đồng, giao dịch", 2, "none"},
	},
	"Bảo trợ xã hội": {
		{"1.001776", "Trợ cấp xã hội hằng tháng", 15, "partial"}, {"1.001731", "Hỗ trợ chi phí mai táng", 5, "partial"},
	},
	"Người có công": {
		{"1.010801", "Giải quyết chế độ người có công", 12, "partial"},
		{"1.002271", "Cấp giấy giới thiệu đi thăm viếng mộ liệt sĩ", 5, "full"},
	},
	"Thi đua, khen thưởng": {
		{"1.000748", "Tặng Giấy khen của Chủ tịch UBND cấp xã", 10, "partial"},
		{"1.000775", "Tặng Giấy khen của Chủ tịch UBND cấp huyện", 15, "partial"},
	},
	"Đất đai": {
		{"1.004227", "Xác nhận nguồn gốc đất", 10, "none"}, {"1.003010", "Đăng ký biến động quyền sử dụng đất", 10, "partial"},
		{"1.004193", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", 20, "partial"},
	},
	"Môi trường":      {{"1.010733", "Đăng ký kế hoạch bảo vệ môi trường", 10, "full"}},
	"Tài nguyên nước": {{"1.004122", "Cấp phép khai thác nước dưới đất", 15, "partial"}},
	"Khoáng sản":      {{"1.000778", "Đăng ký khai thác khoáng sản làm vật liệu xây dựng thông thường", 20, "partial"}},
	"Xây dựng": {
		{"1.009794", "Cấp giấy phép xây dựng nhà ở riêng lẻ", 15, "partial"}, {"1.009795", "Điều chỉnh giấy phép xây dựng", 10, "partial"},
	},
	"Quy hoạch xây dựng": {{"1.008455", "Cung cấp thông tin quy hoạch", 7, "full"}},
	"Hạ tầng kỹ thuật":   {{"1.009971", "Cấp giấy phép chặt hạ, dịch chuyển cây xanh", 10, "partial"}},
	"Đăng ký kinh doanh": {{"2.000720", "Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh", 3, "full"}},
	"Thành lập và hoạt động của hộ kinh doanh": {
		{"2.000575", "Đăng ký thành lập hộ kinh doanh", 3, "full"}, {"1.001612", "Tạm ngừng hoạt động hộ kinh doanh", 3, "full"},
	},
	"Kế hoạch và đầu tư":            {{"1.009645", "Thẩm định nguồn vốn dự án đầu tư công", 15, "none"}},
	"Đầu tư":                        {{"1.009740", "Quyết định chủ trương đầu tư dự án", 20, "none"}},
	"An toàn thực phẩm":             {{"1.001614", "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", 15, "partial"}},
	"Lưu thông hàng hóa trong nước": {{"2.000181", "Cấp Giấy phép bán lẻ sản phẩm thuốc lá", 10, "partial"}},
	"Bồi thường nhà nước":           {{"2.002165", "Giải quyết yêu cầu bồi thường tại cơ quan trực tiếp quản lý", 30, "none"}},
	"Việc làm":                      {{"1.001823", "Giải quyết hưởng trợ cấp thất nghiệp", 15, "full"}},
	"Tôn giáo":                      {{"1.001078", "Đăng ký hoạt động tín ngưỡng", 15, "partial"}},
	"Công chức, viên chức":          {{"1.005388", "Thi tuyển viên chức", 30, "none"}},
	"Văn hóa":                       {{"1.001029", "Cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke", 5, "full"}},
	"Thể dục thể thao":              {{"1.000963", "Công nhận câu lạc bộ thể thao cơ sở", 7, "partial"}},
}

// FieldGroup maps a field (lĩnh vực) to its group of CONTRACT 5.
func FieldGroup(field string) string {
	switch field {
	case "Đất đai", "Môi trường", "Tài nguyên nước", "Khoáng sản", "Tài nguyên và môi trường":
		return "tnmt"
	case "Đăng ký kinh doanh", "Thành lập và hoạt động của hộ kinh doanh", "Kế hoạch và đầu tư", "Đầu tư":
		return "khdt"
	}
	return "other"
}

var (
	familyNames = []string{"Nguyễn", "Nguyễn", "Nguyễn", "Trần", "Trần", "Lê", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý", "Phan", "Trịnh"}
	middleNames = []string{"Văn", "Thị", "Đức", "Minh", "Ngọc", "Quang", "Thanh", "Hữu", "Thu", "Phương", "Hoài", "Xuân"}
	givenNames  = []string{"An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hải", "Hằng", "Hùng", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Sơn", "Thảo", "Trang", "Tuấn", "Việt", "Yến", "Hiếu", "Khánh", "Oanh"}
	streets     = []string{"Nguyễn Trãi", "Nguyễn Huy Tưởng", "Lê Văn Lương", "Khương Trung", "Kim Giang", "Hoàng Văn Thái", "Vũ Trọng Phụng", "Quan Nhân", "Trường Chinh", "Nguyễn Tuân", "Nguyễn Xiển", "Khuất Duy Tiến", "Ngụy Như Kon Tum", "Lê Trọng Tấn", "Bùi Xương Trạch", "Giải Phóng"}
	staffNames  = []string{"CB một cửa", "Nguyễn Thị Hoa", "Trần Văn Bình", "Lê Thu Hương", "Phạm Minh Đức"}
)

func personName(r *rng) string {
	return pick(r, familyNames) + " " + pick(r, middleNames) + " " + pick(r, givenNames)
}

// cccdNumber draws a 12-digit citizen id; the first three digits are a
// province code, so leading zeros are common and the id must stay text.
func cccdNumber(r *rng) string {
	return fmt.Sprintf("%03d%d%02d%06d", r.between(1, 96), r.intn(4), r.intn(100), r.intn(1000000))
}

func phoneNumber(r *rng) string {
	return fmt.Sprintf("%s%07d", pick(r, []string{"090", "091", "093", "094", "096", "097", "098", "086", "088", "035", "039"}), r.intn(10000000))
}

func address(r *rng) string {
	switch r.intn(4) {
	case 0:
		return fmt.Sprintf("Số %d %s", r.between(1, 300), pick(r, streets))
	case 1:
		return fmt.Sprintf("Số %d ngách %d/%d %s", r.between(1, 60), r.between(1, 300), r.between(1, 90), pick(r, streets))
	default:
		return fmt.Sprintf("Số %d ngõ %d %s", r.between(1, 200), r.between(1, 300), pick(r, streets))
	}
}

// Value vocabularies of CONTRACT 3.1: every text variant and the portal codes.
var (
	channelText = map[string][]string{
		"online":  {"Trực tuyến", "Nộp trực tuyến", "Qua mạng", "DVC trực tuyến"},
		"counter": {"Trực tiếp", "Tại quầy", "Nộp trực tiếp", "Bộ phận một cửa"},
		"postal":  {"Bưu chính", "Bưu chính công ích", "BCCI", "Qua bưu điện"},
	}
	channelCode = map[string]string{"online": "2", "counter": "1", "postal": "3"}
	levelText   = map[string][]string{
		"full":    {"Toàn trình", "DVC toàn trình", "Mức độ 4", "Mức 4"},
		"partial": {"Một phần", "DVC một phần", "Mức độ 3", "Mức 3"},
		"none":    {"", "Mức độ 2", "Cung cấp thông tin"},
	}
	statusText = map[string][]string{
		"resolved":   {"Đã trả kết quả", "Đã giải quyết", "Hoàn thành", "Đã có kết quả", "Đã xử lý xong"},
		"processing": {"Đang giải quyết", "Đang xử lý", "Chờ bổ sung", "Yêu cầu bổ sung", "Tạm dừng"},
		"withdrawn":  {"Rút hồ sơ", "Công dân rút", "Công dân yêu cầu rút hồ sơ", "Hủy"},
		"refused":    {"Từ chối", "Không giải quyết", "Không được tiếp nhận", "Dừng xử lý"},
	}
	statusCodes = map[string][]string{
		"resolved": {"9", "10"}, "processing": {"1", "2", "4", "5", "6"}, "withdrawn": {"7"}, "refused": {"3", "8"},
	}
	// yesNoPairs are the (yes, no) spellings one export system would use.
	yesNoPairs = [][2]string{{"Có", "Không"}, {"x", ""}, {"X", "0"}, {"1", "0"}, {"TRUE", "FALSE"}, {"Có", "Chưa"}, {"x", "Không"}}
	yesNoAll   = [2][]string{{"Có", "x", "X", "1", "TRUE"}, {"Không", "", "0", "Chưa", "FALSE"}}
)

// Header vocabularies of CONTRACT 3.1, in the contract's order (the first one
// is what a clean export writes).
var dossierHeaders = map[string][]string{
	"dossier_id":        {"Mã hồ sơ", "Số hồ sơ", "Mã HS"},
	"procedure_code":    {"Mã TTHC", "Mã thủ tục"},
	"procedure_name":    {"Tên thủ tục", "Tên TTHC", "Thủ tục hành chính"},
	"field":             {"Lĩnh vực", "Lĩnh vực giải quyết"},
	"unit":              {"Đơn vị tiếp nhận", "Cơ quan giải quyết", "Nơi tiếp nhận", "Đơn vị"},
	"received_at":       {"Ngày tiếp nhận", "Ngày nhận hồ sơ", "Thời gian tiếp nhận"},
	"due_at":            {"Ngày hẹn trả", "Hạn xử lý", "Hạn giải quyết", "Ngày hẹn trả kết quả"},
	"completed_at":      {"Ngày kết thúc xử lý", "Ngày trả kết quả", "Ngày hoàn thành", "Ngày có kết quả", "Ngày trả"},
	"channel":           {"Hình thức nộp", "Hình thức tiếp nhận", "Kênh tiếp nhận"},
	"service_level":     {"Mức độ DVC", "Mức độ dịch vụ công", "Loại DVC"},
	"status":            {"Trạng thái", "Tình trạng hồ sơ"},
	"result_digitized":  {"Số hóa kết quả", "Đã số hóa", "Kết quả được số hóa"},
	"eid_verified":      {"Xác thực VNeID", "Định danh điện tử"},
	"applicant_name":    {"Người nộp", "Chủ hồ sơ"},
	"applicant_id":      {"Số CCCD"},
	"applicant_phone":   {"Số điện thoại"},
	"applicant_address": {"Địa chỉ"},
	"stt":               {"STT"},
	"x_trich_yeu":       {"Trích yếu"},
	"x_so_theo_doi":     {"Sổ theo dõi"},
	"x_nguoi_xu_ly":     {"Người xử lý"},
	"x_ghi_chu":         {"Ghi chú"},
}

// Children of the merged `Ngày` parent in two-row headers; parent + child reads
// as one of the date headers above.
var dateChildren = map[string][]string{
	"received_at":  {"Tiếp nhận", "Nhận hồ sơ"},
	"due_at":       {"Hẹn trả", "Hẹn trả kết quả"},
	"completed_at": {"Trả kết quả", "Hoàn thành", "Có kết quả", "Kết thúc xử lý", "Trả"},
}

var unknownValues = map[string][]string{
	"x_trich_yeu":   {"Hồ sơ đầy đủ", "", "CB một cửa", "Bổ sung giấy tờ", ""},
	"x_so_theo_doi": {"", "Sổ 01/2024", "", "Sổ 02/2024"},
	"x_nguoi_xu_ly": staffNames,
	"x_ghi_chu":     {"", "", "Trả qua bưu điện", "Đã liên hệ công dân", ""},
}

// Values of unit names that belong to no unit of the district (planted
// unknown_unit rejects).
var foreignUnits = []string{"Phường Hà Cầu", "UBND phường Láng Hạ", "P. Mỹ Đình 1", "Phường Đại Kim"}
var unknownChannels = []string{"Qua Zalo", "Email", "Qua điện thoại"}
var unknownStatuses = []string{"Đang thẩm định", "Chờ ký duyệt", "Chuyển phòng chuyên môn"}

// Wordings of real exports beyond CONTRACT 3.1 (section 3.5): more header
// aliases, hints in parentheses, headers that hold an alias, status with
// timeliness, more value wordings and the portal's service level codes.
var (
	dossierHeaders35 = map[string][]string{
		"dossier_id":       {"Mã số hồ sơ", "Số biên nhận"},
		"procedure_name":   {"Thủ tục", "Tên thủ tục hành chính"},
		"field":            {"Tên lĩnh vực"},
		"received_at":      {"Ngày nhận", "Ngày giờ tiếp nhận", "Ngày nộp hồ sơ", "Ngày nộp"},
		"due_at":           {"Hẹn trả kết quả", "Ngày hẹn trả KQ", "Hạn trả kết quả"},
		"completed_at":     {"Ngày trả thực tế", "Ngày có KQ"},
		"channel":          {"Loại tiếp nhận", "Kênh thực hiện", "Nguồn tiếp nhận"},
		"service_level":    {"Mức độ", "Mức DVC"},
		"status":           {"Trạng thái xử lý", "Tình trạng"},
		"result_digitized": {"Số hóa", "Đã số hóa KQ"},
		"applicant_name":   {"Người đăng ký", "Tên người nộp", "Họ tên người nộp"},
		"applicant_id":     {"CMND/CCCD", "Số giấy tờ tùy thân"},
		"applicant_phone":  {"Điện thoại"},
	}
	// headerHints are what exports write in parentheses after a header.
	headerHints = map[string][]string{
		"received_at":      {"(dd/mm/yyyy)", "(dd/mm/yyyy hh:mm)"},
		"due_at":           {"(dd/mm/yyyy)", "(ngày/tháng/năm)"},
		"completed_at":     {"(dd/mm/yyyy)", "(nếu có)"},
		"result_digitized": {"(Có/Không)", "(x)"},
		"eid_verified":     {"(x)", "(Có/Không)"},
		"service_level":    {"(2/3/4)", "(mức 2, 3, 4)"},
		"status":           {"(theo hệ thống)"},
		"dossier_id":       {"(*)"},
	}
	// headerTails lengthen a header of three or more words into one that
	// holds it as a run of whole words.
	headerTails = map[string]string{
		"Ngày tiếp nhận": " hồ sơ", "Mã hồ sơ": " một cửa", "Hình thức nộp": " hồ sơ", "Tình trạng hồ sơ": " hiện tại",
		"Ngày hẹn trả": " kết quả dự kiến", "Lĩnh vực giải quyết": " TTHC", "Ngày trả kết quả": " cho công dân",
		"Kênh tiếp nhận": " hồ sơ", "Xác thực VNeID": " của người nộp",
	}

	channelText35 = map[string][]string{
		"online": {"Nộp hồ sơ trực tuyến", "Cổng dịch vụ công"},
		"postal": {"Dịch vụ bưu chính", "Nộp qua bưu chính"},
	}
	levelText35 = map[string][]string{
		"full":    {"DVC TT toàn trình", "Dịch vụ công trực tuyến toàn trình"},
		"partial": {"DVC TT một phần", "Dịch vụ công trực tuyến một phần"},
	}
	levelCode    = map[string]string{"full": "4", "partial": "3", "none": "2"}
	statusText35 = map[string][]string{
		"resolved":   {"Đã trả KQ", "Đã trả", "Chờ trả kết quả", "Chờ trả KQ"},
		"processing": {"Đang thụ lý", "Được tiếp nhận", "Mới tiếp nhận", "Chờ thực hiện nghĩa vụ tài chính", "Yêu cầu thực hiện nghĩa vụ tài chính"},
		"withdrawn":  {"Trả lại/Xin rút", "Rút không giải quyết", "Xin rút"},
		"refused":    {"Bị từ chối", "Từ chối HS", "Từ chối tiếp nhận"},
	}
	// timelinessText is how a status cell states the timeliness beside the
	// status; a late one may carry its count of days.
	timelinessText = map[string][]string{
		"early":   {"Trước hạn", "Sớm hạn"},
		"on_time": {"Đúng hạn", "Trong hạn", "Còn hạn"},
		"late":    {"Trễ hạn", "Quá hạn", "Chậm hạn", "Trễ hẹn", "Quá hạn %d ngày"},
	}
	statusWithTimelinessForms = []string{"%s - %s", "%s (%s)", "%s, %s"}
	noText35                  = map[string][]string{"result_digitized": {"Chưa số hóa", "Không số hóa"}, "eid_verified": {"Chưa xác thực"}}
)
