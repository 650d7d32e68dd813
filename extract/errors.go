package extract

import "errors"

// Sentinel errors of the package; callers test them with errors.Is.
var (
	ErrUnreadable    = errors.New("file cannot be read")
	ErrNotRegular    = errors.New("not a regular file") // a link, device, pipe or socket under the inbox: never opened
	ErrEncrypted     = errors.New("workbook is password protected")
	ErrNoHeader      = errors.New("no recognisable header")
	ErrMissingColumn = errors.New("required column missing")
	ErrUnknownFormat = errors.New("unsupported file format")
	ErrTooLarge      = errors.New("file exceeds the size limit")
	ErrNoUnit        = errors.New("unit cannot be told")
	ErrNoPeriod      = errors.New("period cannot be told")
)

// tooLarge is what a reader found beyond the memory budget of reading one
// file (see OpenOptions.MaxMemoryBytes), said in Vietnamese and in English:
// a file that would need more memory than the budget fails with it, and
// the reader that knows where it was (a sheet, a row) puts that in front
// (within).
type tooLarge struct{ vi, en string }

func (e *tooLarge) Error() string { return ErrTooLarge.Error() + ": " + e.vi + " / " + e.en }
func (e *tooLarge) Unwrap() error { return ErrTooLarge }

// within returns the error with a place in front of what it says.
func (e *tooLarge) within(vi, en string) *tooLarge {
	return &tooLarge{vi + ": " + e.vi, en + ": " + e.en}
}

// asTooLarge returns the *tooLarge in err's chain, or nil.
func asTooLarge(err error) *tooLarge {
	var tl *tooLarge
	if errors.As(err, &tl) {
		return tl
	}
	return nil
}
