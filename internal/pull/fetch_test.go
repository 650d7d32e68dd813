package pull

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/extract"
)

// noWait is the Sleep of tests: retries happen at once, and the waits asked
// for are recorded.
type noWait struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (n *noWait) sleep(ctx context.Context, d time.Duration) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.waits = append(n.waits, d)
	return ctx.Err()
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// visible lists the files of the inbox that a run would read.
func visible(t *testing.T, inbox string) []string {
	t.Helper()
	srcs, err := extract.Walk(inbox)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range srcs {
		out = append(out, s.Path)
	}
	return out
}

// noLeftovers fails when a temporary file was left in the inbox.
func noLeftovers(t *testing.T, inbox string) {
	t.Helper()
	filepath.WalkDir(inbox, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".part-") {
			t.Errorf("temporary file left behind: %s", p)
		}
		return nil
	})
}

// fileServer serves body with an ETag and Last-Modified, answering 304 to a
// matching If-None-Match; it counts requests and remembers their headers.
type fileServer struct {
	mu       sync.Mutex
	body     []byte
	etag     string
	modified time.Time
	requests []http.Header
}

func (f *fileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Header.Clone())
	w.Header().Set("ETag", f.etag)
	w.Header().Set("Last-Modified", f.modified.UTC().Format(http.TimeFormat))
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(f.body)
}

func (f *fileServer) set(body string, etag string, modified time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.body, f.etag, f.modified = []byte(body), etag, modified
}

func TestPullHTTPConditional(t *testing.T) {
	srv := &fileServer{}
	mod := time.Date(2024, 3, 4, 9, 30, 0, 0, time.UTC)
	srv.set("Mã hồ sơ;Tên thủ tục\n1;Khai sinh\n", `"v1"`, mod)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	inbox := t.TempDir()
	state := &State{Files: map[string]Validators{}}
	src := []Source{{Name: "motcua", URL: ts.URL + "/export/hoso.csv", Header: map[string]string{"Authorization": "Bearer t0k"}}}

	rep := Fetch(context.Background(), inbox, src, state, Options{})
	f := rep[0].Files[0]
	if f.Status != New || f.Path != "motcua/hoso.csv" || f.HTTPStatus != 200 || f.SHA256 != sha(srv.body) || f.ETag != `"v1"` {
		t.Fatalf("first pull: %+v", f)
	}
	got, _ := os.ReadFile(filepath.Join(inbox, "motcua", "hoso.csv"))
	if string(got) != string(srv.body) {
		t.Errorf("inbox holds %q", got)
	}
	fi, _ := os.Stat(filepath.Join(inbox, "motcua", "hoso.csv"))
	if !fi.ModTime().Equal(mod) {
		t.Errorf("mtime %v, want the server's Last-Modified %v", fi.ModTime(), mod)
	}
	if srv.requests[0].Get("If-None-Match") != "" || srv.requests[0].Get("Authorization") != "Bearer t0k" {
		t.Errorf("first request headers: %v", srv.requests[0])
	}

	// Unchanged on the server: a 304, and the inbox file is not touched.
	rep = Fetch(context.Background(), inbox, src, state, Options{})
	f = rep[0].Files[0]
	if f.Status != NotModified || f.HTTPStatus != 304 || f.SHA256 != sha(srv.body) || f.Path != "motcua/hoso.csv" {
		t.Fatalf("second pull: %+v", f)
	}
	if h := srv.requests[1]; h.Get("If-None-Match") != `"v1"` || h.Get("If-Modified-Since") != mod.Format(http.TimeFormat) {
		t.Errorf("second request was not conditional: %v", h)
	}
	if fi2, _ := os.Stat(filepath.Join(inbox, "motcua", "hoso.csv")); !fi2.ModTime().Equal(mod) {
		t.Errorf("304 changed the file's time")
	}

	// A new version replaces the file.
	srv.set("Mã hồ sơ;Tên thủ tục\n1;Khai sinh\n2;Khai tử\n", `"v2"`, mod.Add(time.Hour))
	rep = Fetch(context.Background(), inbox, src, state, Options{})
	if f = rep[0].Files[0]; f.Status != Updated || f.SHA256 != sha(srv.body) {
		t.Fatalf("third pull: %+v", f)
	}
	if got, _ := os.ReadFile(filepath.Join(inbox, "motcua", "hoso.csv")); string(got) != string(srv.body) {
		t.Errorf("inbox holds %q after the update", got)
	}

	// The file deleted from the inbox: the next request is not conditional.
	os.Remove(filepath.Join(inbox, "motcua", "hoso.csv"))
	rep = Fetch(context.Background(), inbox, src, state, Options{})
	if f = rep[0].Files[0]; f.Status != New || srv.requests[3].Get("If-None-Match") != "" {
		t.Fatalf("after deletion: %+v, headers %v", f, srv.requests[3])
	}
	noLeftovers(t, inbox)
}

func TestPullHTTPRetries(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.URL.Path]++
		n := calls[r.URL.Path]
		mu.Unlock()
		switch {
		case r.URL.Path == "/flaky.csv" && n <= 2:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case r.URL.Path == "/flaky.csv":
			fmt.Fprint(w, "ok")
		case r.URL.Path == "/down.csv":
			http.Error(w, "down", http.StatusBadGateway)
		default:
			http.NotFound(w, r)
		}
	}))
	defer ts.Close()
	tests := []struct {
		path     string
		status   string
		attempts int
		err      error
		waits    []time.Duration
	}{
		{"/flaky.csv", New, 3, nil, []time.Duration{time.Second, 2 * time.Second}},
		{"/down.csv", Failed, 4, ErrHTTP, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{"/missing.csv", Failed, 1, ErrHTTP, nil}, // a 404 is not retried
	}
	for _, tt := range tests {
		w := &noWait{}
		rep := Fetch(context.Background(), t.TempDir(), []Source{{Name: "s", URL: ts.URL + tt.path}}, nil,
			Options{Retries: 3, Backoff: time.Second, Sleep: w.sleep})
		f := rep[0].Files[0]
		if f.Status != tt.status || f.Attempts != tt.attempts || !errors.Is(f.Err, tt.err) && tt.err != nil || (tt.err == nil) != (f.Err == nil) {
			t.Errorf("%s: status %s after %d attempts (%v); want %s after %d (%v)", tt.path, f.Status, f.Attempts, f.Err, tt.status, tt.attempts, tt.err)
		}
		if fmt.Sprint(w.waits) != fmt.Sprint(tt.waits) {
			t.Errorf("%s: waited %v, want %v", tt.path, w.waits, tt.waits)
		}
		if rep[0].Failed() != (tt.status == Failed) {
			t.Errorf("%s: Failed() = %v", tt.path, rep[0].Failed())
		}
	}
}

func TestPullHTTPTimeout(t *testing.T) {
	release := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select { // answer only once the client has given up
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer ts.Close()
	defer close(release)
	rep := Fetch(context.Background(), t.TempDir(), []Source{{Name: "slow", URL: ts.URL + "/x.csv"}}, nil,
		Options{Timeout: 20 * time.Millisecond})
	if f := rep[0].Files[0]; f.Status != Failed || !errors.Is(f.Err, context.DeadlineExceeded) {
		t.Errorf("got %s: %v; want a failure by the timeout", f.Status, f.Err)
	}
}

func TestPullHTTPLimitsAndChecksum(t *testing.T) {
	body := strings.Repeat("x", 100)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked.csv" {
			w.Write([]byte(body[:50])) // no Content-Length: the limit bites while reading
			w.(http.Flusher).Flush()
			w.Write([]byte(body[50:]))
			return
		}
		w.Write([]byte(body))
	}))
	defer ts.Close()
	tests := []struct {
		name   string
		src    Source
		max    int64
		err    error
		status string
	}{
		{"announced too large", Source{URL: ts.URL + "/big.csv"}, 99, ErrTooLarge, Failed},
		{"streamed too large", Source{URL: ts.URL + "/chunked.csv"}, 99, ErrTooLarge, Failed},
		{"at the limit", Source{URL: ts.URL + "/big.csv"}, 100, nil, New},
		{"wrong checksum", Source{URL: ts.URL + "/big.csv", SHA256: strings.Repeat("0", 64)}, 0, ErrChecksum, Failed},
		{"right checksum", Source{URL: ts.URL + "/big.csv", SHA256: strings.ToUpper(sha([]byte(body)))}, 0, nil, New},
		{"no file name", Source{URL: ts.URL + "/"}, 0, ErrSource, Failed},
		{"file name given", Source{URL: ts.URL + "/", File: "export.csv"}, 0, nil, New},
	}
	for _, tt := range tests {
		inbox := t.TempDir()
		tt.src.Name = "s"
		w := &noWait{}
		rep := Fetch(context.Background(), inbox, []Source{tt.src}, nil, Options{MaxBytes: tt.max, Retries: 2, Sleep: w.sleep})
		f := rep[0].Files[0]
		if f.Status != tt.status || (tt.err != nil && !errors.Is(f.Err, tt.err)) || (tt.err == nil && f.Err != nil) {
			t.Errorf("%s: %s %v; want %s %v", tt.name, f.Status, f.Err, tt.status, tt.err)
		}
		if tt.err != nil && len(w.waits) > 0 {
			t.Errorf("%s: retried a failure that cannot pass", tt.name)
		}
		if n := len(visible(t, inbox)); (tt.err == nil) != (n == 1) {
			t.Errorf("%s: %d files in the inbox", tt.name, n)
		}
		noLeftovers(t, inbox)
	}
}

// TestPullHTTPAtomic checks that a download in progress is invisible to a
// run: the file appears whole, under its name, or not at all.
func TestPullHTTPAtomic(t *testing.T) {
	half, resume := make(chan struct{}), make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "8")
		w.Write([]byte("1234"))
		w.(http.Flusher).Flush()
		close(half)
		<-resume
		w.Write([]byte("5678"))
	}))
	defer ts.Close()
	inbox := t.TempDir()
	done := make(chan []Report)
	go func() {
		done <- Fetch(context.Background(), inbox, []Source{{Name: "s", URL: ts.URL + "/a.csv"}}, nil, Options{})
	}()
	<-half
	// The client may not have read the first half yet; either way nothing
	// may be visible until the download is complete.
	if v := visible(t, inbox); len(v) != 0 {
		t.Errorf("visible during the download: %v", v)
	}
	close(resume)
	rep := <-done
	if f := rep[0].Files[0]; f.Status != New || f.Size != 8 {
		t.Fatalf("%+v", f)
	}
	if v := visible(t, inbox); len(v) != 1 || v[0] != "s/a.csv" {
		t.Errorf("after: %v", v)
	}
	noLeftovers(t, inbox)
}

func TestPullDir(t *testing.T) {
	share, inbox := t.TempDir(), t.TempDir()
	write := func(rel, body string, mod time.Time) {
		p := filepath.Join(share, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, mod, mod)
	}
	t1 := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	write("BC_Q1_2024.XLSX", "report", t1)
	write("2024/hoso.csv", "dossiers", t1)
	write("ghi chu.txt", "notes", t1)
	write(".hidden.xlsx", "hidden", t1)
	write("~$BC_Q1_2024.xlsx", "excel lock", t1)
	src := []Source{{Name: "kim_giang", Dir: share, Include: []string{"*.xlsx", "*.csv"}, Dest: "phuong/kim_giang"}}
	state := &State{Files: map[string]Validators{}}

	rep := Fetch(context.Background(), inbox, src, state, Options{})
	if rep[0].Err != nil || len(rep[0].Files) != 2 {
		t.Fatalf("first pull: %+v", rep[0])
	}
	for _, f := range rep[0].Files {
		if f.Status != New {
			t.Errorf("%s: %s %v", f.Path, f.Status, f.Err)
		}
	}
	if v := visible(t, inbox); strings.Join(v, " ") != "phuong/kim_giang/2024/hoso.csv phuong/kim_giang/BC_Q1_2024.XLSX" {
		t.Errorf("inbox: %v", v)
	}
	fi, _ := os.Stat(filepath.Join(inbox, "phuong", "kim_giang", "BC_Q1_2024.XLSX"))
	if !fi.ModTime().Equal(t1) {
		t.Errorf("mtime %v, want the source's %v (the time a report counts as received)", fi.ModTime(), t1)
	}

	// Nothing changed: nothing is copied.
	rep = Fetch(context.Background(), inbox, src, state, Options{})
	for _, f := range rep[0].Files {
		if f.Status != NotModified {
			t.Errorf("second pull %s: %s", f.Path, f.Status)
		}
	}

	// New content; and a touched file with the same bytes.
	t2 := t1.Add(48 * time.Hour)
	write("BC_Q1_2024.XLSX", "report, corrected", t2)
	write("2024/hoso.csv", "dossiers", t2)
	rep = Fetch(context.Background(), inbox, src, state, Options{})
	got := map[string]string{}
	for _, f := range rep[0].Files {
		got[f.Origin] = f.Status
	}
	if got["BC_Q1_2024.XLSX"] != Updated || got["2024/hoso.csv"] != Unchanged {
		t.Errorf("third pull: %v", got)
	}
	if b, _ := os.ReadFile(filepath.Join(inbox, "phuong", "kim_giang", "BC_Q1_2024.XLSX")); string(b) != "report, corrected" {
		t.Errorf("inbox holds %q", b)
	}
	if fi, _ := os.Stat(filepath.Join(inbox, "phuong", "kim_giang", "2024", "hoso.csv")); !fi.ModTime().Equal(t1) {
		t.Errorf("an unchanged file was rewritten: mtime %v", fi.ModTime())
	}
	noLeftovers(t, inbox)
}

// TestPullDirLinks: a source folder is not an inbox: a link to a file there
// is pulled as that file (the inbox then holds the file, which a run reads);
// a link to a folder, a hidden folder and a pipe stay behind, as does a
// link that leads nowhere, reported.
func TestPullDirLinks(t *testing.T) {
	share, inbox := t.TempDir(), t.TempDir()
	elsewhere := t.TempDir()
	if err := os.WriteFile(filepath.Join(elsewhere, "hoso.csv"), []byte("dossiers"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(share, ".git"), 0o755)
	os.WriteFile(filepath.Join(share, ".git", "config.csv"), []byte("hidden folder"), 0o644)
	for _, l := range [][2]string{{filepath.Join(elsewhere, "hoso.csv"), "lien-ket.csv"}, {elsewhere, "thu-muc"}, {"khong-co.csv", "hong.csv"}} {
		if err := os.Symlink(l[0], filepath.Join(share, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(share, "ong.csv"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := []Source{{Name: "kim_giang", Dir: share, Dest: "kg"}}
	rep := Fetch(context.Background(), inbox, src, &State{Files: map[string]Validators{}}, Options{})
	var got []string
	for _, f := range rep[0].Files {
		got = append(got, fmt.Sprintf("%s %s %v", f.Origin, f.Status, f.Err != nil))
	}
	if want := "hong.csv failed true|lien-ket.csv new false"; strings.Join(got, "|") != want {
		t.Errorf("pulled %q, want %q", strings.Join(got, "|"), want)
	}
	if b, err := os.ReadFile(filepath.Join(inbox, "kg", "lien-ket.csv")); err != nil || string(b) != "dossiers" {
		t.Errorf("the linked file arrives as %q (%v)", b, err)
	}
	if fi, err := os.Lstat(filepath.Join(inbox, "kg", "lien-ket.csv")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("the inbox holds a link, not the file: %v", err)
	}
}

// TestPullFailingSourceBesideWorking: a failing source is reported, the
// others are pulled all the same.
func TestPullFailingSourceBesideWorking(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken.csv" {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, "data")
	}))
	defer ts.Close()
	share := t.TempDir()
	os.WriteFile(filepath.Join(share, "a.csv"), []byte("a"), 0o644)
	inbox := t.TempDir()
	sources := []Source{
		{Name: "unmounted", Dir: filepath.Join(share, "not-mounted")},
		{Name: "broken", URL: ts.URL + "/broken.csv"},
		{Name: "web", URL: ts.URL + "/ok.csv"},
		{Name: "share", Dir: share},
	}
	for _, workers := range []int{1, 3} {
		rep := Fetch(context.Background(), inbox, sources, nil, Options{Retries: 1, Sleep: (&noWait{}).sleep, Workers: workers})
		if len(rep) != 4 {
			t.Fatalf("%d reports", len(rep))
		}
		if !errors.Is(rep[0].Err, ErrSource) || !rep[0].Failed() {
			t.Errorf("unmounted: %+v", rep[0])
		}
		if f := rep[1].Files[0]; f.Status != Failed || f.Attempts != 2 || !rep[1].Failed() {
			t.Errorf("broken: %+v", f)
		}
		if rep[2].Failed() || rep[3].Failed() || rep[2].Source != "web" || rep[3].Source != "share" {
			t.Errorf("working sources failed: %+v %+v", rep[2], rep[3])
		}
	}
	if v := visible(t, inbox); strings.Join(v, " ") != "share/a.csv web/ok.csv" {
		t.Errorf("inbox: %v", v)
	}
}

func TestPullStateSaveLoad(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pull", "state.json")
	s, err := LoadState(file)
	if err != nil || len(s.Files) != 0 {
		t.Fatalf("missing file: %v %v", s, err)
	}
	mod := time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	s.set("a\x00b", Validators{Path: "a/b", Size: 3, ModTime: mod, SHA256: "abc", ETag: `"e"`})
	if err := s.Save(file); err != nil {
		t.Fatal(err)
	}
	s2, err := LoadState(file)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := s2.get("a\x00b"); !ok || v.ETag != `"e"` || !v.ModTime.Equal(mod) || v.Size != 3 {
		t.Errorf("round trip: %+v", v)
	}
	os.WriteFile(file, []byte("{not json"), 0o644)
	if _, err := LoadState(file); err == nil {
		t.Error("a corrupt state file was read without error")
	}
}
