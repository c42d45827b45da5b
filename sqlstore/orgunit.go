// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"strings"

	"github.com/procedo/procedo"
)

// OrgUnitService implements procedo.OrgUnitService.
type OrgUnitService struct{ db *DB }

// NewOrgUnitService returns an OrgUnitService on db.
func NewOrgUnitService(db *DB) *OrgUnitService { return &OrgUnitService{db: db} }

var _ procedo.OrgUnitService = (*OrgUnitService)(nil)

const orgUnitColumns = `o.id, o.tenant_id, o.code, o.name, o.email, o.phone, o.head`

func scanOrgUnit(row interface{ Scan(...any) error }) (*procedo.OrgUnit, error) {
	var o procedo.OrgUnit
	err := row.Scan(&o.ID, &o.TenantID, &o.Code, &o.Name, &o.Email, &o.Phone, &o.Head)
	return &o, err
}

// CreateOrgUnit implements procedo.OrgUnitService.
func (s *OrgUnitService) CreateOrgUnit(ctx context.Context, o *procedo.OrgUnit) (err error) {
	defer procedo.Wrap(&err, "sqlstore.CreateOrgUnit(%q)", o.Code)
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin); err != nil {
		return err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	o.TenantID = tid
	o.Code = strings.ToUpper(strings.TrimSpace(o.Code))
	o.Name = strings.TrimSpace(o.Name)
	if err := o.Validate(); err != nil {
		return err
	}
	return s.db.transact(ctx, func(tx *Tx) error {
		id, err := tx.insert(ctx, `INSERT INTO org_units (tenant_id, code, name, email, phone, head, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			tid, o.Code, o.Name, o.Email, o.Phone, o.Head, s.db.ts(tx.now))
		if procedo.ErrorCode(err) == procedo.ECONFLICT {
			return procedo.FieldErrors{"code": "Esiste già un ufficio con questo codice."}
		}
		if err != nil {
			return err
		}
		o.ID = id
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "orgunit.create", ObjectType: "org_unit", ObjectID: o.Code, Detail: o.Name})
	})
}

// FindOrgUnitByID implements procedo.OrgUnitService.
func (s *OrgUnitService) FindOrgUnitByID(ctx context.Context, id int64) (_ *procedo.OrgUnit, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindOrgUnitByID(%d)", id)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	o, err := scanOrgUnit(s.db.queryRow(ctx, `SELECT `+orgUnitColumns+` FROM org_units o WHERE o.tenant_id = ? AND o.id = ?`, tid, id))
	return o, notFound(err, "Ufficio non trovato.")
}

// FindOrgUnitByCode implements procedo.OrgUnitService.
func (s *OrgUnitService) FindOrgUnitByCode(ctx context.Context, code string) (_ *procedo.OrgUnit, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindOrgUnitByCode(%q)", code)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	o, err := scanOrgUnit(s.db.queryRow(ctx, `SELECT `+orgUnitColumns+` FROM org_units o WHERE o.tenant_id = ? AND o.code = ?`, tid, strings.ToUpper(code)))
	return o, notFound(err, "Ufficio non trovato.")
}

// FindOrgUnits implements procedo.OrgUnitService.
func (s *OrgUnitService) FindOrgUnits(ctx context.Context) (_ []*procedo.OrgUnit, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindOrgUnits")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT `+orgUnitColumns+` FROM org_units o WHERE o.tenant_id = ? ORDER BY o.name`, tid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*procedo.OrgUnit
	for rows.Next() {
		o, err := scanOrgUnit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// UpdateOrgUnit implements procedo.OrgUnitService.
func (s *OrgUnitService) UpdateOrgUnit(ctx context.Context, id int64, upd procedo.OrgUnitUpdate) (_ *procedo.OrgUnit, err error) {
	defer procedo.Wrap(&err, "sqlstore.UpdateOrgUnit(%d)", id)
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin); err != nil {
		return nil, err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var out *procedo.OrgUnit
	err = s.db.transact(ctx, func(tx *Tx) error {
		o, err := scanOrgUnit(tx.queryRow(ctx, `SELECT `+orgUnitColumns+` FROM org_units o WHERE o.tenant_id = ? AND o.id = ?`, tid, id))
		if err != nil {
			return notFound(err, "Ufficio non trovato.")
		}
		if upd.Name != nil {
			o.Name = strings.TrimSpace(*upd.Name)
		}
		if upd.Email != nil {
			o.Email = strings.TrimSpace(*upd.Email)
		}
		if upd.Phone != nil {
			o.Phone = strings.TrimSpace(*upd.Phone)
		}
		if upd.Head != nil {
			o.Head = strings.TrimSpace(*upd.Head)
		}
		if err := o.Validate(); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE org_units SET name = ?, email = ?, phone = ?, head = ? WHERE tenant_id = ? AND id = ?`,
			o.Name, o.Email, o.Phone, o.Head, tid, id); err != nil {
			return err
		}
		out = o
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "orgunit.update", ObjectType: "org_unit", ObjectID: o.Code})
	})
	return out, err
}
