// Package history keeps the results of every recorded `attest check` run in
// a database, so that an auditor can be shown how each control operated
// over a period (a SOC 2 Type II period): the share of runs in which it
// passed, when it first failed, how long failures took to fix, and every
// exception.
//
// The default store is an embedded SQLite file (pure Go, no cgo); teams
// share a PostgreSQL database instead. Both use the same schema and the
// same migrations, applied on Open.
package history

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	// Database drivers: "pgx" for PostgreSQL, "sqlite" (modernc, pure Go).
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// DefaultDSN is the store used when none is given: a SQLite file in the
// working directory.
const DefaultDSN = "attest-history.db"

// A Store is an open history database. It is safe for concurrent use.
type Store struct {
	db       *sql.DB
	postgres bool
	// Now is the clock for recorded_at; nil means time.Now.
	Now func() time.Time
}

// Open opens the store at dsn, creating it when needed, and applies any
// pending migrations. dsn is a SQLite file path (or file: URI), or a
// postgres:// or postgresql:// URL.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{}
	driver, source := "sqlite", sqliteDSN(dsn)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		driver, source, s.postgres = "pgx", dsn, true
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		return nil, fmt.Errorf("history: open %s: %w", redact(dsn), err)
	}
	if !s.postgres {
		// One writer at a time; SQLite serialises writers anyway.
		db.SetMaxOpenConns(1)
	}
	s.db = db
	if err := s.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("history: open %s: %w", redact(dsn), err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func sqliteDSN(p string) string {
	if !strings.HasPrefix(p, "file:") {
		p = "file:" + p
	}
	sep := "?"
	if strings.Contains(p, "?") {
		sep = "&"
	}
	return p + sep + "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
}

// redact removes a password from a postgres URL for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// migrations are applied in order, each in its own transaction, and never
// changed once released: add a new one instead.
var migrations = []string{
	// 1: runs and their control results.
	`CREATE TABLE attest_runs (
		run_id TEXT PRIMARY KEY,
		evaluated_at TEXT NOT NULL,
		recorded_at TEXT NOT NULL,
		attest_version TEXT NOT NULL,
		bundle_started_at TEXT NOT NULL,
		interrupted BOOLEAN NOT NULL,
		total INTEGER NOT NULL,
		pass INTEGER NOT NULL,
		fail INTEGER NOT NULL,
		inconclusive INTEGER NOT NULL,
		manual INTEGER NOT NULL,
		waived INTEGER NOT NULL,
		not_applicable INTEGER NOT NULL
	);
	CREATE INDEX attest_runs_evaluated_at ON attest_runs (evaluated_at);
	CREATE TABLE attest_control_results (
		run_id TEXT NOT NULL REFERENCES attest_runs (run_id) ON DELETE CASCADE,
		control_id TEXT NOT NULL,
		title TEXT NOT NULL,
		severity TEXT NOT NULL,
		outcome TEXT NOT NULL,
		reason TEXT NOT NULL,
		stale BOOLEAN NOT NULL,
		waivers TEXT NOT NULL,
		PRIMARY KEY (run_id, control_id)
	);`,
}

// SchemaVersion is the number of migrations this version of attest knows.
var SchemaVersion = len(migrations)

// migrate applies pending migrations. A database written by a newer attest
// (with more migrations) is refused rather than misread.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS attest_schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for {
		done, err := s.applyNext(ctx)
		if err != nil || done {
			return err
		}
	}
}

// applyNext applies the next pending migration in one transaction and
// reports whether none was pending.
func (s *Store) applyNext(ctx context.Context) (done bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if s.postgres {
		// Serialise concurrent migrations by several attest processes.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7464173)`); err != nil {
			return false, fmt.Errorf("migrate: lock: %w", err)
		}
	}
	var version int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM attest_schema_migrations`).Scan(&version); err != nil {
		return false, fmt.Errorf("migrate: read version: %w", err)
	}
	if version > len(migrations) {
		return false, fmt.Errorf("schema version %d is newer than this attest supports (%d): upgrade attest", version, len(migrations))
	}
	if version == len(migrations) {
		return true, tx.Commit()
	}
	for _, stmt := range strings.Split(migrations[version], ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("migration %d: %w", version+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, s.bind(`INSERT INTO attest_schema_migrations (version, applied_at) VALUES (?, ?)`), version+1, s.stamp(s.now())); err != nil {
		return false, fmt.Errorf("migration %d: %w", version+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %d: commit: %w", version+1, err)
	}
	return false, nil
}

// bind rewrites ? placeholders as $1, $2, ... for PostgreSQL. The queries
// of this package have no ? inside string literals.
func (s *Store) bind(q string) string {
	if !s.postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// timeFormat is fixed-width, so that times compare correctly as text in
// both databases.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

func (s *Store) stamp(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseStamp(v string) (time.Time, error) {
	t, err := time.Parse(timeFormat, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("history: bad time %q in the database: %w", v, err)
	}
	return t, nil
}
