// Package cli is the command line of cchc: one file per command. A command
// fills an options struct and calls a run function that knows nothing of cobra
// or viper.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/progress"
	"github.com/thanhxuan/cchc/internal/pull"
	"github.com/thanhxuan/cchc/internal/schedule"
	"github.com/thanhxuan/cchc/load"
)

// Exit codes, listed under EXIT STATUS in --help.
const (
	ExitOK          = 0   // published
	ExitFailed      = 1   // nothing was published (a model, a data test or publishing failed)
	ExitUsage       = 2   // usage or configuration error
	ExitLocked      = 3   // another run holds the warehouse's state directory
	ExitInterrupted = 130 // interrupted by SIGINT/SIGTERM; the published warehouse is unchanged
)

const exitHelp = `
EXIT STATUS
  0    the warehouse was published (rejected rows, if any, are in raw.rejects)
  1    nothing was published: a model, a data test or publishing failed
  2    usage or configuration error
  3    another cchc run holds this warehouse's state directory
  130  interrupted (SIGINT/SIGTERM); the published warehouse is unchanged
`

// usageError marks errors that are the caller's wording, not the data's.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// Run runs the command line with args and returns the process exit code.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ignoreFileSizeLimit()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	g := &globalFlags{}
	root := newRoot(g, stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if g.finishProgress != nil {
		g.finishProgress() // end a progress bar's line before the error
	}
	return exitCode(ctx, err, stderr)
}

func exitCode(ctx context.Context, err error, stderr io.Writer) int {
	if err == nil {
		return ExitOK
	}
	fmt.Fprintln(stderr, "cchc:", err)
	var ue usageError
	switch {
	case ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, schedule.ErrAborted):
		return ExitInterrupted
	case errors.As(err, &ue) || errors.Is(err, config.ErrInvalid):
		return ExitUsage
	case errors.Is(err, pull.ErrSourcesFailed):
		return ExitFailed
	case errors.Is(err, load.ErrLocked):
		return ExitLocked
	}
	return ExitFailed
}

type globalFlags struct {
	config   string
	quiet    bool
	json     bool
	progress string // auto, bar, json, none

	render         progress.Func // the progress renderer of the command (nil: none)
	finishProgress func()
	barLog         io.Writer // set while a progress bar is drawn on stderr
}

func newRoot(g *globalFlags, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "cchc",
		Short:         "Kho dữ liệu cải cách hành chính quận Thanh Xuân — the CCHC data warehouse pipeline",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().StringVar(&g.config, "config", "", "YAML configuration file (keys as in README; CCHC_* variables override it)")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "print only errors")
	root.PersistentFlags().BoolVar(&g.json, "json", false, "log and report progress as JSON lines instead of text (status: print JSON)")
	root.PersistentFlags().StringVar(&g.progress, "progress", progressAuto, "progress display: auto (a bar on a terminal, JSON lines otherwise), bar, json or none")
	// Every command gets its progress renderer (progress.go); the pipeline,
	// the pulls and the scheduler report to it.
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		switch g.progress {
		case progressAuto, progressBar, progressJSON, progressNone:
		default:
			return usageError{fmt.Errorf("--progress %q: want auto, bar, json or none", g.progress)}
		}
		ui := newProgress(progressMode(g, c.ErrOrStderr()), c.ErrOrStderr())
		g.render, g.finishProgress, g.barLog = ui.render, ui.finish, ui.logWriter
		return nil
	}
	root.SetHelpTemplate(root.HelpTemplate() + exitHelp)
	root.AddCommand(newRunCmd(g), newDemoCmd(g), newGenCmd(), newVersionCmd(), newPullCmd(g), newScheduleCmd(g), newStatusCmd(g), newExportCmd(g), newDocsCmd(g), newReportCmd(g), newInspectCmd(g))
	root.Args = cobra.NoArgs
	return root
}

// logger builds the injected logger: text on stderr, JSON with --json, errors
// only with -q.
func logger(g *globalFlags, cfg config.Config, w io.Writer) *slog.Logger {
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[cfg.Log.Level]
	if g.quiet {
		level = slog.LevelError
	}
	if g.barLog != nil {
		w = g.barLog // log lines go above the progress bar, not through it
	}
	opts := &slog.HandlerOptions{Level: level}
	if g.json || cfg.Log.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the version",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			fmt.Fprintln(c.OutOrStdout(), "cchc", version)
			return nil
		},
	}
}

var version = "dev"
