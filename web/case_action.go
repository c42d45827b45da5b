// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"net/http"

	"github.com/procedo/procedo"
)

// caseActionPage is the editor of an action that issues a document: the
// motivation and the document's text, prefilled from the model's template
// (DocumentText) and editable. In draft mode it prepares a decision for a
// manager's approval instead of firing it.
type caseActionPage struct {
	Case        *procedo.Case
	StatusLabel string
	T           procedo.Transition
	Draft       bool   // submit as a draft for approval
	DocTitle    string // title of the document the action issues; "" if none
	Reason      string
	Text        string
	Errors      procedo.FieldErrors
	Alert       string // why the action cannot be done now
	Clock       *procedo.CaseClock
}

// handleCaseAction shows the editor of action {name} of a case.
func (h *Handler) handleCaseAction(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	return h.renderCaseAction(w, r, u, http.StatusOK, r.PathValue("name"), nil, nil, false)
}

// renderCaseAction draws the editor of transition name. values holds what
// was posted (nil on the first visit: the motivation comes from the query
// and the text from the model); regenerate rebuilds the text from the
// model's template with the posted motivation; failed is the error of the
// last attempt, shown next to the fields or as an alert.
func (h *Handler) renderCaseAction(w http.ResponseWriter, r *http.Request, u *procedo.User, status int, name string,
	values map[string]string, failed error, regenerate bool) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.Cases.FindCaseByID(ctx, id)
	if err != nil {
		return err
	}
	v, err := h.Procedures.FindProcedureVersionByID(ctx, c.ProcedureVersionID)
	if err != nil {
		return err
	}
	def := &v.Definition
	t, err := procedo.FindTransition(def, c.Status, name)
	if err != nil {
		return err
	}
	a := &procedo.Actor{Kind: procedo.ActorUser, User: u}
	p := &caseActionPage{Case: c, StatusLabel: def.StateLabel(c.Status), T: t}
	if err := procedo.CanTransitionCase(a, c, t); err != nil {
		if !t.Decision || procedo.CanDraftDecision(a, c, t) != nil {
			return err
		}
		p.Draft = true
	}
	if p.Clock, err = h.Cases.FindCaseClock(ctx, c.ID, procedo.DateOf(timeNow())); err != nil {
		return err
	}
	if err := procedo.CheckCaseTransition(c, t, p.Clock.Events, p.Clock); err != nil {
		p.Alert = procedo.ErrorMessage(err)
	}
	if t.Document != "" {
		p.DocTitle = (&procedo.CaseAct{Case: c, Definition: def, Key: t.Document, Transition: t}).Title()
	}
	if values == nil {
		p.Reason = r.URL.Query().Get("reason")
	} else {
		p.Reason, p.Text = values["reason"], values["text"]
	}
	if t.Document != "" && (values == nil || regenerate) {
		if p.Text, err = h.CaseWork.DocumentText(ctx, c.ID, t.Name, p.Reason); err != nil {
			return err
		}
	}
	if failed != nil {
		if p.Errors = procedo.FieldErrorsOf(failed); p.Errors == nil {
			p.Alert = procedo.ErrorMessage(failed)
		}
	}
	title := t.Label
	if p.Draft {
		title = "Bozza: " + t.Label
	}
	if len(p.Errors) > 0 {
		title = "Errori: " + title
	}
	h.render(w, r, status, "case_action", &page{Title: title, Section: "office",
		Breadcrumbs: []crumb{{"Pratiche", "/ufficio"}, {fmt.Sprintf("Pratica n. %d", c.ID), fmt.Sprintf("/ufficio/pratiche/%d", c.ID)}, {t.Label, ""}},
		Data:        p})
	return nil
}

// handleCaseDraftSubmit sends a decision draft to the managers of the office.
func (h *Handler) handleCaseDraftSubmit(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	name := r.PostFormValue("transition")
	values := map[string]string{"reason": r.PostFormValue("reason"), "text": r.PostFormValue("text")}
	if r.PostFormValue("rigenera") != "" {
		return h.renderCaseAction(w, r, u, http.StatusOK, name, values, nil, true)
	}
	if _, err := h.CaseWork.SubmitDecisionDraft(r.Context(), id, name, values["reason"], values["text"]); err != nil {
		if procedo.FieldErrorsOf(err) != nil || isCode(err, procedo.ECONFLICT) {
			return h.renderCaseAction(w, r, u, statusOf(procedo.ErrorCode(err)), name, values, err, false)
		}
		return err
	}
	h.notify()
	h.redirect(w, r, fmt.Sprintf("/ufficio/pratiche/%d", id), "case-draft")
	return nil
}
