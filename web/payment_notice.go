// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"

	"github.com/procedo/procedo"
)

// draftNotice returns the notice {notice} of the draft {id} of the request,
// which the citizen must own.
func (h *Handler) draftNotice(r *http.Request) (*procedo.ApplicationDraft, *procedo.PaymentNotice, error) {
	d, _, _, err := h.loadDraft(r)
	if err != nil {
		return nil, nil, err
	}
	nid, err := pathID(r, "notice")
	if err != nil {
		return nil, nil, err
	}
	n, err := d.Notice(nid)
	if err != nil {
		return nil, nil, err
	}
	return d, n, nil
}

// caseNotice returns the notice {notice} of the case {id} of the request:
// the citizen's own case, and a notice addressed to them.
func (h *Handler) caseNotice(r *http.Request) (int64, *procedo.PaymentNotice, error) {
	if _, err := requireCitizen(r); err != nil {
		return 0, nil, err
	}
	if h.CasePayments == nil {
		return 0, nil, errNotFound
	}
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	nid, err := pathID(r, "notice")
	if err != nil {
		return 0, nil, err
	}
	notices, err := h.CasePayments.FindCasePayments(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	for _, n := range notices {
		if n.ID == nid {
			return id, n, nil
		}
	}
	return 0, nil, procedo.Errorf(procedo.ENOTFOUND, "Avviso di pagamento non trovato.")
}

// handlePaymentNoticePDF sends the printable pagoPA notice of a draft's fee
// (avviso di pagamento: codice avviso, IUV, QR code content), to pay it
// anywhere pagoPA is accepted.
func (h *Handler) handlePaymentNoticePDF(w http.ResponseWriter, r *http.Request) error {
	_, n, err := h.draftNotice(r)
	if err != nil {
		return err
	}
	return h.sendNoticePDF(w, r, n)
}

// handleCaseNoticePDF sends the printable pagoPA notice of a fee of the
// citizen's case (paid with the application or asked for by the office).
func (h *Handler) handleCaseNoticePDF(w http.ResponseWriter, r *http.Request) error {
	_, n, err := h.caseNotice(r)
	if err != nil {
		return err
	}
	return h.sendNoticePDF(w, r, n)
}

// sendNoticePDF renders n's avviso di pagamento.
func (h *Handler) sendNoticePDF(w http.ResponseWriter, r *http.Request, n *procedo.PaymentNotice) error {
	b, err := h.Renderer.RenderPDF(r.Context(), n.PrintDocument(requestFrom(r).tenant, ""))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="avviso-pagopa-`+n.NoticeNumber.String()+`.pdf"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(b)
	return nil
}
