// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"strings"

	"github.com/procedo/procedo"
)

// handleCasePaymentRequest asks the applicant of a case to pay a fee
// ("Richiedi un pagamento"): a pagoPA notice registered as outgoing with its
// PDF, mailed to the applicant and shown in their area with "Paga ora".
// Amounts are typed the Italian way ("72,50"); an error shows the case page
// again with the form and its messages.
func (h *Handler) handleCasePaymentRequest(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if h.CasePayments == nil {
		return errNotFound
	}
	// Who may not ask learns nothing from the form's errors: the case is
	// checked first (the store checks again).
	cas, err := h.Cases.FindCaseByID(r.Context(), id)
	if err != nil {
		return err
	}
	if err := procedo.CanRequestCasePayment(procedo.ActorFromContext(r.Context()), cas); err != nil {
		return err
	}
	values := map[string]string{"description": r.PostFormValue("description"), "amount": r.PostFormValue("amount"),
		"causale": r.PostFormValue("causale"), "due_date": r.PostFormValue("due_date")}
	req := procedo.CasePaymentRequest{Description: values["description"], Causale: values["causale"]}
	fe := procedo.FieldErrors{}
	if strings.TrimSpace(values["amount"]) == "" {
		fe.Add("amount", "Indica l'importo in euro, ad esempio 72,50.")
	} else if req.Amount, err = procedo.ParseEuro(values["amount"]); err != nil {
		fe.Add("amount", procedo.ErrorMessage(err))
	}
	if v := strings.TrimSpace(values["due_date"]); v != "" {
		d, err := procedo.ParseDate(v)
		switch {
		case err != nil:
			fe.Add("due_date", "Inserisci una data valida (gg/mm/aaaa).")
		case d.Before(procedo.DateOf(timeNow())):
			fe.Add("due_date", "La scadenza non può essere già passata.")
		default:
			req.DueDate = d
		}
	}
	if len(fe) > 0 {
		// Report the other fields' problems too, in one round.
		req.Normalize()
		if v := procedo.FieldErrorsOf(req.Validate()); v != nil {
			for k, msg := range v {
				if k != "amount" {
					fe.Add(k, msg)
				}
			}
		}
		return h.caseAgain(w, r, u, "payment", values, fe)
	}
	if _, err := h.CasePayments.RequestCasePayment(r.Context(), id, req); err != nil {
		return h.caseAgain(w, r, u, "payment", values, err)
	}
	h.notify()
	h.redirect(w, r, caseURL(id)+"#pagamenti", "case-payment-request")
	return nil
}

func init() {
	flashMessages["case-payment-request"] = "Richiesta di pagamento protocollata e inviata al richiedente con l'avviso pagoPA."
}
