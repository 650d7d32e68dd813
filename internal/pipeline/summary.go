package pipeline

import (
	"time"

	"github.com/thanhxuan/cchc/load"
)

// File statuses of a run, as recorded in raw.files.status; Skipped files were
// processed by an earlier run.
const (
	Loaded    = load.StatusLoaded
	Failed    = load.StatusFailed
	Duplicate = load.StatusDuplicate
	Skipped   = load.StatusSkipped
)

// FileOutcome is what happened to one input file in a run.
type FileOutcome struct {
	Path     string
	Status   string // Loaded, Failed, Duplicate or Skipped
	Kind     string
	Message  string
	Rows     int64
	Rejected int64

	rejectsByReason map[string]int64
}

// Summary is the result of a run, like goose's []*MigrationResult: data that
// the command prints and that the run writes into the ops tables.
type Summary struct {
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
func (s *Summary) Count(status string) int {
	n := 0
	for _, f := range s.Files {
		if f.Status == status {
			n++
		}
	}
	return n
}

// Rows returns the rows loaded and rejected in this run.
func (s *Summary) Rows() (loaded, rejected int64) {
	for _, f := range s.Files {
		loaded += f.Rows
		rejected += f.Rejected
	}
	return
}

// record is the summary as the run history keeps it.
func (s *Summary) record(runErr error) load.RunRecord {
	r := load.RunRecord{RunID: s.RunID, Started: s.Started, Ended: s.Ended, Err: runErr, Models: s.Models, KPIRows: s.KPIRows}
	for _, f := range s.Files {
		r.Files = append(r.Files, load.RunFile{Path: f.Path, Status: f.Status, Kind: f.Kind, Message: f.Message, Rows: f.Rows, Rejected: f.Rejected})
	}
	return r
}
