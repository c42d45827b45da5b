// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/procedo/procedo"
)

var _ procedo.OutboxReader = (*OutboxService)(nil)

// FindOutbox implements procedo.OutboxReader. Each message's job is found by
// its unique key ("mail:ID", enqueueMail); the jobs table has no tenant
// column worth trusting for this, so the message's tenant filters.
func (s *OutboxService) FindOutbox(ctx context.Context, f procedo.OutboxFilter) (_ []*procedo.OutboxEntry, _ int, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindOutbox")
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin); err != nil {
		return nil, 0, err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	where, args := []string{"m.tenant_id = ?"}, []any{tid}
	if f.Status != nil {
		where, args = append(where, "m.status = ?"), append(args, string(*f.Status))
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM mail_messages m WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.query(ctx, `SELECT m.id, m.tenant_id, m.to_addr, m.subject, m.body, m.attachments, m.status, m.attempts, m.last_error,
		m.created_at, m.sent_at, COALESCE(j.state, ''), j.run_at, COALESCE(j.last_error, '')
		FROM mail_messages m LEFT JOIN jobs j ON j.unique_key = 'mail:' || m.id
		WHERE `+w+` ORDER BY m.id DESC LIMIT ? OFFSET ?`, append(args, clampLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*procedo.OutboxEntry
	for rows.Next() {
		var e procedo.OutboxEntry
		var atts string
		if err := rows.Scan(&e.ID, &e.TenantID, &e.To, &e.Subject, &e.Body, &atts, &e.Status, &e.Attempts, &e.LastError,
			timeValue{&e.CreatedAt}, nullTime{&e.SentAt}, &e.JobState, nullTime{&e.NextAttempt}, &e.JobError); err != nil {
			return nil, 0, err
		}
		if err := json.Unmarshal([]byte(atts), &e.Attachments); err != nil {
			return nil, 0, err
		}
		if e.JobState != "queued" {
			e.NextAttempt = nil
		}
		out = append(out, &e)
	}
	return out, total, rows.Err()
}
