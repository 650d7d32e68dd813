package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/schedule"
)

func newScheduleCmd(g *globalFlags) *cobra.Command {
	var dryRun bool
	c := &cobra.Command{
		Use:   "schedule",
		Short: "run the configured jobs (pull sources, run the pipeline) on their cron schedules until stopped",
		Long: `Schedule runs the jobs of schedule.jobs in the configuration on their cron
expressions, read in schedule.time_zone (Asia/Ho_Chi_Minh), until SIGTERM or
SIGINT. A job pulls its sources into the inbox, runs the pipeline, or both.
A job never overlaps itself: a firing while it still runs is skipped and logged.

After downtime (schedule.missed: run_once), a job whose last success is older
than its last scheduled time runs once at start.

On SIGTERM or SIGINT no new run starts; a run in flight may finish within
schedule.shutdown_grace, then it is aborted (a second signal aborts at once).
An aborted run publishes nothing: the previous warehouse stays as it was, and
the next run loads what the aborted one did not. Exit status 0 after a clean
stop, 130 when a run had to be aborted.`,
		Args: noArgs(func([]string) string { return "the jobs come from the configuration: --config FILE" }),
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.config, c.Flags(), flagKeys)
			if err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			opt := schedule.Options{Config: cfg, Log: logger(g, cfg, c.ErrOrStderr()), Progress: g.render}
			if dryRun {
				return printPlan(c.Context(), c.OutOrStdout(), opt)
			}
			// The first signal cancels the command's context (Run); the
			// second one aborts the runs in flight.
			abort := make(chan struct{})
			sig := make(chan os.Signal, 2)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			defer func() { signal.Stop(sig); close(sig) }()
			go func() {
				n := 0
				for range sig {
					if n++; n == 2 {
						close(abort)
					}
				}
			}()
			opt.Abort = abort
			return schedule.Run(c.Context(), opt)
		},
	}
	f := c.Flags()
	f.String("inbox", "", "folder of input workbooks [inbox, CCHC_INBOX]")
	f.String("warehouse", "", "the DuckDB file to publish [warehouse, CCHC_WAREHOUSE]")
	f.String("state-dir", "", "private state folder (default WAREHOUSE.state) [state_dir, CCHC_STATE_DIR]")
	f.String("models-dir", "", "folder of the data team's own SQL models and tests [models_dir, CCHC_MODELS_DIR]")
	f.BoolVar(&dryRun, "dry-run", false, "print each job's next times and whether a missed run would start now, then exit")
	return exits(c,
		"0", "stopped cleanly after SIGTERM/SIGINT (or --dry-run printed the plan)",
		"1", "the scheduler could not start or keep its state",
		"2", exitUsageText,
		"130", "a run in flight had to be aborted (a second signal, or past schedule.shutdown_grace); it published nothing")
}

// printPlan writes each job's next three times and whether a missed run would
// start now: a check of the configuration before the scheduler is installed.
func printPlan(ctx context.Context, w io.Writer, o schedule.Options) error {
	jobs, loc, now, err := schedule.Plan(ctx, o)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tCRON\tDOES\tNEXT\tMISSED RUN AT START")
	for _, j := range jobs {
		var does []string
		if j.Pull {
			src := "all sources"
			if len(j.Sources) > 0 {
				src = strings.Join(j.Sources, ",")
			}
			does = append(does, "pull "+src)
		}
		if j.Run {
			does = append(does, "run")
		}
		var next []string
		for _, t := range j.Next {
			next = append(next, t.Format("2006-01-02 15:04:05"))
		}
		start := "no"
		if j.RunsAtStart {
			start = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.Name, j.Cron, strings.Join(does, " + "), strings.Join(next, ", "), start)
	}
	fmt.Fprintf(tw, "\ntime zone %s; now %s\n", loc, now.Format("2006-01-02 15:04:05"))
	return tw.Flush()
}
