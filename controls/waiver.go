package controls

import (
	"errors"
	"fmt"
	"os"
	"path"
	"time"

	"github.com/attestdev/attest/internal/yamlfile"
)

// A Waiver is an approved, time-limited exception: a failure it covers is
// reported as waived, never as a pass. Without Resources it covers the
// whole control; with them, only failing resources whose id or name matches
// one of the patterns (path.Match syntax, e.g. "arn:aws:s3:::legacy-*").
type Waiver struct {
	ID         string   `yaml:"id" json:"id"`
	Control    string   `yaml:"control" json:"control"`
	Resources  []string `yaml:"resources,omitempty" json:"resources,omitempty"`
	Reason     string   `yaml:"reason" json:"reason"`
	Owner      string   `yaml:"owner" json:"owner"`
	ApprovedBy string   `yaml:"approved_by" json:"approved_by"`
	Created    string   `yaml:"created" json:"created"`
	Expires    string   `yaml:"expires" json:"expires"`

	created, expires time.Time
}

// Active reports whether the waiver applies at t: created on or before t and
// expiring after it.
func (w *Waiver) Active(t time.Time) bool { return !w.created.After(t) && w.expires.After(t) }

// ExpiresAt returns the expiry time.
func (w *Waiver) ExpiresAt() time.Time { return w.expires }

// covers reports whether the waiver covers resource r of control id; a nil
// r asks about the control as a whole.
func (w *Waiver) covers(control string, id, name string, whole bool) bool {
	if w.Control != control {
		return false
	}
	if len(w.Resources) == 0 {
		return true
	}
	if whole {
		return false
	}
	for _, p := range w.Resources {
		if ok, _ := path.Match(p, id); ok {
			return true
		}
		if ok, _ := path.Match(p, name); ok && name != "" {
			return true
		}
	}
	return false
}

// LoadWaivers reads a waiver file: a mapping with a `waivers` list. Every
// waiver needs id, control, reason, owner, approved_by, created and expires
// (dates as 2026-01-31 or RFC 3339); problems are *Error values naming
// file, line and field. When lib is not nil, control ids are checked
// against it.
func LoadWaivers(file string, lib *Library) ([]Waiver, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("waivers: %w", err)
	}
	var doc struct {
		Waivers []Waiver `yaml:"waivers"`
	}
	yf, err := yamlfile.Decode(file, data, &doc)
	if err != nil {
		return nil, err
	}
	var errs []error
	seen := map[string]bool{}
	for i := range doc.Waivers {
		w := &doc.Waivers[i]
		field := fmt.Sprintf("waivers[%d]", i)
		bad := func(f, format string, args ...any) {
			errs = append(errs, yf.Errorf(field+"."+f, format, args...))
		}
		for _, req := range []struct{ name, val string }{
			{"id", w.ID}, {"control", w.Control}, {"reason", w.Reason}, {"owner", w.Owner},
			{"approved_by", w.ApprovedBy}, {"created", w.Created}, {"expires", w.Expires},
		} {
			if req.val == "" {
				bad(req.name, "required: a waiver needs an owner, a reason, an approver and an expiry")
			}
		}
		if w.ID != "" && seen[w.ID] {
			bad("id", "duplicate waiver id %q", w.ID)
		}
		seen[w.ID] = true
		if lib != nil && w.Control != "" {
			if _, ok := lib.Control(w.Control); !ok {
				bad("control", "unknown control %q", w.Control)
			}
		}
		for j, p := range w.Resources {
			if _, err := path.Match(p, ""); err != nil {
				bad(fmt.Sprintf("resources[%d]", j), "bad pattern %q: %v", p, err)
			}
		}
		if w.Created != "" {
			if w.created, err = parseDate(w.Created); err != nil {
				bad("created", "%v", err)
			}
		}
		if w.Expires != "" {
			if w.expires, err = parseDate(w.Expires); err != nil {
				bad("expires", "%v", err)
			} else if !w.created.IsZero() && !w.expires.After(w.created) {
				bad("expires", "%s is not after created %s", w.Expires, w.Created)
			}
		}
	}
	return doc.Waivers, errors.Join(errs...)
}

func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want a date such as 2026-01-31 or an RFC 3339 time", s)
	}
	return t.UTC(), nil
}
