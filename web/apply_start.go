// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"net/http"
	"time"

	"github.com/procedo/procedo"
)

// findServiceToApply returns the newest published version of the service in
// the path, if it accepts applications.
func (h *Handler) findServiceToApply(r *http.Request) (*procedo.ProcedureVersion, error) {
	v, err := h.Procedures.FindPublishedProcedure(r.Context(), r.PathValue("key"))
	if err != nil {
		return nil, err
	}
	return v, serviceActive(v)
}

// handleApplyStart shows the first step of a new application, the privacy
// notice, to a logged-in citizen (others go to the login first), with the
// drafts of the same service the citizen may resume instead.
func (h *Handler) handleApplyStart(w http.ResponseWriter, r *http.Request) error {
	v, err := h.findServiceToApply(r)
	if err != nil {
		return err
	}
	if _, err := requireCitizen(r); err != nil {
		http.Redirect(w, r, "/accedi?next="+safeNext(r.URL.Path), http.StatusSeeOther)
		return nil
	}
	p, err := h.newApplication(r, v)
	if err != nil {
		return err
	}
	h.renderStep(w, r, http.StatusOK, p)
	return nil
}

// newApplication is the privacy step of an application not yet started.
func (h *Handler) newApplication(r *http.Request, v *procedo.ProcedureVersion) (*applyPage, error) {
	p := h.newApplyPage(r, nil, v, procedo.DraftSteps(&v.Definition), 0)
	p.Action = "/servizi/" + v.Key + "/domanda"
	existing, _, err := h.Drafts.FindDrafts(r.Context(), procedo.DraftFilter{ProcedureVersionID: &v.ID, Limit: 10})
	if err != nil {
		return nil, err
	}
	p.Existing = existing
	return p, nil
}

// handleApplyCreate starts the draft once the citizen has accepted the
// privacy notice, then goes to the applicant step.
func (h *Handler) handleApplyCreate(w http.ResponseWriter, r *http.Request) error {
	v, err := h.findServiceToApply(r)
	if err != nil {
		return err
	}
	if _, err := requireCitizen(r); err != nil {
		return err
	}
	if r.PostFormValue("privacy") != "accetto" {
		p, err := h.newApplication(r, v)
		if err != nil {
			return err
		}
		p.Errors = procedo.FieldErrors{"privacy": privacyRequired}
		p.Summary = []stepError{{Label: "Informativa sulla privacy", Message: privacyRequired, URL: "#f-privacy"}}
		h.renderStep(w, r, http.StatusUnprocessableEntity, p)
		return nil
	}
	d := &procedo.ApplicationDraft{ProcedureVersionID: v.ID, PrivacyAcceptedAt: &time.Time{}}
	if err := h.Drafts.CreateDraft(r.Context(), d); err != nil {
		return err
	}
	h.redirect(w, r, draftPath(d.ID, procedo.StepApplicant), "")
	return nil
}

const privacyRequired = "Per continuare dichiara di aver letto l'informativa sul trattamento dei dati personali."
