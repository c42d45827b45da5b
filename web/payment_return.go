// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/procedo/procedo"
)

// handlePaymentReturn is where the payment provider sends the citizen back:
// procedo.CompletePayment verifies the provider's outcome and records the
// payment; the citizen returns to the payment step of the draft, or to the
// case page for a fee of a case, which shows the notice as paid.
func (h *Handler) handlePaymentReturn(w http.ResponseWriter, r *http.Request) error {
	if h.PaymentProvider == nil {
		return errNotFound
	}
	if _, err := requireCitizen(r); err != nil {
		return err
	}
	back := "/pratiche"
	if c, err := r.Cookie(paymentCookie); err == nil {
		v, isCase := strings.CutPrefix(c.Value, casePaymentPrefix)
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			back = draftPath(id, procedo.StepPayment)
			if isCase {
				back = casePaymentsPath(id)
			}
		}
	}
	n, err := procedo.CompletePayment(r.Context(), h.PaymentProvider, h.Payments, r)
	switch procedo.ErrorCode(err) {
	case "":
		switch {
		case n.CaseID != nil:
			back = casePaymentsPath(*n.CaseID)
		case n.ApplicationDraftID != nil:
			back = draftPath(*n.ApplicationDraftID, procedo.StepPayment)
		}
		h.redirect(w, r, back, flashPaid)
		return nil
	case procedo.ECONFLICT:
		h.redirect(w, r, back, flashPayCancelled)
		return nil
	case procedo.EINVALID, procedo.ENOTFOUND:
		return err
	}
	h.Logger.Error("payment return", "error", err, "request_id", procedo.RequestIDFromContext(r.Context()))
	h.redirect(w, r, back, flashPayFailed)
	return nil
}

// casePaymentsPath is the payments of the citizen's case id.
func casePaymentsPath(id int64) string {
	return "/pratiche/" + strconv.FormatInt(id, 10) + "#pagamenti"
}
