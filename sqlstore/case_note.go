// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"

	"github.com/procedo/procedo"
)

var _ procedo.CaseNoteService = (*CaseService)(nil)

// noteCase returns case id if the actor is staff who may view it. Citizens
// get ENOTFOUND for cases not theirs (FindCaseByID) and EFORBIDDEN for theirs.
func (s *CaseService) noteCase(ctx context.Context, id int64) (*procedo.Case, error) {
	cas, err := s.FindCaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if a := procedo.ActorFromContext(ctx); a == nil || a.User == nil {
		return nil, procedo.Errorf(procedo.EFORBIDDEN, "Le note interne sono riservate al personale dell'ente.")
	}
	return cas, nil
}

// AddCaseNote implements procedo.CaseNoteService.
func (s *CaseService) AddCaseNote(ctx context.Context, caseID int64, body string) (_ *procedo.CaseNote, err error) {
	defer procedo.Wrap(&err, "sqlstore.AddCaseNote(%d)", caseID)
	cas, err := s.noteCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if body, err = procedo.CheckNote(body); err != nil {
		return nil, err
	}
	a := procedo.ActorFromContext(ctx)
	n := &procedo.CaseNote{TenantID: cas.TenantID, CaseID: cas.ID, Body: body, AuthorID: a.User.ID, AuthorName: a.Name()}
	err = s.db.transact(ctx, func(tx *Tx) error {
		n.CreatedAt = tx.now
		if n.ID, err = tx.insert(ctx, `INSERT INTO case_notes (tenant_id, case_id, body, author_id, author_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, n.TenantID, n.CaseID, n.Body, n.AuthorID, n.AuthorName, s.db.ts(tx.now)); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.note", ObjectType: "case", ObjectID: itoa(cas.ID),
			Detail: "nota " + itoa(n.ID)})
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// FindCaseNotes implements procedo.CaseNoteService.
func (s *CaseService) FindCaseNotes(ctx context.Context, caseID int64) (_ []*procedo.CaseNote, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindCaseNotes(%d)", caseID)
	cas, err := s.noteCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT id, tenant_id, case_id, body, author_id, author_name, created_at
		FROM case_notes WHERE tenant_id = ? AND case_id = ? ORDER BY id`, cas.TenantID, cas.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*procedo.CaseNote
	for rows.Next() {
		var n procedo.CaseNote
		if err := rows.Scan(&n.ID, &n.TenantID, &n.CaseID, &n.Body, &n.AuthorID, &n.AuthorName, timeValue{&n.CreatedAt}); err != nil {
			return nil, err
		}
		out = append(out, &n)
	}
	return out, rows.Err()
}
