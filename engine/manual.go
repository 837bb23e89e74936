package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/attestdev/attest/collectors/manual"
	"github.com/attestdev/attest/controls"
)

// ReadEvidence reads the manual evidence records in dir. A directory that
// does not exist is a fresh one, where nothing is recorded yet: it returns
// no records and exists false. Records that do not parse are returned as
// problems, not as an error.
func ReadEvidence(dir string) (recs []*manual.Record, problems []error, exists bool, err error) {
	switch st, err := os.Stat(dir); {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, false, nil
	case err != nil:
		return nil, nil, false, fmt.Errorf("evidence directory: %w", err)
	case !st.IsDir():
		return nil, nil, true, fmt.Errorf("evidence directory %s is not a directory", dir)
	}
	recs, problems, err = manual.Read(os.DirFS(dir))
	if err != nil {
		return nil, nil, true, fmt.Errorf("evidence directory %s: %w", dir, err)
	}
	return recs, problems, true, nil
}

// ManualExpiries returns one row per kind of manual evidence that a
// control asks for or a record has, sorted by days left (missing first):
// controls.ManualStatus over the newest record of each kind, so that the
// listing and evaluation use the one expiry rule, controls.ManualExpiry.
func ManualExpiries(lib *controls.Library, recs []*manual.Record, now time.Time) []controls.ManualKindStatus {
	latest := manual.Latest(recs)
	var newest []controls.ManualRecord
	for _, r := range recs {
		if latest[r.Kind] == r.File {
			newest = append(newest, controls.ManualRecord{Kind: r.Kind, File: r.File, Title: r.Title, PerformedAt: r.PerformedTime(), ValidUntil: r.ValidUntilTime()})
		}
	}
	return lib.ManualStatus(newest, now)
}

// ExpiringWithin keeps the rows of kinds that are missing, expired or
// expire within the given whole days of within; kinds no control asks for
// are left out.
func ExpiringWithin(rows []controls.ManualKindStatus, within time.Duration) []controls.ManualKindStatus {
	return slices.DeleteFunc(rows, func(e controls.ManualKindStatus) bool {
		return e.Status == "unused" || (e.Status != "missing" && e.DaysLeft > int(within/(24*time.Hour)))
	})
}
