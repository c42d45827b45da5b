// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"fmt"
	"slices"
	"time"
)

// CaseClockState is the state of a case's legal clock.
type CaseClockState string

// States of the clock of a case.
const (
	ClockRunning   CaseClockState = "running"   // the term runs
	ClockSuspended CaseClockState = "suspended" // the term stands still (integrations, 10-bis, opinions)
	ClockStopped   CaseClockState = "stopped"   // the procedure is concluded
)

// Label returns the Italian name of the state.
func (s CaseClockState) Label() string {
	switch s {
	case ClockRunning:
		return "Termine in corso"
	case ClockSuspended:
		return "Termine sospeso"
	case ClockStopped:
		return "Procedimento concluso"
	}
	return string(s)
}

// CaseWaiting is what a suspended case waits for; it is also the cause of a
// suspension recorded with the clock event.
type CaseWaiting string

// Causes of a suspension.
const (
	WaitingNothing      CaseWaiting = ""             // not waiting (or a scheduled resume)
	WaitingIntegration  CaseWaiting = "integration"  // the applicant's integrations (art. 2 c.7): at most IntegrationMaxDays
	WaitingObservations CaseWaiting = "observations" // the applicant's observations on a 10-bis notice: ObservationDays
	WaitingOpinion      CaseWaiting = "opinion"      // opinions or assessments (art. 16-17), conformation (art. 19 c.3), other suspensions of the model
)

// Label returns the Italian description, e.g. "in attesa di integrazioni".
func (w CaseWaiting) Label() string {
	switch w {
	case WaitingIntegration:
		return "in attesa delle integrazioni del richiedente"
	case WaitingObservations:
		return "in attesa delle osservazioni del richiedente (preavviso di rigetto)"
	case WaitingOpinion:
		return "in attesa di pareri o di adempimenti"
	}
	return ""
}

// FromApplicant reports whether the applicant is the one expected to act.
func (w CaseWaiting) FromApplicant() bool {
	return w == WaitingIntegration || w == WaitingObservations
}

// Limits of the suspensions of L. 241/1990.
const (
	IntegrationMaxDays = 30 // art. 2 c.7: the term is suspended once, for at most 30 days
	ObservationDays    = 10 // art. 10-bis: 10 days for observations; the term resumes 10 days after them
)

// WaitingFor returns the cause of the suspension transition t records: an
// integration request (document integration_request), a 10-bis notice
// (document notice_10bis or target state notice_10bis), anything else an
// opinion or other suspension.
func WaitingFor(t Transition) CaseWaiting {
	switch {
	case t.Document == DocIntegrationRequest:
		return WaitingIntegration
	case t.Document == DocNotice10bis || t.To == CaseNotice10bis:
		return WaitingObservations
	}
	return WaitingOpinion
}

// SuspensionDeadline returns the day on which a suspension of cause w started
// on from ends by itself, or the zero Date if it lasts until the office resumes
// it. Integrations: 30 days both included (from … from+29, art. 2 c.7);
// observations: the tenth day after the notice (art. 10-bis), when the term
// resumes if no observation came.
func SuspensionDeadline(w CaseWaiting, from Date) Date {
	switch w {
	case WaitingIntegration:
		return from.AddDays(IntegrationMaxDays - 1)
	case WaitingObservations:
		return from.AddDays(ObservationDays)
	}
	return Date{}
}

// ResumeDate returns the day the clock resumes when a suspension of cause w
// started on from is answered (integrations, observations, or the office's
// resume) on day on: integrations never past the 30th day; after observations
// the term resumes ten days later (art. 10-bis as amended by DL 76/2020), or on
// the tenth day after the notice if they came late; otherwise on.
func ResumeDate(w CaseWaiting, from, on Date) Date {
	switch w {
	case WaitingIntegration:
		if end := SuspensionDeadline(w, from); on.After(end) {
			return end
		}
	case WaitingObservations:
		if end := SuspensionDeadline(w, from); on.After(end) {
			return end
		}
		return on.AddDays(ObservationDays)
	}
	return on
}

// SubstituteTermDays returns the term of the holder of the substitute power:
// half the original term, rounded up (art. 2 c.9-ter).
func SubstituteTermDays(termDays int) int { return (termDays + 1) / 2 }

// CaseClockEvent is a stored event of a case's clock (DESIGN.md ClockEvent).
type CaseClockEvent struct {
	ID         int64
	CaseID     int64
	Kind       ClockEventKind // start, suspend, resume, interrupt, extend
	Date       Date           // legal day of the event; a resume may be scheduled in the future (10-bis)
	Days       int            // ClockExtend only
	Cause      CaseWaiting    // ClockSuspend: what the case waits for; ClockExtend: "extension-N", N the index of the model's extension
	Reason     string         // Italian, with the legal basis (shown in the explanation)
	Transition string         // the transition that caused it, "" for automatic events
	ActorName  string
	CreatedAt  time.Time
}

// ClockEvent returns the event for the legal-time engine.
func (e CaseClockEvent) ClockEvent() ClockEvent {
	return ClockEvent{Kind: e.Kind, Date: e.Date, Days: e.Days, Reason: e.Reason}
}

// OpenSuspension returns the suspension not yet matched by a resume (counting,
// not by date: a scheduled resume closes it), or nil.
func OpenSuspension(events []CaseClockEvent) *CaseClockEvent {
	var open []int
	for i, e := range events {
		switch e.Kind {
		case ClockSuspend:
			open = append(open, i)
		case ClockResume:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
	}
	if len(open) == 0 {
		return nil
	}
	e := events[open[len(open)-1]]
	return &e
}

// PlanClockEffect returns the clock events that applying effect on day on
// records, given the events so far: suspend when no suspension is open (cause
// w); resume (on ResumeDate) when one is; interrupt (closing an open
// suspension on the same day first). Start, stop and none record nothing: the
// term starts at filing and stopping is the closing of the case. reason is
// the Italian reason stored with the events.
func PlanClockEffect(events []CaseClockEvent, effect ClockEffect, on Date, w CaseWaiting, reason string) []CaseClockEvent {
	open := OpenSuspension(events)
	switch effect {
	case ClockEffectSuspend:
		if open != nil {
			return nil
		}
		return []CaseClockEvent{{Kind: ClockSuspend, Date: on, Cause: w, Reason: reason}}
	case ClockEffectResume:
		if open == nil {
			return nil
		}
		return []CaseClockEvent{{Kind: ClockResume, Date: ResumeDate(open.Cause, open.Date, on), Reason: reason}}
	case ClockEffectInterrupt:
		var out []CaseClockEvent
		if open != nil {
			out = append(out, CaseClockEvent{Kind: ClockResume, Date: laterDate(on, open.Date), Reason: reason})
		}
		return append(out, CaseClockEvent{Kind: ClockInterrupt, Date: on, Reason: reason})
	}
	return nil
}

// CaseClock is the legal clock of a case on a day: what the case page, the
// worklists and GET /api/v1/cases/{id}/clock show. It is computed by the
// legal-time engine (Term.Compute) from the case's start, its version's term
// and its clock events, with the tenant's calendar.
type CaseClock struct {
	CaseID         int64
	At             Date             // the day computed for (the closing day for a closed case)
	Start          Date             // start of the term (not counted)
	TermDays       int              // legal term of the version
	Regime         string           // Case.Regime
	Events         []CaseClockEvent // oldest first
	State          CaseClockState   // running, suspended, stopped
	SuspendedSince Date             // first day of the open suspension; zero unless suspended
	SuspendedDays  int              // days added by suspensions since the term last (re)started
	ExtendedDays   int              // days added by extensions
	Waiting        CaseWaiting      // Case.Waiting
	WaitingUntil   Date             // Case.WaitingUntil
	Due            Date             // due date, moved to a working day; while suspended, the due date if the term ran again the next day
	DaysLeft       int              // from At to Due: 0 on the last day, negative when overdue
	Overdue        bool             // the term lapsed and the case is open (never while suspended)
	Late           bool             // Case.Late
	ClosedOn       Date             // day the case was concluded; zero if open
	SilenceFormed  Date             // Case.SilenceFormedOn
	ControlEnd     Date             // SCIA: last day of the control window (art. 19 c.3, with suspensions); zero otherwise
	SubstituteDue  Date             // Case.SubstituteDueDate
	Explanation    []string         // Italian, step by step, from Term.Compute
}

// ComputeCaseClock computes the clock of cas on day at with the calendar of
// its tenant. For a closed case the clock is computed on its closing day. It
// returns EINVALID if the stored events are inconsistent (Term.Compute).
func ComputeCaseClock(cas *Case, events []CaseClockEvent, cal Calendar, at Date) (*CaseClock, error) {
	c := &CaseClock{CaseID: cas.ID, At: at, Start: cas.StartDate, TermDays: cas.TermDays, Regime: cas.Regime,
		Events: events, Waiting: cas.Waiting, WaitingUntil: cas.WaitingUntil, Late: cas.Late,
		SilenceFormed: cas.SilenceFormedOn, SubstituteDue: cas.SubstituteDueDate}
	if cas.ClosedAt != nil {
		c.ClosedOn = DateOf(*cas.ClosedAt)
		if c.At.IsZero() || c.ClosedOn.Before(c.At) {
			c.At = c.ClosedOn
		}
	}
	if c.At.IsZero() {
		return nil, Errorf(EINVALID, "Manca la data a cui calcolare il termine.")
	}
	t := Term{Start: cas.StartDate, Days: cas.TermDays, Calendar: cal}
	for _, e := range events {
		t.Events = append(t.Events, e.ClockEvent())
	}
	st, err := t.Compute(c.At)
	if err != nil {
		return nil, err
	}
	c.Due, c.DaysLeft, c.SuspendedDays, c.Explanation = st.Due, st.DaysLeft, st.SuspendedDays, st.Explanation
	// Walk the events up to At, like the engine, for the open suspension and
	// the extensions since the last interruption.
	sorted := slices.Clone(events)
	slices.SortStableFunc(sorted, func(a, b CaseClockEvent) int { return a.Date.Compare(b.Date) })
	var stack []Date
	for _, e := range sorted {
		if e.Date.After(c.At) {
			break
		}
		switch e.Kind {
		case ClockSuspend:
			stack = append(stack, e.Date)
		case ClockResume:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case ClockInterrupt:
			stack, c.ExtendedDays = nil, 0
		case ClockExtend:
			c.ExtendedDays += e.Days
		}
	}
	switch {
	case cas.ClosedAt != nil || cas.Status.Closed():
		c.State = ClockStopped
	case st.Suspended:
		c.State = ClockSuspended
		if len(stack) > 0 {
			c.SuspendedSince = stack[0]
		}
	default:
		c.State = ClockRunning
		c.Overdue = st.Overdue
	}
	if cas.Regime == RegimeSCIA {
		c.ControlEnd = c.Due
	}
	return c, nil
}

// StateLabel returns the Italian state of the clock.
func (c *CaseClock) StateLabel() string { return c.State.Label() }

// Summary returns one Italian sentence on the clock, for lists and badges:
// "Scade il 12/03/2026: mancano 5 giorni", "Scaduto il …", "Sospeso dal …".
func (c *CaseClock) Summary() string {
	switch c.State {
	case ClockStopped:
		s := "Concluso il " + c.ClosedOn.Italian()
		if c.Late {
			s += " oltre il termine (scadenza " + c.Due.Italian() + ")"
		}
		return s
	case ClockSuspended:
		s := "Termine sospeso dal " + c.SuspendedSince.Italian()
		if w := c.Waiting.Label(); w != "" {
			s += ", " + w
		}
		if !c.WaitingUntil.IsZero() {
			s += "; riprende al più tardi il " + c.WaitingUntil.Italian()
		}
		return s
	}
	switch {
	case c.Overdue:
		return fmt.Sprintf("Scaduto il %s, da %s", c.Due.Italian(), FormatDays(-c.DaysLeft))
	case c.DaysLeft == 0:
		return "Scade oggi, " + c.Due.Italian()
	}
	return fmt.Sprintf("Scade il %s: mancano %s", c.Due.Italian(), FormatDays(c.DaysLeft))
}

// Labels returns short Italian badges for the clock's notable conditions.
func (c *CaseClock) Labels() []string {
	var out []string
	out = append(out, c.State.Label())
	if c.Overdue {
		out = append(out, "Scaduto")
	} else if c.State == ClockRunning && c.DaysLeft <= DefaultExpiringDays {
		out = append(out, "In scadenza")
	}
	if c.Late {
		out = append(out, "Concluso in ritardo")
	}
	if !c.SilenceFormed.IsZero() {
		out = append(out, "Silenzio-assenso formato")
	}
	if c.Regime == RegimeSCIA {
		if c.State != ClockStopped && !c.At.After(c.ControlEnd) {
			out = append(out, "SCIA efficace, in controllo")
		} else {
			out = append(out, "SCIA efficace, controllo concluso")
		}
	}
	if !c.SubstituteDue.IsZero() {
		out = append(out, "Potere sostitutivo attivato")
	}
	return out
}
