// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"time"
)

// AuditEvent records who did what, when (logins, decisions, administration).
type AuditEvent struct {
	ID         int64
	TenantID   int64 // 0 for installation-wide events
	At         time.Time
	Actor      string // Actor.Ref()
	ActorName  string
	Action     string // e.g. "login.ok", "login.failed", "case.transition", "user.create"
	ObjectType string // e.g. "case"
	ObjectID   string
	RemoteAddr string
	Detail     string
}

// AuditFilter selects audit events of the tenant in ctx.
type AuditFilter struct {
	Action *string
	Offset int
	Limit  int
}

// AuditService stores and reads the audit log of the tenant in ctx.
type AuditService interface {
	// RecordAudit appends e; the store sets At and the tenant.
	RecordAudit(ctx context.Context, e *AuditEvent) error
	// FindAuditEvents lists events newest first. Admins and managers only.
	FindAuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, int, error)
}
