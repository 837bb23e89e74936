package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/manual"
	"github.com/attestdev/attest/controls"
	"github.com/attestdev/attest/history"
)

func TestEvidenceAdd(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "evidence")
	att := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(att, []byte("%PDF-1.4 demo"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := attest(t, "evidence", "add", "--dir", dir, "--kind", "penetration_test", "--title", "Pen test 2026",
		"--performed-at", "2026-02-01", "--attested-by", "CTO", "--attach", att, "--open-item", "F-1 low", "--log-level", "warn")
	if code != 0 || strings.TrimSpace(stdout) != "penetration_test-2026-02-01.yaml" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	recs, problems, err := manual.Read(os.DirFS(dir))
	if err != nil || len(problems) > 0 || len(recs) != 1 {
		t.Fatalf("read back: %v %v %d", err, problems, len(recs))
	}
	if _, err := recs[0].Verify(os.DirFS(dir)); err != nil {
		t.Error(err)
	}
	// A bad flag value is an error naming the field; nothing is written.
	code, _, stderr = attest(t, "evidence", "add", "--dir", dir, "--kind", "Pen Test", "--title", "x", "--attested-by", "y")
	if code != 2 || !strings.Contains(stderr, `kind: "Pen Test": use lower-case snake_case`) {
		t.Errorf("bad kind: exit %d, %s", code, stderr)
	}
}

func TestEvidenceAddGDPRKinds(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "evidence")
	code, stdout, stderr := attest(t, "evidence", "add", "--dir", dir, "--kind", "records_of_processing", "--title", "RoPA review",
		"--performed-at", "2026-02-01", "--attested-by", "DPO", "--processing-activities", "9", "--processing-role", "controller_and_processor", "--log-level", "warn")
	if code != 0 || strings.TrimSpace(stdout) != "records_of_processing-2026-02-01.yaml" {
		t.Fatalf("records_of_processing: exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	code, stdout, stderr = attest(t, "evidence", "add", "--dir", dir, "--kind", "breach_register", "--title", "Breach register Q1",
		"--performed-at", "2026-02-02", "--attested-by", "DPO", "--log-level", "warn",
		"--breach", "id=B-1,discovered_at=2026-01-19T09:15:00Z,authority=notified,authority_notified_at=2026-01-20T11:00:00Z,data_subjects=not_required",
		"--breach", "id=B-2, discovered_at=2026-01-30, authority=pending, data_subjects=pending")
	if code != 0 || strings.TrimSpace(stdout) != "breach_register-2026-02-02.yaml" {
		t.Fatalf("breach_register: exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	recs, problems, err := manual.Read(os.DirFS(dir))
	if err != nil || len(problems) > 0 || len(recs) != 2 {
		t.Fatalf("read back: %v %v %d", err, problems, len(recs))
	}
	byKind := map[string]*manual.Record{}
	for _, r := range recs {
		byKind[r.Kind] = r
	}
	if p := byKind["records_of_processing"].Processing; p == nil || p.Activities != 9 || p.Role != "controller_and_processor" {
		t.Errorf("processing read back as %+v", p)
	}
	if b := byKind["breach_register"].Breaches; len(b) != 2 || b[0].AuthorityNotifiedAt != "2026-01-20T11:00:00Z" || b[1].Authority != "pending" || b[1].DiscoveredAt != "2026-01-30" {
		t.Errorf("breaches read back as %+v", b)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--kind", "records_of_processing", "--processing-role", "owner"}, `processing.role: "owner": want controller, processor, controller_and_processor`},
		{[]string{"--kind", "nda", "--processing-activities", "3"}, "processing: only a records_of_processing record"},
		{[]string{"--kind", "breach_register", "--breach", "id=B-3,discovered_at=2026-01-30,authority=notified,data_subjects=notified"}, "breaches[0].authority_notified_at: required when authority is notified"},
		{[]string{"--kind", "breach_register", "--breach", "id=B-3,when=yesterday"}, `--breach "id=B-3,when=yesterday": "when": unknown key`},
		{[]string{"--kind", "breach_register", "--breach", "id=B-3,id=B-4"}, `"id": given twice`},
	} {
		args := append([]string{"evidence", "add", "--dir", dir, "--title", "x", "--attested-by", "y", "--performed-at", "2026-03-01"}, tc.args...)
		code, _, stderr := attest(t, args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %s; want exit 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	if recs, _, _ := manual.Read(os.DirFS(dir)); len(recs) != 2 {
		t.Errorf("a rejected record was written: %d records", len(recs))
	}
}

func TestRecordAndHistory(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "h.db")
	g := &globals{stdout: io.Discard, log: slog.New(slog.DiscardHandler)}
	cmd := &cobra.Command{}
	var f recordFlags
	f.register(cmd)
	if err := cmd.ParseFlags([]string{"--record", "--store", db}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)
	for i, o := range []controls.Outcome{controls.Fail, controls.Fail, controls.Pass} {
		res := &controls.Results{Schema: controls.ResultsSchema, EvaluatedAt: at.Add(time.Duration(i) * 24 * time.Hour),
			Controls: []controls.ControlResult{{ID: "ORG-DR-001", Title: "DR | test", Severity: controls.High, Outcome: o, Reason: "dr_test evidence expired"}}}
		if err := g.recordHistory(t.Context(), res, f); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := attest(t, "history", "--store", db, "--from", "2026-01-01", "--to", "2026-01-31", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep history.Report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Runs != 3 || len(rep.Exceptions) != 1 || rep.Exceptions[0].TimeToFix != 2*86400 || rep.Controls[0].PassShare < 0.33 || rep.Controls[0].PassShare > 0.34 {
		t.Errorf("report: %+v", rep)
	}
	code, stdout, _ = attest(t, "history", "--store", db, "--from", "2026-01-01", "--format", "md")
	if code != 0 || !strings.Contains(stdout, `| ORG-DR-001 | DR \| test | high | 3 | 33.3% | 2026-01-10 08:00 | 1 | 2.0d | false |`) {
		t.Errorf("markdown: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = attest(t, "history", "--store", db, "--from", "2026-01-01")
	if code != 0 || !strings.Contains(stdout, "ORG-DR-001") || !strings.Contains(stdout, "Exceptions (1)") {
		t.Errorf("table: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := attest(t, "history", "--store", db, "--from", "last year"); code != 2 || !strings.Contains(stderr, "--from") {
		t.Errorf("bad --from: exit %d %s", code, stderr)
	}
}

func TestAccessReviewCommands(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	writeBundle := func(name string, at time.Time, users ...string) string {
		dir := filepath.Join(work, name)
		w, err := evidence.Create(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			_ = w.WriteResource(evidence.Resource{Type: "identity.account", ID: u, Attributes: map[string]any{
				"system": "github", "account_id": "example-corp", "user": u, "person": u, "admin": u == "alice", "mfa": true, "active": true}})
		}
		w.AddRun(evidence.Run{Collector: "github.orgs", ResourceTypes: []string{"identity.account"}, Status: evidence.Complete})
		if err := w.Close(evidence.Manifest{StartedAt: at, FinishedAt: at}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	b1 := writeBundle("b1", at, "alice", "bob")
	csvPath, md := filepath.Join(work, "review.csv"), filepath.Join(work, "review.md")
	ev := filepath.Join(work, "evidence")
	people := filepath.Join(work, "people.yaml")
	if err := os.WriteFile(people, []byte("bob@example.com: [github:bob]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := attest(t, "access-review", "start", "--bundle", b1, "--out", csvPath, "--markdown", md, "--people", people); code != 0 || !strings.Contains(stdout, "2 accounts of 2 people") {
		t.Fatalf("start: exit %d %s %s", code, stdout, stderr)
	}
	if code, _, stderr := attest(t, "access-review", "start", "--bundle", b1, "--out", csvPath); code != 2 || !strings.Contains(stderr, "exists") {
		t.Errorf("start over an existing review: exit %d %s", code, stderr)
	}
	data, _ := os.ReadFile(csvPath)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if !strings.HasPrefix(lines[2], "bob@example.com,github,example-corp,bob,") {
		t.Errorf("people file not applied: %s", lines[2])
	}
	lines[1] = strings.TrimSuffix(lines[1], ",,,,") + ",keep,,,"
	lines[2] = strings.TrimSuffix(lines[2], ",,,,") + ",revoke,,,"
	bad := append(append([]string{}, lines...), "alice,github,example-corp,zed,,false,true,true,,revoke,,,")
	if err := os.WriteFile(csvPath, []byte(strings.Join(bad, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"access-review", "record", csvPath, "--bundle", b1, "--dir", ev, "--reviewer", "Rita", "--date", "2026-03-02"}
	if code, _, stderr := attest(t, args...); code != 2 || !strings.Contains(stderr, csvPath+":4: user: unknown account github/example-corp/zed") {
		t.Errorf("record with an unknown account: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(ev); err == nil {
		t.Error("a rejected review left files behind")
	}
	if err := os.WriteFile(csvPath, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := attest(t, args...); code != 0 || !strings.Contains(stdout, "2 of 2 accounts decided, 1 to revoke") {
		t.Fatalf("record: exit %d %s %s", code, stdout, stderr)
	}
	b2 := writeBundle("b2", at.Add(72*time.Hour), "alice", "bob")
	code, stdout, stderr := attest(t, "access-review", "verify", "--bundle", b2, "--dir", ev)
	if code != 1 || !strings.Contains(stderr, "github/example-corp/bob") || !strings.Contains(stdout, "0 of 1 revocations carried out") {
		t.Errorf("verify with bob still there: exit %d\n%s\n%s", code, stdout, stderr)
	}
	b3 := writeBundle("b3", at.Add(96*time.Hour), "alice")
	if code, stdout, stderr := attest(t, "access-review", "verify", "--bundle", b3, "--dir", ev); code != 0 || !strings.Contains(stdout, "1 of 1 revocations carried out") {
		t.Errorf("verify after removal: exit %d\n%s\n%s", code, stdout, stderr)
	}
	recs, _, _ := manual.Read(os.DirFS(ev))
	var kinds []string
	for _, r := range recs {
		kinds = append(kinds, r.Kind+":"+r.PerformedAt)
	}
	want := []string{"access_review:2026-03-02T00:00:00Z", "access_review_revocations:2026-03-04T00:00:00Z", "access_review_revocations:2026-03-05T00:00:00Z"}
	if diff := cmp.Diff(want, kinds); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}
