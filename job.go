// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"time"
)

// Job kinds.
const (
	JobSendMail = "mail.send" // payload {"mail_id": N}: deliver one outbox message
)

// Job is a unit of background work stored in the database. It is enqueued in the
// transaction of the change that causes it, so it exists if and only if the
// change committed; it is retried with backoff and keeps its last error.
type Job struct {
	ID          int64
	TenantID    int64 // 0 for installation-wide jobs
	Kind        string
	Payload     []byte // JSON
	Attempts    int
	MaxAttempts int
	RunAt       time.Time
	LastError   string
}

// JobStore is the durable queue the job runner works from. Claiming is safe with
// several replicas: one job is handed to one worker at a time.
type JobStore interface {
	// ClaimJob leases the next due job of one of kinds for lease, or returns nil, nil
	// when none is due (the one place where "nothing" is not an error: polling).
	ClaimJob(ctx context.Context, kinds []string, lease time.Duration) (*Job, error)
	// CompleteJob marks a job done.
	CompleteJob(ctx context.Context, id int64) error
	// RetryJob records a failure: the job runs again at retryAt, or is marked
	// failed for good when it has no attempts left.
	RetryJob(ctx context.Context, id int64, lastError string, retryAt time.Time) error
	// FailJob marks a job failed for good (a failure retrying cannot fix).
	FailJob(ctx context.Context, id int64, lastError string) error
}
