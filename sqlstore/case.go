// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/procedo/procedo"
)

// CaseService implements procedo.CaseService.
type CaseService struct{ db *DB }

// NewCaseService returns a CaseService on db (TransitionCase needs db.Blobs and db.Renderer).
func NewCaseService(db *DB) *CaseService { return &CaseService{db: db} }

var _ procedo.CaseService = (*CaseService)(nil)

const caseColumns = `c.id, c.tenant_id, c.procedure_version_id, t.title, c.application_id, c.org_unit_id, o.name, c.responsible_user_id,
	COALESCE(u.full_name, ''), c.applicant_fiscal_code, c.applicant_name, c.applicant_email, c.subject, c.status, c.start_date,
	c.term_days, c.due_date, c.registration_id, c.decision_document_id, c.decision_registration_id, c.decision_reason,
	c.created_at, c.updated_at, c.closed_at`

const caseFrom = ` FROM cases c
	JOIN procedure_versions v ON v.id = c.procedure_version_id
	JOIN procedure_types t ON t.id = v.procedure_type_id
	JOIN org_units o ON o.id = c.org_unit_id
	LEFT JOIN users u ON u.id = c.responsible_user_id`

func scanCase(row interface{ Scan(...any) error }) (*procedo.Case, error) {
	var c procedo.Case
	var resp, decDoc, decReg sql.NullInt64
	if err := row.Scan(&c.ID, &c.TenantID, &c.ProcedureVersionID, &c.ProcedureTitle, &c.ApplicationID, &c.OrgUnitID, &c.OrgUnitName,
		&resp, &c.ResponsibleName, &c.ApplicantFiscalCode, &c.ApplicantName, &c.ApplicantEmail, &c.Subject, &c.Status, &c.StartDate,
		&c.TermDays, &c.DueDate, &c.RegistrationID, &decDoc, &decReg, &c.DecisionReason,
		timeValue{&c.CreatedAt}, timeValue{&c.UpdatedAt}, nullTime{&c.ClosedAt}); err != nil {
		return nil, err
	}
	if resp.Valid {
		c.ResponsibleUserID = &resp.Int64
	}
	if decDoc.Valid {
		c.DecisionDocumentID = &decDoc.Int64
	}
	if decReg.Valid {
		c.DecisionRegistrationID = &decReg.Int64
	}
	return &c, nil
}

// visibleCases returns the SQL condition limiting cases to those the actor may
// view (the same rule as procedo.CanViewCase), or ok=false if none.
func visibleCases(a *procedo.Actor) (cond string, args []any, ok bool) {
	switch {
	case a == nil:
		return "", nil, false
	case a.Citizen != nil:
		return "c.applicant_fiscal_code = ?", []any{a.Citizen.FiscalCode}, true
	case a.User != nil:
		u := a.User
		if u.HasRole(procedo.RoleManager) || u.HasRole(procedo.RoleAdmin) || u.HasRole(procedo.RoleRecords) {
			return "1 = 1", nil, true
		}
		if u.HasRole(procedo.RoleOperator) && u.OrgUnitID != nil {
			return "c.org_unit_id = ?", []any{*u.OrgUnitID}, true
		}
	case a.Kind == procedo.ActorSystem:
		return "1 = 1", nil, true
	}
	return "", nil, false
}

// FindCaseByID implements procedo.CaseService.
func (s *CaseService) FindCaseByID(ctx context.Context, id int64) (_ *procedo.Case, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindCaseByID(%d)", id)
	cases, _, err := s.FindCases(ctx, procedo.CaseFilter{ID: &id, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(cases) == 0 {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Pratica non trovata.")
	}
	return cases[0], nil
}

// FindCases implements procedo.CaseService.
func (s *CaseService) FindCases(ctx context.Context, f procedo.CaseFilter) (_ []*procedo.Case, _ int, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindCases")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	cond, args, ok := visibleCases(procedo.ActorFromContext(ctx))
	if !ok {
		return nil, 0, nil
	}
	where := []string{"c.tenant_id = ?", cond}
	args = append([]any{tid}, args...)
	if f.ID != nil {
		where, args = append(where, "c.id = ?"), append(args, *f.ID)
	}
	if f.OrgUnitID != nil {
		where, args = append(where, "c.org_unit_id = ?"), append(args, *f.OrgUnitID)
	}
	if f.ApplicantFiscalCode != nil {
		where, args = append(where, "c.applicant_fiscal_code = ?"), append(args, *f.ApplicantFiscalCode)
	}
	if f.Status != nil {
		where, args = append(where, "c.status = ?"), append(args, string(*f.Status))
	}
	if f.Open != nil {
		if *f.Open {
			where = append(where, "c.closed_at IS NULL")
		} else {
			where = append(where, "c.closed_at IS NOT NULL")
		}
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM cases c WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.query(ctx, `SELECT `+caseColumns+caseFrom+` WHERE `+w+` ORDER BY c.id DESC LIMIT ? OFFSET ?`,
		append(args, clampLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*procedo.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// FindCaseEvents implements procedo.CaseService.
func (s *CaseService) FindCaseEvents(ctx context.Context, caseID int64) (_ []*procedo.CaseEvent, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindCaseEvents(%d)", caseID)
	cas, err := s.FindCaseByID(ctx, caseID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT id, case_id, at, kind, from_status, to_status, transition, actor_name, reason, registration_id, document_id
		FROM case_events WHERE tenant_id = ? AND case_id = ? ORDER BY id`, cas.TenantID, cas.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*procedo.CaseEvent
	for rows.Next() {
		var e procedo.CaseEvent
		var reg, doc sql.NullInt64
		if err := rows.Scan(&e.ID, &e.CaseID, timeValue{&e.At}, &e.Kind, &e.FromStatus, &e.ToStatus, &e.Transition, &e.ActorName,
			&e.Reason, &reg, &doc); err != nil {
			return nil, err
		}
		if reg.Valid {
			e.RegistrationID = &reg.Int64
		}
		if doc.Valid {
			e.DocumentID = &doc.Int64
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}

// FindCaseDocuments implements procedo.CaseService.
func (s *CaseService) FindCaseDocuments(ctx context.Context, caseID int64) (_ []*procedo.Document, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindCaseDocuments(%d)", caseID)
	cas, err := s.FindCaseByID(ctx, caseID)
	if err != nil {
		return nil, err
	}
	return s.db.queryDocuments(ctx, `SELECT `+documentColumns+` FROM documents d
		JOIN application_documents ad ON ad.document_id = d.id AND ad.tenant_id = d.tenant_id
		WHERE d.tenant_id = ? AND ad.application_id = ?
		UNION ALL
		SELECT `+documentColumns+` FROM documents d WHERE d.tenant_id = ? AND d.id = ?
		ORDER BY 1`, cas.TenantID, cas.ApplicationID, cas.TenantID, nullID(cas.DecisionDocumentID))
}

func nullID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func insertCaseEvent(ctx context.Context, tx *Tx, e *procedo.CaseEvent) error {
	a := procedo.ActorFromContext(ctx)
	e.At, e.ActorName = tx.now, a.Name()
	id, err := tx.insert(ctx, `INSERT INTO case_events (tenant_id, case_id, at, kind, from_status, to_status, transition, actor, actor_name,
		reason, registration_id, document_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		procedo.TenantIDFromContext(ctx), e.CaseID, tx.db.ts(tx.now), e.Kind, e.FromStatus, e.ToStatus, e.Transition, a.Ref(), e.ActorName,
		e.Reason, e.RegistrationID, e.DocumentID)
	e.ID = id
	return err
}

// TransitionCase implements procedo.CaseService.
func (s *CaseService) TransitionCase(ctx context.Context, id int64, name, reason string) (_ *procedo.Case, err error) {
	defer procedo.Wrap(&err, "sqlstore.TransitionCase(%d, %q)", id, name)
	actor := procedo.ActorFromContext(ctx)
	tenant := procedo.TenantFromContext(ctx)
	if actor == nil || actor.User == nil {
		// Citizens and anonymous callers must not learn whether the case exists.
		if _, err := s.FindCaseByID(ctx, id); err != nil {
			return nil, err
		}
		return nil, procedo.Errorf(procedo.EFORBIDDEN, "Solo il personale dell'ente può decidere una pratica.")
	}
	cas, err := s.FindCaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	// The case runs on its own version's workflow (invariant 6).
	v, err := NewProcedureService(s.db).FindProcedureVersionByID(ctx, cas.ProcedureVersionID)
	if err != nil {
		return nil, err
	}
	tr, err := procedo.FindTransition(&v.Definition, cas.Status, name)
	if err != nil {
		return nil, err
	}
	if err := procedo.CanTransitionCase(actor, cas, tr); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case tr.NeedsReason && reason == "":
		return nil, procedo.FieldErrors{"reason": "Indica la motivazione."}
	case len([]rune(reason)) > procedo.MaxReasonLength:
		return nil, procedo.FieldErrors{"reason": "La motivazione non può superare 4000 caratteri."}
	}
	ou, err := NewOrgUnitService(s.db).FindOrgUnitByID(ctx, cas.OrgUnitID)
	if err != nil {
		return nil, err
	}
	var decision *procedo.BlobInfo
	now := s.db.Now()
	if tr.Decision {
		pdf, err := s.db.Renderer.RenderPDF(ctx, procedo.DecisionPrintDocument(tenant, cas, &v.Definition, ou, tr, reason, actor.Name(), now))
		if err != nil {
			return nil, err
		}
		info, err := s.db.putBytes(ctx, tenant.ID, pdf)
		if err != nil {
			return nil, err
		}
		decision = &info
	}
	err = s.db.transact(ctx, func(tx *Tx) error {
		closed := tr.To.Closed()
		var closedAt any
		if closed {
			closedAt = s.db.ts(tx.now)
		}
		// The status check in the WHERE clause makes two concurrent decisions
		// conflict instead of both succeeding.
		res, err := tx.exec(ctx, `UPDATE cases SET status = ?, updated_at = ?, closed_at = COALESCE(?, closed_at), decision_reason = ?
			WHERE tenant_id = ? AND id = ? AND status = ?`, tr.To, s.db.ts(tx.now), closedAt, reason, tenant.ID, cas.ID, cas.Status)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return procedo.Errorf(procedo.ECONFLICT, "La pratica è stata modificata da un'altra persona: ricarica la pagina.")
		}
		ev := &procedo.CaseEvent{CaseID: cas.ID, Kind: "transition", FromStatus: cas.Status, ToStatus: tr.To, Transition: tr.Name, Reason: reason}
		cas.Status, cas.DecisionReason, cas.UpdatedAt = tr.To, reason, tx.now
		if closed {
			cas.ClosedAt = &tx.now
		}
		if decision != nil {
			doc := &procedo.Document{TenantID: tenant.ID, SHA256: decision.SHA256, Filename: "provvedimento-" + itoa(cas.ID) + ".pdf",
				MediaType: "application/pdf", Size: decision.Size, Kind: procedo.DocumentDecision, Description: "Provvedimento: " + tr.To.Label()}
			if err := insertDocument(ctx, tx, doc); err != nil {
				return err
			}
			reg := &procedo.Registration{TenantID: tenant.ID, Direction: procedo.DirectionOutgoing,
				Subject:        "Provvedimento (" + strings.ToLower(tr.To.Label()) + "): " + cas.Subject + " — pratica n. " + itoa(cas.ID),
				Correspondents: []procedo.Correspondent{{Name: cas.ApplicantName, FiscalCode: cas.ApplicantFiscalCode, Email: cas.ApplicantEmail}},
				DocumentID:     &doc.ID, Fingerprint: doc.SHA256, OrgUnitID: &cas.OrgUnitID, Classification: v.Definition.Classification,
				Channel: "online"}
			if err := registerEntry(ctx, tx, reg); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE cases SET decision_document_id = ?, decision_registration_id = ? WHERE tenant_id = ? AND id = ?`,
				doc.ID, reg.ID, tenant.ID, cas.ID); err != nil {
				return err
			}
			cas.DecisionDocumentID, cas.DecisionRegistrationID = &doc.ID, &reg.ID
			ev.RegistrationID, ev.DocumentID = &reg.ID, &doc.ID
			if tr.NotifyApplicant {
				subject, body := procedo.DecisionMail(tenant, cas, &v.Definition, reg, s.db.BaseURL)
				if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: tenant.ID, To: cas.ApplicantEmail, Subject: subject, Body: body,
					Attachments: []procedo.MailAttachmentRef{{Kind: "document", ID: doc.ID, Filename: doc.Filename}}}); err != nil {
					return err
				}
			}
		}
		if err := insertCaseEvent(ctx, tx, ev); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.transition", ObjectType: "case", ObjectID: itoa(cas.ID),
			Detail: tr.Name})
	})
	if err != nil {
		return nil, err
	}
	return cas, nil
}
