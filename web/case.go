// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"net/http"
	"time"

	"github.com/procedo/procedo"
)

// timeNow is the clock of the UI (days left); tests may replace it.
var timeNow = time.Now

type worklistPage struct {
	User   *procedo.User
	Office *procedo.OrgUnit
	Cases  []*procedo.Case
	Total  int
	Filter string // "aperte", "chiuse", "tutte"
	Today  procedo.Date
}

// handleWorklist is the office worklist: cases of the operator's office.
func (h *Handler) handleWorklist(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		http.Redirect(w, r, "/ufficio/accedi", http.StatusSeeOther)
		return nil
	}
	f := procedo.CaseFilter{Limit: 200}
	data := &worklistPage{User: u, Filter: r.URL.Query().Get("stato"), Today: procedo.DateOf(timeNow())}
	switch data.Filter {
	case "chiuse":
		v := false
		f.Open = &v
	case "tutte":
	default:
		data.Filter = "aperte"
		v := true
		f.Open = &v
	}
	if u.OrgUnitID != nil && !u.HasRole(procedo.RoleManager) {
		f.OrgUnitID = u.OrgUnitID
	}
	if u.OrgUnitID != nil {
		if data.Office, err = h.OrgUnits.FindOrgUnitByID(r.Context(), *u.OrgUnitID); err != nil {
			return err
		}
	}
	if data.Cases, data.Total, err = h.Cases.FindCases(r.Context(), f); err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "worklist", &page{Title: "Pratiche dell'ufficio", Section: "office", Data: data})
	return nil
}

// handleCaseView shows a case to an operator: data, documents with their
// fingerprints, protocol data, term and the actions allowed.
func (h *Handler) handleCaseView(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	d, err := h.loadCase(r)
	if err != nil {
		return err
	}
	h.renderCase(w, r, http.StatusOK, u, d)
	return nil
}

func (h *Handler) renderCase(w http.ResponseWriter, r *http.Request, status int, u *procedo.User, d *caseDetail) {
	for _, t := range procedo.TransitionsFrom(&d.Receipt.Procedure.Definition, d.Case.Status) {
		if procedo.CanTransitionCase(&procedo.Actor{Kind: procedo.ActorUser, User: u}, d.Case, t) == nil {
			d.Transitions = append(d.Transitions, t)
		}
	}
	title := fmt.Sprintf("Pratica n. %d", d.Case.ID)
	if len(d.Errors) > 0 {
		title = "Errori: " + title
	}
	h.render(w, r, status, "case_view", &page{Title: title, Section: "office",
		Breadcrumbs: []crumb{{"Pratiche", "/ufficio"}, {fmt.Sprintf("Pratica n. %d", d.Case.ID), ""}}, Data: d})
}

// handleCaseTransition fires a workflow action (accept, reject) on a case.
func (h *Handler) handleCaseTransition(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	_, err = h.Cases.TransitionCase(r.Context(), id, r.PathValue("name"), reason)
	if fe := procedo.FieldErrorsOf(err); fe != nil {
		d, lerr := h.loadCase(r)
		if lerr != nil {
			return lerr
		}
		d.Errors, d.Reason = fe, reason
		h.renderCase(w, r, http.StatusUnprocessableEntity, u, d)
		return nil
	}
	if err != nil {
		return err
	}
	if h.Notify != nil {
		h.Notify()
	}
	h.redirect(w, r, fmt.Sprintf("/ufficio/pratiche/%d", id), "decided")
	return nil
}
