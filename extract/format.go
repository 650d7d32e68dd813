package extract

import (
	"bytes"
	"fmt"
	"os"
	"slices"

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
	{"xlsx", hasPrefix("PK\x03\x04", "PK\x05\x06"), openPackage},
	{"ole2", hasPrefix("\xD0\xCF\x11\xE0"), openOLE2},
	{"csv", extIs(".csv", ".txt", ".tsv"), openCSV},
	{"empty xlsx", both(isEmpty, extIs(".xlsx", ".xlsm")), refuse(errEmptyXLSX)},
	{"not an xlsx", extIs(".xlsx", ".xlsm"), refuse(errNotZip)},
}

var (
	errEmptyXLSX = fmt.Errorf("%w: tệp rỗng (0 byte) / the file is empty", ErrUnreadable)
	errNotZip    = fmt.Errorf("%w: tệp hỏng hoặc không phải Excel (không phải tệp zip của xlsx) — hãy gửi lại / corrupt, or not an xlsx (zip) file: send it again", ErrUnreadable)
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
// (whatever its name), which is refused.
func openOLE2(path string, opt OpenOptions, stamp fileStamp) (Workbook, error) {
	switch ole2Kind(path) {
	case "encrypted":
		return openXLSX(path, opt, stamp, true)
	case "xls":
		return nil, fmt.Errorf("%w: bảng tính Excel 97-2003 (.xls) — hãy lưu lại dưới dạng .xlsx / legacy .xls (Excel 97-2003) workbook: save it as .xlsx", ErrUnknownFormat)
	}
	return nil, fmt.Errorf("%w: tệp Office dạng cũ (OLE2) không phải bảng tính / an OLE2 Office file that is not a workbook", ErrUnknownFormat)
}

// ole2Kind tells an encrypted OOXML package ("encrypted") from a legacy BIFF
// workbook ("xls") by the streams of the OLE2 container; "" for anything else.
func ole2Kind(p string) (kind string) {
	defer func() {
		if recover() != nil {
			kind = ""
		}
	}()
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	doc, err := mscfb.New(f)
	if err != nil {
		return ""
	}
	for e, err := doc.Next(); err == nil; e, err = doc.Next() {
		switch e.Name {
		case "EncryptedPackage", "EncryptionInfo":
			return "encrypted"
		case "Workbook", "Book":
			return "xls"
		}
	}
	return ""
}
