// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"strconv"

	"github.com/procedo/procedo"
)

// paymentCookie remembers, for the way back from the payment provider, which
// draft the payment belongs to: a payment the payer abandons comes back
// without the notice.
const paymentCookie = "procedo_pagamento"

// handlePaymentStart sends the citizen to the payment provider to pay a
// notice of their draft ("Paga ora").
func (h *Handler) handlePaymentStart(w http.ResponseWriter, r *http.Request) error {
	if h.PaymentProvider == nil {
		return procedo.Errorf(procedo.ENOTFOUND, "Il pagamento online non è disponibile: paga l'avviso con uno dei canali pagoPA.")
	}
	d, n, err := h.draftNotice(r)
	if err != nil {
		return err
	}
	to, err := h.PaymentProvider.Start(r.Context(), n)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: paymentCookie, Value: strconv.FormatInt(d.ID, 10), Path: "/pagamenti/", MaxAge: 3600,
		HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
