// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/procedo/procedo"
)

// The application flow (Modello Comuni): /servizi/{key}/domanda shows the
// privacy notice and starts a draft; each step of the draft is
// /domande/{id}/{step}, a page whose form saves the step and moves on
// ("Salva e continua") or back ("Indietro"); /domande/{id}/invia submits it.
// Drafts live on the server (procedo.DraftService): the citizen resumes them
// from "Le mie pratiche" on any device.

// draftPath is the URL of step key of draft id.
func draftPath(id int64, key string) string {
	return "/domande/" + strconv.FormatInt(id, 10) + "/" + key
}

// applyPage is what every step of the application flow draws.
type applyPage struct {
	Draft   *procedo.ApplicationDraft // nil on the privacy notice of a new application
	Version *procedo.ProcedureVersion
	Citizen *procedo.Citizen
	Steps   []stepState
	Step    procedo.DraftStep
	Number  int    // of Step, from 1
	Action  string // where the step's form posts
	First   bool   // no step before this one
	Errors  procedo.FieldErrors
	Summary []stepError // the summary of errors at the top, in page order
	Values  map[string]string
	MaxMB   int64

	Existing []*procedo.ApplicationDraft // privacy notice of a new application: drafts of the same service to resume
	Fields   []procedo.FormField         // a section's fields to draw
	Files    []fileSlot                  // the attachments step
	Fees     []procedo.DraftFee          // the payment step
	Review   []reviewStep                // the summary step
	PayLabel string                      // the payment provider's button label; "" when none is configured
}

// stepState is one step in the step indicator.
type stepState struct {
	Title   string
	Number  int
	Done    bool // before the current step
	Current bool
}

// stepError is one line of the summary of errors: a link to the input.
type stepError struct{ Label, Message, URL string }

// loadDraft returns the draft of the request's {id}, which the citizen of the
// request must own, its procedure version and its steps.
func (h *Handler) loadDraft(r *http.Request) (*procedo.ApplicationDraft, *procedo.ProcedureVersion, []procedo.DraftStep, error) {
	if _, err := requireCitizen(r); err != nil {
		return nil, nil, nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := h.Drafts.FindDraftByID(r.Context(), id)
	if err != nil {
		return nil, nil, nil, err
	}
	v, err := h.Procedures.FindProcedureVersionByID(r.Context(), d.ProcedureVersionID)
	if err != nil {
		return nil, nil, nil, err
	}
	return d, v, procedo.DraftSteps(&v.Definition), nil
}

// newApplyPage fills the frame of step i of steps.
func (h *Handler) newApplyPage(r *http.Request, d *procedo.ApplicationDraft, v *procedo.ProcedureVersion, steps []procedo.DraftStep, i int) *applyPage {
	p := &applyPage{Draft: d, Version: v, Step: steps[i], Number: i + 1, First: i == 0, MaxMB: h.MaxUpload >> 20,
		Values: map[string]string{}}
	if a := requestFrom(r).actor; a != nil {
		p.Citizen = a.Citizen
	}
	for j, s := range steps {
		p.Steps = append(p.Steps, stepState{Title: s.Title, Number: j + 1, Done: j < i, Current: j == i})
	}
	if d != nil {
		p.Action = draftPath(d.ID, steps[i].Key)
		for k, x := range d.Values {
			p.Values[k] = x
		}
	}
	if h.PaymentProvider != nil {
		p.PayLabel = h.PaymentProvider.Label()
	}
	return p
}

// renderStep draws p with the page template of its step.
func (h *Handler) renderStep(w http.ResponseWriter, r *http.Request, status int, p *applyPage) {
	def := &p.Version.Definition
	title := fmt.Sprintf("%s – passo %d di %d: %s", def.Title, p.Number, len(p.Steps), p.Step.Title)
	if len(p.Errors) > 0 {
		title = "Errori: " + title
	}
	name := "apply_section"
	switch p.Step.Key {
	case procedo.StepPrivacy:
		name = "apply_privacy"
	case procedo.StepApplicant:
		name = "apply_applicant"
	case procedo.StepFiles:
		name = "apply_files"
	case procedo.StepPayment:
		name = "apply_payment"
	case procedo.StepSummary:
		name = "apply_summary"
	}
	h.render(w, r, status, name, &page{Title: title,
		Breadcrumbs: []crumb{{"Servizi", "/servizi"}, {def.Title, "/servizi/" + p.Version.Key}, {"Domanda", ""}}, Data: p})
}

// stepKeys lists the input keys of the step's fields (names, address parts,
// group items).
func stepKeys(form *procedo.Form, fields []string) []string {
	var out []string
	for _, k := range form.InputKeys() {
		name, _, _ := strings.Cut(k, ".")
		if slices.Contains(fields, name) {
			out = append(out, k)
		}
	}
	return out
}

// sectionFields returns the fields a section step draws. A field whose
// condition depends on an earlier step is shown only when the condition
// holds, as the final validation will see it; one that depends on a field of
// the same step is shown with a hint saying when to fill it (pages work
// without scripts).
func sectionFields(def *procedo.ProcedureDefinition, steps []procedo.DraftStep, step procedo.DraftStep, values map[string]string) []procedo.FormField {
	shown := formForDisplay(def.Form) // the same fields, with the conditions spelled out in the hints
	trimmed := map[string]string{}
	for k, x := range values {
		trimmed[k] = strings.TrimSpace(x)
	}
	var out []procedo.FormField
	for i, f := range def.Form.Sections[step.Section].Fields {
		if f.Type == procedo.FieldFile {
			continue
		}
		if c := f.VisibleIf; c != nil && procedo.DraftStepOf(steps, c.Field) != step.Key {
			if c.Holds(trimmed) {
				out = append(out, f)
			}
			continue
		}
		out = append(out, shown.Sections[step.Section].Fields[i])
	}
	return out
}

// sectionErrors lists errors of a section in page order, linked to the inputs.
func sectionErrors(form procedo.Form, fe procedo.FieldErrors, url string) []stepError {
	var out []stepError
	for _, e := range formErrorList(form, fe) {
		out = append(out, stepError{Label: e.Label, Message: e.Message, URL: url + "#f-" + e.Name})
	}
	return out
}

// applicantErrors lists errors of the applicant step in page order.
func applicantErrors(fe procedo.FieldErrors, url string) []stepError {
	var out []stepError
	for _, k := range []struct{ key, label string }{
		{"applicant.given_name", "Nome"}, {"applicant.family_name", "Cognome"},
		{"applicant.email", "Indirizzo e-mail"}, {"applicant.phone", "Telefono"},
		{"applicant.for_company", "Per conto di chi presenti la domanda"},
		{"applicant.company_vat", "Partita IVA dell'impresa"}, {"applicant.company_name", "Denominazione dell'impresa"},
		{"applicant.legal_representative", "Dichiarazione di legale rappresentante"},
	} {
		if msg, ok := fe[k.key]; ok {
			out = append(out, stepError{Label: k.label, Message: msg, URL: url + "#f-" + k.key})
		}
	}
	return out
}

// nextStep returns the key of the step after (dir +1) or before (dir -1)
// step i, staying inside steps.
func nextStep(steps []procedo.DraftStep, i, dir int) string {
	return steps[min(max(i+dir, 0), len(steps)-1)].Key
}

// saveFlash says what happened to a step saved without moving on.
const (
	flashDraftSaved   = "draft-saved"
	flashDraftDeleted = "draft-deleted"
	flashPaid         = "pay-ok"
	flashPayCancelled = "pay-cancelled"
	flashPayFailed    = "pay-failed"
	flashFileRemoved  = "file-removed"
)

func init() {
	flashMessages[flashDraftSaved] = "Domanda salvata: puoi riprenderla quando vuoi da «Le mie pratiche»."
	flashMessages[flashDraftDeleted] = "Bozza della domanda eliminata."
	flashMessages[flashPaid] = "Pagamento registrato."
	flashMessages[flashPayCancelled] = "Il pagamento è stato annullato: l'avviso resta da pagare."
	flashMessages[flashPayFailed] = "Non è stato possibile registrare il pagamento: riprova tra qualche minuto."
	flashMessages[flashFileRemoved] = "Allegato rimosso."
	funcs["cents"] = procedo.FormatCents
}
