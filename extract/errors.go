package extract

import (
	"errors"
	"fmt"
)

// Sentinel errors of the package; callers test them with errors.Is.
var (
	ErrUnreadable    = errors.New("file cannot be read")
	ErrEncrypted     = errors.New("workbook is password protected")
	ErrNoHeader      = errors.New("no recognisable header")
	ErrMissingColumn = errors.New("required column missing")
	ErrUnknownFormat = errors.New("unsupported file format")
	ErrTooLarge      = errors.New("file exceeds the size limit")
	ErrNoUnit        = errors.New("unit cannot be told")
	ErrNoPeriod      = errors.New("period cannot be told")
)

// CellError points at one cell of an input file, like encoding/csv.ParseError.
// Reject reasons in the warehouse are built from the same values.
type CellError struct {
	File  string // path relative to the inbox
	Sheet string // empty for CSV
	Row   int    // 1-based sheet row or CSV line
	Col   string // column name (field or header text)
	Err   error
}

func (e *CellError) Error() string {
	loc := e.File
	if e.Sheet != "" {
		loc += ":" + e.Sheet
	}
	return fmt.Sprintf("%s!%s%d: %v", loc, e.Col, e.Row, e.Err)
}

func (e *CellError) Unwrap() error { return e.Err }
