package extract

import (
	"os"

	"github.com/richardlehane/mscfb"
)

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
