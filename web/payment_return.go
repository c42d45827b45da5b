// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"strconv"

	"github.com/procedo/procedo"
)

// handlePaymentReturn is where the payment provider sends the citizen back:
// procedo.CompletePayment verifies the provider's outcome and records the
// payment; the citizen returns to the payment step of the draft, which shows
// the notice as paid.
func (h *Handler) handlePaymentReturn(w http.ResponseWriter, r *http.Request) error {
	if h.PaymentProvider == nil {
		return errNotFound
	}
	if _, err := requireCitizen(r); err != nil {
		return err
	}
	back := "/pratiche"
	if c, err := r.Cookie(paymentCookie); err == nil {
		if id, err := strconv.ParseInt(c.Value, 10, 64); err == nil && id > 0 {
			back = draftPath(id, procedo.StepPayment)
		}
	}
	n, err := procedo.CompletePayment(r.Context(), h.PaymentProvider, h.Payments, r)
	switch procedo.ErrorCode(err) {
	case "":
		if n.ApplicationDraftID != nil {
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
