// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"strconv"

	"github.com/procedo/procedo"
)

// paymentCookie remembers, for the way back from the payment provider, what
// the payment belongs to: a draft ("123") or a case ("pratica-45"). A
// payment the payer abandons comes back without the notice.
const paymentCookie = "procedo_pagamento"

// casePaymentPrefix marks a case in paymentCookie.
const casePaymentPrefix = "pratica-"

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
	return h.startPayment(w, r, n, strconv.FormatInt(d.ID, 10))
}

// handleCasePaymentStart sends the citizen to the payment provider to pay a
// notice of their case ("Paga ora" in "Le mie pratiche").
func (h *Handler) handleCasePaymentStart(w http.ResponseWriter, r *http.Request) error {
	if h.PaymentProvider == nil {
		return procedo.Errorf(procedo.ENOTFOUND, "Il pagamento online non è disponibile: paga l'avviso con uno dei canali pagoPA.")
	}
	id, n, err := h.caseNotice(r)
	if err != nil {
		return err
	}
	return h.startPayment(w, r, n, casePaymentPrefix+strconv.FormatInt(id, 10))
}

// startPayment asks the provider where to pay n and sends the browser there,
// remembering back (see paymentCookie) for the way back.
func (h *Handler) startPayment(w http.ResponseWriter, r *http.Request, n *procedo.PaymentNotice, back string) error {
	to, err := h.PaymentProvider.Start(r.Context(), n)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: paymentCookie, Value: back, Path: "/pagamenti/", MaxAge: 3600,
		HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
