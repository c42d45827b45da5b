// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"strings"

	"github.com/procedo/procedo"
)

// newAct gathers what the act key of cas needs: the office, the registration
// of the application, its form values and the clock.
func (s *CaseService) newAct(ctx context.Context, cas *procedo.Case, v *procedo.ProcedureVersion, key string, clock *procedo.CaseClock) (*procedo.CaseAct, error) {
	rec, err := findReceiptByCase(ctx, s.db, cas.ID)
	if err != nil {
		return nil, err
	}
	return &procedo.CaseAct{Tenant: procedo.TenantFromContext(ctx), Case: cas, Definition: &v.Definition, OrgUnit: rec.OrgUnit,
		Filing: rec.Registration, Form: rec.Application.Data, Clock: clock, Key: key, Signer: procedo.ActorFromContext(ctx).Name(),
		At: s.db.Now(), BaseURL: s.db.BaseURL}, nil
}

// renderAct renders act to PDF and stores it in the blob store (before the
// transaction that references it).
func (s *CaseService) renderAct(ctx context.Context, act *procedo.CaseAct) (procedo.BlobInfo, error) {
	pdf, err := s.db.Renderer.RenderPDF(ctx, act.PrintDocument())
	if err != nil {
		return procedo.BlobInfo{}, err
	}
	return s.db.putBytes(ctx, act.Tenant.ID, pdf)
}

// issueAct stores the rendered act as a case document, registers it as
// outgoing when the transition says so (the attestation always), and queues
// the mail to the applicant when it notifies them (the attestation always).
func (s *CaseService) issueAct(ctx context.Context, tx *Tx, act *procedo.CaseAct, blob procedo.BlobInfo) (*procedo.Document, *procedo.Registration, error) {
	cas, tenant := act.Case, act.Tenant
	doc := &procedo.Document{TenantID: tenant.ID, SHA256: blob.SHA256, Filename: act.Filename(), MediaType: "application/pdf",
		Size: blob.Size, Kind: act.Kind(), Description: truncate(act.Title(), 500)}
	if err := insertDocument(ctx, tx, doc); err != nil {
		return nil, nil, err
	}
	var reg *procedo.Registration
	if act.Transition.Register || act.Key == procedo.DocSilenceAttestation {
		reg = &procedo.Registration{TenantID: tenant.ID, Direction: procedo.DirectionOutgoing,
			Subject:        truncate(act.Title()+": "+cas.Subject+" — pratica n. "+itoa(cas.ID), 1000),
			Correspondents: []procedo.Correspondent{{Name: cas.ApplicantName, FiscalCode: cas.ApplicantFiscalCode, Email: cas.ApplicantEmail}},
			DocumentID:     &doc.ID, Fingerprint: doc.SHA256, OrgUnitID: &cas.OrgUnitID, Classification: act.Definition.Classification,
			Channel: "online"}
		if !act.ForApplicant() {
			// An internal act (a request for an opinion) goes to the office, not to the applicant.
			reg.Correspondents = []procedo.Correspondent{{Name: cas.OrgUnitName}}
		}
		if err := registerEntry(ctx, tx, reg); err != nil {
			return nil, nil, err
		}
	}
	if err := linkCaseDocument(ctx, tx, cas, doc.ID, act.Key, act.ForApplicant(), reg); err != nil {
		return nil, nil, err
	}
	if act.Transition.NotifyApplicant || act.Key == procedo.DocSilenceAttestation {
		subject, body := act.Mail(reg)
		if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: tenant.ID, To: cas.ApplicantEmail, Subject: subject, Body: body,
			Attachments: []procedo.MailAttachmentRef{{Kind: "document", ID: doc.ID, Filename: doc.Filename}}}); err != nil {
			return nil, nil, err
		}
	}
	return doc, reg, nil
}

// linkCaseDocument makes document docID a document of cas.
func linkCaseDocument(ctx context.Context, tx *Tx, cas *procedo.Case, docID int64, key string, forApplicant bool, reg *procedo.Registration) error {
	var regID *int64
	if reg != nil {
		regID = &reg.ID
	}
	_, err := tx.exec(ctx, `INSERT INTO case_documents (tenant_id, case_id, document_id, doc_key, for_applicant, registration_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, cas.TenantID, cas.ID, docID, key, forApplicant, regID, tx.db.ts(tx.now))
	return err
}

// DocumentText implements procedo.CaseWorkService.
func (s *CaseService) DocumentText(ctx context.Context, id int64, name, reason string) (_ string, err error) {
	defer procedo.Wrap(&err, "sqlstore.DocumentText(%d, %q)", id, name)
	cas, v, err := s.staffCase(ctx, id)
	if err != nil {
		return "", err
	}
	tr, err := procedo.FindTransition(&v.Definition, cas.Status, name)
	if err != nil {
		return "", err
	}
	if tr.Document == "" {
		return "", procedo.Errorf(procedo.EINVALID, "L'azione «%s» non produce un documento.", tr.Label)
	}
	clock, err := s.FindCaseClock(ctx, cas.ID, procedo.Date{})
	if err != nil {
		return "", err
	}
	act, err := s.newAct(ctx, cas, v, tr.Document, clock)
	if err != nil {
		return "", err
	}
	act.Transition, act.Reason = tr, strings.TrimSpace(reason)
	return act.Body(), nil
}

// staffCase returns a case the actor, a member of staff, may view, with its
// version. Citizens get ENOTFOUND for cases not theirs and EFORBIDDEN for
// theirs, so they learn nothing new.
func (s *CaseService) staffCase(ctx context.Context, id int64) (*procedo.Case, *procedo.ProcedureVersion, error) {
	cas, err := s.FindCaseByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if a := procedo.ActorFromContext(ctx); a == nil || a.User == nil {
		return nil, nil, procedo.Errorf(procedo.EFORBIDDEN, "Solo il personale dell'ente può operare sulla pratica.")
	}
	v, err := NewProcedureService(s.db).FindProcedureVersionByID(ctx, cas.ProcedureVersionID)
	if err != nil {
		return nil, nil, err
	}
	return cas, v, nil
}
