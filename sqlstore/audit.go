// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"strings"

	"github.com/procedo/procedo"
)

// AuditService implements procedo.AuditService.
type AuditService struct{ db *DB }

// NewAuditService returns an AuditService on db.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

var _ procedo.AuditService = (*AuditService)(nil)

// recordAudit appends e inside tx; the actor and tenant default to those of ctx.
func recordAudit(ctx context.Context, tx *Tx, e *procedo.AuditEvent) error {
	if e.TenantID == 0 {
		e.TenantID = procedo.TenantIDFromContext(ctx)
	}
	if e.Actor == "" {
		a := procedo.ActorFromContext(ctx)
		e.Actor, e.ActorName = a.Ref(), a.Name()
	}
	e.At = tx.now
	id, err := tx.insert(ctx, `INSERT INTO audit_log (tenant_id, at, actor, actor_name, action, object_type, object_id, remote_addr, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.TenantID, tx.db.ts(e.At), e.Actor, e.ActorName, e.Action, e.ObjectType, e.ObjectID, e.RemoteAddr, truncate(e.Detail, 2000))
	e.ID = id
	return err
}

// RecordAudit implements procedo.AuditService.
func (s *AuditService) RecordAudit(ctx context.Context, e *procedo.AuditEvent) (err error) {
	defer procedo.Wrap(&err, "sqlstore.RecordAudit(%q)", e.Action)
	return s.db.transact(ctx, func(tx *Tx) error { return recordAudit(ctx, tx, e) })
}

// FindAuditEvents implements procedo.AuditService.
func (s *AuditService) FindAuditEvents(ctx context.Context, f procedo.AuditFilter) (_ []*procedo.AuditEvent, _ int, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindAuditEvents")
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin, procedo.RoleManager); err != nil {
		return nil, 0, err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	where, args := []string{"tenant_id = ?"}, []any{tid}
	if f.Action != nil {
		where, args = append(where, "action = ?"), append(args, *f.Action)
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.query(ctx, `SELECT id, tenant_id, at, actor, actor_name, action, object_type, object_id, remote_addr, detail
		FROM audit_log WHERE `+w+` ORDER BY id DESC LIMIT ? OFFSET ?`, append(args, clampLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*procedo.AuditEvent
	for rows.Next() {
		var e procedo.AuditEvent
		if err := rows.Scan(&e.ID, &e.TenantID, timeValue{&e.At}, &e.Actor, &e.ActorName, &e.Action, &e.ObjectType, &e.ObjectID, &e.RemoteAddr, &e.Detail); err != nil {
			return nil, 0, err
		}
		out = append(out, &e)
	}
	return out, total, rows.Err()
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
