// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import "net/http"

// annulmentRequestJSON is the body of an annulment (schema AnnulmentRequest).
type annulmentRequestJSON struct {
	Reason string `json:"reason"` // why the entry is annulled
	Act    string `json:"act"`    // reference of the authorising act (art. 54)
}

// handleRegistrationAnnulment serves POST
// /api/v1/registrations/{year}/{number}/annulment: it annuls the entry (DPR
// 445/2000 art. 54), which keeps its number and data, and answers with it.
// Records managers only (403 otherwise); 409 if already annulled; 422 without
// reason or act.
func (s *Server) handleRegistrationAnnulment(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.findRegistration(r)
	if err != nil {
		return err
	}
	var req annulmentRequestJSON
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	reg, err = s.Registrations.AnnulRegistration(r.Context(), reg.ID, req.Reason, req.Act)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newRegistrationJSON(reg))
}
