// Package progress is the vocabulary of long work's progress: the pipeline,
// the pulls and the scheduler report Events through a Func that the caller
// hands them, and the command line renders them (a bar on a terminal, JSON
// lines otherwise). Packages that do the work never print.
package progress

// Phases of long work.
const (
	Pull   = "pull"   // one file of a source settled (cchc pull, or a scheduled job)
	Files  = "files"  // one inbox file loaded or failed
	Models = "models" // one model built or data test run
	Job    = "job"    // a scheduled job started or finished
)

// Event is one step of long work.
type Event struct {
	Phase  string `json:"phase"`
	Name   string `json:"name,omitempty"`   // file path, model, source file or job
	Status string `json:"status,omitempty"` // loaded, failed, ok, new, not_modified, started …
	Done   int    `json:"done"`             // steps of the phase finished so far
	Total  int    `json:"total,omitempty"`  // steps of the phase; 0 when not known in advance
	Rows   int64  `json:"rows,omitempty"`
}

// Func receives Events. It may be called from several goroutines at once. A
// nil Func is valid and means nobody listens: call it through Emit.
type Func func(Event)

// Emit hands e to f when f is not nil.
func (f Func) Emit(e Event) {
	if f != nil {
		f(e)
	}
}
