// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"strings"

	"github.com/procedo/procedo"
)

// handleRegistryCorrect changes classification, channel or riservato of a
// registration (registry or records role); the old values stay in the history.
func (h *Handler) handleRegistryCorrect(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	reg, err := h.findRegistration(r) // another tenant's: not found, whatever the role
	if err != nil {
		return err
	}
	if !u.HasRole(procedo.RoleRegistry) && !u.HasRole(procedo.RoleRecords) {
		return procedo.Errorf(procedo.EFORBIDDEN, "Solo il protocollo e il responsabile della gestione documentale possono correggere una registrazione.")
	}
	cls, ch := strings.TrimSpace(r.PostFormValue("classification")), strings.TrimSpace(r.PostFormValue("channel"))
	reserved := r.PostFormValue("reserved") != ""
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	form := &correctionForm{Reserved: reserved, Reason: reason}
	form.Classification.Selected, form.Channel.Selected = cls, ch
	c := procedo.RegistrationCorrection{Classification: &cls, Channel: &ch, Reserved: &reserved, Reason: reason}
	if !reg.Annulled() && cls == reg.Classification && ch == reg.Channel && reserved == reg.Reserved {
		form.Errors = procedo.FieldErrors{"classification": "Non hai cambiato nessun campo: modifica la classificazione, il mezzo o la riservatezza."}
	} else if _, err := h.Registrations.CorrectRegistration(r.Context(), reg.ID, c); err != nil {
		if form.Errors = procedo.FieldErrorsOf(err); form.Errors == nil {
			return err
		}
	}
	if form.Errors != nil {
		for _, f := range []fieldError{{"corr-classification", "Classificazione", ""}, {"corr-channel", "Mezzo", ""}, {"corr-reason", "Motivo", ""}} {
			key := strings.TrimPrefix(f.Name, "corr-")
			if msg, ok := form.Errors[key]; ok {
				f.Message = msg
				form.Summary = append(form.Summary, f)
			}
		}
		return h.renderRegistryView(w, r, http.StatusUnprocessableEntity, u, reg, registryForms{corr: form})
	}
	h.redirect(w, r, registrationURL(reg), "reg-corrected")
	return nil
}
