// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"time"
)

// OutboxEntry is an outgoing e-mail with the state of the job that sends it:
// what the administrators' "posta in uscita" page shows.
type OutboxEntry struct {
	MailMessage
	JobState    string     // queued, running, done or failed; "" when the message has no job
	NextAttempt *time.Time // when the job tries again; nil unless waiting to be (re)tried
	JobError    string     // the job's last error (the message's LastError is the mailer's)
}

// OutboxFilter selects outbox entries of the tenant in ctx, newest first.
type OutboxFilter struct {
	Status *MailStatus
	Offset int
	Limit  int // 0 = 50; at most 500
}

// OutboxReader lists the outbox with the delivery attempts of each message.
type OutboxReader interface {
	// FindOutbox returns the outgoing messages of the tenant with the total
	// count, newest first. Administrators of the tenant only (EFORBIDDEN
	// otherwise).
	FindOutbox(ctx context.Context, f OutboxFilter) ([]*OutboxEntry, int, error)
}

// Label returns the Italian name of a delivery state.
func (s MailStatus) Label() string {
	switch s {
	case MailQueued:
		return "In coda"
	case MailSent:
		return "Inviato"
	case MailFailed:
		return "Non consegnato"
	case MailKept:
		return "Trattenuto (DEMO)"
	}
	return string(s)
}
