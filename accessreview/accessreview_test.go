package accessreview

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/manual"
)

var collected = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func account(system, accountID, user, person string, admin, active bool) evidence.Resource {
	return evidence.Resource{Type: IdentityType, ID: system + ":" + user, Attributes: map[string]any{
		"system": system, "account_id": accountID, "user": user, "person": person, "email": "",
		"mfa": true, "admin": admin, "active": active, "last_login": "",
	}}
}

// bundle writes a bundle of identity accounts collected at `at`.
func bundle(t *testing.T, at time.Time, status evidence.RunStatus, rs ...evidence.Resource) *evidence.Bundle {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "bundle")
	w, err := evidence.Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if err := w.WriteResource(r); err != nil {
			t.Fatal(err)
		}
	}
	w.AddRun(evidence.Run{Collector: "github.orgs", Target: evidence.Target{Source: "github", Account: "example-corp"}, ResourceTypes: []string{IdentityType}, Status: status})
	if err := w.Close(evidence.Manifest{StartedAt: at, FinishedAt: at}); err != nil {
		t.Fatal(err)
	}
	b, err := evidence.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func population(t *testing.T, b *evidence.Bundle) *Population {
	t.Helper()
	p, err := FromBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPopulationAndCSV(t *testing.T) {
	t.Parallel()
	b := bundle(t, collected, evidence.Complete,
		account("github", "example-corp", "=cmd|' /C calc'!A0", "mallory", false, true),
		account("aws", "123456789012", "alice", "alice", true, true),
		account("github", "example-corp", "alice-gh", "alice", false, true),
	)
	p := population(t, b)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, p); err != nil {
		t.Fatal(err)
	}
	want := "person,system,account_id,user,email,admin,mfa,active,last_login,decision,reviewer,reviewed_at,comment\n" +
		"alice,aws,123456789012,alice,,true,true,true,,,,,\n" +
		"alice,github,example-corp,alice-gh,,false,true,true,,,,,\n" +
		"mallory,github,example-corp,'=cmd|' /C calc'!A0,,false,true,true,,,,,\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("CSV (-want +got):\n%s", diff)
	}
	if p.People() != 2 {
		t.Errorf("people: %d", p.People())
	}
	// The escaped cell reads back as the account name.
	filled := strings.ReplaceAll(buf.String(), ",,,,\n", ",keep,Rita Reviewer,2026-03-02,\n")
	rv, err := Read("review.csv", []byte(filled), Defaults{})
	if err != nil {
		t.Fatal(err)
	}
	if covered, err := rv.Check(p, "bundle"); err != nil || covered != 3 {
		t.Errorf("check: covered %d, %v", covered, err)
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, p, "bundle", collected); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), `| github | example-corp | =cmd\|' /C calc'!A0 | no | yes | yes |  |`) {
		t.Errorf("markdown does not escape the pipe:\n%s", md.String())
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	p := population(t, bundle(t, collected, evidence.Complete, account("github", "example-corp", "alice", "alice", false, true)))
	for _, tc := range []struct{ name, data, want string }{
		{"missing column", "system,user\n", "review.csv:1: account_id: missing column"},
		{"bad decision", "system,account_id,user,decision,reviewer,reviewed_at\ngithub,example-corp,alice,maybe,R,2026-03-02\n", `review.csv:2: decision: "maybe": want keep, revoke or empty`},
		{"no reviewer", "system,account_id,user,decision,reviewed_at\ngithub,example-corp,alice,keep,2026-03-02\n", "review.csv:2: reviewer: required for a decided row"},
		{"bad date", "system,account_id,user,decision,reviewer,reviewed_at\ngithub,example-corp,alice,keep,R,yesterday\n", `review.csv:2: reviewed_at: "yesterday": want a date`},
		{"duplicate", "system,account_id,user,decision,reviewer,reviewed_at\ngithub,example-corp,alice,keep,R,2026-03-02\n\ngithub,example-corp,alice,revoke,R,2026-03-02\n", "review.csv:4: user: account github/example-corp/alice appears again (first on line 2)"},
		{"unknown account", "system,account_id,user,decision,reviewer,reviewed_at\ngithub,example-corp,alice,keep,R,2026-03-02\ngithub,example-corp,zed,revoke,R,2026-03-02\n", "review.csv:3: user: unknown account github/example-corp/zed: not in the population of bundle"},
		{"bad quoting", "system,account_id,user,decision\ngithub,\"example-corp,alice,keep\n", "review.csv:2: extraneous or missing \" in quoted-field"},
	} {
		_, err := Record(t.TempDir(), "review.csv", []byte(tc.data), p, "bundle", Defaults{}, "")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v\nwant %q", tc.name, err, tc.want)
		}
	}
}

func TestRecordAndVerify(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	before := bundle(t, collected, evidence.Complete,
		account("github", "example-corp", "alice", "alice", true, true),
		account("github", "example-corp", "bob", "bob", false, true),
		account("github", "example-corp", "carol", "carol", false, true),
		account("github", "example-corp", "dave", "dave", false, true),
	)
	review := "system,account_id,user,decision,reviewer,reviewed_at\n" +
		"github,example-corp,alice,keep,,\n" +
		"github,example-corp,bob,revoke,,\n" +
		"github,example-corp,carol,revoke,,\n" +
		"github,example-corp,dave,revoke,,\n"
	rec, err := Record(dir, "q1-review.csv", []byte(review), population(t, before), "bundle", Defaults{Reviewer: "Rita Reviewer", ReviewedAt: collected.Add(24 * time.Hour)}, "Jane Doe (CISO)")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Recorded{File: "access_review-2026-03-02.yaml", Population: 4, Covered: 4, Revoked: 3}, rec); diff != "" {
		t.Errorf("recorded (-want +got):\n%s", diff)
	}
	// Not before the review.
	if _, err := Verify(dir, population(t, before), "bundle", collected); err == nil || !strings.Contains(err.Error(), "not after the review") {
		t.Errorf("verify against the old bundle: %v", err)
	}
	later := collected.Add(7 * 24 * time.Hour)
	// An incomplete collection cannot prove a revocation.
	if _, err := Verify(dir, population(t, bundle(t, later, evidence.Partial, account("github", "example-corp", "alice", "alice", true, true))), "bundle2", later); err == nil || !strings.Contains(err.Error(), "may miss accounts") {
		t.Errorf("verify against a partial bundle: %v", err)
	}
	// A bundle without the reviewed system proves nothing either.
	if _, err := Verify(dir, population(t, bundle(t, later, evidence.Complete, account("aws", "1", "alice", "alice", true, true))), "bundle2", later); err == nil || !strings.Contains(err.Error(), "has no accounts of github/example-corp") {
		t.Errorf("verify against a bundle without github: %v", err)
	}
	after := bundle(t, later, evidence.Complete,
		account("github", "example-corp", "alice", "alice", true, true),
		account("github", "example-corp", "bob", "bob", false, true),      // still there
		account("github", "example-corp", "carol", "carol", false, false), // suspended
	)
	v, err := Verify(dir, population(t, after), "bundle2", later)
	if err != nil {
		t.Fatal(err)
	}
	if v.Revoked != 3 || len(v.StillPresent) != 1 || v.StillPresent[0].User != "bob" || v.Review != "access_review-2026-03-02.yaml" {
		t.Errorf("verification: %+v", v)
	}
	recs, problems, err := manual.Read(os.DirFS(dir))
	if err != nil || len(problems) > 0 || len(recs) != 2 {
		t.Fatalf("records: %d, %v, %v", len(recs), problems, err)
	}
	got := recs[1]
	if got.Kind != RevocationsKind || !cmp.Equal(got.OpenItems, []string{"github/example-corp/bob"}) || got.Scope.Covered != 2 || got.Scope.Population != 3 {
		t.Errorf("revocations record: %+v", got)
	}
	if _, err := got.Verify(os.DirFS(dir)); err != nil {
		t.Errorf("attachment: %v", err)
	}
	if !strings.Contains(got.Title, "still present: github/example-corp/bob") {
		t.Errorf("title: %s", got.Title)
	}
}

func TestPeople(t *testing.T) {
	t.Parallel()
	people, err := ReadPeople("people.yaml", []byte("alice@example.com: [github:alice-gh, aws/123456789012/alice]\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := population(t, bundle(t, collected, evidence.Complete,
		account("github", "example-corp", "alice-gh", "alice-gh", false, true),
		account("aws", "123456789012", "alice", "alice", true, true),
		account("okta", "example.okta.com", "alice@example.com", "alice@example.com", false, true),
		account("github", "example-corp", "bob", "bob", false, true),
	))
	p.Join(people)
	var got []string
	for _, a := range p.Accounts {
		got = append(got, a.Person+" "+a.Key())
	}
	want := []string{
		"alice@example.com aws/123456789012/alice",
		"alice@example.com github/example-corp/alice-gh",
		"alice@example.com okta/example.okta.com/alice@example.com",
		"bob github/example-corp/bob",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("joined (-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ data, want string }{
		{"alice: github:alice\n", "people.yaml:1: alice: want a list of accounts"},
		{"alice: [alice]\n", `people.yaml:1: alice: "alice": want system:user`},
		{"alice: [github:a]\nbob: [github:a]\n", "people.yaml:2: bob: github:a is already alice's"},
		{"- a\n", "people.yaml:1: expected person"},
	} {
		if _, err := ReadPeople("people.yaml", []byte(tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.data, err, tc.want)
		}
	}
}
