// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/procedo/procedo"
)

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, procedo.Errorf(procedo.ENOTFOUND, "La pagina che cerchi non esiste.")
	}
	return id, nil
}

// findReceiptOfCase returns the receipt of a case the actor (a citizen or an
// operator) may view; EUNAUTHORIZED for anonymous visitors.
func (h *Handler) findReceiptOfCase(r *http.Request) (*procedo.Receipt, error) {
	if requestFrom(r).actor == nil {
		_, err := requireCitizen(r)
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	cas, err := h.Cases.FindCaseByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return h.Applications.FindReceipt(r.Context(), cas.ApplicationID)
}

// handleReceipt shows the receipt of an application (L. 241/1990 art. 18-bis).
func (h *Handler) handleReceipt(w http.ResponseWriter, r *http.Request) error {
	rec, err := h.findReceiptOfCase(r)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "receipt", &page{Title: "Ricevuta di presentazione",
		Breadcrumbs: []crumb{{"Le mie pratiche", "/pratiche"}, {"Ricevuta", ""}}, Data: rec})
	return nil
}

// handleReceiptPDF returns the receipt as PDF.
func (h *Handler) handleReceiptPDF(w http.ResponseWriter, r *http.Request) error {
	rec, err := h.findReceiptOfCase(r)
	if err != nil {
		return err
	}
	b, err := h.Renderer.RenderPDF(r.Context(), rec.PrintDocument())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="ricevuta-%s-%d.pdf"`, rec.Registration.NumberString(), rec.Registration.Year))
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(b)
	return nil
}
