//go:build !duckdb_arrow

package load

// Every row reaches DuckDB through duckdb-go's Arrow interface, which is
// compiled only with the build tag duckdb_arrow. Without it, this file stops
// the build with a sentence instead of a bare "undefined: load.InsertArrow":
//
//	go build -tags duckdb_arrow ./...
//	go test -tags duckdb_arrow ./...
var _ = cchc_needs_the_build_tag_duckdb_arrow__go_test_tags_duckdb_arrow
