// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"strings"

	"github.com/procedo/procedo"
)

// handleAssignmentReturn sends a registered document back to the registry
// desk with a reason (not the office's business, wrong office).
func (h *Handler) handleAssignmentReturn(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	err = h.Registrations.ReturnAssignment(r.Context(), id, reason)
	if fe := procedo.FieldErrorsOf(err); fe != nil {
		return h.renderAssignments(w, r, http.StatusUnprocessableEntity, u, id, reason, fe)
	}
	if err != nil {
		return err
	}
	h.redirect(w, r, "/ufficio/assegnazioni", "assign-returned")
	return nil
}
