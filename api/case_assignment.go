// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"net/http"

	"github.com/procedo/procedo"
)

// assignmentRequest is the body of POST /cases/{id}/assignment.
type assignmentRequest struct {
	UserID int64 `json:"user_id"`
}

// handleCaseAssignment serves POST /api/v1/cases/{id}/assignment: it makes a
// user the responsible person of the case (a manager of the office assigns
// anyone of the office; an operator takes an unassigned case for themselves)
// and answers with the case.
func (s *Server) handleCaseAssignment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Pratica non trovata.")
	if err != nil {
		return err
	}
	var req assignmentRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.UserID <= 0 {
		// Tell a caller from another tenant nothing about the case first.
		if _, err := s.Cases.FindCaseByID(r.Context(), id); err != nil {
			return err
		}
		return procedo.FieldErrors{"user_id": "Indica l'id dell'utente da nominare responsabile."}
	}
	c, err := s.CaseWork.AssignCase(r.Context(), id, req.UserID)
	if err != nil {
		return err
	}
	def, err := s.definitions().of(r.Context(), c)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newCaseJSON(procedo.ActorFromContext(r.Context()), def, c))
}
