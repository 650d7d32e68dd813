// Package readwh is a reader of a published warehouse, as an analyst's BI
// tool is one: a separate process that opens the DuckDB file read-only and
// keeps it open. The reliability tests run it as such a process (their test
// binary plays readwh, calling Main) and drive it over stdin while `cchc run`
// publishes.
//
//	readwh -db FILE -query SQL
//
// It opens FILE read-only, runs SQL (a query returning one row) and prints
// "ready VALUE". Then, for each line on stdin:
//
//	again   run SQL again on the connection held since the start: "again VALUE"
//	reopen  close the database, open the file again, hold the new
//	        connection and run SQL on it:                             "reopen VALUE"
//	poll    run SQL on the held connection in a loop, until "stop" is read;
//	stop    print "polled N VALUES ERRORS" (the distinct values and errors seen)
//
// An error prints "error MESSAGE" instead of a value. End of input exits.
//
// Within one process DuckDB shares one database instance per file among all
// connections, so a "new connection" while another is open still reads the
// file that was opened first; a reader sees a newly published build once it
// has closed the warehouse and opened it again (reopen), as a BI tool does
// on refresh.
package readwh

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/thanhxuan/cchc/load"
)

// Main reads the flags of args (without the program's name) and serves
// stdin until its end; it returns the exit status.
func Main(args []string) int {
	fs := flag.NewFlagSet("readwh", flag.ContinueOnError)
	db := fs.String("db", "", "the DuckDB file")
	query := fs.String("query", "SELECT count(*) FROM raw.files", "a query returning one row")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	return run(*db, *query)
}

func run(path, query string) int {
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, a ...any) {
		fmt.Fprintf(out, format+"\n", a...)
		out.Flush()
	}
	db, closeDB, err := load.OpenReadOnly(path)
	if err != nil {
		say("error %s", oneLine(err))
		return 1
	}
	defer func() { closeDB() }()
	// One connection held for the whole life of the process: the file stays
	// open, as it does under a BI tool.
	conn, err := db.Conn(context.Background())
	if err != nil {
		say("error %s", oneLine(err))
		return 1
	}
	defer func() { conn.Close() }()
	ask := func(c *sql.Conn) string {
		v, err := value(c, query)
		if err != nil {
			return "error " + oneLine(err)
		}
		return v
	}
	say("ready %s", ask(conn))

	var (
		mu     sync.Mutex
		stop   chan struct{}
		done   chan struct{}
		polled int
		seen   map[string]bool
	)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch strings.TrimSpace(in.Text()) {
		case "again":
			say("again %s", ask(conn))
		case "reopen":
			conn.Close()
			closeDB()
			db, closeDB, err = load.OpenReadOnly(path)
			if err == nil {
				conn, err = db.Conn(context.Background())
			}
			if err != nil {
				say("reopen error %s", oneLine(err))
				return 1
			}
			say("reopen %s", ask(conn))
		case "poll":
			stop, done = make(chan struct{}), make(chan struct{})
			seen, polled = map[string]bool{}, 0
			go func() {
				defer close(done)
				for {
					select {
					case <-stop:
						return
					default:
					}
					v := ask(conn)
					mu.Lock()
					seen[v] = true
					polled++
					mu.Unlock()
				}
			}()
		case "stop":
			if stop == nil {
				say("error not polling")
				continue
			}
			close(stop)
			<-done
			stop = nil
			mu.Lock()
			vals := make([]string, 0, len(seen))
			for v := range seen {
				vals = append(vals, v)
			}
			sort.Strings(vals)
			say("polled %d %s", polled, strings.Join(vals, " | "))
			mu.Unlock()
		}
	}
	return 0
}

// value runs query and returns its one row, columns joined by ",".
func value(c *sql.Conn, query string) (string, error) {
	rows, err := c.QueryContext(context.Background(), query)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return "", err
		}
		return "", fmt.Errorf("no row")
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return "", err
	}
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ","), rows.Err()
}

func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", " ")
}
