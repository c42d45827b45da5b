// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/procedo/procedo"
)

// handleApplyResume sends the citizen to the step the draft was left at.
func (h *Handler) handleApplyResume(w http.ResponseWriter, r *http.Request) error {
	d, _, steps, err := h.loadDraft(r)
	if err != nil {
		return err
	}
	key := d.Step
	if procedo.FindDraftStep(steps, key) < 0 || d.PrivacyAcceptedAt == nil {
		key = procedo.StepPrivacy
	}
	http.Redirect(w, r, draftPath(d.ID, key), http.StatusSeeOther)
	return nil
}

// handleApplyStep shows one step of a draft with what was saved.
func (h *Handler) handleApplyStep(w http.ResponseWriter, r *http.Request) error {
	d, v, steps, err := h.loadDraft(r)
	if err != nil {
		return err
	}
	i := procedo.FindDraftStep(steps, r.PathValue("step"))
	if i < 0 {
		return errNotFound
	}
	if d.PrivacyAcceptedAt == nil && i > 0 {
		http.Redirect(w, r, draftPath(d.ID, procedo.StepPrivacy), http.StatusSeeOther)
		return nil
	}
	p := h.stepPage(r, d, v, steps, i, nil)
	status := http.StatusOK
	if steps[i].Key == procedo.StepSummary {
		// The summary lists what still stops the submission.
		h.reviewProblems(p, d, steps, d.Problems(&v.Definition))
	}
	h.renderStep(w, r, status, p)
	return nil
}

// stepPage builds the page of step i of d, with the errors fe.
func (h *Handler) stepPage(r *http.Request, d *procedo.ApplicationDraft, v *procedo.ProcedureVersion, steps []procedo.DraftStep, i int, fe procedo.FieldErrors) *applyPage {
	p := h.newApplyPage(r, d, v, steps, i)
	p.Errors = fe
	def := &v.Definition
	step := steps[i]
	switch {
	case step.Section >= 0:
		p.Fields = sectionFields(def, steps, step, d.Values)
		p.Summary = sectionErrors(def.Form, fe, "")
	case step.Key == procedo.StepApplicant:
		p.Summary = applicantErrors(fe, "")
	case step.Key == procedo.StepPrivacy:
		if _, ok := fe["privacy"]; ok {
			p.Summary = []stepError{{Label: "Informativa sulla privacy", Message: fe["privacy"], URL: "#f-privacy"}}
		}
	case step.Key == procedo.StepFiles:
		p.Files = fileSlots(def, d, fe)
		p.Summary = sectionErrors(def.Form, fe, "")
	case step.Key == procedo.StepPayment:
		p.Fees = procedo.DraftFees(def, d.Values, d.Payments)
		if msg, ok := fe["payments"]; ok {
			p.Summary = []stepError{{Label: "Pagamento", Message: msg, URL: "#pagamenti"}}
		}
	case step.Key == procedo.StepSummary:
		p.Review = reviewSteps(d, def, steps)
	}
	return p
}

// Actions of the buttons of a step's form (name "azione").
const (
	actionNext    = "avanti"   // Salva e continua
	actionBack    = "indietro" // Indietro (saves without checking)
	actionSave    = "salva"    // Salva e riprendi più tardi
	actionUpload  = "carica"   // attachments: upload and stay
	actionRemove  = "rimuovi:" // attachments: "rimuovi:FIELD"
	actionNotices = "avvisi"   // payment: issue the notices
)

// handleApplyStepSave saves a step and moves on, back, or out. Going on
// checks the step with the form's validation: on errors the step is saved all
// the same and shown again (422) with the messages.
func (h *Handler) handleApplyStepSave(w http.ResponseWriter, r *http.Request) error {
	d, v, steps, err := h.loadDraft(r)
	if err != nil {
		return err
	}
	i := procedo.FindDraftStep(steps, r.PathValue("step"))
	if i < 0 {
		return errNotFound
	}
	ctx := r.Context()
	def := &v.Definition
	step := steps[i]
	action := r.PostFormValue("azione")
	u := procedo.DraftUpdate{}
	fe := procedo.FieldErrors{}
	refused := false // a file was refused: show why, whatever the button

	switch {
	case step.Key == procedo.StepPrivacy:
		u.AcceptPrivacy = r.PostFormValue("privacy") == "accetto"
		if !u.AcceptPrivacy && d.PrivacyAcceptedAt == nil && action != actionSave {
			fe.Add("privacy", privacyRequired)
		}
	case step.Key == procedo.StepApplicant:
		a := readApplicant(r)
		u.Applicant = &a
		check := a
		check.GivenName, check.FamilyName = d.Applicant.GivenName, d.Applicant.FamilyName
		check.Normalize()
		if err := check.Validate(); err != nil {
			fe = procedo.FieldErrorsOf(err)
		}
		if _, bad := fe["applicant.email"]; !bad && check.Email != "" {
			// Model fields filled from the identity's e-mail get the contact
			// address given here, unless the citizen already wrote one.
			for _, f := range def.Form.Fields() {
				if f.Prefill == "email" && strings.TrimSpace(d.Values[f.Name]) == "" {
					if u.Values == nil {
						u.Values = map[string]string{}
					}
					u.Values[f.Name] = check.Email
				}
			}
		}
	case step.Section >= 0:
		u.Values = map[string]string{}
		for _, k := range stepKeys(&def.Form, step.Fields) {
			u.Values[k] = r.PostFormValue(k)
		}
		merged := map[string]string{}
		for k, x := range d.Values {
			merged[k] = x
		}
		for k, x := range u.Values {
			merged[k] = x
		}
		fe = procedo.StepErrors(&def.Form, merged, d.FileInfos(), step.Fields)
	case step.Key == procedo.StepFiles:
		if field, ok := strings.CutPrefix(action, actionRemove); ok {
			if _, err := h.Drafts.RemoveDraftFile(ctx, d.ID, field); err != nil {
				return err
			}
			h.redirect(w, r, draftPath(d.ID, step.Key), flashFileRemoved)
			return nil
		}
		var err error
		if d, fe, err = h.uploadDraftFiles(r, d, def, step); err != nil {
			return err
		}
		if refused = len(fe) > 0; !refused && action == actionNext {
			fe = procedo.StepErrors(&def.Form, d.Values, d.FileInfos(), step.Fields)
		}
	case step.Key == procedo.StepPayment:
		if action == actionNotices {
			if _, err := h.Drafts.PrepareDraftPayments(ctx, d.ID); err != nil {
				return err
			}
			h.redirect(w, r, draftPath(d.ID, step.Key), "")
			return nil
		}
		if err := procedo.FeesError(procedo.DraftFees(def, d.Values, d.Payments)); err != nil {
			fe = procedo.FieldErrorsOf(err)
		}
	}

	// Only going on needs a complete step; going back or out keeps what
	// was typed, right or wrong.
	stay := refused || len(fe) > 0 && action == actionNext
	target := step.Key
	switch {
	case stay, action == actionUpload:
	case action == actionNext:
		target = nextStep(steps, i, +1)
	case action == actionBack:
		target = nextStep(steps, i, -1)
	}
	u.Step = &target
	saved, err := h.Drafts.UpdateDraft(ctx, d.ID, u)
	if fv := procedo.FieldErrorsOf(err); fv != nil {
		for k, msg := range fv {
			fe.Add(k, msg)
		}
		stay, saved, err = true, d, nil
	}
	if err != nil {
		return err
	}
	if stay {
		p := h.stepPage(r, saved, v, steps, i, fe)
		if step.Key == procedo.StepApplicant {
			p.Draft.Applicant = *u.Applicant // show what was typed
			p.Draft.Applicant.GivenName, p.Draft.Applicant.FamilyName = d.Applicant.GivenName, d.Applicant.FamilyName
		}
		h.renderStep(w, r, http.StatusUnprocessableEntity, p)
		return nil
	}
	if target == procedo.StepPayment && len(def.ApplicationFees()) > 0 {
		if _, err := h.Drafts.PrepareDraftPayments(ctx, d.ID); err != nil {
			return err
		}
	}
	if action == actionSave {
		h.redirect(w, r, "/pratiche", flashDraftSaved)
		return nil
	}
	h.redirect(w, r, draftPath(d.ID, target), "")
	return nil
}

// readApplicant reads the inputs of the applicant step.
func readApplicant(r *http.Request) procedo.DraftApplicant {
	a := procedo.DraftApplicant{
		Email: r.PostFormValue("applicant.email"),
		Phone: r.PostFormValue("applicant.phone"),
	}
	if r.PostFormValue("applicant.for_company") == "si" {
		a.ForCompany = true
		a.CompanyVAT = r.PostFormValue("applicant.company_vat")
		a.CompanyName = r.PostFormValue("applicant.company_name")
		a.LegalRepresentative = r.PostFormValue("applicant.legal_representative") == "si"
	}
	return a
}

// uploadDraftFiles stores each file sent for a file field of the step
// (checked for size and sniffed type, durable in the blob store) and attaches
// it to the draft. It returns the draft as saved and the files refused.
func (h *Handler) uploadDraftFiles(r *http.Request, d *procedo.ApplicationDraft, def *procedo.ProcedureDefinition, step procedo.DraftStep) (*procedo.ApplicationDraft, procedo.FieldErrors, error) {
	fe := procedo.FieldErrors{}
	if r.MultipartForm == nil {
		return d, fe, nil
	}
	for _, name := range step.Fields {
		f, ok := def.Form.Field(name)
		if !ok || f.Type != procedo.FieldFile {
			continue
		}
		fhs := r.MultipartForm.File[name]
		if len(fhs) == 0 || (len(fhs) == 1 && fhs[0].Size == 0 && fhs[0].Filename == "") {
			continue
		}
		if len(fhs) > 1 {
			fe.Add(name, "Allega un solo file.")
			continue
		}
		if fhs[0].Size == 0 {
			fe.Add(name, "Il file è vuoto.")
			continue
		}
		up, err := h.storeUpload(r, f, fhs[0])
		if err == nil {
			var saved *procedo.ApplicationDraft
			saved, err = h.Drafts.AttachDraftFile(r.Context(), d.ID, procedo.DraftFile{Field: up.Field, Filename: up.Filename,
				MediaType: up.MediaType, SHA256: up.SHA256, Size: up.Size, Signature: up.Signature, SignedType: up.SignedType})
			if err == nil {
				d = saved
			}
		}
		if fv := procedo.FieldErrorsOf(err); fv != nil {
			for k, msg := range fv {
				fe.Add(k, msg)
			}
		} else if err != nil {
			return nil, nil, err
		}
	}
	return d, fe, nil
}

// fileSlot is one file field of the attachments step.
type fileSlot struct {
	F     procedo.FormField
	File  *procedo.DraftFile // uploaded, if any
	Error string
}

// fileSlots lists the file fields of the form with what the draft holds.
func fileSlots(def *procedo.ProcedureDefinition, d *procedo.ApplicationDraft, fe procedo.FieldErrors) []fileSlot {
	var out []fileSlot
	trimmed := map[string]string{}
	for k, x := range d.Values {
		trimmed[k] = strings.TrimSpace(x)
	}
	for _, f := range def.Form.Fields() {
		// A file asked for only after some answer (in an earlier step) is
		// shown when that answer was given, as the final validation sees it.
		if f.Type != procedo.FieldFile || !f.VisibleIf.Holds(trimmed) {
			continue
		}
		s := fileSlot{F: f, Error: fe[f.Name]}
		if x, ok := d.File(f.Name); ok {
			s.File = &x
		}
		out = append(out, s)
	}
	return out
}

// reviewStep is one step in the summary: its values and the link to change them.
type reviewStep struct {
	Title string
	URL   string
	Rows  []reviewRow
}

type reviewRow struct{ Label, Value string }

// reviewSteps lists every value of the draft by step, as people read it.
func reviewSteps(d *procedo.ApplicationDraft, def *procedo.ProcedureDefinition, steps []procedo.DraftStep) []reviewStep {
	trimmed := map[string]string{}
	for k, x := range d.Values {
		trimmed[k] = strings.TrimSpace(x)
	}
	var out []reviewStep
	for _, s := range steps {
		rs := reviewStep{Title: s.Title, URL: draftPath(d.ID, s.Key)}
		switch {
		case s.Key == procedo.StepPrivacy:
			v := "Non ancora accettata"
			if d.PrivacyAcceptedAt != nil {
				v = "Letta e accettata il " + d.PrivacyAcceptedAt.In(procedo.Rome).Format("02/01/2006 alle 15:04")
			}
			rs.Rows = []reviewRow{{"Informativa sul trattamento dei dati", v}}
		case s.Key == procedo.StepApplicant:
			a := d.Applicant
			rs.Rows = []reviewRow{{"Nome e cognome", a.FullName()}, {"Codice fiscale", d.FiscalCode}, {"Indirizzo e-mail", dash(a.Email)},
				{"Telefono", dash(a.Phone)}}
			who := "Per me stesso"
			if a.ForCompany {
				who = fmt.Sprintf("Per l'impresa %s (partita IVA %s), come legale rappresentante", dash(a.CompanyName), dash(a.CompanyVAT))
			}
			rs.Rows = append(rs.Rows, reviewRow{"Presento la domanda", who})
		case s.Section >= 0:
			for _, f := range def.Form.Sections[s.Section].Fields {
				if f.Type == procedo.FieldFile || !f.VisibleIf.Holds(trimmed) {
					continue
				}
				rs.Rows = append(rs.Rows, reviewRow{f.Label, reviewValue(f, trimmed)})
			}
		case s.Key == procedo.StepFiles:
			for _, f := range def.Form.Fields() {
				if f.Type != procedo.FieldFile || !f.VisibleIf.Holds(trimmed) {
					continue
				}
				v := "Nessun file"
				if x, ok := d.File(f.Name); ok {
					v = fmt.Sprintf("%s (%s)", x.Filename, funcs["bytes"].(func(int64) string)(x.Size))
				}
				rs.Rows = append(rs.Rows, reviewRow{f.Label, v})
			}
		case s.Key == procedo.StepPayment:
			for _, f := range procedo.DraftFees(def, d.Values, d.Payments) {
				var v string
				switch {
				case f.Later():
					v = f.Payment.AmountLabel() + " – l'importo ti sarà comunicato dall'ufficio"
				case f.Problem != "":
					v = f.Payment.AmountLabel() + " – " + f.Problem
				case f.Conflict != nil:
					v = "Già pagati " + procedo.FormatCents(f.Conflict.Amount) + ", ma con i dati attuali l'importo è " + procedo.FormatCents(f.Due)
				case f.Notice != nil:
					v = f.Notice.PaymentLine()
				case f.Due == 0:
					v = "Nulla da pagare"
				default:
					v = procedo.FormatCents(f.Due) + " – avviso non ancora emesso"
				}
				if f.Computation != "" {
					v += " (" + f.Computation + ")"
				}
				rs.Rows = append(rs.Rows, reviewRow{f.Payment.Description, v})
			}
		default:
			continue
		}
		out = append(out, rs)
	}
	return out
}

// reviewValue is a field's value as typed, as people read it.
func reviewValue(f procedo.FormField, values map[string]string) string {
	switch f.Type {
	case procedo.FieldAddress:
		var parts []string
		for _, p := range procedo.AddressParts {
			if x := values[f.Name+"."+p]; x != "" {
				parts = append(parts, x)
			}
		}
		return dash(strings.Join(parts, ", "))
	case procedo.FieldGroup:
		var items []string
		for i := 0; i < f.Items(); i++ {
			var parts []string
			for _, sub := range f.Fields {
				key := fmt.Sprintf("%s.%d.%s", f.Name, i, sub.Name)
				if sub.Type == procedo.FieldAddress {
					sub.Name = key
					if v := reviewValue(sub, values); v != "—" {
						parts = append(parts, v)
					}
				} else if x := values[key]; x != "" {
					parts = append(parts, procedo.DisplayValue(sub, x))
				}
			}
			if len(parts) > 0 {
				items = append(items, fmt.Sprintf("%d. %s", len(items)+1, strings.Join(parts, ", ")))
			}
		}
		return dash(strings.Join(items, "; "))
	}
	return procedo.DisplayValue(f, values[f.Name])
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// reviewProblems puts the problems fe of the whole draft in p, each linked
// to the step (and input) where it is fixed.
func (h *Handler) reviewProblems(p *applyPage, d *procedo.ApplicationDraft, steps []procedo.DraftStep, fe procedo.FieldErrors) {
	p.Errors = fe
	if len(fe) == 0 {
		return
	}
	if msg, ok := fe["privacy"]; ok {
		p.Summary = append(p.Summary, stepError{"Informativa sulla privacy", msg, draftPath(d.ID, procedo.StepPrivacy) + "#f-privacy"})
	}
	p.Summary = append(p.Summary, applicantErrors(fe, draftPath(d.ID, procedo.StepApplicant))...)
	for _, e := range formErrorList(p.Version.Definition.Form, fe) {
		step := procedo.DraftStepOf(steps, e.Name)
		p.Summary = append(p.Summary, stepError{e.Label, e.Message, draftPath(d.ID, step) + "#f-" + e.Name})
	}
	if msg, ok := fe["payments"]; ok {
		p.Summary = append(p.Summary, stepError{"Pagamento", msg, draftPath(d.ID, procedo.StepPayment) + "#pagamenti"})
	}
}
