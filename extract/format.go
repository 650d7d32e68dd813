package extract

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"unicode/utf16"

	"github.com/richardlehane/mscfb"
)

// sniffBytes is how much of a file's head OpenWorkbook reads for the formats
// to tell theirs: enough for a sniffer that skips a byte-order mark and white
// space before an XML or HTML prologue.
const sniffBytes = 512

// format is one kind of input file that OpenWorkbook reads, or knows well
// enough to refuse with a reason a person can act on. match is given the
// first sniffBytes of the file (fewer for a shorter file) and its extension
// in lower case with the dot; open owns the opened Workbook until it returns
// it.
type format struct {
	name  string
	match matcher
	open  func(path string, opt OpenOptions, stamp fileStamp) (Workbook, error)
}

// matcher tells a format by the head of a file and its extension.
type matcher func(head []byte, ext string) bool

// formats are tried in order; the first that matches opens the file. The
// content comes before the name: a workbook is read as what it is, whatever
// it is called, and the extension only decides for text, which has no magic
// bytes. A new reader joins with one line.
var formats = []format{
	{"ods", isOpenDocument, refuseOpenDocument},
	{"xlsx", hasPrefix("PK\x03\x04", "PK\x05\x06"), openPackage},
	{"ole2", hasPrefix("\xD0\xCF\x11\xE0"), openOLE2},
	{"spreadsheetml", isSpreadsheetML, openSpreadsheetML},
	{"html", isHTML, openHTML},
	{"other xml", isXML, refuse(errXML)},
	{"csv", extIs(".csv", ".txt", ".tsv"), openCSV},
	{"unicode text", isUTF16Text, openCSV},
	{"text named .xls", both(extIs(".xls"), isPlainText), openCSV},
	{"empty xlsx", both(isEmpty, extIs(".xlsx", ".xlsm")), refuse(errEmptyXLSX)},
	{"not an xlsx", extIs(".xlsx", ".xlsm"), refuse(errNotZip)},
	{"empty", isEmpty, refuse(errEmpty)},
}

var (
	errEmptyXLSX  = fmt.Errorf("%w: tệp rỗng (0 byte) / the file is empty", ErrUnreadable)
	errEmpty      = fmt.Errorf("%w: tệp rỗng (0 byte) / the file is empty", ErrUnknownFormat)
	errNotZip     = fmt.Errorf("%w: tệp hỏng hoặc không phải Excel (không phải tệp zip của xlsx) — hãy gửi lại / corrupt, or not an xlsx (zip) file: send it again", ErrUnreadable)
	errODS        = fmt.Errorf("%w: bảng tính OpenDocument (.ods, LibreOffice/OpenOffice) — hãy lưu lại dưới dạng .xlsx / an OpenDocument spreadsheet (.ods): save it as .xlsx", ErrUnknownFormat)
	errODF        = fmt.Errorf("%w: tài liệu OpenDocument không phải bảng tính (văn bản, trình chiếu…) / an OpenDocument file that is not a spreadsheet (text, presentation…)", ErrUnknownFormat)
	errOLE2Broken = fmt.Errorf("%w: tệp Office (OLE2) hỏng hoặc bị cắt cụt — hãy gửi lại / a corrupt or truncated Office (OLE2) file: send it again", ErrUnreadable)
	errXML        = fmt.Errorf("%w: tài liệu XML không phải bảng tính Excel 2003 XML (SpreadsheetML) / an XML document that is not an Excel 2003 XML workbook (SpreadsheetML)", ErrUnknownFormat)
)

// hasPrefix matches a file whose head starts with one of the magic strings.
func hasPrefix(magic ...string) matcher {
	return func(head []byte, _ string) bool {
		for _, m := range magic {
			if bytes.HasPrefix(head, []byte(m)) {
				return true
			}
		}
		return false
	}
}

// extIs matches a file by its extension (lower case, with the dot).
func extIs(exts ...string) matcher {
	return func(_ []byte, ext string) bool { return slices.Contains(exts, ext) }
}

// isEmpty matches a file of 0 bytes.
func isEmpty(head []byte, _ string) bool { return len(head) == 0 }

// both matches a file that a and b match.
func both(a, b matcher) matcher {
	return func(head []byte, ext string) bool { return a(head, ext) && b(head, ext) }
}

// refuse is the open of a format that is known but not read: it fails with err.
func refuse(err error) func(string, OpenOptions, fileStamp) (Workbook, error) {
	return func(string, OpenOptions, fileStamp) (Workbook, error) { return nil, err }
}

// openOLE2 opens an OLE2 container: an encrypted xlsx, or a legacy .xls
// (whatever its name).
func openOLE2(path string, opt OpenOptions, stamp fileStamp) (Workbook, error) {
	switch ole2Kind(path) {
	case "encrypted":
		return openEncrypted(path, opt, stamp)
	case "xls":
		return openXLS(path, opt, stamp)
	case "broken":
		return nil, errOLE2Broken
	}
	return nil, fmt.Errorf("%w: tệp Office dạng cũ (OLE2) không phải bảng tính / an OLE2 Office file that is not a workbook", ErrUnknownFormat)
}

// ole2Kind tells an encrypted OOXML package ("encrypted") from a legacy BIFF
// workbook ("xls") by the streams of the OLE2 container; "broken" for a
// container that cannot be read, "" for any other.
func ole2Kind(p string) (kind string) {
	defer func() {
		if recover() != nil {
			kind = "broken"
		}
	}()
	f, err := os.Open(p)
	if err != nil {
		return "broken"
	}
	defer f.Close()
	doc, err := mscfb.New(f)
	if err != nil {
		return "broken"
	}
	for e, err := doc.Next(); err == nil; e, err = doc.Next() {
		switch e.Name {
		case "EncryptedPackage", "EncryptionInfo":
			return "encrypted"
		case "Workbook", "Book":
			kind = "xls"
		}
	}
	return kind
}

// textHead is the head of a file read as text: UTF-16 (by its byte-order
// mark) decoded to UTF-8, a UTF-8 byte-order mark and leading white space
// dropped.
func textHead(head []byte) []byte {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		be := head[0] == 0xFE
		u := make([]uint16, 0, len(head)/2)
		for i := 2; i+1 < len(head); i += 2 {
			if be {
				u = append(u, uint16(head[i])<<8|uint16(head[i+1]))
			} else {
				u = append(u, uint16(head[i+1])<<8|uint16(head[i]))
			}
		}
		head = []byte(string(utf16.Decode(u)))
	default:
		head = bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	}
	return bytes.TrimLeft(head, " \t\r\n\f")
}

// markupHead is the lower-cased text head of a file that starts with markup
// ('<' after a byte-order mark and white space), with leading comments and
// an XML declaration dropped; nil for anything else.
func markupHead(head []byte) []byte {
	s := textHead(head)
	if len(s) == 0 || s[0] != '<' {
		return nil
	}
	s = bytes.ToLower(s)
	for {
		switch {
		case bytes.HasPrefix(s, []byte("<!--")):
			end := bytes.Index(s, []byte("-->"))
			if end < 0 {
				return s
			}
			s = s[end+3:]
		case bytes.HasPrefix(s, []byte("<?xml")):
			end := bytes.Index(s, []byte("?>"))
			if end < 0 {
				return s
			}
			s = s[end+2:]
		default:
			return s
		}
		s = bytes.TrimLeft(s, " \t\r\n\f")
	}
}

// isSpreadsheetML matches an Excel 2003 XML workbook: an XML document with
// the SpreadsheetML namespace or Excel's processing instruction in its head.
func isSpreadsheetML(head []byte, _ string) bool {
	s := textHead(head)
	if !bytes.HasPrefix(s, []byte("<")) || bytes.HasPrefix(bytes.ToLower(s), []byte("<html")) {
		return false
	}
	return bytes.Contains(s, []byte("urn:schemas-microsoft-com:office:spreadsheet")) ||
		bytes.Contains(s, []byte(`<?mso-application progid="Excel.Sheet"?>`))
}

// htmlStarts are the tags an HTML document or a web system's bare table
// export starts with.
var htmlStarts = []string{"<!doctype html", "<html", "<head", "<body", "<table", "<meta", "<title", "<style", "<link", "<script", "<div", "<center", "<p>", "<h1", "<h2", "<h3", "<font", "<br"}

// isHTML matches an HTML document (or a fragment that starts with a table),
// whatever its name: .xls, .htm, .html, .xlsx.
func isHTML(head []byte, _ string) bool {
	s := markupHead(head)
	if s == nil {
		return false
	}
	for _, t := range htmlStarts {
		if bytes.HasPrefix(s, []byte(t)) {
			return true
		}
	}
	// An XHTML document: the XML declaration was dropped, a DOCTYPE or the
	// html element follows within the head.
	return bytes.Contains(s, []byte("<html"))
}

// isXML matches any other XML document.
func isXML(head []byte, _ string) bool {
	return bytes.HasPrefix(textHead(head), []byte("<?xml"))
}

// isUTF16Text matches text with a UTF-16 byte-order mark (Excel's "Unicode
// Text"), whatever its name.
func isUTF16Text(head []byte, _ string) bool {
	return bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF})
}

// isPlainText matches a head that is text, not markup: no NUL or other
// control bytes than white space. Web systems save tab-separated text as
// .xls.
func isPlainText(head []byte, _ string) bool {
	s := textHead(head)
	if len(s) == 0 || s[0] == '<' {
		return false
	}
	for _, b := range s {
		if b < 0x20 && b != '\t' && b != '\r' && b != '\n' && b != '\f' {
			return false
		}
	}
	return true
}

// odfMime is where an OpenDocument package names its kind: the first entry
// of the zip, "mimetype", stored uncompressed.
const odfMime = "mimetypeapplication/vnd.oasis.opendocument."

// isOpenDocument matches an OpenDocument package (.ods, .odt, …), which is
// a zip like an xlsx.
func isOpenDocument(head []byte, _ string) bool {
	return bytes.HasPrefix(head, []byte("PK\x03\x04")) && bytes.Contains(head[:min(len(head), 128)], []byte(odfMime))
}

// refuseOpenDocument tells an OpenDocument spreadsheet from the other
// OpenDocument files; neither is read.
func refuseOpenDocument(path string, _ OpenOptions, _ fileStamp) (Workbook, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadable, err)
	}
	defer f.Close()
	head := make([]byte, 128)
	n, _ := io.ReadFull(f, head)
	if bytes.Contains(head[:n], []byte(odfMime+"spreadsheet")) {
		return nil, errODS
	}
	return nil, errODF
}

// knownOthers name the files of other kinds that inboxes collect, by their
// first bytes, for the message of a file that is not read.
var knownOthers = []struct{ magic, vi, en string }{
	{"%PDF", "tài liệu PDF", "a PDF document"},
	{"{\\rtf", "văn bản RTF", "an RTF document"},
	{"\x89PNG", "ảnh PNG", "a PNG image"},
	{"\xFF\xD8\xFF", "ảnh JPEG", "a JPEG image"},
	{"GIF8", "ảnh GIF", "a GIF image"},
	{"Rar!", "tệp nén RAR", "a RAR archive"},
	{"7z\xBC\xAF", "tệp nén 7z", "a 7z archive"},
	{"\x1F\x8B", "tệp nén gzip", "a gzip archive"},
	{"MZ", "chương trình Windows", "a Windows program"},
}

// errUnknown is the error of a file that no format matched: what its bytes
// look like when they are a known kind, and what to send instead.
func errUnknown(head []byte, ext string) error {
	for _, k := range knownOthers {
		if bytes.HasPrefix(head, []byte(k.magic)) {
			return fmt.Errorf("%w: tệp %q là %s, không phải bảng tính — hãy gửi tệp .xlsx, .xls hoặc .csv / the %q file is %s, not a workbook: send an .xlsx, .xls or .csv file",
				ErrUnknownFormat, ext, k.vi, ext, k.en)
		}
	}
	return fmt.Errorf("%w: không nhận ra định dạng của tệp %q — hãy gửi tệp .xlsx, .xls hoặc .csv / the format of the %q file is not recognised: send an .xlsx, .xls or .csv file",
		ErrUnknownFormat, ext, ext)
}
