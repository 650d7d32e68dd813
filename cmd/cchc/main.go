// Command cchc is the administrative-reform data warehouse pipeline of Quận
// Thanh Xuân: it extracts the workbooks that wards and departments send,
// normalises them through Apache Arrow into DuckDB, builds the KPI models and
// publishes the warehouse. See README.md.
package main

import (
	"os"

	"github.com/thanhxuan/cchc/cmd/cchc/cli"
)

func main() { os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
