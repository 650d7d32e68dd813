// Package warehouse reads the published warehouse, read-only, into structs: the
// status of runs and reports, the leadership report's figures, the data dictionary,
// the scoreboard, and exports of its tables. It never writes the warehouse.
package warehouse

import (
	"database/sql"
	"fmt"
	"os"

	"github.com/thanhxuan/cchc/load"
)

// Open opens the published warehouse read-only, saying so when there is none yet.
// The caller must call the returned close function.
func Open(path string) (*sql.DB, func() error, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("no warehouse at %s (has `cchc run` published one?): %w", path, err)
	}
	return load.OpenReadOnly(path)
}
