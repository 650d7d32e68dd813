package cli

// A verdict on a file is a verdict on its bytes (issue 17, CONTRACT section
// 4): an error of the environment — a full disk, a file size limit, the
// database out of memory, a state folder that cannot be written, a signal —
// stops the run with a non-zero exit, publishes nothing, records no file as
// failed, and the next run loads every file. Bad configuration is refused
// before any work.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/internal/fixture"
)

// relEnvSnapshot is inbox A published and inbox B staged (with one rejected
// row, so that the reject spool is written), with the state folder at
// dir/state; every case starts from a copy. It returns the digest of A's
// build.
func relEnvSnapshot(t *testing.T, dir string) string {
	t.Helper()
	inbox := filepath.Join(dir, "inbox")
	relStage(t, inbox, relInboxA()...)
	relMustRun(t, inbox, filepath.Join(dir, "cchc.duckdb"), nil, "--state-dir", filepath.Join(dir, "state"))
	before := relDigest(t, filepath.Join(dir, "cchc.duckdb"))
	relStage(t, inbox, relInboxB()...)
	bad := fixture.Dossiers("TXN", "Phường Thanh Xuân Nam", 5)
	bad[2].Unit = "Phường Không Có"
	relStage(t, inbox, relInFile{"hoso_thanh-xuan-nam.csv", relCsvOf(',', false, fixture.DossierRows(bad)), 7})
	return before
}

// relEnvArgs are the arguments of a run of the snapshot copied to dir.
func relEnvArgs(dir string) []string {
	return []string{"run", "--inbox", filepath.Join(dir, "inbox"), "--warehouse", filepath.Join(dir, "cchc.duckdb"), "--state-dir", filepath.Join(dir, "state")}
}

// relEnvFailed checks a run stopped by its environment: the exit status,
// what it says, a warehouse unchanged.
func relEnvFailed(t *testing.T, r relRun, code int, says, dir, before string) {
	t.Helper()
	if r.code != code {
		t.Errorf("exit %d, want %d:\n%s", r.code, code, r)
	}
	if !strings.Contains(r.stderr, says) {
		t.Errorf("the run does not say %q:\n%s", says, r)
	}
	if strings.Contains(r.stdout, "published ") {
		t.Errorf("the run says it published:\n%s", r)
	}
	if got := relDigest(t, filepath.Join(dir, "cchc.duckdb")); got != before {
		t.Errorf("the published warehouse changed")
	}
}

// relEnvRecovers runs again without the fault: every file of the inbox
// loads, none is recorded as failed.
func relEnvRecovers(t *testing.T, dir string, cmd *exec.Cmd) {
	t.Helper()
	if cmd == nil {
		cmd = relCchcCmd(t, nil, relEnvArgs(dir)...)
	}
	if r := relFinish(t, cmd); r.code != ExitOK {
		t.Fatalf("the run after the fault: %s", r)
	}
	db := relOpenWH(t, filepath.Join(dir, "cchc.duckdb"))
	got := relQuery(t, db, `SELECT status, count(*), sum(rows_rejected) FROM raw.files GROUP BY 1`)
	if want := "loaded|8|1"; strings.Join(got, " ") != want {
		t.Errorf("raw.files after the fault and a clean run: %q, want %q (every file loaded once, none failed)", got, want)
	}
	if n := relQuery1(t, db, `SELECT count(*) FROM core.dossiers`); n != "60114" {
		t.Errorf("core.dossiers has %s rows, want 60114 (70 of inbox A, 60110 of B, 4 of the file with a reject)", n)
	}
}

// TestReliabilityEnvironment: each error of the environment stops the run
// while it loads files; none of them is a file's verdict.
func TestReliabilityEnvironment(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a 60,000-row file under five faults")
	}
	t.Parallel()
	root := t.TempDir()
	snap := filepath.Join(root, "snap")
	before := relEnvSnapshot(t, snap)
	const says = "an error of the environment while loading"

	t.Run("full disk", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("mounting a small tmpfs needs root (the file size limit case runs everywhere)")
		}
		dir := filepath.Join(root, "disk")
		relCopyTree(t, snap, dir)
		state := filepath.Join(dir, "state")
		saved := filepath.Join(dir, "state.saved")
		if err := os.Rename(state, saved); err != nil {
			t.Fatal(err)
		}
		os.Mkdir(state, 0o755)
		used := relDiskUse(t, saved)
		if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dk", used/1024+512), "tmpfs", state).CombinedOutput(); err != nil {
			t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
		}
		mounted := true
		unmount := func() {
			if mounted {
				if out, err := exec.Command("umount", state).CombinedOutput(); err != nil {
					t.Errorf("umount: %v %s", err, out)
				}
				mounted = false
			}
		}
		t.Cleanup(unmount)
		relCopyTree(t, saved, state)
		r := relRunCchc(t, nil, relEnvArgs(dir)...)
		relEnvFailed(t, r, ExitFailed, says, dir, before)
		if !strings.Contains(r.stderr, "No space left on device") {
			t.Errorf("the run does not say the disk is full:\n%s", r)
		}
		// The disk grows: the state the failed run left (moved off the
		// small disk) is where the next run starts.
		after := filepath.Join(dir, "state.after")
		relCopyTree(t, state, after)
		unmount()
		os.RemoveAll(state)
		if err := os.Rename(after, state); err != nil {
			t.Fatal(err)
		}
		relEnvRecovers(t, dir, nil)
	})

	t.Run("file size limit", func(t *testing.T) {
		dir := filepath.Join(root, "fsize")
		relCopyTree(t, snap, dir)
		// No file may grow past 256 KiB (512-byte blocks): the database's
		// write-ahead log of the large file does.
		cmd := relCchcCmd(t, nil, relEnvArgs(dir)...)
		cmd.Path, cmd.Args = "/bin/sh", append([]string{"sh", "-c", `ulimit -f 512 && exec "$0" "$@"`, cmd.Path}, cmd.Args[1:]...)
		r := relFinish(t, cmd)
		relEnvFailed(t, r, ExitFailed, says, dir, before)
		if !strings.Contains(r.stderr, "File too large") {
			t.Errorf("the run does not say a file grew too large:\n%s", r)
		}
		relEnvRecovers(t, dir, nil)
	})

	t.Run("database out of memory", func(t *testing.T) {
		dir := filepath.Join(root, "memory")
		relCopyTree(t, snap, dir)
		r := relRunCchc(t, []string{"CCHC_DUCKDB_MEMORY_LIMIT=1MB", "CCHC_DUCKDB_THREADS=1"}, relEnvArgs(dir)...)
		relEnvFailed(t, r, ExitFailed, says, dir, before)
		if !strings.Contains(r.stderr, "Out of Memory") {
			t.Errorf("the run does not say the database ran out of memory:\n%s", r)
		}
		relEnvRecovers(t, dir, nil)
	})

	t.Run("state folder not writable", func(t *testing.T) {
		dir := filepath.Join(root, "perm")
		relCopyTree(t, snap, dir)
		asNobody := func(cmd *exec.Cmd) *exec.Cmd {
			if os.Geteuid() == 0 {
				os.Chmod(filepath.Dir(root), 0o755) // the test's folder, above root
				relRunAsNobody(t, dir, cmd)
			}
			return cmd
		}
		// The state folder cannot be written at all: the run stops before
		// it reads a file (its work database cannot be written).
		state := filepath.Join(dir, "state")
		cmd := asNobody(relCchcCmd(t, []string{"HOME=" + dir}, relEnvArgs(dir)...))
		os.Lchown(state, 0, 0)
		os.Chmod(state, 0o555)
		r := relFinish(t, cmd)
		relEnvFailed(t, r, ExitFailed, "ermission denied", dir, before) // DuckDB writes "Permission"
		if strings.Contains(r.stderr, "msg=file") {
			t.Errorf("the run read files with a state folder it cannot write:\n%s", r)
		}
		os.Chmod(state, 0o755)

		// The reject spool cannot be written (nor removed by the run).
		cmd = asNobody(relCchcCmd(t, []string{"HOME=" + dir}, relEnvArgs(dir)...))
		spool := filepath.Join(dir, "state", "spool")
		relStage(t, spool, relInFile{"giu-cho", relBytes(nil), 0})
		os.Lchown(spool, 0, 0)
		if err := os.Chmod(spool, 0o555); err != nil {
			t.Fatal(err)
		}
		r = relFinish(t, cmd)
		relEnvFailed(t, r, ExitFailed, says, dir, before)
		if !strings.Contains(r.stderr, "permission denied") {
			t.Errorf("the run does not say permission was denied:\n%s", r)
		}
		os.Chmod(spool, 0o755)
		relEnvRecovers(t, dir, asNobody(relCchcCmd(t, []string{"HOME=" + dir}, relEnvArgs(dir)...)))
	})

	t.Run("interrupted", func(t *testing.T) {
		dir := filepath.Join(root, "signal")
		relCopyTree(t, snap, dir)
		k := relStartKillable(t, nil, relEnvArgs(dir)...)
		deadline := time.Now().Add(3 * time.Minute)
		for !(k.saw("msg=file") && k.holds("hoso_nhan-chinh_lon.csv")) {
			select {
			case <-k.done:
				t.Fatalf("the run ended (%v) before it loaded the large file:\n%s", k.err, k.stderr.String())
			default:
			}
			if time.Now().After(deadline) {
				k.kill(t)
				t.Fatal("never loaded the large file")
			}
			time.Sleep(500 * time.Microsecond)
		}
		k.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-k.done:
		case <-time.After(2 * time.Minute):
			k.kill(t)
			t.Fatal("the run did not stop on SIGTERM")
		}
		r := relRun{code: k.cmd.ProcessState.ExitCode(), stderr: k.stderr.String()}
		relEnvFailed(t, r, ExitInterrupted, "context canceled", dir, before)
		if strings.Contains(r.stderr, "status=failed") {
			t.Errorf("a file was recorded as failed for the signal:\n%s", r.stderr)
		}
		relEnvRecovers(t, dir, nil)
	})
}

// relDiskUse is the space the files under dir take, in bytes.
func relDiskUse(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return n
}

// TestReliabilityBadConfiguration: a configuration mistake is refused before
// any work — no state folder made, nothing read — with exit 2 and a message
// naming the key and where it was set.
func TestReliabilityBadConfiguration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	relStage(t, inbox, relInboxA()[:1]...)
	folder := filepath.Join(dir, "kho")
	os.Mkdir(folder, 0o755)
	yaml := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	wh := filepath.Join(dir, "cchc.duckdb")
	for _, c := range []struct {
		name string
		env  []string
		args []string
		says string
	}{
		{"warehouse is a folder", nil, []string{"--config", yaml("a.yaml", "warehouse: "+folder+"\n"), "--inbox", inbox},
			"a.yaml: warehouse: \"" + folder + "\" is a folder"},
		{"inbox does not exist", nil, []string{"--inbox", filepath.Join(dir, "khong-co"), "--warehouse", wh},
			"environment/flags: inbox: "},
		{"warehouse inside the inbox", nil, []string{"--inbox", inbox, "--warehouse", filepath.Join(inbox, "cchc.duckdb")},
			"environment/flags: warehouse: "},
		{"memory limit DuckDB refuses", nil, []string{"--config", yaml("b.yaml", "duckdb:\n  memory_limit: lots\n"), "--inbox", inbox, "--warehouse", wh},
			"b.yaml: duckdb.memory_limit: DuckDB refuses it"},
		{"storage version DuckDB refuses", []string{"CCHC_DUCKDB_STORAGE_VERSION=v9"}, []string{"--inbox", inbox, "--warehouse", wh},
			"environment/flags: duckdb.storage_version: DuckDB refuses it"},
		{"unknown key in the file", nil, []string{"--config", yaml("c.yaml", "duckdb:\n  memorylimit: 1GB\n"), "--inbox", inbox, "--warehouse", wh},
			"c.yaml: unknown key \"duckdb.memorylimit\""},
		{"unknown key in the environment", []string{"CCHC_DUCKDB_MEMORYLIMIT=1GB"}, []string{"--inbox", inbox, "--warehouse", wh},
			"environment: CCHC_DUCKDB_MEMORYLIMIT: unknown key (did you mean CCHC_DUCKDB_MEMORY_LIMIT?)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := relRunCchc(t, c.env, append([]string{"run"}, c.args...)...)
			if r.code != ExitUsage || !strings.Contains(r.stderr, c.says) {
				t.Errorf("%s\nwant exit %d saying %q", r, ExitUsage, c.says)
			}
			for _, p := range []string{wh, wh + ".state", folder + ".state", filepath.Join(inbox, "cchc.duckdb.state")} {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("%s exists: the run did work before refusing its configuration", p)
				}
			}
		})
	}
	// A CCHC_ variable that names no key and looks like none is not cchc's.
	if r := relRunCchc(t, []string{"CCHC_TYPO=1"}, "run", "-q", "--inbox", inbox, "--warehouse", wh); r.code != ExitOK {
		t.Errorf("CCHC_TYPO=1: %s", r)
	}
}
