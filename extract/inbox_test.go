package extract

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestReliabilityWalk: every file of the inbox is listed — the unreadable ones
// with the reason — and no link can trap the walk.
func TestReliabilityWalk(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links and modes")
	}
	inbox := t.TempDir()
	mk := func(rel, content string) {
		p := filepath.Join(inbox, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, rel string) {
		if err := os.Symlink(target, filepath.Join(inbox, rel)); err != nil {
			t.Fatal(err)
		}
	}
	mk("a.csv", "x")
	mk("phuong/b.xlsx", "y")
	mk(".git/config", "hidden folder")
	mk(".hidden.csv", "hidden file")
	mk("phuong/~$b.xlsx", "Excel's lock file")
	link("..", "phuong/loop")            // a folder loop
	link("self.csv", "self.csv")         // a link to itself
	link("ping.csv", "pong.csv")         // two links pointing at each other
	link("pong.csv", "ping.csv")         //
	link("missing.xlsx", "dangling.csv") // a link to nothing
	link("a.csv", "alias.csv")           // a link to a file: read as that file
	if err := syscall.Mkfifo(filepath.Join(inbox, "pipe.csv"), 0o644); err != nil {
		t.Fatal(err)
	}
	unreadable := os.Geteuid() != 0 // root reads every file: that case runs in the end-to-end test
	if unreadable {
		mk("secret.csv", "z")
		os.Chmod(filepath.Join(inbox, "secret.csv"), 0)
		mk("locked/c.csv", "z")
		os.Chmod(filepath.Join(inbox, "locked"), 0)
		defer os.Chmod(filepath.Join(inbox, "locked"), 0o755)
	}

	done := make(chan struct{})
	var got []Source
	var err error
	go func() {
		got, err = Walk(inbox)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Walk did not return: a link trapped it")
	}
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, s := range got {
		switch {
		case s.Err != nil && s.Path == "locked":
			lines = append(lines, s.Path+": "+firstLine(s.Err))
		case s.Err != nil:
			if err := s.Hash(); err == nil {
				t.Errorf("%s: listed as unreadable, yet Hash read it", s.Path)
			}
			lines = append(lines, s.Path+": "+firstLine(s.Err))
		default:
			// Walk only stats; Hash opens, and says why a file cannot be read.
			if err := s.Hash(); err != nil {
				lines = append(lines, s.Path+": "+firstLine(err))
				continue
			}
			lines = append(lines, fmt.Sprintf("%s %d %.8s", s.Path, s.Size, s.SHA256))
		}
	}
	want := []string{
		"a.csv 1 2d711642",
		"alias.csv 1 2d711642",
		"dangling.csv: file cannot be read: stat DIR/dangling.csv: no such file or directory",
	}
	if unreadable {
		want = append(want, "locked: file cannot be read: open DIR/locked: permission denied")
	}
	want = append(want,
		"phuong/b.xlsx 1 a1fce436",
		"ping.csv: file cannot be read: stat DIR/ping.csv: too many levels of symbolic links",
		"pong.csv: file cannot be read: stat DIR/pong.csv: too many levels of symbolic links",
	)
	if unreadable {
		want = append(want, "secret.csv: file cannot be read: open DIR/secret.csv: permission denied")
	}
	want = append(want, "self.csv: file cannot be read: stat DIR/self.csv: too many levels of symbolic links")
	if g, w := strings.ReplaceAll(strings.Join(lines, "\n"), inbox, "DIR"), strings.Join(want, "\n"); g != w {
		t.Errorf("Walk:\n%s\nwant:\n%s", g, w)
	}
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// TestReliabilityHashDetectsChange: a file appended to while it is hashed is
// reported, not recorded under a hash of half its content.
func TestReliabilityHashDetectsChange(t *testing.T) {
	p := filepath.Join(t.TempDir(), "growing.csv")
	if err := os.WriteFile(p, make([]byte, 16<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	src := Source{Path: "growing.csv", Abs: p}
	if err := src.Hash(); err != nil || src.Size != 16<<20 {
		t.Fatalf("quiet file: %v (size %d)", err, src.Size)
	}
	for attempt := 0; attempt < 20; attempt++ {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // a copy still in progress
			defer wg.Done()
			f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				return
			}
			defer f.Close()
			for {
				select {
				case <-stop:
					return
				default:
					f.Write([]byte("KG-1,x\n"))
				}
			}
		}()
		time.Sleep(time.Millisecond)
		err := src.Hash()
		close(stop)
		wg.Wait()
		if err != nil {
			if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "the file changed while it was read") {
				t.Fatalf("err = %v", err)
			}
			return
		}
	}
	t.Fatal("20 hashes of a file being appended to saw no change")
}
