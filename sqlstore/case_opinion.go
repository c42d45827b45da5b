// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// Opinions of a case (procedo.CaseOpinionService): the request and the answer
// are registrations and case documents, written with the helpers of the other
// case acts (insertDocument, registerEntry, linkCaseDocument, enqueueMail) and,
// when the model has one, the consultation transition fired with fire's own
// steps (prepareFire, applyFire) in the same transaction.
//
// Who sees an opinion is opinionVisible: whoever sees its case, plus the
// office asked and, for outside administrations, the registry desk. The
// office asked reads the case itself only through the request, while it is
// pending (procedo.CanReadOpinionCase): case visibility is not widened.

var (
	_ procedo.CaseOpinionService = (*CaseService)(nil)
	_ procedo.OpinionJobs        = (*CaseService)(nil)
)

const opinionColumns = `o.id, o.tenant_id, o.case_id, c.subject, t.title, c.org_unit_id, co.name, c.closed_at,
	o.recipient, o.org_unit_id, COALESCE(ro.name, ''), o.external_name, o.external_email, o.question, o.days, o.requested_on, o.due_date,
	o.suspends, o.transition, o.request_registration_id, rq.year, rq.number, o.request_document_id, o.requested_by_name, o.created_at,
	o.status, o.outcome, o.answer, o.answer_document_id, o.answer_file_id, o.answer_registration_id, COALESCE(ra.year, 0), COALESCE(ra.number, 0),
	o.sender_protocol, o.answered_by_name, o.answered_at, o.overdue_alert_at`

const opinionFrom = ` FROM case_opinions o
	JOIN cases c ON c.id = o.case_id AND c.tenant_id = o.tenant_id
	JOIN procedure_versions v ON v.id = c.procedure_version_id
	JOIN procedure_types t ON t.id = v.procedure_type_id
	JOIN org_units co ON co.id = c.org_unit_id
	LEFT JOIN org_units ro ON ro.id = o.org_unit_id
	JOIN registrations rq ON rq.id = o.request_registration_id
	LEFT JOIN registrations ra ON ra.id = o.answer_registration_id`

func scanOpinion(row interface{ Scan(...any) error }) (*procedo.CaseOpinion, error) {
	var o procedo.CaseOpinion
	var closedAt *time.Time
	var office, answerDoc, answerFile, answerReg sql.NullInt64
	var reqYear, reqNumber, ansYear, ansNumber int
	if err := row.Scan(&o.ID, &o.TenantID, &o.CaseID, &o.CaseSubject, &o.ProcedureTitle, &o.CaseOrgUnitID, &o.CaseOrgUnitName,
		nullTime{&closedAt}, &o.Recipient, &office, &o.OrgUnitName, &o.ExternalName, &o.ExternalEmail, &o.Question, &o.Days,
		&o.RequestedOn, &o.DueDate, &o.Suspends, &o.Transition, &o.RequestRegistrationID, &reqYear, &reqNumber, &o.RequestDocumentID,
		&o.RequestedByName, timeValue{&o.CreatedAt}, &o.Status, &o.Outcome, &o.Answer, &answerDoc, &answerFile, &answerReg, &ansYear,
		&ansNumber, &o.SenderProtocol, &o.AnsweredByName, nullTime{&o.AnsweredAt}, nullTime{&o.OverdueAlertSentAt}); err != nil {
		return nil, err
	}
	o.CaseClosed = closedAt != nil
	o.OrgUnitID, o.AnswerDocumentID, o.AnswerFileID, o.AnswerRegistrationID = nullInt(office), nullInt(answerDoc), nullInt(answerFile), nullInt(answerReg)
	o.RequestProtocol = protocolRef(reqYear, reqNumber)
	if o.AnswerRegistrationID != nil {
		o.AnswerProtocol = protocolRef(ansYear, ansNumber)
	}
	return &o, nil
}

// protocolRef formats a registration's number as "0000042/2026".
func protocolRef(year, number int) string {
	return procedo.FormatProtocolNumber(number) + "/" + itoa(int64(year))
}

// opinionVisible returns the SQL condition (on case_opinions o joined with
// its case c) limiting opinions to those the actor may see
// (procedo.CanViewOpinion), or ok=false if none.
func opinionVisible(a *procedo.Actor) (cond string, args []any, ok bool) {
	caseCond, caseArgs, caseOK := visibleCases(a)
	if a == nil || a.User == nil {
		return caseCond, caseArgs, caseOK
	}
	u := a.User
	var parts []string
	if caseOK {
		parts, args = append(parts, "("+caseCond+")"), append(args, caseArgs...)
	}
	if u.OrgUnitID != nil && (u.HasRole(procedo.RoleOperator) || u.HasRole(procedo.RoleManager)) {
		parts, args = append(parts, "(o.recipient = ? AND o.org_unit_id = ?)"), append(args, procedo.OpinionInternal, *u.OrgUnitID)
	}
	if u.HasRole(procedo.RoleRegistry) {
		parts, args = append(parts, "o.recipient = ?"), append(args, procedo.OpinionExternal)
	}
	if len(parts) == 0 {
		return "", nil, false
	}
	return "(" + strings.Join(parts, " OR ") + ")", args, true
}

// queryOpinions returns the opinions matching cond (after the tenant).
func (s *CaseService) queryOpinions(ctx context.Context, q querier, tid int64, cond, order string, args ...any) ([]*procedo.CaseOpinion, error) {
	rows, err := q.query(ctx, `SELECT `+opinionColumns+opinionFrom+` WHERE o.tenant_id = ? AND `+cond+` ORDER BY `+order,
		append([]any{tid}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*procedo.CaseOpinion
	for rows.Next() {
		o, err := scanOpinion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// opinionDocumentIDs fills DocumentIDs of ops (all of the tenant tid).
func (s *CaseService) opinionDocumentIDs(ctx context.Context, tid int64, ops []*procedo.CaseOpinion) error {
	if len(ops) == 0 {
		return nil
	}
	byID := map[int64]*procedo.CaseOpinion{}
	marks := make([]string, len(ops))
	args := []any{tid}
	for i, o := range ops {
		byID[o.ID], marks[i] = o, "?"
		args = append(args, o.ID)
	}
	rows, err := s.db.query(ctx, `SELECT opinion_id, document_id FROM case_opinion_documents WHERE tenant_id = ? AND opinion_id IN (`+
		strings.Join(marks, ", ")+`) ORDER BY opinion_id, position`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var oid, did int64
		if err := rows.Scan(&oid, &did); err != nil {
			return err
		}
		byID[oid].DocumentIDs = append(byID[oid].DocumentIDs, did)
	}
	return rows.Err()
}

// caseRow returns case id of the tenant without the actor's visibility: for
// callers that checked the actor's right through an opinion.
func (s *CaseService) caseRow(ctx context.Context, q querier, tid, id int64) (*procedo.Case, error) {
	rows, err := q.query(ctx, `SELECT `+caseColumns+caseFrom+` WHERE c.tenant_id = ? AND c.id = ?`, tid, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Pratica non trovata.")
	}
	return scanCase(rows)
}

// findOpinion returns opinion id, which the actor may see, with its case.
func (s *CaseService) findOpinion(ctx context.Context, id int64) (*procedo.CaseOpinion, *procedo.Case, error) {
	notFound := procedo.Errorf(procedo.ENOTFOUND, "Richiesta di parere non trovata.")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, nil, err
	}
	a := procedo.ActorFromContext(ctx)
	see, seeArgs, ok := opinionVisible(a)
	if !ok {
		return nil, nil, notFound
	}
	ops, err := s.queryOpinions(ctx, s.db, tid, "o.id = ? AND "+see, "o.id", append([]any{id}, seeArgs...)...)
	if err != nil {
		return nil, nil, err
	}
	if len(ops) == 0 {
		return nil, nil, notFound
	}
	o := ops[0]
	cas, err := s.caseRow(ctx, s.db, tid, o.CaseID)
	if err != nil {
		return nil, nil, err
	}
	// The SQL condition and the domain rule say the same; checking both
	// keeps them from drifting apart silently.
	if !procedo.CanViewOpinion(a, o, cas) {
		return nil, nil, notFound
	}
	if err := s.opinionDocumentIDs(ctx, tid, ops); err != nil {
		return nil, nil, err
	}
	return o, cas, nil
}

// opinionChannel is the means of sending to or receiving from address: PEC
// for a certified mailbox (its domain names it), e-mail otherwise.
func opinionChannel(address string) string {
	if _, domain, ok := strings.Cut(strings.ToLower(address), "@"); ok && (strings.HasPrefix(domain, "pec.") || strings.Contains(domain, ".pec.") ||
		strings.HasPrefix(domain, "postacert.") || strings.HasPrefix(domain, "legalmail.")) {
		return "pec"
	}
	return "email"
}

// officeAddresses returns where to tell office orgUnitID: its e-mail, else the
// e-mails of its active operators and managers.
func officeAddresses(ctx context.Context, q interface {
	querier
	queryRow(ctx context.Context, q string, args ...any) *sql.Row
}, tid, orgUnitID int64) ([]string, error) {
	var email string
	if err := q.queryRow(ctx, `SELECT email FROM org_units WHERE tenant_id = ? AND id = ?`, tid, orgUnitID).Scan(&email); err != nil {
		return nil, err
	}
	if email != "" {
		return []string{email}, nil
	}
	rows, err := q.query(ctx, `SELECT email, roles FROM users WHERE tenant_id = ? AND org_unit_id = ? AND disabled = ? AND email <> '' ORDER BY id`,
		tid, orgUnitID, false)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var addr, roles string
		if err := rows.Scan(&addr, &roles); err != nil {
			return nil, err
		}
		rs, err := procedo.ParseRoles(roles)
		if err == nil && (slices.Contains(rs, procedo.RoleOperator) || slices.Contains(rs, procedo.RoleManager)) && !slices.Contains(out, addr) {
			out = append(out, addr)
		}
	}
	return out, rows.Err()
}

// RequestOpinion implements procedo.CaseOpinionService.
func (s *CaseService) RequestOpinion(ctx context.Context, caseID int64, req procedo.OpinionRequest) (_ *procedo.CaseOpinion, err error) {
	defer procedo.Wrap(&err, "sqlstore.RequestOpinion(%d)", caseID)
	cas, v, err := s.staffCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	a := procedo.ActorFromContext(ctx)
	if err := procedo.CanRequestOpinion(a, cas); err != nil {
		return nil, err
	}
	if err := req.Clean(); err != nil {
		return nil, err
	}
	def := &v.Definition
	o := &procedo.CaseOpinion{TenantID: cas.TenantID, CaseID: cas.ID, CaseSubject: cas.Subject, ProcedureTitle: cas.ProcedureTitle,
		CaseOrgUnitID: cas.OrgUnitID, CaseOrgUnitName: cas.OrgUnitName, Question: req.Question, Days: req.Days,
		Status: procedo.OpinionRequested, RequestedByName: a.Name()}
	var office *procedo.OrgUnit
	if req.External() {
		o.Recipient, o.ExternalName, o.ExternalEmail = procedo.OpinionExternal, req.ExternalName, req.ExternalEmail
	} else {
		office, err = NewOrgUnitService(s.db).FindOrgUnitByID(ctx, req.OrgUnitID)
		switch {
		case procedo.ErrorCode(err) == procedo.ENOTFOUND:
			return nil, procedo.FieldErrors{"org_unit_id": "Ufficio sconosciuto."}
		case err != nil:
			return nil, err
		case office.ID == cas.OrgUnitID:
			return nil, procedo.FieldErrors{"org_unit_id": "Scegli un ufficio diverso da quello della pratica."}
		}
		o.Recipient, o.OrgUnitID, o.OrgUnitName = procedo.OpinionInternal, &office.ID, office.Name
	}
	caseDocs, err := s.FindCaseDocuments(ctx, cas.ID)
	if err != nil {
		return nil, err
	}
	var docs []*procedo.Document
	for _, id := range req.DocumentIDs {
		i := slices.IndexFunc(caseDocs, func(d *procedo.Document) bool { return d.ID == id })
		if i < 0 {
			return nil, procedo.FieldErrors{"documents": "Puoi allegare solo documenti di questa pratica."}
		}
		docs = append(docs, caseDocs[i])
	}
	tr, fires := procedo.OpinionTransition(a, cas, def, req.Suspend)
	if req.Suspend && !fires {
		return nil, procedo.FieldErrors{"suspend": "In questa fase il procedimento non prevede la sospensione del termine per un parere: il termine continua a decorrere (art. 16, L. 241/1990)."}
	}
	now := s.db.Now()
	o.RequestedOn = procedo.DateOf(now)
	o.DueDate = procedo.OpinionDueDate(o.RequestedOn, o.Days, calendarOf(ctx))
	if fires {
		o.Transition, o.Suspends = tr.Name, tr.Clock == procedo.ClockEffectSuspend
	}
	rec, err := findReceiptByCase(ctx, s.db, cas.ID)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range docs {
		names = append(names, d.Filename)
	}
	tenant := procedo.TenantFromContext(ctx)
	pdf, err := s.db.Renderer.RenderPDF(ctx, procedo.OpinionRequestLetter(tenant, cas, rec.Registration, o, names, a.Name(), now))
	if err != nil {
		return nil, err
	}
	blob, err := s.db.putBytes(ctx, tenant.ID, pdf)
	if err != nil {
		return nil, err
	}
	var f *firing
	if fires {
		// The request is the act of the transition: the model's own
		// document of it is not issued as well.
		tr.Document, tr.Register = "", false
		if f, err = s.prepareFire(ctx, cas, v, tr, fireOptions{reason: "Richiesta di parere a " + o.RecipientLabel()}); err != nil {
			return nil, err
		}
	}
	err = s.db.transact(ctx, func(tx *Tx) error {
		doc := &procedo.Document{TenantID: cas.TenantID, SHA256: blob.SHA256, Filename: "richiesta-parere-" + itoa(cas.ID) + ".pdf",
			MediaType: "application/pdf", Size: blob.Size, Kind: procedo.DocumentNotice,
			Description: truncate(procedo.OpinionTitle+" a "+o.RecipientLabel(), 500)}
		if err := insertDocument(ctx, tx, doc); err != nil {
			return err
		}
		reg := &procedo.Registration{TenantID: cas.TenantID, Direction: procedo.DirectionInternal,
			Subject:        truncate(procedo.OpinionTitle+": "+cas.Subject+" — pratica n. "+itoa(cas.ID), 1000),
			Correspondents: []procedo.Correspondent{{Name: o.OrgUnitName}}, DocumentID: &doc.ID, Fingerprint: doc.SHA256,
			AttachmentCount: len(docs), Attachments: truncate(strings.Join(names, "; "), 1000), OrgUnitID: &cas.OrgUnitID,
			Classification: def.Classification, Channel: "interno"}
		if office != nil && office.Email != "" {
			reg.Correspondents[0].Email = office.Email
		}
		if o.Recipient == procedo.OpinionExternal {
			reg.Direction, reg.Channel = procedo.DirectionOutgoing, opinionChannel(o.ExternalEmail)
			reg.Correspondents = []procedo.Correspondent{{Name: o.ExternalName, Email: o.ExternalEmail}}
		}
		if err := registerEntry(ctx, tx, reg); err != nil {
			return err
		}
		for i, d := range docs {
			if _, err := tx.exec(ctx, `INSERT INTO registration_documents (tenant_id, registration_id, document_id, role, position) VALUES (?, ?, ?, ?, ?)`,
				cas.TenantID, reg.ID, d.ID, "attachment", i+1); err != nil {
				return err
			}
		}
		if err := linkCaseDocument(ctx, tx, cas, doc.ID, "opinion_request", false, reg); err != nil {
			return err
		}
		o.RequestRegistrationID, o.RequestDocumentID, o.RequestProtocol, o.CreatedAt = reg.ID, doc.ID, protocolRef(reg.Year, reg.Number), tx.now
		if o.ID, err = tx.insert(ctx, `INSERT INTO case_opinions (tenant_id, case_id, recipient, org_unit_id, external_name, external_email,
			question, days, requested_on, due_date, suspends, transition, request_registration_id, request_document_id, requested_by,
			requested_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.TenantID, o.CaseID, o.Recipient,
			o.OrgUnitID, o.ExternalName, o.ExternalEmail, o.Question, o.Days, o.RequestedOn, o.DueDate, o.Suspends, o.Transition, reg.ID,
			doc.ID, a.Ref(), o.RequestedByName, s.db.ts(tx.now)); err != nil {
			return err
		}
		for i, d := range docs {
			if _, err := tx.exec(ctx, `INSERT INTO case_opinion_documents (tenant_id, opinion_id, document_id, position) VALUES (?, ?, ?, ?)`,
				o.TenantID, o.ID, d.ID, i+1); err != nil {
				return err
			}
			o.DocumentIDs = append(o.DocumentIDs, d.ID)
		}
		if f != nil {
			f.o.registration = &reg.ID
			if err := s.applyFire(ctx, tx, f); err != nil {
				return err
			}
		}
		what := "Richiesto parere a " + o.RecipientLabel() + " entro il " + o.DueDate.Italian()
		if o.Suspends {
			what += "; il termine del procedimento è sospeso"
		}
		if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventOpinionRequest, FromStatus: cas.Status,
			ToStatus: cas.Status, Reason: truncate(what+". Quesito: "+o.Question, 4000), RegistrationID: &reg.ID, DocumentID: &doc.ID}); err != nil {
			return err
		}
		if o.Recipient == procedo.OpinionExternal {
			subject, body := procedo.OpinionRequestMail(tenant, cas, o, reg)
			atts := []procedo.MailAttachmentRef{{Kind: "document", ID: doc.ID, Filename: doc.Filename}}
			for _, d := range docs {
				atts = append(atts, procedo.MailAttachmentRef{Kind: "document", ID: d.ID, Filename: d.Filename})
			}
			if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: cas.TenantID, To: o.ExternalEmail, Subject: subject, Body: body,
				Attachments: atts}); err != nil {
				return err
			}
		} else {
			to, err := officeAddresses(ctx, tx, cas.TenantID, office.ID)
			if err != nil {
				return err
			}
			subject, body := procedo.OpinionRequestNotice(tenant, cas, o, s.db.BaseURL)
			for _, addr := range to {
				if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: cas.TenantID, To: addr, Subject: subject, Body: body}); err != nil {
					return err
				}
			}
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.opinion_request", ObjectType: "case", ObjectID: itoa(cas.ID),
			Detail: reg.Signature()})
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// FindCaseOpinions implements procedo.CaseOpinionService.
func (s *CaseService) FindCaseOpinions(ctx context.Context, caseID int64) (_ []*procedo.CaseOpinion, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindCaseOpinions(%d)", caseID)
	cas, err := s.FindCaseByID(ctx, caseID)
	if err != nil {
		return nil, err
	}
	ops, err := s.queryOpinions(ctx, s.db, cas.TenantID, "o.case_id = ?", "o.id", cas.ID)
	if err != nil {
		return nil, err
	}
	if procedo.CitizenFromContext(ctx) != nil {
		for i, o := range ops {
			ops[i] = o.ForApplicant()
		}
		return ops, nil
	}
	if err := s.opinionDocumentIDs(ctx, cas.TenantID, ops); err != nil {
		return nil, err
	}
	return ops, nil
}

// opinionBoxCond returns the condition of box for user u.
func opinionBoxCond(a *procedo.Actor, box procedo.OpinionBox) (string, []any, error) {
	u := a.User
	switch box {
	case "":
		return "1 = 1", nil, nil
	case procedo.OpinionBoxToAnswer:
		if u.OrgUnitID == nil || !(u.HasRole(procedo.RoleOperator) || u.HasRole(procedo.RoleManager)) {
			return "1 = 0", nil, nil
		}
		return "o.recipient = ? AND o.org_unit_id = ? AND o.status = ? AND c.closed_at IS NULL",
			[]any{procedo.OpinionInternal, *u.OrgUnitID, procedo.OpinionRequested}, nil
	case procedo.OpinionBoxRequested:
		caseCond, caseArgs, ok := visibleCases(a)
		if !ok {
			return "1 = 0", nil, nil
		}
		if u.OrgUnitID != nil {
			return "(" + caseCond + ") AND c.org_unit_id = ?", append(caseArgs, *u.OrgUnitID), nil
		}
		return caseCond, caseArgs, nil
	case procedo.OpinionBoxExternal:
		return "o.recipient = ? AND o.status = ? AND c.closed_at IS NULL", []any{procedo.OpinionExternal, procedo.OpinionRequested}, nil
	}
	return "", nil, procedo.FieldErrors{"box": "Elenco di pareri sconosciuto."}
}

// opinionListCond returns the WHERE condition (after the tenant) of f for the actor.
func opinionListCond(ctx context.Context, f procedo.OpinionFilter) (string, []any, error) {
	a := procedo.ActorFromContext(ctx)
	if a == nil || a.User == nil {
		return "", nil, procedo.Errorf(procedo.EFORBIDDEN, "Solo il personale dell'ente vede i pareri.")
	}
	see, args, ok := opinionVisible(a)
	if !ok {
		return "1 = 0", nil, nil
	}
	box, boxArgs, err := opinionBoxCond(a, f.Box)
	if err != nil {
		return "", nil, err
	}
	cond := see + " AND " + box
	args = append(args, boxArgs...)
	if f.Pending != nil {
		st := procedo.OpinionGiven
		if *f.Pending {
			st = procedo.OpinionRequested
		}
		cond, args = cond+" AND o.status = ?", append(args, st)
	}
	return cond, args, nil
}

// FindOpinions implements procedo.CaseOpinionService.
func (s *CaseService) FindOpinions(ctx context.Context, f procedo.OpinionFilter) (_ []*procedo.CaseOpinion, _ int, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindOpinions")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	cond, args, err := opinionListCond(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM case_opinions o JOIN cases c ON c.id = o.case_id AND c.tenant_id = o.tenant_id
		WHERE o.tenant_id = ? AND `+cond, append([]any{tid}, args...)...).Scan(&total); err != nil {
		return nil, 0, err
	}
	ops, err := s.queryOpinions(ctx, s.db, tid, cond, fmt.Sprintf("o.due_date, o.id LIMIT %d OFFSET %d", limit, max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, err
	}
	return ops, total, nil
}

// CountOpinions implements procedo.CaseOpinionService.
func (s *CaseService) CountOpinions(ctx context.Context) (_ map[procedo.OpinionBox]int, err error) {
	defer procedo.Wrap(&err, "sqlstore.CountOpinions")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	pending := true
	out := map[procedo.OpinionBox]int{}
	for _, box := range procedo.OpinionBoxes {
		cond, args, err := opinionListCond(ctx, procedo.OpinionFilter{Box: box, Pending: &pending})
		if err != nil {
			return nil, err
		}
		var n int
		if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM case_opinions o JOIN cases c ON c.id = o.case_id AND c.tenant_id = o.tenant_id
			WHERE o.tenant_id = ? AND `+cond, append([]any{tid}, args...)...).Scan(&n); err != nil {
			return nil, err
		}
		out[box] = n
	}
	return out, nil
}

// FindOpinionByID implements procedo.CaseOpinionService.
func (s *CaseService) FindOpinionByID(ctx context.Context, id int64) (_ *procedo.OpinionFile, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindOpinionByID(%d)", id)
	a := procedo.ActorFromContext(ctx)
	if a == nil || a.User == nil {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Richiesta di parere non trovata.")
	}
	o, cas, err := s.findOpinion(ctx, id)
	if err != nil {
		return nil, err
	}
	file := &procedo.OpinionFile{Opinion: o, Case: cas}
	ids := []int64{o.RequestDocumentID}
	if procedo.CanReadOpinionCase(a, o, cas) {
		ids = append(ids, o.DocumentIDs...)
		v, err := NewProcedureService(s.db).FindProcedureVersionByID(ctx, cas.ProcedureVersionID)
		if err != nil {
			return nil, err
		}
		file.Definition = &v.Definition
		var data string
		if err := s.db.queryRow(ctx, `SELECT data FROM applications WHERE tenant_id = ? AND id = ?`, cas.TenantID, cas.ApplicationID).Scan(&data); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(data), &file.Form); err != nil {
			return nil, err
		}
	}
	for _, p := range []*int64{o.AnswerDocumentID, o.AnswerFileID} {
		if p != nil {
			ids = append(ids, *p)
		}
	}
	for _, did := range ids {
		d, err := scanDocument(s.db.queryRow(ctx, `SELECT `+documentColumns+` FROM documents d WHERE d.tenant_id = ? AND d.id = ?`, cas.TenantID, did))
		if err != nil {
			return nil, err
		}
		file.Documents = append(file.Documents, d)
	}
	return file, nil
}

// OpenOpinionDocument implements procedo.CaseOpinionService.
func (s *CaseService) OpenOpinionDocument(ctx context.Context, id, docID int64) (_ *procedo.Document, _ io.ReadCloser, err error) {
	defer procedo.Wrap(&err, "sqlstore.OpenOpinionDocument(%d, %d)", id, docID)
	file, err := s.FindOpinionByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(file.Documents, func(d *procedo.Document) bool { return d.ID == docID })
	if i < 0 {
		return nil, nil, procedo.Errorf(procedo.ENOTFOUND, "Documento non trovato.")
	}
	d := file.Documents[i]
	rc, err := s.db.Blobs.Open(ctx, d.TenantID, d.SHA256)
	if err != nil {
		return nil, nil, err
	}
	return d, rc, nil
}

// AnswerOpinion implements procedo.CaseOpinionService.
func (s *CaseService) AnswerOpinion(ctx context.Context, id int64, ans procedo.OpinionAnswer) (_ *procedo.CaseOpinion, err error) {
	defer procedo.Wrap(&err, "sqlstore.AnswerOpinion(%d)", id)
	a := procedo.ActorFromContext(ctx)
	if a == nil || a.User == nil {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Richiesta di parere non trovata.")
	}
	o, cas, err := s.findOpinion(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := procedo.CanAnswerOpinion(a, o, cas); err != nil {
		return nil, err
	}
	if err := ans.Clean(); err != nil {
		return nil, err
	}
	if ans.SenderProtocol != "" && o.Recipient == procedo.OpinionInternal {
		return nil, procedo.FieldErrors{"sender_protocol": "Il protocollo del mittente si indica solo per le risposte di altre amministrazioni."}
	}
	if ans.Upload != nil {
		if err := s.db.checkUploads(ctx, cas.TenantID, []*procedo.Upload{ans.Upload}); err != nil {
			return nil, err
		}
	}
	v, err := NewProcedureService(s.db).FindProcedureVersionByID(ctx, cas.ProcedureVersionID)
	if err != nil {
		return nil, err
	}
	tenant, now := procedo.TenantFromContext(ctx), s.db.Now()
	pdf, err := s.db.Renderer.RenderPDF(ctx, procedo.OpinionAnswerLetter(tenant, cas, o, &ans, a.Name(), now))
	if err != nil {
		return nil, err
	}
	blob, err := s.db.putBytes(ctx, tenant.ID, pdf)
	if err != nil {
		return nil, err
	}
	today := procedo.DateOf(now)
	err = s.db.transact(ctx, func(tx *Tx) error {
		text := &procedo.Document{TenantID: cas.TenantID, SHA256: blob.SHA256, Filename: fmt.Sprintf("parere-%d-%d.pdf", cas.ID, o.ID),
			MediaType: "application/pdf", Size: blob.Size, Kind: procedo.DocumentOpinion,
			Description: truncate(procedo.OpinionAnswerTitle+" "+strings.ToLower(ans.Outcome.Label())+" — "+o.RecipientLabel(), 500)}
		if err := insertDocument(ctx, tx, text); err != nil {
			return err
		}
		main, attached := text, []*procedo.Document{}
		var file *procedo.Document
		if u := ans.Upload; u != nil {
			file = &procedo.Document{TenantID: cas.TenantID, SHA256: u.SHA256, Filename: u.Filename, MediaType: u.MediaType, Size: u.Size,
				Kind: procedo.DocumentOpinion, Description: truncate("Allegato al parere — "+o.RecipientLabel()+ifText(u.Signature, "; "+u.Signature), 500)}
			if err := insertDocument(ctx, tx, file); err != nil {
				return err
			}
			attached = append(attached, file)
			if o.Recipient == procedo.OpinionExternal {
				// What the administration sent is the registered document;
				// the transcription of its outcome goes with it.
				main, attached = file, []*procedo.Document{text}
			}
		}
		reg := &procedo.Registration{TenantID: cas.TenantID, Direction: procedo.DirectionInternal,
			Subject:        truncate(procedo.OpinionAnswerTitle+" ("+strings.ToLower(ans.Outcome.Label())+"): "+cas.Subject+" — pratica n. "+itoa(cas.ID), 1000),
			Correspondents: []procedo.Correspondent{{Name: o.OrgUnitName}}, DocumentID: &main.ID, Fingerprint: main.SHA256,
			AttachmentCount: len(attached), OrgUnitID: &cas.OrgUnitID, Classification: v.Definition.Classification, Channel: "interno"}
		if len(attached) > 0 {
			reg.Attachments = attached[0].Filename
		}
		if o.Recipient == procedo.OpinionExternal {
			reg.Direction, reg.Channel, reg.SenderProtocol = procedo.DirectionIncoming, opinionChannel(o.ExternalEmail), ans.SenderProtocol
			reg.Correspondents = []procedo.Correspondent{{Name: o.ExternalName, Email: o.ExternalEmail}}
		}
		if err := registerEntry(ctx, tx, reg); err != nil {
			return err
		}
		for i, d := range attached {
			if _, err := tx.exec(ctx, `INSERT INTO registration_documents (tenant_id, registration_id, document_id, role, position) VALUES (?, ?, ?, ?, ?)`,
				cas.TenantID, reg.ID, d.ID, "attachment", i+1); err != nil {
				return err
			}
		}
		for _, d := range append([]*procedo.Document{main}, attached...) {
			if err := linkCaseDocument(ctx, tx, cas, d.ID, "opinion_answer", false, reg); err != nil {
				return err
			}
		}
		var fileID *int64
		if file != nil {
			fileID = &file.ID
		}
		res, err := tx.exec(ctx, `UPDATE case_opinions SET status = ?, outcome = ?, answer = ?, answer_document_id = ?, answer_file_id = ?,
			answer_registration_id = ?, sender_protocol = ?, answered_by_name = ?, answered_at = ? WHERE tenant_id = ? AND id = ? AND status = ?`,
			procedo.OpinionGiven, ans.Outcome, ans.Text, text.ID, fileID, reg.ID, ans.SenderProtocol, a.Name(), s.db.ts(tx.now), o.TenantID,
			o.ID, procedo.OpinionRequested)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return procedo.Errorf(procedo.ECONFLICT, "Il parere è già stato reso.")
		}
		o.Status, o.Outcome, o.Answer, o.AnswerDocumentID, o.AnswerFileID, o.AnswerRegistrationID = procedo.OpinionGiven, ans.Outcome, ans.Text,
			&text.ID, fileID, &reg.ID
		o.AnswerProtocol, o.SenderProtocol, o.AnsweredByName, o.AnsweredAt = protocolRef(reg.Year, reg.Number), ans.SenderProtocol, a.Name(), &tx.now
		resumed, err := s.resumeAfterOpinion(ctx, tx, cas, o, today)
		if err != nil {
			return err
		}
		what := "Parere " + strings.ToLower(ans.Outcome.Label()) + " di " + o.RecipientLabel() + " (protocollo " + o.AnswerProtocol + ")"
		if resumed {
			what += "; il termine del procedimento riprende a decorrere dal " + today.Italian()
		}
		if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventOpinionAnswer, FromStatus: cas.Status,
			ToStatus: cas.Status, Reason: truncate(what+ifText(ans.Text, ": "+ans.Text), 4000), RegistrationID: &reg.ID, DocumentID: &main.ID}); err != nil {
			return err
		}
		if err := s.notifyOffice(ctx, tx, cas, "parere reso", what+".", ifText(ans.Text, ans.Text)); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.opinion_answer", ObjectType: "case", ObjectID: itoa(cas.ID),
			Detail: reg.Signature()})
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// resumeAfterOpinion ends the suspension that o's request caused once no
// other suspending opinion of cas is pending: the clock resumes on day (art.
// 17: the term is suspended until the assessment is acquired). A suspension
// already ended by the office (the model's resuming transition) or another
// one (integrations) is left alone. It reports whether the clock resumed.
func (s *CaseService) resumeAfterOpinion(ctx context.Context, tx *Tx, cas *procedo.Case, o *procedo.CaseOpinion, day procedo.Date) (bool, error) {
	if !o.Suspends || cas.Status.Closed() {
		return false, nil
	}
	var others int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM case_opinions WHERE tenant_id = ? AND case_id = ? AND status = ? AND suspends = ? AND id <> ?`,
		cas.TenantID, cas.ID, procedo.OpinionRequested, true, o.ID).Scan(&others); err != nil {
		return false, err
	}
	if others > 0 {
		return false, nil
	}
	events, err := s.clockEvents(ctx, tx, cas)
	if err != nil {
		return false, err
	}
	open := procedo.OpenSuspension(events)
	if open == nil || open.Cause != procedo.WaitingOpinion || open.Transition != o.Transition {
		return false, nil
	}
	planned := procedo.PlanClockEffect(events, procedo.ClockEffectResume, day, "", "parere acquisito, L. 241/1990 art. 17")
	upd := caseUpdate{status: cas.Status}
	if err := s.applyClock(ctx, tx, cas, events, planned, calendarOf(ctx), day, &upd); err != nil {
		return false, err
	}
	if err := s.updateCase(ctx, tx, cas, cas.Status, upd); err != nil {
		return false, err
	}
	return len(planned) > 0, nil
}

// ScheduleOpinionJobs enqueues, once per tenant and day, the daily alert on
// opinions past their deadline (procedo.JobOpinionDeadlines); the unique job
// keys make this safe from several replicas and every few minutes.
func (db *DB) ScheduleOpinionJobs(ctx context.Context) (err error) {
	defer procedo.Wrap(&err, "sqlstore.ScheduleOpinionJobs")
	return db.scheduleDailyTenantJobs(ctx, procedo.JobOpinionDeadlines)
}

// AlertOverdueOpinions implements procedo.OpinionJobs.
func (s *CaseService) AlertOverdueOpinions(ctx context.Context, day procedo.Date) (n int, err error) {
	defer procedo.Wrap(&err, "sqlstore.AlertOverdueOpinions(%s)", day)
	if err := requireSystem(ctx); err != nil {
		return 0, err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return 0, err
	}
	ops, err := s.queryOpinions(ctx, s.db, tid, "o.status = ? AND o.due_date < ? AND o.overdue_alert_at IS NULL AND c.closed_at IS NULL", "o.id",
		procedo.OpinionRequested, day)
	if err != nil {
		return 0, err
	}
	for _, o := range ops {
		cas, err := s.caseRow(ctx, s.db, tid, o.CaseID)
		if err != nil {
			return n, err
		}
		sent := false
		err = s.db.transact(ctx, func(tx *Tx) error {
			res, err := tx.exec(ctx, `UPDATE case_opinions SET overdue_alert_at = ? WHERE tenant_id = ? AND id = ? AND status = ? AND overdue_alert_at IS NULL`,
				s.db.ts(tx.now), tid, o.ID, procedo.OpinionRequested)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return nil // answered or alerted meanwhile
			}
			sent = true
			what := "Il parere richiesto a " + o.RecipientLabel() + " il " + o.RequestedOn.Italian() + " (protocollo " + o.RequestProtocol +
				") non è stato reso entro il " + o.DueDate.Italian() + "."
			advice := "Decorso il termine, si può procedere indipendentemente dall'espressione del parere (art. 16, c. 2, L. 241/1990)."
			if o.Suspends {
				advice = "Per le valutazioni tecniche, il responsabile del procedimento può chiederle ad altri organi o enti (art. 17, L. 241/1990)."
			}
			if err := s.notifyOffice(ctx, tx, cas, "parere non reso nel termine", what, advice); err != nil {
				return err
			}
			if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventOpinionOverdue, FromStatus: cas.Status,
				ToStatus: cas.Status, Reason: what}); err != nil {
				return err
			}
			return recordAudit(ctx, tx, &procedo.AuditEvent{TenantID: tid, Action: "case.opinion_overdue", ObjectType: "case", ObjectID: itoa(cas.ID),
				Detail: fmt.Sprintf("parere %d", o.ID)})
		})
		if err != nil {
			return n, fmt.Errorf("parere %d: %w", o.ID, err)
		}
		if sent {
			n++
		}
	}
	return n, nil
}
