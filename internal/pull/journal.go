package pull

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/thanhxuan/cchc/load"
)

// journal is the append-only file of pulls not yet recorded in the
// warehouse, in the state folder: a pull appends, the next run moves the
// records into ops.source_pulls and empties it. An flock keeps the two apart.
type journal struct{ f *os.File }

const journalName = "journal.jsonl"

// DrainJournal hands the pulls journalled in stateDir since the last run to
// record (which writes them into ops.source_pulls) and empties the journal
// once record succeeds. A state folder that never pulled has no journal.
func DrainJournal(stateDir string, record func([]load.PullRecord) error) error {
	if _, err := os.Stat(filepath.Join(stateDir, "pull", journalName)); errors.Is(err, os.ErrNotExist) {
		return nil // never pulled
	}
	return withJournal(stateDir, func(j *journal) error {
		recs, err := j.read()
		if err != nil || len(recs) == 0 {
			return err
		}
		if err := record(recs); err != nil {
			return err
		}
		return j.truncate()
	})
}

// withJournal calls fn with the journal of stateDir locked.
func withJournal(stateDir string, fn func(*journal) error) error {
	dir := filepath.Join(stateDir, "pull")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, journalName), os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn(&journal{f: f})
}

func (j *journal) append(recs []load.PullRecord) error {
	if len(recs) == 0 {
		return nil
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	if _, err := j.f.WriteString(b.String()); err != nil {
		return err
	}
	return j.f.Sync()
}

// read returns every record; a torn last line (a crash while appending) is
// left out.
func (j *journal) read() ([]load.PullRecord, error) {
	if _, err := j.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	var out []load.PullRecord
	sc := bufio.NewScanner(j.f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var r load.PullRecord
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.PullID != "" {
			out = append(out, r)
		}
	}
	return out, sc.Err()
}

func (j *journal) truncate() error {
	if err := j.f.Truncate(0); err != nil {
		return err
	}
	return j.f.Sync()
}
