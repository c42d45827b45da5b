// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/procedo/procedo"
)

// IdentityProviderService implements procedo.IdentityProviderService.
type IdentityProviderService struct{ db *DB }

// NewIdentityProviderService returns an IdentityProviderService on db.
func NewIdentityProviderService(db *DB) *IdentityProviderService {
	return &IdentityProviderService{db: db}
}

var _ procedo.IdentityProviderService = (*IdentityProviderService)(nil)

const identityProviderColumns = `p.tenant_id, p.id, p.kind, p.label, p.config, p.enabled, p.created_at, p.updated_at`

func scanIdentityProvider(row interface{ Scan(...any) error }) (*procedo.IdentityProviderConfig, error) {
	var p procedo.IdentityProviderConfig
	var config string
	err := row.Scan(&p.TenantID, &p.ID, &p.Kind, &p.Label, &config, &p.Enabled, timeValue{&p.CreatedAt}, timeValue{&p.UpdatedAt})
	p.Config = json.RawMessage(config)
	return &p, err
}

// FindIdentityProviders implements procedo.IdentityProviderService.
func (s *IdentityProviderService) FindIdentityProviders(ctx context.Context) (_ []*procedo.IdentityProviderConfig, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindIdentityProviders")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT `+identityProviderColumns+` FROM identity_providers p WHERE p.tenant_id = ? ORDER BY p.id`, tid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*procedo.IdentityProviderConfig
	for rows.Next() {
		p, err := scanIdentityProvider(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// CreateIdentityProvider implements procedo.IdentityProviderService.
func (s *IdentityProviderService) CreateIdentityProvider(ctx context.Context, p *procedo.IdentityProviderConfig) (err error) {
	defer procedo.Wrap(&err, "sqlstore.CreateIdentityProvider(%q)", p.ID)
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin); err != nil {
		return err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	p.TenantID = tid
	p.ID = strings.ToLower(strings.TrimSpace(p.ID))
	p.Label = strings.TrimSpace(p.Label)
	if err := p.Validate(); err != nil {
		return err
	}
	return s.db.transact(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO identity_providers (tenant_id, id, kind, label, config, enabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, tid, p.ID, string(p.Kind), p.Label, string(p.Config), p.Enabled, s.db.ts(tx.now), s.db.ts(tx.now))
		if procedo.ErrorCode(err) == procedo.ECONFLICT {
			return procedo.FieldErrors{"id": "Esiste già un metodo di accesso con questo identificativo."}
		}
		if err != nil {
			return err
		}
		p.CreatedAt, p.UpdatedAt = tx.now, tx.now
		// The audit records who changed the login configuration, never the settings (secrets).
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "identity_provider.create", ObjectType: "identity_provider",
			ObjectID: p.ID, Detail: string(p.Kind) + " " + p.Label})
	})
}

// UpdateIdentityProvider implements procedo.IdentityProviderService.
func (s *IdentityProviderService) UpdateIdentityProvider(ctx context.Context, id string, upd procedo.IdentityProviderUpdate) (_ *procedo.IdentityProviderConfig, err error) {
	defer procedo.Wrap(&err, "sqlstore.UpdateIdentityProvider(%q)", id)
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin); err != nil {
		return nil, err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var out *procedo.IdentityProviderConfig
	err = s.db.transact(ctx, func(tx *Tx) error {
		p, err := scanIdentityProvider(tx.queryRow(ctx, `SELECT `+identityProviderColumns+` FROM identity_providers p WHERE p.tenant_id = ? AND p.id = ?`, tid, id))
		if err != nil {
			return notFound(err, "Metodo di accesso non trovato.")
		}
		if upd.Label != nil {
			p.Label = strings.TrimSpace(*upd.Label)
		}
		if upd.Config != nil {
			p.Config = *upd.Config
		}
		if upd.Enabled != nil {
			p.Enabled = *upd.Enabled
		}
		if err := p.Validate(); err != nil {
			return err
		}
		p.UpdatedAt = tx.now
		if _, err := tx.exec(ctx, `UPDATE identity_providers SET label = ?, config = ?, enabled = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
			p.Label, string(p.Config), p.Enabled, s.db.ts(tx.now), tid, id); err != nil {
			return err
		}
		out = p
		detail := "enabled"
		if !p.Enabled {
			detail = "disabled"
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "identity_provider.update", ObjectType: "identity_provider", ObjectID: p.ID, Detail: detail})
	})
	return out, err
}
