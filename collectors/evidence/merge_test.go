package evidence

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// writeShard writes a bundle holding one run, one resource and one record
// per account, for the given shard.
func writeShard(t *testing.T, dir string, shard *Shard, start time.Time, accounts ...string) {
	t.Helper()
	w, err := Create(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		target := Target{Source: "aws", Account: a}
		sum, err := w.WriteRecord(Record{Operation: "s3:ListBuckets", Target: target}, []byte("shared body"))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteResource(Resource{Type: "aws.s3.bucket", ID: "b-" + a, Account: a, Records: []string{sum}}); err != nil {
			t.Fatal(err)
		}
		w.AddRun(Run{Collector: "aws.s3", Target: target, Status: Complete, Resources: 1, Records: 1})
	}
	if err := w.Close(Manifest{AttestVersion: "test", StartedAt: start, FinishedAt: start.Add(time.Minute), Shard: shard}); err != nil {
		t.Fatal(err)
	}
}

func TestMergeShards(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	writeShard(t, a, &Shard{Index: 1, Count: 2}, t0.Add(time.Hour), "111", "333")
	writeShard(t, b, &Shard{Index: 0, Count: 2}, t0, "222")
	out := filepath.Join(root, "merged")
	m, err := Merge(out, a, b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Shard != nil || m.Resources != 3 || m.Records != 3 || len(m.Runs) != 3 {
		t.Errorf("merged manifest: shard %v, %d resources, %d records, %d runs", m.Shard, m.Resources, m.Records, len(m.Runs))
	}
	if !m.StartedAt.Equal(t0) || !m.FinishedAt.Equal(t0.Add(time.Hour+time.Minute)) {
		t.Errorf("merged times %s..%s", m.StartedAt, m.FinishedAt)
	}
	got, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got.Resources {
		ids = append(ids, r.ID)
	}
	if diff := cmp.Diff([]string{"b-111", "b-222", "b-333"}, ids); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
	raw, err := os.ReadDir(filepath.Join(out, RawDir))
	if err != nil || len(raw) != 1 {
		t.Errorf("raw responses: %d entries, %v; want the shared body once", len(raw), err)
	}
	if err := got.VerifyRaw(); err != nil {
		t.Error(err)
	}
}

func TestMergeRefuses(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	mk := func(name string, shard *Shard, accounts ...string) string {
		dir := filepath.Join(root, name)
		writeShard(t, dir, shard, t0, accounts...)
		return dir
	}
	s0 := mk("s0", &Shard{Index: 0, Count: 3}, "1")
	s1 := mk("s1", &Shard{Index: 1, Count: 3}, "2")
	s1again := mk("s1again", &Shard{Index: 1, Count: 3}, "4")
	s2 := mk("s2", &Shard{Index: 2, Count: 3}, "3")
	other := mk("other", &Shard{Index: 1, Count: 2}, "5")
	whole := mk("whole", nil, "6")
	dupRun := mk("duprun", nil, "6")
	s2dup := mk("s2dup", &Shard{Index: 2, Count: 3}, "1")
	badFormat := mk("badformat", nil, "7")
	data, err := os.ReadFile(filepath.Join(badFormat, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(badFormat, ManifestFile), []byte(strings.Replace(string(data), Format, "attest.bundle/v0", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		srcs []string
		want string
	}{
		{"missing shard", []string{s0, s2}, "missing shard(s) 1/3"},
		{"overlapping shard", []string{s0, s1, s1again, s2}, "shard 1/3 is both"},
		{"count differs", []string{s0, other}, "shard counts differ"},
		{"mixed", []string{s0, whole}, "unsharded"},
		{"duplicate run", []string{whole, dupRun}, "is in both"},
		{"duplicate run across shards", []string{s0, s1, s2dup}, "is in both"},
		{"format", []string{whole, badFormat}, "format"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(t.TempDir(), "out")
			_, err := Merge(out, tc.srcs...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Merge: %v, want an error containing %q", err, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a refused merge left %s behind", out)
			}
		})
	}
}

func TestShardOwnsEveryTargetOnce(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3, 7} {
		for _, acct := range []string{"111111111111", "222222222222", "acme", ""} {
			owners := 0
			for i := range n {
				if (Shard{Index: i, Count: n}).Owns(Target{Source: "aws", Account: acct, Region: "eu-west-1"}) {
					owners++
				}
			}
			if owners != 1 {
				t.Errorf("account %q in %d shards: %d owners", acct, n, owners)
			}
		}
	}
	if !(Shard{}).Owns(Target{Source: "aws"}) {
		t.Error("the zero shard must own every target")
	}
}

func TestParseShard(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"0/3": "", "2/3": "", "": "", "3/3": "index", "x/3": "INDEX/COUNT", "1": "INDEX/COUNT", "-1/2": "index"} {
		_, err := ParseShard(in)
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("ParseShard(%q) = %v, want error containing %q", in, err, want)
		}
	}
}
