package manual

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
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

	// File is the record's path relative to the evidence directory, with
	// forward slashes; it is the record's id.
	File string `yaml:"-"`
	// SHA256 is the hash of the record file itself.
	SHA256 string `yaml:"-"`

	performed, validUntil time.Time
	root                  *yaml.Node
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
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		b.WriteString(": " + e.Field)
	}
	b.WriteString(": " + e.Msg)
	return b.String()
}

var (
	kindPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	sumPattern  = regexp.MustCompile(`^[0-9a-f]{64}$`)
	yamlLine    = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	notFound    = regexp.MustCompile(`^field (\S+) not found in type`)
)

// Parse decodes and validates a record strictly: unknown fields, wrong
// types, missing required fields and bad dates are errors naming file,
// line and field. name is the record's path relative to the evidence
// directory. Attachments are not read; see Verify.
func Parse(name string, data []byte) (*Record, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(name, err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, &Error{File: name, Line: 1, Msg: "expected a mapping (key: value lines) at the top level"}
	}
	r := &Record{File: name, root: &root}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(r); err != nil {
		return nil, yamlError(name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, &Error{File: name, Line: extra.Line, Msg: "more than one YAML document: put one record per file"}
	}
	sum := sha256.Sum256(data)
	r.SHA256 = hex.EncodeToString(sum[:])

	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &Error{File: name, Line: lineOf(&root, field), Field: field, Msg: fmt.Sprintf(format, args...)})
	}
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
	var err error
	if r.PerformedAt == "" {
		bad("performed_at", "required")
	} else if r.performed, err = ParseTime(r.PerformedAt); err != nil {
		bad("performed_at", "%v", err)
	}
	if r.ValidUntil != "" {
		if r.validUntil, err = ParseTime(r.ValidUntil); err != nil {
			bad("valid_until", "%v", err)
		} else if !r.performed.IsZero() && !r.validUntil.After(r.performed) {
			bad("valid_until", "%s is not after performed_at %s", r.ValidUntil, r.PerformedAt)
		}
	}
	if r.Scope.Population < 0 {
		bad("scope.population", "must not be negative")
	}
	if r.Scope.Covered < 0 || (r.Scope.Population > 0 && r.Scope.Covered > r.Scope.Population) {
		bad("scope.covered", "%d: want 0 to population (%d)", r.Scope.Covered, r.Scope.Population)
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
			errs = append(errs, &Error{File: r.File, Line: lineOf(r.root, field+".file"), Field: field + ".file", Msg: msg})
			continue
		}
		sum := sha256.Sum256(data)
		if got := hex.EncodeToString(sum[:]); got != a.SHA256 {
			errs = append(errs, &Error{File: r.File, Line: lineOf(r.root, field+".sha256"), Field: field + ".sha256",
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

// yamlError turns a yaml error into one *Error per problem.
func yamlError(file string, err error) error {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var errs []error
	for _, m := range msgs {
		e := &Error{File: file, Msg: strings.TrimPrefix(m, "yaml: ")}
		if sub := yamlLine.FindStringSubmatch(m); sub != nil {
			e.Line, _ = strconv.Atoi(sub[1])
			e.Msg = sub[2]
			if f := notFound.FindStringSubmatch(e.Msg); f != nil {
				e.Field, e.Msg = f[1], "unknown field"
			}
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// lineOf returns the line of the value at a dotted path such as
// "attachments[1].sha256", or of its nearest existing ancestor.
func lineOf(root *yaml.Node, field string) int {
	if root == nil {
		return 0
	}
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, seg := range strings.FieldsFunc(field, func(r rune) bool { return r == '.' || r == '[' || r == ']' }) {
		if idx, err := strconv.Atoi(seg); err == nil {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return line
			}
			n = n.Content[idx]
			line = n.Line
			continue
		}
		found := false
		for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == seg {
				n, line, found = n.Content[i+1], n.Content[i].Line, true
				break
			}
		}
		if !found {
			return line
		}
	}
	return line
}
