package cli

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // Asia/Ho_Chi_Minh on machines without a zoneinfo database

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/thanhxuan/cchc/config"
	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/load"
	"github.com/thanhxuan/cchc/seeds"
	sqlfs "github.com/thanhxuan/cchc/sql"
	"github.com/thanhxuan/cchc/transform"
)

// hcm is the district's time zone: file times and run times are recorded in it.
var hcm = func() *time.Location {
	l, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		return time.FixedZone("ICT", 7*3600)
	}
	return l
}()

// localWall returns t as a wall-clock time in Asia/Ho_Chi_Minh with location
// UTC, which is how the warehouse stores local TIMESTAMPs.
func localWall(t time.Time) time.Time {
	l := t.In(hcm)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// FileOutcome is what happened to one input file in a run.
type FileOutcome struct {
	Path     string
	Status   string // loaded, failed, duplicate, skipped
	Kind     string
	Message  string
	Rows     int64
	Rejected int64

	rejectsByReason map[string]int64
}

// RunSummary is the result of a run: data, printed by the command and written
// into ops tables.
type RunSummary struct {
	RunID           string
	Started, Ended  time.Time
	Files           []FileOutcome
	RejectsByReason map[string]int64
	Models          []load.Result
	Published       bool
	Warehouse       string
	KPIRows         int64
	Reports         *ReportStatus
}

// Count returns the number of files with the given status.
func (s *RunSummary) Count(status string) int {
	n := 0
	for _, f := range s.Files {
		if f.Status == status {
			n++
		}
	}
	return n
}

// Rows returns the rows loaded and rejected in this run.
func (s *RunSummary) Rows() (loaded, rejected int64) {
	for _, f := range s.Files {
		loaded += f.Rows
		rejected += f.Rejected
	}
	return
}

// pipeline is one run of cchc: everything it needs, built from the Config.
type pipeline struct {
	cfg     config.Config
	log     *slog.Logger
	work    *load.Work
	seedFS  fs.FS
	scanner *extract.Scanner
	env     *transform.Env
	open    extract.OpenOptions
	sum     *RunSummary
	now     func() time.Time
	// progress is told of every file and model (progress.go); nil = none.
	progress func(Event)
}

// runPipeline extracts, loads, builds the models, runs the data tests and
// publishes. It returns the summary also on error (what was done until then).
func runPipeline(ctx context.Context, cfg config.Config, log *slog.Logger) (*RunSummary, error) {
	p := &pipeline{cfg: cfg, log: log, now: time.Now, progress: progressFrom(ctx)}
	p.sum = &RunSummary{RunID: newRunID(), Started: time.Now(), RejectsByReason: map[string]int64{}, Warehouse: cfg.Warehouse}
	lock, err := load.TryLock(cfg.StateDir)
	if err != nil {
		return p.sum, err
	}
	defer lock.Unlock()
	os.RemoveAll(p.spoolDir()) // a killed run's spools: the lock says none is in use

	p.seedFS = seeds.FS()
	if cfg.SeedsDir != "" {
		p.seedFS = os.DirFS(cfg.SeedsDir)
	}
	cat, err := seeds.Load(p.seedFS)
	if err != nil {
		return p.sum, err
	}
	key, err := hmacKey(cfg)
	if err != nil {
		return p.sum, err
	}
	p.scanner = &extract.Scanner{Vocab: extract.NewVocab(cat), Units: extract.NewUnits(cat)}
	p.env = &transform.Env{
		Mem:        memory.DefaultAllocator,
		Units:      p.scanner.Units,
		Values:     transform.NewValues(cat),
		Pseudo:     transform.NewPseudonymizer(key),
		Indicators: transform.NewIndicators(cat),
	}
	p.open = extract.OpenOptions{
		Password:       cfg.Extract.XLSXPassword,
		MaxUnzipBytes:  cfg.Extract.MaxUnzipBytes,
		MaxXMLBytes:    cfg.Extract.MaxXMLBytes,
		MaxCellBytes:   cfg.Extract.MaxCellBytes,
		MaxEmptyRunRow: cfg.Extract.MaxBlankRows,
		TempDir:        cfg.StateDir,
	}

	done := p.phase("open work database")
	p.work, err = load.OpenWork(ctx, filepath.Join(cfg.StateDir, "work.duckdb"), load.WorkOptions{
		MemoryLimit: cfg.DuckDB.MemoryLimit, Threads: cfg.DuckDB.Threads, TempDir: filepath.Join(cfg.StateDir, "tmp"),
		StorageVersion: cfg.DuckDB.StorageVersion,
	})
	if err != nil {
		return p.sum, err
	}
	defer p.work.Close()
	done()

	if err := p.extractAll(ctx); err != nil {
		return p.sum, err
	}
	done = p.phase("seeds")
	if err := load.LoadSeeds(ctx, p.work.DB, p.seedFS, cfg.StateDir); err != nil {
		return p.sum, err
	}
	done()
	done = p.phase("models and data tests")
	err = p.buildModels(ctx)
	done()
	if err != nil {
		p.recordRun(ctx, err)
		return p.sum, err
	}
	if rs, err := reportStatus(ctx, p.work.DB); err == nil {
		p.sum.Reports = rs
	} else {
		p.log.Warn("report status", "err", err)
	}
	p.sum.Ended = time.Now()
	p.recordRun(ctx, nil)
	done = p.phase("publish")
	defer done()
	if err := load.Publish(ctx, p.work, cfg.Warehouse, load.PublishOptions{StorageVersion: cfg.DuckDB.StorageVersion}); err != nil {
		return p.sum, err
	}
	p.sum.Published = true
	return p.sum, nil
}

// phase logs, at debug level, how long a stage of the run took when the
// returned func is called.
func (p *pipeline) phase(name string) func() {
	start := time.Now()
	return func() { p.log.Debug("phase", "name", name, "seconds", time.Since(start).Seconds()) }
}

func newRunID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return time.Now().In(hcm).Format("20060102T150405") + "-" + hex.EncodeToString(b)
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

// extractAll walks the inbox and loads every file not loaded before. Files are
// hashed and decided on in arrival order (modification time, then path), then
// the new contents load in parallel, each in its own transaction on its own
// connection; what a file loads does not depend on which worker loads it or
// when, so results do not depend on scheduling.
func (p *pipeline) extractAll(ctx context.Context) error {
	sources, err := extract.Walk(p.cfg.Inbox)
	if err != nil {
		return err
	}
	seen, err := load.Ledger(ctx, p.work.DB)
	if err != nil {
		return err
	}
	// Of two copies of the same bytes, the earlier one is the original and
	// the later one is recorded as its duplicate.
	sort.SliceStable(sources, func(i, j int) bool {
		if !sources[i].ModTime.Equal(sources[j].ModTime) {
			return sources[i].ModTime.Before(sources[j].ModTime)
		}
		return sources[i].Path < sources[j].Path
	})
	workers := p.cfg.Extract.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	done := p.phase("hash inbox")
	forEach(ctx, len(sources), workers, func(i int) {
		if src := &sources[i]; src.Err == nil {
			src.Err = src.Hash()
		}
	})
	done()
	if err := ctx.Err(); err != nil {
		return err
	}

	// Decide, in order, what each file needs.
	outcomes := make([]FileOutcome, len(sources))
	var toLoad []int
	firstOf := map[string]int{} // sha → index of the file that loads it in this run
	var copies []int
	for i := range sources {
		src := &sources[i]
		outcomes[i].Path = src.Path
		switch s := seen[src.SHA256]; {
		case src.Err != nil:
			toLoad = append(toLoad, i) // recorded as failed
		case s != nil && s.Paths[src.Path] && (s.Status == load.StatusLoaded || !p.cfg.Extract.RetryFailedFiles):
			outcomes[i].Status, outcomes[i].Message = "skipped", "đã xử lý ở lần chạy trước / already processed ("+s.Status+")"
		case s != nil && s.Status == load.StatusLoaded:
			copies = append(copies, i)
		default:
			if _, dup := firstOf[src.SHA256]; dup {
				copies = append(copies, i)
				continue
			}
			firstOf[src.SHA256] = i
			toLoad = append(toLoad, i)
		}
	}
	var loaded atomic.Int64
	defer p.phase("load files")()
	forEach(ctx, len(toLoad), workers, func(k int) {
		i := toLoad[k]
		outcomes[i] = p.loadFile(ctx, &sources[i])
		o := outcomes[i]
		p.log.Info("file", "path", o.Path, "status", o.Status, "kind", o.Kind, "rows", o.Rows, "rejected", o.Rejected, "message", o.Message)
		p.emit(Event{Phase: PhaseFiles, Name: o.Path, Status: o.Status, Done: int(loaded.Add(1)), Total: len(toLoad), Rows: o.Rows})
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, i := range copies {
		src := &sources[i]
		rec := p.baseRecord(src)
		if j, ok := firstOf[src.SHA256]; ok && outcomes[j].Status != load.StatusLoaded {
			rec.Status, rec.Message = load.StatusFailed, outcomes[j].Message
		} else {
			rec.Status, rec.Message = load.StatusDuplicate, "trùng nội dung với tệp đã nạp / same content as a file already loaded"
		}
		outcomes[i] = FileOutcome{Path: src.Path, Status: rec.Status, Message: rec.Message}
		p.insertAlone(ctx, rec)
	}
	p.sum.Files = outcomes
	for _, o := range outcomes {
		if o.Status == load.StatusLoaded {
			p.sum.RejectsByReason = mergeCounts(p.sum.RejectsByReason, o.rejectsByReason)
		}
	}
	return nil
}

// forEach calls fn(0..n-1) on up to workers goroutines and waits. It stops
// handing out work once ctx is done.
func forEach(ctx context.Context, n, workers int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers && w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}

func mergeCounts(dst, src map[string]int64) map[string]int64 {
	for k, v := range src {
		dst[k] += v
	}
	return dst
}

func (p *pipeline) baseRecord(src *extract.Source) load.FileRecord {
	return load.FileRecord{
		Path: src.Path, Size: src.Size, SHA256: src.SHA256, ModifiedAt: localWall(src.ModTime),
		LoadedAt: localWall(time.Now()), RunID: p.sum.RunID,
	}
}

// loadFile loads one file in one transaction: its raw rows, rejects, sheets and
// ledger row commit together or not at all, so a crash leaves no half-loaded
// file. A file that cannot be loaded is recorded as failed, alone.
func (p *pipeline) loadFile(ctx context.Context, src *extract.Source) FileOutcome {
	out := FileOutcome{Path: src.Path}
	var rec load.FileRecord
	err := src.Err
	if err == nil {
		rec, out.rejectsByReason, err = p.loadContent(ctx, src)
	}
	if err != nil {
		if ctx.Err() != nil {
			out.Status, out.Message = load.StatusFailed, ctx.Err().Error()
			return out
		}
		rec = p.baseRecord(src)
		rec.Status, rec.Message = load.StatusFailed, err.Error()
		p.insertAlone(ctx, rec)
		out.Status, out.Message = load.StatusFailed, rec.Message
		return out
	}
	out.Status, out.Kind, out.Rows, out.Rejected, out.Message = rec.Status, rec.Kind, rec.RowsLoaded, rec.RowsRejected, rec.Message
	return out
}

// spoolDir holds the reject spools of the files being loaded; whatever a
// killed run left there is removed when the next one starts.
func (p *pipeline) spoolDir() string { return filepath.Join(p.cfg.StateDir, "spool") }

func (p *pipeline) insertAlone(ctx context.Context, rec load.FileRecord) error {
	conn, err := p.work.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = load.InsertFile(ctx, conn, rec)
	if err != nil {
		p.log.Error("record file", "path", rec.Path, "err", err)
	}
	return err
}

// loadContent reads a file's sheets and loads them in one transaction.
func (p *pipeline) loadContent(ctx context.Context, src *extract.Source) (rec load.FileRecord, byReason map[string]int64, err error) {
	rec = p.baseRecord(src)
	byReason = map[string]int64{}
	wb, err := src.Open(p.open)
	if err != nil {
		return rec, nil, err
	}
	defer wb.Close()
	heads, err := p.scanner.Scan(wb, src.Path)
	if err != nil {
		return rec, nil, err
	}
	conn, err := p.work.DB.Conn(ctx)
	if err != nil {
		return rec, nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return rec, nil, err
	}
	committed := false
	defer func() {
		if !committed {
			conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	var kinds, ignored, notes []string
	units, periods := map[string]bool{}, map[string]bool{}
	// Rejects go to a spool file as they come (a file of a million bad rows
	// must not be held in memory) and into raw.rejects at the end, inside
	// the file's transaction.
	spool := transform.NewRejectSpool(p.spoolDir(), src.Path, src.SHA256, p.sum.RunID)
	defer spool.Close()
	for i := range heads {
		h := &heads[i]
		before := spool.Rows()
		res, err := p.loadSheet(ctx, conn, wb, src, h, spool)
		if err != nil {
			if len(heads) > 1 && h.Name != "" {
				return rec, nil, fmt.Errorf("sheet %q: %w", h.Name, err)
			}
			return rec, nil, err
		}
		rejected := spool.Rows() - before
		rec.RowsLoaded += res.loaded
		rec.RowsRejected += rejected
		rec.RowsSkipped += res.skipped
		if !contains(kinds, h.Layout.Kind) {
			kinds = append(kinds, h.Layout.Kind)
		}
		for _, c := range append(append([]string(nil), h.Layout.Ignored...), h.Layout.Duplicates...) {
			if !contains(ignored, c) {
				ignored = append(ignored, c)
			}
		}
		notes = append(notes, res.notes...)
		if res.unit != "" {
			units[res.unit] = true
		}
		if h.Period != "" && h.Layout.Kind != extract.KindDossiers {
			periods[h.Period] = true
		}
		if err := load.InsertSheet(ctx, conn, load.SheetRecord{
			SHA256: src.SHA256, Sheet: h.Name, Kind: h.Layout.Kind, Unit: res.unit, Period: sheetPeriod(h),
			HeaderRow: h.Layout.HeaderFirst, DataFirstRow: h.Layout.DataFirst, RowsLoaded: res.loaded,
			RowsRejected: rejected, IgnoredColumns: strings.Join(h.Layout.Ignored, "; "),
		}); err != nil {
			return rec, nil, err
		}
	}
	path, err := spool.Finish()
	if err != nil {
		return rec, nil, fmt.Errorf("spool rejects: %w", err)
	}
	if path != "" {
		if _, err := load.InsertJSONLines(ctx, conn, "raw.rejects", path, transform.RejectColumns); err != nil {
			return rec, nil, err
		}
		byReason = spool.ByReason()
	}
	if n, ok := wb.(extract.Noter); ok {
		notes = append(notes, n.Notes()...)
	}
	rec.Kind = strings.Join(kinds, ",")
	rec.Unit = single(units)
	rec.Period = single(periods)
	rec.Status = load.StatusLoaded
	rec.IgnoredColumns = strings.Join(ignored, "; ")
	if len(ignored) > 0 {
		notes = append(notes, "cột bị bỏ qua / ignored columns: "+rec.IgnoredColumns)
	}
	rec.Message = strings.Join(notes, "; ")
	if err := load.InsertFile(ctx, conn, rec); err != nil {
		return rec, nil, err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return rec, nil, err
	}
	committed = true
	return rec, byReason, nil
}

func sheetPeriod(h *extract.SheetHead) string {
	if h.Layout.Kind == extract.KindDossiers {
		return ""
	}
	return h.Period
}

type sheetResult struct {
	loaded  int64
	skipped int64
	unit    string
	notes   []string
}

// loadSheet streams one sheet through its transform into its raw table.
func (p *pipeline) loadSheet(ctx context.Context, conn *sql.Conn, wb extract.Workbook, src *extract.Source, h *extract.SheetHead, spool *transform.RejectSpool) (sheetResult, error) {
	var res sheetResult
	rows, err := extract.Data(wb, h)
	if err != nil {
		return res, err
	}
	defer rows.Close()
	sc := transform.SheetContext{FileSHA256: src.SHA256, Head: h, OnRejects: spool.Add}
	switch h.Layout.Kind {
	case extract.KindDossiers:
		rr, err := transform.NewDossierReader(p.env, rows, sc)
		if err != nil {
			return res, err
		}
		defer rr.Release()
		n, err := load.InsertArrow(ctx, conn, "raw.dossier_rows", rr)
		if err != nil {
			return res, err
		}
		if err := spool.Add(rr.Rejects()); err != nil {
			return res, err
		}
		res.loaded = n
		if h.Layout.Col("unit") < 0 {
			res.unit = h.Unit
		}
	case extract.KindUnitReport, extract.KindTTHCSummary:
		if h.Unit == "" {
			return res, fmt.Errorf("%w: tiêu đề và tên tệp không nêu đơn vị báo cáo / neither the title rows nor the file name name the reporting unit", extract.ErrNoUnit)
		}
		if h.Period == "" {
			msg := "tiêu đề và tên tệp không nêu kỳ báo cáo / neither the title rows nor the file name name the period"
			if h.PeriodText != "" {
				msg = fmt.Sprintf("kỳ %q không phải kỳ báo cáo của kế hoạch (Quý I, 6 tháng, 9 tháng, năm) / not a period of the plan", h.PeriodText)
			}
			return res, fmt.Errorf("%w: %s", extract.ErrNoPeriod, msg)
		}
		res.unit = h.Unit
		n, rej, notes, err := p.loadReportSheet(ctx, conn, rows, sc)
		if err != nil {
			return res, err
		}
		if err := spool.Add(rej); err != nil {
			return res, err
		}
		res.loaded, res.notes = n, notes
	default:
		return res, fmt.Errorf("unknown kind %q", h.Layout.Kind)
	}
	if err := rows.Err(); err != nil {
		return res, err
	}
	for _, n := range rows.Skipped {
		res.skipped += int64(n)
	}
	return res, nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func single(m map[string]bool) string {
	if len(m) != 1 {
		return ""
	}
	for k := range m {
		return k
	}
	return ""
}

// buildModels runs the built-in models, then the data team's, then all tests.
func (p *pipeline) buildModels(ctx context.Context) error {
	models, tests, err := load.ParseModels(sqlfs.FS(), "sql", 0)
	if err != nil {
		return err
	}
	if p.cfg.ModelsDir != "" {
		m2, t2, err := load.ParseModels(os.DirFS(p.cfg.ModelsDir), p.cfg.ModelsDir, 1)
		if err != nil {
			return err
		}
		models, tests = append(models, m2...), append(tests, t2...)
	}
	ordered, err := load.Order(models)
	if err != nil {
		return err
	}
	sort.SliceStable(tests, func(i, j int) bool { return tests[i].Name < tests[j].Name })
	results, err := load.RunModels(ctx, p.work.DB, ordered, tests)
	p.sum.Models = results
	for i, r := range results {
		p.emit(Event{Phase: PhaseModels, Name: r.Name, Status: resultStatus(r), Done: i + 1, Total: len(results), Rows: r.Rows})
	}
	for _, r := range results {
		if r.Name == "marts.kpi_values" {
			p.sum.KPIRows = r.Rows
		}
	}
	return err
}

// recordRun writes the run into ops tables (run history that analysts query).
func (p *pipeline) recordRun(ctx context.Context, runErr error) {
	if err := recordOps(ctx, p.work.DB, p.cfg.StateDir, p.sum, runErr); err != nil {
		p.log.Warn("record run history", "err", err)
	}
}

var errInterrupted = errors.New("interrupted")
