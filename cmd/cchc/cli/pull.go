package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/msg"
	"github.com/thanhxuan/cchc/internal/outpath"
	"github.com/thanhxuan/cchc/internal/pull"
)

func newPullCmd(g *globalFlags) *cobra.Command {
	var names []string
	c := &cobra.Command{
		Use:   "pull",
		Short: "fetch new and changed files of the configured sources (folders, HTTP) into the inbox",
		Long: `Pull fetches every configured source (sources: in the configuration) into the
inbox: a folder's new and changed files, an HTTP(S) file with a conditional GET.
Each file is written under a hidden temporary name, verified and renamed into
place, so a run never sees half a file. What was fetched is recorded in
ops.source_pulls by the next run. A source that fails is reported and the others
are still pulled; the exit status is then 1.`,
		Args: noArgs(func([]string) string {
			return "sources are named with --source NAME (repeatable); the inbox with --inbox DIR"
		}),
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.config, c.Flags(), flagKeys)
			if err != nil {
				return err
			}
			if err := makeInbox(cfg); err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			reports, err := pull.Run(c.Context(), cfg, pull.RunOptions{Sources: names, Log: logger(g, cfg, c.ErrOrStderr()), Progress: g.render})
			if !g.quiet {
				printPulls(c.OutOrStdout(), reports)
			}
			if err != nil {
				return err
			}
			return pull.Failure(reports)
		},
	}
	f := c.Flags()
	f.String("inbox", "", "folder the files are pulled into [inbox, CCHC_INBOX]")
	f.String("warehouse", "", "the DuckDB file whose state folder keeps the pull state [warehouse, CCHC_WAREHOUSE]")
	f.String("state-dir", "", "private state folder (default WAREHOUSE.state) [state_dir, CCHC_STATE_DIR]")
	f.StringArrayVar(&names, "source", nil, "pull only this source (repeatable; default: all)")
	return exits(c,
		"0", "every source was pulled (or had nothing new)",
		"1", "a source failed (the others were still pulled), or the pull state could not be kept",
		"2", exitUsageText+"; a --source the configuration does not have",
		"3", "another cchc pull holds the pull state",
		"130", exitInterruptedText)
}

// makeInbox creates the configured inbox when it is not there yet: pulling
// is how an inbox gets its first files.
func makeInbox(cfg config.Config) error {
	if cfg.Inbox == "" {
		return nil // Validate says it is required
	}
	if _, err := os.Stat(cfg.Inbox); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err := outpath.Dir(cfg.Inbox); err != nil {
		return cfg.Invalid("inbox", err.Error())
	}
	return os.MkdirAll(cfg.Inbox, 0o755)
}

// printPulls writes the pull outcome for people.
func printPulls(w io.Writer, reports []pull.Report) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NGUỒN / SOURCE\tTRẠNG THÁI / STATUS\tBYTES\tSHA256\tTỆP / FILE")
	counts := map[string]int{}
	for _, r := range reports {
		if r.Err != nil {
			counts[pull.Failed]++
			fmt.Fprintf(tw, "%s\t%s\t\t\t%s\n", r.Source, pull.Failed, msg.Clip(r.Err.Error(), 160))
		}
		for _, f := range r.Files {
			counts[f.Status]++
			what := f.Path
			if f.Err != nil {
				what = f.Origin + ": " + msg.Clip(f.Err.Error(), 160)
			}
			sum := f.SHA256
			if len(sum) > 12 {
				sum = sum[:12]
			}
			size := ""
			if f.Size > 0 {
				size = fmt.Sprint(f.Size)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Source, f.Status, size, sum, what)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "pulled: %d new, %d updated, %d unchanged, %d not modified, %d failed\n",
		counts[pull.New], counts[pull.Updated], counts[pull.Unchanged], counts[pull.NotModified], counts[pull.Failed])
}
