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
	// MostlyRejected are the files this run loaded with more than a fifth of
	// their data rows rejected (marts.mostly_rejected_files): the KPIs they
	// feed are built on what remains of a broken export.
	MostlyRejected []RejectedFile
}

// RejectedFile is a file loaded with more than a fifth of its data rows
// rejected, and the KPIs it feeds.
type RejectedFile struct {
	Path             string
	Loaded, Rejected int64
	Share            float64  // rejected / (loaded + rejected)
	Units, Periods   []string // whose KPIs its rows feed
}

// MostlyRejected reports whether more than a fifth of the file's data rows
// were rejected (CONTRACT 3.5): it is still loaded, and named as such.
func (f FileOutcome) MostlyRejected() bool {
	return f.Status == Loaded && f.Rejected*5 > f.Rows+f.Rejected
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
