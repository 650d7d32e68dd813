package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// TestReliabilityWalk: every name of the inbox is listed — the unreadable
// ones with the reason — no link is followed, nothing but a regular file is
// opened, and no link can trap the walk.
func TestReliabilityWalk(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links and modes")
	}
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.csv"), []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
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
	mk("phuong/.b.xlsx.part-123456", "a file cchc pull is still writing")
	mk("phuong/.b.xlsx.part-", "not cchc pull's: no digits")
	mk("ph\xc6\xb0\xf5ng/h\xe0\\s\xff.csv", "names that are not UTF-8")
	link("..", "phuong/loop")                                 // a folder loop
	link("self.csv", "self.csv")                              // a link to itself
	link("ping.csv", "pong.csv")                              // two links pointing at each other
	link("pong.csv", "ping.csv")                              //
	link("missing.xlsx", "dangling.csv")                      // a link to nothing
	link("a.csv", "alias.csv")                                // a link to a file of the inbox
	link(filepath.Join(outside, "secret.csv"), "outside.csv") // a link out of the inbox
	link(outside, "ra-ngoai")                                 // a link to a folder out of the inbox
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
	// The inbox configured may itself be a link to the folder.
	linked := filepath.Join(t.TempDir(), "inbox")
	if err := os.Symlink(inbox, linked); err != nil {
		t.Fatal(err)
	}

	done := make(chan struct{})
	var got []Source
	var err error
	go func() {
		got, err = Walk(linked)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Walk did not return: a link or a pipe trapped it")
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
	file := func(p, content string) string {
		sum := sha256.Sum256([]byte(content))
		return fmt.Sprintf("%s %d %.8s", p, len(content), hex.EncodeToString(sum[:]))
	}
	link2 := func(p, to string) string {
		return p + ": not a regular file: liên kết tượng trưng (→ " + to + "), không đọc theo: không đọc gì ngoài inbox — hãy chép chính tệp vào / a symbolic link (→ " + to + "), not followed: nothing outside the inbox is read; copy the file itself in"
	}
	want := []string{
		file(".git/config", "hidden folder"),
		file(".hidden.csv", "hidden file"),
		file("a.csv", "x"),
		link2("alias.csv", "a.csv"),
		link2("dangling.csv", "missing.xlsx"),
	}
	if unreadable {
		want = append(want, "locked: file cannot be read: open DIR/locked: permission denied")
	}
	want = append(want,
		link2("outside.csv", filepath.Join(outside, "secret.csv")),
		file("phuong/.b.xlsx.part-", "not cchc pull's: no digits"),
		file("phuong/b.xlsx", "y"),
		link2("phuong/loop", ".."),
		file("phuong/~$b.xlsx", "Excel's lock file"),
		file(`phư\xf5ng/h\xe0\\s\xff.csv`, "names that are not UTF-8"),
		link2("ping.csv", "pong.csv"),
		"pipe.csv: not a regular file: ống dẫn có tên (FIFO), không mở / a named pipe (FIFO), not opened",
		link2("pong.csv", "ping.csv"),
		link2("ra-ngoai", outside),
	)
	if unreadable {
		want = append(want, "secret.csv: file cannot be read: open DIR/secret.csv: permission denied")
	}
	want = append(want, link2("self.csv", "self.csv"))
	if g, w := strings.NewReplacer(linked, "DIR", inbox, "DIR").Replace(strings.Join(lines, "\n")), strings.Join(want, "\n"); g != w {
		t.Errorf("Walk:\n%s\nwant:\n%s", g, w)
	}
}

// TestReliabilityHashRefusesWhatIsNoLongerAFile: a name that was a regular file when
// the inbox was walked and is a link or a pipe when it is hashed is not
// followed, nor waited on.
func TestReliabilityHashRefusesWhatIsNoLongerAFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links and pipes")
	}
	dir := t.TempDir()
	target := filepath.Join(dir, "target.csv")
	if err := os.WriteFile(target, []byte("a,b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link, pipe := filepath.Join(dir, "link.csv"), filepath.Join(dir, "pipe.csv")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(pipe, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{link, pipe} {
		done := make(chan error, 1)
		go func() {
			s := Source{Path: filepath.Base(p), Abs: p}
			done <- s.Hash()
		}()
		select {
		case err := <-done:
			if err == nil {
				t.Errorf("%s: hashed", p)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: Hash waits on it", p)
		}
	}
}

// TestReliabilityEscapeName: a name that is not UTF-8 is recorded with its bytes
// escaped, the same way every time, and the escape can be read back.
func TestReliabilityEscapeName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Phường Kim Giang/bc.xlsx", "Phường Kim Giang/bc.xlsx"},
		{`a\b.csv`, `a\b.csv`}, // UTF-8: unchanged, backslash and all
		{"b\xe1o c\xe1o.csv", `b\xe1o c\xe1o.csv`},
		{"\xff\\\xfe", `\xff\\\xfe`},
		{"Ph\xc6\xb0\xf5ng", `Phư\xf5ng`},
	} {
		got := EscapeName(c.in)
		if got != c.want || EscapeName(c.in) != got {
			t.Errorf("EscapeName(%q) = %q, want %q", c.in, got, c.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("EscapeName(%q) = %q is not UTF-8", c.in, got)
		}
		if !utf8.ValidString(c.in) {
			if back, err := strconv.Unquote(`"` + strings.ReplaceAll(got, `"`, `\"`) + `"`); err != nil || back != c.in {
				t.Errorf("EscapeName(%q) = %q reads back as %q (%v)", c.in, got, back, err)
			}
		}
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
