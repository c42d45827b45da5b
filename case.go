// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"time"
)

// Case is one running instance of a procedure version (pratica), opened by an
// application. Its due date is derived from its start and term (invariant 7).
type Case struct {
	ID                     int64
	TenantID               int64
	ProcedureVersionID     int64
	ProcedureTitle         string
	ApplicationID          int64
	OrgUnitID              int64
	OrgUnitName            string
	ResponsibleUserID      *int64
	ResponsibleName        string // responsabile del procedimento; the head of office when unassigned
	ApplicantFiscalCode    string
	ApplicantName          string
	ApplicantEmail         string
	Subject                string // oggetto
	Status                 CaseStatus
	StartDate              Date // day of submission (not counted in the term)
	TermDays               int  // legal term in calendar days
	DueDate                Date // derived: StartDate + TermDays, shifted past holidays
	RegistrationID         int64
	DecisionDocumentID     *int64
	DecisionRegistrationID *int64
	DecisionReason         string
	CreatedAt              time.Time
	UpdatedAt              time.Time
	ClosedAt               *time.Time
}

// CaseEvent is one entry of a case's history.
type CaseEvent struct {
	ID             int64
	CaseID         int64
	At             time.Time
	Kind           string // "submitted", "transition"
	FromStatus     CaseStatus
	ToStatus       CaseStatus
	Transition     string
	ActorName      string
	Reason         string
	RegistrationID *int64
	DocumentID     *int64
}

// CaseFilter selects cases of the tenant in ctx. The store also applies what the
// actor may see (a citizen sees only their own).
type CaseFilter struct {
	ID                  *int64
	OrgUnitID           *int64
	ApplicantFiscalCode *string
	Status              *CaseStatus
	Open                *bool // true: not closed; false: closed
	Offset              int
	Limit               int // 0 = 50; at most 500
}

// CaseService handles cases of the tenant in ctx.
type CaseService interface {
	// FindCaseByID returns a case the actor may view (CanViewCase), or ENOTFOUND.
	FindCaseByID(ctx context.Context, id int64) (*Case, error)
	// FindCases lists cases the actor may view, newest first, with the total count.
	FindCases(ctx context.Context, f CaseFilter) ([]*Case, int, error)
	// FindCaseEvents returns the history of a case the actor may view, oldest first.
	FindCaseEvents(ctx context.Context, caseID int64) ([]*CaseEvent, error)
	// FindCaseDocuments returns the documents of a case (attachments, decision).
	FindCaseDocuments(ctx context.Context, caseID int64) ([]*Document, error)
	// TransitionCase fires the named transition. For a decision it renders the
	// decision document, stores it, registers it as outgoing and queues the
	// notification, all with the state change in one transaction. EFORBIDDEN,
	// ENOTFOUND, ECONFLICT (wrong state, or changed concurrently), EINVALID
	// (missing reason).
	TransitionCase(ctx context.Context, id int64, name, reason string) (*Case, error)
}

// DecisionPrintDocument describes the decision (provvedimento) that closes cas
// with transition tr, signed by signer at time at.
func DecisionPrintDocument(t *Tenant, cas *Case, def *ProcedureDefinition, ou *OrgUnit, tr Transition, reason, signer string, at time.Time) *PrintDocument {
	outcome := "ACCOGLIE"
	title := "Provvedimento di accoglimento"
	switch tr.To {
	case CaseRejected:
		outcome = "RESPINGE"
		title = "Provvedimento di diniego"
	case CaseArchived:
		outcome = "ARCHIVIA"
		title = "Provvedimento di archiviazione"
	}
	var lines []string
	if ou != nil {
		lines = append(lines, ou.Name)
	}
	d := &PrintDocument{
		Issuer: t.Name, IssuerLines: lines, Title: title, Subtitle: def.Title, Demo: t.Demo,
		Footer: "Pratica n. " + itoa64(cas.ID) + " — documento registrato al protocollo in uscita",
	}
	premises := []string{
		"Vista l'istanza presentata da " + cas.ApplicantName + " (codice fiscale " + cas.ApplicantFiscalCode +
			") il " + cas.StartDate.Italian() + ", avente a oggetto: " + cas.Subject + ".",
	}
	for _, ref := range def.LegalReferences {
		premises = append(premises, "Visto "+ref+".")
	}
	d.Sections = append(d.Sections,
		PrintSection{Heading: "Premesse", Paragraphs: premises},
		PrintSection{Heading: "Decisione", Paragraphs: []string{"Il responsabile del procedimento " + outcome + " l'istanza."}},
	)
	if reason != "" {
		d.Sections = append(d.Sections, PrintSection{Heading: "Motivazione", Paragraphs: []string{reason}})
	}
	if def.Remedies != "" {
		d.Sections = append(d.Sections, PrintSection{Heading: "Rimedi", Paragraphs: []string{def.Remedies}})
	}
	d.Sections = append(d.Sections, PrintSection{Heading: "Firma", Fields: []PrintField{
		{"Data", at.In(Rome).Format("02/01/2006")},
		{"Il responsabile", signer},
	}})
	return d
}

// DecisionMail returns the subject and body of the e-mail telling the applicant
// the outcome of cas.
func DecisionMail(t *Tenant, cas *Case, def *ProcedureDefinition, reg *Registration, baseURL string) (subject, body string) {
	subject = "Esito della pratica n. " + itoa64(cas.ID) + ": " + cas.Status.Label()
	body = "Gentile " + cas.ApplicantName + ",\n\n" +
		"la tua istanza «" + def.Title + "» è stata " + lowerStatus(cas.Status) + ".\n\n" +
		"Provvedimento: protocollo " + reg.Signature() + "\n"
	if cas.DecisionReason != "" {
		body += "Motivazione: " + cas.DecisionReason + "\n"
	}
	body += "\nTrovi il provvedimento in allegato e nell'area «Le mie pratiche»: " + baseURL + "/pratiche/" + itoa64(cas.ID) + "\n\n" + t.Name + "\n"
	if t.Demo {
		body += "\nDEMO — messaggio di prova senza valore legale.\n"
	}
	return subject, body
}

func lowerStatus(s CaseStatus) string {
	if o := s.Outcome(); o != "" {
		return o
	}
	return string(s)
}
