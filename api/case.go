// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// caseJSON is a case (schema Case in openapi.yaml).
type caseJSON struct {
	ID                 int64              `json:"id"`
	Procedure          string             `json:"procedure"`
	ProcedureVersionID int64              `json:"procedure_version_id"`
	Status             procedo.CaseStatus `json:"status"`
	StatusLabel        string             `json:"status_label"`
	Subject            string             `json:"subject"`
	Applicant          applicantJSON      `json:"applicant"`
	Office             officeJSON         `json:"office"`
	Responsible        string             `json:"responsible"`
	StartDate          *procedo.Date      `json:"start_date"`
	TermDays           int                `json:"term_days"`
	DueDate            *procedo.Date      `json:"due_date"`
	RegistrationID     int64              `json:"registration_id"`
	Decision           *decisionJSON      `json:"decision"`
	CreatedAt          time.Time          `json:"created_at"`
	UpdatedAt          time.Time          `json:"updated_at"`
	ClosedAt           *time.Time         `json:"closed_at"`
	Transitions        []transitionJSON   `json:"transitions"`

	// The legal clock, denormalised on the case (see GET /cases/{id}/clock).
	ResponsibleUserID     *int64                 `json:"responsible_user_id"`
	Regime                string                 `json:"regime"`
	ClockState            procedo.CaseClockState `json:"clock_state"`
	Waiting               procedo.CaseWaiting    `json:"waiting"`
	WaitingLabel          string                 `json:"waiting_label"`
	WaitingUntil          *procedo.Date          `json:"waiting_until"`
	Late                  bool                   `json:"late"`
	AwaitingApproval      bool                   `json:"awaiting_approval"`
	SilenceFormedOn       *procedo.Date          `json:"silence_formed_on"`
	AttestationDocumentID *int64                 `json:"attestation_document_id"`
	EffectiveOn           *procedo.Date          `json:"effective_on"`
	SubstituteDueDate     *procedo.Date          `json:"substitute_due_date"`
}

type applicantJSON struct {
	FiscalCode string `json:"fiscal_code"`
	Name       string `json:"name"`
	Email      string `json:"email"`
}

type officeJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type decisionJSON struct {
	DocumentID     *int64 `json:"document_id"`
	RegistrationID *int64 `json:"registration_id"`
	Reason         string `json:"reason"`
}

// transitionJSON is a transition the case's status allows; Allowed says
// whether the caller may fire it.
type transitionJSON struct {
	Name        string `json:"name"`
	Label       string `json:"label"`
	NeedsReason bool   `json:"needs_reason"`
	Allowed     bool   `json:"allowed"`
}

// caseViewJSON is a case with its history and documents (schema CaseDetail).
type caseViewJSON struct {
	caseJSON
	ClockSummary string         `json:"clock_summary"`
	DaysLeft     int            `json:"days_left"`
	Overdue      bool           `json:"overdue"`
	Events       []eventJSON    `json:"events"`
	Documents    []documentJSON `json:"documents"`
}

type eventJSON struct {
	ID             int64              `json:"id"`
	At             time.Time          `json:"at"`
	Kind           string             `json:"kind"`
	Label          string             `json:"label"`
	FromStatus     procedo.CaseStatus `json:"from_status"`
	ToStatus       procedo.CaseStatus `json:"to_status"`
	Transition     string             `json:"transition"`
	ActorName      string             `json:"actor_name"`
	Reason         string             `json:"reason"`
	RegistrationID *int64             `json:"registration_id"`
	DocumentID     *int64             `json:"document_id"`
}

func newCaseJSON(a *procedo.Actor, def *procedo.ProcedureDefinition, c *procedo.Case) caseJSON {
	out := caseJSON{
		ID: c.ID, Procedure: c.ProcedureTitle, ProcedureVersionID: c.ProcedureVersionID,
		Status: c.Status, StatusLabel: def.StateLabel(c.Status), Subject: c.Subject,
		Applicant:   applicantJSON{FiscalCode: c.ApplicantFiscalCode, Name: c.ApplicantName, Email: c.ApplicantEmail},
		Office:      officeJSON{ID: c.OrgUnitID, Name: c.OrgUnitName},
		Responsible: c.ResponsibleName, StartDate: optDate(c.StartDate), TermDays: c.TermDays, DueDate: optDate(c.DueDate),
		RegistrationID: c.RegistrationID, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(), ClosedAt: optTime(c.ClosedAt),
		Transitions: []transitionJSON{},

		ResponsibleUserID: c.ResponsibleUserID, Regime: c.Regime, ClockState: c.ClockState, Waiting: c.Waiting,
		WaitingLabel: c.Waiting.Label(), WaitingUntil: optDate(c.WaitingUntil), Late: c.Late, AwaitingApproval: c.AwaitingApproval,
		SilenceFormedOn: optDate(c.SilenceFormedOn), AttestationDocumentID: c.AttestationDocumentID, EffectiveOn: optDate(c.EffectiveOn),
		SubstituteDueDate: optDate(c.SubstituteDueDate),
	}
	if c.DecisionDocumentID != nil || c.Status.Closed() {
		out.Decision = &decisionJSON{DocumentID: c.DecisionDocumentID, RegistrationID: c.DecisionRegistrationID, Reason: c.DecisionReason}
	}
	for _, t := range procedo.TransitionsFrom(def, c.Status) {
		out.Transitions = append(out.Transitions, transitionJSON{Name: t.Name, Label: t.Label, NeedsReason: t.NeedsReason,
			Allowed: procedo.CanTransitionCase(a, c, t) == nil})
	}
	return out
}

func newEventJSON(e *procedo.CaseEvent) eventJSON {
	return eventJSON{ID: e.ID, At: e.At.UTC(), Kind: e.Kind, Label: procedo.CaseEventTitle(e.Kind), FromStatus: e.FromStatus, ToStatus: e.ToStatus, Transition: e.Transition,
		ActorName: e.ActorName, Reason: e.Reason, RegistrationID: e.RegistrationID, DocumentID: e.DocumentID}
}

// optDate returns nil for the zero Date, so that it is rendered as null.
func optDate(d procedo.Date) *procedo.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

// optTime returns t in UTC, or nil.
func optTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// knownStatus reports whether s is one of the standard workflow states.
func knownStatus(s procedo.CaseStatus) bool { return s.Label() != string(s) }

// Worklists and orders accepted by GET /api/v1/cases.
var (
	caseViews = map[string]procedo.CaseView{"": procedo.CaseViewAll, "all": procedo.CaseViewAll, "new": procedo.CaseViewNew,
		"mine": procedo.CaseViewMine, "waiting": procedo.CaseViewWaiting, "expiring": procedo.CaseViewExpiring,
		"overdue": procedo.CaseViewOverdue, "approval": procedo.CaseViewApproval}
	caseSorts = map[string]procedo.CaseSort{"": procedo.CaseSortDefault, "due": procedo.CaseSortDue, "newest": procedo.CaseSortNewest,
		"oldest": procedo.CaseSortOldest}
)

// handleCaseList serves GET /api/v1/cases: the cases the caller may view,
// in a worklist (view), filtered by status, office, responsible, procedure,
// open and a text search, sorted, one page at a time.
func (s *Server) handleCaseList(w http.ResponseWriter, r *http.Request) error {
	fe := procedo.FieldErrors{}
	p := parsePagination(r, fe)
	f := procedo.CaseFilter{Offset: p.Offset(), Limit: p.PerPage}
	q := r.URL.Query()
	if v, ok := caseViews[q.Get("view")]; ok {
		f.View = v
	} else {
		fe.Add("view", "Elenco sconosciuto: usa new, mine, waiting, expiring, overdue, approval o all.")
	}
	if v, ok := caseSorts[q.Get("sort")]; ok {
		f.Sort = v
	} else {
		fe.Add("sort", "Ordinamento sconosciuto: usa due, newest o oldest.")
	}
	if f.Query = strings.TrimSpace(q.Get("q")); len([]rune(f.Query)) > 200 {
		fe.Add("q", "La ricerca non può superare 200 caratteri.")
	}
	if id, ok := queryInt(r, "responsible", fe, "Il responsabile deve essere indicato con il suo id numerico."); ok {
		user := int64(id)
		f.ResponsibleUserID = &user
	}
	if id, ok := queryInt(r, "procedure", fe, "Il procedimento deve essere indicato con il suo id numerico."); ok {
		typ := int64(id)
		f.ProcedureTypeID = &typ
	}
	if v := q.Get("status"); v != "" {
		st := procedo.CaseStatus(v)
		if !knownStatus(st) {
			fe.Add("status", "Stato sconosciuto: usa submitted, in_review, suspended, notice_10bis, consultation, effective, accepted, rejected, archived o withdrawn.")
		}
		f.Status = &st
	}
	if id, ok := queryInt(r, "office", fe, "L'ufficio deve essere indicato con il suo id numerico."); ok {
		office := int64(id)
		f.OrgUnitID = &office
	}
	switch v := q.Get("open"); v {
	case "":
	case "true", "false":
		open := v == "true"
		f.Open = &open
	default:
		fe.Add("open", "open deve essere true o false.")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	cases, total, err := s.Cases.FindCases(r.Context(), f)
	if err != nil {
		return err
	}
	a := procedo.ActorFromContext(r.Context())
	defs := s.definitions()
	items := make([]caseJSON, len(cases))
	for i, c := range cases {
		def, err := defs.of(r.Context(), c)
		if err != nil {
			return err
		}
		items[i] = newCaseJSON(a, def, c)
	}
	return writeJSON(w, http.StatusOK, newList(items, total, p))
}

// handleCaseView serves GET /api/v1/cases/{id}: a case the caller may view
// with its events and documents; 404 for any other.
func (s *Server) handleCaseView(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Pratica non trovata.")
	if err != nil {
		return err
	}
	ctx := r.Context()
	c, err := s.Cases.FindCaseByID(ctx, id)
	if err != nil {
		return err
	}
	events, err := s.Cases.FindCaseEvents(ctx, id)
	if err != nil {
		return err
	}
	docs, err := s.Cases.FindCaseDocuments(ctx, id)
	if err != nil {
		return err
	}
	def, err := s.definitions().of(ctx, c)
	if err != nil {
		return err
	}
	clock, err := s.Cases.FindCaseClock(ctx, id, procedo.Date{})
	if err != nil {
		return err
	}
	out := caseViewJSON{caseJSON: newCaseJSON(procedo.ActorFromContext(ctx), def, c), ClockSummary: clock.Summary(), DaysLeft: clock.DaysLeft,
		Overdue: clock.Overdue, Events: []eventJSON{}, Documents: []documentJSON{}}
	for _, e := range events {
		out.Events = append(out.Events, newEventJSON(e))
	}
	for _, d := range docs {
		out.Documents = append(out.Documents, newDocumentJSON(d))
	}
	return writeJSON(w, http.StatusOK, out)
}

// transitionRequest is the body of a transition; it may be empty when the
// transition needs no reason.
type transitionRequest struct {
	Reason string `json:"reason"`
	Text   string `json:"text"` // replaces the model's text of the transition's document
}

// handleCaseTransition serves POST /api/v1/cases/{id}/transitions/{name}: it
// fires the transition (a decision is rendered, stored and registered by the
// service) and answers with the updated case.
func (s *Server) handleCaseTransition(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Pratica non trovata.")
	if err != nil {
		return err
	}
	var req transitionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	c, err := s.Cases.TransitionCaseText(r.Context(), id, r.PathValue("name"), req.Reason, req.Text)
	if err != nil {
		return err
	}
	def, err := s.definitions().of(r.Context(), c)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newCaseJSON(procedo.ActorFromContext(r.Context()), def, c))
}
