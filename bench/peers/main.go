// Command peers reads an xlsx with a maintained peer of the project's own
// reader, github.com/thedatashed/xlsxreader, for bench/run.sh to set the
// two side by side on the same sheet. It is a module of its own: the
// product does not depend on the peer.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/thedatashed/xlsxreader"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: peers FILE.xlsx")
		os.Exit(2)
	}
	start := time.Now()
	f, err := xlsxreader.OpenFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
	defer f.Close()
	rows, cells := 0, 0
	for _, sheet := range f.Sheets {
		for row := range f.ReadRows(sheet) {
			if row.Error != nil {
				fmt.Fprintln(os.Stderr, "peers:", row.Error)
				os.Exit(1)
			}
			rows++
			cells += len(row.Cells)
		}
	}
	fmt.Printf("rows=%d cells=%d seconds=%.3f\n", rows, cells, time.Since(start).Seconds())
}
