package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/thanhxuan/cchc/internal/schedule"
	"github.com/thanhxuan/cchc/load"
)

// StatusOptions is what ReadStatus needs.
type StatusOptions struct {
	Warehouse string
	StateDir  string    // the private state folder of the runs (work.duckdb, the scheduler's jobs)
	Today     time.Time // a date; deadlines are counted from it
	Runs      int       // how many published runs to read
}

// Status is what `cchc status` reports; --json prints it as is.
type Status struct {
	Warehouse     string         `json:"warehouse"`
	Today         string         `json:"today"`
	RunInProgress bool           `json:"run_in_progress"`
	Runs          []StatusRun    `json:"runs"`
	FailedFiles   []StatusFile   `json:"failed_files"`
	Current       *PeriodStatus  `json:"current_period"`
	Previous      *PeriodStatus  `json:"previous_period"`
	Rejects       []RejectCount  `json:"rejects"`
	Sources       []SourceStatus `json:"sources,omitempty"`
	Jobs          []JobStatus    `json:"jobs,omitempty"`
	// Quality is what the figures of the period status tells about rest on:
	// coverage, unknown fields, mostly rejected files, disagreements.
	Quality *Quality `json:"quality,omitempty"`
}

// StatusRun is one run of ops.runs.
type StatusRun struct {
	RunID        string `json:"run_id"`
	Started      string `json:"started_at"`
	Ended        string `json:"ended_at"`
	Status       string `json:"status"`
	Published    bool   `json:"in_warehouse"` // false: a failed run found only in the state folder
	Error        string `json:"error,omitempty"`
	FilesLoaded  int    `json:"files_loaded"`
	FilesFailed  int    `json:"files_failed"`
	RowsLoaded   int64  `json:"rows_loaded"`
	RowsRejected int64  `json:"rows_rejected"`
}

// StatusFile is a file whose latest attempt failed.
type StatusFile struct {
	Path    string `json:"path"`
	Message string `json:"message"`
	At      string `json:"at"`
}

// PeriodStatus is who sent the unit report of one period.
type PeriodStatus struct {
	Period   string       `json:"period_code"`
	Name     string       `json:"name"`
	Deadline string       `json:"deadline"`
	DaysLeft int          `json:"days_left"` // negative: the deadline passed that many days ago
	Units    int          `json:"units"`
	Received int          `json:"received"`
	Missing  []UnitStatus `json:"missing"`
	Late     []UnitStatus `json:"late"`
}

// UnitStatus is one ward or department in a PeriodStatus.
type UnitStatus struct {
	Unit       string `json:"unit_code"`
	Name       string `json:"unit_name"`
	ReceivedAt string `json:"first_received_at,omitempty"`
	DaysLate   int    `json:"days_late,omitempty"`
	// Source says where ReceivedAt comes from: file_time, pulled or
	// recorded (marts.report_submissions.received_source).
	Source string `json:"received_source,omitempty"`
}

// RejectCount is the rejected rows of one reason.
type RejectCount struct {
	Reason  string `json:"reason_code"`
	Rows    int64  `json:"rows"`
	Files   int64  `json:"files"`
	Example string `json:"example"`
}

// SourceStatus is one row of ops.source_freshness.
type SourceStatus struct {
	Source      string `json:"source"`
	LastPull    string `json:"last_pull_at"`
	LastSuccess string `json:"last_success_at,omitempty"`
	LastNewFile string `json:"last_new_file_at,omitempty"`
	Failing     bool   `json:"failing"`
	LastError   string `json:"last_error,omitempty"`
}

// JobStatus is what the scheduler remembers of a job.
type JobStatus struct {
	Job         string `json:"job"`
	LastStart   string `json:"last_start"`
	LastStatus  string `json:"last_status"`
	LastSuccess string `json:"last_success,omitempty"`
	LastError   string `json:"last_error,omitempty"`
}

const minuteLayout = "2006-01-02 15:04"

// ReadStatus gathers the status from the published warehouse and the state
// folder's work database and scheduler. It only reads; the caller owns the
// Status.
func ReadStatus(ctx context.Context, o StatusOptions) (*Status, error) {
	db, closeDB, err := Open(o.Warehouse)
	if err != nil {
		return nil, err
	}
	defer closeDB()
	st := &Status{Warehouse: o.Warehouse, Today: o.Today.Format("2006-01-02"), Runs: []StatusRun{}, FailedFiles: []StatusFile{}, Rejects: []RejectCount{}}
	if st.Runs, err = readRuns(ctx, db, o.Runs, true); err != nil {
		return nil, fmt.Errorf("ops.runs: %w", err)
	}
	if err := st.addUnpublishedRuns(ctx, o.StateDir); err != nil {
		return nil, err
	}
	if st.FailedFiles, err = readFailedFiles(ctx, db); err != nil {
		return nil, fmt.Errorf("raw.files: %w", err)
	}
	if st.Current, err = readPeriod(ctx, db, o.Today, true); err != nil {
		return nil, fmt.Errorf("report submissions: %w", err)
	}
	if st.Previous, err = readPeriod(ctx, db, o.Today, false); err != nil {
		return nil, fmt.Errorf("report submissions: %w", err)
	}
	if st.Rejects, err = readRejects(ctx, db); err != nil {
		return nil, fmt.Errorf("raw.rejects: %w", err)
	}
	if st.Sources, err = readSources(ctx, db); err != nil {
		return nil, fmt.Errorf("ops.source_freshness: %w", err)
	}
	st.Jobs = readJobs(o.StateDir)
	if p := st.qualityPeriod(); p != "" {
		if st.Quality, err = ReadQuality(ctx, db, p); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// qualityPeriod is the period whose data quality the status tells: the one
// whose reports it follows.
func (st *Status) qualityPeriod() string {
	switch {
	case st.Current != nil:
		return st.Current.Period
	case st.Previous != nil:
		return st.Previous.Period
	}
	return ""
}

func tableExists(ctx context.Context, db *sql.DB, schema, name string) bool {
	var n int
	db.QueryRowContext(ctx, `SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = ? AND table_name = ?
		UNION ALL SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() AND schema_name = ? AND view_name = ?
		ORDER BY 1 DESC LIMIT 1`, schema, name, schema, name).Scan(&n)
	return n > 0
}

func readRuns(ctx context.Context, db *sql.DB, limit int, published bool) ([]StatusRun, error) {
	out := []StatusRun{}
	if !tableExists(ctx, db, "ops", "runs") {
		return out, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT run_id, started_at, ended_at, status, coalesce(error, ''),
		coalesce(files_loaded, 0), coalesce(files_failed, 0), coalesce(rows_loaded, 0), coalesce(rows_rejected, 0)
		FROM ops.runs ORDER BY started_at DESC, run_id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r StatusRun
		var started, ended time.Time
		if err := rows.Scan(&r.RunID, &started, &ended, &r.Status, &r.Error, &r.FilesLoaded, &r.FilesFailed, &r.RowsLoaded, &r.RowsRejected); err != nil {
			return nil, err
		}
		r.Started, r.Ended, r.Published = started.Format(minuteLayout), ended.Format(minuteLayout), published
		out = append(out, r)
	}
	return out, rows.Err()
}

// addUnpublishedRuns adds the runs of the work database that the published
// warehouse does not have: runs that failed since the last publish. It reads
// nothing while a run holds the state folder.
func (st *Status) addUnpublishedRuns(ctx context.Context, stateDir string) error {
	work := filepath.Join(stateDir, "work.duckdb")
	if _, err := os.Stat(work); err != nil {
		return nil
	}
	lock, err := load.TryLock(stateDir)
	if errors.Is(err, load.ErrLocked) {
		st.RunInProgress = true
		return nil
	}
	if err != nil {
		return nil // a state folder we may not write: nothing more to tell
	}
	defer lock.Unlock()
	db, closeDB, err := load.OpenReadOnly(work)
	if err != nil {
		return nil
	}
	defer closeDB()
	runs, err := readRuns(ctx, db, 50, false)
	if err != nil {
		return nil
	}
	known := map[string]bool{}
	for _, r := range st.Runs {
		known[r.RunID] = true
	}
	newest := ""
	if len(st.Runs) > 0 {
		newest = st.Runs[0].Started
	}
	var extra []StatusRun
	for _, r := range runs {
		if !known[r.RunID] && r.Started >= newest && r.Status != "published" {
			extra = append(extra, r)
		}
	}
	st.Runs = append(extra, st.Runs...)
	return nil
}

func readFailedFiles(ctx context.Context, db *sql.DB) ([]StatusFile, error) {
	rows, err := db.QueryContext(ctx, `SELECT path, coalesce(message, ''), loaded_at FROM (
			SELECT *, row_number() OVER (PARTITION BY path ORDER BY loaded_at DESC, status) AS latest FROM raw.files
		) WHERE latest = 1 AND status = 'failed' ORDER BY path`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []StatusFile{}
	for rows.Next() {
		var f StatusFile
		var at sql.NullTime
		if err := rows.Scan(&f.Path, &f.Message, &at); err != nil {
			return nil, err
		}
		if at.Valid {
			f.At = at.Time.Format(minuteLayout)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// readPeriod reads the period whose deadline is next (current) or passed
// last, and who has sent its unit report.
func readPeriod(ctx context.Context, db *sql.DB, today time.Time, current bool) (*PeriodStatus, error) {
	q := `SELECT period_code, name_vi, deadline FROM ref.periods WHERE deadline >= ?::DATE ORDER BY deadline LIMIT 1`
	if !current {
		q = `SELECT period_code, name_vi, deadline FROM ref.periods WHERE deadline < ?::DATE ORDER BY deadline DESC LIMIT 1`
	}
	var p PeriodStatus
	var deadline time.Time
	err := db.QueryRowContext(ctx, q, today.Format("2006-01-02")).Scan(&p.Period, &p.Name, &deadline)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.Deadline = deadline.Format("2006-01-02")
	p.DaysLeft = int(deadline.Sub(today).Hours() / 24)
	p.Missing, p.Late = []UnitStatus{}, []UnitStatus{}
	rows, err := db.QueryContext(ctx, `
		SELECT u.unit_code, u.name_vi, s.first_received_at, s.on_time, `+receivedSource(ctx, db)+`
		FROM ref.units u
		LEFT JOIN marts.report_submissions s ON s.unit_code = u.unit_code AND s.period_code = ?
		WHERE u.level IN ('ward', 'department')
		ORDER BY CASE u.level WHEN 'ward' THEN 0 ELSE 1 END, u.unit_code`, p.Period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var u UnitStatus
		var at sql.NullTime
		var onTime sql.NullBool
		if err := rows.Scan(&u.Unit, &u.Name, &at, &onTime, &u.Source); err != nil {
			return nil, err
		}
		p.Units++
		switch {
		case !at.Valid:
			p.Missing = append(p.Missing, u)
		default:
			p.Received++
			if onTime.Valid && !onTime.Bool {
				day := time.Date(at.Time.Year(), at.Time.Month(), at.Time.Day(), 0, 0, 0, 0, time.UTC)
				u.ReceivedAt = at.Time.Format(minuteLayout)
				u.DaysLate = int(day.Sub(deadline).Hours() / 24)
				p.Late = append(p.Late, u)
			}
		}
	}
	return &p, rows.Err()
}

// receivedSource is the select expression of a submission's received_source:
// the column, or file_time in a warehouse built before there was another.
func receivedSource(ctx context.Context, db *sql.DB) string {
	if columnExists(ctx, db, "marts", "report_submissions", "received_source") {
		return "coalesce(s.received_source, '')"
	}
	return "CASE WHEN s.first_received_at IS NOT NULL THEN 'file_time' ELSE '' END"
}

// readRejects counts, by reason, the rejected rows of the content each path
// holds now: a file re-sent with corrections leaves its old rejects behind.
func readRejects(ctx context.Context, db *sql.DB) ([]RejectCount, error) {
	rows, err := db.QueryContext(ctx, `
		WITH latest AS (
			SELECT path, arg_max(sha256, loaded_at) AS sha256 FROM raw.files
			WHERE status = 'loaded' AND sha256 IS NOT NULL GROUP BY path
		)
		SELECT r.reason_code, count(*) AS n, count(DISTINCT r.file_path), min(r.reason)
		FROM raw.rejects r JOIN latest l ON l.path = r.file_path AND l.sha256 = r.file_sha256
		GROUP BY r.reason_code ORDER BY n DESC, r.reason_code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RejectCount{}
	for rows.Next() {
		var r RejectCount
		if err := rows.Scan(&r.Reason, &r.Rows, &r.Files, &r.Example); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func readSources(ctx context.Context, db *sql.DB) ([]SourceStatus, error) {
	if !tableExists(ctx, db, "ops", "source_freshness") {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT source, last_pull_at, last_success_at, last_new_file_at, coalesce(failing, false), coalesce(last_error, '')
		FROM ops.source_freshness ORDER BY source`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SourceStatus
	for rows.Next() {
		var s SourceStatus
		var pull, ok, nw sql.NullTime
		if err := rows.Scan(&s.Source, &pull, &ok, &nw, &s.Failing, &s.LastError); err != nil {
			return nil, err
		}
		s.LastPull, s.LastSuccess, s.LastNewFile = fmtNullTime(pull), fmtNullTime(ok), fmtNullTime(nw)
		out = append(out, s)
	}
	return out, rows.Err()
}

func fmtNullTime(t sql.NullTime) string {
	if !t.Valid {
		return ""
	}
	return t.Time.Format(minuteLayout)
}

func readJobs(stateDir string) []JobStatus {
	var out []JobStatus
	for name, s := range schedule.States(stateDir) {
		j := JobStatus{Job: name, LastStart: s.LastStart.In(load.Zone).Format(minuteLayout), LastStatus: s.LastStatus, LastError: s.LastError}
		if !s.LastSuccess.IsZero() {
			j.LastSuccess = s.LastSuccess.In(load.Zone).Format(minuteLayout)
		}
		out = append(out, j)
	}
	sort.Slice(out, func(i, k int) bool { return out[i].Job < out[k].Job })
	return out
}
