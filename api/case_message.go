// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"net/http"
	"time"

	"github.com/procedo/procedo"
)

// caseMessageJSON is a message between the applicant and the office on a
// case (schema CaseMessage).
type caseMessageJSON struct {
	ID             int64                    `json:"id"`
	CaseID         int64                    `json:"case_id"`
	Direction      procedo.MessageDirection `json:"direction"`
	DirectionLabel string                   `json:"direction_label"`
	Body           string                   `json:"body"`
	AuthorName     string                   `json:"author_name"`
	RegistrationID int64                    `json:"registration_id"`
	Protocol       string                   `json:"protocol"`
	DocumentID     int64                    `json:"document_id"`
	Attachments    int                      `json:"attachments"`
	CreatedAt      time.Time                `json:"created_at"`
}

func newCaseMessageJSON(m *procedo.CaseMessage) caseMessageJSON {
	return caseMessageJSON{ID: m.ID, CaseID: m.CaseID, Direction: m.Direction, DirectionLabel: m.Direction.Label(), Body: m.Body,
		AuthorName: m.AuthorName, RegistrationID: m.RegistrationID, Protocol: m.Protocol, DocumentID: m.DocumentID,
		Attachments: m.Attachments, CreatedAt: m.CreatedAt.UTC()}
}

// caseMessages returns the message service, or 404 when it is not wired.
func (s *Server) caseMessages() (procedo.CaseMessageService, error) {
	if s.CaseMessages == nil {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Risorsa non trovata.")
	}
	return s.CaseMessages, nil
}

// handleCaseMessageList serves GET /api/v1/cases/{id}/messages: the messages
// of a case the caller may view, oldest first.
func (s *Server) handleCaseMessageList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Pratica non trovata.")
	if err != nil {
		return err
	}
	svc, err := s.caseMessages()
	if err != nil {
		return err
	}
	msgs, err := svc.FindCaseMessages(r.Context(), id)
	if err != nil {
		return err
	}
	items := make([]caseMessageJSON, len(msgs))
	for i, m := range msgs {
		items[i] = newCaseMessageJSON(m)
	}
	return writeJSON(w, http.StatusOK, struct {
		Items []caseMessageJSON `json:"items"`
	}{items})
}

// handleCaseMessageCreate serves POST /api/v1/cases/{id}/messages: the
// office's message to the applicant, registered as outgoing and mailed, as
// from the case page. Operators and managers of the case's office.
func (s *Server) handleCaseMessageCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Pratica non trovata.")
	if err != nil {
		return err
	}
	svc, err := s.caseMessages()
	if err != nil {
		return err
	}
	var in struct {
		Message string `json:"message"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := svc.ReplyCaseMessage(r.Context(), id, in.Message)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, newCaseMessageJSON(m))
}
