package transform

import (
	"bufio"
	"encoding/json"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/thanhxuan/cchc/internal/msg"
)

// RejectSpool writes the rejects of one file to a temporary JSON-lines file as
// they come, so that a file whose every row is bad costs disk, not memory. Its
// lines carry the column names of raw.rejects; Reader reads them back as
// record batches, which the loader moves into the table inside the file's
// transaction. The zero value is not usable: see NewRejectSpool. Close
// removes the file.
type RejectSpool struct {
	dir, path, sha, runID string

	f   *os.File
	w   *bufio.Writer
	enc *json.Encoder
	err error

	n        int64
	byReason map[string]int64
	sheets   map[string]int64
	rows     map[int64]struct{} // sheet index << 32 | row
}

// rejectLine is one line of the spool: a row of raw.rejects.
type rejectLine struct {
	FilePath   string  `json:"file_path"`
	FileSHA256 string  `json:"file_sha256"`
	Sheet      *string `json:"sheet"`
	RowNumber  *int    `json:"row_number"`
	ColumnName *string `json:"column_name"`
	RawValue   *string `json:"raw_value"`
	ReasonCode string  `json:"reason_code"`
	Reason     string  `json:"reason"`
	RunID      *string `json:"run_id"`
}

// RejectSchema is the schema of raw.rejects batches: the columns a spool's
// lines hold.
var RejectSchema = arrow.NewSchema([]arrow.Field{
	{Name: "file_path", Type: arrow.BinaryTypes.String},
	{Name: "file_sha256", Type: arrow.BinaryTypes.String},
	{Name: "sheet", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "row_number", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "column_name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "raw_value", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "reason_code", Type: arrow.BinaryTypes.String},
	{Name: "reason", Type: arrow.BinaryTypes.String},
	{Name: "run_id", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// NewRejectSpool starts a spool for the rejects of the file at path (as
// recorded) with the given content hash, in a temporary file under dir that is
// created on the first reject.
func NewRejectSpool(dir, path, sha, runID string) *RejectSpool {
	return &RejectSpool{dir: dir, path: path, sha: sha, runID: runID,
		byReason: map[string]int64{}, sheets: map[string]int64{}, rows: map[int64]struct{}{}}
}

// Add writes rejects to the spool.
func (s *RejectSpool) Add(rejects []Reject) error {
	if s.err != nil || len(rejects) == 0 {
		return s.err
	}
	if s.f == nil {
		if err := os.MkdirAll(s.dir, 0o700); err != nil {
			s.err = err
			return err
		}
		f, err := os.CreateTemp(s.dir, "rejects-*.jsonl") // read back by Reader through the same handle
		if err != nil {
			s.err = err
			return err
		}
		s.f, s.w = f, bufio.NewWriterSize(f, 1<<16)
		s.enc = json.NewEncoder(s.w)
	}
	for _, r := range rejects {
		// The reason quotes the value, which raw_value keeps whole: a
		// reason is a sentence to read, not a second copy of a long cell.
		l := rejectLine{FilePath: s.path, FileSHA256: s.sha, Sheet: optString(r.Sheet), ColumnName: optString(r.Column),
			RawValue: optString(r.RawValue), ReasonCode: r.Code, Reason: msg.Clip(r.Reason, msg.Max), RunID: optString(s.runID)}
		if r.Row > 0 {
			row := r.Row
			l.RowNumber = &row
		}
		if err := s.enc.Encode(&l); err != nil {
			s.err = err
			return err
		}
		s.n++
		s.byReason[r.Code]++
		sheet, ok := s.sheets[r.Sheet]
		if !ok {
			sheet = int64(len(s.sheets))
			s.sheets[r.Sheet] = sheet
		}
		s.rows[sheet<<32|int64(uint32(r.Row))] = struct{}{}
	}
	return nil
}

// Finish flushes the spool and returns the path of its file, "" when no
// reject was written.
func (s *RejectSpool) Finish() (string, error) {
	if s.err != nil || s.f == nil {
		return "", s.err
	}
	if err := s.w.Flush(); err != nil {
		return "", err
	}
	return s.f.Name(), nil
}

// spoolChunk is how many rejects a batch read back from a spool holds: a
// reject's value may be a long cell (up to extract.max_cell_bytes), so that
// a batch stays within a few MiB.
const spoolChunk = 256

// Reader reads the spool back, after Finish, as record batches of
// RejectSchema, a few hundred rejects at a time: a million rejects cost a
// batch of memory, not a million. The caller releases the reader; nil when
// no reject was written.
func (s *RejectSpool) Reader(mem memory.Allocator) (array.RecordReader, error) {
	if s.err != nil || s.f == nil {
		return nil, s.err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return array.NewJSONReader(bufio.NewReaderSize(s.f, 1<<16), RejectSchema,
		array.WithAllocator(mem), array.WithChunk(spoolChunk)), nil
}

// Len returns the number of rejects written.
func (s *RejectSpool) Len() int64 { return s.n }

// Rows returns the number of distinct rows rejected.
func (s *RejectSpool) Rows() int64 { return int64(len(s.rows)) }

// ByReason returns the number of rejects per reason code.
func (s *RejectSpool) ByReason() map[string]int64 { return s.byReason }

// Close removes the spool's file.
func (s *RejectSpool) Close() error {
	if s.f == nil {
		return nil
	}
	s.f.Close()
	err := os.Remove(s.f.Name())
	s.f = nil
	return err
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
