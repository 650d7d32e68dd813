// Command readcsv is the CSV floor of the performance benchmarks: DuckDB's own
// read_csv of a file into a table, the fastest way DuckDB has to load it.
package main

import (
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: readcsv FILE.csv DB.duckdb")
		os.Exit(2)
	}
	db, err := sql.Open("duckdb", os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer db.Close()
	start := time.Now()
	var n int64
	q := fmt.Sprintf(`CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv('%s', all_varchar = true)`, strings.ReplaceAll(os.Args[1], "'", "''"))
	if _, err := db.Exec(q); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	db.QueryRow(`SELECT count(*) FROM t`).Scan(&n)
	fmt.Printf("rows=%d seconds=%.3f\n", n, time.Since(start).Seconds())
}
