// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/procedo/procedo"
)

// segnaturaAvailable tells whether reg can have a segnatura (AgID Allegato 6):
// the schema needs the administration's IPA code, a classification, the main
// document's fingerprint and one sender for an incoming document, and an
// annulled registration is not sent.
func (h *Handler) segnaturaAvailable(r *http.Request, reg *procedo.Registration) error {
	switch t := requestFrom(r).tenant; {
	case h.Segnatura == nil:
		return procedo.Errorf(procedo.ENOTFOUND, "La segnatura di protocollo non è disponibile su questo server.")
	case reg.Annulled():
		return procedo.Errorf(procedo.ECONFLICT, "La registrazione è annullata: non ha una segnatura da trasmettere.")
	case t == nil || t.IPACode == "":
		return procedo.Errorf(procedo.ECONFLICT, "La segnatura richiede il codice IPA dell'ente, che non è configurato.")
	case reg.DocumentID == nil:
		return procedo.Errorf(procedo.ECONFLICT, "La segnatura richiede un documento principale, che questa registrazione non ha.")
	case reg.Direction == procedo.DirectionIncoming && len(reg.Correspondents) != 1:
		return procedo.Errorf(procedo.ECONFLICT, "La segnatura di un documento in entrata indica un solo mittente: questa registrazione ne ha %d.", len(reg.Correspondents))
	case reg.Classification == "":
		return procedo.Errorf(procedo.ECONFLICT, "La segnatura richiede la classificazione: classifica prima la registrazione.")
	}
	return nil
}

// handleRegistrySegnatura returns the signed segnatura XML of a registration
// to the registry desk, records managers and administrators; 409 with the
// reason when the registration cannot have one.
func (h *Handler) handleRegistrySegnatura(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	reg, err := h.findRegistration(r) // another tenant's: not found, whatever the role
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(deskRoles, u.HasRole) {
		return procedo.Errorf(procedo.EFORBIDDEN, "La segnatura è scaricata dal protocollo e dal responsabile della gestione documentale.")
	}
	if err := h.segnaturaAvailable(r, reg); err != nil {
		return err
	}
	docs, err := h.Registrations.FindRegistrationDocuments(r.Context(), reg.ID)
	if err != nil {
		return err
	}
	b, err := h.Segnatura(r.Context(), reg, docs)
	if isCode(err, procedo.EINVALID) {
		// What the schema requires is missing from the registration or the
		// tenant: the state of the data, not a bad request.
		return &procedo.Error{Code: procedo.ECONFLICT, Message: procedo.ErrorMessage(err), Err: err}
	} else if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="segnatura-%s-%s-%d.xml"`, reg.RegisterCode, reg.NumberString(), reg.Year))
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(b)
	return nil
}
