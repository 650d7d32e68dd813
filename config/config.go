// Package config holds the one Config struct of cchc, its defaults, and Load,
// which reads a YAML file, CCHC_* environment variables and command-line flags
// through one viper instance, then validates with errors that name the key.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/robfig/cron/v3"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// ErrInvalid reports a configuration mistake; the message names the key and file.
var ErrInvalid = errors.New("invalid configuration")

// Config is the whole configuration. Keys are the mapstructure tags, dotted for
// nested structs (duckdb.memory_limit); the environment variable of a key is
// CCHC_ plus the key in upper case with dots as underscores
// (CCHC_DUCKDB_MEMORY_LIMIT).
type Config struct {
	Inbox     string `mapstructure:"inbox"`      // folder of input files, read recursively
	Warehouse string `mapstructure:"warehouse"`  // the published DuckDB file
	StateDir  string `mapstructure:"state_dir"`  // private state; default: WAREHOUSE.state beside the warehouse
	ModelsDir string `mapstructure:"models_dir"` // the data team's own models and tests (schema/name.sql, tests/*.sql)
	SeedsDir  string `mapstructure:"seeds_dir"`  // the data team's seed rows, added to the embedded seeds (same file names and columns; docs/seeds.md)

	PII     PII     `mapstructure:"pii"`
	Extract Extract `mapstructure:"extract"`
	DuckDB  DuckDB  `mapstructure:"duckdb"`
	Log     Log     `mapstructure:"log"`

	Sources  []Source `mapstructure:"sources"` // where `cchc pull` fetches files into the inbox
	Pull     Pull     `mapstructure:"pull"`
	Schedule Schedule `mapstructure:"schedule"`

	// File is the configuration file that was read, if any (not a key).
	File string `mapstructure:"-"`
}

// PII configures the handling of personal data.
type PII struct {
	// HMACKey keys the applicant pseudonyms. When empty, a random key is made
	// once and kept in the state directory (never in the warehouse).
	HMACKey string `mapstructure:"hmac_key"`
}

// Extract bounds what reading input files may cost.
type Extract struct {
	XLSXPassword     string `mapstructure:"xlsx_password"`
	MaxUnzipBytes    int64  `mapstructure:"max_unzip_bytes"`
	MaxXMLBytes      int64  `mapstructure:"max_xml_bytes"`
	MaxCellBytes     int    `mapstructure:"max_cell_bytes"`
	MaxBlankRows     int    `mapstructure:"max_blank_rows"`
	MaxMemoryBytes   int64  `mapstructure:"max_memory_bytes"` // what reading one file may hold in memory
	Workers          int    `mapstructure:"workers"`
	RetryFailedFiles bool   `mapstructure:"retry_failed_files"`
}

// DuckDB tunes the database.
type DuckDB struct {
	MemoryLimit    string `mapstructure:"memory_limit"`
	Threads        int    `mapstructure:"threads"`
	StorageVersion string `mapstructure:"storage_version"`
}

// Log configures logging.
type Log struct {
	Level  string `mapstructure:"level"`  // debug, info, warn, error
	Format string `mapstructure:"format"` // text or json
}

// Source is one place where wards or the one-stop-shop system publish files:
// a local or mounted folder (Path) or one HTTP(S) file (URL), never both.
type Source struct {
	Name    string            `mapstructure:"name"`    // a slug (a-z, 0-9, _ and -), unique
	Path    string            `mapstructure:"path"`    // a folder, read recursively
	URL     string            `mapstructure:"url"`     // one file over http or https
	Include []string          `mapstructure:"include"` // file-name patterns of a folder source (*.xlsx); empty: every file
	File    string            `mapstructure:"file"`    // name in the inbox of a URL source; default: the URL's last segment
	Dest    string            `mapstructure:"dest"`    // folder under the inbox; default: the name
	SHA256  string            `mapstructure:"sha256"`  // expected checksum of a URL source, when its publisher announces one
	Headers map[string]string `mapstructure:"headers"` // extra request headers; $VAR and ${VAR} are expanded from the environment
}

// Pull bounds what fetching one file may cost.
type Pull struct {
	Timeout  time.Duration `mapstructure:"timeout"`   // one HTTP attempt, the whole download
	Retries  int           `mapstructure:"retries"`   // further attempts after a failure that may pass
	Backoff  time.Duration `mapstructure:"backoff"`   // wait before the first retry; doubles each time
	MaxBytes int64         `mapstructure:"max_bytes"` // a larger file fails its source entry
	Workers  int           `mapstructure:"workers"`   // sources pulled at the same time
}

// Missed-run policies of the scheduler.
const (
	MissedRunOnce = "run_once" // after downtime, run a job once at start if a scheduled run was missed
	MissedSkip    = "skip"     // wait for the next scheduled time
)

// Schedule configures `cchc schedule`.
type Schedule struct {
	TimeZone      string        `mapstructure:"time_zone"`      // cron times are read in this zone
	Missed        string        `mapstructure:"missed"`         // run_once or skip
	ShutdownGrace time.Duration `mapstructure:"shutdown_grace"` // how long a run in flight may finish after SIGTERM before it is aborted
	Jobs          []Job         `mapstructure:"jobs"`
}

// Job is one scheduled job: pull the sources, run the pipeline, or both (in
// that order).
type Job struct {
	Name    string   `mapstructure:"name"`
	Cron    string   `mapstructure:"cron"`    // five fields (minute first), or six with seconds first; @daily, @every 1h
	Pull    bool     `mapstructure:"pull"`    // pull sources into the inbox
	Run     bool     `mapstructure:"run"`     // run the pipeline and publish
	Sources []string `mapstructure:"sources"` // names of the sources to pull; empty: all
}

// CronParser reads the cron expressions of schedule jobs: the classic five
// fields, an optional leading seconds field, and descriptors (@daily, @every).
var CronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Defaults returns the configuration used when nothing else is said.
func Defaults() Config {
	return Config{
		Extract: Extract{
			MaxUnzipBytes:  2 << 30,
			MaxXMLBytes:    16 << 20,
			MaxCellBytes:   32 << 10,
			MaxBlankRows:   10000,
			MaxMemoryBytes: 256 << 20,
			Workers:        0,
		},
		DuckDB: DuckDB{StorageVersion: "v1.0.0", MemoryLimit: "128MB"},
		Log:    Log{Level: "info", Format: "text"},
		Pull: Pull{
			Timeout:  2 * time.Minute,
			Retries:  3,
			Backoff:  5 * time.Second,
			MaxBytes: 512 << 20,
			Workers:  4,
		},
		Schedule: Schedule{TimeZone: "Asia/Ho_Chi_Minh", Missed: MissedRunOnce, ShutdownGrace: 10 * time.Minute},
	}
}

// keys lists every key with its default, so that viper knows them all (an
// environment variable is only seen for a known key).
func keys(d Config) map[string]any {
	return map[string]any{
		"inbox": d.Inbox, "warehouse": d.Warehouse, "state_dir": d.StateDir,
		"models_dir": d.ModelsDir, "seeds_dir": d.SeedsDir,
		"pii.hmac_key":               d.PII.HMACKey,
		"extract.xlsx_password":      d.Extract.XLSXPassword,
		"extract.max_unzip_bytes":    d.Extract.MaxUnzipBytes,
		"extract.max_xml_bytes":      d.Extract.MaxXMLBytes,
		"extract.max_cell_bytes":     d.Extract.MaxCellBytes,
		"extract.max_blank_rows":     d.Extract.MaxBlankRows,
		"extract.max_memory_bytes":   d.Extract.MaxMemoryBytes,
		"extract.workers":            d.Extract.Workers,
		"extract.retry_failed_files": d.Extract.RetryFailedFiles,
		"duckdb.memory_limit":        d.DuckDB.MemoryLimit,
		"duckdb.threads":             d.DuckDB.Threads,
		"duckdb.storage_version":     d.DuckDB.StorageVersion,
		"log.level":                  d.Log.Level,
		"log.format":                 d.Log.Format,
		"sources":                    d.Sources,
		"pull.timeout":               d.Pull.Timeout,
		"pull.retries":               d.Pull.Retries,
		"pull.backoff":               d.Pull.Backoff,
		"pull.max_bytes":             d.Pull.MaxBytes,
		"pull.workers":               d.Pull.Workers,
		"schedule.time_zone":         d.Schedule.TimeZone,
		"schedule.missed":            d.Schedule.Missed,
		"schedule.shutdown_grace":    d.Schedule.ShutdownGrace,
		"schedule.jobs":              d.Schedule.Jobs,
	}
}

// Load reads the configuration: defaults, then the YAML file (when file is not
// empty), then CCHC_* environment variables, then the flags of fs that are bound
// to keys (flag name → key). One viper instance, unmarshalled once.
func Load(file string, fs *pflag.FlagSet, flagKeys map[string]string) (Config, error) {
	v := viper.New()
	for k, d := range keys(Defaults()) {
		v.SetDefault(k, d)
	}
	v.SetEnvPrefix("CCHC")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if file != "" {
		v.SetConfigFile(file)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return Config{}, fmt.Errorf("%w: %s: %w", ErrInvalid, file, err)
		}
		known := keys(Defaults())
		for _, k := range v.AllKeys() {
			if _, ok := known[k]; !ok && v.InConfig(k) {
				return Config{}, fmt.Errorf("%w: %s: unknown key %q", ErrInvalid, file, k)
			}
		}
	}
	if err := checkEnv(os.Environ()); err != nil {
		return Config{}, err
	}
	if fs != nil {
		for flag, key := range flagKeys {
			if f := fs.Lookup(flag); f != nil {
				if err := v.BindPFlag(key, f); err != nil {
					return Config{}, err
				}
			}
		}
	}
	var c Config
	// Keys inside list items (sources, schedule.jobs) escape the check above;
	// ErrorUnused catches a misspelt one there.
	if err := v.Unmarshal(&c, func(dc *mapstructure.DecoderConfig) { dc.ErrorUnused = true }); err != nil {
		return Config{}, fmt.Errorf("%w: %s: %w", ErrInvalid, orEnv(file), err)
	}
	c.File = file
	return c, nil
}

// checkEnv fails on a CCHC_* variable that can only be meant as a key and
// names none: one under a section of keys (CCHC_DUCKDB_MEMORYLIMIT), or
// one letter or two away from a key's variable (CCHC_WAREHOSE). Other
// CCHC_* variables are not cchc's configuration — the tools beside it share
// the prefix (CCHC_TODAY of cchc status, the tests' and the acceptance
// script's) — and are left alone.
func checkEnv(environ []string) error {
	known := map[string]bool{}
	sections := map[string]bool{}
	for k := range keys(Defaults()) {
		known[envName(k)] = true
		if section, _, ok := strings.Cut(k, "."); ok {
			sections["CCHC_"+strings.ToUpper(section)+"_"] = true
		}
	}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "CCHC_") || known[name] {
			continue
		}
		closest, dist := "", 3
		for k := range known {
			if d := editDistance(name, k); d < dist || d == dist && k < closest {
				closest, dist = k, d
			}
		}
		meant := dist <= 2
		for sec := range sections {
			meant = meant || strings.HasPrefix(name, sec)
		}
		if !meant {
			continue
		}
		hint := ""
		if closest != "" {
			hint = fmt.Sprintf(" (did you mean %s?)", closest)
		}
		return fmt.Errorf("%w: environment: %s: unknown key%s", ErrInvalid, name, hint)
	}
	return nil
}

// envName is the environment variable of a key (duckdb.memory_limit →
// CCHC_DUCKDB_MEMORY_LIMIT).
func envName(key string) string {
	return "CCHC_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// editDistance is the Levenshtein distance of a and b (ASCII names).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func orEnv(file string) string {
	if file == "" {
		return "environment/flags"
	}
	return file
}

// Invalid returns the error of a configuration mistake: it wraps ErrInvalid
// and names the file (or the environment and flags) and the key.
func (c *Config) Invalid(key, msg string) error {
	return fmt.Errorf("%w: %s: %s: %s", ErrInvalid, orEnv(c.File), key, msg)
}

// Validate checks the configuration for a run and fills derived paths.
func (c *Config) Validate() error {
	bad := c.Invalid
	if c.Inbox == "" {
		return bad("inbox", "required (--inbox, CCHC_INBOX or inbox: in the file)")
	}
	if fi, err := os.Stat(c.Inbox); err != nil || !fi.IsDir() {
		return bad("inbox", fmt.Sprintf("%q is not a readable folder", c.Inbox))
	}
	if c.Warehouse == "" {
		return bad("warehouse", "required (--warehouse, CCHC_WAREHOUSE or warehouse: in the file)")
	}
	if fi, err := os.Stat(c.Warehouse); err == nil && fi.IsDir() {
		return bad("warehouse", fmt.Sprintf("%q is a folder: give the path of the DuckDB file to publish (such as %s)", c.Warehouse, filepath.Join(c.Warehouse, "cchc.duckdb")))
	}
	if c.StateDir == "" {
		c.StateDir = c.Warehouse + ".state"
	}
	if fi, err := os.Stat(c.StateDir); err == nil && !fi.IsDir() {
		return bad("state_dir", fmt.Sprintf("%q is a file, not a folder", c.StateDir))
	}
	if c.ModelsDir != "" {
		if fi, err := os.Stat(c.ModelsDir); err != nil || !fi.IsDir() {
			return bad("models_dir", fmt.Sprintf("%q is not a readable folder", c.ModelsDir))
		}
	}
	if c.SeedsDir != "" {
		if fi, err := os.Stat(c.SeedsDir); err != nil || !fi.IsDir() {
			return bad("seeds_dir", fmt.Sprintf("%q is not a readable folder", c.SeedsDir))
		}
	}
	if c.Extract.MaxUnzipBytes <= 0 {
		return bad("extract.max_unzip_bytes", "must be positive")
	}
	if c.Extract.MaxXMLBytes <= 0 || c.Extract.MaxXMLBytes > c.Extract.MaxUnzipBytes {
		return bad("extract.max_xml_bytes", "must be positive and at most extract.max_unzip_bytes")
	}
	if c.Extract.MaxCellBytes <= 0 {
		return bad("extract.max_cell_bytes", "must be positive")
	}
	// A row must hold a few cells of the largest size (a row may take a
	// sixty-fourth of the budget).
	if least := max(16<<20, 256*int64(c.Extract.MaxCellBytes)); c.Extract.MaxMemoryBytes < least {
		return bad("extract.max_memory_bytes", fmt.Sprintf("must be at least %d (16 MiB, and 256 × extract.max_cell_bytes)", least))
	}
	if c.Extract.Workers < 0 {
		return bad("extract.workers", "must be 0 (one per core) or more")
	}
	if c.DuckDB.Threads < 0 {
		return bad("duckdb.threads", "must be 0 (DuckDB default) or more")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", fmt.Sprintf("%q is not debug, info, warn or error", c.Log.Level))
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return bad("log.format", fmt.Sprintf("%q is not text or json", c.Log.Format))
	}
	if err := c.validateSources(bad); err != nil {
		return err
	}
	if err := c.validateSchedule(bad); err != nil {
		return err
	}
	var err error
	if c.Warehouse, err = filepath.Abs(c.Warehouse); err != nil {
		return bad("warehouse", err.Error())
	}
	if c.StateDir, err = filepath.Abs(c.StateDir); err != nil {
		return bad("state_dir", err.Error())
	}
	// A run reads every name under the inbox: its own files must be elsewhere.
	for _, kv := range [][2]string{{"warehouse", c.Warehouse}, {"state_dir", c.StateDir}} {
		if within(kv[1], c.Inbox) {
			return bad(kv[0], fmt.Sprintf("%q is inside the inbox %q: a run would read its own files as inputs; put it beside the inbox", kv[1], c.Inbox))
		}
	}
	return nil
}

// within reports whether path p is dir or under it, links resolved where
// they exist.
func within(p, dir string) bool {
	resolve := func(p string) string {
		p, _ = filepath.Abs(p)
		// The nearest folder that exists, resolved, with the rest after it.
		rest := ""
		for q := p; ; q = filepath.Dir(q) {
			if r, err := filepath.EvalSymlinks(q); err == nil {
				return filepath.Join(r, rest)
			}
			if filepath.Dir(q) == q {
				return p
			}
			rest = filepath.Join(filepath.Base(q), rest)
		}
	}
	rel, err := filepath.Rel(resolve(dir), resolve(p))
	return err == nil && filepath.IsLocal(rel) || rel == "."
}

var reSlug = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

func (c *Config) validateSources(bad func(key, msg string) error) error {
	names := map[string]bool{}
	for i, s := range c.Sources {
		key := func(k string) string { return fmt.Sprintf("sources[%d].%s", i, k) }
		if !reSlug.MatchString(s.Name) {
			return bad(key("name"), fmt.Sprintf("%q must be a slug of a-z, 0-9, _ and - (it names the source in ops.source_pulls)", s.Name))
		}
		if names[s.Name] {
			return bad(key("name"), fmt.Sprintf("%q is used by two sources", s.Name))
		}
		names[s.Name] = true
		switch {
		case (s.Path == "") == (s.URL == ""):
			return bad(key("path"), "give either path (a folder) or url (an HTTP(S) file)")
		case s.URL != "":
			u, err := url.Parse(s.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return bad(key("url"), fmt.Sprintf("%q is not an http or https URL", s.URL))
			}
			if s.File == "" && (path.Base(u.Path) == "/" || path.Base(u.Path) == ".") {
				return bad(key("file"), "required when the URL does not end in a file name")
			}
			if len(s.Include) > 0 {
				return bad(key("include"), "only for a folder source")
			}
		case s.File != "" || s.SHA256 != "" || len(s.Headers) > 0:
			return bad(key("path"), "file, sha256 and headers are only for a URL source")
		}
		if s.File != "" && (strings.ContainsAny(s.File, `/\`) || strings.HasPrefix(s.File, ".")) {
			return bad(key("file"), fmt.Sprintf("%q must be a plain file name", s.File))
		}
		if s.Dest != "" && (filepath.IsAbs(s.Dest) || !filepath.IsLocal(s.Dest)) {
			return bad(key("dest"), fmt.Sprintf("%q must be a folder inside the inbox", s.Dest))
		}
		if s.SHA256 != "" && !regexp.MustCompile(`^[0-9a-fA-F]{64}$`).MatchString(s.SHA256) {
			return bad(key("sha256"), "must be 64 hexadecimal digits")
		}
		for _, p := range s.Include {
			if _, err := path.Match(p, ""); err != nil {
				return bad(key("include"), fmt.Sprintf("%q: %v", p, err))
			}
		}
	}
	if c.Pull.Timeout <= 0 {
		return bad("pull.timeout", "must be positive (e.g. 2m)")
	}
	if c.Pull.Retries < 0 {
		return bad("pull.retries", "must be 0 or more")
	}
	if c.Pull.Backoff < 0 {
		return bad("pull.backoff", "must be 0 or more")
	}
	if c.Pull.MaxBytes <= 0 {
		return bad("pull.max_bytes", "must be positive")
	}
	if c.Pull.Workers <= 0 {
		return bad("pull.workers", "must be 1 or more")
	}
	return nil
}

func (c *Config) validateSchedule(bad func(key, msg string) error) error {
	s := c.Schedule
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" {
		return bad("schedule.time_zone", fmt.Sprintf("%q is not a time zone (Asia/Ho_Chi_Minh)", s.TimeZone))
	}
	switch s.Missed {
	case MissedRunOnce, MissedSkip:
	default:
		return bad("schedule.missed", fmt.Sprintf("%q is not run_once or skip", s.Missed))
	}
	if s.ShutdownGrace < 0 {
		return bad("schedule.shutdown_grace", "must be 0 (abort at once) or more")
	}
	sources := map[string]bool{}
	for _, src := range c.Sources {
		sources[src.Name] = true
	}
	names := map[string]bool{}
	for i, j := range s.Jobs {
		key := func(k string) string { return fmt.Sprintf("schedule.jobs[%d].%s", i, k) }
		if !reSlug.MatchString(j.Name) {
			return bad(key("name"), fmt.Sprintf("%q must be a slug of a-z, 0-9, _ and -", j.Name))
		}
		if names[j.Name] {
			return bad(key("name"), fmt.Sprintf("%q is used by two jobs", j.Name))
		}
		names[j.Name] = true
		if _, err := CronParser.Parse(j.Cron); err != nil {
			return bad(key("cron"), fmt.Sprintf("%q: %v", j.Cron, err))
		}
		if !j.Pull && !j.Run {
			return bad(key("pull"), "a job pulls, runs, or both: set pull: true and/or run: true")
		}
		if !j.Pull && len(j.Sources) > 0 {
			return bad(key("sources"), "only for a job with pull: true")
		}
		if j.Pull && len(c.Sources) == 0 {
			return bad(key("pull"), "no sources are configured")
		}
		for _, n := range j.Sources {
			if !sources[n] {
				return bad(key("sources"), fmt.Sprintf("%q is not the name of a source", n))
			}
		}
	}
	return nil
}
