package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attestdev/attest/collectors/manual"
	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/history"
)

// TestEvidenceDir checks the precedence: a given --dir flag, then
// sources.manual.dir in attest.yaml, then the flag's default.
func TestEvidenceDir(t *testing.T) {
	t.Parallel()
	none := &config.File{}
	emptyDir := &config.File{}
	emptyDir.Sources.Manual = &manual.Config{}
	withDir := &config.File{}
	withDir.Sources.Manual = &manual.Config{Dir: "records"}
	for _, c := range []struct {
		name    string
		flag    string
		flagSet bool
		cfg     *config.File
		want    string
	}{
		{"flag given wins over config", "mine", true, withDir, "mine"},
		{"flag given equal to the default still wins", manual.DefaultDir, true, withDir, manual.DefaultDir},
		{"config dir when the flag is not given", manual.DefaultDir, false, withDir, "records"},
		{"manual source without dir: default", "ignored", false, emptyDir, manual.DefaultDir},
		{"no manual source: the flag's default", manual.DefaultDir, false, none, manual.DefaultDir},
		{"no config", "flagdefault", false, nil, "flagdefault"},
	} {
		if got := EvidenceDir(c.flag, c.flagSet, c.cfg); got != c.want {
			t.Errorf("%s: EvidenceDir(%q, %v) = %q, want %q", c.name, c.flag, c.flagSet, got, c.want)
		}
	}
}

// TestStoreDSN checks the precedence: --store, then $ATTEST_STORE, then
// the default file.
func TestStoreDSN(t *testing.T) {
	t.Setenv(StoreEnv, "")
	if got := StoreDSN(""); got != history.DefaultDSN {
		t.Errorf("nothing set: %q, want %q", got, history.DefaultDSN)
	}
	if got := StoreDSN("flag.db"); got != "flag.db" {
		t.Errorf("flag only: %q", got)
	}
	t.Setenv(StoreEnv, "postgres://env/db")
	if got := StoreDSN(""); got != "postgres://env/db" {
		t.Errorf("environment only: %q, want postgres://env/db", got)
	}
	if got := StoreDSN("flag.db"); got != "flag.db" {
		t.Errorf("flag and environment: %q, want the flag", got)
	}
}

// TestReportStore checks that a missing SQLite file is an error, with or
// without the file: prefix, and that a present one or a URL is not.
func TestReportStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	present := filepath.Join(dir, "h.db")
	if err := os.WriteFile(present, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.db")
	for dsn, wantErr := range map[string]bool{
		present: false, "file:" + present: false, "postgres://attest@db/attest": false,
		missing: true, "file:" + missing: true,
	} {
		err := ReportStore(dsn)
		if (err != nil) != wantErr {
			t.Errorf("ReportStore(%q) = %v, want error %v", dsn, err, wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "no history store at "+dsn) {
			t.Errorf("ReportStore(%q) = %v, want it to name the store", dsn, err)
		}
	}
}
