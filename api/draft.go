// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/signature"
)

// Drafts for integrators: an integrator (a token of a user with role
// registry) fills an application on behalf of an applicant, identified by
// codice fiscale, the way a citizen does on the web: create the draft, set
// values, upload files, submit. The same validation serves both; only the
// integrator who created a draft sees it.

// draftApplicantJSON is the applicant of a draft (schema DraftApplicant).
type draftApplicantJSON struct {
	FiscalCode          string `json:"fiscal_code"`
	GivenName           string `json:"given_name"`
	FamilyName          string `json:"family_name"`
	Email               string `json:"email"`
	Phone               string `json:"phone"`
	ForCompany          bool   `json:"for_company"`
	CompanyVAT          string `json:"company_vat"`
	CompanyName         string `json:"company_name"`
	LegalRepresentative bool   `json:"legal_representative"`
}

func (a draftApplicantJSON) domain() procedo.DraftApplicant {
	return procedo.DraftApplicant{GivenName: a.GivenName, FamilyName: a.FamilyName, Email: a.Email, Phone: a.Phone,
		ForCompany: a.ForCompany, CompanyVAT: a.CompanyVAT, CompanyName: a.CompanyName, LegalRepresentative: a.LegalRepresentative}
}

// draftFileJSON is a file of a draft.
type draftFileJSON struct {
	Field      string    `json:"field"`
	Filename   string    `json:"filename"`
	MediaType  string    `json:"media_type"`
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	Signature  string    `json:"signature,omitempty"` // who signed it, for a signed file
	SignedType string    `json:"signed_type,omitempty"`
	UploadedAt time.Time `json:"uploaded_at"`
}

// noticeJSON is a pagoPA notice of a draft's fee.
type noticeJSON struct {
	ID           int64                 `json:"id"`
	NoticeNumber string                `json:"notice_number"`
	IUV          string                `json:"iuv"`
	Amount       int64                 `json:"amount_cents"`
	Causale      string                `json:"causale"`
	Status       procedo.PaymentStatus `json:"status"`
	PaidAt       *time.Time            `json:"paid_at"`
}

// draftJSON is a draft (schema Draft). Problems lists what still stops its
// submission, keyed as the fields of the errors.
type draftJSON struct {
	ID                 int64              `json:"id"`
	Procedure          string             `json:"procedure"`
	ProcedureVersionID int64              `json:"procedure_version_id"`
	Title              string             `json:"title"`
	Applicant          draftApplicantJSON `json:"applicant"`
	PrivacyAcceptedAt  *time.Time         `json:"privacy_accepted_at"`
	Values             map[string]string  `json:"values"`
	Files              []draftFileJSON    `json:"files"`
	Payments           []noticeJSON       `json:"payments"`
	Problems           map[string]string  `json:"problems"`
	CreatedAt          time.Time          `json:"created_at"`
	UpdatedAt          time.Time          `json:"updated_at"`
	ExpiresAt          time.Time          `json:"expires_at"`
}

func newDraftJSON(d *procedo.ApplicationDraft, v *procedo.ProcedureVersion) draftJSON {
	a := d.Applicant
	out := draftJSON{ID: d.ID, Procedure: d.ProcedureKey, ProcedureVersionID: d.ProcedureVersionID, Title: d.ProcedureTitle,
		Applicant: draftApplicantJSON{FiscalCode: d.FiscalCode, GivenName: a.GivenName, FamilyName: a.FamilyName, Email: a.Email,
			Phone: a.Phone, ForCompany: a.ForCompany, CompanyVAT: a.CompanyVAT, CompanyName: a.CompanyName,
			LegalRepresentative: a.LegalRepresentative},
		PrivacyAcceptedAt: d.PrivacyAcceptedAt, Values: d.Values, Files: []draftFileJSON{}, Payments: []noticeJSON{},
		Problems: d.Problems(&v.Definition), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, ExpiresAt: d.ExpiresAt}
	if out.Values == nil {
		out.Values = map[string]string{}
	}
	if out.Problems == nil {
		out.Problems = map[string]string{}
	}
	for _, f := range d.Files {
		out.Files = append(out.Files, draftFileJSON(f))
	}
	for _, n := range d.Payments {
		out.Payments = append(out.Payments, noticeJSON{ID: n.ID, NoticeNumber: n.NoticeNumber.String(), IUV: n.IUV, Amount: n.Amount,
			Causale: n.Causale, Status: n.Status, PaidAt: n.PaidAt})
	}
	return out
}

// requireIntegrator refuses, with 403, callers that may not fill drafts:
// users without role registry.
func requireIntegrator(r *http.Request) error {
	return procedo.CanCreateDraft(procedo.ActorFromContext(r.Context()))
}

// decodeValues reads the "values" member of a body (procedo.DecodeDraftValues).
func decodeValues(raw json.RawMessage) (map[string]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	v, err := procedo.DecodeDraftValues(raw)
	if err != nil && procedo.FieldErrorsOf(err) == nil {
		return nil, badRequest(procedo.ErrorMessage(err), err)
	}
	return v, err
}

// writeDraft answers with draft d and status.
func (s *Server) writeDraft(w http.ResponseWriter, r *http.Request, status int, d *procedo.ApplicationDraft) error {
	v, err := s.Procedures.FindProcedureVersionByID(r.Context(), d.ProcedureVersionID)
	if err != nil {
		return err
	}
	return writeJSON(w, status, newDraftJSON(d, v))
}

// handleDraftCreate serves POST /api/v1/drafts: a new draft of the newest
// published version of procedure, for the applicant given.
func (s *Server) handleDraftCreate(w http.ResponseWriter, r *http.Request) error {
	if err := requireIntegrator(r); err != nil {
		return err
	}
	var in struct {
		Procedure       string             `json:"procedure"`
		Applicant       draftApplicantJSON `json:"applicant"`
		PrivacyAccepted bool               `json:"privacy_accepted"`
		Values          json.RawMessage    `json:"values"`
	}
	if err := decodeDraftBody(w, r, &in); err != nil {
		return err
	}
	if in.Procedure == "" {
		return procedo.FieldErrors{"procedure": "Indica il procedimento (identificativo, ad esempio accesso-documentale)."}
	}
	v, err := s.Procedures.FindPublishedProcedure(r.Context(), in.Procedure)
	if procedo.ErrorCode(err) == procedo.ENOTFOUND {
		return procedo.FieldErrors{"procedure": "Procedimento sconosciuto o non pubblicato."}
	} else if err != nil {
		return err
	}
	values, err := decodeValues(in.Values)
	if err != nil {
		return err
	}
	d := &procedo.ApplicationDraft{ProcedureVersionID: v.ID, FiscalCode: in.Applicant.FiscalCode, Applicant: in.Applicant.domain(), Values: values}
	if in.PrivacyAccepted {
		d.PrivacyAcceptedAt = &time.Time{}
		d.Step = procedo.StepSummary
	}
	if err := s.Drafts.CreateDraft(r.Context(), d); err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("%sdrafts/%d", Prefix, d.ID))
	return s.writeDraft(w, r, http.StatusCreated, d)
}

// decodeDraftBody reads a JSON body of a draft: its values may be up to
// procedo.MaxDraftValuesJSON bytes.
func decodeDraftBody(w http.ResponseWriter, r *http.Request, v any) error {
	limit := int64(procedo.MaxDraftValuesJSON + 64<<10)
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err = dec.Token(); errors.Is(err, io.EOF) {
			return nil
		} else if err == nil {
			err = errors.New("trailing data after the JSON object")
		}
	}
	if errors.Is(err, io.EOF) {
		return badRequest("Il corpo della richiesta è vuoto: invia un oggetto JSON.", err)
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &procedo.Error{Code: procedo.ETOOLARGE, Message: "Il corpo della richiesta è troppo grande (massimo 1 MB di valori).", Err: err}
	}
	return newBadRequest(err)
}

// draft loads the draft {id}, which the caller must own.
func (s *Server) draft(r *http.Request) (*procedo.ApplicationDraft, error) {
	if err := requireIntegrator(r); err != nil {
		return nil, err
	}
	id, err := pathID(r, "id", "Bozza non trovata.")
	if err != nil {
		return nil, err
	}
	return s.Drafts.FindDraftByID(r.Context(), id)
}

// draftVersion loads the draft {id}, which the caller must own, and the
// procedure version it is a draft of.
func (s *Server) draftVersion(r *http.Request) (*procedo.ApplicationDraft, *procedo.ProcedureVersion, error) {
	d, err := s.draft(r)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.Procedures.FindProcedureVersionByID(r.Context(), d.ProcedureVersionID)
	if err != nil {
		return nil, nil, err
	}
	return d, v, nil
}

// handleDraftView serves GET /api/v1/drafts/{id}.
func (s *Server) handleDraftView(w http.ResponseWriter, r *http.Request) error {
	d, err := s.draft(r)
	if err != nil {
		return err
	}
	return s.writeDraft(w, r, http.StatusOK, d)
}

// handleDraftUpdate serves PUT (replace the values) and PATCH (merge them; ""
// or null removes one) /api/v1/drafts/{id}; applicant and privacy_accepted
// change when given.
func (s *Server) handleDraftUpdate(w http.ResponseWriter, r *http.Request) error {
	d, err := s.draft(r)
	if err != nil {
		return err
	}
	var in struct {
		Applicant       *draftApplicantJSON `json:"applicant"`
		PrivacyAccepted bool                `json:"privacy_accepted"`
		Values          json.RawMessage     `json:"values"`
	}
	if err := decodeDraftBody(w, r, &in); err != nil {
		return err
	}
	values, err := decodeValues(in.Values)
	if err != nil {
		return err
	}
	u := procedo.DraftUpdate{Values: values, ReplaceValues: r.Method == http.MethodPut, AcceptPrivacy: in.PrivacyAccepted}
	if a := in.Applicant; a != nil {
		if a.FiscalCode != "" && procedo.NormalizeFiscalCode(a.FiscalCode) != d.FiscalCode {
			return procedo.FieldErrors{"applicant.fiscal_code": "Il codice fiscale del richiedente non si può cambiare: crea una nuova bozza."}
		}
		app := a.domain()
		u.Applicant = &app
	}
	saved, err := s.Drafts.UpdateDraft(r.Context(), d.ID, u)
	if err != nil {
		return err
	}
	return s.writeDraft(w, r, http.StatusOK, saved)
}

// handleDraftFiles serves POST /api/v1/drafts/{id}/files: a multipart body
// whose file parts are named after the form's file fields. Each file is
// limited to its field's size and the server's, its type is sniffed from
// the content and must be one the field accepts; it is stored (durable)
// before the draft references it, replacing the field's previous file.
func (s *Server) handleDraftFiles(w http.ResponseWriter, r *http.Request) error {
	d, v, err := s.draftVersion(r)
	if err != nil {
		return err
	}
	limit := s.maxUpload() + 1<<20
	mr, err := multipartReader(w, r, limit)
	if err != nil {
		return err
	}
	if mr == nil {
		return badRequest("Invia i file come multipart/form-data, una parte per campo allegato del modulo.", nil)
	}
	var seen []string
	for {
		part, err := nextPart(mr, limit)
		if err != nil {
			return err
		}
		if part == nil {
			break
		}
		field := part.FormName()
		f, ok := v.Definition.Form.Field(field)
		if !ok || f.Type != procedo.FieldFile || part.FileName() == "" {
			return procedo.FieldErrors{safeFieldName(field): "Parte sconosciuta: ogni parte è un file con il nome di un campo allegato del modulo."}
		}
		if slices.Contains(seen, field) {
			return procedo.FieldErrors{field: "Allega un solo file per campo."}
		}
		seen = append(seen, field)
		name := cleanFilename(part.FileName(), "allegato")
		maxSize := min(f.MaxFileSize(), s.maxUpload())
		br := bufio.NewReaderSize(bodyReader{part}, 512)
		head, err := br.Peek(512)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			return bodyError(err, limit)
		}
		if len(head) == 0 {
			return procedo.FieldErrors{field: fmt.Sprintf("Il file %q è vuoto.", name)}
		}
		// The whole file is read, within its limit, so that a signed file
		// is verified before it is kept.
		data, err := io.ReadAll(&limitReader{r: br, left: maxSize, err: fileTooLarge(name, maxSize)})
		if err != nil {
			return bodyError(err, limit)
		}
		media := sniff(head, name) // the content decides, not the client
		signed, err := signature.InspectUpload(data, name, signature.Options{}, procedo.Rome)
		if err != nil {
			return procedo.FieldErrors{field: signature.Message(err)}
		}
		if !signed.Accepted(media, f.Accept) {
			return procedo.FieldErrors{field: "Il contenuto del file non corrisponde a un formato ammesso (" + f.AcceptLabel() + ")."}
		}
		info, err := s.Blobs.Put(r.Context(), procedo.TenantIDFromContext(r.Context()), bytes.NewReader(data))
		if err != nil {
			return err
		}
		if d, err = s.Drafts.AttachDraftFile(r.Context(), d.ID, procedo.DraftFile{Field: field, Filename: name, MediaType: media,
			SHA256: info.SHA256, Size: info.Size, Signature: signed.Description, SignedType: signed.SignedType()}); err != nil {
			return err
		}
	}
	if len(seen) == 0 {
		return badRequest("Nessun file nella richiesta.", nil)
	}
	return s.writeDraft(w, r, http.StatusOK, d)
}

// safeFieldName shortens a client's part name for an error key.
func safeFieldName(s string) string {
	if s == "" {
		return "file"
	}
	return cleanFilename(s, "file")
}

// receiptJSON is what a submission answers (schema ApplicationReceipt): the
// receipt of L. 241/1990 art. 18-bis.
type receiptJSON struct {
	ApplicationID int64        `json:"application_id"`
	CaseID        int64        `json:"case_id"`
	Procedure     string       `json:"procedure"`
	SubmittedAt   time.Time    `json:"submitted_at"`
	Protocol      protocolJSON `json:"protocol"`
	Office        officeJSON   `json:"office"`
	Responsible   string       `json:"responsible"`
	TermDays      int          `json:"term_days"`
	DueDate       procedo.Date `json:"due_date"`
	Silence       string       `json:"silence"`
	Status        string       `json:"status"`
	StatusLabel   string       `json:"status_label"`
	Payments      []noticeJSON `json:"payments"`
	Events        []eventJSON  `json:"events,omitempty"`
	Company       *companyJSON `json:"company,omitempty"`
}

// companyJSON is the company an applicant acts for.
type companyJSON struct {
	VATNumber string `json:"vat_number"`
	Name      string `json:"name"`
}

type protocolJSON struct {
	Number       string    `json:"number"` // 7 digits
	Year         int       `json:"year"`
	Register     string    `json:"register"`
	RegisteredAt time.Time `json:"registered_at"`
	Signature    string    `json:"signature"`
}

func newReceiptJSON(rec *procedo.Receipt) receiptJSON {
	reg, c := rec.Registration, rec.Case
	out := receiptJSON{ApplicationID: rec.Application.ID, CaseID: c.ID, Procedure: rec.Procedure.Key,
		SubmittedAt: rec.Application.SubmittedAt,
		Protocol: protocolJSON{Number: reg.NumberString(), Year: reg.Year, Register: reg.RegisterCode, RegisteredAt: reg.RegisteredAt,
			Signature: reg.Signature()},
		Office: officeJSON{ID: c.OrgUnitID, Name: c.OrgUnitName}, Responsible: rec.ResponsibleLabel(), TermDays: c.TermDays,
		DueDate: c.DueDate, Silence: rec.Procedure.Definition.SilenceLabel(), Status: string(c.Status),
		StatusLabel: rec.Procedure.Definition.StateLabel(c.Status), Payments: []noticeJSON{}}
	if co := rec.Application.Company; co != nil {
		out.Company = &companyJSON{VATNumber: co.VATNumber, Name: co.Name}
	}
	for _, n := range rec.Payments {
		out.Payments = append(out.Payments, noticeJSON{ID: n.ID, NoticeNumber: n.NoticeNumber.String(), IUV: n.IUV, Amount: n.Amount,
			Causale: n.Causale, Status: n.Status, PaidAt: n.PaidAt})
	}
	return out
}

// handleDraftSubmit serves POST /api/v1/drafts/{id}/submit: the application
// is stored, registered in the protocol and its case opened in one
// transaction that deletes the draft; 201 with the receipt, only after the
// commit. 422 with fields for anything missing.
func (s *Server) handleDraftSubmit(w http.ResponseWriter, r *http.Request) error {
	d, err := s.draft(r)
	if err != nil {
		return err
	}
	rec, err := s.Drafts.SubmitDraft(r.Context(), d.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("%sapplications/%d", Prefix, rec.Application.ID))
	return writeJSON(w, http.StatusCreated, newReceiptJSON(rec))
}

// handleApplicationView serves GET /api/v1/applications/{id}: the receipt of
// an application with the status and history of its case, for staff who
// may view the case and for the integrator who submitted it.
func (s *Server) handleApplicationView(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Domanda non trovata.")
	if err != nil {
		return err
	}
	rec, events, err := s.Applications.FindApplicationStatus(r.Context(), id)
	if err != nil {
		return err
	}
	out := newReceiptJSON(rec)
	out.Events = []eventJSON{}
	for _, e := range events {
		out.Events = append(out.Events, eventJSON{ID: e.ID, At: e.At, Kind: e.Kind, FromStatus: e.FromStatus, ToStatus: e.ToStatus,
			Transition: e.Transition, ActorName: e.ActorName, Reason: e.Reason, RegistrationID: e.RegistrationID, DocumentID: e.DocumentID})
	}
	return writeJSON(w, http.StatusOK, out)
}
