package manual

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/collectors/evidence"
)

type sink struct {
	mu        sync.Mutex
	resources []evidence.Resource
	failures  []evidence.Failure
}

func (s *sink) Emit(r evidence.Resource) {
	s.mu.Lock()
	s.resources = append(s.resources, r)
	s.mu.Unlock()
}
func (s *sink) Fail(f evidence.Failure) {
	s.mu.Lock()
	s.failures = append(s.failures, f)
	s.mu.Unlock()
}

func sum(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

const attendance = "person,completed\nalice,2026-01-20\n"

func training(date, file, hash string) string {
	return "kind: security_training\ntitle: Security awareness training\nperformed_at: " + date + "\n" +
		"attested_by: Jane Doe (CISO)\nscope: {description: all employees, population: 3, covered: 3}\n" +
		"attachments:\n  - file: " + file + "\n    sha256: " + hash + "\n"
}

func collect(t *testing.T, ctx context.Context, cfg Config) (*sink, error) {
	t.Helper()
	s := &sink{}
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
	for _, r := range s.resources {
		got[r.ID] = r.Attributes
		gaps[r.ID] = r.Gaps
	}
	want := map[string]any{
		"kind": "security_training", "title": "Security awareness training",
		"performed_at": "2026-01-21T08:30:00Z", "valid_until": "", "attested_by": "Jane Doe (CISO)",
		"scope": "all employees", "population": 3, "covered": 3,
		"attachments":   []any{map[string]any{"file": "files/t/attendance.csv", "sha256": sum(attendance)}},
		"open_items":    []any{},
		"file":          "2026/training.yaml",
		"record_sha256": sum(string(fsys["2026/training.yaml"].Data)),
		"latest":        true,
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
	if len(s.resources) != 5 {
		t.Errorf("emitted %d resources, want 5", len(s.resources))
	}

	var msgs []string
	for _, f := range s.failures {
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

func TestCollectEmptyAndMissing(t *testing.T) {
	t.Parallel()
	s, err := collect(t, t.Context(), Config{FS: fstest.MapFS{}})
	if err != nil || len(s.resources) != 0 || len(s.failures) != 0 {
		t.Errorf("empty dir: err %v, %d resources, %d failures", err, len(s.resources), len(s.failures))
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
	if err != nil || len(s.failures) != 0 || len(s.resources) != 2 {
		t.Fatalf("collect after add: err %v, failures %v, %d resources", err, s.failures, len(s.resources))
	}
	atts0 := s.resources[1].Attributes["attachments"].([]any) // sorted: "-2.yaml" comes first
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
