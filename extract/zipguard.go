package extract

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"strings"
	"sync"
)

// checkZip reads the zip directory of an xlsx (not its contents) and refuses,
// before anything is inflated, a package that would decompress to more than
// MaxUnzipBytes, or that holds a part which the xlsx reader keeps in memory
// (anything but worksheets and the shared strings, which are streamed from a
// temporary file when large) larger than MaxXMLBytes — unless it is a picture or
// embedded file that compresses like one.
func checkZip(zr *zip.Reader, opt OpenOptions) error {
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(opt.MaxUnzipBytes) {
			return fmt.Errorf("%w: giải nén ra hơn %s, vượt giới hạn extract.max_unzip_bytes (%s) / decompresses to more than the limit extract.max_unzip_bytes (%s)",
				ErrTooLarge, byteSize(total), byteSize(uint64(opt.MaxUnzipBytes)), byteSize(uint64(opt.MaxUnzipBytes)))
		}
		name := partName(f)
		if f.UncompressedSize64 <= uint64(opt.MaxXMLBytes) || streamedPart(name) {
			continue
		}
		media := strings.HasPrefix(name, "xl/media/") || strings.HasPrefix(name, "xl/embeddings/") || strings.HasPrefix(name, "docprops/thumbnail")
		if media && f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 < 20 {
			continue
		}
		return fmt.Errorf("%w: phần %s giải nén ra %s (nén %d:1), vượt giới hạn extract.max_xml_bytes (%s) — nghi là zip bomb / the part %s inflates to %s (%d:1), more than extract.max_xml_bytes (%s): a zip bomb?",
			ErrTooLarge, f.Name, byteSize(f.UncompressedSize64), ratio(f), byteSize(uint64(opt.MaxXMLBytes)),
			f.Name, byteSize(f.UncompressedSize64), ratio(f), byteSize(uint64(opt.MaxXMLBytes)))
	}
	return nil
}

// verifyZip inflates the parts of the xlsx package zr that want selects (by
// their index in the zip directory and their header), once
// (streaming, within the limits checkZip checked): the xlsx reader ignores
// read errors of a part and of its XML, so a damaged part would read as a
// shorter sheet. The zip checksums must hold, and a worksheet must end with
// its closing tag. It returns the worksheet parts that hold formula elements
// (lower case paths).
func verifyZip(zr *zip.Reader, want func(int, *zip.File) bool) (map[string]bool, error) {
	withFormulas := map[string]bool{}
	for i, f := range zr.File {
		if !want(i, f) {
			continue
		}
		name := partName(f)
		sheet := isSheetPart(name)
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: phần %s của tệp xlsx hỏng — hãy gửi lại / the part %s of the xlsx is corrupt (%w): send it again", ErrUnreadable, f.Name, f.Name, err)
		}
		var tail tailWriter
		var formulas formulaDetector
		if sheet {
			_, err = io.Copy(io.MultiWriter(&tail, &formulas), rc)
		} else {
			_, err = io.Copy(&tail, rc)
		}
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: phần %s của tệp xlsx hỏng — hãy gửi lại / the part %s of the xlsx is corrupt (%w): send it again", ErrUnreadable, f.Name, f.Name, err)
		}
		if sheet && !tail.endsWith("worksheet") {
			return nil, fmt.Errorf("%w: trang tính %s bị cắt cụt (XML không kết thúc) — hãy gửi lại / the worksheet %s is truncated (its XML does not end): send it again", ErrUnreadable, f.Name, f.Name)
		}
		if formulas.found {
			withFormulas[name] = true
		}
	}
	return withFormulas, nil
}

// isSheetPart reports whether a part (lower case path) is a worksheet.
func isSheetPart(name string) bool {
	return strings.HasPrefix(name, "xl/worksheets/sheet") && strings.HasSuffix(name, ".xml")
}

// heldInMemory reports whether excelize keeps a part in memory when it opens
// the workbook: all but the worksheets and shared strings larger than
// UnzipXMLSizeLimit (maxXML), which it inflates to temporary files.
func heldInMemory(f *zip.File, maxXML int64) bool {
	return !streamedPart(partName(f)) || f.FileInfo().Size() <= maxXML
}

// streamedPart reports whether the xlsx reader streams a part (lower case
// path) from a temporary file when it is large: worksheets and the shared
// strings.
func streamedPart(name string) bool {
	return name == "xl/sharedstrings.xml" || strings.HasPrefix(name, "xl/worksheets/sheet")
}

// partName is a part's path in lower case with forward slashes.
func partName(f *zip.File) string { return strings.ToLower(strings.ReplaceAll(f.Name, `\`, "/")) }

// verifyHeld checks the parts excelize holds in memory (pkg, its File.Pkg)
// against the zip directory: the bytes it kept must have the part's length
// and CRC-32, and a worksheet must end with its closing tag. A part whose
// bytes excelize does not hold as they were (renamed, rewritten, read short)
// is inflated again by verifyZip, which tells what is wrong with it. It
// returns the worksheet parts that hold formula elements, as verifyZip.
func verifyHeld(zr *zip.Reader, pkg *sync.Map, maxXML int64) (map[string]bool, error) {
	withFormulas, again := checkHeld(zr, pkg, maxXML)
	if len(again) == 0 {
		return withFormulas, nil
	}
	more, err := verifyZip(zr, func(i int, _ *zip.File) bool { return again[i] })
	maps.Copy(withFormulas, more)
	return withFormulas, err
}

// checkHeld is verifyHeld's check of the bytes: the worksheets with formula
// elements, and the parts (by index in the zip directory) to inflate again.
func checkHeld(zr *zip.Reader, pkg *sync.Map, maxXML int64) (withFormulas map[string]bool, again map[int]bool) {
	withFormulas, again = map[string]bool{}, map[int]bool{}
	for i, f := range zr.File {
		if !heldInMemory(f, maxXML) {
			continue
		}
		key := strings.ReplaceAll(f.Name, `\`, "/")
		switch { // excelize's own names for these two parts
		case strings.EqualFold(key, "[Content_Types].xml"):
			key = "[Content_Types].xml"
		case strings.EqualFold(key, "xl/sharedStrings.xml"):
			key = "xl/sharedStrings.xml"
		}
		v, ok := pkg.Load(key)
		data, _ := v.([]byte)
		name := strings.ToLower(key)
		if !ok || uint64(len(data)) != f.UncompressedSize64 || crc32.ChecksumIEEE(data) != f.CRC32 ||
			isSheetPart(name) && !endsWithElement(data[max(0, len(data)-256):], "worksheet") {
			again[i] = true
			continue
		}
		if isSheetPart(name) && hasFormulaTag(data) {
			withFormulas[name] = true
		}
	}
	return withFormulas, again
}

// tailWriter keeps the last bytes written to it.
type tailWriter struct{ b []byte }

func (w *tailWriter) Write(p []byte) (int, error) {
	const keep = 256
	if len(p) >= keep {
		w.b = append(w.b[:0], p[len(p)-keep:]...)
	} else {
		w.b = append(w.b, p...)
		if len(w.b) > keep {
			w.b = append(w.b[:0], w.b[len(w.b)-keep:]...)
		}
	}
	return len(p), nil
}

// endsWith reports whether the text ends with the closing tag of element
// (with any namespace prefix), white space after it allowed.
func (w *tailWriter) endsWith(element string) bool { return endsWithElement(w.b, element) }

// endsWithElement reports whether XML text ends with the closing tag of
// element (with or without a namespace prefix), white space aside.
func endsWithElement(b []byte, element string) bool {
	t := bytes.TrimRight(b, " \t\r\n\x00")
	if !bytes.HasSuffix(t, []byte(element+">")) {
		return false
	}
	t = t[:len(t)-len(element)-1]
	if i := bytes.LastIndexByte(t, '<'); i >= 0 {
		prefix := t[i+1:]
		return bytes.HasPrefix(prefix, []byte("/")) && !bytes.ContainsAny(prefix, " <>")
	}
	return false
}

func ratio(f *zip.File) uint64 {
	if f.CompressedSize64 == 0 {
		return f.UncompressedSize64
	}
	return f.UncompressedSize64 / f.CompressedSize64
}

// zipEntryCost is what a zip directory entry costs in memory once read,
// beside the bytes of its name (archive/zip's File and the reader's own).
const zipEntryCost = 512

// checkZipDirectory refuses, from the end of a zip file (of size bytes),
// a directory that would take more than an eighth of the memory budget once
// read: archive/zip reads every entry of it at once, and a file of a few
// megabytes may list a million. A file whose end is no zip directory
// passes: the zip reader tells what is wrong with it.
func checkZipDirectory(r io.ReaderAt, size int64, opt OpenOptions) error {
	entries, dirSize, ok := zipDirectorySize(r, size)
	if !ok {
		return nil
	}
	if entries > uint64(opt.maxZipEntries()) || dirSize > uint64(opt.MaxMemoryBytes/8) {
		return &tooLarge{
			fmt.Sprintf("gói xlsx liệt kê %d phần (%s danh mục), quá phần của danh mục zip trong extract.max_memory_bytes — không phải sổ tính", entries, byteSize(dirSize)),
			fmt.Sprintf("the xlsx package lists %d parts (a directory of %s), more than a zip directory's share of extract.max_memory_bytes: not a workbook", entries, byteSize(dirSize)),
		}
	}
	return nil
}

// zipDirectorySize reads the number of entries and the size of a zip
// file's directory from its end record (the zip64 one when there is one),
// as archive/zip finds them; ok is false when it finds none.
func zipDirectorySize(r io.ReaderAt, size int64) (entries, dirSize uint64, ok bool) {
	const endLen, locatorLen, end64Len = 22, 20, 56
	tail := make([]byte, min(size, endLen+0xFFFF))
	if _, err := r.ReadAt(tail, size-int64(len(tail))); err != nil && err != io.EOF {
		return 0, 0, false
	}
	// The last end record whose comment fits in the file.
	i := len(tail) - endLen
	for ; i >= 0; i-- {
		if string(tail[i:i+4]) == "PK\x05\x06" && i+endLen+int(binary.LittleEndian.Uint16(tail[i+20:])) <= len(tail) {
			break
		}
	}
	if i < 0 {
		return 0, 0, false
	}
	d := tail[i:]
	entries, dirSize = uint64(binary.LittleEndian.Uint16(d[10:])), uint64(binary.LittleEndian.Uint32(d[12:]))
	if entries != 0xFFFF && dirSize != 0xFFFFFFFF && binary.LittleEndian.Uint32(d[16:]) != 0xFFFFFFFF {
		return entries, dirSize, true
	}
	// A zip64 file: its locator precedes the end record.
	at := size - int64(len(tail)) + int64(i) - locatorLen
	loc := make([]byte, locatorLen)
	if at < 0 {
		return entries, dirSize, true
	}
	if _, err := r.ReadAt(loc, at); err != nil || string(loc[:4]) != "PK\x06\x07" {
		return entries, dirSize, true
	}
	end := make([]byte, end64Len)
	off := binary.LittleEndian.Uint64(loc[8:])
	if off > uint64(size) {
		return entries, dirSize, true
	}
	if _, err := r.ReadAt(end, int64(off)); err != nil || string(end[:4]) != "PK\x06\x06" {
		return entries, dirSize, true
	}
	return binary.LittleEndian.Uint64(end[32:]), binary.LittleEndian.Uint64(end[40:]), true
}
