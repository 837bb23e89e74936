package engine

import (
	"cmp"
	"os"

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
