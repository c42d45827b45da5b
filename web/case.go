// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// timeNow is the clock of the UI (days left); tests may replace it.
var timeNow = time.Now

// caseViewPage is the office's page of a case: besides what both pages show,
// the work on it (assignment, actions, drafts, extensions, notes, replies).
type caseViewPage struct {
	*caseDetail
	User          *procedo.User
	Protocol      []*procedo.Registration // every registration of the case the user may see, oldest first
	Actions       []caseAction            // the transitions of the current state the user may fire or prepare
	HasQuick      bool                    // some action is fired from the page's own form
	Drafts        []*procedo.DecisionDraft
	Pending       *procedo.DecisionDraft // the draft waiting for approval, if any
	CanApprove    bool                   // the user may approve or return Pending
	Assignees     []*procedo.User        // whom a manager may make responsible
	CanTake       bool                   // an operator may take the unassigned case
	Extensions    []extensionView
	CanExtend     bool
	CanAttest     bool
	Notes         []*procedo.CaseNote
	CanWork       bool // operator or manager of the office: notes, replies
	ResponsibleID int64
	QuickURL      string // action of the actions' form: the first action fired from it
	ReasonHint    string // the actions that need a motivation
	PendingLabel  string // label of the pending draft's transition
}

// caseAction is one transition offered on the page.
type caseAction struct {
	T        procedo.Transition
	Disabled string // why it cannot be fired now (CheckCaseTransition); "" if it can
	Draft    bool   // the user may only prepare a draft of it for a manager
}

// extensionView is one of the model's extensions of the term.
type extensionView struct {
	Index   int
	E       procedo.Extension
	Applied bool
}

// handleCaseView shows a case to an operator: data, documents with their
// fingerprints, protocol entries, the clock, the history and the work allowed.
func (h *Handler) handleCaseView(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	d, err := h.loadCase(r)
	if err != nil {
		return err
	}
	return h.renderCase(w, r, http.StatusOK, u, d)
}

// renderCase draws the office's case page of d for u.
func (h *Handler) renderCase(w http.ResponseWriter, r *http.Request, status int, u *procedo.User, d *caseDetail) error {
	ctx := r.Context()
	c := d.Case
	a := &procedo.Actor{Kind: procedo.ActorUser, User: u}
	p := &caseViewPage{caseDetail: d, User: u, CanWork: procedo.CanWorkCase(a, c) == nil}
	if c.ResponsibleUserID != nil {
		p.ResponsibleID = *c.ResponsibleUserID
	}
	if err := h.caseProtocol(r, p); err != nil {
		return err
	}
	var needs []string
	for _, t := range procedo.TransitionsFrom(d.Def, c.Status) {
		act := caseAction{T: t}
		switch {
		case procedo.CanTransitionCase(a, c, t) == nil:
		case t.Decision && procedo.CanDraftDecision(a, c, t) == nil:
			act.Draft = true
		default:
			continue
		}
		if err := procedo.CheckCaseTransition(c, t, d.Clock.Events, d.Clock); err != nil {
			act.Disabled = procedo.ErrorMessage(err)
		}
		if !act.Draft && act.Disabled == "" {
			if !p.HasQuick {
				p.QuickURL = fmt.Sprintf("/ufficio/pratiche/%d/azioni/%s", c.ID, t.Name)
			}
			p.HasQuick = true
			if t.NeedsReason {
				needs = append(needs, "«"+t.Label+"»")
			}
		}
		p.Actions = append(p.Actions, act)
	}
	if len(needs) > 0 {
		p.ReasonHint = "Obbligatoria per " + strings.Join(needs, ", ") + "."
	}
	if h.CaseWork != nil {
		drafts, err := h.CaseWork.FindDecisionDrafts(ctx, c.ID)
		if err != nil {
			return err
		}
		p.Drafts = drafts
		for _, x := range drafts {
			if x.Status == procedo.DraftPending {
				p.Pending, p.PendingLabel = x, x.Transition
				for _, t := range d.Def.Flow().Transitions {
					if t.Name == x.Transition {
						p.PendingLabel = t.Label
					}
				}
			}
		}
		p.CanApprove = p.Pending != nil && procedo.CanApproveDecision(a, c) == nil
	}
	if !c.Status.Closed() {
		if err := h.caseAssignees(r, p, a); err != nil {
			return err
		}
		p.CanExtend = p.CanWork && !d.Clock.Overdue && len(d.Def.Extensions) > 0
		for i, e := range d.Def.Extensions {
			cause := procedo.CaseWaiting("extension-" + strconv.Itoa(i))
			applied := slices.ContainsFunc(d.Clock.Events, func(x procedo.CaseClockEvent) bool { return x.Kind == procedo.ClockExtend && x.Cause == cause })
			p.Extensions = append(p.Extensions, extensionView{Index: i, E: e, Applied: applied})
		}
	}
	p.CanAttest = p.CanWork && !c.SilenceFormedOn.IsZero() && c.AttestationDocumentID == nil
	if h.CaseNotes != nil {
		notes, err := h.CaseNotes.FindCaseNotes(ctx, c.ID)
		if err != nil {
			return err
		}
		p.Notes = notes
	}
	title := fmt.Sprintf("Pratica n. %d", c.ID)
	if len(d.Errors) > 0 {
		title = "Errori: " + title
	}
	h.render(w, r, status, "case_view", &page{Title: title, Section: "office",
		Breadcrumbs: []crumb{{"Pratiche", "/ufficio"}, {fmt.Sprintf("Pratica n. %d", c.ID), ""}}, Data: p})
	return nil
}

// caseProtocol lists the registrations of the case the user may see: the
// application's, then those of every event (acts, answers, messages).
func (h *Handler) caseProtocol(r *http.Request, p *caseViewPage) error {
	seen := map[int64]bool{}
	add := func(id int64) error {
		if id == 0 || seen[id] {
			return nil
		}
		seen[id] = true
		reg, err := h.Registrations.FindRegistrationByID(r.Context(), id)
		if isCode(err, procedo.ENOTFOUND) {
			return nil // reserved, or of an office the user cannot see
		} else if err != nil {
			return err
		}
		p.Protocol = append(p.Protocol, reg)
		return nil
	}
	if err := add(p.Case.RegistrationID); err != nil {
		return err
	}
	for _, e := range p.events {
		if e.RegistrationID != nil {
			if err := add(*e.RegistrationID); err != nil {
				return err
			}
		}
	}
	return nil
}

// caseAssignees fills whom the user may make responsible of the case.
func (h *Handler) caseAssignees(r *http.Request, p *caseViewPage, a *procedo.Actor) error {
	c := p.Case
	if procedo.CanAssignCase(a, c, p.User) == nil && !p.User.HasRole(procedo.RoleManager) && c.ResponsibleUserID == nil {
		p.CanTake = true
	}
	if !p.User.HasRole(procedo.RoleManager) {
		return nil
	}
	users, _, err := h.Users.FindUsers(r.Context(), procedo.UserFilter{OrgUnitID: &c.OrgUnitID, Limit: 500})
	if err != nil {
		return err
	}
	for _, x := range users {
		if procedo.CanAssignCase(a, c, x) == nil {
			p.Assignees = append(p.Assignees, x)
		}
	}
	return nil
}

// caseAgain shows the office's case page again after err, a validation error
// (422) or a conflict (409) of form, with what was typed; any other error is
// returned.
func (h *Handler) caseAgain(w http.ResponseWriter, r *http.Request, u *procedo.User, form string, values map[string]string, err error) error {
	fe := procedo.FieldErrorsOf(err)
	if fe == nil && !isCode(err, procedo.ECONFLICT) {
		return err
	}
	d, lerr := h.loadCase(r)
	if lerr != nil {
		return lerr
	}
	d.Form, d.Errors, d.Values, d.Reason = form, fe, values, values["reason"]
	status := http.StatusUnprocessableEntity
	if fe == nil {
		d.Alert, status = procedo.ErrorMessage(err), http.StatusConflict
	}
	return h.renderCase(w, r, status, u, d)
}

// handleCaseTransition fires a workflow action on a case, from the case page
// (reason only: the document gets the model's text) or from the action's
// editor (reason and the edited text of the document).
func (h *Handler) handleCaseTransition(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	values := map[string]string{"reason": r.PostFormValue("reason"), "text": r.PostFormValue("text")}
	if r.PostFormValue("editor") != "" {
		if r.PostFormValue("rigenera") != "" {
			return h.renderCaseAction(w, r, u, http.StatusOK, name, values, nil, true)
		}
		c, err := h.Cases.TransitionCaseText(r.Context(), id, name, values["reason"], values["text"])
		if err != nil {
			if fe := procedo.FieldErrorsOf(err); fe != nil || isCode(err, procedo.ECONFLICT) {
				return h.renderCaseAction(w, r, u, statusOf(procedo.ErrorCode(err)), name, values, err, false)
			}
			return err
		}
		return h.afterTransition(w, r, c)
	}
	c, err := h.Cases.TransitionCase(r.Context(), id, name, values["reason"])
	if err != nil {
		return h.caseAgain(w, r, u, "transition", values, err)
	}
	return h.afterTransition(w, r, c)
}

func (h *Handler) afterTransition(w http.ResponseWriter, r *http.Request, c *procedo.Case) error {
	h.notify()
	flash := "case-done"
	if c.DecisionDocumentID != nil && c.Status.Closed() {
		flash = "decided"
	}
	h.redirect(w, r, fmt.Sprintf("/ufficio/pratiche/%d", c.ID), flash)
	return nil
}
