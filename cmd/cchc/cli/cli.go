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
	"strings"
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
	ExitFailed      = 1   // nothing was published (a model, a data test, publishing or the environment failed)
	ExitUsage       = 2   // usage or configuration error
	ExitLocked      = 3   // another run holds the warehouse's state directory
	ExitInterrupted = 130 // interrupted by SIGINT/SIGTERM; the published warehouse is unchanged
)

// exitAnnotation is the key of a command's Annotations that holds its own
// EXIT STATUS table, printed at the end of its --help.
const exitAnnotation = "exit"

// exits sets c's EXIT STATUS table: pairs of a code and what it means.
func exits(c *cobra.Command, rows ...string) *cobra.Command {
	var b strings.Builder
	for i := 0; i+1 < len(rows); i += 2 {
		fmt.Fprintf(&b, "  %-4s %s\n", rows[i], rows[i+1])
	}
	if c.Annotations == nil {
		c.Annotations = map[string]string{}
	}
	c.Annotations[exitAnnotation] = b.String()
	return c
}

// helpTemplate is cobra's, then the command's own exit table.
func helpTemplate(base string) string {
	return base + `{{with index .Annotations "` + exitAnnotation + `"}}
EXIT STATUS
{{.}}{{end}}`
}

// Exit-table rows shared by several commands.
const (
	exitUsageText       = "usage or configuration error (the message names the flag, the key or the file)"
	exitInterruptedText = "interrupted (SIGINT/SIGTERM)"
)

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
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		// `cchc rn --inbox x`: the unknown command, not its flags, is the mistake.
		if c == root && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			if e := unknownCommand(c, args[:1]); e != nil {
				return e
			}
		}
		return usageError{err}
	})
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
	verbose  bool
	json     bool
	progress string // auto, bar, json, none

	mode           string        // the progress mode resolved from the flags and the terminal
	render         progress.Func // the progress renderer of the command (nil: none)
	finishProgress func()
	barLog         io.Writer     // set while a progress bar is drawn on stderr
	lines          *lineProgress // set while progress is written as lines on stderr
}

func newRoot(g *globalFlags, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "cchc",
		Short:         "Kho dữ liệu cải cách hành chính quận Thanh Xuân — the CCHC data warehouse pipeline",
		SilenceUsage:  true,
		SilenceErrors: true,
		// The root runs only to say what is wrong: an unknown command is a
		// usage error (exit 2), never the help and success — a typo in a
		// cron line must not pass unnoticed.
		Args:                       unknownCommand,
		RunE:                       func(c *cobra.Command, _ []string) error { return c.Help() },
		SuggestionsMinimumDistance: 2,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().StringVar(&g.config, "config", "", "YAML configuration file (keys as in README and cchc.example.yaml; CCHC_* variables override it)")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "print only errors")
	root.PersistentFlags().BoolVarP(&g.verbose, "verbose", "v", false, "log every file (INFO) also while a progress bar is drawn")
	root.PersistentFlags().BoolVar(&g.json, "json", false, "log and report progress as JSON lines instead of text (status and inspect: their result as one JSON document)")
	root.PersistentFlags().StringVar(&g.progress, "progress", progressAuto, "progress display: auto (a bar on a terminal, lines in the logs' format otherwise), bar, json or none")
	// Every command gets its progress renderer (progress.go); the pipeline,
	// the pulls and the scheduler report to it.
	root.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
		switch g.progress {
		case progressAuto, progressBar, progressJSON, progressNone:
		default:
			return usageError{fmt.Errorf("--progress %q: want auto, bar, json or none", g.progress)}
		}
		g.mode = progressMode(g, c.ErrOrStderr())
		ui := newProgress(g.mode, c.ErrOrStderr())
		g.render, g.finishProgress, g.barLog, g.lines = ui.render, ui.finish, ui.logWriter, ui.lines
		return nil
	}
	root.SetHelpTemplate(helpTemplate(root.HelpTemplate()))
	exits(root,
		"0", "success",
		"1", "the command failed (each command's --help says what its failures mean)",
		"2", exitUsageText+"; an unknown command",
		"3", "another cchc run holds the warehouse's state directory",
		"130", exitInterruptedText)
	root.AddCommand(newRunCmd(g), newDemoCmd(g), newGenCmd(), newVersionCmd(), newPullCmd(g), newScheduleCmd(g), newStatusCmd(g), newExportCmd(g), newDocsCmd(g), newReportCmd(g), newInspectCmd(g))
	return root
}

// unknownCommand rejects what the root was given instead of a command, with
// cobra's suggestions of the commands it may have meant.
func unknownCommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return usageError{fmt.Errorf("%s (cchc --help lists the commands)", msg)}
}

// noArgs is the Args of a command that takes only flags: a stray argument is
// a usage error that says so, with hint (what the arguments probably meant)
// when it has one.
func noArgs(hint func(args []string) string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("%s takes no arguments, got %q", c.CommandPath(), strings.Join(args, " "))
		if hint != nil {
			if h := hint(args); h != "" {
				return usageError{fmt.Errorf("%s: %s", msg, h)}
			}
		}
		return usageError{fmt.Errorf("%s (%s --help)", msg, c.CommandPath())}
	}
}

// logger builds the injected logger on w (stderr): text, or JSON with --json
// or log.format: json; errors only with -q. While a progress bar is drawn,
// per-file INFO lines would scroll it away: they are logged only with -v.
// Progress lines on the same stream take the logs' format (one format and
// one time zone a stream).
func logger(g *globalFlags, cfg config.Config, w io.Writer) *slog.Logger {
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[cfg.Log.Level]
	switch {
	case g.quiet:
		level = slog.LevelError
	case g.verbose:
		level = min(level, slog.LevelInfo)
	case g.barLog != nil:
		level = max(level, slog.LevelWarn)
	}
	if g.barLog != nil {
		w = g.barLog // log lines go above the progress bar, not through it
	}
	json := g.json || cfg.Log.Format == "json" || g.progress == progressJSON
	if g.lines != nil {
		g.lines.setFormat(json)
	}
	return slog.New(logHandler(w, json, level))
}
