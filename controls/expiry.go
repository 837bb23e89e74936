package controls

import "time"

// ManualExpiry returns when manual evidence performed at performed stops
// counting: performed plus maxAge (the shortest max_age of the controls
// that ask for it; 0 means no age limit), or validUntil when that is set
// and earlier. It is zero when neither bounds the evidence. Evaluation
// fails a manual requirement whose evidence expired on or before the
// evaluation time, and `attest evidence list` shows the same date.
func ManualExpiry(performed time.Time, maxAge time.Duration, validUntil time.Time) time.Time {
	var expires time.Time
	if maxAge > 0 {
		expires = performed.Add(maxAge)
	}
	if !validUntil.IsZero() && (expires.IsZero() || validUntil.Before(expires)) {
		expires = validUntil
	}
	return expires
}
