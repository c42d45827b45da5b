// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"time"
)

// Case is one running instance of a procedure version (pratica), opened by an
// application. Its due date is derived from its start, its version's term and
// its clock events (invariant 7): DueDate and ClockState are kept in the row,
// updated in the transaction of every clock event, so worklists can filter and
// sort on them; CaseService.FindCaseClock computes the full clock.
type Case struct {
	ID                     int64
	TenantID               int64
	ProcedureVersionID     int64
	ProcedureTitle         string
	ApplicationID          int64
	OrgUnitID              int64
	OrgUnitName            string
	ResponsibleUserID      *int64
	ResponsibleName        string // responsabile del procedimento; "" when unassigned
	ApplicantFiscalCode    string
	ApplicantName          string
	ApplicantEmail         string
	Subject                string // oggetto
	Status                 CaseStatus
	StartDate              Date // day of submission (not counted in the term)
	TermDays               int  // legal term in calendar days, from the case's version
	DueDate                Date // derived from StartDate, TermDays and the clock events, shifted past holidays; while suspended, the due date as of the suspension
	RegistrationID         int64
	DecisionDocumentID     *int64
	DecisionRegistrationID *int64
	DecisionReason         string
	CreatedAt              time.Time
	UpdatedAt              time.Time
	ClosedAt               *time.Time

	// Legal clock (denormalised; see CaseClock).
	Regime       string         // legal regime copied from the version at opening: RegimeExpress, SilenceAssent, SilenceRefusal or RegimeSCIA
	ClockState   CaseClockState // running, suspended or stopped (closed)
	Waiting      CaseWaiting    // while suspended: what the case waits for ("" if nothing in particular)
	WaitingUntil Date           // while suspended: the day the clock resumes by itself (answer deadline or scheduled resume); zero if never
	Late         bool           // concluded after the due date (art. 2 c.9-quinquies) or after silence formed

	// Silenzio-assenso (art. 20) and SCIA (art. 19).
	SilenceFormedOn       Date   // day the silenzio-assenso formed (the day after the due date); zero if not formed
	AttestationDocumentID *int64 // attestation of the silenzio-assenso (art. 20 c.2-bis), once issued
	EffectiveOn           Date   // SCIA: the activity is effective from this day (the filing); zero for other regimes

	// Substitute power (art. 2 c.9-bis).
	SubstituteRequestedAt *time.Time // when the applicant asked the holder of the substitute power; nil if never
	SubstituteDueDate     Date       // the holder's due date: half the original term from the request

	AwaitingApproval bool // a decision draft waits for a manager's approval
	RetentionYears   *int // set on closing from the model (RetentionFor the outcome): years to keep the dossier, 0 = permanent
}

// Legal regimes of a case (Case.Regime): the silence rules of the model, or SCIA.
const (
	RegimeExpress = SilenceNone // an express decision is due
	RegimeSCIA    = "scia"      // segnalazione certificata di inizio attività (art. 19)
)

// RegimeOf returns the regime of cases of def.
func RegimeOf(def *ProcedureDefinition) string {
	switch {
	case def == nil:
		return RegimeExpress
	case def.SCIA != nil:
		return RegimeSCIA
	case def.Silence == SilenceAssent || def.Silence == SilenceRefusal:
		return def.Silence
	}
	return RegimeExpress
}

// Kinds of CaseEvent.
const (
	CaseEventSubmitted     = "submitted"          // the application was registered and the case opened
	CaseEventTransition    = "transition"         // a workflow transition was fired
	CaseEventAssigned      = "assigned"           // the responsible person changed
	CaseEventReminder      = "reminder"           // a manager reminded the responsible person (sollecito)
	CaseEventClock         = "clock"              // the clock changed by itself (time-out of a suspension)
	CaseEventAnswer        = "answer"             // the applicant answered (integrations, observations)
	CaseEventExtension     = "extension"          // the term was extended
	CaseEventDraft         = "draft"              // a decision draft was submitted for approval
	CaseEventDraftReturned = "draft_returned"     // a manager sent a decision draft back
	CaseEventSilence       = "silence_formed"     // the silenzio-assenso formed (art. 20)
	CaseEventAttestation   = "attestation"        // the attestation of the silenzio-assenso was issued
	CaseEventSubstitute    = "substitute_request" // the applicant asked the holder of the substitute power
	CaseEventAlert         = "alert"              // a deadline reminder or an overdue alert was sent
)

// CaseEventLabel returns the Italian name of an event kind.
func CaseEventLabel(kind string) string {
	switch kind {
	case CaseEventSubmitted:
		return "Istanza presentata"
	case CaseEventTransition:
		return "Azione"
	case CaseEventAssigned:
		return "Assegnazione del responsabile"
	case CaseEventReminder:
		return "Sollecito"
	case CaseEventClock:
		return "Ripresa automatica del termine"
	case CaseEventAnswer:
		return "Risposta del richiedente"
	case CaseEventExtension:
		return "Proroga del termine"
	case CaseEventDraft:
		return "Bozza di provvedimento da approvare"
	case CaseEventDraftReturned:
		return "Bozza restituita"
	case CaseEventSilence:
		return "Silenzio-assenso formato"
	case CaseEventAttestation:
		return "Attestazione del silenzio-assenso"
	case CaseEventSubstitute:
		return "Richiesta al titolare del potere sostitutivo"
	case CaseEventAlert:
		return "Avviso di scadenza"
	}
	return kind
}

// CaseEvent is one entry of a case's history (the timeline).
type CaseEvent struct {
	ID             int64
	CaseID         int64
	At             time.Time
	Kind           string // CaseEvent… constant
	FromStatus     CaseStatus
	ToStatus       CaseStatus
	Transition     string
	ActorName      string
	Reason         string // motivation, message or detail, in Italian
	RegistrationID *int64
	DocumentID     *int64
}

// CaseView is a worklist: a predefined selection of open cases.
type CaseView string

// The worklists of the back office.
const (
	CaseViewAll      CaseView = ""         // every case matching the other filters
	CaseViewNew      CaseView = "new"      // nuove: submitted and not yet assigned
	CaseViewMine     CaseView = "mine"     // assegnate a me: open, the actor is the responsible person
	CaseViewWaiting  CaseView = "waiting"  // in attesa: open with the clock suspended (integrations, observations, opinions)
	CaseViewExpiring CaseView = "expiring" // in scadenza: clock running, due within CaseFilter.Within days (default 7)
	CaseViewOverdue  CaseView = "overdue"  // scadute: clock running, due date passed
	CaseViewApproval CaseView = "approval" // da approvare: a decision draft waits for a manager
)

// CaseViews lists the worklists with a badge, in display order.
var CaseViews = []CaseView{CaseViewNew, CaseViewMine, CaseViewWaiting, CaseViewExpiring, CaseViewOverdue, CaseViewApproval}

// Label returns the Italian name of the worklist.
func (v CaseView) Label() string {
	switch v {
	case CaseViewAll:
		return "Tutte"
	case CaseViewNew:
		return "Nuove"
	case CaseViewMine:
		return "Assegnate a me"
	case CaseViewWaiting:
		return "In attesa"
	case CaseViewExpiring:
		return "In scadenza"
	case CaseViewOverdue:
		return "Scadute"
	case CaseViewApproval:
		return "Da approvare"
	}
	return string(v)
}

// CaseSort orders a case list.
type CaseSort string

// Orders of a case list.
const (
	CaseSortDefault CaseSort = ""       // by due date for waiting, expiring and overdue; newest first otherwise
	CaseSortDue     CaseSort = "due"    // nearest due date first (then oldest)
	CaseSortNewest  CaseSort = "newest" // newest first
	CaseSortOldest  CaseSort = "oldest" // oldest first
)

// DefaultExpiringDays is the horizon of the "in scadenza" worklist.
const DefaultExpiringDays = 7

// CaseFilter selects cases of the tenant in ctx. The store also applies what the
// actor may see (a citizen sees only their own, an operator their office).
type CaseFilter struct {
	ID                  *int64
	OrgUnitID           *int64
	ResponsibleUserID   *int64
	ProcedureTypeID     *int64
	ApplicantFiscalCode *string
	Status              *CaseStatus
	Open                *bool    // true: not closed; false: closed
	View                CaseView // a worklist; every view except CaseViewAll implies Open
	Query               string   // text search: a case number, a codice fiscale, or words of the subject or the applicant's name (the last one as a prefix)
	Sort                CaseSort
	Within              int  // CaseViewExpiring: days ahead; 0 = DefaultExpiringDays
	Today               Date // the day views are computed for; zero = today in Europe/Rome
	Offset              int
	Limit               int // 0 = 50; at most 500
}

// MaxCaseSearchCount bounds how far a search of cases by words counts its
// results: a common word matches a large part of an archive of millions of
// cases, and an exact count would cost more than the search itself.
const MaxCaseSearchCount = 1000

// CaseService handles cases of the tenant in ctx. The other case interfaces
// (CaseWorkService, CaseCitizenService, CaseClockJobs) are implemented by the
// same store; see doc comments for who may call what.
type CaseService interface {
	// FindCaseByID returns a case the actor may view (CanViewCase), or ENOTFOUND.
	FindCaseByID(ctx context.Context, id int64) (*Case, error)
	// FindCases lists cases the actor may view with the total count, in the
	// order of f.Sort (EINVALID for an unknown view or sort). When f.Query
	// searches words, the total is exact up to MaxCaseSearchCount; above it,
	// MaxCaseSearchCount+1 means "more".
	FindCases(ctx context.Context, f CaseFilter) ([]*Case, int, error)
	// CountCaseViews returns, for each of CaseViews, how many cases the actor
	// may view are in it, applying f's office, responsible, procedure, status
	// and query filters (f.View, Sort, Offset and Limit are ignored), counted
	// as FindCases counts them. Staff only (EFORBIDDEN for citizens).
	CountCaseViews(ctx context.Context, f CaseFilter) (map[CaseView]int, error)
	// FindCaseEvents returns the history of a case the actor may view, oldest first.
	FindCaseEvents(ctx context.Context, caseID int64) ([]*CaseEvent, error)
	// FindCaseDocuments returns the documents of a case: the application and
	// its attachments, every document issued on the case (notices, requests,
	// decision, attestation) and the applicant's answers, oldest first. A
	// citizen sees only those addressed to them (internal documents, such as a
	// request for an opinion, are for staff).
	FindCaseDocuments(ctx context.Context, caseID int64) ([]*Document, error)
	// FindCaseClock returns the legal clock of a case the actor may view as of
	// day at (zero: today in Europe/Rome).
	FindCaseClock(ctx context.Context, caseID int64, at Date) (*CaseClock, error)
	// TransitionCase fires the named transition with TransitionCaseText and no
	// edited text.
	TransitionCase(ctx context.Context, id int64, name, reason string) (*Case, error)
	// TransitionCaseText fires the named transition of the case's version
	// workflow. In one transaction it changes the status, applies the
	// transition's clock effect (CaseClock), and, when the transition has a
	// Document, renders it (text, when not empty, replaces the model's
	// template text; see CaseAct), stores it as a case document, registers it
	// as outgoing if Register and queues the mail to the applicant if
	// NotifyApplicant; a decision closes the case, records whether it is late
	// and the retention years. Callers: staff with one of the transition's
	// roles, of the case's office unless manager (CanTransitionCase).
	// Errors: ENOTFOUND (no case, unknown transition), EFORBIDDEN (role,
	// office), ECONFLICT (wrong state, changed concurrently, a second
	// integration request, a SCIA order after the control window: see
	// CheckCaseTransition), EINVALID (missing or too long reason or text).
	TransitionCaseText(ctx context.Context, id int64, name, reason, text string) (*Case, error)
}
