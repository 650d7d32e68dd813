// Package config holds the one Config struct of cchc, its defaults, and Load,
// which reads a YAML file, CCHC_* environment variables and command-line flags
// through one viper instance, then validates with errors that name the key.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
	SeedsDir  string `mapstructure:"seeds_dir"`  // a folder replacing the embedded seeds (same file names)

	PII     PII     `mapstructure:"pii"`
	Extract Extract `mapstructure:"extract"`
	DuckDB  DuckDB  `mapstructure:"duckdb"`
	Log     Log     `mapstructure:"log"`

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

// Defaults returns the configuration used when nothing else is said.
func Defaults() Config {
	return Config{
		Extract: Extract{
			MaxUnzipBytes: 2 << 30,
			MaxXMLBytes:   16 << 20,
			MaxCellBytes:  32 << 10,
			MaxBlankRows:  10000,
			Workers:       0,
		},
		DuckDB: DuckDB{StorageVersion: "v1.0.0"},
		Log:    Log{Level: "info", Format: "text"},
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
		"extract.workers":            d.Extract.Workers,
		"extract.retry_failed_files": d.Extract.RetryFailedFiles,
		"duckdb.memory_limit":        d.DuckDB.MemoryLimit,
		"duckdb.threads":             d.DuckDB.Threads,
		"duckdb.storage_version":     d.DuckDB.StorageVersion,
		"log.level":                  d.Log.Level,
		"log.format":                 d.Log.Format,
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
			return Config{}, fmt.Errorf("%w: %s: %v", ErrInvalid, file, err)
		}
		known := keys(Defaults())
		for _, k := range v.AllKeys() {
			if _, ok := known[k]; !ok && v.InConfig(k) {
				return Config{}, fmt.Errorf("%w: %s: unknown key %q", ErrInvalid, file, k)
			}
		}
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
	if err := v.Unmarshal(&c); err != nil {
		return Config{}, fmt.Errorf("%w: %s: %v", ErrInvalid, orEnv(file), err)
	}
	c.File = file
	return c, nil
}

func orEnv(file string) string {
	if file == "" {
		return "environment/flags"
	}
	return file
}

// Validate checks the configuration for a run and fills derived paths.
func (c *Config) Validate() error {
	where := orEnv(c.File)
	bad := func(key, msg string) error { return fmt.Errorf("%w: %s: %s: %s", ErrInvalid, where, key, msg) }
	if c.Inbox == "" {
		return bad("inbox", "required (--inbox, CCHC_INBOX or inbox: in the file)")
	}
	if fi, err := os.Stat(c.Inbox); err != nil || !fi.IsDir() {
		return bad("inbox", fmt.Sprintf("%q is not a readable folder", c.Inbox))
	}
	if c.Warehouse == "" {
		return bad("warehouse", "required (--warehouse, CCHC_WAREHOUSE or warehouse: in the file)")
	}
	if c.StateDir == "" {
		c.StateDir = c.Warehouse + ".state"
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
	var err error
	if c.Warehouse, err = filepath.Abs(c.Warehouse); err != nil {
		return bad("warehouse", err.Error())
	}
	if c.StateDir, err = filepath.Abs(c.StateDir); err != nil {
		return bad("state_dir", err.Error())
	}
	return nil
}
