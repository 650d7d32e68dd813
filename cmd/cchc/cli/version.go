package cli

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/internal/warehouse"
)

func newVersionCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "version",
		Short: "print the version of cchc, the source revision it was built from, and DuckDB's version",
		Args:  noArgs(nil),
		RunE: func(c *cobra.Command, _ []string) error {
			bi, _ := debug.ReadBuildInfo()
			duck, err := warehouse.DuckDBVersion(c.Context())
			if err != nil {
				duck = "unknown (" + err.Error() + ")"
			}
			if bi != nil && version != "" {
				bi.Main.Version = version
			}
			printVersion(c.OutOrStdout(), bi, duck)
			return nil
		},
	}
	return exits(c, "0", "printed")
}

// version, when set at build time (-ldflags "-X
// github.com/thanhxuan/cchc/cmd/cchc/cli.version=v1.2.0"), replaces the
// module version that the go command stamps.
var version string

// printVersion writes what a bug report needs: the module version, the VCS
// revision (with its time, and whether the tree had changes), the Go
// toolchain, and the DuckDB library with the bindings module that carries it.
func printVersion(w io.Writer, bi *debug.BuildInfo, duckdb string) {
	version, rev, at, modified, bindings := "(unknown)", "(unknown: built without VCS information — go build in a git clone, without -buildvcs=false)", "", false, ""
	goVersion := ""
	if bi != nil {
		goVersion = bi.GoVersion
		if v := bi.Main.Version; v != "" {
			version = v
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		for _, d := range bi.Deps {
			if d.Path == "github.com/duckdb/duckdb-go-bindings" || d.Path == "github.com/duckdb/duckdb-go/v2" {
				if d.Replace != nil {
					d = d.Replace
				}
				bindings += fmt.Sprintf(", %s %s", d.Path, d.Version)
			}
		}
	}
	fmt.Fprintf(w, "cchc %s\n", version)
	fmt.Fprintf(w, "revision %s", rev)
	if at != "" {
		fmt.Fprintf(w, " (%s", at)
		if modified {
			fmt.Fprint(w, ", with uncommitted changes")
		}
		fmt.Fprint(w, ")")
	}
	fmt.Fprintln(w)
	if goVersion != "" {
		fmt.Fprintf(w, "go %s\n", goVersion)
	}
	fmt.Fprintf(w, "duckdb %s%s\n", duckdb, bindings)
}
