// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"

	"github.com/procedo/procedo"
)

// handleRegistryAnnul annuls a registration (DPR 445/2000 art. 54): records
// role only, with the reason and the authorising act. Number and data stay
// readable, marked annulled.
func (h *Handler) handleRegistryAnnul(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	reg, err := h.findRegistration(r) // another tenant's: not found, whatever the role
	if err != nil {
		return err
	}
	form := &annulmentForm{Reason: r.PostFormValue("reason"), Act: r.PostFormValue("act")}
	_, err = h.Registrations.AnnulRegistration(r.Context(), reg.ID, form.Reason, form.Act)
	if form.Errors = procedo.FieldErrorsOf(err); form.Errors != nil {
		for _, f := range []fieldError{{"annul-reason", "Motivo dell'annullamento", ""}, {"annul-act", "Provvedimento di autorizzazione", ""}} {
			if msg, ok := form.Errors[f.Name[len("annul-"):]]; ok {
				f.Message = msg
				form.Summary = append(form.Summary, f)
			}
		}
		return h.renderRegistryView(w, r, http.StatusUnprocessableEntity, u, reg, registryForms{annul: form})
	}
	if err != nil {
		return err
	}
	h.redirect(w, r, registrationURL(reg), "reg-annulled")
	return nil
}
