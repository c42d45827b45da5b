// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"net/http"

	"github.com/procedo/procedo"
)

// handleApplySubmit sends the draft: the application is stored, registered
// and its case opened in one transaction that also deletes the draft; the
// receipt follows at once (303). What still stops it is shown on the summary
// (422), each problem linked to its step.
func (h *Handler) handleApplySubmit(w http.ResponseWriter, r *http.Request) error {
	d, v, steps, err := h.loadDraft(r)
	if err != nil {
		return err
	}
	receipt, err := h.Drafts.SubmitDraft(r.Context(), d.ID)
	if fe := procedo.FieldErrorsOf(err); fe != nil {
		p := h.stepPage(r, d, v, steps, len(steps)-1, nil)
		h.reviewProblems(p, d, steps, fe)
		h.renderStep(w, r, http.StatusUnprocessableEntity, p)
		return nil
	}
	if err != nil {
		return err
	}
	if h.Notify != nil {
		h.Notify()
	}
	h.redirect(w, r, fmt.Sprintf("/pratiche/%d/ricevuta", receipt.Case.ID), "")
	return nil
}
