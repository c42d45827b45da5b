// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// opinionJSON is a request for an opinion and its answer (schema CaseOpinion).
type opinionJSON struct {
	ID           int64                    `json:"id"`
	CaseID       int64                    `json:"case_id"`
	Recipient    procedo.OpinionRecipient `json:"recipient"`
	Office       *officeJSON              `json:"office"`
	External     *opinionExternalJSON     `json:"external"`
	Question     string                   `json:"question"`
	Days         int                      `json:"days"`
	RequestedOn  procedo.Date             `json:"requested_on"`
	DueDate      procedo.Date             `json:"due_date"`
	Status       procedo.OpinionStatus    `json:"status"`
	StatusLabel  string                   `json:"status_label"`
	Overdue      bool                     `json:"overdue"`
	Suspends     bool                     `json:"suspends"`
	Transition   string                   `json:"transition"`
	Request      opinionActJSON           `json:"request"`
	DocumentIDs  []int64                  `json:"document_ids"`
	RequestedBy  string                   `json:"requested_by"`
	CreatedAt    time.Time                `json:"created_at"`
	Answer       *opinionAnswerJSON       `json:"answer"`
	OverdueAlert *time.Time               `json:"overdue_alert_at"`
}

type opinionExternalJSON struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// opinionActJSON is the registration and the main document of a request or an answer.
type opinionActJSON struct {
	RegistrationID int64  `json:"registration_id"`
	Protocol       string `json:"protocol"`
	DocumentID     int64  `json:"document_id"`
}

type opinionAnswerJSON struct {
	Outcome        procedo.OpinionOutcome `json:"outcome"`
	OutcomeLabel   string                 `json:"outcome_label"`
	Text           string                 `json:"text"`
	FileDocumentID *int64                 `json:"file_document_id"`
	SenderProtocol string                 `json:"sender_protocol"`
	AnsweredBy     string                 `json:"answered_by"`
	AnsweredAt     time.Time              `json:"answered_at"`
	opinionActJSON
}

func newOpinionJSON(o *procedo.CaseOpinion) opinionJSON {
	today := procedo.DateOf(time.Now())
	out := opinionJSON{ID: o.ID, CaseID: o.CaseID, Recipient: o.Recipient, Question: o.Question, Days: o.Days, RequestedOn: o.RequestedOn,
		DueDate: o.DueDate, Status: o.Status, StatusLabel: o.StatusLabel(today), Overdue: o.Overdue(today), Suspends: o.Suspends,
		Transition: o.Transition, Request: opinionActJSON{RegistrationID: o.RequestRegistrationID, Protocol: o.RequestProtocol,
			DocumentID: o.RequestDocumentID}, DocumentIDs: o.DocumentIDs, RequestedBy: o.RequestedByName, CreatedAt: o.CreatedAt.UTC()}
	if out.DocumentIDs == nil {
		out.DocumentIDs = []int64{}
	}
	if o.OrgUnitID != nil {
		out.Office = &officeJSON{ID: *o.OrgUnitID, Name: o.OrgUnitName}
	} else {
		out.External = &opinionExternalJSON{Name: o.ExternalName, Email: o.ExternalEmail}
	}
	if o.OverdueAlertSentAt != nil {
		t := o.OverdueAlertSentAt.UTC()
		out.OverdueAlert = &t
	}
	if !o.Pending() && o.AnsweredAt != nil {
		a := &opinionAnswerJSON{Outcome: o.Outcome, OutcomeLabel: o.Outcome.Label(), Text: o.Answer, FileDocumentID: o.AnswerFileID,
			SenderProtocol: o.SenderProtocol, AnsweredBy: o.AnsweredByName, AnsweredAt: o.AnsweredAt.UTC()}
		a.Protocol = o.AnswerProtocol
		if o.AnswerRegistrationID != nil {
			a.RegistrationID = *o.AnswerRegistrationID
		}
		if o.AnswerDocumentID != nil {
			a.DocumentID = *o.AnswerDocumentID
		}
		out.Answer = a
	}
	return out
}

// caseOpinions returns the opinion service, or 404 when it is not wired.
func (s *Server) caseOpinions() (procedo.CaseOpinionService, error) {
	if s.CaseOpinions == nil {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Risorsa non trovata.")
	}
	return s.CaseOpinions, nil
}

// handleCaseOpinionList serves GET /api/v1/cases/{id}/opinions: the
// opinions asked on a case the caller may view, oldest first.
func (s *Server) handleCaseOpinionList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Pratica non trovata.")
	if err != nil {
		return err
	}
	svc, err := s.caseOpinions()
	if err != nil {
		return err
	}
	ops, err := svc.FindCaseOpinions(r.Context(), id)
	if err != nil {
		return err
	}
	items := make([]opinionJSON, len(ops))
	for i, o := range ops {
		items[i] = newOpinionJSON(o)
	}
	return writeJSON(w, http.StatusOK, struct {
		Items []opinionJSON `json:"items"`
	}{items})
}

// opinionRequestJSON is the body of POST /cases/{id}/opinions (schema
// OpinionRequest): office_id for an office of the ente, or external_name and
// external_email for another administration.
type opinionRequestJSON struct {
	OfficeID      int64   `json:"office_id"`
	ExternalName  string  `json:"external_name"`
	ExternalEmail string  `json:"external_email"`
	Question      string  `json:"question"`
	Days          int     `json:"days"`
	DocumentIDs   []int64 `json:"document_ids"`
	Suspend       bool    `json:"suspend"`
}

// handleCaseOpinionCreate serves POST /api/v1/cases/{id}/opinions: it asks an
// opinion as the case page does (registered, mailed, the model's consultation
// transition fired where there is one) and answers 201 with it. Operators and
// managers of the case's office.
func (s *Server) handleCaseOpinionCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Pratica non trovata.")
	if err != nil {
		return err
	}
	svc, err := s.caseOpinions()
	if err != nil {
		return err
	}
	var in opinionRequestJSON
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	o, err := svc.RequestOpinion(r.Context(), id, procedo.OpinionRequest{OrgUnitID: in.OfficeID, ExternalName: in.ExternalName,
		ExternalEmail: in.ExternalEmail, Question: in.Question, Days: in.Days, DocumentIDs: in.DocumentIDs, Suspend: in.Suspend})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, newOpinionJSON(o))
}

// opinionAnswerRequestJSON is the body of POST /opinions/{id}/answer (schema
// OpinionAnswer).
type opinionAnswerRequestJSON struct {
	Outcome        procedo.OpinionOutcome `json:"outcome"`
	Text           string                 `json:"text"`
	SenderProtocol string                 `json:"sender_protocol"`
	File           *fileJSON              `json:"file"`
}

// handleOpinionAnswer serves POST /api/v1/opinions/{id}/answer: the office
// asked gives its opinion, or the registry desk or the case's office records
// the answer of another administration, with an optional file
// (base64-encoded); 200 with the opinion.
func (s *Server) handleOpinionAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Richiesta di parere non trovata.")
	if err != nil {
		return err
	}
	svc, err := s.caseOpinions()
	if err != nil {
		return err
	}
	var in opinionAnswerRequestJSON
	if err := s.decodeJSONBody(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	// Tell a caller who may not see the request nothing, and store no file for them.
	if _, err := svc.FindOpinionByID(ctx, id); err != nil {
		return err
	}
	ans := procedo.OpinionAnswer{Outcome: in.Outcome, Text: in.Text, SenderProtocol: in.SenderProtocol}
	if f := in.File; f != nil {
		name := cleanFilename(f.Filename, "parere")
		b, ok := decodeBase64(f.ContentBase64)
		switch {
		case strings.TrimSpace(f.Filename) == "":
			return procedo.FieldErrors{"file": "Indica il nome del file (filename)."}
		case !ok:
			return procedo.FieldErrors{"file": fmt.Sprintf("Il contenuto del file %q non è base64 valido (alfabeto standard, con padding, senza a capo).", name)}
		case len(b) == 0:
			return procedo.FieldErrors{"file": fmt.Sprintf("Il file %q è vuoto.", name)}
		case int64(len(b)) > s.maxUpload():
			return fileTooLarge(name, s.maxUpload())
		}
		if ans.Upload, err = s.storeFile(ctx, "file", name, f.MediaType, bytes.NewReader(b)); err != nil {
			return err
		}
	}
	o, err := svc.AnswerOpinion(ctx, id, ans)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newOpinionJSON(o))
}
