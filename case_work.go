// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"slices"
	"time"
)

// DecisionDraftStatus is the state of a decision draft.
type DecisionDraftStatus string

// States of a decision draft.
const (
	DraftPending  DecisionDraftStatus = "pending"  // waiting for a manager
	DraftApproved DecisionDraftStatus = "approved" // approved: the transition was fired with its text
	DraftReturned DecisionDraftStatus = "returned" // sent back to the author with a note
)

// Label returns the Italian name of the state.
func (s DecisionDraftStatus) Label() string {
	switch s {
	case DraftPending:
		return "In attesa di approvazione"
	case DraftApproved:
		return "Approvata"
	case DraftReturned:
		return "Restituita"
	}
	return string(s)
}

// DecisionDraft is a decision prepared by an operator for a manager's approval
// (the dirigente adopts the act).
type DecisionDraft struct {
	ID           int64
	TenantID     int64
	CaseID       int64
	Transition   string // the decision transition it will fire
	Reason       string // motivation
	Text         string // the decision text (prefilled from the model's template, edited)
	Status       DecisionDraftStatus
	AuthorID     int64
	AuthorName   string
	ReviewerName string     // manager who approved or returned it
	Note         string     // the manager's note when returned
	CreatedAt    time.Time  //
	ReviewedAt   *time.Time // nil while pending
}

// MaxDocumentTextLength bounds the edited text of an issued document.
const MaxDocumentTextLength = 20000

// CaseAnswer is what an applicant sends in answer to a suspension: the
// integrations asked (art. 2 c.7) or observations on a 10-bis notice.
type CaseAnswer struct {
	Kind    CaseWaiting // WaitingIntegration or WaitingObservations; must match what the case waits for
	Message string      // free text, at most MaxReasonLength characters; required without files
	Uploads []*Upload   // files already stored in the BlobStore (as for SubmitApplication)
}

// CaseAnswerReceipt is the outcome of CaseCitizenService.AnswerCase.
type CaseAnswerReceipt struct {
	Case         *Case
	Registration *Registration // the incoming registration of the answer
	Documents    []*Document   // the answer's text (PDF) and the files, now case documents
}

// CaseWorkService is the back office's work on cases of the tenant in ctx,
// besides transitions (CaseService). Every method records a case event and an
// audit entry in its transaction.
type CaseWorkService interface {
	// AssignCase makes user userID the responsible person (responsabile del
	// procedimento) of case id. A manager of the case's office (CanAssignCase)
	// assigns any active operator or manager of that office; an operator of the
	// office takes an unassigned case for themselves ("prendi in carico").
	// ENOTFOUND, EFORBIDDEN, EINVALID (the user is not of the office),
	// ECONFLICT (closed case, or already taken by someone else).
	AssignCase(ctx context.Context, id, userID int64) (*Case, error)
	// AssignCases assigns every case of ids to userID in one transaction: all
	// or nothing, each audited. Managers only; the first failing case's error
	// is returned (ENOTFOUND, EFORBIDDEN, EINVALID, ECONFLICT).
	AssignCases(ctx context.Context, ids []int64, userID int64) error
	// RemindCases mails the responsible person of each case (the office when
	// unassigned) a reminder (sollecito) with message and records it. Managers
	// of the cases' offices only; all or nothing. EINVALID for an empty or too
	// long message.
	RemindCases(ctx context.Context, ids []int64, message string) error
	// ExtendCaseTerm applies extension number ext (index of the model's
	// Extensions) to the term of case id, once per extension, with reason.
	// Operators and managers of the office. ECONFLICT if already applied, the
	// case is closed or its term lapsed; EINVALID for an unknown extension.
	ExtendCaseTerm(ctx context.Context, id int64, ext int, reason string) (*Case, error)

	// DocumentText returns the text the document of transition name would
	// have now (the model's template or the standard text, with placeholders
	// filled and reason as {{motivazione}}), to prefill an editor. Staff who may
	// view the case. ENOTFOUND (case or transition), EINVALID (the transition
	// produces no document).
	DocumentText(ctx context.Context, id int64, name, reason string) (string, error)
	// SubmitDecisionDraft stores a decision draft of case id for transition
	// name (a decision transition of its current state) for a manager's
	// approval; a pending draft of the same case is replaced. Operators and
	// managers of the office (CanDraftDecision). EINVALID (reason missing when
	// needed, text too long), ECONFLICT (state changed), EFORBIDDEN.
	SubmitDecisionDraft(ctx context.Context, id int64, name, reason, text string) (*DecisionDraft, error)
	// FindDecisionDrafts lists the drafts of a case the actor may view (staff
	// only), newest first.
	FindDecisionDrafts(ctx context.Context, caseID int64) ([]*DecisionDraft, error)
	// ApproveDecisionDraft approves a pending draft: its transition is fired
	// by the manager with the draft's reason and text (TransitionCaseText).
	// Managers of the office (CanApproveDecision). ECONFLICT if not pending or
	// the case changed state.
	ApproveDecisionDraft(ctx context.Context, draftID int64) (*Case, error)
	// ReturnDecisionDraft sends a pending draft back to its author with note
	// (required). Managers of the office. ECONFLICT if not pending.
	ReturnDecisionDraft(ctx context.Context, draftID int64, note string) (*DecisionDraft, error)

	// IssueSilenceAttestation issues the attestation that the silenzio-assenso
	// formed on case id (art. 20 c.2-bis): a document registered as outgoing,
	// mailed to the applicant and shown in the citizen area. The applicant or
	// staff of the office. ECONFLICT if the silence has not formed or the
	// attestation was already issued.
	IssueSilenceAttestation(ctx context.Context, id int64) (*Case, error)
}

// CaseCitizenService is what an applicant does on their own case in the
// citizen area. Calls by anyone but the applicant are ENOTFOUND (a citizen)
// or EFORBIDDEN (staff).
type CaseCitizenService interface {
	// AnswerCase records the applicant's answer to an integration request or a
	// 10-bis notice: the message rendered to PDF and the files are registered
	// as one INCOMING registration and become case documents; the model's
	// transition that leaves the waiting state with a resume (or interrupt)
	// clock effect is fired, or else the clock resumes (ResumeDate). Errors:
	// ECONFLICT when the case is not waiting for that kind of answer,
	// EINVALID (empty answer, bad files).
	AnswerCase(ctx context.Context, id int64, a CaseAnswer) (*CaseAnswerReceipt, error)
	// RequestSubstitute records the applicant's request to the holder of the
	// substitute power (art. 2 c.9-bis) on an overdue case: an incoming
	// registration, a case event, and the holder's due date (half the original
	// term from today: SubstituteTermDays). The office is notified.
	// ECONFLICT if the case is not overdue, is closed or was already referred.
	RequestSubstitute(ctx context.Context, id int64, message string) (*Case, error)
}

// Job kinds of the daily work on cases; payload {"day": "YYYY-MM-DD"}. Each
// runs once per tenant and day (unique job keys).
const (
	JobCaseTimeouts  = "cases.timeouts"  // CaseClockJobs.ResumeLapsedSuspensions
	JobCaseSilence   = "cases.silence"   // CaseClockJobs.FormSilentAssent
	JobCaseReminders = "cases.reminders" // CaseClockJobs.RemindExpiringCases
	JobCaseOverdue   = "cases.overdue"   // CaseClockJobs.AlertOverdueCases
)

// CaseJobKinds lists the daily case jobs.
var CaseJobKinds = []string{JobCaseTimeouts, JobCaseSilence, JobCaseReminders, JobCaseOverdue}

// ReminderThresholds are the days before the due date on which the
// responsible person is reminded, once each per case and due date.
var ReminderThresholds = []int{7, 3, 1}

// CaseClockJobs is the daily work of the legal clock for the tenant in ctx.
// System actor only (EFORBIDDEN otherwise). Each method is idempotent for a
// day: running it twice sends nothing twice. Each returns how many cases it
// acted on; mails go to the outbox in the transaction of each case.
type CaseClockJobs interface {
	// ResumeLapsedSuspensions resumes the clock of cases whose suspension
	// ended by itself before day (integrations after 30 days, 10-bis after 10
	// days, scheduled resumes): the resume event is dated on the last day of
	// the suspension; applicant and responsible person are notified.
	ResumeLapsedSuspensions(ctx context.Context, day Date) (int, error)
	// FormSilentAssent marks open silenzio-assenso cases whose term lapsed
	// before day without a decision as formed by silence (the day after the
	// due date), records the event and notifies the applicant.
	FormSilentAssent(ctx context.Context, day Date) (int, error)
	// RemindExpiringCases mails the responsible person (the office when
	// unassigned) of running cases due in ReminderThresholds days or fewer,
	// once per case, threshold and due date.
	RemindExpiringCases(ctx context.Context, day Date) (int, error)
	// AlertOverdueCases mails the responsible person and the office's
	// managers about running cases whose due date passed, once per case and
	// due date.
	AlertOverdueCases(ctx context.Context, day Date) (int, error)
}

// ofOffice reports whether u works in the case's office.
func ofOffice(u *User, cas *Case) bool {
	return u.OrgUnitID != nil && *u.OrgUnitID == cas.OrgUnitID
}

// managerOf reports whether u is a manager of the case's office: a manager of
// that office or a manager of no office (the whole ente).
func managerOf(u *User, cas *Case) bool {
	return u.HasRole(RoleManager) && (u.OrgUnitID == nil || *u.OrgUnitID == cas.OrgUnitID)
}

func staffOf(a *Actor, cas *Case) (*User, error) {
	if a == nil || a.User == nil {
		return nil, Errorf(EFORBIDDEN, "Solo il personale dell'ente può operare sulla pratica.")
	}
	if a.User.TenantID != cas.TenantID {
		return nil, Errorf(ENOTFOUND, "Pratica non trovata.")
	}
	return a.User, nil
}

// CanAssignCase reports whether a may make assignee the responsible person of
// cas: a manager of the office assigns an operator or manager of the office; an
// operator of the office takes an unassigned case for themselves.
func CanAssignCase(a *Actor, cas *Case, assignee *User) error {
	u, err := staffOf(a, cas)
	if err != nil {
		return err
	}
	if cas.Status.Closed() {
		return Errorf(ECONFLICT, "La pratica è conclusa.")
	}
	if assignee == nil || assignee.TenantID != cas.TenantID || assignee.Disabled ||
		!(assignee.HasRole(RoleOperator) || assignee.HasRole(RoleManager)) || !ofOffice(assignee, cas) {
		return FieldErrors{"user_id": "Scegli un operatore attivo dell'ufficio della pratica."}
	}
	switch {
	case managerOf(u, cas):
		return nil
	case u.HasRole(RoleOperator) && ofOffice(u, cas) && assignee.ID == u.ID:
		if cas.ResponsibleUserID != nil && *cas.ResponsibleUserID != u.ID {
			return Errorf(ECONFLICT, "La pratica è già in carico a %s.", cas.ResponsibleName)
		}
		return nil
	}
	return Errorf(EFORBIDDEN, "Solo il dirigente dell'ufficio assegna le pratiche; un operatore può prendere in carico una pratica non assegnata.")
}

// CanRemindCase reports whether a may send a reminder on cas: a manager of its office.
func CanRemindCase(a *Actor, cas *Case) error {
	u, err := staffOf(a, cas)
	if err != nil {
		return err
	}
	if !managerOf(u, cas) {
		return Errorf(EFORBIDDEN, "Solo il dirigente dell'ufficio può inviare solleciti.")
	}
	return nil
}

// CanWorkCase reports whether a may work on cas (extensions, document
// texts): an operator or manager of its office, or a manager of no office.
func CanWorkCase(a *Actor, cas *Case) error {
	u, err := staffOf(a, cas)
	if err != nil {
		return err
	}
	if managerOf(u, cas) || (u.HasRole(RoleOperator) && ofOffice(u, cas)) {
		return nil
	}
	return Errorf(EFORBIDDEN, "La pratica è assegnata a un altro ufficio.")
}

// CanDraftDecision reports whether a may submit a draft of decision
// transition t of cas for approval: operators and managers of the office.
// This is how an operator prepares decisions whose Roles are only manager.
func CanDraftDecision(a *Actor, cas *Case, t Transition) error {
	if !t.Decision {
		return Errorf(EINVALID, "L'azione «%s» non adotta un provvedimento.", t.Label)
	}
	return CanWorkCase(a, cas)
}

// CanApproveDecision reports whether a may approve or return a decision
// draft of cas: a manager of its office.
func CanApproveDecision(a *Actor, cas *Case) error {
	u, err := staffOf(a, cas)
	if err != nil {
		return err
	}
	if !managerOf(u, cas) {
		return Errorf(EFORBIDDEN, "Solo il dirigente dell'ufficio approva i provvedimenti.")
	}
	return nil
}

// CheckCaseTransition applies the rules of L. 241/1990 that the workflow table
// cannot express, given the case's clock events and its clock now:
//   - an integration request (document integration_request with a suspend
//     effect) only once per case (art. 2 c.7);
//   - on a SCIA, prohibition and conformation orders (a transition to
//     rejected, or one that suspends the control) only until the end of the
//     control window (art. 19 c.3; afterwards only self-protection powers,
//     art. 19 c.4 and art. 21-nonies, which are not a workflow transition).
//
// It returns ECONFLICT with an Italian message, or nil.
func CheckCaseTransition(cas *Case, t Transition, events []CaseClockEvent, clock *CaseClock) error {
	if t.Clock == ClockEffectSuspend && WaitingFor(t) == WaitingIntegration {
		if i := slices.IndexFunc(events, func(e CaseClockEvent) bool { return e.Kind == ClockSuspend && e.Cause == WaitingIntegration }); i >= 0 {
			return Errorf(ECONFLICT, "Le integrazioni si possono chiedere una sola volta (L. 241/1990, art. 2, c. 7): il termine è già stato sospeso il %s.",
				events[i].Date.Italian())
		}
	}
	if cas.Regime == RegimeSCIA && clock != nil && (t.To == CaseRejected || t.Clock == ClockEffectSuspend) &&
		!clock.ControlEnd.IsZero() && clock.At.After(clock.ControlEnd) {
		return Errorf(ECONFLICT, "Il periodo di controllo della SCIA è terminato il %s: non si può più vietare l'attività né ordinarne la conformazione (L. 241/1990, art. 19, c. 3); restano i poteri di autotutela (art. 19, c. 4).",
			clock.ControlEnd.Italian())
	}
	return nil
}
