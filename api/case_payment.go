// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"net/http"
	"time"

	"github.com/procedo/procedo"
)

// casePaymentJSON is a pagoPA notice of a case (schema CasePayment).
type casePaymentJSON struct {
	ID                 int64                 `json:"id"`
	CaseID             int64                 `json:"case_id"`
	NoticeNumber       string                `json:"notice_number"`
	IUV                string                `json:"iuv"`
	CreditorFiscalCode string                `json:"creditor_fiscal_code"`
	Amount             int64                 `json:"amount_cents"`
	Causale            string                `json:"causale"`
	Description        string                `json:"description"`
	Computation        string                `json:"computation"`
	PayerFiscalCode    string                `json:"payer_fiscal_code"`
	PayerName          string                `json:"payer_name"`
	DueDate            *procedo.Date         `json:"due_date"`
	Status             procedo.PaymentStatus `json:"status"`
	StatusLabel        string                `json:"status_label"`
	PaidAt             *time.Time            `json:"paid_at"`
	RegistrationID     *int64                `json:"registration_id"`
	DocumentID         *int64                `json:"document_id"`
	CreatedAt          time.Time             `json:"created_at"`
}

func newCasePaymentJSON(caseID int64, n *procedo.PaymentNotice) casePaymentJSON {
	out := casePaymentJSON{ID: n.ID, CaseID: caseID, NoticeNumber: n.NoticeNumber.String(), IUV: n.IUV, CreditorFiscalCode: n.CreditorFiscalCode,
		Amount: n.Amount, Causale: n.Causale, Description: n.Description, Computation: n.Computation, PayerFiscalCode: n.PayerFiscalCode,
		PayerName: n.PayerName, DueDate: optDate(n.DueDate), Status: n.Status, StatusLabel: n.Status.Label(),
		RegistrationID: n.RegistrationID, DocumentID: n.DocumentID, CreatedAt: n.CreatedAt.UTC()}
	if n.PaidAt != nil {
		t := n.PaidAt.UTC()
		out.PaidAt = &t
	}
	return out
}

// handleCasePaymentList serves GET /api/v1/cases/{id}/payments: the pagoPA
// notices of a case the caller may view (paid with the application, or asked
// for by the office), oldest first, with their status.
func (s *Server) handleCasePaymentList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Pratica non trovata.")
	if err != nil {
		return err
	}
	if s.CasePayments == nil {
		return procedo.Errorf(procedo.ENOTFOUND, "Risorsa non trovata.")
	}
	notices, err := s.CasePayments.FindCasePayments(r.Context(), id)
	if err != nil {
		return err
	}
	items := make([]casePaymentJSON, len(notices))
	for i, n := range notices {
		items[i] = newCasePaymentJSON(id, n)
	}
	return writeJSON(w, http.StatusOK, struct {
		Items []casePaymentJSON `json:"items"`
	}{items})
}
