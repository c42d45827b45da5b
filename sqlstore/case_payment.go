// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"

	"github.com/procedo/procedo"
)

var _ procedo.CasePaymentService = (*PaymentService)(nil)

// RequestCasePayment implements procedo.CasePaymentService.
//
// The notice number is taken in a short transaction of its own, so that the
// PDF (which prints it) is rendered and stored durably outside the
// transaction that registers it, as for every other outgoing document. An
// IUV taken by a request that fails afterwards is simply never used: IUVs
// must never repeat, not be gap-free.
func (s *PaymentService) RequestCasePayment(ctx context.Context, caseID int64, r procedo.CasePaymentRequest) (_ *procedo.PaymentNotice, err error) {
	defer procedo.Wrap(&err, "sqlstore.RequestCasePayment(%d)", caseID)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	cas, v, err := NewCaseService(s.db).staffCase(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if err := procedo.CanRequestCasePayment(procedo.ActorFromContext(ctx), cas); err != nil {
		return nil, err
	}
	r.Normalize()
	if err := r.Validate(); err != nil {
		return nil, err
	}
	payer := []rune(cas.ApplicantName)
	if len(payer) > procedo.MaxPayerNameLength {
		payer = payer[:procedo.MaxPayerNameLength]
	}
	n := &procedo.PaymentNotice{CaseID: &cas.ID, Amount: r.Amount, Causale: r.Causale, Description: r.Description, DueDate: r.DueDate,
		PayerFiscalCode: procedo.NormalizeFiscalCode(cas.ApplicantFiscalCode), PayerName: string(payer)}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	err = s.db.transact(ctx, func(tx *Tx) error {
		var err error
		n.NoticeNumber, n.CreditorFiscalCode, err = s.nextNoticeNumber(ctx, tx, tid)
		return err
	})
	if err != nil {
		return nil, err
	}
	n.IUV = n.NoticeNumber.IUV()
	tenant := procedo.TenantFromContext(ctx)
	pdf, err := s.db.Renderer.RenderPDF(ctx, n.PrintDocument(tenant, s.db.BaseURL+"/pratiche/"+itoa(cas.ID)))
	if err != nil {
		return nil, err
	}
	blob, err := s.db.putBytes(ctx, tid, pdf)
	if err != nil {
		return nil, err
	}
	title := procedo.PaymentRequestTitle
	err = s.db.transact(ctx, func(tx *Tx) error {
		doc := &procedo.Document{TenantID: tid, SHA256: blob.SHA256, Filename: "avviso-pagopa-" + n.NoticeNumber.String() + ".pdf",
			MediaType: "application/pdf", Size: blob.Size, Kind: procedo.DocumentNotice, Description: truncate(title+": "+r.Description, 1000)}
		if err := insertDocument(ctx, tx, doc); err != nil {
			return err
		}
		reg := &procedo.Registration{TenantID: tid, Direction: procedo.DirectionOutgoing,
			Subject:        truncate(title+": "+r.Description+" — pratica n. "+itoa(cas.ID), 1000),
			Correspondents: []procedo.Correspondent{{Name: cas.ApplicantName, FiscalCode: cas.ApplicantFiscalCode, Email: cas.ApplicantEmail}},
			DocumentID:     &doc.ID, Fingerprint: doc.SHA256, OrgUnitID: &cas.OrgUnitID, Classification: v.Definition.Classification,
			Channel: "online"}
		if err := registerEntry(ctx, tx, reg); err != nil {
			return err
		}
		if err := linkCaseDocument(ctx, tx, cas, doc.ID, "payment_request", true, reg); err != nil {
			return err
		}
		n.RegistrationID, n.DocumentID = &reg.ID, &doc.ID
		if err := insertNotice(ctx, tx, tid, n); err != nil {
			return err
		}
		if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventPaymentRequest, FromStatus: cas.Status,
			ToStatus: cas.Status, Reason: truncate(r.Description+" – "+procedo.FormatCents(n.Amount)+" – codice avviso "+n.NoticeNumber.Grouped(), 4000),
			RegistrationID: &reg.ID, DocumentID: &doc.ID}); err != nil {
			return err
		}
		subject, text := procedo.CasePaymentMail(tenant, cas, n, reg, s.db.BaseURL)
		if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: tid, To: cas.ApplicantEmail, Subject: subject, Body: text,
			Attachments: []procedo.MailAttachmentRef{{Kind: "document", ID: doc.ID, Filename: doc.Filename}}}); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.payment_request", ObjectType: "case", ObjectID: itoa(cas.ID),
			Detail: reg.Signature() + ", avviso " + n.NoticeNumber.String() + ", " + procedo.FormatCents(n.Amount)})
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// FindCasePayments implements procedo.CasePaymentService.
func (s *PaymentService) FindCasePayments(ctx context.Context, caseID int64) (_ []*procedo.PaymentNotice, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindCasePayments(%d)", caseID)
	cas, err := NewCaseService(s.db).FindCaseByID(ctx, caseID)
	if err != nil {
		return nil, err
	}
	cond, args, ok := visibleNotices(procedo.ActorFromContext(ctx))
	if !ok {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Pratica non trovata.")
	}
	return queryNotices(ctx, s.db, `SELECT `+noticeColumns+` FROM payment_notices WHERE tenant_id = ? AND case_id = ? AND `+cond+` ORDER BY id`,
		append([]any{cas.TenantID, cas.ID}, args...)...)
}

// casePaymentEvent records in the history of n's case, inside tx, that n was
// paid; nothing for notices of no case or not paid.
func casePaymentEvent(ctx context.Context, tx *Tx, tid int64, n *procedo.PaymentNotice) error {
	if n.CaseID == nil || n.Status != procedo.PaymentPaid {
		return nil
	}
	var status procedo.CaseStatus
	if err := tx.queryRow(ctx, `SELECT status FROM cases WHERE tenant_id = ? AND id = ?`, tid, *n.CaseID).Scan(&status); err != nil {
		return notFound(err, "Pratica non trovata.")
	}
	what := n.Description
	if what == "" {
		what = n.Causale
	}
	return insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: *n.CaseID, Kind: procedo.CaseEventPaymentPaid, FromStatus: status, ToStatus: status,
		Reason: truncate(what+" – "+procedo.FormatCents(n.Amount)+" – codice avviso "+n.NoticeNumber.Grouped(), 4000), DocumentID: n.DocumentID})
}
