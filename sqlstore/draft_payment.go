// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"strings"

	"github.com/procedo/procedo"
)

// The fees of an application draft: fixed ones, and those a formula of the
// model computes from the draft's values (procedo.DraftFees). A notice is
// issued for the amount due; when the values change, an unpaid notice that
// no longer matches is cancelled in the transaction that saves them, so
// nobody can pay a stale amount; a paid notice is never changed.

// payerName is the name printed on a draft's notices: the applicant, within
// the pagoPA limit.
func payerName(d *procedo.ApplicationDraft) string {
	payer := d.Applicant.FullName()
	if payer == "" {
		payer = d.FiscalCode
	}
	if r := []rune(payer); len(r) > procedo.MaxPayerNameLength {
		payer = string(r[:procedo.MaxPayerNameLength])
	}
	return payer
}

// cancelStaleDraftNotices cancels, inside tx, the unpaid notices of draft id
// that values no longer give (procedo.StaleNotices), each with its audit
// entry. A notice paid in the meantime is left alone: the guard on its status
// keeps it, and DraftFees then reports the conflict.
func cancelStaleDraftNotices(ctx context.Context, tx *Tx, tid, id int64, def *procedo.ProcedureDefinition, values map[string]string) error {
	if len(def.Payments) == 0 {
		return nil
	}
	have, err := draftNotices(ctx, tx, tid, id)
	if err != nil {
		return err
	}
	for _, n := range procedo.StaleNotices(def, values, have) {
		res, err := tx.exec(ctx, `UPDATE payment_notices SET status = 'cancelled', updated_at = ?
			WHERE tenant_id = ? AND id = ? AND status = 'unpaid'`, tx.db.ts(tx.now), tid, n.ID)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if k != 1 {
			continue
		}
		if err := recordAudit(ctx, tx, &procedo.AuditEvent{Action: "payment.cancel", ObjectType: "payment_notice", ObjectID: itoa(n.ID),
			Detail: "avviso " + n.NoticeNumber.String() + ", " + procedo.FormatCents(n.Amount) +
				": annullato perché i dati della domanda sono cambiati e l'importo va ricalcolato"}); err != nil {
			return err
		}
	}
	return nil
}

// issueDraftNotices issues, inside tx, the notices the fees of draft d still
// lack: one per fee due with the application for its amount (fixed, or
// computed from d's values with the computation kept), after cancelling the
// stale ones. It returns the draft's notices that are not cancelled.
func (s *DraftService) issueDraftNotices(ctx context.Context, tx *Tx, tid int64, d *procedo.ApplicationDraft, def *procedo.ProcedureDefinition) ([]*procedo.PaymentNotice, error) {
	if err := cancelStaleDraftNotices(ctx, tx, tid, d.ID, def, d.Values); err != nil {
		return nil, err
	}
	have, err := draftNotices(ctx, tx, tid, d.ID)
	if err != nil {
		return nil, err
	}
	issued := false
	for _, f := range procedo.DraftFees(def, d.Values, have) {
		if !f.Payable() || f.Notice != nil {
			continue
		}
		n := &procedo.PaymentNotice{ApplicationDraftID: &d.ID, Amount: f.Due, Causale: f.Payment.Causale,
			Description: f.Payment.Description, Computation: f.Computation, PayerFiscalCode: d.FiscalCode, PayerName: payerName(d)}
		n.Causale = strings.TrimSpace(n.Causale)
		if err := n.Validate(); err != nil {
			return nil, err
		}
		if err := s.payments.createNotice(ctx, tx, tid, n); err != nil {
			return nil, err
		}
		issued = true
	}
	if !issued {
		return have, nil
	}
	return draftNotices(ctx, tx, tid, d.ID)
}

// draftFeesPaid returns procedo.FeesError unless every fee of def due with
// the application of draft id, for values, is paid with a notice of the
// draft for its amount.
func draftFeesPaid(ctx context.Context, db querier, tid, id int64, def *procedo.ProcedureDefinition, values map[string]string) error {
	if len(def.ApplicationFees()) == 0 {
		return nil
	}
	notices, err := draftNotices(ctx, db, tid, id)
	if err != nil {
		return err
	}
	return procedo.FeesError(procedo.DraftFees(def, values, notices))
}
