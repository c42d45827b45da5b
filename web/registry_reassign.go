// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/procedo/procedo"
)

// reassignForm gives a document that its office sent back to another office.
type reassignForm struct {
	Office  selectView
	Note    string
	Errors  procedo.FieldErrors
	Summary []fieldError
}

// returnedAssignment returns the assignment for action of reg when the office
// sent it back and it is still the current one (assignments newest first), nil
// otherwise or when reg is annulled.
func returnedAssignment(reg *procedo.Registration, assignments []*procedo.Assignment) *procedo.Assignment {
	if reg.Annulled() {
		return nil
	}
	for _, x := range assignments {
		if x.Kind == procedo.AssignmentAction {
			if x.Status == procedo.AssignmentReturned {
				return x
			}
			return nil
		}
	}
	return nil
}

// handleRegistryReassign gives a registration that its office for action sent
// back to the desk to another office for action (registry role only); the
// returned assignment stays in the list and the history.
func (h *Handler) handleRegistryReassign(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	reg, err := h.findRegistration(r) // another tenant's: not found, whatever the role
	if err != nil {
		return err
	}
	if !u.HasRole(procedo.RoleRegistry) {
		return procedo.Errorf(procedo.EFORBIDDEN, "Solo il protocollo può riassegnare un documento.")
	}
	form := &reassignForm{Note: strings.TrimSpace(r.PostFormValue("note"))}
	form.Office.Selected = strings.TrimSpace(r.PostFormValue("office"))
	office, perr := strconv.ParseInt(form.Office.Selected, 10, 64)
	if perr != nil || office < 1 {
		form.Errors = procedo.FieldErrors{"office": "Scegli l'ufficio a cui assegnare il documento."}
	} else if err := h.Registrations.ReassignRegistration(r.Context(), reg.ID, office, form.Note); err != nil {
		if form.Errors = procedo.FieldErrorsOf(err); form.Errors == nil {
			return err
		}
	}
	if form.Errors != nil {
		for _, f := range []fieldError{{"reassign-office", "Nuovo ufficio competente", ""}, {"reassign-note", "Nota", ""}} {
			if msg, ok := form.Errors[strings.TrimPrefix(f.Name, "reassign-")]; ok {
				f.Message = msg
				form.Summary = append(form.Summary, f)
			}
		}
		return h.renderRegistryView(w, r, http.StatusUnprocessableEntity, u, reg, registryForms{reassign: form})
	}
	h.redirect(w, r, registrationURL(reg), "reg-reassigned")
	return nil
}
