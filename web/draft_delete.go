// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
)

// handleDraftDelete deletes a draft of the citizen ("Elimina" in "Le mie
// pratiche") and goes back to the list.
func (h *Handler) handleDraftDelete(w http.ResponseWriter, r *http.Request) error {
	d, _, _, err := h.loadDraft(r)
	if err != nil {
		return err
	}
	if err := h.Drafts.DeleteDraft(r.Context(), d.ID); err != nil {
		return err
	}
	h.redirect(w, r, "/pratiche", flashDraftDeleted)
	return nil
}
