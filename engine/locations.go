package engine

import (
	"cmp"
	"fmt"
	"os"
	"strings"

	"github.com/attestdev/attest/config"
	"github.com/attestdev/attest/history"
)

// EvidenceDir returns the manual evidence directory of attest evidence:
// flag when the --dir flag was given (flagSet), else sources.manual.dir of
// cfg when cfg configures the manual source (manual.DefaultDir when that
// names no directory), else flag, whose default is manual.DefaultDir.
func EvidenceDir(flag string, flagSet bool, cfg *config.File) string {
	if !flagSet && cfg != nil && cfg.Sources.Manual != nil {
		return cfg.Sources.Manual.DirOrDefault()
	}
	return flag
}

// StoreEnv names the environment variable that may hold the history store,
// so that a PostgreSQL password need not appear on the command line.
const StoreEnv = "ATTEST_STORE"

// StoreDSN returns the history store to open: flag when not empty, else
// $ATTEST_STORE when not empty, else history.DefaultDSN.
func StoreDSN(flag string) string {
	return cmp.Or(flag, os.Getenv(StoreEnv), history.DefaultDSN)
}

// ReportStore checks that the history store dsn can be reported on: a
// SQLite file (a dsn without "://", optionally with a "file:" prefix) must
// exist, since opening a missing one would create an empty store and
// report a history with no runs rather than an error. URLs are checked
// when opened.
func ReportStore(dsn string) error {
	if strings.Contains(dsn, "://") {
		return nil
	}
	if _, err := os.Stat(strings.TrimPrefix(dsn, "file:")); err != nil {
		return fmt.Errorf("no history store at %s (record runs with attest check --record, or pass --store): %w", dsn, err)
	}
	return nil
}
