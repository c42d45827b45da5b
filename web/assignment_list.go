// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"

	"github.com/procedo/procedo"
)

// assignmentListPage is an office's inbox of registered documents.
type assignmentListPage struct {
	Office      *procedo.OrgUnit
	Assignments []*assignmentItem
}

// assignmentItem is one pending assignment with its return form.
type assignmentItem struct {
	*procedo.Assignment
	URL    string // the registration's detail page; "" if not visible
	Reason string // typed in the return form
	Error  string
}

// assignmentRoles answer the assignments of their office.
var assignmentRoles = []procedo.Role{procedo.RoleOperator, procedo.RoleManager}

// handleAssignmentList lists the documents assigned to the user's office
// and waiting for an answer: accept, or return to the registry desk.
func (h *Handler) handleAssignmentList(w http.ResponseWriter, r *http.Request) error {
	u, err := requireRoles(r, "Le assegnazioni sono gestite dagli operatori e dai dirigenti degli uffici.", assignmentRoles...)
	if err != nil {
		return err
	}
	return h.renderAssignments(w, r, http.StatusOK, u, 0, "", nil)
}

// renderAssignments draws the inbox; failedID, reason and fe are a return
// form sent back with errors.
func (h *Handler) renderAssignments(w http.ResponseWriter, r *http.Request, status int, u *procedo.User, failedID int64, reason string, fe procedo.FieldErrors) error {
	ctx := r.Context()
	d := &assignmentListPage{}
	if u.OrgUnitID != nil {
		var err error
		if d.Office, err = h.OrgUnits.FindOrgUnitByID(ctx, *u.OrgUnitID); err != nil {
			return err
		}
		list, err := h.Registrations.FindAssignments(ctx, 0, u.OrgUnitID, procedo.AssignmentPending)
		if err != nil {
			return err
		}
		for _, x := range list {
			it := &assignmentItem{Assignment: x}
			if x.Registration != nil {
				it.URL = registrationURL(x.Registration)
			}
			if x.ID == failedID {
				it.Reason, it.Error = reason, fe["reason"]
			}
			d.Assignments = append(d.Assignments, it)
		}
	}
	title := "Documenti assegnati all'ufficio"
	if status != http.StatusOK {
		title = "Errori: " + title
	}
	h.render(w, r, status, "assignment_list", &page{Title: title, Section: "office", Breadcrumbs: []crumb{{"Assegnazioni", ""}}, Data: d})
	return nil
}
