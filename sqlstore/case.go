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
	c.created_at, c.updated_at, c.closed_at, c.regime, c.clock_state, c.waiting, c.waiting_until, c.late, c.silence_formed_on,
	c.attestation_document_id, c.effective_on, c.substitute_requested_at, c.substitute_due_date, c.awaiting_approval, c.retention_years`

const caseFrom = ` FROM cases c
	JOIN procedure_versions v ON v.id = c.procedure_version_id
	JOIN procedure_types t ON t.id = v.procedure_type_id
	JOIN org_units o ON o.id = c.org_unit_id
	LEFT JOIN users u ON u.id = c.responsible_user_id`

func scanCase(row interface{ Scan(...any) error }) (*procedo.Case, error) {
	var c procedo.Case
	var resp, decDoc, decReg, attDoc, retention sql.NullInt64
	if err := row.Scan(&c.ID, &c.TenantID, &c.ProcedureVersionID, &c.ProcedureTitle, &c.ApplicationID, &c.OrgUnitID, &c.OrgUnitName,
		&resp, &c.ResponsibleName, &c.ApplicantFiscalCode, &c.ApplicantName, &c.ApplicantEmail, &c.Subject, &c.Status, &c.StartDate,
		&c.TermDays, &c.DueDate, &c.RegistrationID, &decDoc, &decReg, &c.DecisionReason,
		timeValue{&c.CreatedAt}, timeValue{&c.UpdatedAt}, nullTime{&c.ClosedAt}, &c.Regime, &c.ClockState, &c.Waiting, &c.WaitingUntil,
		&c.Late, &c.SilenceFormedOn, &attDoc, &c.EffectiveOn, nullTime{&c.SubstituteRequestedAt}, &c.SubstituteDueDate,
		&c.AwaitingApproval, &retention); err != nil {
		return nil, err
	}
	c.ResponsibleUserID = nullInt(resp)
	c.DecisionDocumentID = nullInt(decDoc)
	c.DecisionRegistrationID = nullInt(decReg)
	c.AttestationDocumentID = nullInt(attDoc)
	if retention.Valid {
		y := int(retention.Int64)
		c.RetentionYears = &y
	}
	return &c, nil
}

func nullInt(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
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
	// Citizens see only what is addressed to them; staff see internal documents too.
	only, args := "", []any{cas.TenantID, cas.ApplicationID, cas.TenantID, cas.ID}
	if procedo.ActorFromContext(ctx).Citizen != nil {
		only, args = " AND cd.for_applicant = ?", append(args, true)
	}
	return s.db.queryDocuments(ctx, `SELECT `+documentColumns+` FROM documents d
		JOIN application_documents ad ON ad.document_id = d.id AND ad.tenant_id = d.tenant_id
		WHERE d.tenant_id = ? AND ad.application_id = ?
		UNION ALL
		SELECT `+documentColumns+` FROM documents d
		JOIN case_documents cd ON cd.document_id = d.id AND cd.tenant_id = d.tenant_id
		WHERE d.tenant_id = ? AND cd.case_id = ?`+only+`
		ORDER BY 1`, args...)
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

// openCase stores the new case cas of an application registered as reg: the
// term starts on the registration day (L. 241/1990 art. 18-bis), the due date
// is computed by the legal calendar, the regime comes from the model (a SCIA is
// effective from filing, art. 19), and its words are indexed for search.
func openCase(ctx context.Context, tx *Tx, cas *procedo.Case, def *procedo.ProcedureDefinition, reg *procedo.Registration) (err error) {
	cas.StartDate = procedo.DateOf(reg.RegisteredAt)
	cas.DueDate = procedo.DueDate(cas.StartDate, cas.TermDays, calendarOf(ctx))
	cas.Regime, cas.ClockState = procedo.RegimeOf(def), procedo.ClockRunning
	if cas.Regime == procedo.RegimeSCIA {
		cas.EffectiveOn = cas.StartDate
	}
	cas.CreatedAt, cas.UpdatedAt = tx.now, tx.now
	cas.ID, err = tx.insert(ctx, `INSERT INTO cases (tenant_id, procedure_version_id, application_id, org_unit_id, applicant_fiscal_code,
		applicant_name, applicant_email, subject, status, start_date, term_days, due_date, registration_id, created_at, updated_at,
		regime, clock_state, effective_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		cas.TenantID, cas.ProcedureVersionID, cas.ApplicationID, cas.OrgUnitID, cas.ApplicantFiscalCode, cas.ApplicantName,
		cas.ApplicantEmail, cas.Subject, cas.Status, cas.StartDate, cas.TermDays, cas.DueDate, cas.RegistrationID, tx.db.ts(tx.now),
		tx.db.ts(tx.now), cas.Regime, cas.ClockState, cas.EffectiveOn)
	if err != nil {
		return err
	}
	return indexCase(ctx, tx, cas)
}

// TransitionCase implements procedo.CaseService.
func (s *CaseService) TransitionCase(ctx context.Context, id int64, name, reason string) (*procedo.Case, error) {
	return s.TransitionCaseText(ctx, id, name, reason, "")
}

// TransitionCaseText implements procedo.CaseService.
func (s *CaseService) TransitionCaseText(ctx context.Context, id int64, name, reason, text string) (_ *procedo.Case, err error) {
	defer procedo.Wrap(&err, "sqlstore.TransitionCaseText(%d, %q)", id, name)
	actor := procedo.ActorFromContext(ctx)
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
	reason, text, err = cleanActInput(tr, reason, text)
	if err != nil {
		return nil, err
	}
	return s.fire(ctx, cas, v, tr, fireOptions{reason: reason, text: text})
}

// cleanActInput trims and checks the motivation and the edited text of a transition.
func cleanActInput(tr procedo.Transition, reason, text string) (string, string, error) {
	reason, text = strings.TrimSpace(reason), strings.TrimSpace(text)
	switch {
	case tr.NeedsReason && reason == "":
		return "", "", procedo.FieldErrors{"reason": "Indica la motivazione."}
	case len([]rune(reason)) > procedo.MaxReasonLength:
		return "", "", procedo.FieldErrors{"reason": "La motivazione non può superare 4000 caratteri."}
	case len([]rune(text)) > procedo.MaxDocumentTextLength:
		return "", "", procedo.FieldErrors{"text": "Il testo del documento non può superare 20000 caratteri."}
	case text != "" && tr.Document == "":
		return "", "", procedo.FieldErrors{"text": "Questa azione non produce un documento."}
	}
	return reason, text, nil
}

// fireOptions are the details of firing a transition.
type fireOptions struct {
	reason, text string
	draftID      int64  // the approved draft whose transition this is; 0 if none
	registration *int64 // registration that caused it (the applicant's answer), for the history
}

// fire fires tr on cas in one transaction: the status change (checked against
// concurrent changes), the clock effect, the document, its registration, the
// mail, pending drafts, the history and the audit entry. Callers have checked
// the actor's right to fire tr.
func (s *CaseService) fire(ctx context.Context, cas *procedo.Case, v *procedo.ProcedureVersion, tr procedo.Transition, o fireOptions) (*procedo.Case, error) {
	f, err := s.prepareFire(ctx, cas, v, tr, o)
	if err != nil {
		return nil, err
	}
	if err := s.db.transact(ctx, func(tx *Tx) error { return s.applyFire(ctx, tx, f) }); err != nil {
		return nil, err
	}
	return cas, nil
}

// firing is a transition ready to be applied in a transaction.
type firing struct {
	cas    *procedo.Case
	def    *procedo.ProcedureDefinition
	tr     procedo.Transition
	o      fireOptions
	events []procedo.CaseClockEvent // the clock events read before the transaction
	cal    procedo.Calendar
	today  procedo.Date
	act    *procedo.CaseAct // the document, nil if none
	blob   procedo.BlobInfo // the rendered document
}

// prepareFire checks the rules of the clock and renders the document of tr
// before the transaction (rendering and storing the blob are slow and
// idempotent).
func (s *CaseService) prepareFire(ctx context.Context, cas *procedo.Case, v *procedo.ProcedureVersion, tr procedo.Transition, o fireOptions) (*firing, error) {
	f := &firing{cas: cas, def: &v.Definition, tr: tr, o: o, cal: calendarOf(ctx), today: procedo.DateOf(s.db.Now())}
	var err error
	if f.events, err = s.clockEvents(ctx, s.db, cas); err != nil {
		return nil, err
	}
	clock, err := procedo.ComputeCaseClock(cas, f.events, f.cal, f.today)
	if err != nil {
		return nil, err
	}
	if err := procedo.CheckCaseTransition(cas, tr, f.events, clock); err != nil {
		return nil, err
	}
	if tr.Document != "" {
		if f.act, err = s.newAct(ctx, cas, v, tr.Document, clock); err != nil {
			return nil, err
		}
		f.act.Transition, f.act.Reason, f.act.Text = tr, o.reason, o.text
		if f.blob, err = s.renderAct(ctx, f.act); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// applyFire applies a prepared transition inside tx.
func (s *CaseService) applyFire(ctx context.Context, tx *Tx, f *firing) error {
	cas, tr, o, def := f.cas, f.tr, f.o, f.def
	tenant := procedo.TenantFromContext(ctx)
	// The clock as stored now: a concurrent clock event means the checks ran
	// on stale data.
	current, err := s.clockEvents(ctx, tx, cas)
	if err != nil {
		return err
	}
	if len(current) != len(f.events) {
		return errConcurrent
	}
	from := cas.Status
	planned := procedo.PlanClockEffect(f.events, tr.Clock, f.today, procedo.WaitingFor(tr), clockReason(tr))
	for i := range planned {
		planned[i].Transition = tr.Name
	}
	upd := caseUpdate{status: tr.To}
	if tr.To.Closed() {
		years := def.RetentionFor(tr.To.Outcome())
		upd.closed, upd.retention = true, &years
		upd.late = f.act != nil && f.act.Late()
	}
	if tr.Decision || tr.To.Closed() {
		upd.decisionReason = &o.reason
	}
	if err := s.applyClock(ctx, tx, cas, f.events, planned, f.cal, f.today, &upd); err != nil {
		return err
	}
	if err := s.updateCase(ctx, tx, cas, from, upd); err != nil {
		return err
	}
	ev := &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventTransition, FromStatus: from, ToStatus: tr.To, Transition: tr.Name,
		Reason: o.reason, RegistrationID: o.registration}
	if f.act != nil {
		doc, reg, err := s.issueAct(ctx, tx, f.act, f.blob)
		if err != nil {
			return err
		}
		ev.DocumentID = &doc.ID
		if reg != nil {
			ev.RegistrationID = &reg.ID
		}
		if tr.Decision {
			var regID *int64
			if reg != nil {
				regID = &reg.ID
			}
			if _, err := tx.exec(ctx, `UPDATE cases SET decision_document_id = ?, decision_registration_id = ? WHERE tenant_id = ? AND id = ?`,
				doc.ID, regID, tenant.ID, cas.ID); err != nil {
				return err
			}
			cas.DecisionDocumentID, cas.DecisionRegistrationID = &doc.ID, regID
		}
	} else if tr.NotifyApplicant {
		subject, body := procedo.CaseNotice{Tenant: tenant, Case: cas, BaseURL: s.db.BaseURL}.ToApplicant(
			"aggiornamento", "la tua pratica «"+def.Title+"» è ora nello stato: "+def.StateLabel(tr.To)+".",
			ifText(o.reason, "Motivazione: "+o.reason))
		if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: tenant.ID, To: cas.ApplicantEmail, Subject: subject, Body: body}); err != nil {
			return err
		}
	}
	if err := settleDrafts(ctx, tx, cas, o.draftID); err != nil {
		return err
	}
	if err := insertCaseEvent(ctx, tx, ev); err != nil {
		return err
	}
	if o.draftID != 0 {
		if err := recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.draft_approve", ObjectType: "case", ObjectID: itoa(cas.ID),
			Detail: tr.Name}); err != nil {
			return err
		}
	}
	return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.transition", ObjectType: "case", ObjectID: itoa(cas.ID), Detail: tr.Name})
}

// errConcurrent is the answer when a case changed between reading and writing it.
var errConcurrent = procedo.Errorf(procedo.ECONFLICT, "La pratica è stata modificata da un'altra persona: ricarica la pagina.")

func ifText(cond, s string) string {
	if cond == "" {
		return ""
	}
	return s
}

// clockReason is the Italian reason stored with the clock events of tr.
func clockReason(tr procedo.Transition) string {
	switch procedo.WaitingFor(tr) {
	case procedo.WaitingIntegration:
		if tr.Clock == procedo.ClockEffectSuspend {
			return "richiesta di integrazioni, L. 241/1990 art. 2 c.7"
		}
	case procedo.WaitingObservations:
		if tr.Clock == procedo.ClockEffectSuspend {
			return "preavviso di rigetto, L. 241/1990 art. 10-bis"
		}
	}
	return tr.Label
}

// caseUpdate is a change of the case row; nil or zero fields are left alone
// unless said otherwise.
type caseUpdate struct {
	status         procedo.CaseStatus // always written
	closed         bool
	late           bool
	retention      *int
	decisionReason *string
	clock          *rowClock // the new denormalised clock; nil = unchanged
}

// rowClock is the denormalised clock of a case row.
type rowClock struct {
	state        procedo.CaseClockState
	due          procedo.Date
	waiting      procedo.CaseWaiting
	waitingUntil procedo.Date
}

// updateCase writes upd to the case row, checking that its status is still
// from (two concurrent transitions conflict instead of both succeeding), and
// updates cas.
func (s *CaseService) updateCase(ctx context.Context, tx *Tx, cas *procedo.Case, from procedo.CaseStatus, upd caseUpdate) error {
	sets := []string{"status = ?", "updated_at = ?"}
	args := []any{upd.status, s.db.ts(tx.now)}
	if upd.closed {
		sets = append(sets, "closed_at = ?", "late = ?", "retention_years = ?", "clock_state = ?", "waiting = ?", "waiting_until = ?",
			"awaiting_approval = ?")
		args = append(args, s.db.ts(tx.now), upd.late, *upd.retention, procedo.ClockStopped, "", nil, false)
	} else if c := upd.clock; c != nil {
		sets = append(sets, "clock_state = ?", "due_date = ?", "waiting = ?", "waiting_until = ?")
		args = append(args, c.state, c.due, c.waiting, c.waitingUntil)
	}
	if upd.closed && upd.clock != nil {
		sets = append(sets, "due_date = ?")
		args = append(args, upd.clock.due)
	}
	if upd.decisionReason != nil {
		sets = append(sets, "decision_reason = ?")
		args = append(args, *upd.decisionReason)
	}
	res, err := tx.exec(ctx, `UPDATE cases SET `+strings.Join(sets, ", ")+` WHERE tenant_id = ? AND id = ? AND status = ?`,
		append(args, cas.TenantID, cas.ID, from)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errConcurrent
	}
	cas.Status, cas.UpdatedAt = upd.status, tx.now
	if upd.decisionReason != nil {
		cas.DecisionReason = *upd.decisionReason
	}
	if c := upd.clock; c != nil {
		cas.ClockState, cas.DueDate, cas.Waiting, cas.WaitingUntil = c.state, c.due, c.waiting, c.waitingUntil
	}
	if upd.closed {
		cas.ClosedAt, cas.Late, cas.RetentionYears = &tx.now, upd.late, upd.retention
		cas.ClockState, cas.Waiting, cas.WaitingUntil, cas.AwaitingApproval = procedo.ClockStopped, "", procedo.Date{}, false
	}
	return nil
}
