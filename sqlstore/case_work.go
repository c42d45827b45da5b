// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/procedo/procedo"
)

var _ procedo.CaseWorkService = (*CaseService)(nil)

// AssignCase implements procedo.CaseWorkService.
func (s *CaseService) AssignCase(ctx context.Context, id, userID int64) (_ *procedo.Case, err error) {
	defer procedo.Wrap(&err, "sqlstore.AssignCase(%d, %d)", id, userID)
	cases, assignee, err := s.checkAssign(ctx, []int64{id}, userID)
	if err != nil {
		return nil, err
	}
	err = s.db.transact(ctx, func(tx *Tx) error { return s.assign(ctx, tx, cases[0], assignee) })
	if err != nil {
		return nil, err
	}
	return cases[0], nil
}

// AssignCases implements procedo.CaseWorkService.
func (s *CaseService) AssignCases(ctx context.Context, ids []int64, userID int64) (err error) {
	defer procedo.Wrap(&err, "sqlstore.AssignCases(%d)", userID)
	cases, assignee, err := s.checkAssign(ctx, ids, userID)
	if err != nil {
		return err
	}
	if u := procedo.UserFromContext(ctx); !u.HasRole(procedo.RoleManager) {
		return procedo.Errorf(procedo.EFORBIDDEN, "Solo un dirigente assegna più pratiche insieme.")
	}
	return s.db.transact(ctx, func(tx *Tx) error {
		for _, cas := range cases {
			if err := s.assign(ctx, tx, cas, assignee); err != nil {
				return fmt.Errorf("pratica n. %d: %w", cas.ID, err)
			}
		}
		return nil
	})
}

// maxBulk bounds the cases of one bulk action.
const maxBulk = 500

// checkAssign loads the cases and the assignee and checks the actor may
// assign each case to them.
func (s *CaseService) checkAssign(ctx context.Context, ids []int64, userID int64) ([]*procedo.Case, *procedo.User, error) {
	ids = uniqueIDs(ids)
	if len(ids) == 0 || len(ids) > maxBulk {
		return nil, nil, procedo.FieldErrors{"ids": fmt.Sprintf("Scegli da 1 a %d pratiche.", maxBulk)}
	}
	var cases []*procedo.Case
	for _, id := range ids {
		cas, err := s.FindCaseByID(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		cases = append(cases, cas)
	}
	if procedo.UserFromContext(ctx) == nil {
		return nil, nil, procedo.Errorf(procedo.EFORBIDDEN, "Solo il personale dell'ente assegna le pratiche.")
	}
	assignee, err := NewUserService(s.db).FindUserByID(ctx, userID)
	if procedo.ErrorCode(err) == procedo.ENOTFOUND {
		return nil, nil, procedo.FieldErrors{"user_id": "Utente sconosciuto."}
	} else if err != nil {
		return nil, nil, err
	}
	for _, cas := range cases {
		if err := procedo.CanAssignCase(procedo.ActorFromContext(ctx), cas, assignee); err != nil {
			if len(cases) > 1 {
				return nil, nil, fmt.Errorf("pratica n. %d: %w", cas.ID, err)
			}
			return nil, nil, err
		}
	}
	return cases, assignee, nil
}

func uniqueIDs(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if id > 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// assign makes assignee responsible for cas inside tx. A case taken by an
// operator must still be unassigned (or theirs) when the row is written.
func (s *CaseService) assign(ctx context.Context, tx *Tx, cas *procedo.Case, assignee *procedo.User) error {
	u := procedo.UserFromContext(ctx)
	q := `UPDATE cases SET responsible_user_id = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND closed_at IS NULL`
	args := []any{assignee.ID, s.db.ts(tx.now), cas.TenantID, cas.ID}
	if !u.HasRole(procedo.RoleManager) {
		q += ` AND (responsible_user_id IS NULL OR responsible_user_id = ?)`
		args = append(args, u.ID)
	}
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errConcurrent
	}
	name := assignee.FullName
	if name == "" {
		name = assignee.Username
	}
	cas.ResponsibleUserID, cas.ResponsibleName, cas.UpdatedAt = &assignee.ID, name, tx.now
	if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventAssigned, FromStatus: cas.Status,
		ToStatus: cas.Status, Reason: "Responsabile del procedimento: " + name}); err != nil {
		return err
	}
	if assignee.ID != u.ID && assignee.Email != "" {
		subject, body := procedo.CaseNotice{Tenant: procedo.TenantFromContext(ctx), Case: cas, BaseURL: s.db.BaseURL}.ToStaff(
			"ti è stata assegnata", u.FullName+" ti ha assegnato la pratica come responsabile del procedimento.")
		if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: cas.TenantID, To: assignee.Email, Subject: subject, Body: body}); err != nil {
			return err
		}
	}
	return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.assign", ObjectType: "case", ObjectID: itoa(cas.ID),
		Detail: "user:" + assignee.Username})
}

// RemindCases implements procedo.CaseWorkService.
func (s *CaseService) RemindCases(ctx context.Context, ids []int64, message string) (err error) {
	defer procedo.Wrap(&err, "sqlstore.RemindCases")
	message = strings.TrimSpace(message)
	switch {
	case message == "":
		return procedo.FieldErrors{"message": "Scrivi il testo del sollecito."}
	case len([]rune(message)) > 2000:
		return procedo.FieldErrors{"message": "Il sollecito non può superare 2000 caratteri."}
	}
	ids = uniqueIDs(ids)
	if len(ids) == 0 || len(ids) > maxBulk {
		return procedo.FieldErrors{"ids": fmt.Sprintf("Scegli da 1 a %d pratiche.", maxBulk)}
	}
	var cases []*procedo.Case
	for _, id := range ids {
		cas, err := s.FindCaseByID(ctx, id)
		if err != nil {
			return err
		}
		if err := procedo.CanRemindCase(procedo.ActorFromContext(ctx), cas); err != nil {
			return err
		}
		if cas.Status.Closed() {
			return procedo.Errorf(procedo.ECONFLICT, "La pratica n. %d è conclusa.", cas.ID)
		}
		cases = append(cases, cas)
	}
	tenant, u := procedo.TenantFromContext(ctx), procedo.UserFromContext(ctx)
	return s.db.transact(ctx, func(tx *Tx) error {
		for _, cas := range cases {
			to, err := responsibleAddress(ctx, tx, cas)
			if err != nil {
				return err
			}
			subject, body := procedo.CaseNotice{Tenant: tenant, Case: cas, BaseURL: s.db.BaseURL}.ToStaff("sollecito",
				"Sollecito di "+u.FullName+":", message)
			if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: tenant.ID, To: to, Subject: subject, Body: body}); err != nil {
				return err
			}
			if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventReminder, FromStatus: cas.Status,
				ToStatus: cas.Status, Reason: message}); err != nil {
				return err
			}
			if err := recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.remind", ObjectType: "case", ObjectID: itoa(cas.ID)}); err != nil {
				return err
			}
		}
		return nil
	})
}

// responsibleAddress returns the e-mail of the responsible person of cas, or
// of its office when unassigned or without e-mail ("" if none).
func responsibleAddress(ctx context.Context, q interface {
	queryRow(ctx context.Context, q string, args ...any) *sql.Row
}, cas *procedo.Case) (string, error) {
	var email string
	err := q.queryRow(ctx, `SELECT COALESCE(NULLIF(u.email, ''), o.email) FROM cases c JOIN org_units o ON o.id = c.org_unit_id
		LEFT JOIN users u ON u.id = c.responsible_user_id WHERE c.tenant_id = ? AND c.id = ?`, cas.TenantID, cas.ID).Scan(&email)
	return email, err
}

// managerAddresses returns the e-mails of the active managers of the office of
// cas (and of managers of no office).
func managerAddresses(ctx context.Context, q querier, cas *procedo.Case) ([]string, error) {
	rows, err := q.query(ctx, `SELECT email, roles FROM users WHERE tenant_id = ? AND disabled = ? AND email <> ''
		AND (org_unit_id = ? OR org_unit_id IS NULL) ORDER BY id`, cas.TenantID, false, cas.OrgUnitID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var email, roles string
		if err := rows.Scan(&email, &roles); err != nil {
			return nil, err
		}
		if rs, err := procedo.ParseRoles(roles); err == nil && slices.Contains(rs, procedo.RoleManager) && !slices.Contains(out, email) {
			out = append(out, email)
		}
	}
	return out, rows.Err()
}

// ExtendCaseTerm implements procedo.CaseWorkService.
func (s *CaseService) ExtendCaseTerm(ctx context.Context, id int64, ext int, reason string) (_ *procedo.Case, err error) {
	defer procedo.Wrap(&err, "sqlstore.ExtendCaseTerm(%d, %d)", id, ext)
	cas, v, err := s.staffCase(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := procedo.CanWorkCase(procedo.ActorFromContext(ctx), cas); err != nil {
		return nil, err
	}
	def := &v.Definition
	if ext < 0 || ext >= len(def.Extensions) {
		return nil, procedo.FieldErrors{"extension": "Proroga non prevista dal procedimento."}
	}
	if cas.Status.Closed() {
		return nil, procedo.Errorf(procedo.ECONFLICT, "La pratica è conclusa.")
	}
	e := def.Extensions[ext]
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > procedo.MaxReasonLength {
		return nil, procedo.FieldErrors{"reason": "La motivazione non può superare 4000 caratteri."}
	}
	if reason == "" {
		reason = e.Reason
	}
	cause := procedo.CaseWaiting(fmt.Sprintf("extension-%d", ext))
	events, err := s.clockEvents(ctx, s.db, cas)
	if err != nil {
		return nil, err
	}
	if slices.ContainsFunc(events, func(x procedo.CaseClockEvent) bool { return x.Kind == procedo.ClockExtend && x.Cause == cause }) {
		return nil, procedo.Errorf(procedo.ECONFLICT, "Questa proroga è già stata applicata.")
	}
	today, cal := procedo.DateOf(s.db.Now()), calendarOf(ctx)
	clock, err := procedo.ComputeCaseClock(cas, events, cal, today)
	if err != nil {
		return nil, err
	}
	if clock.Overdue {
		return nil, procedo.Errorf(procedo.ECONFLICT, "Il termine è scaduto il %s: non si può più prorogare.", clock.Due.Italian())
	}
	err = s.db.transact(ctx, func(tx *Tx) error {
		current, err := s.clockEvents(ctx, tx, cas)
		if err != nil {
			return err
		}
		if len(current) != len(events) {
			return errConcurrent
		}
		planned := []procedo.CaseClockEvent{{Kind: procedo.ClockExtend, Date: today, Days: e.Days, Cause: cause, Reason: reason}}
		upd := caseUpdate{status: cas.Status}
		if err := s.applyClock(ctx, tx, cas, events, planned, cal, today, &upd); err != nil {
			return err
		}
		if err := s.updateCase(ctx, tx, cas, cas.Status, upd); err != nil {
			return err
		}
		if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventExtension, FromStatus: cas.Status,
			ToStatus: cas.Status, Reason: fmt.Sprintf("Proroga di %s: %s", procedo.FormatDays(e.Days), reason)}); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.extend", ObjectType: "case", ObjectID: itoa(cas.ID),
			Detail: fmt.Sprintf("%d giorni", e.Days)})
	})
	if err != nil {
		return nil, err
	}
	return cas, nil
}

// Decision drafts.

const decisionDraftColumns = `id, tenant_id, case_id, transition, reason, text, status, author_id, author_name, reviewer_name, note, created_at, reviewed_at`

func scanDecisionDraft(row interface{ Scan(...any) error }) (*procedo.DecisionDraft, error) {
	var d procedo.DecisionDraft
	err := row.Scan(&d.ID, &d.TenantID, &d.CaseID, &d.Transition, &d.Reason, &d.Text, &d.Status, &d.AuthorID, &d.AuthorName,
		&d.ReviewerName, &d.Note, timeValue{&d.CreatedAt}, nullTime{&d.ReviewedAt})
	return &d, err
}

// SubmitDecisionDraft implements procedo.CaseWorkService.
func (s *CaseService) SubmitDecisionDraft(ctx context.Context, id int64, name, reason, text string) (_ *procedo.DecisionDraft, err error) {
	defer procedo.Wrap(&err, "sqlstore.SubmitDecisionDraft(%d, %q)", id, name)
	cas, v, err := s.staffCase(ctx, id)
	if err != nil {
		return nil, err
	}
	tr, err := procedo.FindTransition(&v.Definition, cas.Status, name)
	if err != nil {
		return nil, err
	}
	u := procedo.UserFromContext(ctx)
	if err := procedo.CanDraftDecision(procedo.ActorFromContext(ctx), cas, tr); err != nil {
		return nil, err
	}
	if reason, text, err = cleanActInput(tr, reason, text); err != nil {
		return nil, err
	}
	if text == "" {
		if text, err = s.DocumentText(ctx, id, name, reason); err != nil {
			return nil, err
		}
	}
	d := &procedo.DecisionDraft{TenantID: cas.TenantID, CaseID: cas.ID, Transition: tr.Name, Reason: reason, Text: text,
		Status: procedo.DraftPending, AuthorID: u.ID, AuthorName: procedo.ActorFromContext(ctx).Name()}
	err = s.db.transact(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE decision_drafts SET status = ?, note = ?, reviewed_at = ? WHERE tenant_id = ? AND case_id = ? AND status = ?`,
			procedo.DraftReturned, "Sostituita da una nuova bozza.", s.db.ts(tx.now), cas.TenantID, cas.ID, procedo.DraftPending); err != nil {
			return err
		}
		d.CreatedAt = tx.now
		if d.ID, err = tx.insert(ctx, `INSERT INTO decision_drafts (tenant_id, case_id, transition, reason, text, status, author_id, author_name,
			created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.TenantID, d.CaseID, d.Transition, d.Reason, d.Text, d.Status, d.AuthorID,
			d.AuthorName, s.db.ts(tx.now)); err != nil {
			return err
		}
		if err := setAwaitingApproval(ctx, tx, cas, true); err != nil {
			return err
		}
		managers, err := managerAddresses(ctx, tx, cas)
		if err != nil {
			return err
		}
		subject, body := procedo.CaseNotice{Tenant: procedo.TenantFromContext(ctx), Case: cas, BaseURL: s.db.BaseURL}.ToStaff(
			"provvedimento da approvare", d.AuthorName+" ha preparato la bozza «"+tr.Label+"» e ne chiede l'approvazione.")
		for _, to := range managers {
			if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: cas.TenantID, To: to, Subject: subject, Body: body}); err != nil {
				return err
			}
		}
		if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventDraft, FromStatus: cas.Status,
			ToStatus: cas.Status, Transition: tr.Name, Reason: reason}); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.draft", ObjectType: "case", ObjectID: itoa(cas.ID), Detail: tr.Name})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// setAwaitingApproval flags cas, checking its status has not changed.
func setAwaitingApproval(ctx context.Context, tx *Tx, cas *procedo.Case, on bool) error {
	res, err := tx.exec(ctx, `UPDATE cases SET awaiting_approval = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND status = ?`,
		on, tx.db.ts(tx.now), cas.TenantID, cas.ID, cas.Status)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errConcurrent
	}
	cas.AwaitingApproval, cas.UpdatedAt = on, tx.now
	return nil
}

// settleDrafts closes the pending drafts of cas after a transition: the draft
// approved (if any) becomes approved, any other is superseded by the new state.
func settleDrafts(ctx context.Context, tx *Tx, cas *procedo.Case, approved int64) error {
	a := procedo.ActorFromContext(ctx)
	if approved != 0 {
		res, err := tx.exec(ctx, `UPDATE decision_drafts SET status = ?, reviewer_name = ?, reviewed_at = ? WHERE tenant_id = ? AND id = ? AND status = ?`,
			procedo.DraftApproved, a.Name(), tx.db.ts(tx.now), cas.TenantID, approved, procedo.DraftPending)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errConcurrent
		}
	}
	if _, err := tx.exec(ctx, `UPDATE decision_drafts SET status = ?, note = ?, reviewed_at = ? WHERE tenant_id = ? AND case_id = ? AND status = ?`,
		procedo.DraftReturned, "Superata: la pratica è passata allo stato «"+cas.Status.Label()+"».", tx.db.ts(tx.now), cas.TenantID, cas.ID,
		procedo.DraftPending); err != nil {
		return err
	}
	if cas.AwaitingApproval {
		if _, err := tx.exec(ctx, `UPDATE cases SET awaiting_approval = ? WHERE tenant_id = ? AND id = ?`, false, cas.TenantID, cas.ID); err != nil {
			return err
		}
		cas.AwaitingApproval = false
	}
	return nil
}

// FindDecisionDrafts implements procedo.CaseWorkService.
func (s *CaseService) FindDecisionDrafts(ctx context.Context, caseID int64) (_ []*procedo.DecisionDraft, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindDecisionDrafts(%d)", caseID)
	cas, _, err := s.staffCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT `+decisionDraftColumns+` FROM decision_drafts WHERE tenant_id = ? AND case_id = ? ORDER BY id DESC`,
		cas.TenantID, cas.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*procedo.DecisionDraft
	for rows.Next() {
		d, err := scanDecisionDraft(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// findDraft returns draft id of the tenant with its case, which the actor may view.
func (s *CaseService) findDraft(ctx context.Context, id int64) (*procedo.DecisionDraft, *procedo.Case, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, nil, err
	}
	d, err := scanDecisionDraft(s.db.queryRow(ctx, `SELECT `+decisionDraftColumns+` FROM decision_drafts WHERE tenant_id = ? AND id = ?`, tid, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, procedo.Errorf(procedo.ENOTFOUND, "Bozza non trovata.")
	} else if err != nil {
		return nil, nil, err
	}
	cas, err := s.FindCaseByID(ctx, d.CaseID)
	if err != nil {
		return nil, nil, procedo.Errorf(procedo.ENOTFOUND, "Bozza non trovata.")
	}
	if err := procedo.CanApproveDecision(procedo.ActorFromContext(ctx), cas); err != nil {
		return nil, nil, err
	}
	if d.Status != procedo.DraftPending {
		return nil, nil, procedo.Errorf(procedo.ECONFLICT, "La bozza è già stata esaminata (%s).", strings.ToLower(d.Status.Label()))
	}
	return d, cas, nil
}

// ApproveDecisionDraft implements procedo.CaseWorkService.
func (s *CaseService) ApproveDecisionDraft(ctx context.Context, draftID int64) (_ *procedo.Case, err error) {
	defer procedo.Wrap(&err, "sqlstore.ApproveDecisionDraft(%d)", draftID)
	d, cas, err := s.findDraft(ctx, draftID)
	if err != nil {
		return nil, err
	}
	v, err := NewProcedureService(s.db).FindProcedureVersionByID(ctx, cas.ProcedureVersionID)
	if err != nil {
		return nil, err
	}
	tr, err := procedo.FindTransition(&v.Definition, cas.Status, d.Transition)
	if err != nil {
		return nil, err
	}
	// The manager adopts the act: approval is their right even when the
	// transition's roles name only operators.
	return s.fire(ctx, cas, v, tr, fireOptions{reason: d.Reason, text: d.Text, draftID: d.ID})
}

// ReturnDecisionDraft implements procedo.CaseWorkService.
func (s *CaseService) ReturnDecisionDraft(ctx context.Context, draftID int64, note string) (_ *procedo.DecisionDraft, err error) {
	defer procedo.Wrap(&err, "sqlstore.ReturnDecisionDraft(%d)", draftID)
	d, cas, err := s.findDraft(ctx, draftID)
	if err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	switch {
	case note == "":
		return nil, procedo.FieldErrors{"note": "Spiega che cosa va cambiato."}
	case len([]rune(note)) > procedo.MaxReasonLength:
		return nil, procedo.FieldErrors{"note": "La nota non può superare 4000 caratteri."}
	}
	a := procedo.ActorFromContext(ctx)
	err = s.db.transact(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE decision_drafts SET status = ?, note = ?, reviewer_name = ?, reviewed_at = ? WHERE tenant_id = ? AND id = ? AND status = ?`,
			procedo.DraftReturned, note, a.Name(), s.db.ts(tx.now), d.TenantID, d.ID, procedo.DraftPending)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errConcurrent
		}
		d.Status, d.Note, d.ReviewerName, d.ReviewedAt = procedo.DraftReturned, note, a.Name(), &tx.now
		if err := setAwaitingApproval(ctx, tx, cas, false); err != nil {
			return err
		}
		author, err := NewUserService(s.db).FindUserByID(ctx, d.AuthorID)
		if err != nil {
			return err
		}
		if author.Email != "" {
			subject, body := procedo.CaseNotice{Tenant: procedo.TenantFromContext(ctx), Case: cas, BaseURL: s.db.BaseURL}.ToStaff(
				"bozza restituita", a.Name()+" ha restituito la bozza di provvedimento con questa nota:", note)
			if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: cas.TenantID, To: author.Email, Subject: subject, Body: body}); err != nil {
				return err
			}
		}
		if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventDraftReturned, FromStatus: cas.Status,
			ToStatus: cas.Status, Transition: d.Transition, Reason: note}); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.draft_return", ObjectType: "case", ObjectID: itoa(cas.ID)})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// IssueSilenceAttestation implements procedo.CaseWorkService.
func (s *CaseService) IssueSilenceAttestation(ctx context.Context, id int64) (_ *procedo.Case, err error) {
	defer procedo.Wrap(&err, "sqlstore.IssueSilenceAttestation(%d)", id)
	cas, err := s.FindCaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	a := procedo.ActorFromContext(ctx)
	if a.Citizen == nil {
		if err := procedo.CanWorkCase(a, cas); err != nil {
			return nil, err
		}
	}
	switch {
	case cas.SilenceFormedOn.IsZero():
		return nil, procedo.Errorf(procedo.ECONFLICT, "Il silenzio-assenso non si è formato su questa pratica.")
	case cas.AttestationDocumentID != nil:
		return nil, procedo.Errorf(procedo.ECONFLICT, "L'attestazione del silenzio-assenso è già stata rilasciata: la trovi tra i documenti della pratica.")
	}
	v, err := NewProcedureService(s.db).FindProcedureVersionByID(ctx, cas.ProcedureVersionID)
	if err != nil {
		return nil, err
	}
	clock, err := s.FindCaseClock(ctx, cas.ID, procedo.Date{})
	if err != nil {
		return nil, err
	}
	act, err := s.newAct(ctx, cas, v, procedo.DocSilenceAttestation, clock)
	if err != nil {
		return nil, err
	}
	if a.Citizen != nil {
		act.Signer = "Il responsabile del procedimento (rilascio telematico su richiesta)"
	}
	blob, err := s.renderAct(ctx, act)
	if err != nil {
		return nil, err
	}
	err = s.db.transact(ctx, func(tx *Tx) error {
		doc, reg, err := s.issueAct(ctx, tx, act, blob)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE cases SET attestation_document_id = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND attestation_document_id IS NULL`,
			doc.ID, s.db.ts(tx.now), cas.TenantID, cas.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errConcurrent
		}
		cas.AttestationDocumentID = &doc.ID
		if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventAttestation, FromStatus: cas.Status,
			ToStatus: cas.Status, RegistrationID: &reg.ID, DocumentID: &doc.ID,
			Reason: "Attestazione rilasciata ai sensi dell'art. 20, c. 2-bis, L. 241/1990"}); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.attestation", ObjectType: "case", ObjectID: itoa(cas.ID), Detail: reg.Signature()})
	})
	if err != nil {
		return nil, err
	}
	return cas, nil
}
