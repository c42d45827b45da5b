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
	for _, n := range d.Payments {
		if n.ID == nid {
			return d, n, nil
		}
	}
	return nil, nil, procedo.Errorf(procedo.ENOTFOUND, "Avviso di pagamento non trovato.")
}

// handlePaymentNoticePDF sends the printable pagoPA notice of a draft's fee
// (avviso di pagamento: codice avviso, IUV, QR code content), to pay it
// anywhere pagoPA is accepted.
func (h *Handler) handlePaymentNoticePDF(w http.ResponseWriter, r *http.Request) error {
	_, n, err := h.draftNotice(r)
	if err != nil {
		return err
	}
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
