// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"strings"

	"github.com/procedo/procedo"
)

// ClassificationService implements procedo.ClassificationService on the
// classifications table (the titolario loaded by CreateTenant).
type ClassificationService struct{ db *DB }

// NewClassificationService returns a ClassificationService on db.
func NewClassificationService(db *DB) *ClassificationService { return &ClassificationService{db: db} }

var _ procedo.ClassificationService = (*ClassificationService)(nil)

// FindClassifications implements procedo.ClassificationService.
func (s *ClassificationService) FindClassifications(ctx context.Context) (_ []*procedo.Classification, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindClassifications")
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.AllRoles...); err != nil {
		return nil, err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT id, code, parent_code, title, active FROM classifications WHERE tenant_id = ? ORDER BY position, id`, tid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*procedo.Classification
	for rows.Next() {
		var c procedo.Classification
		if err := rows.Scan(&c.ID, &c.Code, &c.ParentCode, &c.Title, &c.Active); err != nil {
			return nil, err
		}
		out = append(out, &c)
	}
	return out, rows.Err()
}

// CreateClassification implements procedo.ClassificationService. The new entry
// goes after the last one of its titolo (or at the end, for a titolo).
func (s *ClassificationService) CreateClassification(ctx context.Context, c *procedo.Classification) (err error) {
	defer procedo.Wrap(&err, "sqlstore.CreateClassification(%q)", c.Code)
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin); err != nil {
		return err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	c.Code, c.ParentCode, c.Title = strings.TrimSpace(c.Code), strings.TrimSpace(c.ParentCode), strings.TrimSpace(c.Title)
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.transact(ctx, func(tx *Tx) error {
		var pos int
		if c.ParentCode != "" {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM classifications WHERE tenant_id = ? AND code = ? AND parent_code = ''`, tid, c.ParentCode).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return procedo.FieldErrors{"parent_code": "Titolo sconosciuto."}
			}
			if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(position), 0) FROM classifications WHERE tenant_id = ? AND (code = ? OR parent_code = ?)`,
				tid, c.ParentCode, c.ParentCode).Scan(&pos); err != nil {
				return err
			}
			// Make room after the titolo's last classe.
			if _, err := tx.exec(ctx, `UPDATE classifications SET position = position + 1 WHERE tenant_id = ? AND position > ?`, tid, pos); err != nil {
				return err
			}
		} else if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(position), 0) FROM classifications WHERE tenant_id = ?`, tid).Scan(&pos); err != nil {
			return err
		}
		c.Active = true
		id, err := tx.insert(ctx, `INSERT INTO classifications (tenant_id, code, parent_code, title, position, active) VALUES (?, ?, ?, ?, ?, ?)`,
			tid, c.Code, c.ParentCode, c.Title, pos+1, true)
		if procedo.ErrorCode(err) == procedo.ECONFLICT {
			return procedo.FieldErrors{"code": "Questo codice esiste già nel titolario."}
		}
		if err != nil {
			return err
		}
		c.ID = id
		return s.recordChange(ctx, tx, tid, c.Code, "created", "", c.Title)
	})
}

func (s *ClassificationService) recordChange(ctx context.Context, tx *Tx, tid int64, code, field, old, new string) error {
	_, err := tx.exec(ctx, `INSERT INTO classification_changes (tenant_id, code, at, actor, field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		tid, code, s.db.ts(tx.now), procedo.ActorFromContext(ctx).Ref(), field, old, new)
	if err != nil {
		return err
	}
	return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "classification." + field, ObjectType: "classification", ObjectID: code, Detail: new})
}

// UpdateClassification implements procedo.ClassificationService.
func (s *ClassificationService) UpdateClassification(ctx context.Context, code string, title *string, active *bool) (_ *procedo.Classification, err error) {
	defer procedo.Wrap(&err, "sqlstore.UpdateClassification(%q)", code)
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin); err != nil {
		return nil, err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var c procedo.Classification
	err = s.db.transact(ctx, func(tx *Tx) error {
		if err := tx.queryRow(ctx, `SELECT id, code, parent_code, title, active FROM classifications WHERE tenant_id = ? AND code = ?`, tid, code).
			Scan(&c.ID, &c.Code, &c.ParentCode, &c.Title, &c.Active); err != nil {
			return notFound(err, "Voce del titolario non trovata.")
		}
		if title != nil && strings.TrimSpace(*title) != c.Title {
			t := strings.TrimSpace(*title)
			if t == "" || len([]rune(t)) > 300 {
				return procedo.FieldErrors{"title": "Indica la denominazione (massimo 300 caratteri)."}
			}
			if _, err := tx.exec(ctx, `UPDATE classifications SET title = ? WHERE id = ?`, t, c.ID); err != nil {
				return err
			}
			if err := s.recordChange(ctx, tx, tid, c.Code, "renamed", c.Title, t); err != nil {
				return err
			}
			c.Title = t
		}
		if active != nil && *active != c.Active {
			if _, err := tx.exec(ctx, `UPDATE classifications SET active = ? WHERE id = ?`, *active, c.ID); err != nil {
				return err
			}
			field := "deactivated"
			if *active {
				field = "activated"
			}
			if err := s.recordChange(ctx, tx, tid, c.Code, field, "", ""); err != nil {
				return err
			}
			c.Active = *active
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}
