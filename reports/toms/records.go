package toms

import (
	"time"

	"github.com/attestdev/attest/collectors/evidence"
)

// RecordsOf returns the manual evidence records among resources, by
// resource id, for Input.Records. Dates the record does not carry, or
// carries in another format, stay zero.
func RecordsOf(resources []evidence.Resource) map[string]Record {
	out := map[string]Record{}
	for _, r := range resources {
		if r.Type != ManualType {
			continue
		}
		rec := Record{Title: r.Name}
		rec.By, _ = r.Attributes["attested_by"].(string)
		rec.At = parseDate(r.Attributes["performed_at"])
		rec.ValidUntil = parseDate(r.Attributes["valid_until"])
		if title, ok := r.Attributes["title"].(string); ok && title != "" {
			rec.Title = title
		}
		out[r.ID] = rec
	}
	return out
}

// parseDate reads an RFC 3339 time or a date.
func parseDate(v any) time.Time {
	s, _ := v.(string)
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
