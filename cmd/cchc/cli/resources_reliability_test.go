package cli

import (
	"bytes"
	"compress/flate"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thanhxuan/cchc/internal/fixture"
)

// TestReliabilityPersonalData: no applicant name, ID number, phone or
// address of the input is in any text column of any table — raw and ops
// included, rejected rows included — nor in the file's bytes or the logs; and
// the pseudonym key is nowhere in the warehouse, the logs or the run history.
func TestReliabilityPersonalData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	inbox, wh := filepath.Join(dir, "inbox"), filepath.Join(dir, "cchc.duckdb")
	var pii []string
	add := func(ds []fixture.Dossier) []fixture.Dossier {
		for _, d := range ds {
			pii = append(pii, d.PII()...)
		}
		return ds
	}
	add(fixture.Dossiers("KG", "Phường Kim Giang", 40))
	add(fixture.Dossiers("HD", "Hạ Đình", 30))
	bad := add(fixture.Dossiers("BAD", "Phường Khương Mai", 6))
	bad[0].Received = "31/02/2024" // rejected rows carry personal data too
	bad[1].Unit = "Phường Không Tồn Tại"
	bad[2].ApplicantID = "  " + bad[2].ApplicantID + " "
	cp := add(fixture.Dossiers("CP", "Phường Phương Liệt", 8))
	relStage(t, inbox, relInboxA()...)
	relStage(t, inbox,
		relInFile{"hoso_loi.xlsx", relXlsxOf(fixture.Sheet{Name: "DS", Rows: fixture.DossierGrid(nil, bad)}), 5},
		relInFile{"hoso_cp1258.csv", func(p string) error {
			return fixture.WriteCSV(p, ';', false, fixture.EncodeCP1258, fixture.DossierRows(cp))
		}, 6},
	)
	const key = "khoa-HMAC-cua-quan-Thanh-Xuan-7f3a9c"
	env := []string{"CCHC_PII_HMAC_KEY=" + key, "CCHC_LOG_LEVEL=debug"}
	r := relMustRun(t, inbox, wh, env, "--json")
	db := relOpenWH(t, wh)
	if n := relQuery1(t, db, `SELECT count(*) FROM raw.rejects WHERE file_path = 'hoso_loi.xlsx'`); n != "2" {
		t.Fatalf("the fixture should have 2 rejected rows, has %s", n)
	}
	if n := relQuery1(t, db, `SELECT count(DISTINCT applicant_key) FROM core.dossiers`); n != "82" {
		t.Errorf("%s distinct applicant keys, want 82 (one per applicant, padded ID included)", n)
	}
	assertNoPersonalData(t, db, append(pii, key))

	whBytes, err := os.ReadFile(wh)
	if err != nil {
		t.Fatal(err)
	}
	work, err := os.ReadFile(filepath.Join(wh+".state", "work.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	logs := r.stdout + r.stderr
	for _, v := range append(pii, key) {
		if len(v) < 6 {
			continue
		}
		if bytes.Contains(whBytes, []byte(v)) {
			t.Errorf("the warehouse file holds %q", v)
		}
		if strings.Contains(logs, v) {
			t.Errorf("the logs hold %q", v)
		}
	}
	if bytes.Contains(work, []byte(key)) {
		t.Error("the work database holds the key")
	}

	t.Run("generated key stays in the state directory", func(t *testing.T) {
		wh2 := filepath.Join(dir, "khac.duckdb")
		r := relMustRun(t, inbox, wh2, []string{"CCHC_LOG_LEVEL=debug"})
		kf := filepath.Join(wh2+".state", "hmac.key")
		k, err := os.ReadFile(kf)
		if err != nil || len(k) < 32 {
			t.Fatalf("no generated key: %v", err)
		}
		if fi, _ := os.Stat(kf); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", kf, fi.Mode().Perm())
		}
		assertNoPersonalData(t, relOpenWH(t, wh2), append(pii, string(k)))
		b, _ := os.ReadFile(wh2)
		if bytes.Contains(b, k) || strings.Contains(r.stdout+r.stderr, string(k)) {
			t.Error("the generated key left the state directory")
		}
		if relQuery1(t, relOpenWH(t, wh2), `SELECT count(*) FROM core.dossiers WHERE applicant_key IN (SELECT applicant_key FROM core.dossiers)`) == "0" {
			t.Error("no applicant keys")
		}
	})

	t.Run("configuration errors do not print the key", func(t *testing.T) {
		cfg := filepath.Join(dir, "cchc.yaml")
		os.WriteFile(cfg, []byte("pii:\n  hmac_key: "+key+"\nlog:\n  level: chatty\n"), 0o600)
		for _, args := range [][]string{
			{"run", "--config", cfg, "--inbox", inbox, "--warehouse", wh},
			{"run", "--inbox", inbox, "--warehouse", wh, "--bogus"},
		} {
			r := relRunCchc(t, []string{"CCHC_PII_HMAC_KEY=" + key}, args...)
			if r.code != ExitUsage {
				t.Errorf("%v: %s, want exit %d", args, r, ExitUsage)
			}
			if strings.Contains(r.stdout+r.stderr, key) {
				t.Errorf("%v printed the key:\n%s", args, r)
			}
		}
	})
}

// relPeakRun runs cchc and returns its peak resident memory, VmHWM of
// /proc/PID/status sampled until it exits. (The rusage of the child is no
// measure: Linux carries the parent's high-water mark over fork and exec.)
func relPeakRun(t *testing.T, env []string, args ...string) (relRun, int64) {
	t.Helper()
	cmd := relCchcCmd(t, env, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var peak atomic.Int64
	stop, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		for {
			if b, err := os.ReadFile(status); err == nil {
				for _, l := range strings.Split(string(b), "\n") {
					var kb int64
					if _, err := fmt.Sscanf(l, "VmHWM: %d kB", &kb); err == nil && kb<<10 > peak.Load() {
						peak.Store(kb << 10)
					}
				}
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	err := relWait(cmd, 5*time.Minute)
	close(stop)
	<-sampled
	r := relRun{stdout: out.String(), stderr: errb.String(), code: cmd.ProcessState.ExitCode()}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("cchc: %v", err)
	}
	return r, peak.Load()
}

// TestReliabilityMemoryBounded: the peak memory of a run does not grow with
// the size of the input file: rows stream from the file to DuckDB in
// batches, and DuckDB keeps to duckdb.memory_limit. A file three times
// larger may cost DuckDB's limit (its buffers fill up) and a little more, not
// its own rows again: holding 200,000 more rows of CSV, or a sheet's XML
// tree, would cost several times that.
func TestReliabilityMemoryBounded(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("loads 300,000 rows")
	}
	const limit = 128 << 20
	env := []string{fmt.Sprintf("CCHC_DUCKDB_MEMORY_LIMIT=%dMB", limit>>20), "CCHC_DUCKDB_THREADS=2"}
	// The dossiers of n rows, made once: the csv and the rejected-rows cases
	// read the same ones.
	made := map[int][]fixture.Dossier{}
	dossiers := func(n int) []fixture.Dossier {
		if made[n] == nil {
			made[n] = fixture.Dossiers(fmt.Sprintf("M%d", n), "Phường Kim Giang", n)
		}
		return made[n]
	}
	peak := func(kind string, n int, rejected bool) (int64, int64) {
		dir := t.TempDir()
		inbox, wh := filepath.Join(dir, "inbox"), filepath.Join(dir, "cchc.duckdb")
		ds := dossiers(n)
		if rejected {
			ds = slices.Clone(ds)
			for i := range ds {
				ds[i].Received = "31/02/2024"
			}
		}
		f := relInFile{"hoso.csv", relCsvOf(',', false, fixture.DossierRows(ds)), 0}
		if kind == "xlsx" {
			// Deflated fast: the reader's memory does not depend on the level.
			f = relInFile{"hoso.xlsx", func(p string) error {
				return fixture.WriteRawXLSX(p, fixture.RawOptions{Level: flate.BestSpeed}, fixture.RawSheet{Name: "DS", Data: fixture.GridRows(fixture.DossierGrid(nil, ds))})
			}, 0}
		}
		relStage(t, inbox, f)
		ds = nil
		fi, _ := os.Stat(filepath.Join(inbox, f.path))
		r, p := relPeakRun(t, env, "run", "-q", "--inbox", inbox, "--warehouse", wh)
		if r.code != ExitOK {
			t.Fatalf("%s: %s", kind, r)
		}
		q, want := `SELECT count(*) FROM core.dossiers`, fmt.Sprint(n)
		if rejected {
			q = `SELECT count(DISTINCT row_number) FROM raw.rejects`
		}
		if got := relQuery1(t, relOpenWH(t, wh), q); got != want {
			t.Fatalf("%s: %s rows, want %s", kind, got, want)
		}
		return p, fi.Size()
	}
	for _, c := range []struct {
		name       string
		kind       string
		small, big int
		rejected   bool
	}{
		{"csv", "csv", 100_000, 300_000, false},
		{"xlsx", "xlsx", 30_000, 100_000, false},
		{"rejected rows", "csv", 100_000, 300_000, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			small, smallSize := peak(c.kind, c.small, c.rejected)
			big, bigSize := peak(c.kind, c.big, c.rejected)
			t.Logf("%d rows (%d MiB): peak %d MiB; %d rows (%d MiB): peak %d MiB",
				c.small, smallSize>>20, small>>20, c.big, bigSize>>20, big>>20)
			if grew := big - small; grew > limit+96<<20 {
				msg := fmt.Sprintf("the peak grew by %d MiB for a file %d MiB larger (DuckDB's limit: %d MiB): the rows do not stream",
					grew>>20, (bigSize-smallSize)>>20, limit>>20)
				t.Error(msg)
			}
		})
	}
}

// TestReliabilityManyFiles: a run over a thousand small files never has many
// of them open at once — it runs under a limit of 128 open files, and the
// open descriptors seen from outside stay few.
func TestReliabilityManyFiles(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("loads 1,000 files")
	}
	dir := t.TempDir()
	inbox, wh := filepath.Join(dir, "inbox"), filepath.Join(dir, "cchc.duckdb")
	units := []string{"Phường Kim Giang", "Phường Hạ Đình", "Phường Khương Mai", "Phường Nhân Chính", "Phường Thượng Đình"}
	var files []relInFile
	for i := 0; i < 1000; i++ {
		ds := fixture.Dossiers(fmt.Sprintf("F%04d", i), units[i%len(units)], 2)
		files = append(files, relInFile{fmt.Sprintf("d%02d/hoso_%04d.csv", i/100, i), relCsvOf(',', false, fixture.DossierRows(ds)), i % 24})
	}
	relStage(t, inbox, files...)
	bin, _ := relBinaries(t)
	// The limit applies to the run itself: the shell sets it, then becomes cchc.
	cmd := relCchcCmd(t, nil)
	cmd.Path, cmd.Args = "/bin/sh", []string{"sh", "-c", `ulimit -n 128 && exec "$0" "$@"`, bin, "run", "-q", "--inbox", inbox, "--warehouse", wh}
	var most atomic.Int64
	stop := make(chan struct{})
	watched := make(chan struct{})
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(watched)
		fdDir := fmt.Sprintf("/proc/%d/fd", cmd.Process.Pid)
		for {
			select {
			case <-stop:
				return
			default:
			}
			if ents, err := os.ReadDir(fdDir); err == nil && int64(len(ents)) > most.Load() {
				most.Store(int64(len(ents)))
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	err := relWait(cmd, 5*time.Minute)
	close(stop)
	<-watched
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	t.Logf("1000 files: at most %d descriptors open at once", most.Load())
	db := relOpenWH(t, wh)
	if got := relQuery1(t, db, `SELECT count(*) FILTER (status = 'loaded'), count(*) FROM raw.files`); got != "1000|1000" {
		t.Errorf("raw.files loaded|all = %s, want 1000|1000", got)
	}
	if got := relQuery1(t, db, `SELECT count(*) FROM core.dossiers`); got != "2000" {
		t.Errorf("core.dossiers has %s rows, want 2000", got)
	}
	if most.Load() >= 128 {
		t.Errorf("%d descriptors open at once", most.Load())
	}
}
