// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"slices"

	"github.com/procedo/procedo"
)

// The legal clock of a case is its rows of case_clock_events; the case row
// keeps what worklists need (clock_state, due_date, waiting, waiting_until),
// rewritten in the transaction of every clock event from the engine's answer.

const clockEventColumns = `id, case_id, kind, day, days, cause, reason, transition, actor_name, created_at`

// clockEvents returns the clock events of cas, in the order they were recorded.
func (s *CaseService) clockEvents(ctx context.Context, q querier, cas *procedo.Case) ([]procedo.CaseClockEvent, error) {
	rows, err := q.query(ctx, `SELECT `+clockEventColumns+` FROM case_clock_events WHERE tenant_id = ? AND case_id = ? ORDER BY id`,
		cas.TenantID, cas.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []procedo.CaseClockEvent
	for rows.Next() {
		var e procedo.CaseClockEvent
		if err := rows.Scan(&e.ID, &e.CaseID, &e.Kind, &e.Date, &e.Days, &e.Cause, &e.Reason, &e.Transition, &e.ActorName,
			timeValue{&e.CreatedAt}); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// insertClockEvents stores events of cas, recorded by the actor in ctx.
func insertClockEvents(ctx context.Context, tx *Tx, cas *procedo.Case, events []procedo.CaseClockEvent) error {
	a := procedo.ActorFromContext(ctx)
	for i := range events {
		e := &events[i]
		e.CaseID, e.ActorName, e.CreatedAt = cas.ID, a.Name(), tx.now
		id, err := tx.insert(ctx, `INSERT INTO case_clock_events (tenant_id, case_id, kind, day, days, cause, reason, transition, actor, actor_name,
			created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, cas.TenantID, cas.ID, e.Kind, e.Date, e.Days, e.Cause, truncate(e.Reason, 1000),
			e.Transition, a.Ref(), e.ActorName, tx.db.ts(tx.now))
		if err != nil {
			return err
		}
		e.ID = id
	}
	return nil
}

// applyClock stores the planned events of cas (after events) and sets in upd
// the case row's new clock, as the engine computes it on today. Waiting and
// waiting_until follow the last planned event: a suspension waits until its
// deadline (SuspensionDeadline); a resume scheduled in the future (10-bis)
// keeps the clock suspended until that day; anything else ends the wait.
func (s *CaseService) applyClock(ctx context.Context, tx *Tx, cas *procedo.Case, events, planned []procedo.CaseClockEvent,
	cal procedo.Calendar, today procedo.Date, upd *caseUpdate) error {
	if len(planned) == 0 && !upd.closed {
		return nil
	}
	if err := insertClockEvents(ctx, tx, cas, planned); err != nil {
		return err
	}
	all := append(slices.Clone(events), planned...)
	open := *cas
	open.ClosedAt, open.Status = nil, procedo.CaseInReview // the clock as if still running, for the due date
	c, err := procedo.ComputeCaseClock(&open, all, cal, today)
	if err != nil {
		return err
	}
	rc := &rowClock{state: c.State, due: c.Due, waiting: cas.Waiting, waitingUntil: cas.WaitingUntil}
	if n := len(planned); n > 0 && planned[n-1].Kind != procedo.ClockExtend {
		last := planned[n-1]
		rc.waiting, rc.waitingUntil = procedo.WaitingNothing, procedo.Date{}
		switch {
		case last.Kind == procedo.ClockSuspend:
			rc.waiting, rc.waitingUntil = last.Cause, procedo.SuspensionDeadline(last.Cause, last.Date)
		case last.Kind == procedo.ClockResume && last.Date.After(today):
			rc.waitingUntil = last.Date
		}
	}
	upd.clock = rc
	return nil
}

// refreshClock recomputes the row clock of cas from its stored events on day
// (used when a scheduled resume or a lapsed suspension takes effect).
func (s *CaseService) refreshClock(ctx context.Context, tx *Tx, cas *procedo.Case, cal procedo.Calendar, day procedo.Date, extra []procedo.CaseClockEvent) error {
	events, err := s.clockEvents(ctx, tx, cas)
	if err != nil {
		return err
	}
	if err := insertClockEvents(ctx, tx, cas, extra); err != nil {
		return err
	}
	c, err := procedo.ComputeCaseClock(cas, append(events, extra...), cal, day)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE cases SET clock_state = ?, due_date = ?, waiting = ?, waiting_until = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ? AND closed_at IS NULL`, c.State, c.Due, "", nil, s.db.ts(tx.now), cas.TenantID, cas.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errConcurrent
	}
	cas.ClockState, cas.DueDate, cas.Waiting, cas.WaitingUntil, cas.UpdatedAt = c.State, c.Due, "", procedo.Date{}, tx.now
	return nil
}

// FindCaseClock implements procedo.CaseService.
func (s *CaseService) FindCaseClock(ctx context.Context, caseID int64, at procedo.Date) (_ *procedo.CaseClock, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindCaseClock(%d)", caseID)
	cas, err := s.FindCaseByID(ctx, caseID)
	if err != nil {
		return nil, err
	}
	events, err := s.clockEvents(ctx, s.db, cas)
	if err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = procedo.DateOf(s.db.Now())
	}
	return procedo.ComputeCaseClock(cas, events, calendarOf(ctx), at)
}

// calendarOf returns the legal calendar of the tenant in ctx.
func calendarOf(ctx context.Context) procedo.Calendar {
	if t := procedo.TenantFromContext(ctx); t != nil {
		return procedo.Calendar{PatronDay: t.PatronDay}
	}
	return procedo.Calendar{}
}
