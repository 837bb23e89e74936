package accessreview

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/attestdev/attest/internal/yamlfile"
)

// The decisions a reviewer can make on a row.
const (
	Keep   = "keep"
	Revoke = "revoke"
)

// A Row is one reviewed account.
type Row struct {
	// Line is the row's line in the file.
	Line       int
	System     string
	AccountID  string
	User       string
	Person     string
	Decision   string // keep, revoke or "" (not decided)
	Reviewer   string
	ReviewedAt time.Time
	Comment    string
}

// Key identifies the account: system/account_id/user.
func (r Row) Key() string { return r.System + "/" + r.AccountID + "/" + r.User }

// A Review is a completed review file.
type Review struct {
	File string
	Rows []Row
}

// An Error is a problem in a review or people file, with file, line and
// field (the column, for a review).
type Error = yamlfile.Error

// Defaults fill in what the rows leave empty.
type Defaults struct {
	Reviewer   string
	ReviewedAt time.Time
}

// Read parses a completed review file strictly: the key columns and
// decision must be present, every decision is keep, revoke or empty, each
// decided row has a reviewer and a date (from the row or d), and no
// account appears twice. Every problem is reported with file, line and
// column.
func Read(file string, data []byte, d Defaults) (*Review, error) {
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))))
	cr.FieldsPerRecord = -1
	col, err := readHeader(file, cr)
	if err != nil {
		return nil, err
	}
	var errs []error
	rv := &Review{File: file}
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, &Error{File: file, Line: pe.Line, Msg: pe.Err.Error()})
				break
			}
			return nil, fmt.Errorf("accessreview: read %s: %w", file, err)
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(unsafeCell(rec[i]))
			}
			return ""
		}
		bad := func(field, format string, args ...any) {
			errs = append(errs, &Error{File: file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		r := Row{Line: line, System: get("system"), AccountID: get("account_id"), User: get("user"), Person: get("person"),
			Decision: strings.ToLower(get("decision")), Reviewer: get("reviewer"), Comment: get("comment")}
		if r.System == "" || r.User == "" {
			bad("user", "system and user are required")
			continue
		}
		if first, dup := seen[r.Key()]; dup {
			bad("user", "account %s appears again (first on line %d)", r.Key(), first)
			continue
		}
		seen[r.Key()] = line
		if !slices.Contains([]string{Keep, Revoke, ""}, r.Decision) {
			bad("decision", "%q: want keep, revoke or empty (not yet decided)", get("decision"))
			continue
		}
		if r.Decision != "" {
			r.decided(get("reviewed_at"), d, bad)
		}
		rv.Rows = append(rv.Rows, r)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rv, nil
}

// readHeader reads the header row and returns the column of each
// (lower-cased) name; the key columns and decision must be present.
func readHeader(file string, cr *csv.Reader) (map[string]int, error) {
	header, err := cr.Read()
	if err != nil {
		return nil, &Error{File: file, Line: 1, Msg: fmt.Sprintf("no header row: %v", err)}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var errs []error
	for _, need := range []string{"system", "account_id", "user", "decision"} {
		if _, ok := col[need]; !ok {
			errs = append(errs, &Error{File: file, Line: 1, Field: need, Msg: "missing column (export the file with attest access-review start)"})
		}
	}
	return col, errors.Join(errs...)
}

// decided completes a decided row: its reviewer and date come from the
// row (reviewedAt) or from d, and both are required.
func (r *Row) decided(reviewedAt string, d Defaults, bad func(field, format string, args ...any)) {
	if r.Reviewer == "" {
		r.Reviewer = d.Reviewer
	}
	if r.Reviewer == "" {
		bad("reviewer", "required for a decided row (or pass --reviewer)")
	}
	if reviewedAt != "" {
		t, err := parseTime(reviewedAt)
		if err != nil {
			bad("reviewed_at", "%v", err)
		}
		r.ReviewedAt = t
	} else if r.ReviewedAt = d.ReviewedAt; r.ReviewedAt.IsZero() {
		bad("reviewed_at", "required for a decided row (or pass --date)")
	}
}

// Check compares the review with the population it was made for: every
// row must name an account of the population. It returns how many
// accounts of the population were decided.
func (rv *Review) Check(p *Population, source string) (covered int, err error) {
	idx := p.Index()
	var errs []error
	for _, r := range rv.Rows {
		if _, ok := idx[r.Key()]; !ok {
			errs = append(errs, &Error{File: rv.File, Line: r.Line, Field: "user",
				Msg: fmt.Sprintf("unknown account %s: not in the population of %s", r.Key(), source)})
			continue
		}
		if r.Decision != "" {
			covered++
		}
	}
	return covered, errors.Join(errs...)
}

// Revoked returns the rows marked revoke.
func (rv *Review) Revoked() []Row {
	var out []Row
	for _, r := range rv.Rows {
		if r.Decision == Revoke {
			out = append(out, r)
		}
	}
	return out
}

// Reviewers returns the distinct reviewers, sorted, and the latest review
// date.
func (rv *Review) Reviewers() ([]string, time.Time) {
	var names []string
	var latest time.Time
	for _, r := range rv.Rows {
		if r.Decision == "" {
			continue
		}
		names = append(names, r.Reviewer)
		if r.ReviewedAt.After(latest) {
			latest = r.ReviewedAt
		}
	}
	slices.Sort(names)
	return slices.Compact(names), latest
}

// StillPresent returns the accounts marked revoke in the review that are
// still active in p. An account that is gone, or present but not active
// (suspended, deprovisioned), counts as revoked.
func (rv *Review) StillPresent(p *Population) []Account {
	idx := p.Index()
	var out []Account
	for _, r := range rv.Revoked() {
		if a, ok := idx[r.Key()]; ok && a.Active {
			out = append(out, a)
		}
	}
	return out
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q: want a date (2006-01-02) or an RFC 3339 time", s)
	}
	return t.UTC(), nil
}
