package manual

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/attestdev/attest/internal/yamlfile"
)

// A Record is one piece of organisational evidence: a YAML file in the
// evidence directory saying what was done, when, by whom, for whom, with
// the files that show it.
type Record struct {
	// Kind names the measure in lower-case snake_case, e.g.
	// security_training; controls ask for evidence by kind.
	Kind string `yaml:"kind"`
	// Title says in a few words what was done.
	Title string `yaml:"title"`
	// PerformedAt is when it was done: a date (2026-01-31) or an RFC 3339
	// time.
	PerformedAt string `yaml:"performed_at"`
	// ValidUntil, optional, ends the record's validity before the
	// control's max age does (e.g. a certificate's expiry).
	ValidUntil string `yaml:"valid_until,omitempty"`
	// AttestedBy names who vouches for the record (name and role).
	AttestedBy string `yaml:"attested_by"`
	// Scope says whom or what the measure covered.
	Scope Scope `yaml:"scope,omitempty"`
	// Attachments are files under the evidence directory that show the
	// measure, each with its SHA-256, checked at every collection.
	Attachments []Attachment `yaml:"attachments,omitempty"`
	// OpenItems lists what is still outstanding (e.g. findings of a pen
	// test not yet fixed, or revoked accounts still present).
	OpenItems []string `yaml:"open_items,omitempty"`
	// Notes is free text for the reader; it is not evaluated.
	Notes string `yaml:"notes,omitempty"`
	// Processing is what a records_of_processing record states about the
	// records of processing activities (GDPR Art. 30); only that kind may
	// carry it.
	Processing *Processing `yaml:"processing,omitempty"`
	// Breaches are the entries of a breach_register record, one per
	// personal data breach (GDPR Art. 33 and 34); only that kind may carry
	// them.
	Breaches []Breach `yaml:"breaches,omitempty"`

	// File is the record's path relative to the evidence directory, with
	// forward slashes; it is the record's id.
	File string `yaml:"-"`
	// SHA256 is the hash of the record file itself.
	SHA256 string `yaml:"-"`

	performed, validUntil time.Time
	doc                   *yamlfile.Doc
}

// A Scope says whom or what a measure covered, e.g. all employees, 41 of
// 42 of whom completed a training.
type Scope struct {
	Description string `yaml:"description,omitempty"`
	// Population is how many people or systems the measure is for.
	Population int `yaml:"population,omitempty"`
	// Covered is how many of them it reached.
	Covered int `yaml:"covered,omitempty"`
}

// The record kinds that carry fields of their own.
const (
	KindRecordsOfProcessing = "records_of_processing"
	KindBreachRegister      = "breach_register"
)

// Processing is what a records_of_processing record states: how many
// processing activities the records list and in which role the
// organisation keeps them. The record's performed_at is the date of their
// last review.
type Processing struct {
	// Activities is the number of processing activities listed.
	Activities int `yaml:"activities,omitempty"`
	// Role is controller, processor or controller_and_processor.
	Role string `yaml:"role,omitempty"`
}

// The roles a records_of_processing record may state.
var ProcessingRoles = []string{"controller", "processor", "controller_and_processor"}

// A Breach is one personal data breach in a breach register.
type Breach struct {
	// ID is the register's reference for the breach.
	ID string `yaml:"id"`
	// DiscoveredAt is when the organisation became aware of the breach.
	DiscoveredAt string `yaml:"discovered_at"`
	// Authority is notified, not_required (the breach is unlikely to
	// result in a risk, and the assessment is documented) or pending.
	Authority string `yaml:"authority"`
	// AuthorityNotifiedAt is when the supervisory authority was notified;
	// required when Authority is notified, empty otherwise.
	AuthorityNotifiedAt string `yaml:"authority_notified_at,omitempty"`
	// DataSubjects is the decision on informing the data subjects:
	// notified, not_required or pending.
	DataSubjects string `yaml:"data_subjects"`

	discovered, notified time.Time
}

// The decisions a breach entry may record, for the authority and for the
// data subjects alike.
var BreachDecisions = []string{"notified", "not_required", "pending"}

// DiscoveredTime returns when the breach was discovered.
func (b *Breach) DiscoveredTime() time.Time { return b.discovered }

// AuthorityNotifiedTime returns when the authority was notified, or the
// zero time.
func (b *Breach) AuthorityNotifiedTime() time.Time { return b.notified }

// An Attachment is a file kept with a record.
type Attachment struct {
	// File is the path relative to the evidence directory, with forward
	// slashes, e.g. files/training-2026/attendance.csv.
	File   string `yaml:"file"`
	SHA256 string `yaml:"sha256"`
}

// PerformedTime returns when the measure was performed.
func (r *Record) PerformedTime() time.Time { return r.performed }

// ValidUntilTime returns the end of validity the record states, or the
// zero time.
func (r *Record) ValidUntilTime() time.Time { return r.validUntil }

// An Error is a problem in an evidence file, with file, line and field.
type Error = yamlfile.Error

var (
	kindPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	sumPattern  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Parse decodes and validates a record strictly: unknown fields, wrong
// types, missing required fields and bad dates are errors naming file,
// line and field. name is the record's path relative to the evidence
// directory. Attachments are not read; see Verify.
func Parse(name string, data []byte) (*Record, error) {
	r := &Record{File: name}
	doc, err := yamlfile.Decode(name, data, r)
	if err != nil {
		return nil, err
	}
	r.doc = doc
	sum := sha256.Sum256(data)
	r.SHA256 = hex.EncodeToString(sum[:])

	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, doc.Errorf(field, format, args...))
	}
	r.checkHeader(bad)
	r.checkTimes(bad)
	r.checkContent(bad)
	for i := range r.Breaches {
		r.parseBreach(i, bad)
	}
	for i, a := range r.Attachments {
		field := fmt.Sprintf("attachments[%d]", i)
		if !validFile(a.File) {
			bad(field+".file", "%q: want a path inside the evidence directory, e.g. files/report.pdf", a.File)
		}
		if !sumPattern.MatchString(a.SHA256) {
			bad(field+".sha256", "%q: want 64 lower-case hex digits (sha256sum FILE)", a.SHA256)
		}
	}
	return r, errors.Join(errs...)
}

// checkHeader checks the kind, title and who attests the record.
func (r *Record) checkHeader(bad func(field, format string, args ...any)) {
	switch {
	case r.Kind == "":
		bad("kind", "required")
	case !kindPattern.MatchString(r.Kind):
		bad("kind", "%q: use lower-case snake_case, e.g. security_training", r.Kind)
	}
	if strings.TrimSpace(r.Title) == "" {
		bad("title", "required")
	}
	if strings.TrimSpace(r.AttestedBy) == "" {
		bad("attested_by", "required: who vouches for this record")
	}
}

// checkTimes parses performed_at and valid_until, which must come after
// it.
func (r *Record) checkTimes(bad func(field, format string, args ...any)) {
	var err error
	if r.PerformedAt == "" {
		bad("performed_at", "required")
	} else if r.performed, err = ParseTime(r.PerformedAt); err != nil {
		bad("performed_at", "%v", err)
	}
	if r.ValidUntil == "" {
		return
	}
	if r.validUntil, err = ParseTime(r.ValidUntil); err != nil {
		bad("valid_until", "%v", err)
	} else if !r.performed.IsZero() && !r.validUntil.After(r.performed) {
		bad("valid_until", "%s is not after performed_at %s", r.ValidUntil, r.PerformedAt)
	}
}

// checkContent checks the scope, and that processing activities and
// breaches appear only in the records of their kinds.
func (r *Record) checkContent(bad func(field, format string, args ...any)) {
	if r.Scope.Population < 0 {
		bad("scope.population", "must not be negative")
	}
	if r.Scope.Covered < 0 || (r.Scope.Population > 0 && r.Scope.Covered > r.Scope.Population) {
		bad("scope.covered", "%d: want 0 to population (%d)", r.Scope.Covered, r.Scope.Population)
	}
	if r.Processing != nil {
		switch {
		case r.Kind != KindRecordsOfProcessing:
			bad("processing", "only a %s record states processing activities", KindRecordsOfProcessing)
		case r.Processing.Activities < 0:
			bad("processing.activities", "must not be negative")
		}
		if r.Processing.Role != "" && !slices.Contains(ProcessingRoles, r.Processing.Role) {
			bad("processing.role", "%q: want %s", r.Processing.Role, strings.Join(ProcessingRoles, ", "))
		}
	}
	if len(r.Breaches) > 0 && r.Kind != KindBreachRegister {
		bad("breaches", "only a %s record lists breaches", KindBreachRegister)
	}
}

// parseBreach validates the i-th breach entry and sets its times.
func (r *Record) parseBreach(i int, bad func(field, format string, args ...any)) {
	b := &r.Breaches[i]
	field := fmt.Sprintf("breaches[%d]", i)
	if strings.TrimSpace(b.ID) == "" {
		bad(field+".id", "required: the register's reference for the breach")
	}
	var err error
	if b.DiscoveredAt == "" {
		bad(field+".discovered_at", "required: when the breach was discovered")
	} else if b.discovered, err = ParseTime(b.DiscoveredAt); err != nil {
		bad(field+".discovered_at", "%v", err)
	}
	for _, d := range []struct{ name, value string }{{"authority", b.Authority}, {"data_subjects", b.DataSubjects}} {
		if !slices.Contains(BreachDecisions, d.value) {
			bad(field+"."+d.name, "%q: want %s", d.value, strings.Join(BreachDecisions, ", "))
		}
	}
	switch {
	case b.Authority == "notified" && b.AuthorityNotifiedAt == "":
		bad(field+".authority_notified_at", "required when authority is notified")
	case b.Authority != "notified" && b.AuthorityNotifiedAt != "":
		bad(field+".authority_notified_at", "set only when authority is notified (it is %q)", b.Authority)
	case b.AuthorityNotifiedAt != "":
		if b.notified, err = ParseTime(b.AuthorityNotifiedAt); err != nil {
			bad(field+".authority_notified_at", "%v", err)
		} else if !b.discovered.IsZero() && b.notified.Before(b.discovered) {
			bad(field+".authority_notified_at", "%s is before discovered_at %s", b.AuthorityNotifiedAt, b.DiscoveredAt)
		}
	}
}

// Verify checks every attachment of r against its SHA-256 in fsys and
// returns the contents, in order. Each problem is an error naming the
// record's file, line and field.
func (r *Record) Verify(fsys fs.FS) ([][]byte, error) {
	var errs []error
	var bodies [][]byte
	for i, a := range r.Attachments {
		field := fmt.Sprintf("attachments[%d]", i)
		data, err := fs.ReadFile(fsys, a.File)
		if err != nil {
			msg := fmt.Sprintf("%s: %v", a.File, err)
			if errors.Is(err, fs.ErrNotExist) {
				msg = fmt.Sprintf("%s is missing", a.File)
			}
			errs = append(errs, &Error{File: r.File, Line: r.doc.Line(field + ".file"), Field: field + ".file", Msg: msg})
			continue
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != a.SHA256 {
			errs = append(errs, &Error{File: r.File, Line: r.doc.Line(field + ".sha256"), Field: field + ".sha256",
				Msg: fmt.Sprintf("%s has changed: its SHA-256 is %s, the record says %s", a.File, got, a.SHA256)})
			continue
		}
		bodies = append(bodies, data)
	}
	return bodies, errors.Join(errs...)
}

// ParseTime parses a date (2006-01-02, taken as midnight UTC) or an RFC
// 3339 time, and returns it in UTC.
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want a date (2006-01-02) or an RFC 3339 time", s)
	}
	return t.UTC(), nil
}

func validFile(p string) bool {
	return p != "" && fs.ValidPath(p) && p != "." && !strings.HasSuffix(p, "/") && path.Clean(p) == p
}
