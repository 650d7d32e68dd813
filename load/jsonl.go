package load

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// InsertJSONLines inserts the rows of a newline-delimited JSON file into
// table: each line an object whose keys are among columns, read with the
// table's own column types (so nothing is guessed from the text).
func InsertJSONLines(ctx context.Context, conn *sql.Conn, table, path string, columns []string) (int64, error) {
	schema, name, _ := strings.Cut(table, ".")
	types := map[string]string{}
	rows, err := conn.QueryContext(ctx, `SELECT column_name, data_type FROM duckdb_columns()
		WHERE schema_name = ? AND table_name = ?`, schema, name)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var c, t string
		if err := rows.Scan(&c, &t); err != nil {
			rows.Close()
			return 0, err
		}
		types[c] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	spec := make([]string, len(columns))
	for i, c := range columns {
		t, ok := types[c]
		if !ok {
			return 0, fmt.Errorf("insert into %s: no column %q", table, c)
		}
		spec[i] = fmt.Sprintf("%s: %s", QuoteLiteral(c), QuoteLiteral(t))
	}
	res, err := conn.ExecContext(ctx, fmt.Sprintf(
		"INSERT INTO %s BY NAME SELECT * FROM read_json(%s, format = 'newline_delimited', columns = {%s})",
		table, QuoteLiteral(path), strings.Join(spec, ", ")))
	if err != nil {
		return 0, fmt.Errorf("insert into %s: %w", table, err)
	}
	return res.RowsAffected()
}
