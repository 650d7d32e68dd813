package load

import (
	"strings"
	"time"
)

// QuoteIdent quotes s as a DuckDB identifier.
func QuoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// QuoteLiteral quotes s as a DuckDB string literal.
func QuoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// nullStr is s as a query argument, NULL when empty.
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullInt is n as a query argument, NULL when zero.
func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// nullTime is t as a query argument, NULL when zero.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
