package cli

import (
	"context"
	"database/sql"
	"errors"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/transform"
)

// loadReportSheet loads a unit report or Biểu 06 sheet.
func (p *pipeline) loadReportSheet(ctx context.Context, conn *sql.Conn, rows *extract.DataRows, sc transform.SheetContext) (int64, []transform.Reject, []string, error) {
	return 0, nil, nil, errors.New("unit reports and Biểu 06 are not loaded yet")
}
