// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"strings"

	"github.com/procedo/procedo"
)

var _ procedo.CaseCitizenService = (*CaseService)(nil)

// maxAnswerFiles bounds the files of one answer.
const maxAnswerFiles = 10

// applicantCase returns case id of the citizen acting in ctx, with its version.
func (s *CaseService) applicantCase(ctx context.Context, id int64) (*procedo.Case, *procedo.ProcedureVersion, error) {
	cas, err := s.FindCaseByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if procedo.CitizenFromContext(ctx) == nil {
		return nil, nil, procedo.Errorf(procedo.EFORBIDDEN, "Solo il richiedente può farlo, dalla sua area personale.")
	}
	v, err := NewProcedureService(s.db).FindProcedureVersionByID(ctx, cas.ProcedureVersionID)
	if err != nil {
		return nil, nil, err
	}
	return cas, v, nil
}

// answerTransition returns the transition of the model that leaves status when
// the applicant's answer arrives: one that resumes (or interrupts) the clock
// and does not close the case.
func answerTransition(def *procedo.ProcedureDefinition, status procedo.CaseStatus) (procedo.Transition, bool) {
	for _, t := range procedo.TransitionsFrom(def, status) {
		if (t.Clock == procedo.ClockEffectResume || t.Clock == procedo.ClockEffectInterrupt) && !t.To.Closed() {
			return t, true
		}
	}
	return procedo.Transition{}, false
}

// lastSuspension returns the cause of the last suspension recorded, or "".
func lastSuspension(events []procedo.CaseClockEvent) procedo.CaseWaiting {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind == procedo.ClockSuspend {
			return events[i].Cause
		}
	}
	return procedo.WaitingNothing
}

// AnswerCase implements procedo.CaseCitizenService.
func (s *CaseService) AnswerCase(ctx context.Context, id int64, ans procedo.CaseAnswer) (_ *procedo.CaseAnswerReceipt, err error) {
	defer procedo.Wrap(&err, "sqlstore.AnswerCase(%d)", id)
	cas, v, err := s.applicantCase(ctx, id)
	if err != nil {
		return nil, err
	}
	if ans.Kind != procedo.WaitingIntegration && ans.Kind != procedo.WaitingObservations {
		return nil, procedo.FieldErrors{"kind": "Indica se invii integrazioni o osservazioni."}
	}
	msg := strings.TrimSpace(ans.Message)
	switch {
	case len([]rune(msg)) > procedo.MaxReasonLength:
		return nil, procedo.FieldErrors{"message": "Il messaggio non può superare 4000 caratteri."}
	case msg == "" && len(ans.Uploads) == 0:
		return nil, procedo.FieldErrors{"message": "Scrivi un messaggio o allega almeno un file."}
	case len(ans.Uploads) > maxAnswerFiles:
		return nil, procedo.FieldErrors{"files": "Puoi allegare al massimo 10 file."}
	}
	if err := s.db.checkUploads(ctx, cas.TenantID, ans.Uploads); err != nil {
		return nil, err
	}
	events, err := s.clockEvents(ctx, s.db, cas)
	if err != nil {
		return nil, err
	}
	def := &v.Definition
	tr, hasTr := answerTransition(def, cas.Status)
	if cas.Status.Closed() || !(cas.Waiting == ans.Kind || (hasTr && lastSuspension(events) == ans.Kind)) {
		what := "integrazioni"
		if ans.Kind == procedo.WaitingObservations {
			what = "osservazioni"
		}
		return nil, procedo.Errorf(procedo.ECONFLICT, "La pratica non è in attesa di %s.", what)
	}
	tenant := procedo.TenantFromContext(ctx)
	now := s.db.Now()
	var files []string
	for _, u := range ans.Uploads {
		files = append(files, u.Filename)
	}
	title := procedo.AnswerTitle(ans.Kind)
	pdf, err := s.db.Renderer.RenderPDF(ctx, procedo.ApplicantLetter(tenant, cas, title, msg, files, now))
	if err != nil {
		return nil, err
	}
	main, err := s.db.putBytes(ctx, tenant.ID, pdf)
	if err != nil {
		return nil, err
	}
	var f *firing
	if hasTr {
		if f, err = s.prepareFire(ctx, cas, v, tr, fireOptions{reason: title}); err != nil {
			return nil, err
		}
	}
	out := &procedo.CaseAnswerReceipt{Case: cas}
	err = s.db.transact(ctx, func(tx *Tx) error {
		reg, docs, err := s.storeApplicantLetter(ctx, tx, cas, def, title, main, ans.Uploads)
		if err != nil {
			return err
		}
		out.Registration, out.Documents = reg, docs
		if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventAnswer, FromStatus: cas.Status,
			ToStatus: cas.Status, Reason: truncate(title+ifText(msg, ": "+msg), 4000), RegistrationID: &reg.ID, DocumentID: &docs[0].ID}); err != nil {
			return err
		}
		if f != nil {
			f.o.registration = &reg.ID
			if err := s.applyFire(ctx, tx, f); err != nil {
				return err
			}
		} else {
			// No transition leaves the state: the clock resumes by itself.
			today := procedo.DateOf(now)
			current, err := s.clockEvents(ctx, tx, cas)
			if err != nil {
				return err
			}
			planned := procedo.PlanClockEffect(current, procedo.ClockEffectResume, today, "", title)
			upd := caseUpdate{status: cas.Status}
			if err := s.applyClock(ctx, tx, cas, current, planned, calendarOf(ctx), today, &upd); err != nil {
				return err
			}
			if err := s.updateCase(ctx, tx, cas, cas.Status, upd); err != nil {
				return err
			}
		}
		if err := s.notifyOffice(ctx, tx, cas, "risposta del richiedente", cas.ApplicantName+" ha inviato: "+title+".",
			"Protocollo: "+reg.Signature()); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.answer", ObjectType: "case", ObjectID: itoa(cas.ID), Detail: reg.Signature()})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// storeApplicantLetter stores the applicant's letter (main, already in the
// blob store) and files as documents of cas and registers them as one
// incoming registration.
func (s *CaseService) storeApplicantLetter(ctx context.Context, tx *Tx, cas *procedo.Case, def *procedo.ProcedureDefinition, title string,
	main procedo.BlobInfo, uploads []*procedo.Upload) (*procedo.Registration, []*procedo.Document, error) {
	mainDoc := &procedo.Document{TenantID: cas.TenantID, SHA256: main.SHA256, Filename: "richiedente-" + itoa(cas.ID) + ".pdf",
		MediaType: "application/pdf", Size: main.Size, Kind: procedo.DocumentAnswer, Description: truncate(title, 500)}
	if err := insertDocument(ctx, tx, mainDoc); err != nil {
		return nil, nil, err
	}
	docs := []*procedo.Document{mainDoc}
	for _, u := range uploads {
		d := &procedo.Document{TenantID: cas.TenantID, SHA256: u.SHA256, Filename: u.Filename, MediaType: u.MediaType, Size: u.Size,
			Kind: procedo.DocumentAttachment, Description: truncate(uploadDescription("Allegato: "+title, u), 500)}
		if err := insertDocument(ctx, tx, d); err != nil {
			return nil, nil, err
		}
		docs = append(docs, d)
	}
	reg := &procedo.Registration{TenantID: cas.TenantID, Direction: procedo.DirectionIncoming,
		Subject:        truncate(title+": "+cas.Subject+" — pratica n. "+itoa(cas.ID), 1000),
		Correspondents: []procedo.Correspondent{{Name: cas.ApplicantName, FiscalCode: cas.ApplicantFiscalCode, Email: cas.ApplicantEmail}},
		DocumentID:     &mainDoc.ID, Fingerprint: mainDoc.SHA256, AttachmentCount: len(uploads), Attachments: describeUploads(uploads),
		OrgUnitID: &cas.OrgUnitID, Classification: def.Classification, Channel: "online"}
	if err := registerEntry(ctx, tx, reg); err != nil {
		return nil, nil, err
	}
	for i, d := range docs {
		if i > 0 {
			if _, err := tx.exec(ctx, `INSERT INTO registration_documents (tenant_id, registration_id, document_id, role, position) VALUES (?, ?, ?, ?, ?)`,
				cas.TenantID, reg.ID, d.ID, "attachment", i); err != nil {
				return nil, nil, err
			}
		}
		if err := linkCaseDocument(ctx, tx, cas, d.ID, "", true, reg); err != nil {
			return nil, nil, err
		}
	}
	return reg, docs, nil
}

// notifyOffice mails the responsible person of cas (the office when
// unassigned).
func (s *CaseService) notifyOffice(ctx context.Context, tx *Tx, cas *procedo.Case, subject string, lines ...string) error {
	to, err := responsibleAddress(ctx, tx, cas)
	if err != nil {
		return err
	}
	subj, body := procedo.CaseNotice{Tenant: procedo.TenantFromContext(ctx), Case: cas, BaseURL: s.db.BaseURL}.ToStaff(subject, lines...)
	return enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: cas.TenantID, To: to, Subject: subj, Body: body})
}

// RequestSubstitute implements procedo.CaseCitizenService.
func (s *CaseService) RequestSubstitute(ctx context.Context, id int64, message string) (_ *procedo.Case, err error) {
	defer procedo.Wrap(&err, "sqlstore.RequestSubstitute(%d)", id)
	cas, v, err := s.applicantCase(ctx, id)
	if err != nil {
		return nil, err
	}
	message = strings.TrimSpace(message)
	if len([]rune(message)) > procedo.MaxReasonLength {
		return nil, procedo.FieldErrors{"message": "Il messaggio non può superare 4000 caratteri."}
	}
	switch {
	case cas.Status.Closed():
		return nil, procedo.Errorf(procedo.ECONFLICT, "La pratica è conclusa.")
	case cas.SubstituteRequestedAt != nil:
		return nil, procedo.Errorf(procedo.ECONFLICT, "Hai già chiesto l'intervento del titolare del potere sostitutivo il %s.",
			procedo.DateOf(*cas.SubstituteRequestedAt).Italian())
	}
	now := s.db.Now()
	today, cal := procedo.DateOf(now), calendarOf(ctx)
	clock, err := s.FindCaseClock(ctx, cas.ID, today)
	if err != nil {
		return nil, err
	}
	if !clock.Overdue {
		return nil, procedo.Errorf(procedo.ECONFLICT, "Il termine del procedimento non è scaduto: %s.", clock.Summary())
	}
	def := &v.Definition
	holder := def.SubstitutePower
	if holder == "" {
		holder = "il titolare del potere sostitutivo"
	}
	title := "Richiesta di intervento del titolare del potere sostitutivo (art. 2, c. 9-bis, L. 241/1990)"
	text := "Il termine di " + procedo.FormatDays(cas.TermDays) + " per la conclusione del procedimento è scaduto il " + clock.Due.Italian() +
		". Si chiede a " + holder + " di concludere il procedimento entro la metà del termine originario (art. 2, c. 9-ter)."
	if message != "" {
		text += "\n\n" + message
	}
	tenant := procedo.TenantFromContext(ctx)
	pdf, err := s.db.Renderer.RenderPDF(ctx, procedo.ApplicantLetter(tenant, cas, title, text, nil, now))
	if err != nil {
		return nil, err
	}
	main, err := s.db.putBytes(ctx, tenant.ID, pdf)
	if err != nil {
		return nil, err
	}
	due := procedo.DueDate(today, procedo.SubstituteTermDays(cas.TermDays), cal)
	err = s.db.transact(ctx, func(tx *Tx) error {
		reg, docs, err := s.storeApplicantLetter(ctx, tx, cas, def, title, main, nil)
		if err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE cases SET substitute_requested_at = ?, substitute_due_date = ?, updated_at = ?
			WHERE tenant_id = ? AND id = ? AND substitute_requested_at IS NULL AND closed_at IS NULL`,
			s.db.ts(tx.now), due, s.db.ts(tx.now), cas.TenantID, cas.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errConcurrent
		}
		cas.SubstituteRequestedAt, cas.SubstituteDueDate, cas.UpdatedAt = &tx.now, due, tx.now
		if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventSubstitute, FromStatus: cas.Status,
			ToStatus: cas.Status, RegistrationID: &reg.ID, DocumentID: &docs[0].ID,
			Reason: "Il titolare del potere sostitutivo deve concludere entro il " + due.Italian() + ifText(message, ": "+message)}); err != nil {
			return err
		}
		lines := []string{cas.ApplicantName + " ha chiesto l'intervento del titolare del potere sostitutivo (" + holder + ").",
			"Il procedimento va concluso entro il " + due.Italian() + " (metà del termine originario, art. 2, c. 9-ter).",
			"Protocollo: " + reg.Signature()}
		if err := s.notifyOffice(ctx, tx, cas, "richiesta al titolare del potere sostitutivo", lines...); err != nil {
			return err
		}
		managers, err := managerAddresses(ctx, tx, cas)
		if err != nil {
			return err
		}
		subject, body := procedo.CaseNotice{Tenant: tenant, Case: cas, BaseURL: s.db.BaseURL}.ToStaff("richiesta al titolare del potere sostitutivo", lines...)
		for _, to := range managers {
			if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: tenant.ID, To: to, Subject: subject, Body: body}); err != nil {
				return err
			}
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.substitute_request", ObjectType: "case", ObjectID: itoa(cas.ID),
			Detail: reg.Signature()})
	})
	if err != nil {
		return nil, err
	}
	return cas, nil
}
