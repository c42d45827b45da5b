// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"net/http"

	"github.com/procedo/procedo"
)

// myCaseViewPage is the applicant's page of a case: status, clock in plain
// Italian, documents, history, messages and what they may do now.
type myCaseViewPage struct {
	*caseDetail
	Answer      procedo.CaseWaiting // what the office waits for from the applicant; "" if nothing
	AnswerTitle string
	// CanSubstitute: the term lapsed and the applicant has not yet asked
	// the holder of the substitute power (art. 2 c.9-bis).
	CanSubstitute    bool
	SubstituteHolder string
	// CanAttest: the silenzio-assenso formed and its attestation is not yet
	// issued (art. 20 c.2-bis).
	CanAttest bool
	// Withdrawal is the model's transition to withdrawn from the current
	// state, when the applicant may fire it online; nil otherwise.
	Withdrawal *procedo.Transition
	MaxMB      int64
	Files      []string // the answers' accepted formats, for the file inputs
}

// answerAccept are the formats of the files an applicant sends on a case.
var answerAccept = []string{"application/pdf", "image/jpeg", "image/png", "application/pkcs7-mime"}

// handleMyCaseView shows one of the citizen's cases.
func (h *Handler) handleMyCaseView(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireCitizen(r); err != nil {
		return err
	}
	d, err := h.loadCase(r)
	if err != nil {
		return err
	}
	h.renderMyCase(w, r, http.StatusOK, d)
	return nil
}

func (h *Handler) renderMyCase(w http.ResponseWriter, r *http.Request, status int, d *caseDetail) {
	c := d.Case
	p := &myCaseViewPage{caseDetail: d, MaxMB: h.MaxUpload >> 20, Files: answerAccept, SubstituteHolder: d.Def.SubstitutePower}
	open := !c.Status.Closed()
	if open && c.ClockState == procedo.ClockSuspended && c.Waiting.FromApplicant() {
		p.Answer, p.AnswerTitle = c.Waiting, procedo.AnswerTitle(c.Waiting)
	}
	p.CanSubstitute = open && d.Clock.Overdue && c.SubstituteRequestedAt == nil
	p.CanAttest = !c.SilenceFormedOn.IsZero() && c.AttestationDocumentID == nil
	if t, ok := procedo.WithdrawalTransition(d.Def, c.Status); ok && open && t.Document == "" && h.CaseWithdrawals != nil {
		p.Withdrawal = &t
	}
	title := fmt.Sprintf("Pratica n. %d", c.ID)
	if len(d.Errors) > 0 {
		title = "Errori: " + title
	}
	h.render(w, r, status, "my_case_view", &page{Title: title,
		Breadcrumbs: []crumb{{"Le mie pratiche", "/pratiche"}, {fmt.Sprintf("Pratica n. %d", c.ID), ""}}, Data: p})
}

// myCaseAgain shows the citizen's case page again after err, a validation
// error (422) or a conflict (409) of form, with what was typed; any other
// error is returned.
func (h *Handler) myCaseAgain(w http.ResponseWriter, r *http.Request, form string, values map[string]string, err error) error {
	fe := procedo.FieldErrorsOf(err)
	code := procedo.ErrorCode(err)
	if fe == nil && code != procedo.ECONFLICT {
		return err
	}
	d, lerr := h.loadCase(r)
	if lerr != nil {
		return lerr
	}
	d.Form, d.Errors, d.Values = form, fe, values
	status := http.StatusUnprocessableEntity
	if fe == nil {
		d.Alert, status = procedo.ErrorMessage(err), http.StatusConflict
	}
	h.renderMyCase(w, r, status, d)
	return nil
}

// answerUploads stores the files of the request's "files" inputs, checked
// and sniffed like the application's. Errors of the files are FieldErrors
// {"files": …}.
func (h *Handler) answerUploads(r *http.Request) ([]*procedo.Upload, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	f := procedo.FormField{Name: "files", Type: procedo.FieldFile, Accept: answerAccept}
	var out []*procedo.Upload
	for _, fh := range r.MultipartForm.File["files"] {
		if fh.Size == 0 {
			continue
		}
		u, err := h.storeUpload(r, f, fh)
		if err != nil {
			if fe := procedo.FieldErrorsOf(err); fe != nil {
				return nil, procedo.FieldErrors{"files": fh.Filename + ": " + fe["files"]}
			}
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// handleMyCaseAnswer sends the applicant's integrations or observations.
func (h *Handler) handleMyCaseAnswer(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireCitizen(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	kind := procedo.CaseWaiting(r.PostFormValue("kind"))
	values := map[string]string{"message": r.PostFormValue("message")}
	uploads, err := h.answerUploads(r)
	if err == nil {
		_, err = h.CaseCitizen.AnswerCase(r.Context(), id, procedo.CaseAnswer{Kind: kind, Message: values["message"], Uploads: uploads})
	}
	if err != nil {
		return h.myCaseAgain(w, r, "answer", values, err)
	}
	h.notify()
	h.redirect(w, r, fmt.Sprintf("/pratiche/%d", id), "case-answered")
	return nil
}

// handleMyCaseMessage sends a message of the applicant to the office.
func (h *Handler) handleMyCaseMessage(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireCitizen(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	values := map[string]string{"message": r.PostFormValue("message")}
	uploads, err := h.answerUploads(r)
	if err == nil {
		_, err = h.CaseMessages.SendCaseMessage(r.Context(), id, values["message"], uploads)
	}
	if err != nil {
		return h.myCaseAgain(w, r, "message", values, err)
	}
	h.notify()
	h.redirect(w, r, fmt.Sprintf("/pratiche/%d", id), "case-message-sent")
	return nil
}

// handleMyCaseSubstitute asks the holder of the substitute power to decide.
func (h *Handler) handleMyCaseSubstitute(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireCitizen(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	values := map[string]string{"message": r.PostFormValue("message")}
	if _, err := h.CaseCitizen.RequestSubstitute(r.Context(), id, values["message"]); err != nil {
		return h.myCaseAgain(w, r, "substitute", values, err)
	}
	h.notify()
	h.redirect(w, r, fmt.Sprintf("/pratiche/%d", id), "case-substitute")
	return nil
}

// handleMyCaseAttestation asks the attestation of the silenzio-assenso.
func (h *Handler) handleMyCaseAttestation(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireCitizen(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.CaseWork.IssueSilenceAttestation(r.Context(), id); err != nil {
		return h.myCaseAgain(w, r, "attestation", nil, err)
	}
	h.notify()
	h.redirect(w, r, fmt.Sprintf("/pratiche/%d", id), "case-attested")
	return nil
}

// handleMyCaseWithdraw withdraws the application.
func (h *Handler) handleMyCaseWithdraw(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireCitizen(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	values := map[string]string{"reason": r.PostFormValue("reason")}
	if r.PostFormValue("conferma") != "si" {
		return h.myCaseAgain(w, r, "withdraw", values, procedo.FieldErrors{"conferma": "Conferma che vuoi rinunciare all'istanza."})
	}
	if _, err := h.CaseWithdrawals.WithdrawCase(r.Context(), id, values["reason"]); err != nil {
		return h.myCaseAgain(w, r, "withdraw", values, err)
	}
	h.notify()
	h.redirect(w, r, fmt.Sprintf("/pratiche/%d", id), "case-withdrawn")
	return nil
}

// notify wakes the job runner after a change that queued mail.
func (h *Handler) notify() {
	if h.Notify != nil {
		h.Notify()
	}
}

// Flash messages of the case pages.
func init() {
	for k, v := range map[string]string{
		"case-answered":     "Risposta inviata e protocollata: la trovi tra i documenti della pratica.",
		"case-message-sent": "Messaggio inviato e protocollato: l'ufficio ti risponderà in questa pagina.",
		"case-substitute":   "Richiesta inviata al titolare del potere sostitutivo e protocollata.",
		"case-attested":     "Attestazione del silenzio-assenso rilasciata: la trovi tra i documenti della pratica.",
		"case-withdrawn":    "Rinuncia registrata: la pratica è conclusa.",
		"case-done":         "Azione eseguita.",
		"case-assigned":     "Responsabile del procedimento assegnato.",
		"case-taken":        "Hai preso in carico la pratica.",
		"case-draft":        "Bozza inviata al dirigente per l'approvazione.",
		"case-draft-return": "Bozza restituita all'autore con la nota.",
		"case-extended":     "Proroga del termine applicata.",
		"case-note":         "Nota interna aggiunta.",
		"case-reply":        "Comunicazione protocollata e inviata al richiedente.",
		"cases-assigned":    "Pratiche assegnate.",
		"cases-reminded":    "Sollecito inviato.",
	} {
		flashMessages[k] = v
	}
}
