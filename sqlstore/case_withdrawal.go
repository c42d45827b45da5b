// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"strings"

	"github.com/procedo/procedo"
)

var _ procedo.CaseWithdrawalService = (*CaseService)(nil)

// WithdrawCase implements procedo.CaseWithdrawalService. The applicant fires
// the model's withdrawal transition although its roles name only staff: the
// rinuncia is the applicant's own act, which the office merely records. A
// transition that issues a document (a "presa d'atto") stays with the office,
// which must sign it.
func (s *CaseService) WithdrawCase(ctx context.Context, id int64, reason string) (_ *procedo.Case, err error) {
	defer procedo.Wrap(&err, "sqlstore.WithdrawCase(%d)", id)
	cas, v, err := s.applicantCase(ctx, id)
	if err != nil {
		return nil, err
	}
	def := &v.Definition
	tr, ok := procedo.WithdrawalTransition(def, cas.Status)
	if !ok || tr.Document != "" || cas.Status.Closed() {
		return nil, procedo.Errorf(procedo.ECONFLICT, "In questa fase («%s») la rinuncia non si può presentare online: scrivi all'ufficio dalla pagina della pratica.",
			def.StateLabel(cas.Status))
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) > procedo.MaxReasonLength {
		return nil, procedo.FieldErrors{"reason": "La motivazione non può superare 4000 caratteri."}
	}
	decision := reason
	if decision == "" {
		decision = "Rinuncia presentata online dal richiedente."
	}
	tenant, now := procedo.TenantFromContext(ctx), s.db.Now()
	text := cas.ApplicantName + " (codice fiscale " + cas.ApplicantFiscalCode + ") rinuncia all'istanza presentata il " +
		cas.StartDate.Italian() + " (pratica n. " + itoa(cas.ID) + ", «" + cas.Subject + "») e chiede di concludere il procedimento."
	if reason != "" {
		text += "\n\nMotivazione: " + reason
	}
	pdf, err := s.db.Renderer.RenderPDF(ctx, procedo.ApplicantLetter(tenant, cas, procedo.WithdrawalTitle, text, nil, now))
	if err != nil {
		return nil, err
	}
	main, err := s.db.putBytes(ctx, tenant.ID, pdf)
	if err != nil {
		return nil, err
	}
	f, err := s.prepareFire(ctx, cas, v, tr, fireOptions{reason: decision})
	if err != nil {
		return nil, err
	}
	err = s.db.transact(ctx, func(tx *Tx) error {
		reg, _, err := s.storeApplicantLetter(ctx, tx, cas, def, procedo.WithdrawalTitle, main, nil)
		if err != nil {
			return err
		}
		f.o.registration = &reg.ID
		if err := s.applyFire(ctx, tx, f); err != nil {
			return err
		}
		if err := s.notifyOffice(ctx, tx, cas, "rinuncia del richiedente", cas.ApplicantName+" ha rinunciato all'istanza: la pratica è conclusa.",
			"Protocollo: "+reg.Signature()); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.withdraw", ObjectType: "case", ObjectID: itoa(cas.ID), Detail: reg.Signature()})
	})
	if err != nil {
		return nil, err
	}
	return cas, nil
}
