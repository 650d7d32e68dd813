package cli

import (
	"context"
	"database/sql"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/load"
	"github.com/thanhxuan/cchc/transform"
)

// loadReportSheet loads a unit report or Biểu 06 sheet into its raw tables.
func (p *pipeline) loadReportSheet(ctx context.Context, conn *sql.Conn, rows *extract.DataRows, sc transform.SheetContext) (int64, []transform.Reject, []string, error) {
	var b *transform.Batches
	var err error
	if sc.Head.Layout.Kind == extract.KindUnitReport {
		b, err = transform.ReadUnitReport(p.env, rows, sc)
	} else {
		b, err = transform.ReadTTHCSummary(p.env, rows, sc)
	}
	if err != nil {
		return 0, nil, nil, err
	}
	defer b.Release()
	for table, rec := range b.Tables {
		if rec.NumRows() == 0 {
			continue
		}
		rr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
		if err != nil {
			return 0, nil, nil, err
		}
		_, err = load.InsertArrow(ctx, conn, table, rr)
		rr.Release()
		if err != nil {
			return 0, nil, nil, err
		}
	}
	return int64(b.Loaded), b.Rejects, b.Notes, nil
}
