package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "cchc.yaml")
	os.WriteFile(file, []byte("inbox: /from/file\nwarehouse: /from/file.duckdb\nduckdb:\n  memory_limit: 1GB\n"), 0o644)
	t.Setenv("CCHC_WAREHOUSE", "/from/env.duckdb")
	t.Setenv("CCHC_DUCKDB_MEMORY_LIMIT", "3GB")
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.String("inbox", "", "")
	fs.String("warehouse", "", "")
	fs.Parse([]string{"--warehouse", "/from/flag.duckdb"})
	c, err := Load(file, fs, map[string]string{"inbox": "inbox", "warehouse": "warehouse"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Inbox != "/from/file" || c.Warehouse != "/from/flag.duckdb" || c.DuckDB.MemoryLimit != "3GB" {
		t.Errorf("got inbox %q warehouse %q memory %q", c.Inbox, c.Warehouse, c.DuckDB.MemoryLimit)
	}
	if c.Extract.MaxCellBytes != Defaults().Extract.MaxCellBytes {
		t.Errorf("default lost: %d", c.Extract.MaxCellBytes)
	}
}

func TestValidateNamesKey(t *testing.T) {
	inbox, other := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(other, "file"), nil, 0o644)
	if err := os.Symlink(inbox, filepath.Join(other, "link")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		edit func(*Config)
		key  string
	}{
		{func(c *Config) { c.Inbox = "" }, "inbox"},
		{func(c *Config) { c.Inbox = "/does/not/exist" }, "inbox"},
		{func(c *Config) { c.Warehouse = "" }, "warehouse"},
		{func(c *Config) { c.Log.Level = "loud" }, "log.level"},
		{func(c *Config) { c.Extract.MaxXMLBytes = c.Extract.MaxUnzipBytes + 1 }, "extract.max_xml_bytes"},
		{func(c *Config) { c.Extract.MaxMemoryBytes = 8 << 20 }, "extract.max_memory_bytes"},
		{func(c *Config) { c.Extract.MaxCellBytes = 2 << 20 }, "extract.max_memory_bytes"},
		{func(c *Config) { c.Extract.Workers = -1 }, "extract.workers"},
		{func(c *Config) { c.Warehouse = other }, "warehouse"}, // a folder
		{func(c *Config) { c.StateDir = filepath.Join(other, "file") }, "state_dir"},
		{func(c *Config) { c.Warehouse = filepath.Join(inbox, "cchc.duckdb") }, "warehouse"},
		{func(c *Config) { c.StateDir = filepath.Join(inbox, "sub", "state") }, "state_dir"},
		{func(c *Config) { c.Warehouse = filepath.Join(other, "link", "cchc.duckdb") }, "warehouse"}, // a link into the inbox
	}
	for _, tt := range tests {
		c := Defaults()
		c.Inbox, c.Warehouse, c.File = inbox, "w.duckdb", "cchc.yaml"
		tt.edit(&c)
		err := c.Validate()
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "cchc.yaml: "+tt.key+":") {
			t.Errorf("%s: err = %v", tt.key, err)
		}
	}
	c := Defaults()
	c.Inbox, c.Warehouse = inbox, "w.duckdb"
	if err := c.Validate(); err != nil || !strings.HasSuffix(c.StateDir, "w.duckdb.state") {
		t.Errorf("valid config: %v, state dir %q", err, c.StateDir)
	}
}

func TestUnknownKey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "cchc.yaml")
	os.WriteFile(file, []byte("inbox: x\nwarehose: typo.duckdb\n"), 0o644)
	_, err := Load(file, nil, nil)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"warehose"`) {
		t.Errorf("err = %v, want the unknown key named", err)
	}
}

// TestUnknownEnvKey: a CCHC_* variable that can only be meant as a key —
// under a section of keys, or a letter or two from one — and names none is
// a configuration error naming it; others belong to the tools beside cchc.
func TestUnknownEnvKey(t *testing.T) {
	for _, c := range []struct{ name, want string }{
		{"CCHC_DUCKDB_MEMORYLIMIT", "environment: CCHC_DUCKDB_MEMORYLIMIT: unknown key (did you mean CCHC_DUCKDB_MEMORY_LIMIT?)"},
		{"CCHC_WAREHOSE", "environment: CCHC_WAREHOSE: unknown key (did you mean CCHC_WAREHOUSE?)"},
		{"CCHC_EXTRACT_PASSWORD", "environment: CCHC_EXTRACT_PASSWORD: unknown key"},
		{"CCHC_LOG_FILE", "environment: CCHC_LOG_FILE: unknown key"},
		{"CCHC_TYPO", ""},
		{"CCHC_TODAY", ""},
		{"CCHC_CHECK_CACHE", ""},
		{"CCHC_DUCKDB_THREADS", ""},
		{"CCHCX_INBOX", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(c.name, "1")
			_, err := Load("", nil, nil)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("err = %v, want none", err)
			case c.want != "" && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want)):
				t.Errorf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// TestExampleConfiguration: cchc.example.yaml, the example shipped at the
// repository's root, loads and validates (its paths pointed at temporary
// folders), names every key of the configuration — every field of a source
// and of a job too — and explains each key in a comment.
func TestExampleConfiguration(t *testing.T) {
	const file = "../cchc.example.yaml"
	dir := t.TempDir()
	for env, sub := range map[string]string{"CCHC_INBOX": "inbox", "CCHC_MODELS_DIR": "models", "CCHC_SEEDS_DIR": "seeds", "CCHC_STATE_DIR": "state"} {
		p := filepath.Join(dir, sub)
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv(env, p)
	}
	t.Setenv("CCHC_WAREHOUSE", filepath.Join(dir, "cchc.duckdb"))
	c, err := Load(file, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 2 || c.Sources[0].Path == "" || c.Sources[1].URL == "" || len(c.Schedule.Jobs) != 1 || !c.Schedule.Jobs[0].Run {
		t.Errorf("sources %+v, jobs %+v: the example should show a folder, a URL and a job", c.Sources, c.Schedule.Jobs)
	}
	// Its values are the defaults, where it does not say otherwise.
	d := Defaults()
	if c.Extract != d.Extract || c.DuckDB != d.DuckDB || c.Log != d.Log || c.Pull != d.Pull ||
		c.Schedule.TimeZone != d.Schedule.TimeZone || c.Schedule.Missed != d.Schedule.Missed || c.Schedule.ShutdownGrace != d.Schedule.ShutdownGrace {
		t.Errorf("the example's values differ from the defaults it claims:\n%+v\n%+v", c, d)
	}

	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	v := viper.New()
	v.SetConfigFile(file)
	if err := v.ReadInConfig(); err != nil {
		t.Fatal(err)
	}
	for k := range keys(Defaults()) {
		leaf := k[strings.LastIndex(k, ".")+1:]
		if !v.InConfig(k) && !strings.Contains(string(src), "# "+leaf+":") {
			t.Errorf("the example does not name %s", k)
		}
	}
	for list, fields := range map[string]any{"sources": Source{}, "schedule.jobs": Job{}} {
		named := map[string]bool{}
		items, _ := v.Get(list).([]any)
		for _, it := range items {
			m, _ := it.(map[string]any)
			for k := range m {
				named[k] = true
			}
		}
		ty := reflect.TypeOf(fields)
		for i := 0; i < ty.NumField(); i++ {
			if tag := ty.Field(i).Tag.Get("mapstructure"); !named[tag] {
				t.Errorf("the example's %s name no %q", list, tag)
			}
		}
	}
	// Every key has its comment: on the line above, or after it.
	lines := strings.Split(string(src), "\n")
	reKey := regexp.MustCompile(`^\s*(- )?[a-z_]+:`)
	for i, l := range lines {
		if !reKey.MatchString(l) || strings.Contains(l, "#") {
			continue
		}
		if i == 0 || !strings.HasPrefix(strings.TrimSpace(lines[i-1]), "#") {
			t.Errorf("line %d %q has no comment", i+1, l)
		}
	}
}
