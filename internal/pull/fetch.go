// Package pull fetches the files that wards and the one-stop-shop system
// publish into the inbox, where a run finds them. A source is a folder (local, or a mounted
// share of a ward) or one HTTP(S) file (an export of the one-stop-shop
// system). Every file arrives atomically: it is written under a hidden
// temporary name in its destination folder (Walk skips hidden files, so a run
// never sees it half-written), verified (size, checksum, a source file that did
// not change while it was copied), then renamed into place with the source's
// modification time, which the warehouse takes as the time a report was
// received. A source that fails is reported in its Report; the others go on.
package pull

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/thanhxuan/cchc/extract"
)

// Errors of pulling; callers test them with errors.Is.
var (
	ErrSource   = errors.New("source cannot be read")
	ErrTooLarge = errors.New("file over the size limit")
	ErrHTTP     = errors.New("unexpected HTTP status")
	ErrChecksum = errors.New("checksum mismatch")
	ErrChanged  = errors.New("source file changed while it was copied")
	ErrTruncate = errors.New("download shorter than announced")
)

// Pull statuses, as recorded in ops.source_pulls.status.
const (
	New         = "new"          // a file the inbox did not have
	Updated     = "updated"      // new content over an older version of the same file
	Unchanged   = "unchanged"    // fetched again, same bytes as the inbox holds: left as it was
	NotModified = "not_modified" // the server answered 304, or the folder's file has the size and time of the last pull
	Failed      = "failed"
)

// Source is one place to pull from: Dir or URL, never both.
type Source struct {
	Name    string
	Dir     string            // a folder, read recursively (hidden files and Excel lock files left out)
	URL     string            // one file over http or https
	Include []string          // base-name patterns of a folder source (path.Match); empty: every file
	File    string            // name in the inbox of a URL source; empty: from Content-Disposition or the URL
	Dest    string            // folder under the inbox, '/'-separated; empty: Name
	SHA256  string            // expected checksum of a URL source; empty: not checked
	Header  map[string]string // extra request headers of a URL source
}

// Options bound what pulling may cost. Zero values take the defaults noted.
type Options struct {
	Timeout  time.Duration // one HTTP attempt, the whole download (2m)
	Retries  int           // further attempts after a failure that may pass
	Backoff  time.Duration // wait before the first retry; it doubles each time, up to 5m
	MaxBytes int64         // larger files fail (512 MiB)
	Workers  int           // sources pulled at the same time (1)
	Client   *http.Client  // nil: a client with the proxy settings of the environment
	Log      *slog.Logger  // nil: silent
	// OnFile is told of every file as it is settled; it may be called from
	// several goroutines at once.
	OnFile func(File)
	// Sleep waits between attempts; nil: a timer that ctx cancels. Tests
	// inject one that returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time // nil: time.Now
}

// File is what happened to one file of a source.
type File struct {
	Source       string
	Origin       string // the URL, or the path inside the source folder
	Path         string // in the inbox, '/'-separated
	Status       string // one of the Pull* statuses
	Size         int64
	SHA256       string // hex, of the bytes now in the inbox
	ETag         string
	LastModified string
	HTTPStatus   int // 0 for folder sources
	Attempts     int
	Started      time.Time
	Duration     time.Duration
	Err          error // why the file failed, if it did
}

// Report is the outcome of one source: its files, or Err when the source
// could not be read at all.
type Report struct {
	Source string
	Files  []File
	Err    error
}

// Failed reports whether the source or any of its files failed.
func (r Report) Failed() bool {
	if r.Err != nil {
		return true
	}
	for _, f := range r.Files {
		if f.Status == Failed {
			return true
		}
	}
	return false
}

// State remembers, per source file, what was pulled last time: the
// validators of a conditional GET and the size and time of a folder's file.
// It is safe for concurrent use; LoadState and Save keep it in a file.
type State struct {
	mu    sync.Mutex
	Files map[string]Validators `json:"files"` // key: source name, NUL, origin
}

// Validators is what State keeps of one file.
type Validators struct {
	Path         string    `json:"path"`     // in the inbox
	Size         int64     `json:"size"`     // of the bytes in the inbox
	ModTime      time.Time `json:"mod_time"` // of the source file (folder sources)
	SHA256       string    `json:"sha256"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
}

// LoadState reads the state kept at file; a missing file is an empty state.
func LoadState(file string) (*State, error) {
	s := &State{Files: map[string]Validators{}}
	b, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("pull state %s: %w", file, err)
	}
	if s.Files == nil {
		s.Files = map[string]Validators{}
	}
	return s, nil
}

// Save writes the state to file atomically (temporary file, then rename).
func (s *State) Save(file string) error {
	s.mu.Lock()
	b, err := json.MarshalIndent(s, "", "  ")
	s.mu.Unlock()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

func (s *State) get(key string) (Validators, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.Files[key]
	return v, ok
}

func (s *State) set(key string, v Validators) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Files[key] = v
}

// Pull fetches every source into inbox and returns one report per source, in
// the order given. The state is read for conditional requests and updated
// with what was pulled; the caller saves it. Files written stay in the inbox;
// nothing outside inbox is changed.
func Fetch(ctx context.Context, inbox string, sources []Source, state *State, opt Options) []Report {
	p := newPuller(inbox, state, opt)
	reports := make([]Report, len(sources))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < p.opt.Workers && w < len(sources); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				reports[i] = p.pull(ctx, sources[i])
			}
		}()
	}
	for i := range sources {
		if ctx.Err() != nil {
			reports[i] = Report{Source: sources[i].Name, Err: ctx.Err()}
			continue
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return reports
}

type puller struct {
	inbox string
	state *State
	opt   Options
	log   *slog.Logger
}

func newPuller(inbox string, state *State, opt Options) *puller {
	if opt.Timeout <= 0 {
		opt.Timeout = 2 * time.Minute
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 512 << 20
	}
	if opt.Workers <= 0 {
		opt.Workers = 1
	}
	if opt.Client == nil {
		opt.Client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if opt.Sleep == nil {
		opt.Sleep = sleepCtx
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if state == nil {
		state = &State{Files: map[string]Validators{}}
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &puller{inbox: inbox, state: state, opt: opt, log: log}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *puller) pull(ctx context.Context, src Source) Report {
	rep := Report{Source: src.Name}
	dest := src.Dest
	if dest == "" {
		dest = src.Name
	}
	if !filepath.IsLocal(filepath.FromSlash(dest)) {
		rep.Err = fmt.Errorf("%w: dest %q is not a folder inside the inbox", ErrSource, dest)
		return rep
	}
	if src.URL != "" {
		f := p.pullURL(ctx, src, dest)
		rep.Files = []File{f}
		return rep
	}
	rep.Files, rep.Err = p.pullDir(ctx, src, dest)
	return rep
}

// done settles one file: duration, log line, callback.
func (p *puller) done(f File) File {
	f.Duration = p.opt.Now().Sub(f.Started)
	if f.Err != nil {
		f.Status = Failed
		p.log.Warn("pull", "source", f.Source, "origin", f.Origin, "status", f.Status, "attempts", f.Attempts, "err", f.Err)
	} else {
		p.log.Info("pull", "source", f.Source, "path", f.Path, "status", f.Status, "bytes", f.Size, "sha256", f.SHA256)
	}
	if p.opt.OnFile != nil {
		p.opt.OnFile(f)
	}
	return f
}

// retry calls fn until it succeeds, fails for good, or the attempts run out.
// fn reports whether its failure may pass on another attempt.
func (p *puller) retry(ctx context.Context, f *File, fn func(context.Context) (again bool, err error)) error {
	wait := p.opt.Backoff
	for {
		f.Attempts++
		again, err := fn(ctx)
		if err == nil || !again || f.Attempts > p.opt.Retries || ctx.Err() != nil {
			return err
		}
		p.log.Warn("pull attempt failed; retrying", "source", f.Source, "origin", f.Origin, "attempt", f.Attempts, "wait", wait, "err", err)
		if serr := p.opt.Sleep(ctx, wait); serr != nil {
			return fmt.Errorf("%w (then: %w)", err, serr)
		}
		wait = min(2*wait, 5*time.Minute)
	}
}

// pullDir copies the new and changed files of a folder source.
func (p *puller) pullDir(ctx context.Context, src Source, dest string) ([]File, error) {
	fi, err := os.Stat(src.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSource, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a folder", ErrSource, src.Dir)
	}
	files, err := extract.Walk(src.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSource, err)
	}
	var out []File
	for i := range files {
		sf := &files[i]
		if !pulled(sf) || !included(sf.Path, src.Include) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		f := File{Source: src.Name, Origin: sf.Path, Path: path.Join(dest, sf.Path), Started: p.opt.Now()}
		switch {
		case sf.Err != nil:
			f.Err = sf.Err
		case sf.Size > p.opt.MaxBytes:
			f.Err = fmt.Errorf("%w: %d bytes, pull.max_bytes is %d", ErrTooLarge, sf.Size, p.opt.MaxBytes)
		default:
			key := src.Name + "\x00" + sf.Path
			if prev, ok := p.state.get(key); ok && prev.Path == f.Path && prev.Size == sf.Size && prev.ModTime.Equal(sf.ModTime) && p.holds(prev) {
				f.Status, f.Size, f.SHA256 = NotModified, prev.Size, prev.SHA256
				break
			}
			f.Err = p.retry(ctx, &f, func(context.Context) (bool, error) { return p.copyOnce(sf.Abs, &f) })
			if f.Err == nil {
				p.state.set(key, Validators{Path: f.Path, Size: f.Size, ModTime: sf.ModTime, SHA256: f.SHA256})
			}
		}
		out = append(out, p.done(f))
	}
	return out, nil
}

// pulled reports whether a file that Walk lists in a folder source is
// copied: a source folder is not an inbox, and pulling copies what a person
// would call its files. Hidden files and folders (.git, .DS_Store) and
// Excel's lock files (~$x.xlsx) stay behind, and a symbolic link to a file
// is copied as that file (sf is made to describe it; a link that leads
// nowhere is a failed entry); links to folders, devices and pipes stay
// behind.
func pulled(sf *extract.Source) bool {
	for _, part := range strings.Split(sf.Path, "/") {
		if strings.HasPrefix(part, ".") || strings.HasPrefix(part, "~$") {
			return false
		}
	}
	if errors.Is(sf.Err, extract.ErrNotRegular) {
		fi, err := os.Stat(sf.Abs)
		switch {
		case err != nil:
			sf.Err = fmt.Errorf("%w: %w", extract.ErrUnreadable, err)
		case !fi.Mode().IsRegular():
			return false
		default:
			sf.Size, sf.ModTime, sf.Err = fi.Size(), fi.ModTime(), nil
		}
	}
	return true
}

func included(rel string, patterns []string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, pat := range patterns {
		target := path.Base(rel)
		if strings.Contains(pat, "/") {
			target = rel
		}
		if ok, _ := path.Match(pat, target); ok {
			return true
		}
		// Vietnamese offices write extensions in any case: *.xlsx matches BAO_CAO.XLSX.
		if ok, _ := path.Match(strings.ToLower(pat), strings.ToLower(target)); ok {
			return true
		}
	}
	return false
}

// holds reports whether the inbox still has the file that was pulled, by size.
func (p *puller) holds(v Validators) bool {
	fi, err := os.Stat(filepath.Join(p.inbox, filepath.FromSlash(v.Path)))
	return err == nil && fi.Mode().IsRegular() && fi.Size() == v.Size
}

// copyOnce copies one file of a folder source into the inbox.
func (p *puller) copyOnce(abs string, f *File) (bool, error) {
	in, err := os.Open(abs)
	if err != nil {
		return true, fmt.Errorf("%w: %w", ErrSource, err)
	}
	defer in.Close()
	before, err := in.Stat()
	if err != nil {
		return true, fmt.Errorf("%w: %w", ErrSource, err)
	}
	dst := filepath.Join(p.inbox, filepath.FromSlash(f.Path))
	tmp, sum, n, err := writeTemp(dst, in, p.opt.MaxBytes)
	if err != nil {
		return !errors.Is(err, ErrTooLarge), err
	}
	after, err := os.Stat(abs)
	if err != nil || n != before.Size() || after.Size() != n || !after.ModTime().Equal(before.ModTime()) {
		os.Remove(tmp)
		return true, ErrChanged
	}
	f.Size, f.SHA256 = n, sum
	f.Status, err = install(tmp, dst, sum, before.ModTime())
	return true, err
}

// pullURL fetches one HTTP(S) file, conditionally when the inbox still holds
// the version pulled last time.
func (p *puller) pullURL(ctx context.Context, src Source, dest string) File {
	f := File{Source: src.Name, Origin: src.URL, Started: p.opt.Now()}
	key := src.Name + "\x00" + src.URL
	prev, ok := p.state.get(key)
	conditional := ok && p.holds(prev) && (prev.ETag != "" || prev.LastModified != "")
	if conditional {
		f.Path = prev.Path
	}
	f.Err = p.retry(ctx, &f, func(ctx context.Context) (bool, error) {
		return p.fetchOnce(ctx, src, dest, prev, conditional, &f)
	})
	if f.Err == nil {
		p.state.set(key, Validators{Path: f.Path, Size: f.Size, SHA256: f.SHA256, ETag: f.ETag, LastModified: f.LastModified})
	}
	return p.done(f)
}

func (p *puller) fetchOnce(ctx context.Context, src Source, dest string, prev Validators, conditional bool, f *File) (bool, error) {
	actx, cancel := context.WithTimeout(ctx, p.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, src.URL, nil)
	if err != nil {
		return false, err
	}
	for k, v := range src.Header {
		req.Header.Set(k, v)
	}
	if conditional {
		if prev.ETag != "" {
			req.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.LastModified)
		}
	}
	resp, err := p.opt.Client.Do(req)
	if err != nil {
		return ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	f.HTTPStatus = resp.StatusCode
	switch code := resp.StatusCode; {
	case code == http.StatusNotModified && conditional:
		f.Status, f.Path, f.Size, f.SHA256 = NotModified, prev.Path, prev.Size, prev.SHA256
		f.ETag, f.LastModified = prev.ETag, prev.LastModified
		if e := resp.Header.Get("ETag"); e != "" {
			f.ETag = e
		}
		return false, nil
	case code == http.StatusOK:
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return true, fmt.Errorf("%w: %s", ErrHTTP, resp.Status)
	default:
		return false, fmt.Errorf("%w: %s", ErrHTTP, resp.Status)
	}
	if resp.ContentLength > p.opt.MaxBytes {
		return false, fmt.Errorf("%w: %d bytes announced, pull.max_bytes is %d", ErrTooLarge, resp.ContentLength, p.opt.MaxBytes)
	}
	name, err := fileName(src, resp)
	if err != nil {
		return false, err
	}
	f.Path = path.Join(dest, name)
	dst := filepath.Join(p.inbox, filepath.FromSlash(f.Path))
	tmp, sum, n, err := writeTemp(dst, resp.Body, p.opt.MaxBytes)
	if err != nil {
		return !errors.Is(err, ErrTooLarge) && ctx.Err() == nil, err
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		os.Remove(tmp)
		return true, fmt.Errorf("%w: %d of %d bytes", ErrTruncate, n, resp.ContentLength)
	}
	if src.SHA256 != "" && !strings.EqualFold(sum, src.SHA256) {
		os.Remove(tmp)
		return false, fmt.Errorf("%w: got sha256 %s, want %s", ErrChecksum, sum, strings.ToLower(src.SHA256))
	}
	// The publisher's Last-Modified is the better "received" time of a report
	// than the hour of the pull; a time in the future is a wrong clock.
	now := p.opt.Now()
	mtime := now
	if lm, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil && !lm.After(now) {
		mtime = lm
	}
	f.Size, f.SHA256 = n, sum
	f.ETag, f.LastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	f.Status, err = install(tmp, dst, sum, mtime)
	return true, err
}

// fileName is the inbox name of a URL source's file: the configured one, the
// server's Content-Disposition, or the URL's last segment.
func fileName(src Source, resp *http.Response) (string, error) {
	name := src.File
	if name == "" {
		if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
			name = path.Base(strings.ReplaceAll(params["filename"], `\`, "/"))
		}
	}
	if name == "" || name == "." || name == "/" {
		if u, err := url.Parse(src.URL); err == nil {
			name = path.Base(u.Path)
		}
	}
	if name == "" || name == "." || name == "/" || strings.HasPrefix(name, ".") || !filepath.IsLocal(name) {
		return "", fmt.Errorf("%w: cannot tell a file name from %s: set file", ErrSource, src.URL)
	}
	return name, nil
}

// writeTemp copies r into a hidden temporary file beside dst, hashing it,
// and syncs it. The caller renames or removes the file.
func writeTemp(dst string, r io.Reader, max int64) (tmp, sum string, n int64, err error) {
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", 0, err
	}
	f, err := os.CreateTemp(dir, extract.TempPattern(dst)) // a name a run leaves out
	if err != nil {
		return "", "", 0, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o644); err != nil { // CreateTemp makes 0600; the inbox is shared with readers
		return "", "", 0, err
	}
	h := sha256.New()
	n, err = io.Copy(io.MultiWriter(f, h), io.LimitReader(r, max+1))
	if err != nil {
		return "", "", 0, err
	}
	if n > max {
		return "", "", 0, fmt.Errorf("%w: more than %d bytes (pull.max_bytes)", ErrTooLarge, max)
	}
	if err = f.Sync(); err != nil {
		return "", "", 0, err
	}
	if err = f.Close(); err != nil {
		return "", "", 0, err
	}
	return f.Name(), hex.EncodeToString(h.Sum(nil)), n, nil
}

// install renames tmp over dst unless dst already holds the same bytes, and
// reports whether the file is new, updated or unchanged.
func install(tmp, dst, sum string, mtime time.Time) (string, error) {
	status := New
	if _, err := os.Stat(dst); err == nil {
		status = Updated
		old := extract.Source{Abs: dst}
		if old.Hash() == nil && old.SHA256 == sum {
			os.Remove(tmp)
			return Unchanged, nil
		}
	}
	if err := os.Chtimes(tmp, mtime, mtime); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return "", err
	}
	syncDir(filepath.Dir(dst))
	return status, nil
}

// syncDir makes a rename durable; file systems that cannot sync a directory
// (some network shares) are left to their own guarantees.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
