package transform

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// RejectSchema is the schema of reject batches (raw.rejects).
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

// RejectReader returns a RecordReader of one batch holding rejects of one file.
// The caller releases it.
func RejectReader(mem memory.Allocator, path, sha, runID string, rejects []Reject) (array.RecordReader, error) {
	b := array.NewRecordBuilder(mem, RejectSchema)
	defer b.Release()
	for _, r := range rejects {
		b.Field(0).(*array.StringBuilder).Append(path)
		b.Field(1).(*array.StringBuilder).Append(sha)
		appendOptString(b.Field(2).(*array.StringBuilder), r.Sheet)
		if r.Row > 0 {
			b.Field(3).(*array.Int32Builder).Append(int32(r.Row))
		} else {
			b.Field(3).AppendNull()
		}
		appendOptString(b.Field(4).(*array.StringBuilder), r.Column)
		appendOptString(b.Field(5).(*array.StringBuilder), r.RawValue)
		b.Field(6).(*array.StringBuilder).Append(r.Code)
		b.Field(7).(*array.StringBuilder).Append(r.Reason)
		appendOptString(b.Field(8).(*array.StringBuilder), runID)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewRecordReader(RejectSchema, []arrow.RecordBatch{rec})
}
