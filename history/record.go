package history

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/attestdev/attest/controls"
)

// Record stores res as one run, in one transaction: either the run and all
// its control results are stored, or nothing is. The run id is the SHA-256
// of results.json, so recording the same results twice stores them once;
// recorded reports whether this call stored them.
func (s *Store) Record(ctx context.Context, res *controls.Results) (id string, recorded bool, err error) {
	data, err := res.MarshalIndent()
	if err != nil {
		return "", false, fmt.Errorf("history: record: %w", err)
	}
	sum := sha256.Sum256(data)
	id = hex.EncodeToString(sum[:])

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return id, false, fmt.Errorf("history: record: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var one int
	switch err := tx.QueryRowContext(ctx, s.bind(`SELECT 1 FROM attest_runs WHERE run_id = ?`), id).Scan(&one); {
	case err == nil:
		return id, false, tx.Commit()
	case !errors.Is(err, sql.ErrNoRows):
		return id, false, fmt.Errorf("history: record: %w", err)
	}
	sm := res.Summary
	_, err = tx.ExecContext(ctx, s.bind(`INSERT INTO attest_runs
		(run_id, evaluated_at, recorded_at, attest_version, bundle_started_at, interrupted,
		 total, pass, fail, inconclusive, manual, waived, not_applicable)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		id, s.stamp(res.EvaluatedAt), s.stamp(s.now()), res.AttestVersion, s.stamp(res.Bundle.StartedAt), res.Bundle.Interrupted,
		sm.Total, sm.Pass, sm.Fail, sm.Inconclusive, sm.Manual, sm.Waived, sm.NotApplicable)
	if err != nil {
		return id, false, fmt.Errorf("history: record run: %w", err)
	}
	stmt, err := tx.PrepareContext(ctx, s.bind(`INSERT INTO attest_control_results
		(run_id, control_id, title, severity, outcome, reason, stale, waivers) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`))
	if err != nil {
		return id, false, fmt.Errorf("history: record: %w", err)
	}
	defer stmt.Close()
	for _, c := range res.Controls {
		if _, err := stmt.ExecContext(ctx, id, c.ID, c.Title, string(c.Severity), string(c.Outcome), c.Reason, c.Stale, strings.Join(c.Waivers, ",")); err != nil {
			return id, false, fmt.Errorf("history: record control %s: %w", c.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return id, false, fmt.Errorf("history: record: commit: %w", err)
	}
	return id, true, nil
}
