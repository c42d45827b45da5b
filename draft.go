// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// An application is filled in steps, following Designers Italia's Modello
// Comuni flow: privacy notice, applicant, one step per section of the model's
// form, attachments, payment, summary, submission. What has been filled is an
// ApplicationDraft kept on the server, saved at every step, so the applicant
// can resume it later from another device; it expires after a configurable
// time and a daily job purges it.

// JobPurgeDrafts deletes the expired drafts of every tenant; payload
// {"day": "YYYY-MM-DD"}, enqueued once a day.
const JobPurgeDrafts = "drafts.purge"

// JobCollectBlobs deletes the blobs dropped by drafts (deleted, expired, or a
// file replaced) that nothing references any more; payload {"day":
// "YYYY-MM-DD"}, enqueued once a day.
const JobCollectBlobs = "blobs.collect"

// DefaultDraftTTL is how long an untouched draft is kept by default.
const DefaultDraftTTL = 30 * 24 * time.Hour

// Limits of a draft's values, for input from browsers and integrators.
const (
	MaxDraftValueLength = 20000   // bytes of one value
	MaxDraftValues      = 2000    // keys
	MaxDraftValuesJSON  = 1 << 20 // bytes of the JSON object of the values
	maxDraftKeyLength   = 200     // bytes of one key
)

// Keys of the steps that are not sections of the form (URL segments).
const (
	StepPrivacy   = "informativa"
	StepApplicant = "richiedente"
	StepFiles     = "allegati"
	StepPayment   = "pagamento"
	StepSummary   = "riepilogo"
	// StepSectionPrefix + the 1-based number of the section in the model
	// names the step of one section of the form, e.g. "sezione-2".
	StepSectionPrefix = "sezione-"
)

// DraftStep is one step of the application flow of a procedure.
type DraftStep struct {
	Key     string   // URL segment: StepPrivacy, StepApplicant, "sezione-N", StepFiles, StepPayment, StepSummary
	Title   string   // Italian title, shown in the step indicator
	Section int      // index in Form.Sections for a section step; -1 otherwise
	Fields  []string // names of the top-level form fields filled in this step (sections: non-file fields; attachments: file fields)
}

// DraftSteps returns the steps of an application to the procedure of def: the
// privacy notice, the applicant, one step per form section that has fields
// other than files, the attachments (if the form has file fields), the
// payment (if the model has fees) and the summary, in this order.
func DraftSteps(def *ProcedureDefinition) []DraftStep {
	steps := []DraftStep{
		{Key: StepPrivacy, Title: "Informativa sulla privacy", Section: -1},
		{Key: StepApplicant, Title: "Dati del richiedente", Section: -1},
	}
	var files []string
	for i, s := range def.Form.Sections {
		st := DraftStep{Key: StepSectionPrefix + strconv.Itoa(i+1), Title: s.Title, Section: i}
		for _, f := range s.Fields {
			if f.Type == FieldFile {
				files = append(files, f.Name)
			} else {
				st.Fields = append(st.Fields, f.Name)
			}
		}
		if len(st.Fields) > 0 {
			steps = append(steps, st)
		}
	}
	if len(files) > 0 {
		steps = append(steps, DraftStep{Key: StepFiles, Title: "Allegati", Section: -1, Fields: files})
	}
	if len(def.Payments) > 0 {
		steps = append(steps, DraftStep{Key: StepPayment, Title: "Pagamento", Section: -1})
	}
	return append(steps, DraftStep{Key: StepSummary, Title: "Riepilogo", Section: -1})
}

// FindDraftStep returns the index of the step with key in steps, or -1.
func FindDraftStep(steps []DraftStep, key string) int {
	return slices.IndexFunc(steps, func(s DraftStep) bool { return s.Key == key })
}

// DraftStepOf returns the key of the step where the value or file key (a
// field name, "name.via", "name.0.sub", or "applicant.…") is filled, or "".
func DraftStepOf(steps []DraftStep, key string) string {
	if strings.HasPrefix(key, "applicant.") || key == "privacy" {
		if key == "privacy" {
			return StepPrivacy
		}
		return StepApplicant
	}
	name, _, _ := strings.Cut(key, ".")
	for _, s := range steps {
		if slices.Contains(s.Fields, name) {
			return s.Key
		}
	}
	return ""
}

// ApplicationDraft is an application being filled (bozza): what the applicant
// has typed so far, the files uploaded (already durable in the BlobStore), and
// the step to resume at. It belongs to one applicant of one tenant: a citizen
// sees only their own drafts; a draft created through the API by an
// integrator (CreatedBy set) is seen only by that integrator.
type ApplicationDraft struct {
	ID                 int64
	TenantID           int64
	ProcedureVersionID int64
	ProcedureKey       string            // the procedure type's key, for links; set by the store
	ProcedureTitle     string            // the version's title; set by the store
	FiscalCode         string            // the applicant's codice fiscale: the owner of the draft
	CreatedBy          *int64            // the integrator's user id for drafts created through the API; nil for citizens
	Step               string            // key of the step to resume at (see DraftSteps)
	PrivacyAcceptedAt  *time.Time        // when the applicant accepted the privacy notice; nil until then
	Applicant          DraftApplicant    // contact data and who the applicant acts for
	Values             map[string]string // form values as typed (keys of Form.InputKeys), not yet cleaned; never nil
	Files              []DraftFile       // uploaded files, at most one per file field
	Payments           []*PaymentNotice  // the pagoPA notices issued for its fees; filled by FindDraftByID
	CreatedAt          time.Time         //
	UpdatedAt          time.Time         // last save
	ExpiresAt          time.Time         // UpdatedAt + the configured time to keep drafts
}

// Notice returns the draft's pagoPA notice id; ENOTFOUND if it has none such.
func (d *ApplicationDraft) Notice(id int64) (*PaymentNotice, error) {
	for _, n := range d.Payments {
		if n.ID == id {
			return n, nil
		}
	}
	return nil, Errorf(ENOTFOUND, "Avviso di pagamento non trovato.")
}

// DraftApplicant is the applicant's part of a draft: names (from the digital
// identity, or given by the integrator), contacts, and the company the
// applicant acts for as its legal representative, if any.
type DraftApplicant struct {
	GivenName           string `json:"given_name"`
	FamilyName          string `json:"family_name"`
	Email               string `json:"email"`
	Phone               string `json:"phone,omitempty"`
	ForCompany          bool   `json:"for_company,omitempty"`          // "agisco per conto di un'impresa"
	CompanyVAT          string `json:"company_vat,omitempty"`          // partita IVA, 11 digits, check digit verified
	CompanyName         string `json:"company_name,omitempty"`         // ragione sociale
	LegalRepresentative bool   `json:"legal_representative,omitempty"` // declared legal representative of the company
}

// FullName returns "Given Family".
func (a *DraftApplicant) FullName() string {
	return strings.TrimSpace(a.GivenName + " " + a.FamilyName)
}

// Normalize trims the fields, upper-cases nothing and drops the company when
// the applicant does not act for one.
func (a *DraftApplicant) Normalize() {
	for _, p := range []*string{&a.GivenName, &a.FamilyName, &a.Email, &a.Phone, &a.CompanyVAT, &a.CompanyName} {
		*p = strings.TrimSpace(*p)
	}
	if !a.ForCompany {
		a.CompanyVAT, a.CompanyName, a.LegalRepresentative = "", "", false
	} else if v, err := ValidateVATNumber(a.CompanyVAT); err == nil {
		a.CompanyVAT = v
	}
}

// Validate checks the applicant step. Keys of the FieldErrors are
// "applicant.email", "applicant.phone", "applicant.company_vat",
// "applicant.company_name", "applicant.legal_representative" and, for
// drafts created by integrators, "applicant.given_name" and
// "applicant.family_name".
func (a *DraftApplicant) Validate() error {
	fe := FieldErrors{}
	text := func(key, v, empty string, max int) {
		switch {
		case v == "":
			if empty != "" {
				fe.Add(key, empty)
			}
		case !utf8.ValidString(v) || strings.ContainsRune(v, 0) || !printable(v):
			fe.Add(key, "Il testo contiene caratteri non validi.")
		case utf8.RuneCountInString(v) > max:
			fe.Add(key, fmt.Sprintf("Il testo non può superare %d caratteri.", max))
		}
	}
	// The names come from the digital identity, or from the integrator (the
	// store requires them there): here only their form is checked.
	text("applicant.given_name", a.GivenName, "", 100)
	text("applicant.family_name", a.FamilyName, "", 100)
	if a.Email == "" {
		fe.Add("applicant.email", "Indica l'indirizzo e-mail: lo usiamo per inviarti la ricevuta.")
	} else if m, err := mail.ParseAddress(a.Email); err != nil || m.Address != a.Email || len(a.Email) > 254 {
		fe.Add("applicant.email", "Inserisci un indirizzo e-mail valido, ad esempio nome@esempio.it.")
	}
	if a.Phone != "" && !phoneRE.MatchString(a.Phone) {
		fe.Add("applicant.phone", "Inserisci un numero di telefono valido, ad esempio +39 333 1234567.")
	}
	if a.ForCompany {
		if a.CompanyVAT == "" {
			fe.Add("applicant.company_vat", "Indica la partita IVA dell'impresa.")
		} else if _, err := ValidateVATNumber(a.CompanyVAT); err != nil {
			fe.Add("applicant.company_vat", ErrorMessage(err))
		}
		text("applicant.company_name", a.CompanyName, "Indica la denominazione (ragione sociale) dell'impresa.", 200)
		if !a.LegalRepresentative {
			fe.Add("applicant.legal_representative", "Per agire per conto dell'impresa devi dichiarare di esserne il legale rappresentante.")
		}
	}
	return fe.Err()
}

// DraftFile is a file uploaded to a draft: content in the BlobStore, checked
// (size, sniffed type) when uploaded.
type DraftFile struct {
	Field      string    `json:"field"` // the file field of the form
	Filename   string    `json:"filename"`
	MediaType  string    `json:"media_type"` // sniffed from the content
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	Signature  string    `json:"signature,omitempty"`   // who signed it, for a signed file (Upload.Signature)
	SignedType string    `json:"signed_type,omitempty"` // media type inside a signed envelope (Upload.SignedType)
	UploadedAt time.Time `json:"uploaded_at"`
}

// Upload returns f as the upload of an application.
func (f DraftFile) Upload() *Upload {
	return &Upload{Field: f.Field, Filename: f.Filename, MediaType: f.MediaType, SHA256: f.SHA256, Size: f.Size, Signature: f.Signature, SignedType: f.SignedType}
}

// File returns the file uploaded for field, if any.
func (d *ApplicationDraft) File(field string) (DraftFile, bool) {
	for _, f := range d.Files {
		if f.Field == field {
			return f, true
		}
	}
	return DraftFile{}, false
}

// FileInfos returns the draft's files for form validation.
func (d *ApplicationDraft) FileInfos() map[string]FileInfo {
	out := map[string]FileInfo{}
	for _, f := range d.Files {
		out[f.Field] = FileInfo{Filename: f.Filename, MediaType: f.MediaType, SignedType: f.SignedType, Size: f.Size}
	}
	return out
}

// Uploads returns the draft's files as the uploads of its application, in
// the order of the form's fields.
func (d *ApplicationDraft) Uploads(form *Form) []*Upload {
	var out []*Upload
	for _, fl := range form.Fields() {
		if f, ok := d.File(fl.Name); ok && fl.Type == FieldFile {
			out = append(out, f.Upload())
		}
	}
	return out
}

// Citizen returns the applicant of the draft as the citizen who applies.
// provider names how the identity was established ("demo", "spid", or
// "api:USERNAME" for an integrator).
func (d *ApplicationDraft) Citizen(provider string) *Citizen {
	return &Citizen{FiscalCode: d.FiscalCode, GivenName: d.Applicant.GivenName, FamilyName: d.Applicant.FamilyName,
		Email: d.Applicant.Email, Provider: provider}
}

// Problems returns what stops the draft from being submitted, keyed as the
// steps' inputs ("privacy", "applicant.…", form keys, "payments"): the
// privacy notice not accepted, the applicant's data, the form's one
// validation with the uploaded files, and fees due with the application
// (fixed, or computed from the values) without a paid notice of their amount
// among d.Payments (FeesError). nil when it can be submitted.
func (d *ApplicationDraft) Problems(def *ProcedureDefinition) FieldErrors {
	fe := FieldErrors{}
	if d.PrivacyAcceptedAt == nil {
		fe.Add("privacy", "Per inviare la domanda devi dichiarare di aver letto l'informativa sulla privacy.")
	}
	if err := d.Applicant.Validate(); err != nil {
		for k, msg := range FieldErrorsOf(err) {
			fe.Add(k, msg)
		}
	}
	if d.Applicant.GivenName == "" || d.Applicant.FamilyName == "" {
		fe.Add("applicant.given_name", "Mancano il nome e il cognome del richiedente.")
	}
	if _, err := def.Form.ValidateValues(d.Values, d.FileInfos()); err != nil {
		for k, msg := range FieldErrorsOf(err) {
			fe.Add(k, msg)
		}
	}
	if err := FeesError(DraftFees(def, d.Values, d.Payments)); err != nil {
		for k, msg := range FieldErrorsOf(err) {
			fe.Add(k, msg)
		}
	}
	if len(fe) == 0 {
		return nil
	}
	return fe
}

// Company is the enterprise an applicant acts for as its legal representative.
type Company struct {
	VATNumber string // partita IVA
	Name      string // ragione sociale
}

// DraftFilter selects drafts of the tenant in ctx that the actor may see.
type DraftFilter struct {
	ProcedureVersionID *int64
	Offset             int
	Limit              int // default 50, at most 500
}

// DraftUpdate changes a draft. Nil fields stay as they are.
type DraftUpdate struct {
	Step          *string         // the step to resume at
	AcceptPrivacy bool            // record the acceptance of the privacy notice (once)
	Applicant     *DraftApplicant // replaces the applicant's contacts and company (names are kept for citizens)
	// Values are merged into the draft's values: a key with "" is removed.
	// With ReplaceValues the draft's values become exactly Values.
	Values        map[string]string
	ReplaceValues bool
}

// DraftService keeps the application drafts of the tenant in ctx. Callers are
// citizens for their own drafts and integrators (users with role registry,
// through the API) for drafts they create on behalf of an applicant; a draft
// another actor or tenant owns is ENOTFOUND.
type DraftService interface {
	// CreateDraft starts a draft for d.ProcedureVersionID. For a citizen the
	// applicant is the citizen (FiscalCode and names from the identity; d's
	// Applicant gives the contacts); for an integrator d.FiscalCode and the
	// applicant's names are required. ECONFLICT if the procedure does not
	// accept applications (AcceptsApplications), EINVALID (FieldErrors) for
	// bad values, EUNAUTHORIZED or EFORBIDDEN for other actors.
	CreateDraft(ctx context.Context, d *ApplicationDraft) error
	// FindDraftByID returns a draft the actor owns, with its payment notices, or ENOTFOUND.
	FindDraftByID(ctx context.Context, id int64) (*ApplicationDraft, error)
	// FindDrafts lists the actor's drafts, most recently saved first, and the total.
	FindDrafts(ctx context.Context, f DraftFilter) ([]*ApplicationDraft, int, error)
	// UpdateDraft saves u into a draft the actor owns and pushes its expiry
	// forward. Values are checked against the form's keys and the limits
	// (ValidateDraftValues), not against the form's rules: a draft may be
	// incomplete. In the same transaction the unpaid notices of fees computed
	// from values that changed are cancelled (StaleNotices). EINVALID, ENOTFOUND.
	UpdateDraft(ctx context.Context, id int64, u DraftUpdate) (*ApplicationDraft, error)
	// AttachDraftFile records f (content already durable in the BlobStore) for
	// its file field, replacing the file uploaded before for that field.
	// EINVALID for an unknown field or a file over the field's limits, ENOTFOUND.
	AttachDraftFile(ctx context.Context, id int64, f DraftFile) (*ApplicationDraft, error)
	// RemoveDraftFile forgets the file of field. ENOTFOUND.
	RemoveDraftFile(ctx context.Context, id int64, field string) (*ApplicationDraft, error)
	// DeleteDraft deletes a draft the actor owns and cancels its unpaid
	// notices. ECONFLICT if a notice of it is paid (a paid fee must not
	// vanish: the draft can be submitted, or left to expire for the office
	// to reconcile), ENOTFOUND.
	DeleteDraft(ctx context.Context, id int64) error
	// PrepareDraftPayments issues, once, the pagoPA notices of the fees due
	// with the application (DraftFees: fixed ones, and those the model's
	// formula computes from the draft's values, with the computation),
	// addressed to the applicant, and returns the draft's notices. An unpaid
	// notice the values no longer give is cancelled and replaced; a paid one
	// is never changed, and none is issued while it disagrees with the values.
	// Idempotent. ECONFLICT if the tenant cannot issue notices, ENOTFOUND.
	PrepareDraftPayments(ctx context.Context, id int64) ([]*PaymentNotice, error)
	// SubmitDraft submits the draft as an application (the same checks and
	// the same single transaction as ApplicationService.SubmitApplication)
	// and deletes the draft in that transaction: all or nothing, and a draft
	// is submitted at most once. EINVALID (FieldErrors keyed as in the steps)
	// for anything missing or wrong, including privacy and fees not paid;
	// ECONFLICT for a procedure that no longer accepts applications or a
	// draft already submitted; ENOTFOUND.
	SubmitDraft(ctx context.Context, id int64) (*Receipt, error)
	// PurgeExpiredDrafts deletes the drafts of every tenant that expired
	// before now, with their unpaid notices cancelled, and returns how many.
	// Only the system actor (the daily job) may call it.
	PurgeExpiredDrafts(ctx context.Context) (int, error)
}

// AcceptsApplications returns nil if citizens may apply online to v: a
// published version of a model whose service is active and whose online
// service (art. 35 c.1 i) is available in procedo itself. ECONFLICT with an
// Italian message otherwise. The store checks it on every draft and
// submission, not only the web.
func AcceptsApplications(v *ProcedureVersion) error {
	def := &v.Definition
	switch {
	case v.Status != ProcedurePublished:
		return Errorf(ECONFLICT, "Questo servizio non accetta più domande online.")
	case !def.Active():
		reason := strings.TrimSpace(def.StatusReason)
		if reason == "" {
			reason = "rivolgiti all'ufficio competente."
		}
		return Errorf(ECONFLICT, "Il servizio online non è attivo: %s", reason)
	case def.OnlineService != nil && !def.OnlineService.Available:
		return Errorf(ECONFLICT, "Il servizio online non è ancora disponibile: %s", def.OnlineService.Activation)
	case def.OnlineService != nil && def.OnlineService.URL != "":
		return Errorf(ECONFLICT, "La domanda si presenta con il servizio online indicato nella pagina del servizio: %s", def.OnlineService.URL)
	}
	return nil
}

// CanCreateDraft returns nil if a may start drafts: a citizen (for
// themselves) or an integrator, a user with role registry acting through the
// API for an applicant. EUNAUTHORIZED for anonymous actors, EFORBIDDEN for
// other users.
func CanCreateDraft(a *Actor) error {
	switch {
	case a == nil || (a.Citizen == nil && a.User == nil):
		return Errorf(EUNAUTHORIZED, "Per compilare una domanda devi accedere con la tua identità digitale.")
	case a.Citizen != nil:
		return nil
	case a.User.HasRole(RoleRegistry):
		return nil
	}
	return Errorf(EFORBIDDEN, "Solo il richiedente, o un integratore con il ruolo protocollo, può compilare una domanda.")
}

// CanAccessDraft reports whether a owns d: the citizen whose codice fiscale
// it carries (for drafts not created by an integrator), the integrator who
// created it (still with role registry, same tenant), or the system.
func CanAccessDraft(a *Actor, d *ApplicationDraft) bool {
	switch {
	case a == nil || d == nil:
		return false
	case a.Kind == ActorSystem:
		return true
	case a.Citizen != nil:
		return d.CreatedBy == nil && d.FiscalCode == a.Citizen.FiscalCode
	case a.User != nil:
		return d.CreatedBy != nil && *d.CreatedBy == a.User.ID && a.User.TenantID == d.TenantID && a.User.HasRole(RoleRegistry)
	}
	return false
}

// ValidateDraftValues checks values against the keys of form and the limits
// of a draft: every key must be an input of the form (not a file field), and
// values valid UTF-8 of at most MaxDraftValueLength bytes. It does not apply
// the form's rules (required, formats): a draft may be incomplete.
func ValidateDraftValues(form *Form, values map[string]string) error {
	if len(values) > MaxDraftValues {
		return Errorf(EINVALID, "Troppi valori: al massimo %d.", MaxDraftValues)
	}
	known := map[string]bool{}
	for _, k := range form.InputKeys() {
		known[k] = true
	}
	fe := FieldErrors{}
	for k, v := range values {
		switch {
		case !known[k]:
			fe.Add(safeKey(k), "Campo sconosciuto per questo modulo.")
		case len(v) > MaxDraftValueLength:
			fe.Add(k, fmt.Sprintf("Il valore è troppo lungo (massimo %d caratteri).", MaxDraftValueLength))
		case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
			fe.Add(k, "Il testo contiene caratteri non validi.")
		}
	}
	return fe.Err()
}

// safeKey shortens an unknown key for an error message.
func safeKey(k string) string {
	if len(k) > 64 || !utf8.ValidString(k) {
		return strings.ToValidUTF8(k[:min(len(k), 64)], "?")
	}
	return k
}

// DecodeDraftValues decodes the values of a draft from JSON: an object whose
// members are strings (null is read as "", which removes the value when
// merged). Numbers and booleans are refused: every form value is text. At
// most MaxDraftValuesJSON bytes, MaxDraftValues keys of at most 200 bytes
// and values of at most MaxDraftValueLength bytes, all valid UTF-8 without
// NUL. EINVALID with an Italian message otherwise.
func DecodeDraftValues(b []byte) (map[string]string, error) {
	if len(b) > MaxDraftValuesJSON {
		return nil, Errorf(EINVALID, "I valori del modulo sono troppi o troppo lunghi (massimo 1 MB).")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw map[string]*string
	if err := dec.Decode(&raw); err != nil {
		return nil, &Error{Code: EINVALID, Message: "I valori del modulo devono essere un oggetto JSON di testi, ad esempio {\"oggetto\": \"…\"}.", Err: err}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, Errorf(EINVALID, "I valori del modulo devono essere un solo oggetto JSON.")
	}
	if raw == nil {
		return nil, Errorf(EINVALID, "I valori del modulo devono essere un oggetto JSON di testi.")
	}
	return checkDraftValueMap(raw)
}

// checkDraftValueMap applies the limits of DecodeDraftValues to decoded JSON.
func checkDraftValueMap(raw map[string]*string) (map[string]string, error) {
	if len(raw) > MaxDraftValues {
		return nil, Errorf(EINVALID, "Troppi valori: al massimo %d.", MaxDraftValues)
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		if k == "" || len(k) > maxDraftKeyLength || !utf8.ValidString(k) || strings.ContainsRune(k, 0) {
			return nil, Errorf(EINVALID, "Nome di campo non valido nei valori del modulo.")
		}
		s := ""
		if v != nil {
			s = *v
		}
		if len(s) > MaxDraftValueLength {
			return nil, FieldErrors{k: fmt.Sprintf("Il valore è troppo lungo (massimo %d caratteri).", MaxDraftValueLength)}
		}
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return nil, FieldErrors{k: "Il testo contiene caratteri non validi."}
		}
		out[k] = s
	}
	return out, nil
}

// EncodeDraftValues encodes values for storage; DecodeDraftValues reads them back.
func EncodeDraftValues(values map[string]string) ([]byte, error) {
	if values == nil {
		values = map[string]string{}
	}
	return json.Marshal(values)
}

// StepErrors validates a step: values and files go through the form's one
// validation (Form.ValidateValues, the same as the API and the final
// submission, so conditions on fields of earlier steps hold), and only the
// problems of the step's fields are kept (a field name, or its parts
// "name.via", "name.0.sub"). nil when the step is fine.
func StepErrors(form *Form, values map[string]string, files map[string]FileInfo, fields []string) FieldErrors {
	_, err := form.ValidateValues(values, files)
	all := FieldErrorsOf(err)
	var out FieldErrors
	for k, msg := range all {
		name, _, _ := strings.Cut(k, ".")
		if slices.Contains(fields, name) {
			if out == nil {
				out = FieldErrors{}
			}
			out[k] = msg
		}
	}
	return out
}

// AmountCents returns the fixed amount of p in euro cents.
func (p Payment) AmountCents() int64 { return int64(math.Round(p.Amount * 100)) }

// UnpaidFeesError is the error of a submission whose fees (unpaid) are not
// paid; see FeesError for an application's fees with their notices.
func UnpaidFeesError(unpaid []Payment) error {
	names := make([]string, len(unpaid))
	for i, p := range unpaid {
		names[i] = p.Description + " (" + p.AmountLabel() + ")"
	}
	return FieldErrors{"payments": "Prima di inviare la domanda devi pagare con pagoPA: " + strings.Join(names, "; ") + "."}
}
