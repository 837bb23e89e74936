package history

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/attestdev/attest/controls"
)

var day0 = time.Date(2026, 1, 1, 6, 0, 0, 0, time.UTC)

func day(n int) time.Time { return day0.Add(time.Duration(n) * 24 * time.Hour) }

// noPostgres is the reason the PostgreSQL subtests skip when no database
// is configured.
const noPostgres = "PostgreSQL not configured: set ATTEST_TEST_POSTGRES to a postgres:// URL of a scratch database (.ci/run starts one)"

// stores returns a fresh SQLite store and a fresh PostgreSQL store in a
// schema of its own, by name. The PostgreSQL DSN is empty when
// ATTEST_TEST_POSTGRES names no database: open then skips the subtest, so
// that the skip shows in the test summary.
func stores(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{"sqlite": filepath.Join(t.TempDir(), "history.db"), "postgres": ""}
	base := os.Getenv("ATTEST_TEST_POSTGRES")
	if base == "" {
		return out
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "attest_test_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() { _, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	out["postgres"] = u.String()
	return out
}

func open(t *testing.T, dsn string) *Store {
	t.Helper()
	if dsn == "" {
		t.Skip(noPostgres)
	}
	s, err := Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	s.Now = func() time.Time { return day(100) }
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func results(at time.Time, outcomes ...string) *controls.Results {
	res := &controls.Results{Schema: controls.ResultsSchema, AttestVersion: "test", EvaluatedAt: at}
	res.Bundle.StartedAt = at.Add(-time.Minute)
	for i := 0; i+1 < len(outcomes); i += 2 {
		c := controls.ControlResult{ID: outcomes[i], Title: "Control " + outcomes[i], Severity: controls.High, Outcome: controls.Outcome(outcomes[i+1]), Reason: outcomes[i+1] + " on " + at.Format(time.DateOnly)}
		if c.Outcome == controls.Waived {
			c.Waivers = []string{"W-1"}
		}
		res.Controls = append(res.Controls, c)
		res.Summary.Total++
	}
	return res
}

func TestRecordAndReport(t *testing.T) {
	t.Parallel()
	for name, dsn := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t, dsn)
			ctx := t.Context()
			runs := []*controls.Results{
				results(day(-1), "A", "fail", "B", "pass"), // before the period
				results(day(1), "A", "pass", "B", "pass", "C", "not_applicable"),
				results(day(2), "A", "fail", "B", "pass", "C", "not_applicable"),
				results(day(3), "A", "inconclusive", "B", "waived", "C", "not_applicable"),
				results(day(4), "A", "pass", "B", "fail", "C", "not_applicable"),
				results(day(40), "A", "pass"), // after the period
			}
			for _, r := range runs {
				if _, ok, err := s.Record(ctx, r); err != nil || !ok {
					t.Fatalf("record: %v, %v", ok, err)
				}
			}
			if _, ok, err := s.Record(ctx, runs[1]); err != nil || ok {
				t.Errorf("recording the same results again: recorded %v, err %v; want a no-op", ok, err)
			}
			rep, err := s.Report(ctx, day(0), day(30))
			if err != nil {
				t.Fatal(err)
			}
			want := &Report{
				From: day(0), To: day(30), Runs: 4, FirstRun: day(1), LastRun: day(4),
				Controls: []ControlHistory{
					{ID: "A", Title: "Control A", Severity: "high", Runs: 4, Outcomes: map[controls.Outcome]int{"pass": 2, "fail": 1, "inconclusive": 1},
						PassShare: 0.5, FirstFailure: day(2), Exceptions: 1, MeanTimeToFix: 2 * 86400, MaxTimeToFix: 2 * 86400},
					{ID: "B", Title: "Control B", Severity: "high", Runs: 4, Outcomes: map[controls.Outcome]int{"pass": 2, "waived": 1, "fail": 1},
						PassShare: 0.5, FirstFailure: day(4), Exceptions: 1, Open: true},
					{ID: "C", Title: "Control C", Severity: "high", Runs: 4, Outcomes: map[controls.Outcome]int{"not_applicable": 4}},
				},
				Exceptions: []Exception{
					{Control: "A", Severity: "high", Start: day(2), End: day(4), Runs: 2, Outcome: "fail", Reason: "fail on 2026-01-03", TimeToFix: 2 * 86400},
					{Control: "B", Severity: "high", Start: day(3), Runs: 2, Outcome: "fail", Reason: "fail on 2026-01-05", Waivers: []string{"W-1"}},
				},
			}
			if diff := cmp.Diff(want, rep); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
			if _, err := s.Report(ctx, day(5), day(5)); err == nil {
				t.Error("an empty period was accepted")
			}
		})
	}
}

// TestRecordIsAtomic makes the insert of the second control fail (a
// duplicate id) and checks that no part of the run was stored.
func TestRecordIsAtomic(t *testing.T) {
	t.Parallel()
	for name, dsn := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t, dsn)
			bad := results(day(1), "A", "pass", "A", "fail")
			if _, _, err := s.Record(t.Context(), bad); err == nil || !strings.Contains(err.Error(), "record control A") {
				t.Fatalf("record with a duplicate control: %v", err)
			}
			var n int
			if err := s.db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM attest_runs").Scan(&n); err != nil || n != 0 {
				t.Errorf("runs after a failed record: %d (%v), want 0", n, err)
			}
			if err := s.db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM attest_control_results").Scan(&n); err != nil || n != 0 {
				t.Errorf("control results after a failed record: %d (%v), want 0", n, err)
			}
		})
	}
}

func TestMigrations(t *testing.T) {
	t.Parallel()
	for name, dsn := range stores(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := open(t, dsn)
			if _, _, err := s.Record(t.Context(), results(day(1), "A", "pass")); err != nil {
				t.Fatal(err)
			}
			_ = s.Close()
			// Reopening applies nothing and keeps the data.
			s = open(t, dsn)
			var versions, runs int
			if err := s.db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM attest_schema_migrations").Scan(&versions); err != nil || versions != SchemaVersion {
				t.Errorf("migrations recorded: %d (%v), want %d", versions, err, SchemaVersion)
			}
			if err := s.db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM attest_runs").Scan(&runs); err != nil || runs != 1 {
				t.Errorf("runs after reopening: %d (%v)", runs, err)
			}
			// A database from a newer attest is refused.
			if _, err := s.db.ExecContext(t.Context(), s.bind("INSERT INTO attest_schema_migrations (version, applied_at) VALUES (?, ?)"), 99, "x"); err != nil {
				t.Fatal(err)
			}
			_ = s.Close()
			if _, err := Open(t.Context(), dsn); err == nil || !strings.Contains(err.Error(), "newer than this attest supports") {
				t.Errorf("open of a newer schema: %v", err)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	got := redact("postgres://attest:s3cret@db.example.com:5432/attest?sslmode=require")
	if strings.Contains(got, "s3cret") || !strings.Contains(got, "attest:xxxxx@db.example.com") {
		t.Errorf("redact: %s", got)
	}
	if _, err := Open(t.Context(), "postgres://attest:s3cret@127.0.0.1:1/attest?connect_timeout=1"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("open error leaks the password or succeeded: %v", err)
	}
}
