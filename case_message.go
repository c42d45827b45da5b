// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// MessageDirection says who wrote a case message.
type MessageDirection string

// Directions of a case message.
const (
	MessageFromApplicant MessageDirection = "in"  // the applicant wrote to the office: an incoming registration
	MessageFromOffice    MessageDirection = "out" // the office answered: an outgoing registration, mailed to the applicant
)

// Label returns the Italian description of the direction.
func (d MessageDirection) Label() string {
	if d == MessageFromOffice {
		return "Dall'ufficio"
	}
	return "Dal richiedente"
}

// MaxMessageLength bounds the text of a case message, in characters.
const MaxMessageLength = 4000

// CaseEventMessage is the kind of the case event recorded with each message
// (see CaseEventLabel for the other kinds).
const CaseEventMessage = "message"

// CaseEventTitle returns the Italian label of any case event kind, including
// CaseEventMessage and the payment events.
func CaseEventTitle(kind string) string {
	switch kind {
	case CaseEventMessage:
		return "Messaggio"
	case CaseEventPaymentRequest:
		return "Richiesta di pagamento"
	case CaseEventPaymentPaid:
		return "Pagamento ricevuto"
	}
	if l := OpinionEventLabel(kind); l != "" {
		return l
	}
	return CaseEventLabel(kind)
}

// CaseMessage is a message between the applicant and the office on a case,
// outside the steps of the procedure (a question, a clarification). Every
// message is a protocol registration: incoming from the applicant, outgoing
// from the office (DESIGN.md: every communication to the applicant is
// protocolled).
type CaseMessage struct {
	ID             int64
	TenantID       int64
	CaseID         int64
	Direction      MessageDirection
	Body           string // plain text, at most MaxMessageLength characters
	AuthorName     string // the applicant, or the member of staff who answered
	RegistrationID int64  // the registration of the message
	Protocol       string // the registration's number, "0000042/2026"
	ProtocolYear   int    // year and number of the registration, for links
	ProtocolNumber int
	DocumentID     int64 // the message rendered to PDF (main document of the registration)
	Attachments    int   // number of files the applicant attached
	CreatedAt      time.Time
}

// CaseMessageService is the correspondence between applicants and offices on
// the cases of the tenant in ctx.
type CaseMessageService interface {
	// SendCaseMessage records a message of the applicant on their case: the
	// text rendered to PDF and the files (already in the BlobStore, at most
	// 10) become one incoming registration and documents of the case, and
	// the responsible person (the office when unassigned) is told by e-mail.
	// The applicant only: ENOTFOUND for another citizen's case, EFORBIDDEN
	// for staff; EINVALID fields "message", "files".
	SendCaseMessage(ctx context.Context, caseID int64, body string, uploads []*Upload) (*CaseMessage, error)
	// ReplyCaseMessage records the office's message to the applicant: the
	// text rendered to PDF, registered as outgoing, shown in the citizen area
	// and mailed to the applicant. Operators and managers of the case's office
	// (CanWorkCase). EINVALID field "message".
	ReplyCaseMessage(ctx context.Context, caseID int64, body string) (*CaseMessage, error)
	// FindCaseMessages lists the messages of a case the actor may view (the
	// applicant or staff), oldest first.
	FindCaseMessages(ctx context.Context, caseID int64) ([]*CaseMessage, error)
}

// CheckMessage trims a message's text and checks its length; withFiles
// allows an empty text when files come with it. Errors are FieldErrors
// {"message": …}.
func CheckMessage(body string, withFiles bool) (string, error) {
	body = strings.TrimSpace(body)
	switch {
	case body == "" && !withFiles:
		return "", FieldErrors{"message": "Scrivi il testo del messaggio."}
	case utf8.RuneCountInString(body) > MaxMessageLength:
		return "", FieldErrors{"message": "Il messaggio non può superare 4000 caratteri."}
	}
	return body, nil
}

// MessageTitle is the title of a case message's document.
func MessageTitle(d MessageDirection) string {
	if d == MessageFromOffice {
		return "Comunicazione dell'ufficio al richiedente"
	}
	return "Messaggio del richiedente all'ufficio"
}

// OfficeLetter describes the office's message on cas, signed by signer at
// time at, rendered to PDF as the main document of its outgoing registration.
func OfficeLetter(t *Tenant, cas *Case, body, signer string, at time.Time) *PrintDocument {
	d := &PrintDocument{Issuer: t.Name, IssuerLines: []string{cas.OrgUnitName}, Title: MessageTitle(MessageFromOffice),
		Subtitle: cas.ProcedureTitle, Demo: t.Demo,
		Footer: "Pratica n. " + itoa64(cas.ID) + " — documento registrato al protocollo in uscita"}
	d.Sections = append(d.Sections,
		PrintSection{Heading: "Riferimenti", Fields: []PrintField{
			{"Destinatario", cas.ApplicantName + " (" + cas.ApplicantFiscalCode + ")"},
			{"Pratica", "n. " + itoa64(cas.ID) + " — " + cas.Subject},
		}},
		PrintSection{Heading: "Comunicazione", Paragraphs: paragraphs(body)},
		PrintSection{Heading: "Firma", Fields: []PrintField{
			{"Data", at.In(Rome).Format("02/01/2006")},
			{"Per l'ufficio", signer},
		}},
	)
	return d
}

// OfficeMessageMail returns the e-mail that sends the office's message on
// cas, registered as reg, to the applicant (the PDF goes attached).
func OfficeMessageMail(t *Tenant, cas *Case, reg *Registration, body, baseURL string) (subject, text string) {
	subject = "Pratica n. " + itoa64(cas.ID) + ": comunicazione dell'ufficio"
	text = "Gentile " + cas.ApplicantName + ",\n\nl'ufficio " + cas.OrgUnitName + " ti scrive sulla tua pratica «" + cas.ProcedureTitle +
		"» (n. " + itoa64(cas.ID) + ").\n"
	if reg != nil {
		text += "Protocollo: " + reg.Signature() + "\n"
	}
	text += "\n" + body + "\n\nPuoi rispondere dall'area «Le mie pratiche»: " + baseURL + "/pratiche/" + itoa64(cas.ID) + "\n\n" + t.Name + "\n"
	if t.Demo {
		text += "\nDEMO — messaggio di prova senza valore legale.\n"
	}
	return subject, text
}
