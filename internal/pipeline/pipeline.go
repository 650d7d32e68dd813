// Package pipeline is one run of cchc: it walks the inbox, loads every file
// it has not loaded before (each in its own transaction), builds the SQL
// models, runs the data tests, records the run's history and publishes the
// warehouse. Run returns a Summary, also when the run fails.
//
// It wires the stages, which know nothing of each other's insides: extract
// (files in, rows out), transform (rows in, record batches out), load
// (record batches in, DuckDB). The command line and the scheduler call Run;
// so do the tests and the benchmarks.
package pipeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/internal/progress"
	"github.com/thanhxuan/cchc/internal/pull"
	"github.com/thanhxuan/cchc/load"
	"github.com/thanhxuan/cchc/seeds"
	"github.com/thanhxuan/cchc/transform"
)

// An Option changes how Run works.
type Option func(*run)

// WithLogger sends the run's log to log (default: none).
func WithLogger(log *slog.Logger) Option {
	return func(r *run) {
		if log != nil {
			r.log = log
		}
	}
}

// WithProgress reports every file loaded and every model built to fn.
func WithProgress(fn progress.Func) Option { return func(r *run) { r.progress = fn } }

// WithAllocator makes the record batches with mem (default: Go's allocator).
// Tests pass a checked allocator to catch a batch that is never released.
func WithAllocator(mem memory.Allocator) Option { return func(r *run) { r.mem = mem } }

// WithInsertFault makes the n-th insert of a stream of rows into the
// database (1-based, counted over the whole run) fail with a real database
// error, as a failing disk or database would fail it: for tests of what a
// run does when its environment fails in the middle of loading.
func WithInsertFault(n int) Option { return func(r *run) { r.faults.failInsert = int64(n) } }

// faults are the failures a test asked for (WithInsertFault).
type faults struct {
	failInsert int64 // 0: none
	inserts    atomic.Int64
}

// insert counts an insert and reports whether it is the one to fail.
func (f *faults) insert() bool {
	return f.failInsert > 0 && f.inserts.Add(1) == f.failInsert
}

// run is one run of cchc: everything it needs, built from the Config.
type run struct {
	cfg      config.Config
	log      *slog.Logger
	progress progress.Func
	mem      memory.Allocator
	faults   faults

	work *load.Work
	*Stages
	sum *Summary
}

// Run extracts, loads, builds the models, runs the data tests and publishes
// cfg.Warehouse. cfg must be valid (config.Config.Validate). It returns the
// summary also on error: what was done until then. An error wrapping
// load.ErrLocked means another run holds the state folder.
func Run(ctx context.Context, cfg config.Config, opts ...Option) (*Summary, error) {
	r := &run{cfg: cfg, log: slog.New(slog.DiscardHandler), mem: memory.DefaultAllocator}
	for _, o := range opts {
		o(r)
	}
	r.sum = &Summary{RunID: load.NewRunID(), Started: time.Now(), RejectsByReason: map[string]int64{}, Warehouse: cfg.Warehouse}
	if err := CheckDuckDB(ctx, cfg); err != nil {
		return r.sum, err
	}
	lock, err := load.TryLock(cfg.StateDir)
	if err != nil {
		return r.sum, err
	}
	defer lock.Unlock()
	os.RemoveAll(r.spoolDir()) // a killed run's spools: the lock says none is in use

	if r.Stages, err = NewStages(cfg, r.mem); err != nil {
		return r.sum, err
	}
	done := r.phase("open work database")
	r.work, err = load.OpenWork(ctx, filepath.Join(cfg.StateDir, "work.duckdb"), workOptions(cfg))
	if err != nil {
		return r.sum, err
	}
	defer r.work.Close()
	done()

	if err := r.extractAll(ctx); err != nil {
		return r.sum, err
	}
	done = r.phase("seeds")
	loaded, err := load.LoadSeeds(ctx, r.work.DB, r.SeedFS, cfg.StateDir)
	if err != nil {
		return r.sum, err
	}
	done()
	r.log.Debug("seeds", "loaded", loaded)
	r.recordPulls(ctx)
	done = r.phase("models and data tests")
	err = r.buildModels(ctx)
	done()
	if err != nil {
		r.recordRun(ctx, err)
		return r.sum, err
	}
	if rs, err := readReportStatus(ctx, r.work.DB); err == nil {
		r.sum.Reports = rs
	} else {
		r.log.Warn("report status", "err", err)
	}
	if mr, err := readMostlyRejected(ctx, r.work.DB, r.sum.RunID); err == nil {
		r.sum.MostlyRejected = mr
	} else {
		r.log.Warn("mostly rejected files", "err", err)
	}
	r.sum.Ended = time.Now()
	r.recordRun(ctx, nil)
	done = r.phase("publish")
	defer done()
	if err := load.Publish(ctx, r.work, cfg.Warehouse, load.PublishOptions{StorageVersion: cfg.DuckDB.StorageVersion}); err != nil {
		return r.sum, err
	}
	r.sum.Published = true
	return r.sum, nil
}

// workOptions are the settings of the work database of a run with cfg.
func workOptions(cfg config.Config) load.WorkOptions {
	return load.WorkOptions{
		MemoryLimit: cfg.DuckDB.MemoryLimit, Threads: cfg.DuckDB.Threads, TempDir: filepath.Join(cfg.StateDir, "tmp"),
		StorageVersion: cfg.DuckDB.StorageVersion,
	}
}

// CheckDuckDB tries the duckdb.* settings of cfg on a database in memory
// (Run does, before any work): a setting DuckDB refuses is a configuration
// error (config.ErrInvalid) naming its key and file.
func CheckDuckDB(ctx context.Context, cfg config.Config) error {
	err := load.CheckOptions(ctx, workOptions(cfg))
	var se *load.SettingError
	if !errors.As(err, &se) {
		return err
	}
	key := map[string]string{"MemoryLimit": "duckdb.memory_limit", "Threads": "duckdb.threads", "StorageVersion": "duckdb.storage_version"}[se.Option]
	return cfg.Invalid(key, fmt.Sprintf("DuckDB refuses it: %v", se.Err))
}

// Stages are what a file goes through before the database, built once per
// run from the seeds and the configuration: the header scanner, the
// transforms' matchers and key, and the limits of opening a file. They are
// safe for concurrent use.
type Stages struct {
	SeedFS  fs.FS
	Scanner *extract.Scanner
	Env     *transform.Env
	Open    extract.OpenOptions
}

// NewStages reads the seeds — the embedded ones with the rows of
// cfg.SeedsDir added — and builds the stages; batches are made with mem.
// A seed of cfg.SeedsDir that is malformed or contradicts another row is a
// configuration error (config.ErrInvalid) naming the files and lines.
// Without pii.hmac_key, the key is the one kept in cfg.StateDir (made there
// once).
func NewStages(cfg config.Config, mem memory.Allocator) (*Stages, error) {
	return newStages(cfg, mem, hmacKey, cfg.StateDir)
}

// NewReadStages builds the stages for reading files without loading them
// (`cchc inspect`): nothing is written — the applicant pseudonyms are keyed
// with a throwaway key, for nothing keeps them, and a large worksheet is
// spilled to the system's temporary folder, not the state folder (which
// need not exist). The seeds and limits are those of a run with cfg.
func NewReadStages(cfg config.Config, mem memory.Allocator) (*Stages, error) {
	return newStages(cfg, mem, throwawayKey, "")
}

// newStages builds the stages with the pseudonym key that key returns and
// the folder where large worksheets are spilled ("": the system's temporary
// folder).
func newStages(cfg config.Config, mem memory.Allocator, key func(config.Config) ([]byte, error), tempDir string) (*Stages, error) {
	set, err := Seeds(cfg)
	if err != nil {
		return nil, err
	}
	s := &Stages{SeedFS: set}
	cat, err := set.Catalog()
	if err != nil {
		return nil, fmt.Errorf("%w: seeds_dir: %w", config.ErrInvalid, err)
	}
	k, err := key(cfg)
	if err != nil {
		return nil, err
	}
	s.Scanner = &extract.Scanner{Vocab: extract.NewVocab(cat), Units: extract.NewUnits(cat)}
	s.Env = &transform.Env{
		Mem:        mem,
		Units:      s.Scanner.Units,
		Values:     transform.NewValues(cat),
		Pseudo:     transform.NewPseudonymizer(k),
		Indicators: transform.NewIndicators(cat),
	}
	s.Open = extract.OpenOptions{
		Password:       cfg.Extract.XLSXPassword,
		MaxUnzipBytes:  cfg.Extract.MaxUnzipBytes,
		MaxXMLBytes:    cfg.Extract.MaxXMLBytes,
		MaxCellBytes:   cfg.Extract.MaxCellBytes,
		MaxEmptyRunRow: cfg.Extract.MaxBlankRows,
		MaxMemoryBytes: cfg.Extract.MaxMemoryBytes,
		TempDir:        tempDir,
	}
	return s, nil
}

// Seeds returns the seeds of a run: the embedded ones with the rows of the
// data team's folder (cfg.SeedsDir) merged in. Other seed files of that
// folder (a new kind of seed) join the set whole. The arrivals it records
// (ArrivalsFile) are checked against the units and the period calendar and
// written as the ref table loads them.
func Seeds(cfg config.Config) (*seeds.Set, error) {
	set, err := seeds.Embedded()
	if err != nil || cfg.SeedsDir == "" {
		return set, err
	}
	over, err := seeds.Read(os.DirFS(cfg.SeedsDir), cfg.SeedsDir)
	if err == nil {
		set, err = seeds.Merge(set, over, transform.SeedKey)
	}
	var cat *seeds.Catalog
	if err == nil {
		cat, err = set.Catalog()
	}
	if err == nil {
		err = checkArrivals(set, cat)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: seeds_dir: %w", config.ErrInvalid, err)
	}
	return set, nil
}

// phase logs, at debug level, how long a stage of the run took when the
// returned func is called.
func (r *run) phase(name string) func() {
	start := time.Now()
	return func() { r.log.Debug("phase", "name", name, "seconds", time.Since(start).Seconds()) }
}

// hmacKey returns the configured key, or the one kept in the state directory
// (made once), so pseudonyms stay stable across runs without a key in the
// warehouse.
func hmacKey(cfg config.Config) ([]byte, error) {
	if cfg.PII.HMACKey != "" {
		return []byte(cfg.PII.HMACKey), nil
	}
	p := filepath.Join(cfg.StateDir, "hmac.key")
	if b, err := os.ReadFile(p); err == nil && len(b) >= 32 {
		return b, nil
	}
	if err := os.MkdirAll(cfg.StateDir, 0o755); err != nil {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	k := []byte(hex.EncodeToString(b))
	if err := os.WriteFile(p, k, 0o600); err != nil {
		return nil, err
	}
	return k, nil
}

// throwawayKey is a random key that is kept nowhere: pseudonyms made with
// it match no others.
func throwawayKey(config.Config) ([]byte, error) {
	k := make([]byte, 32)
	_, err := rand.Read(k)
	return k, err
}

// buildModels runs the built-in models, then the data team's, then all tests.
func (r *run) buildModels(ctx context.Context) error {
	models, tests, err := load.ModelSet(r.cfg.ModelsDir)
	if err != nil {
		return err
	}
	results, err := load.RunModels(ctx, r.work.DB, models, tests)
	r.sum.Models = results
	for i, m := range results {
		status := "ok"
		if m.Err != nil {
			status = "failed"
		}
		r.progress.Emit(progress.Event{Phase: progress.Models, Name: m.Name, Status: status, Done: i + 1, Total: len(results), Rows: m.Rows})
		if m.Name == "marts.kpi_values" {
			r.sum.KPIRows = m.Rows
		}
	}
	return err
}

// recordPulls moves the pulls journalled since the last run into
// ops.source_pulls before the models are built: a report's arrival is the
// earliest of its file's time and the time a pull first fetched it
// (marts.report_submissions), so the models need this run's pulls. The
// journal is emptied only once the rows are committed, and a row already
// recorded is not recorded again, so a crash between the two loses nothing
// and doubles nothing. A failure is logged, not fatal: the journal keeps the
// pulls for the next run, and the arrivals fall back to the files' times.
func (r *run) recordPulls(ctx context.Context) {
	err := errors.Join(
		load.EnsureOps(ctx, r.work.DB),
		pull.DrainJournal(r.cfg.StateDir, func(recs []load.PullRecord) error {
			return load.RecordPulls(ctx, r.work.DB, r.sum.RunID, recs)
		}))
	if err != nil {
		r.log.Warn("record pulls", "err", err)
	}
}

// recordRun writes the run into the ops tables (run history that analysts
// query) and refreshes the freshness views. A failure there is logged: it
// does not fail the run.
func (r *run) recordRun(ctx context.Context, runErr error) {
	err := errors.Join(
		load.RecordRun(ctx, r.work.DB, r.sum.record(runErr)),
		load.RefreshOpsViews(ctx, r.work.DB))
	if err != nil {
		r.log.Warn("record run history", "err", err)
	}
}
