// Package evidence holds the organisational evidence of the demo
// organisation, Example Corp (demo): YAML records and their attachments,
// all fictional. Most records are fresh; the DR test has expired, the
// policy acknowledgement misses one employee, the breach register shows a
// breach reported to the authority about 90 hours after its discovery,
// and there is no office access review at all, so the demo shows every
// outcome of the ORG and GDPR controls.
package evidence

import (
	"embed"
	"io/fs"
	"time"

	"github.com/attestdev/attest/collectors/manual"
)

//go:embed *.yaml files
var files embed.FS

// Anchor is the date the records were written as of. A demo run at a
// later time shifts every date by the difference, so the records keep
// their age.
var Anchor = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

// FS returns the evidence directory.
func FS() fs.FS { return files }

// Config returns the manual source configuration for a demo run at now.
func Config(now time.Time) manual.Config {
	return manual.Config{FS: files, Shift: now.Sub(Anchor)}
}
