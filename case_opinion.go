// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"io"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Opinions (pareri, L. 241/1990 art. 16; valutazioni tecniche, art. 17): the
// office of a case asks another office of the same ente or another
// administration for an opinion, with a question, some documents of the case
// and a deadline. The request and the answer are protocol registrations
// (internal between offices; outgoing and incoming with an outside
// administration) and documents of the case.
//
// The workflow: when the model has a transition from the case's state into a
// state of phase "consultiva" that the requester may fire, that writes nothing
// to the applicant and is not a decision, the request fires it (see
// OpinionTransition); the request's PDF takes the place of the transition's own
// document. Without such a transition the state does not change.
//
// The clock: an opinion does not suspend the term (art. 16 c.2: after the
// deadline the office may go on without it). Only when the model has a
// suspending transition of that kind (an art. 17 valutazione tecnica, a
// commission) the requester may choose "sospende il termine", which fires it;
// the suspension ends when the last suspending opinion is given (the resume is
// dated on the day of the answer), or when the office fires the model's own
// resuming transition first. Answering never moves the workflow: the office
// records the outcome with the model's actions (e.g. «Registra il parere»).

// Limits of a request for an opinion.
const (
	DefaultOpinionDays   = 20   // art. 16 c.1: mandatory opinions within twenty days of the request
	MinOpinionDays       = 1    //
	MaxOpinionDays       = 90   // art. 17 c.1: valutazioni tecniche within ninety days
	MaxOpinionTextLength = 4000 // question and answer, in characters
	MaxOpinionDocuments  = 20   // documents of the case attached to one request
)

// Case event kinds of opinions (see CaseEventTitle for the labels).
const (
	CaseEventOpinionRequest = "opinion_request" // an opinion was requested
	CaseEventOpinionAnswer  = "opinion_answer"  // an opinion was given (or its answer recorded)
	CaseEventOpinionOverdue = "opinion_overdue" // the deadline of an opinion passed without an answer
)

// OpinionEventLabel returns the Italian label of an opinion event kind, or "".
func OpinionEventLabel(kind string) string {
	switch kind {
	case CaseEventOpinionRequest:
		return "Richiesta di parere"
	case CaseEventOpinionAnswer:
		return "Parere reso"
	case CaseEventOpinionOverdue:
		return "Parere non reso nel termine"
	}
	return ""
}

// DocumentOpinion is the kind of the documents of an opinion's answer (the
// answer's text as PDF and the file sent with it); the request is a
// DocumentNotice like every act of the office.
const DocumentOpinion DocumentKind = "opinion"

// OpinionRecipient says who is asked.
type OpinionRecipient string

// Recipients of a request for an opinion.
const (
	OpinionInternal OpinionRecipient = "internal" // another office of the ente: internal registrations
	OpinionExternal OpinionRecipient = "external" // another administration: outgoing request, incoming answer
)

// OpinionStatus is the stored state of a request; "scaduto" (overdue) is a
// requested opinion past its deadline (CaseOpinion.Overdue).
type OpinionStatus string

// States of a request for an opinion.
const (
	OpinionRequested OpinionStatus = "requested" // richiesto: waiting for the answer
	OpinionGiven     OpinionStatus = "given"     // reso
)

// OpinionOutcome is what the opinion says.
type OpinionOutcome string

// Outcomes of an opinion.
const (
	OpinionFavourable   OpinionOutcome = "favourable"   // favorevole
	OpinionConditional  OpinionOutcome = "conditional"  // favorevole con prescrizioni
	OpinionUnfavourable OpinionOutcome = "unfavourable" // contrario
)

// OpinionOutcomes lists the outcomes in the order forms offer them.
var OpinionOutcomes = []OpinionOutcome{OpinionFavourable, OpinionConditional, OpinionUnfavourable}

// Label returns the Italian name of the outcome.
func (o OpinionOutcome) Label() string {
	switch o {
	case OpinionFavourable:
		return "Favorevole"
	case OpinionConditional:
		return "Favorevole con prescrizioni"
	case OpinionUnfavourable:
		return "Contrario"
	}
	return string(o)
}

// CaseOpinion is a request for an opinion on a case and, once given, its answer.
type CaseOpinion struct {
	ID       int64
	TenantID int64
	CaseID   int64

	// The case, as the recipient may see it.
	CaseSubject     string
	ProcedureTitle  string
	CaseOrgUnitID   int64  // the requesting office (the case's office)
	CaseOrgUnitName string //
	CaseClosed      bool   // the case is concluded: the request can no longer be answered

	Recipient     OpinionRecipient
	OrgUnitID     *int64 // OpinionInternal: the office asked; nil otherwise
	OrgUnitName   string // OpinionInternal: its name
	ExternalName  string // OpinionExternal: the administration asked
	ExternalEmail string // OpinionExternal: its PEC or e-mail, where the request is sent

	Question    string // what is asked, at most MaxOpinionTextLength characters
	Days        int    // days given to answer
	RequestedOn Date   // day of the request (not counted)
	DueDate     Date   // RequestedOn + Days, moved past holidays (OpinionDueDate)
	Suspends    bool   // the request suspended the term of the case
	Transition  string // the workflow transition the request fired; "" if none

	RequestRegistrationID int64  // internal (I) or outgoing (U) registration of the request
	RequestProtocol       string // its number, "0000042/2026"
	RequestDocumentID     int64  // the request rendered to PDF
	DocumentIDs           []int64
	RequestedByName       string
	CreatedAt             time.Time

	Status               OpinionStatus
	Outcome              OpinionOutcome // once given
	Answer               string         // the opinion's text (motivation, prescriptions)
	AnswerDocumentID     *int64         // the answer's text rendered to PDF
	AnswerFileID         *int64         // the file sent with the answer, if any
	AnswerRegistrationID *int64         // internal (I) or incoming (E) registration of the answer
	AnswerProtocol       string
	SenderProtocol       string // OpinionExternal: the other administration's protocol of its answer, if given
	AnsweredByName       string
	AnsweredAt           *time.Time
	OverdueAlertSentAt   *time.Time // when the requesting office was told the deadline passed
}

// Pending reports whether the opinion waits for its answer.
func (o *CaseOpinion) Pending() bool { return o.Status == OpinionRequested }

// Overdue reports whether the opinion is still awaited on day although its
// deadline passed ("scaduto").
func (o *CaseOpinion) Overdue(day Date) bool { return o.Pending() && day.After(o.DueDate) }

// StatusLabel returns "Richiesto", "Reso" or "Scaduto" on day.
func (o *CaseOpinion) StatusLabel(day Date) string {
	switch {
	case o.Status == OpinionGiven:
		return "Reso"
	case o.Overdue(day):
		return "Scaduto"
	}
	return "Richiesto"
}

// RecipientLabel names who is asked: the office, or the administration with
// its address.
func (o *CaseOpinion) RecipientLabel() string {
	if o.Recipient == OpinionInternal {
		return o.OrgUnitName
	}
	if o.ExternalEmail == "" {
		return o.ExternalName
	}
	return o.ExternalName + " (" + o.ExternalEmail + ")"
}

// ForApplicant returns what the applicant may know of o: that it was asked,
// of whom, when, its deadline and, once given, its outcome; not the question,
// the text of the answer, the documents or who wrote them.
func (o *CaseOpinion) ForApplicant() *CaseOpinion {
	return &CaseOpinion{ID: o.ID, TenantID: o.TenantID, CaseID: o.CaseID, CaseSubject: o.CaseSubject, ProcedureTitle: o.ProcedureTitle,
		CaseOrgUnitID: o.CaseOrgUnitID, CaseOrgUnitName: o.CaseOrgUnitName, CaseClosed: o.CaseClosed, Recipient: o.Recipient,
		OrgUnitID: o.OrgUnitID, OrgUnitName: o.OrgUnitName, ExternalName: o.ExternalName, Days: o.Days, RequestedOn: o.RequestedOn,
		DueDate: o.DueDate, Suspends: o.Suspends, Status: o.Status, Outcome: o.Outcome, AnsweredAt: o.AnsweredAt, CreatedAt: o.CreatedAt}
}

// OpinionDueDate returns the deadline of an opinion asked on day from with
// days to answer: the legal-time engine's due date (the day of the request is
// not counted; a deadline on a Sunday or holiday of cal moves to the next
// working day).
func OpinionDueDate(from Date, days int, cal Calendar) Date { return DueDate(from, days, cal) }

// OpinionRequest is what the office asks: of an office (OrgUnitID) or of an
// outside administration (ExternalName, ExternalEmail), the question, the
// days to answer (0 = DefaultOpinionDays), documents of the case to send with
// it, and whether the term is suspended (only where the model allows it).
type OpinionRequest struct {
	OrgUnitID     int64
	ExternalName  string
	ExternalEmail string
	Question      string
	Days          int
	DocumentIDs   []int64
	Suspend       bool
}

// Clean trims the request, applies the default deadline and checks what
// needs no database. Errors are FieldErrors keyed "recipient",
// "external_name", "external_email", "question", "days", "documents".
func (r *OpinionRequest) Clean() error {
	r.ExternalName, r.ExternalEmail = strings.TrimSpace(r.ExternalName), strings.TrimSpace(r.ExternalEmail)
	r.Question = strings.TrimSpace(r.Question)
	if r.Days == 0 {
		r.Days = DefaultOpinionDays
	}
	fe := FieldErrors{}
	external := r.ExternalName != "" || r.ExternalEmail != ""
	switch {
	case r.OrgUnitID > 0 && external:
		fe.Add("recipient", "Chiedi il parere a un ufficio dell'ente oppure a un'altra amministrazione, non a entrambi.")
	case r.OrgUnitID < 0 || (r.OrgUnitID == 0 && !external):
		fe.Add("recipient", "Scegli l'ufficio o indica l'amministrazione a cui chiedere il parere.")
	case external:
		if r.ExternalName == "" {
			fe.Add("external_name", "Indica il nome dell'amministrazione.")
		} else if utf8.RuneCountInString(r.ExternalName) > 200 {
			fe.Add("external_name", "Il nome dell'amministrazione non può superare 200 caratteri.")
		}
		if a, err := mail.ParseAddress(r.ExternalEmail); err != nil || a.Address != r.ExternalEmail || len(r.ExternalEmail) > 254 {
			fe.Add("external_email", "Indica un indirizzo PEC o e-mail valido dell'amministrazione.")
		}
	}
	switch n := utf8.RuneCountInString(r.Question); {
	case n == 0:
		fe.Add("question", "Scrivi il quesito.")
	case n > MaxOpinionTextLength:
		fe.Add("question", "Il quesito non può superare 4000 caratteri.")
	}
	if r.Days < MinOpinionDays || r.Days > MaxOpinionDays {
		fe.Add("days", "Il termine per il parere va da 1 a 90 giorni.")
	}
	if len(r.DocumentIDs) > MaxOpinionDocuments {
		fe.Add("documents", "Puoi allegare al massimo 20 documenti della pratica.")
	}
	var ids []int64
	for _, id := range r.DocumentIDs {
		if id <= 0 {
			fe.Add("documents", "Documento della pratica sconosciuto.")
			break
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	r.DocumentIDs = ids
	return fe.Err()
}

// External reports whether the request goes to another administration.
func (r *OpinionRequest) External() bool { return r.OrgUnitID == 0 }

// OpinionAnswer is an opinion given: its outcome, its text (required unless
// favourable) and an optional file; for an outside administration's answer,
// its own protocol reference.
type OpinionAnswer struct {
	Outcome        OpinionOutcome
	Text           string
	Upload         *Upload // already in the BlobStore; nil if none
	SenderProtocol string  // OpinionExternal only: "n. 123 del 10/03/2026", at most 100 characters
}

// Clean trims the answer and checks it. Errors are FieldErrors keyed
// "outcome", "text", "sender_protocol".
func (a *OpinionAnswer) Clean() error {
	a.Text, a.SenderProtocol = strings.TrimSpace(a.Text), strings.TrimSpace(a.SenderProtocol)
	fe := FieldErrors{}
	if !slices.Contains(OpinionOutcomes, a.Outcome) {
		fe.Add("outcome", "Scegli l'esito del parere: favorevole, favorevole con prescrizioni o contrario.")
	}
	switch n := utf8.RuneCountInString(a.Text); {
	case n > MaxOpinionTextLength:
		fe.Add("text", "Il testo del parere non può superare 4000 caratteri.")
	case n == 0 && a.Outcome == OpinionConditional:
		fe.Add("text", "Indica le prescrizioni.")
	case n == 0 && a.Outcome == OpinionUnfavourable:
		fe.Add("text", "Indica la motivazione del parere contrario.")
	}
	if utf8.RuneCountInString(a.SenderProtocol) > 100 {
		fe.Add("sender_protocol", "Il protocollo del mittente non può superare 100 caratteri.")
	}
	return fe.Err()
}

// OpinionBox is a list of opinions on the offices' page /ufficio/pareri.
type OpinionBox string

// Lists of opinions.
const (
	OpinionBoxToAnswer  OpinionBox = "to_answer" // pareri da rendere: requested of the actor's office, pending, on open cases
	OpinionBoxRequested OpinionBox = "requested" // pareri richiesti: on cases of the actor's office (all of them for managers of no office)
	OpinionBoxExternal  OpinionBox = "external"  // risposte da registrare: pending requests to outside administrations
)

// OpinionBoxes lists the boxes in display order.
var OpinionBoxes = []OpinionBox{OpinionBoxToAnswer, OpinionBoxRequested, OpinionBoxExternal}

// Label returns the Italian name of the box.
func (b OpinionBox) Label() string {
	switch b {
	case OpinionBoxToAnswer:
		return "Da rendere"
	case OpinionBoxRequested:
		return "Richiesti dal mio ufficio"
	case OpinionBoxExternal:
		return "Risposte esterne da registrare"
	}
	return string(b)
}

// OpinionFilter selects opinions the actor may see.
type OpinionFilter struct {
	Box     OpinionBox // "" = every opinion the actor may see
	Pending *bool      // true: requested only; false: given only
	Offset  int
	Limit   int // 0 = 50; at most 500
}

// OpinionFile is one request as its page shows it: the opinion, the case it
// is about and the documents the actor may open through it.
type OpinionFile struct {
	Opinion *CaseOpinion
	Case    *Case // the case the opinion is about
	// Definition and Form are the case's model and application values, for
	// reading the case's data; nil unless the actor may read the case through
	// the request (CanReadOpinionCase).
	Definition *ProcedureDefinition
	Form       map[string]string
	Documents  []*Document // the request, the documents sent with it (while the actor may read the case), the answer
}

// CaseOpinionService handles the opinions of the cases of the tenant in ctx.
// Every method records a case event and an audit entry where it changes
// something.
type CaseOpinionService interface {
	// RequestOpinion asks an opinion on case caseID. In one transaction the
	// request is rendered to PDF with the documents of the case it lists
	// attached, registered (internal to an office, outgoing to another
	// administration, which is mailed the PDF and the documents), stored as a
	// case document, and the model's consultation transition is fired when
	// there is one (OpinionTransition). The recipient office (its e-mail, else
	// its managers) is told. Operators and managers of the case's office
	// (CanWorkCase). ENOTFOUND, EFORBIDDEN, ECONFLICT (closed case, the state
	// changed), EINVALID (OpinionRequest.Clean; "org_unit_id" unknown office
	// or the case's own; "documents" not of the case; "suspend" not allowed
	// by the model).
	RequestOpinion(ctx context.Context, caseID int64, req OpinionRequest) (*CaseOpinion, error)
	// FindCaseOpinions lists the opinions of a case the actor may view,
	// oldest first; the applicant gets CaseOpinion.ForApplicant of each.
	FindCaseOpinions(ctx context.Context, caseID int64) ([]*CaseOpinion, error)
	// FindOpinions lists the opinions the actor may see (CanViewOpinion),
	// the oldest deadline first, with the total. Staff only (EFORBIDDEN
	// otherwise); EINVALID for an unknown box.
	FindOpinions(ctx context.Context, f OpinionFilter) ([]*CaseOpinion, int, error)
	// CountOpinions returns how many pending opinions each of OpinionBoxes
	// holds for the actor. Staff only.
	CountOpinions(ctx context.Context) (map[OpinionBox]int, error)
	// FindOpinionByID returns request id with its case and the documents the
	// actor may open, or ENOTFOUND when the actor may not see it
	// (CanViewOpinion). The recipient office reads the case's data and the
	// documents sent with the request only while the request is pending on
	// an open case (CanReadOpinionCase).
	FindOpinionByID(ctx context.Context, id int64) (*OpinionFile, error)
	// OpenOpinionDocument opens document docID through request id: one of
	// the documents of FindOpinionByID. ENOTFOUND otherwise.
	OpenOpinionDocument(ctx context.Context, id, docID int64) (*Document, io.ReadCloser, error)
	// AnswerOpinion records the answer to request id: rendered to PDF with
	// its file, registered (internal from an office, incoming from another
	// administration), stored as case documents; the case's responsible
	// person (the office when unassigned) is told, and the suspension the
	// request caused ends when no other suspending opinion is pending.
	// Members of the recipient office; for an outside administration, the
	// registry desk or the case's office (CanAnswerOpinion). ENOTFOUND,
	// EFORBIDDEN, ECONFLICT (already given, case closed), EINVALID
	// (OpinionAnswer.Clean, a bad file).
	AnswerOpinion(ctx context.Context, id int64, ans OpinionAnswer) (*CaseOpinion, error)
}

// JobOpinionDeadlines is the daily job (payload {"day": "YYYY-MM-DD"}, once
// per tenant and day) that alerts on opinions past their deadline.
const JobOpinionDeadlines = "cases.opinions"

// OpinionJobs is the daily work on opinions for the tenant in ctx. System
// actor only.
type OpinionJobs interface {
	// AlertOverdueOpinions mails the responsible person of the case (the
	// office when unassigned) about each opinion still awaited whose deadline
	// passed before day, once per opinion, and records a case event. It
	// returns how many it alerted on.
	AlertOverdueOpinions(ctx context.Context, day Date) (int, error)
}

// CanRequestOpinion reports whether a may ask an opinion on cas: an operator
// or manager of its office, on an open case.
func CanRequestOpinion(a *Actor, cas *Case) error {
	if err := CanWorkCase(a, cas); err != nil {
		return err
	}
	if cas.Status.Closed() {
		return Errorf(ECONFLICT, "La pratica è conclusa.")
	}
	return nil
}

// recipientMember reports whether u works (operator or manager) in the office
// asked by o.
func recipientMember(u *User, o *CaseOpinion) bool {
	return o.Recipient == OpinionInternal && o.OrgUnitID != nil && u.OrgUnitID != nil && *u.OrgUnitID == *o.OrgUnitID &&
		(u.HasRole(RoleOperator) || u.HasRole(RoleManager))
}

// CanViewOpinion reports whether a may see opinion o of case cas: whoever may
// view the case (CanViewCase; the applicant sees ForApplicant), the members
// of the office asked, and the registry desk for requests to outside
// administrations (it records their answers).
func CanViewOpinion(a *Actor, o *CaseOpinion, cas *Case) bool {
	switch {
	case a == nil || o == nil || cas == nil || o.CaseID != cas.ID || o.TenantID != cas.TenantID:
		return false
	case CanViewCase(a, cas):
		return true
	case a.User == nil || a.User.TenantID != o.TenantID:
		return false
	case recipientMember(a.User, o):
		return true
	}
	return o.Recipient == OpinionExternal && a.User.HasRole(RoleRegistry)
}

// CanReadOpinionCase reports whether a may read the data and the documents of
// cas sent with opinion o: whoever may view the case, and the members of the
// office asked while the request is pending on an open case. Once the opinion
// is given (or the case closed) the office asked keeps only the request and
// its own answer.
func CanReadOpinionCase(a *Actor, o *CaseOpinion, cas *Case) bool {
	if !CanViewOpinion(a, o, cas) {
		return false
	}
	if CanViewCase(a, cas) {
		return a.Citizen == nil
	}
	return a.User != nil && recipientMember(a.User, o) && o.Pending() && !cas.Status.Closed()
}

// CanAnswerOpinion reports whether a may give or record the answer to o on
// cas: the members of the office asked; for an outside administration, the
// registry desk or the operators and managers of the case's office. It
// returns ECONFLICT once given or when the case is closed.
func CanAnswerOpinion(a *Actor, o *CaseOpinion, cas *Case) error {
	if !CanViewOpinion(a, o, cas) {
		return Errorf(ENOTFOUND, "Richiesta di parere non trovata.")
	}
	if a.User == nil {
		return Errorf(EFORBIDDEN, "Solo il personale dell'ente può rendere un parere.")
	}
	u := a.User
	switch o.Recipient {
	case OpinionInternal:
		if !recipientMember(u, o) {
			return Errorf(EFORBIDDEN, "Il parere lo rende l'ufficio a cui è stato chiesto (%s).", o.OrgUnitName)
		}
	default:
		if !u.HasRole(RoleRegistry) && CanWorkCase(a, cas) != nil {
			return Errorf(EFORBIDDEN, "La risposta di un'altra amministrazione la registra il protocollo o l'ufficio della pratica.")
		}
	}
	switch {
	case !o.Pending():
		return Errorf(ECONFLICT, "Il parere è già stato reso il %s.", DateOf(derefTime(o.AnsweredAt)).Italian())
	case cas.Status.Closed():
		return Errorf(ECONFLICT, "La pratica è conclusa: il parere non serve più.")
	}
	return nil
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// OpinionTransition returns the transition of def that a request for an
// opinion on cas by a fires, if any: a transition from the case's state into a
// non-final state of phase PhaseConsultive, not a decision, that writes
// nothing to the applicant (a notice to counter-parties is another act) and
// that a may fire (CanTransitionCase). With suspend it must suspend the term;
// without, it must leave the clock alone. The first one in the model's order
// is chosen.
func OpinionTransition(a *Actor, cas *Case, def *ProcedureDefinition, suspend bool) (Transition, bool) {
	flow := def.Flow()
	for _, t := range TransitionsFrom(def, cas.Status) {
		st, ok := flow.State(t.To)
		switch {
		case !ok || st.Phase != PhaseConsultive || t.To.Closed() || t.Decision || t.NotifyApplicant:
			continue
		case CanTransitionCase(a, cas, t) != nil:
			continue
		case suspend && t.Clock == ClockEffectSuspend, !suspend && t.Clock == ClockEffectNone:
			return t, true
		}
	}
	return Transition{}, false
}

// OpinionMaySuspend reports whether a request by a on cas may suspend the
// term: the model has a suspending consultation transition a may fire now.
func OpinionMaySuspend(a *Actor, cas *Case, def *ProcedureDefinition) bool {
	_, ok := OpinionTransition(a, cas, def, true)
	return ok
}

// OpinionTitle is the title of the request's document.
const OpinionTitle = "Richiesta di parere"

// OpinionAnswerTitle is the title of the answer's document.
const OpinionAnswerTitle = "Parere"

// OpinionRequestLetter describes the request o on cas (registered on the
// application's protocol filing, if known), signed by signer at time at, with
// the names of the documents sent with it: the main document of its
// registration.
func OpinionRequestLetter(t *Tenant, cas *Case, filing *Registration, o *CaseOpinion, docs []string, signer string, at time.Time) *PrintDocument {
	register := "in uscita"
	if o.Recipient == OpinionInternal {
		register = "interno"
	}
	d := &PrintDocument{Issuer: t.Name, IssuerLines: []string{cas.OrgUnitName}, Title: OpinionTitle, Subtitle: cas.ProcedureTitle, Demo: t.Demo,
		Footer: "Pratica n. " + itoa64(cas.ID) + " — documento registrato al protocollo " + register}
	refs := []PrintField{
		{"Destinatario", o.RecipientLabel()},
		{"Richiedente dell'istanza", cas.ApplicantName},
		{"Pratica", "n. " + itoa64(cas.ID) + " — " + cas.Subject},
		{"Data di presentazione", cas.StartDate.Italian()},
	}
	if filing != nil {
		refs = append(refs, PrintField{"Protocollo dell'istanza", filing.Signature()})
	}
	d.Sections = append(d.Sections, PrintSection{Heading: "Riferimenti", Fields: refs})
	law := "Ai sensi dell'art. 16 della legge 7 agosto 1990, n. 241, si chiede il parere di competenza sul quesito che segue."
	if o.Suspends {
		law = "Ai sensi degli articoli 16 e 17 della legge 7 agosto 1990, n. 241, si chiede il parere (valutazione tecnica) sul quesito " +
			"che segue; il termine del procedimento è sospeso fino alla sua acquisizione."
	}
	d.Sections = append(d.Sections, PrintSection{Heading: "Quesito", Paragraphs: append([]string{law}, paragraphs(o.Question)...)})
	d.Sections = append(d.Sections, PrintSection{Heading: "Termine", Paragraphs: []string{
		"Il parere è richiesto entro " + FormatDays(o.Days) + " dal ricevimento della richiesta, e cioè entro il " + o.DueDate.Italian() + "."}})
	if len(docs) > 0 {
		var fs []PrintField
		for i, name := range docs {
			fs = append(fs, PrintField{"Allegato " + strconv.Itoa(i+1), name})
		}
		d.Sections = append(d.Sections, PrintSection{Heading: "Documenti trasmessi", Fields: fs})
	}
	d.Sections = append(d.Sections, PrintSection{Heading: "Firma", Fields: []PrintField{
		{"Data", at.In(Rome).Format("02/01/2006")},
		{"Per l'ufficio", signer},
	}})
	return d
}

// OpinionAnswerLetter describes the answer to o on cas as the main document
// (or, with a file from another administration, the transcription) of its
// registration: the outcome and the text, by author at time at.
func OpinionAnswerLetter(t *Tenant, cas *Case, o *CaseOpinion, ans *OpinionAnswer, author string, at time.Time) *PrintDocument {
	from := o.RecipientLabel()
	footer := "Pratica n. " + itoa64(cas.ID) + " — documento registrato al protocollo interno"
	if o.Recipient == OpinionExternal {
		footer = "Pratica n. " + itoa64(cas.ID) + " — risposta ricevuta e registrata al protocollo in entrata"
	}
	d := &PrintDocument{Issuer: t.Name, IssuerLines: []string{from}, Title: OpinionAnswerTitle, Subtitle: cas.ProcedureTitle, Demo: t.Demo, Footer: footer}
	refs := []PrintField{
		{"Reso da", from},
		{"Richiesto da", cas.OrgUnitName},
		{"Pratica", "n. " + itoa64(cas.ID) + " — " + cas.Subject},
		{"Richiesta", "protocollo " + o.RequestProtocol + " del " + o.RequestedOn.Italian()},
	}
	if ans.SenderProtocol != "" {
		refs = append(refs, PrintField{"Protocollo del mittente", ans.SenderProtocol})
	}
	d.Sections = append(d.Sections, PrintSection{Heading: "Riferimenti", Fields: refs})
	d.Sections = append(d.Sections, PrintSection{Heading: "Esito", Paragraphs: []string{"Parere " + strings.ToLower(ans.Outcome.Label()) + "."}})
	if ans.Text != "" {
		heading := "Motivazione"
		if ans.Outcome == OpinionConditional {
			heading = "Prescrizioni e motivazione"
		}
		d.Sections = append(d.Sections, PrintSection{Heading: heading, Paragraphs: paragraphs(ans.Text)})
	}
	if ans.Upload != nil {
		d.Sections = append(d.Sections, PrintSection{Heading: "Allegati", Fields: []PrintField{{"Allegato 1", ans.Upload.Filename}}})
	}
	role := "Per l'ufficio"
	if o.Recipient == OpinionExternal {
		role = "Registrato da"
	}
	d.Sections = append(d.Sections, PrintSection{Heading: "Firma", Fields: []PrintField{
		{"Data", at.In(Rome).Format("02/01/2006")},
		{role, author},
	}})
	return d
}

// OpinionRequestMail returns the e-mail that sends request o (registered as
// reg) to an outside administration, with the PDF and the documents attached.
func OpinionRequestMail(t *Tenant, cas *Case, o *CaseOpinion, reg *Registration) (subject, body string) {
	subject = t.Name + " — richiesta di parere, protocollo " + reg.Signature()
	body = "Alla cortese attenzione di " + o.ExternalName + ",\n\n" +
		"l'ufficio " + cas.OrgUnitName + " di " + t.Name + " chiede il vostro parere sul procedimento «" + cas.ProcedureTitle +
		"» (pratica n. " + itoa64(cas.ID) + ", " + cas.Subject + ").\n\n" +
		"Quesito:\n" + o.Question + "\n\n" +
		"Il parere è richiesto entro il " + o.DueDate.Italian() + " (" + FormatDays(o.Days) + "; art. 16, L. 241/1990). " +
		"Trovate in allegato la richiesta registrata al protocollo (" + reg.Signature() + ") e i documenti trasmessi. " +
		"Vi preghiamo di indicare questo numero di protocollo nella risposta.\n\n" + t.Name + " — " + cas.OrgUnitName + "\n"
	if t.Demo {
		body += "\nDEMO — messaggio di prova senza valore legale.\n"
	}
	return subject, body
}

// OpinionRequestNotice returns the e-mail telling the office asked by o (an
// office of the ente) that an opinion is requested of it, with the link to the
// request in the offices' area.
func OpinionRequestNotice(t *Tenant, cas *Case, o *CaseOpinion, baseURL string) (subject, body string) {
	subject = "[" + t.Name + "] Richiesta di parere: pratica n. " + itoa64(cas.ID)
	body = "L'ufficio " + cas.OrgUnitName + " chiede il parere dell'ufficio " + o.OrgUnitName + " sulla pratica n. " + itoa64(cas.ID) +
		" (" + cas.ProcedureTitle + ": " + cas.Subject + ").\n\nQuesito:\n" + o.Question + "\n\n" +
		"Il parere è richiesto entro il " + o.DueDate.Italian() + " (protocollo " + o.RequestProtocol + ").\n" +
		"Rispondi da «Pareri» nell'area operatori: " + baseURL + "/ufficio/pareri/" + itoa64(o.ID) + "\n"
	if t.Demo {
		body += "\nDEMO — messaggio di prova senza valore legale.\n"
	}
	return subject, body
}
