// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"net/http"
	"time"

	"github.com/procedo/procedo"
)

// clockJSON is the legal clock of a case (schema CaseClock).
type clockJSON struct {
	CaseID         int64                  `json:"case_id"`
	At             procedo.Date           `json:"at"`
	Start          *procedo.Date          `json:"start"`
	TermDays       int                    `json:"term_days"`
	Regime         string                 `json:"regime"`
	Events         []clockEventJSON       `json:"events"`
	State          procedo.CaseClockState `json:"state"`
	StateLabel     string                 `json:"state_label"`
	SuspendedSince *procedo.Date          `json:"suspended_since"`
	SuspendedDays  int                    `json:"suspended_days"`
	ExtendedDays   int                    `json:"extended_days"`
	Waiting        procedo.CaseWaiting    `json:"waiting"`
	WaitingUntil   *procedo.Date          `json:"waiting_until"`
	DueDate        *procedo.Date          `json:"due_date"`
	DaysLeft       int                    `json:"days_left"`
	Overdue        bool                   `json:"overdue"`
	Late           bool                   `json:"late"`
	ClosedOn       *procedo.Date          `json:"closed_on"`
	SilenceFormed  *procedo.Date          `json:"silence_formed_on"`
	ControlEnd     *procedo.Date          `json:"control_end"`
	SubstituteDue  *procedo.Date          `json:"substitute_due_date"`
	Summary        string                 `json:"summary"`
	Labels         []string               `json:"labels"`
	Explanation    []string               `json:"explanation"`
}

// clockEventJSON is one stored event of a case's clock.
type clockEventJSON struct {
	ID         int64                  `json:"id"`
	Kind       procedo.ClockEventKind `json:"kind"`
	Date       procedo.Date           `json:"date"`
	Days       int                    `json:"days"`
	Cause      procedo.CaseWaiting    `json:"cause"`
	Reason     string                 `json:"reason"`
	Transition string                 `json:"transition"`
	ActorName  string                 `json:"actor_name"`
	CreatedAt  time.Time              `json:"created_at"`
}

func newClockJSON(c *procedo.CaseClock) clockJSON {
	out := clockJSON{CaseID: c.CaseID, At: c.At, Start: optDate(c.Start), TermDays: c.TermDays, Regime: c.Regime,
		Events: []clockEventJSON{}, State: c.State, StateLabel: c.StateLabel(), SuspendedSince: optDate(c.SuspendedSince),
		SuspendedDays: c.SuspendedDays, ExtendedDays: c.ExtendedDays, Waiting: c.Waiting, WaitingUntil: optDate(c.WaitingUntil),
		DueDate: optDate(c.Due), DaysLeft: c.DaysLeft, Overdue: c.Overdue, Late: c.Late, ClosedOn: optDate(c.ClosedOn),
		SilenceFormed: optDate(c.SilenceFormed), ControlEnd: optDate(c.ControlEnd), SubstituteDue: optDate(c.SubstituteDue),
		Summary: c.Summary(), Labels: c.Labels(), Explanation: c.Explanation}
	if out.Labels == nil {
		out.Labels = []string{}
	}
	if out.Explanation == nil {
		out.Explanation = []string{}
	}
	for _, e := range c.Events {
		out.Events = append(out.Events, clockEventJSON{ID: e.ID, Kind: e.Kind, Date: e.Date, Days: e.Days, Cause: e.Cause, Reason: e.Reason,
			Transition: e.Transition, ActorName: e.ActorName, CreatedAt: e.CreatedAt.UTC()})
	}
	return out
}

// handleCaseClock serves GET /api/v1/cases/{id}/clock: the legal clock of a
// case the caller may view, today or on the day of the "at" parameter.
func (s *Server) handleCaseClock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Pratica non trovata.")
	if err != nil {
		return err
	}
	fe := procedo.FieldErrors{}
	var at procedo.Date
	if d := queryDate(r, "at", fe); d != nil {
		at = *d
	}
	if err := fe.Err(); err != nil {
		return err
	}
	c, err := s.Cases.FindCaseClock(r.Context(), id, at)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newClockJSON(c))
}
