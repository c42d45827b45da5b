// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/procedo/procedo"
)

// ProcedureService implements procedo.ProcedureService.
type ProcedureService struct{ db *DB }

// NewProcedureService returns a ProcedureService on db.
func NewProcedureService(db *DB) *ProcedureService { return &ProcedureService{db: db} }

var _ procedo.ProcedureService = (*ProcedureService)(nil)

const versionColumns = `v.id, v.tenant_id, v.procedure_type_id, t.key, v.version, v.status, v.definition, v.published_at, v.created_at`

func scanVersion(row interface{ Scan(...any) error }) (*procedo.ProcedureVersion, error) {
	var v procedo.ProcedureVersion
	var def string
	if err := row.Scan(&v.ID, &v.TenantID, &v.ProcedureTypeID, &v.Key, &v.Version, &v.Status, &def,
		nullTime{&v.PublishedAt}, timeValue{&v.CreatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(def), &v.Definition); err != nil {
		return nil, err
	}
	return &v, nil
}

// newestPublished selects the newest published version of each type.
const newestPublished = `SELECT ` + versionColumns + ` FROM procedure_versions v
	JOIN procedure_types t ON t.id = v.procedure_type_id
	WHERE v.tenant_id = ? AND v.status = 'published' AND v.version = (
		SELECT MAX(v2.version) FROM procedure_versions v2
		WHERE v2.procedure_type_id = v.procedure_type_id AND v2.status = 'published')`

// FindPublishedProcedures implements procedo.ProcedureService.
func (s *ProcedureService) FindPublishedProcedures(ctx context.Context) (_ []*procedo.ProcedureVersion, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindPublishedProcedures")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, newestPublished+` ORDER BY t.title`, tid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*procedo.ProcedureVersion
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// FindPublishedProcedure implements procedo.ProcedureService.
func (s *ProcedureService) FindPublishedProcedure(ctx context.Context, key string) (_ *procedo.ProcedureVersion, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindPublishedProcedure(%q)", key)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	v, err := scanVersion(s.db.queryRow(ctx, newestPublished+` AND t.key = ?`, tid, key))
	return v, notFound(err, "Servizio non trovato.")
}

// FindProcedureVersionByID implements procedo.ProcedureService.
func (s *ProcedureService) FindProcedureVersionByID(ctx context.Context, id int64) (_ *procedo.ProcedureVersion, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindProcedureVersionByID(%d)", id)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	v, err := scanVersion(s.db.queryRow(ctx, `SELECT `+versionColumns+` FROM procedure_versions v
		JOIN procedure_types t ON t.id = v.procedure_type_id WHERE v.tenant_id = ? AND v.id = ?`, tid, id))
	return v, notFound(err, "Procedimento non trovato.")
}

// PublishProcedure implements procedo.ProcedureService.
func (s *ProcedureService) PublishProcedure(ctx context.Context, def *procedo.ProcedureDefinition) (_ *procedo.ProcedureVersion, err error) {
	defer procedo.Wrap(&err, "sqlstore.PublishProcedure(%q)", def.ID)
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin); err != nil {
		return nil, err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if err := def.Validate(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(def)
	if err != nil {
		return nil, err
	}
	var out *procedo.ProcedureVersion
	err = s.db.transact(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM org_units WHERE tenant_id = ? AND code = ?`, tid, def.OfficeCode).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return procedo.FieldErrors{"office": "L'ufficio responsabile " + def.OfficeCode + " non esiste in questo ente."}
		}
		var typeID int64
		err := tx.queryRow(ctx, `SELECT id FROM procedure_types WHERE tenant_id = ? AND key = ?`, tid, def.ID).Scan(&typeID)
		if err != nil {
			if err = notFound(err, ""); procedo.ErrorCode(err) != procedo.ENOTFOUND {
				return err
			}
			if typeID, err = tx.insert(ctx, `INSERT INTO procedure_types (tenant_id, key, title, created_at) VALUES (?, ?, ?, ?)`,
				tid, def.ID, def.Title, s.db.ts(tx.now)); err != nil {
				return err
			}
		} else if _, err := tx.exec(ctx, `UPDATE procedure_types SET title = ? WHERE id = ?`, def.Title, typeID); err != nil {
			return err
		}
		var version int
		if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM procedure_versions WHERE procedure_type_id = ?`, typeID).Scan(&version); err != nil {
			return err
		}
		now := tx.now
		id, err := tx.insert(ctx, `INSERT INTO procedure_versions (tenant_id, procedure_type_id, version, status, definition, published_at, created_at)
			VALUES (?, ?, ?, 'published', ?, ?, ?)`, tid, typeID, version, string(body), s.db.ts(now), s.db.ts(now))
		if err != nil {
			return err
		}
		out = &procedo.ProcedureVersion{ID: id, TenantID: tid, ProcedureTypeID: typeID, Key: def.ID, Version: version,
			Status: procedo.ProcedurePublished, Definition: *def, PublishedAt: &now, CreatedAt: now}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "procedure.publish", ObjectType: "procedure", ObjectID: def.ID})
	})
	return out, err
}
