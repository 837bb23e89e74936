package manual

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
	"github.com/attestdev/attest/collectors/internal/apitest"
)

func sum(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

const attendance = "person,completed\nalice,2026-01-20\n"

func training(date, file, hash string) string {
	return "kind: security_training\ntitle: Security awareness training\nperformed_at: " + date + "\n" +
		"attested_by: Jane Doe (CISO)\nscope: {description: all employees, population: 3, covered: 3}\n" +
		"attachments:\n  - file: " + file + "\n    sha256: " + hash + "\n"
}

func collect(t *testing.T, ctx context.Context, cfg Config) (*apitest.Sink, error) {
	t.Helper()
	s := &apitest.Sink{}
	err := NewSource(cfg).c.Collect(ctx, evidence.Target{Source: SourceName, Account: "test"}, s)
	return s, err
}

func TestCollect(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"training-2025.yaml":       {Data: []byte(training("2025-01-20", "files/t/attendance.csv", sum(attendance)))},
		"2026/training.yaml":       {Data: []byte(training("2026-01-20T09:30:00+01:00", "files/t/attendance.csv", sum(attendance)))},
		"files/t/attendance.csv":   {Data: []byte(attendance)},
		"files/ignored.yaml":       {Data: []byte("not: a record")},
		"pentest.yml":              {Data: []byte("kind: penetration_test\ntitle: External pen test\nperformed_at: 2025-11-03\nvalid_until: 2026-11-03\nattested_by: CTO\nopen_items: [F-3 weak TLS on legacy host]\n")},
		"README.md":                {Data: []byte("not read")},
		".git/config.yaml":         {Data: []byte("not read")},
		"bad/unknown-field.yaml":   {Data: []byte("kind: nda\ntitle: t\nperformed_at: 2026-01-01\nattested_by: x\nsigned_by: y\n")},
		"bad/missing-hash.yaml":    {Data: []byte(training("2026-01-01", "files/t/gone.csv", sum("gone")))},
		"bad/changed-hash.yaml":    {Data: []byte(training("2026-01-02", "files/t/attendance.csv", sum("other")))},
		"bad/bad-date.yaml":        {Data: []byte("kind: nda\ntitle: t\nperformed_at: last tuesday\nattested_by: x\n")},
		"bad/not-a-mapping.yaml":   {Data: []byte("- a\n- b\n")},
		"bad/wrong-type.yaml":      {Data: []byte("kind: nda\ntitle: t\nperformed_at: 2026-01-01\nattested_by: x\nscope:\n  population: many\n")},
		"bad/missing-fields.yaml":  {Data: []byte("title: t\n")},
		"bad/syntax.yaml":          {Data: []byte("kind: nda\ntitle: [unclosed\n")},
		"bad/kind.yaml":            {Data: []byte("kind: Security Training\ntitle: t\nperformed_at: 2026-01-01\nattested_by: x\n")},
		"bad/covered.yaml":         {Data: []byte("kind: nda\ntitle: t\nperformed_at: 2026-01-01\nattested_by: x\nscope: {population: 2, covered: 3}\n")},
		"bad/until-before.yaml":    {Data: []byte("kind: nda\ntitle: t\nperformed_at: 2026-01-01\nvalid_until: 2025-01-01\nattested_by: x\n")},
		"bad/attachment-path.yaml": {Data: []byte("kind: nda\ntitle: t\nperformed_at: 2026-01-01\nattested_by: x\nattachments: [{file: ../etc/passwd, sha256: abc}]\n")},
	}
	s, err := collect(t, t.Context(), Config{FS: fsys, Shift: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	gaps := map[string][]evidence.Gap{}
	for _, r := range s.Resources {
		got[r.ID] = r.Attributes
		gaps[r.ID] = r.Gaps
	}
	want := map[string]any{
		"kind": "security_training", "title": "Security awareness training",
		"performed_at": "2026-01-21T08:30:00Z", "valid_until": "", "attested_by": "Jane Doe (CISO)",
		"scope": "all employees", "population": 3, "covered": 3,
		"attachments":           []any{map[string]any{"file": "files/t/attendance.csv", "sha256": sum(attendance)}},
		"open_items":            []any{},
		"file":                  "2026/training.yaml",
		"record_sha256":         sum(string(fsys["2026/training.yaml"].Data)),
		"latest":                true,
		"processing_activities": 0, "processing_role": "", "breaches": []any{},
	}
	if diff := cmp.Diff(want, got["2026/training.yaml"]); diff != "" {
		t.Errorf("2026/training.yaml (-want +got):\n%s", diff)
	}
	if got["training-2025.yaml"]["latest"] != false {
		t.Error("the older training record is marked latest")
	}
	if diff := cmp.Diff([]any{"F-3 weak TLS on legacy host"}, got["pentest.yml"]["open_items"]); diff != "" {
		t.Errorf("open_items (-want +got):\n%s", diff)
	}
	if got["pentest.yml"]["valid_until"] != "2026-11-04T00:00:00Z" {
		t.Errorf("valid_until not shifted: %v", got["pentest.yml"]["valid_until"])
	}
	for _, id := range []string{"bad/missing-hash.yaml", "bad/changed-hash.yaml"} {
		if _, ok := got[id]["attachments"]; ok || len(gaps[id]) != 1 || gaps[id][0].Attribute != "attachments" {
			t.Errorf("%s: attachments %v, gaps %v; want no attachments and one gap", id, got[id]["attachments"], gaps[id])
		}
	}
	if len(s.Resources) != 5 {
		t.Errorf("emitted %d resources, want 5", len(s.Resources))
	}

	var msgs []string
	for _, f := range s.Failures {
		msgs = append(msgs, f.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"bad/unknown-field.yaml:5: signed_by: unknown field",
		"bad/missing-hash.yaml:7: attachments[0].file: files/t/gone.csv is missing",
		"bad/changed-hash.yaml:8: attachments[0].sha256: files/t/attendance.csv has changed: its SHA-256 is " + sum(attendance),
		`bad/bad-date.yaml:3: performed_at: "last tuesday": want a date`,
		"bad/not-a-mapping.yaml:1: expected a mapping",
		"bad/wrong-type.yaml:6: cannot unmarshal !!str `many` into int",
		"bad/missing-fields.yaml:1: kind: required",
		"bad/missing-fields.yaml:1: attested_by: required",
		"bad/missing-fields.yaml:1: performed_at: required",
		"bad/syntax.yaml:1: did not find expected ',' or ']'",
		`bad/kind.yaml:1: kind: "Security Training": use lower-case snake_case`,
		"bad/covered.yaml:5: scope.covered: 3: want 0 to population (2)",
		"bad/until-before.yaml:4: valid_until: 2025-01-01 is not after performed_at 2026-01-01",
		`bad/attachment-path.yaml:5: attachments[0].file: "../etc/passwd": want a path inside`,
		`bad/attachment-path.yaml:5: attachments[0].sha256: "abc": want 64 lower-case hex digits`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("failures lack %q; got:\n%s", want, all)
		}
	}
}

func TestCollectProcessingAndBreaches(t *testing.T) {
	t.Parallel()
	const head = "title: t\nperformed_at: 2026-01-10\nattested_by: DPO\n"
	fsys := fstest.MapFS{
		"ropa.yaml": {Data: []byte("kind: records_of_processing\n" + head + "processing: {activities: 14, role: controller_and_processor}\n")},
		"breaches.yaml": {Data: []byte("kind: breach_register\n" + head + "breaches:\n" +
			"  - {id: B-1, discovered_at: 2025-09-01T08:00:00Z, authority: notified, authority_notified_at: 2025-09-03T10:00:00Z, data_subjects: not_required}\n" +
			"  - {id: B-2, discovered_at: 2025-12-24, authority: not_required, data_subjects: pending}\n")},
		"bad/role.yaml":            {Data: []byte("kind: records_of_processing\n" + head + "processing: {activities: -1, role: owner}\n")},
		"bad/processing-kind.yaml": {Data: []byte("kind: nda\n" + head + "processing: {activities: 1}\n")},
		"bad/breaches-kind.yaml":   {Data: []byte("kind: incident_review\n" + head + "breaches:\n  - {id: B-1, discovered_at: 2025-09-01, authority: pending, data_subjects: pending}\n")},
		"bad/breach.yaml": {Data: []byte("kind: breach_register\n" + head + "breaches:\n" +
			"  - {discovered_at: soon, authority: told, data_subjects: yes}\n" +
			"  - {id: B-2, discovered_at: 2025-09-02, authority: notified, data_subjects: notified}\n" +
			"  - {id: B-3, discovered_at: 2025-09-02, authority: pending, authority_notified_at: 2025-09-03, data_subjects: notified}\n" +
			"  - {id: B-4, discovered_at: 2025-09-02, authority: notified, authority_notified_at: 2025-09-01, data_subjects: notified}\n")},
	}
	s, err := collect(t, t.Context(), Config{FS: fsys, Shift: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, r := range s.Resources {
		got[r.ID] = r.Attributes
	}
	if len(got) != 2 {
		t.Errorf("emitted %v, want ropa.yaml and breaches.yaml only", got)
	}
	if a := got["ropa.yaml"]; a["processing_activities"] != 14 || a["processing_role"] != "controller_and_processor" {
		t.Errorf("ropa.yaml: activities %v, role %v", a["processing_activities"], a["processing_role"])
	}
	wantBreaches := []any{
		map[string]any{"id": "B-1", "discovered_at": "2025-09-01T09:00:00Z", "authority": "notified", "authority_notified_at": "2025-09-03T11:00:00Z", "data_subjects": "not_required"},
		map[string]any{"id": "B-2", "discovered_at": "2025-12-24T01:00:00Z", "authority": "not_required", "authority_notified_at": "", "data_subjects": "pending"},
	}
	if diff := cmp.Diff(wantBreaches, got["breaches.yaml"]["breaches"]); diff != "" {
		t.Errorf("breaches (-want +got):\n%s", diff)
	}
	var msgs []string
	for _, f := range s.Failures {
		msgs = append(msgs, f.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"bad/role.yaml:5: processing.activities: must not be negative",
		`bad/role.yaml:5: processing.role: "owner": want controller, processor, controller_and_processor`,
		"bad/processing-kind.yaml:5: processing: only a records_of_processing record",
		"bad/breaches-kind.yaml:5: breaches: only a breach_register record",
		"bad/breach.yaml:6: breaches[0].id: required",
		`bad/breach.yaml:6: breaches[0].discovered_at: "soon": want a date`,
		`bad/breach.yaml:6: breaches[0].authority: "told": want notified, not_required, pending`,
		`bad/breach.yaml:6: breaches[0].data_subjects: "yes": want notified`,
		"bad/breach.yaml:7: breaches[1].authority_notified_at: required when authority is notified",
		`bad/breach.yaml:8: breaches[2].authority_notified_at: set only when authority is notified (it is "pending")`,
		"bad/breach.yaml:9: breaches[3].authority_notified_at: 2025-09-01 is before discovered_at 2025-09-02",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("failures lack %q; got:\n%s", want, all)
		}
	}
}

func TestCollectEmptyAndMissing(t *testing.T) {
	t.Parallel()
	s, err := collect(t, t.Context(), Config{FS: fstest.MapFS{}})
	if err != nil || len(s.Resources) != 0 || len(s.Failures) != 0 {
		t.Errorf("empty dir: err %v, %d resources, %d failures", err, len(s.Resources), len(s.Failures))
	}
	_, err = collect(t, t.Context(), Config{Dir: filepath.Join(t.TempDir(), "nope")})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing dir: %v", err)
	}
}

func TestCollectCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	fsys := fstest.MapFS{"a.yaml": {Data: []byte("kind: nda\ntitle: t\nperformed_at: 2026-01-01\nattested_by: x\n")}}
	if _, err := collect(t, ctx, Config{FS: fsys}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestAdd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(src, []byte("%PDF-1.4 test"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := Record{Kind: "penetration_test", Title: "External pen test", PerformedAt: "2026-02-01", AttestedBy: "CTO",
		Scope: Scope{Description: "public web application"}}
	atts := []Attach{{Path: src}, {Name: "summary.txt", Data: []byte("no criticals")}}
	first, err := Add(dir, r, atts)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Add(dir, r, atts)
	if err != nil {
		t.Fatal(err)
	}
	if first != "penetration_test-2026-02-01.yaml" || second != "penetration_test-2026-02-01-2.yaml" {
		t.Errorf("names %q, %q", first, second)
	}
	s, err := collect(t, t.Context(), Config{Dir: dir})
	if err != nil || len(s.Failures) != 0 || len(s.Resources) != 2 {
		t.Fatalf("collect after add: err %v, failures %v, %d resources", err, s.Failures, len(s.Resources))
	}
	atts0 := s.Resources[1].Attributes["attachments"].([]any) // sorted: "-2.yaml" comes first
	want := []any{
		map[string]any{"file": "files/penetration_test-2026-02-01/report.pdf", "sha256": sum("%PDF-1.4 test")},
		map[string]any{"file": "files/penetration_test-2026-02-01/summary.txt", "sha256": sum("no criticals")},
	}
	if diff := cmp.Diff(want, atts0); diff != "" {
		t.Errorf("attachments (-want +got):\n%s", diff)
	}

	// A failure part-way leaves nothing behind.
	before := listDir(t, dir)
	_, err = Add(dir, r, []Attach{{Path: src}, {Path: filepath.Join(t.TempDir(), "missing.pdf")}})
	if err == nil || !strings.Contains(err.Error(), "missing.pdf") {
		t.Errorf("add with a missing attachment: %v", err)
	}
	if diff := cmp.Diff(before, listDir(t, dir)); diff != "" {
		t.Errorf("a failed add changed the directory (-before +after):\n%s", diff)
	}
	// Invalid records are refused before anything is written.
	if _, err := Add(dir, Record{Kind: "nda", Title: "t", PerformedAt: "soon", AttestedBy: "x"}, nil); err == nil || !strings.Contains(err.Error(), "performed_at") {
		t.Errorf("bad date: %v", err)
	}
	if diff := cmp.Diff(before, listDir(t, dir)); diff != "" {
		t.Errorf("an invalid add changed the directory:\n%s", diff)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, _ os.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
