// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/procedo/procedo"
)

// caseURL is the office's page of case id.
func caseURL(id int64) string { return fmt.Sprintf("/ufficio/pratiche/%d", id) }

// handleCaseAssign makes a person responsible for the case: a manager picks
// one of the office, an operator takes the unassigned case ("Prendi in
// carico", user_id = themselves). From the worklist (back=lista) it returns
// there.
func (h *Handler) handleCaseAssign(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	values := map[string]string{"user_id": r.PostFormValue("user_id")}
	uid, perr := strconv.ParseInt(values["user_id"], 10, 64)
	if perr != nil || uid <= 0 {
		err = procedo.FieldErrors{"user_id": "Scegli la persona responsabile del procedimento."}
	} else {
		_, err = h.CaseWork.AssignCase(r.Context(), id, uid)
	}
	if err != nil {
		return h.caseAgain(w, r, u, "assign", values, err)
	}
	flash := "case-assigned"
	if uid == u.ID {
		flash = "case-taken"
	}
	back := caseURL(id)
	if r.PostFormValue("back") == "lista" {
		back = "/ufficio?" + safeQuery(r.PostFormValue("query"))
	}
	h.notify()
	h.redirect(w, r, back, flash)
	return nil
}

// pendingDraft returns draft {draft} of case {id}, checking that it belongs
// to that case (ENOTFOUND otherwise).
func (h *Handler) pendingDraft(r *http.Request) (caseID, draftID int64, err error) {
	if caseID, err = pathID(r, "id"); err != nil {
		return 0, 0, err
	}
	if draftID, err = pathID(r, "draft"); err != nil {
		return 0, 0, err
	}
	drafts, err := h.CaseWork.FindDecisionDrafts(r.Context(), caseID)
	if err != nil {
		return 0, 0, err
	}
	if !slices.ContainsFunc(drafts, func(d *procedo.DecisionDraft) bool { return d.ID == draftID }) {
		return 0, 0, procedo.Errorf(procedo.ENOTFOUND, "Bozza non trovata.")
	}
	return caseID, draftID, nil
}

// handleCaseDraftApprove approves a decision draft: the manager adopts the
// act, which is issued, registered and sent.
func (h *Handler) handleCaseDraftApprove(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	_, draftID, err := h.pendingDraft(r)
	if err != nil {
		return err
	}
	c, err := h.CaseWork.ApproveDecisionDraft(r.Context(), draftID)
	if err != nil {
		return h.caseAgain(w, r, u, "approve", nil, err)
	}
	return h.afterTransition(w, r, c)
}

// handleCaseDraftReturn sends a decision draft back to its author with a note.
func (h *Handler) handleCaseDraftReturn(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	caseID, draftID, err := h.pendingDraft(r)
	if err != nil {
		return err
	}
	values := map[string]string{"note": r.PostFormValue("note")}
	if _, err := h.CaseWork.ReturnDecisionDraft(r.Context(), draftID, values["note"]); err != nil {
		return h.caseAgain(w, r, u, "return", values, err)
	}
	h.notify()
	h.redirect(w, r, caseURL(caseID), "case-draft-return")
	return nil
}

// handleCaseExtend applies one of the model's extensions of the term.
func (h *Handler) handleCaseExtend(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	values := map[string]string{"extension": r.PostFormValue("extension"), "reason": r.PostFormValue("reason")}
	ext, perr := strconv.Atoi(values["extension"])
	if perr != nil {
		err = procedo.FieldErrors{"extension": "Scegli la proroga prevista dal procedimento."}
	} else {
		_, err = h.CaseWork.ExtendCaseTerm(r.Context(), id, ext, values["reason"])
	}
	if err != nil {
		return h.caseAgain(w, r, u, "extend", values, err)
	}
	h.redirect(w, r, caseURL(id), "case-extended")
	return nil
}

// handleCaseAttestation issues the attestation of the silenzio-assenso.
func (h *Handler) handleCaseAttestation(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.CaseWork.IssueSilenceAttestation(r.Context(), id); err != nil {
		return h.caseAgain(w, r, u, "attestation", nil, err)
	}
	h.notify()
	h.redirect(w, r, caseURL(id), "case-attested")
	return nil
}

// handleCaseNote adds an internal note.
func (h *Handler) handleCaseNote(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	values := map[string]string{"note": r.PostFormValue("note")}
	if _, err := h.CaseNotes.AddCaseNote(r.Context(), id, values["note"]); err != nil {
		return h.caseAgain(w, r, u, "note", values, err)
	}
	h.redirect(w, r, caseURL(id)+"#note", "case-note")
	return nil
}

// handleCaseReply sends the office's message to the applicant.
func (h *Handler) handleCaseReply(w http.ResponseWriter, r *http.Request) error {
	u, err := requireUser(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	values := map[string]string{"message": r.PostFormValue("message")}
	if _, err := h.CaseMessages.ReplyCaseMessage(r.Context(), id, values["message"]); err != nil {
		return h.caseAgain(w, r, u, "reply", values, err)
	}
	h.notify()
	h.redirect(w, r, caseURL(id)+"#messaggi", "case-reply")
	return nil
}
