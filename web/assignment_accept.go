// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import "net/http"

// handleAssignmentAccept takes a registered document in charge for the
// user's office.
func (h *Handler) handleAssignmentAccept(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireUser(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Registrations.AcceptAssignment(r.Context(), id); err != nil {
		return err
	}
	h.redirect(w, r, "/ufficio/assegnazioni", "assign-accepted")
	return nil
}
