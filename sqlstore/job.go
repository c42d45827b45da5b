// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/procedo/procedo"
)

// JobStore implements procedo.JobStore on the jobs table.
type JobStore struct{ db *DB }

// NewJobStore returns a JobStore on db.
func NewJobStore(db *DB) *JobStore { return &JobStore{db: db} }

var _ procedo.JobStore = (*JobStore)(nil)

// enqueueJob inserts a job inside tx. A non-empty uniqueKey makes enqueueing
// idempotent: a second job with the same key is silently dropped.
func enqueueJob(ctx context.Context, tx *Tx, tenantID int64, kind string, payload any, uniqueKey string) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	var key any
	if uniqueKey != "" {
		key = uniqueKey
	}
	_, err = tx.exec(ctx, `INSERT INTO jobs (tenant_id, kind, payload, state, run_at, unique_key, created_at)
		VALUES (?, ?, ?, 'queued', ?, ?, ?) ON CONFLICT (unique_key) DO NOTHING`,
		tenantID, kind, string(b), tx.db.ts(tx.now), key, tx.db.ts(tx.now))
	return err
}

// ClaimJob implements procedo.JobStore.
func (s *JobStore) ClaimJob(ctx context.Context, kinds []string, lease time.Duration) (_ *procedo.Job, err error) {
	defer procedo.Wrap(&err, "sqlstore.ClaimJob")
	if len(kinds) == 0 {
		return nil, nil
	}
	var job *procedo.Job
	err = s.db.transact(ctx, func(tx *Tx) error {
		args := []any{s.db.ts(tx.now.Add(lease))}
		for _, k := range kinds {
			args = append(args, k)
		}
		args = append(args, s.db.ts(tx.now), s.db.ts(tx.now))
		var j procedo.Job
		var payload string
		err := tx.queryRow(ctx, s.db.dialect.claimJobQuery(len(kinds)), args...).
			Scan(&j.ID, &j.TenantID, &j.Kind, &payload, &j.Attempts, &j.MaxAttempts, timeValue{&j.RunAt}, &j.LastError)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		j.Payload = []byte(payload)
		job = &j
		return nil
	})
	return job, err
}

// CompleteJob implements procedo.JobStore.
func (s *JobStore) CompleteJob(ctx context.Context, id int64) (err error) {
	defer procedo.Wrap(&err, "sqlstore.CompleteJob(%d)", id)
	return s.db.transact(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE jobs SET state = 'done', locked_until = NULL, finished_at = ? WHERE id = ?`, s.db.ts(tx.now), id)
		return err
	})
}

// RetryJob implements procedo.JobStore.
func (s *JobStore) RetryJob(ctx context.Context, id int64, lastError string, retryAt time.Time) (err error) {
	defer procedo.Wrap(&err, "sqlstore.RetryJob(%d)", id)
	return s.db.transact(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE jobs SET state = 'queued', run_at = ?, locked_until = NULL, last_error = ?
			WHERE id = ? AND attempts < max_attempts`, s.db.ts(retryAt), truncate(lastError, 2000), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		// No attempts left: the job fails for good.
		_, err = tx.exec(ctx, `UPDATE jobs SET state = 'failed', finished_at = ?, locked_until = NULL, last_error = ? WHERE id = ?`,
			s.db.ts(tx.now), truncate(lastError, 2000), id)
		return err
	})
}

// FailJob implements procedo.JobStore.
func (s *JobStore) FailJob(ctx context.Context, id int64, lastError string) (err error) {
	defer procedo.Wrap(&err, "sqlstore.FailJob(%d)", id)
	return s.db.transact(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE jobs SET state = 'failed', finished_at = ?, locked_until = NULL, last_error = ? WHERE id = ?`,
			s.db.ts(tx.now), truncate(lastError, 2000), id)
		return err
	})
}

// JobCounts returns the number of jobs per state (for metrics and the outbox page).
func (s *JobStore) JobCounts(ctx context.Context) (_ map[string]int, err error) {
	defer procedo.Wrap(&err, "sqlstore.JobCounts")
	rows, err := s.db.query(ctx, `SELECT state, COUNT(*) FROM jobs GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}
