// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/procedo/procedo"
)

// OutboxService implements procedo.OutboxService.
type OutboxService struct{ db *DB }

// NewOutboxService returns an OutboxService on db.
func NewOutboxService(db *DB) *OutboxService { return &OutboxService{db: db} }

var _ procedo.OutboxService = (*OutboxService)(nil)

// enqueueMail stores a message in the outbox and the job that sends it, inside
// tx: the mail exists if and only if the change that causes it commits.
func enqueueMail(ctx context.Context, tx *Tx, m *procedo.MailMessage) error {
	if m.To == "" {
		return nil
	}
	atts, err := json.Marshal(m.Attachments)
	if err != nil {
		return err
	}
	m.Status, m.CreatedAt = procedo.MailQueued, tx.now
	m.ID, err = tx.insert(ctx, `INSERT INTO mail_messages (tenant_id, to_addr, subject, body, attachments, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.TenantID, m.To, m.Subject, m.Body, string(atts), m.Status, tx.db.ts(tx.now))
	if err != nil {
		return err
	}
	return enqueueJob(ctx, tx, m.TenantID, procedo.JobSendMail, map[string]int64{"mail_id": m.ID}, fmt.Sprintf("mail:%d", m.ID))
}

const mailColumns = `id, tenant_id, to_addr, subject, body, attachments, status, attempts, last_error, created_at, sent_at`

func scanMail(row interface{ Scan(...any) error }) (*procedo.MailMessage, error) {
	var m procedo.MailMessage
	var atts string
	if err := row.Scan(&m.ID, &m.TenantID, &m.To, &m.Subject, &m.Body, &atts, &m.Status, &m.Attempts, &m.LastError,
		timeValue{&m.CreatedAt}, nullTime{&m.SentAt}); err != nil {
		return nil, err
	}
	return &m, json.Unmarshal([]byte(atts), &m.Attachments)
}

// FindMailMessageByID implements procedo.OutboxService.
func (s *OutboxService) FindMailMessageByID(ctx context.Context, id int64) (_ *procedo.MailMessage, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindMailMessageByID(%d)", id)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	m, err := scanMail(s.db.queryRow(ctx, `SELECT `+mailColumns+` FROM mail_messages WHERE tenant_id = ? AND id = ?`, tid, id))
	return m, notFound(err, "Messaggio non trovato.")
}

// FindMailMessages implements procedo.OutboxService.
func (s *OutboxService) FindMailMessages(ctx context.Context, f procedo.MailFilter) (_ []*procedo.MailMessage, _ int, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindMailMessages")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	where, args := []string{"tenant_id = ?"}, []any{tid}
	if f.To != nil {
		where, args = append(where, "to_addr = ?"), append(args, *f.To)
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM mail_messages WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.query(ctx, `SELECT `+mailColumns+` FROM mail_messages WHERE `+w+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, clampLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*procedo.MailMessage
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// MarkMailMessage implements procedo.OutboxService.
func (s *OutboxService) MarkMailMessage(ctx context.Context, id int64, status procedo.MailStatus, lastError string) (err error) {
	defer procedo.Wrap(&err, "sqlstore.MarkMailMessage(%d)", id)
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	return s.db.transact(ctx, func(tx *Tx) error {
		var sentAt any
		if status == procedo.MailSent {
			sentAt = s.db.ts(tx.now)
		}
		res, err := tx.exec(ctx, `UPDATE mail_messages SET status = ?, attempts = attempts + 1, last_error = ?, sent_at = COALESCE(?, sent_at)
			WHERE tenant_id = ? AND id = ?`, status, truncate(lastError, 1000), sentAt, tid, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return procedo.Errorf(procedo.ENOTFOUND, "Messaggio non trovato.")
		}
		return nil
	})
}
