// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"fmt"

	"github.com/procedo/procedo"
)

var _ procedo.CaseMessageService = (*CaseService)(nil)

// SendCaseMessage implements procedo.CaseMessageService.
func (s *CaseService) SendCaseMessage(ctx context.Context, caseID int64, body string, uploads []*procedo.Upload) (_ *procedo.CaseMessage, err error) {
	defer procedo.Wrap(&err, "sqlstore.SendCaseMessage(%d)", caseID)
	cas, v, err := s.applicantCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if body, err = procedo.CheckMessage(body, len(uploads) > 0); err != nil {
		return nil, err
	}
	if len(uploads) > maxAnswerFiles {
		return nil, procedo.FieldErrors{"files": fmt.Sprintf("Puoi allegare al massimo %d file.", maxAnswerFiles)}
	}
	if err := s.db.checkUploads(ctx, cas.TenantID, uploads); err != nil {
		return nil, err
	}
	tenant, now := procedo.TenantFromContext(ctx), s.db.Now()
	title := procedo.MessageTitle(procedo.MessageFromApplicant)
	var files []string
	for _, u := range uploads {
		files = append(files, u.Filename)
	}
	pdf, err := s.db.Renderer.RenderPDF(ctx, procedo.ApplicantLetter(tenant, cas, title, body, files, now))
	if err != nil {
		return nil, err
	}
	main, err := s.db.putBytes(ctx, tenant.ID, pdf)
	if err != nil {
		return nil, err
	}
	m := &procedo.CaseMessage{TenantID: cas.TenantID, CaseID: cas.ID, Direction: procedo.MessageFromApplicant, Body: body,
		AuthorName: procedo.ActorFromContext(ctx).Name(), Attachments: len(uploads)}
	err = s.db.transact(ctx, func(tx *Tx) error {
		reg, docs, err := s.storeApplicantLetter(ctx, tx, cas, &v.Definition, title, main, uploads)
		if err != nil {
			return err
		}
		if err := s.insertCaseMessage(ctx, tx, cas, m, reg, docs[0].ID); err != nil {
			return err
		}
		if err := s.notifyOffice(ctx, tx, cas, "messaggio del richiedente", cas.ApplicantName+" ha scritto all'ufficio:", body,
			"Protocollo: "+reg.Signature()); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.message", ObjectType: "case", ObjectID: itoa(cas.ID), Detail: reg.Signature()})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// ReplyCaseMessage implements procedo.CaseMessageService.
func (s *CaseService) ReplyCaseMessage(ctx context.Context, caseID int64, body string) (_ *procedo.CaseMessage, err error) {
	defer procedo.Wrap(&err, "sqlstore.ReplyCaseMessage(%d)", caseID)
	cas, v, err := s.staffCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	a := procedo.ActorFromContext(ctx)
	if err := procedo.CanWorkCase(a, cas); err != nil {
		return nil, err
	}
	if body, err = procedo.CheckMessage(body, false); err != nil {
		return nil, err
	}
	tenant, now := procedo.TenantFromContext(ctx), s.db.Now()
	pdf, err := s.db.Renderer.RenderPDF(ctx, procedo.OfficeLetter(tenant, cas, body, a.Name(), now))
	if err != nil {
		return nil, err
	}
	blob, err := s.db.putBytes(ctx, tenant.ID, pdf)
	if err != nil {
		return nil, err
	}
	title := procedo.MessageTitle(procedo.MessageFromOffice)
	m := &procedo.CaseMessage{TenantID: cas.TenantID, CaseID: cas.ID, Direction: procedo.MessageFromOffice, Body: body, AuthorName: a.Name()}
	err = s.db.transact(ctx, func(tx *Tx) error {
		doc := &procedo.Document{TenantID: cas.TenantID, SHA256: blob.SHA256, Filename: "comunicazione-" + itoa(cas.ID) + ".pdf",
			MediaType: "application/pdf", Size: blob.Size, Kind: procedo.DocumentNotice, Description: title}
		if err := insertDocument(ctx, tx, doc); err != nil {
			return err
		}
		reg := &procedo.Registration{TenantID: cas.TenantID, Direction: procedo.DirectionOutgoing,
			Subject:        truncate(title+": "+cas.Subject+" — pratica n. "+itoa(cas.ID), 1000),
			Correspondents: []procedo.Correspondent{{Name: cas.ApplicantName, FiscalCode: cas.ApplicantFiscalCode, Email: cas.ApplicantEmail}},
			DocumentID:     &doc.ID, Fingerprint: doc.SHA256, OrgUnitID: &cas.OrgUnitID, Classification: v.Definition.Classification,
			Channel: "online"}
		if err := registerEntry(ctx, tx, reg); err != nil {
			return err
		}
		if err := linkCaseDocument(ctx, tx, cas, doc.ID, "message", true, reg); err != nil {
			return err
		}
		if err := s.insertCaseMessage(ctx, tx, cas, m, reg, doc.ID); err != nil {
			return err
		}
		subject, text := procedo.OfficeMessageMail(tenant, cas, reg, body, s.db.BaseURL)
		if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: cas.TenantID, To: cas.ApplicantEmail, Subject: subject, Body: text,
			Attachments: []procedo.MailAttachmentRef{{Kind: "document", ID: doc.ID, Filename: doc.Filename}}}); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.reply", ObjectType: "case", ObjectID: itoa(cas.ID), Detail: reg.Signature()})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// insertCaseMessage stores m, registered as reg with main document docID,
// and its case event.
func (s *CaseService) insertCaseMessage(ctx context.Context, tx *Tx, cas *procedo.Case, m *procedo.CaseMessage, reg *procedo.Registration, docID int64) error {
	m.RegistrationID, m.DocumentID, m.CreatedAt = reg.ID, docID, tx.now
	m.ProtocolYear, m.ProtocolNumber = reg.Year, reg.Number
	m.Protocol = procedo.FormatProtocolNumber(reg.Number) + "/" + itoa(int64(reg.Year))
	var err error
	if m.ID, err = tx.insert(ctx, `INSERT INTO case_messages (tenant_id, case_id, direction, body, author_name, registration_id, document_id,
		attachments, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.TenantID, m.CaseID, m.Direction, m.Body, m.AuthorName, reg.ID, docID,
		m.Attachments, s.db.ts(tx.now)); err != nil {
		return err
	}
	return insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventMessage, FromStatus: cas.Status,
		ToStatus: cas.Status, Reason: truncate(m.Direction.Label()+": "+m.Body, 4000), RegistrationID: &reg.ID, DocumentID: &docID})
}

// FindCaseMessages implements procedo.CaseMessageService.
func (s *CaseService) FindCaseMessages(ctx context.Context, caseID int64) (_ []*procedo.CaseMessage, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindCaseMessages(%d)", caseID)
	cas, err := s.FindCaseByID(ctx, caseID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT m.id, m.tenant_id, m.case_id, m.direction, m.body, m.author_name, m.registration_id, r.year, r.number,
		m.document_id, m.attachments, m.created_at
		FROM case_messages m JOIN registrations r ON r.id = m.registration_id AND r.tenant_id = m.tenant_id
		WHERE m.tenant_id = ? AND m.case_id = ? ORDER BY m.id`, cas.TenantID, cas.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*procedo.CaseMessage
	for rows.Next() {
		var m procedo.CaseMessage
		if err := rows.Scan(&m.ID, &m.TenantID, &m.CaseID, &m.Direction, &m.Body, &m.AuthorName, &m.RegistrationID, &m.ProtocolYear,
			&m.ProtocolNumber, &m.DocumentID, &m.Attachments, timeValue{&m.CreatedAt}); err != nil {
			return nil, err
		}
		m.Protocol = procedo.FormatProtocolNumber(m.ProtocolNumber) + "/" + itoa(int64(m.ProtocolYear))
		out = append(out, &m)
	}
	return out, rows.Err()
}
