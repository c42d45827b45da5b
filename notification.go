// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"time"
)

// MailStatus is the delivery state of a message in the outbox.
type MailStatus string

const (
	MailQueued MailStatus = "queued" // waiting for the mail job
	MailSent   MailStatus = "sent"   // accepted by the SMTP server
	MailFailed MailStatus = "failed" // gave up after the last retry
	MailKept   MailStatus = "kept"   // demo mode without SMTP: kept in the DEMO mailbox
)

// MailMessage is an e-mail in the outbox. It is stored in the transaction of the
// change that causes it and sent by a job, never inside a request.
type MailMessage struct {
	ID          int64
	TenantID    int64
	To          string
	Subject     string
	Body        string // plain text, Italian
	Attachments []MailAttachmentRef
	Status      MailStatus
	Attempts    int
	LastError   string
	CreatedAt   time.Time
	SentAt      *time.Time
}

// MailAttachmentRef names what to attach when the message is sent: a stored
// document, or the receipt of an application rendered at send time.
type MailAttachmentRef struct {
	Kind     string `json:"kind"` // "document" or "receipt"
	ID       int64  `json:"id"`   // document id or application id
	Filename string `json:"filename"`
}

// MailAttachment is a resolved attachment.
type MailAttachment struct {
	Filename  string
	MediaType string
	Content   []byte
}

// Mailer delivers one message now (SMTP). From is the sender address.
type Mailer interface {
	Send(ctx context.Context, from string, msg *MailMessage, atts []MailAttachment) error
}

// MailFilter selects outbox messages of the tenant in ctx.
type MailFilter struct {
	To     *string
	Offset int
	Limit  int
}

// OutboxService reads and updates the outbox of the tenant in ctx.
type OutboxService interface {
	FindMailMessageByID(ctx context.Context, id int64) (*MailMessage, error)
	FindMailMessages(ctx context.Context, f MailFilter) ([]*MailMessage, int, error)
	// MarkMailMessage records a delivery attempt's outcome.
	MarkMailMessage(ctx context.Context, id int64, status MailStatus, lastError string) error
}
