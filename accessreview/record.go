package accessreview

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attestdev/attest/collectors/manual"
)

// The evidence kinds written by this package; the ORG-ACCESS controls ask
// for them.
const (
	ReviewKind      = "access_review"
	RevocationsKind = "access_review_revocations"
)

// A Recorded review is what Record wrote.
type Recorded struct {
	File       string // the record, relative to the evidence directory
	Population int
	Covered    int
	Revoked    int
}

// Record checks a completed review file against the population it was
// made for and writes an access_review record to the evidence directory
// dir, with the review file attached. Nothing is written when the file has
// a problem.
func Record(dir, file string, data []byte, p *Population, source string, d Defaults, attestedBy string) (*Recorded, error) {
	rv, err := Read(file, data, d)
	if err != nil {
		return nil, err
	}
	covered, err := rv.Check(p, source)
	if err != nil {
		return nil, err
	}
	reviewers, latest := rv.Reviewers()
	if latest.IsZero() {
		return nil, &Error{File: file, Field: "decision", Msg: "no row has a decision: the review is empty"}
	}
	var open []string
	for _, r := range rv.Revoked() {
		open = append(open, "revoke "+r.Key())
	}
	systems := map[string]bool{}
	for _, a := range p.Accounts {
		systems[a.System] = true
	}
	rec := manual.Record{
		Kind:        ReviewKind,
		Title:       fmt.Sprintf("User access review of %s: %d of %d accounts decided, %d to revoke", latest.Format(time.DateOnly), covered, len(p.Accounts), len(open)),
		PerformedAt: latest.Format(time.RFC3339),
		AttestedBy:  cmp.Or(attestedBy, strings.Join(reviewers, ", ")),
		Scope: manual.Scope{
			Description: "accounts in " + strings.Join(sortedKeys(systems), ", "),
			Population:  len(p.Accounts), Covered: covered,
		},
		OpenItems: open,
		Notes:     fmt.Sprintf("Population from %s. Reviewers: %s.", source, strings.Join(reviewers, ", ")),
	}
	out, err := manual.Add(dir, rec, []manual.Attach{{Name: filepath.Base(file), Data: data}})
	if err != nil {
		return nil, err
	}
	return &Recorded{File: out, Population: len(p.Accounts), Covered: covered, Revoked: len(open)}, nil
}

// A Verification is what Verify found and wrote.
type Verification struct {
	File         string // the record written, relative to the evidence directory
	Review       string // the review record verified
	Revoked      int
	StillPresent []Account
}

// Verify checks that the accounts marked revoke in the latest access
// review recorded in dir are gone from (or inactive in) the population p
// of a later collection, and writes an access_review_revocations record
// whose open_items name the accounts still present. It refuses to verify
// against a population that may be incomplete, or that lacks a system
// the review covered, since a missing account would then look revoked.
func Verify(dir string, p *Population, source string, collectedAt time.Time) (*Verification, error) {
	fsys := os.DirFS(dir)
	recs, problems, err := manual.Read(fsys)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		// A broken newer review must not make an older one look current.
		return nil, fmt.Errorf("accessreview: fix the evidence directory first: %w", errors.Join(problems...))
	}
	var review *manual.Record
	latest := manual.Latest(recs)
	for _, r := range recs {
		if r.Kind == ReviewKind && latest[ReviewKind] == r.File {
			review = r
		}
	}
	if review == nil {
		return nil, fmt.Errorf("accessreview: no %s record in %s: record a review first with attest access-review record", ReviewKind, dir)
	}
	if !collectedAt.After(review.PerformedTime()) {
		return nil, fmt.Errorf("accessreview: %s was collected %s, not after the review of %s: verify against a later collection",
			source, collectedAt.Format(time.RFC3339), review.PerformedTime().Format(time.RFC3339))
	}
	if len(p.Incomplete) > 0 {
		return nil, fmt.Errorf("accessreview: %s may miss accounts (%s): cannot tell a revoked account from one not collected", source, strings.Join(p.Incomplete, "; "))
	}
	bodies, err := review.Verify(fsys)
	if err != nil {
		return nil, err
	}
	if len(bodies) == 0 {
		return nil, fmt.Errorf("accessreview: %s has no attached review file", review.File)
	}
	rv, err := Read(path.Join(dir, review.Attachments[0].File), bodies[0], Defaults{Reviewer: review.AttestedBy, ReviewedAt: review.PerformedTime()})
	if err != nil {
		return nil, err
	}
	collected := map[string]bool{}
	for _, a := range p.Accounts {
		collected[a.System+"/"+a.AccountID] = true
	}
	var errs []error
	for _, r := range rv.Revoked() {
		if !collected[r.System+"/"+r.AccountID] {
			errs = append(errs, fmt.Errorf("accessreview: %s has no accounts of %s/%s, so revoking %s cannot be verified", source, r.System, r.AccountID, r.Key()))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	still := rv.StillPresent(p)
	present := map[string]bool{}
	var open []string
	for _, a := range still {
		present[a.Key()] = true
		open = append(open, a.Key())
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"system", "account_id", "user", "person", "still_present"})
	for _, r := range rv.Revoked() {
		_ = cw.Write([]string{SafeCell(r.System), SafeCell(r.AccountID), SafeCell(r.User), SafeCell(r.Person), strconv.FormatBool(present[r.Key()])})
	}
	cw.Flush()
	revoked := len(rv.Revoked())
	rec := manual.Record{
		Kind:        RevocationsKind,
		Title:       fmt.Sprintf("Revocations of access review %s: %d of %d carried out", review.PerformedTime().Format(time.DateOnly), revoked-len(still), revoked),
		PerformedAt: collectedAt.UTC().Format(time.RFC3339),
		AttestedBy:  "attest access-review verify",
		Scope:       manual.Scope{Description: "accounts marked revoke in " + review.File, Population: revoked, Covered: revoked - len(still)},
		OpenItems:   open,
		Notes:       "Checked against " + source + ".",
	}
	if len(still) > 0 {
		rec.Title += "; still present: " + strings.Join(open, ", ")
	}
	out, err := manual.Add(dir, rec, []manual.Attach{{Name: "revocations.csv", Data: buf.Bytes()}})
	if err != nil {
		return nil, err
	}
	return &Verification{File: out, Review: review.File, Revoked: revoked, StillPresent: still}, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
