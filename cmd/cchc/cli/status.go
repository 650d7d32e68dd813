package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/internal/render"
	"github.com/thanhxuan/cchc/internal/warehouse"
	"github.com/thanhxuan/cchc/load"
)

func newStatusCmd(g *globalFlags) *cobra.Command {
	var today, period string
	var runs int
	c := &cobra.Command{
		Use:   "status",
		Short: "show the last runs, what failed, which units have not sent the period's report, and rejects waiting for a person",
		Long: `Status reads the published warehouse (and, when no run holds it, the state
folder) and prints: the last runs and any run since the last publish that
failed; files that could not be read; for one reporting period (--period,
default the latest period with data: a unit report, a Biểu 06 or a dossier),
each ward and department once — not sent, sent late, sent on time — with the
days to or past the deadline, and a line on the period before it; and the
rejected rows waiting for a person, by reason. With --json it prints the same
as one JSON document, times in RFC 3339 with their zone (+07:00).`,
		Args: noArgs(func([]string) string { return "the warehouse is a flag: --warehouse FILE (or warehouse: in --config)" }),
		RunE: func(c *cobra.Command, _ []string) error {
			cfg, err := config.Load(g.config, c.Flags(), flagKeys)
			if err != nil {
				return err
			}
			o, err := statusOptionsFrom(cfg, today, runs)
			if err != nil {
				return err
			}
			o.Period = period
			st, err := warehouse.ReadStatus(c.Context(), o)
			if errors.Is(err, warehouse.ErrNoPeriod) {
				return usageError{fmt.Errorf("--period %w", err)}
			}
			if err != nil {
				return err
			}
			if g.json {
				return writeStatusJSON(c.OutOrStdout(), st)
			}
			render.StatusText(c.OutOrStdout(), st)
			return nil
		},
	}
	f := c.Flags()
	f.String("warehouse", "", "the published DuckDB file [warehouse, CCHC_WAREHOUSE]")
	f.String("state-dir", "", "private state folder (default WAREHOUSE.state) [state_dir, CCHC_STATE_DIR]")
	f.IntVar(&runs, "runs", 5, "how many published runs to show")
	f.StringVar(&period, "period", "", "the reporting period to show, e.g. 2024-6M (default: the latest period with data)")
	f.StringVar(&today, "today", "", "the date to count deadlines from, YYYY-MM-DD (default: today in Asia/Ho_Chi_Minh; also CCHC_TODAY)")
	f.MarkHidden("today")
	return exits(c,
		"0", "the status was printed",
		"1", "there is no warehouse yet, or it could not be read",
		"2", exitUsageText)
}

// statusOptionsFrom fills the options of `cchc status` from the configuration
// and the flags; a missing warehouse or a malformed --today is a usage error.
func statusOptionsFrom(cfg config.Config, today string, runs int) (warehouse.StatusOptions, error) {
	if cfg.Warehouse == "" {
		return warehouse.StatusOptions{}, usageError{errors.New("warehouse: required (--warehouse, CCHC_WAREHOUSE or warehouse: in the file)")}
	}
	o := warehouse.StatusOptions{Warehouse: cfg.Warehouse, StateDir: cfg.StateDir, Runs: runs}
	if o.StateDir == "" {
		o.StateDir = cfg.Warehouse + ".state"
	}
	if today == "" {
		today = os.Getenv("CCHC_TODAY")
	}
	o.Today = time.Now().In(load.Zone)
	if today != "" {
		t, err := time.ParseInLocation("2006-01-02", today, load.Zone)
		if err != nil {
			return o, usageError{fmt.Errorf("--today %q: want YYYY-MM-DD", today)}
		}
		o.Today = t
	}
	o.Today = time.Date(o.Today.Year(), o.Today.Month(), o.Today.Day(), 0, 0, 0, 0, time.UTC)
	return o, nil
}

// writeStatusJSON writes the status as `status --json` prints it: one
// indented JSON document.
func writeStatusJSON(w io.Writer, st *warehouse.Status) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(st)
}
