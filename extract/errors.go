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
