package pipeline

import (
	"context"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/thanhxuan/cchc/extract"
	"github.com/thanhxuan/cchc/internal/msg"
	"github.com/thanhxuan/cchc/internal/progress"
	"github.com/thanhxuan/cchc/load"
)

// extractAll walks the inbox and loads every file not loaded before. Files are
// hashed and decided on in arrival order (modification time, then path), then
// the new contents load in parallel, each in its own transaction on its own
// connection; what a file loads does not depend on which worker loads it or
// when, so results do not depend on scheduling. An error of the environment
// (environmental) stops the loading: files being loaded roll back, none is
// recorded as failed for it, and extractAll returns it.
func (r *run) extractAll(ctx context.Context) error {
	sources, err := extract.Walk(r.cfg.Inbox)
	if err != nil {
		return err
	}
	seen, err := load.Ledger(ctx, r.work.DB)
	if err != nil {
		return env(err)
	}
	unread, err := load.Unread(ctx, r.work.DB)
	if err != nil {
		return env(err)
	}
	// Of two copies of the same bytes, the earlier one is the original and
	// the later one is recorded as its duplicate; of two with the same time,
	// the one whose path comes first in byte order.
	sort.SliceStable(sources, func(i, j int) bool {
		if !sources[i].ModTime.Equal(sources[j].ModTime) {
			return sources[i].ModTime.Before(sources[j].ModTime)
		}
		return sources[i].Path < sources[j].Path
	})
	workers := r.cfg.Extract.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	done := r.phase("hash inbox")
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
		case src.Err != nil && outOfResources(src.Err):
			return &EnvironmentError{Path: src.Path, Err: src.Err}
		case src.Err != nil && unread[src.Path] == failureMessage(src, src.Err):
			// Its content was never read: the same reason as last time is
			// recorded once, and the file is tried again at every run.
			outcomes[i].Status, outcomes[i].Message = Skipped, "đã ghi ở lần chạy trước / already recorded (failed): "+unread[src.Path]
		case src.Err != nil:
			toLoad = append(toLoad, i) // recorded as failed
		case s != nil && s.Paths[src.Path] && (s.Status == load.StatusLoaded || !r.cfg.Extract.RetryFailedFiles):
			outcomes[i].Status, outcomes[i].Message = Skipped, "đã xử lý ở lần chạy trước / already processed ("+s.Status+")"
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
	// The first error of the environment cancels the loads in flight (they
	// roll back) and the ones not started.
	lctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var loaded atomic.Int64
	defer r.phase("load files")()
	forEach(lctx, len(toLoad), workers, func(k int) {
		i := toLoad[k]
		o, err := r.loadFile(lctx, &sources[i])
		if err != nil {
			stop(err)
			return
		}
		outcomes[i] = o
		r.log.Info("file", "path", o.Path, "status", o.Status, "kind", o.Kind, "rows", o.Rows, "rejected", o.Rejected, "message", o.Message)
		r.progress.Emit(progress.Event{Phase: progress.Files, Name: o.Path, Status: o.Status, Done: int(loaded.Add(1)), Total: len(toLoad), Rows: o.Rows})
	})
	if err := context.Cause(lctx); err != nil {
		// What loaded before it is committed in the work database (and
		// published by the next run that succeeds); say so.
		r.sum.Files = slices.DeleteFunc(outcomes, func(o FileOutcome) bool { return o.Status == "" })
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	for _, i := range copies {
		src := &sources[i]
		rec := r.baseRecord(src)
		j, ok := firstOf[src.SHA256]
		switch {
		case ok && outcomes[j].Status != load.StatusLoaded:
			rec.Status, rec.Message = load.StatusFailed, msg.Clip("như tệp "+sources[j].Path+" cùng nội dung / as "+sources[j].Path+", same content: "+outcomes[j].Message, msg.Max)
		case ok:
			rec.Status, rec.Message = load.StatusDuplicate, duplicateOf(sources[j].Path)
		default: // loaded by an earlier run
			orig := ""
			if s := seen[src.SHA256]; s != nil {
				orig = s.Loaded
			}
			rec.Status, rec.Message = load.StatusDuplicate, duplicateOf(orig)
		}
		if err := r.insertAlone(ctx, rec); err != nil {
			return &EnvironmentError{Path: src.Path, Err: err}
		}
		outcomes[i] = FileOutcome{Path: src.Path, Status: rec.Status, Message: rec.Message}
	}
	r.sum.Files = outcomes
	for _, o := range outcomes {
		if o.Status == load.StatusLoaded {
			for k, v := range o.rejectsByReason {
				r.sum.RejectsByReason[k] += v
			}
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

func (r *run) baseRecord(src *extract.Source) load.FileRecord {
	return load.FileRecord{
		Path: src.Path, Size: src.Size, SHA256: src.SHA256, ModifiedAt: load.LocalWall(src.ModTime),
		LoadedAt: load.LocalWall(time.Now()), RunID: r.sum.RunID,
	}
}

// loadFile loads one file in one transaction: its raw rows, rejects, sheets and
// ledger row commit together or not at all, so a crash leaves no half-loaded
// file. A file that cannot be loaded is recorded as failed, alone: without
// its hash when its content could not be read at all (src.Err), so that the
// next run tries it again. An error of the environment records nothing and
// is returned.
func (r *run) loadFile(ctx context.Context, src *extract.Source) (FileOutcome, error) {
	out := FileOutcome{Path: src.Path}
	var rec load.FileRecord
	err := src.Err
	if err == nil {
		rec, out.rejectsByReason, err = r.loadContent(ctx, src)
	}
	if err != nil {
		if ctx.Err() != nil {
			return out, context.Cause(ctx)
		}
		if src.Err != nil && outOfResources(err) || src.Err == nil && environmental(err, src.Abs) {
			return out, &EnvironmentError{Path: src.Path, Err: err}
		}
		rec = r.baseRecord(src)
		rec.Status, rec.Message = load.StatusFailed, failureMessage(src, err)
		if err := r.insertAlone(ctx, rec); err != nil {
			return out, &EnvironmentError{Path: src.Path, Err: err}
		}
		out.Status, out.Message = load.StatusFailed, rec.Message
		return out, nil
	}
	out.Status, out.Kind, out.Rows, out.Rejected, out.Message = rec.Status, rec.Kind, rec.RowsLoaded, rec.RowsRejected, rec.Message
	return out, nil
}

// duplicateOf is raw.files.message of a duplicate of the file loaded under
// orig ("" when the ledger does not say).
func duplicateOf(orig string) string {
	if orig == "" {
		return "trùng nội dung với tệp đã nạp / same content as a file already loaded"
	}
	return msg.Clip("trùng nội dung với tệp đã nạp "+orig+" / same content as "+orig+", already loaded", msg.Max)
}

// failureMessage is raw.files.message of a file that failed with err: the
// reason, at most msg.Max characters, with a hint when the file's name says
// what it likely is.
func failureMessage(src *extract.Source, err error) string {
	m := err.Error()
	base := path.Base(src.Path)
	switch {
	case src.Err != nil:
	case strings.HasPrefix(base, "~$"):
		m = "tệp khóa của Excel (có người đang mở " + strings.TrimPrefix(base, "~$") + "), không phải dữ liệu / Excel's lock file of an open workbook, not data — " + m
	case strings.HasPrefix(base, "._"):
		m = "siêu dữ liệu của macOS cho " + strings.TrimPrefix(base, "._") + ", không phải dữ liệu / macOS metadata (AppleDouble), not data — " + m
	}
	return msg.Clip(m, msg.Max)
}

// insertAlone records a file's ledger row in a transaction of its own.
func (r *run) insertAlone(ctx context.Context, rec load.FileRecord) error {
	conn, err := r.work.DB.Conn(ctx)
	if err != nil {
		return env(err)
	}
	defer conn.Close()
	return env(load.InsertFile(ctx, conn, rec))
}
