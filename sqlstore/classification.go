// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"

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
	rows, err := s.db.query(ctx, `SELECT id, code, parent_code, title FROM classifications WHERE tenant_id = ? ORDER BY position, id`, tid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*procedo.Classification
	for rows.Next() {
		var c procedo.Classification
		if err := rows.Scan(&c.ID, &c.Code, &c.ParentCode, &c.Title); err != nil {
			return nil, err
		}
		out = append(out, &c)
	}
	return out, rows.Err()
}
