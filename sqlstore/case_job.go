// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/procedo/procedo"
)

var _ procedo.CaseClockJobs = (*CaseService)(nil)

// ScheduleCaseJobs enqueues, once per tenant and day, the daily case jobs
// (procedo.CaseJobKinds) for today. The unique job keys make this safe to run
// from several replicas at once and every few minutes.
func (db *DB) ScheduleCaseJobs(ctx context.Context) (err error) {
	defer procedo.Wrap(&err, "sqlstore.ScheduleCaseJobs")
	return db.scheduleDailyTenantJobs(ctx, procedo.CaseJobKinds...)
}

// scheduleDailyTenantJobs enqueues each job kind once per active tenant for
// today, payload {"day": "YYYY-MM-DD"}, under the unique key kind:tenant:day.
func (db *DB) scheduleDailyTenantJobs(ctx context.Context, kinds ...string) error {
	day := procedo.DateOf(db.Now())
	rows, err := db.query(ctx, `SELECT id FROM tenants WHERE suspended = ? ORDER BY id`, false)
	if err != nil {
		return err
	}
	var tenants []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		tenants = append(tenants, id)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	return db.transact(ctx, func(tx *Tx) error {
		for _, tid := range tenants {
			for _, kind := range kinds {
				if err := enqueueJob(ctx, tx, tid, kind, map[string]string{"day": day.String()},
					fmt.Sprintf("%s:%d:%s", kind, tid, day)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// requireSystem refuses anyone but procedo itself.
func requireSystem(ctx context.Context) error {
	if a := procedo.ActorFromContext(ctx); a == nil || a.Kind != procedo.ActorSystem {
		return procedo.Errorf(procedo.EFORBIDDEN, "Operazione riservata ai processi automatici.")
	}
	return nil
}

// caseIDs returns the ids of the cases selected by the condition (on cases c,
// after the tenant), oldest first.
func (s *CaseService) caseIDs(ctx context.Context, cond string, args ...any) ([]int64, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT c.id FROM cases c WHERE c.tenant_id = ? AND `+cond+` ORDER BY c.id`, append([]any{tid}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// ResumeLapsedSuspensions implements procedo.CaseClockJobs.
func (s *CaseService) ResumeLapsedSuspensions(ctx context.Context, day procedo.Date) (n int, err error) {
	defer procedo.Wrap(&err, "sqlstore.ResumeLapsedSuspensions(%s)", day)
	if err := requireSystem(ctx); err != nil {
		return 0, err
	}
	ids, err := s.caseIDs(ctx, `c.closed_at IS NULL AND c.clock_state = ? AND c.waiting_until IS NOT NULL AND c.waiting_until < ?`,
		procedo.ClockSuspended, day)
	if err != nil {
		return 0, err
	}
	tenant, cal := procedo.TenantFromContext(ctx), calendarOf(ctx)
	for _, id := range ids {
		cas, err := s.FindCaseByID(ctx, id)
		if err != nil {
			return n, err
		}
		err = s.db.transact(ctx, func(tx *Tx) error {
			events, err := s.clockEvents(ctx, tx, cas)
			if err != nil {
				return err
			}
			var extra []procedo.CaseClockEvent
			var reason string
			timeout := procedo.OpenSuspension(events)
			switch {
			case timeout == nil:
				reason = "Il termine riprende a decorrere il " + cas.WaitingUntil.Italian() + " (dieci giorni dopo le osservazioni, art. 10-bis)."
			case timeout.Cause == procedo.WaitingObservations:
				reason = "Decorsi 10 giorni dal preavviso di rigetto senza osservazioni, il termine riprende a decorrere dal " +
					cas.WaitingUntil.Italian() + " (art. 10-bis, L. 241/1990)."
			default:
				reason = "Decorsi 30 giorni dalla richiesta di integrazioni senza risposta, la sospensione termina il " +
					cas.WaitingUntil.Italian() + " e il termine riprende a decorrere (art. 2, c. 7, L. 241/1990)."
			}
			if timeout != nil {
				extra = []procedo.CaseClockEvent{{Kind: procedo.ClockResume, Date: cas.WaitingUntil, Reason: "ripresa automatica"}}
			}
			if err := s.refreshClock(ctx, tx, cas, cal, day, extra); err != nil {
				return err
			}
			if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventClock, FromStatus: cas.Status,
				ToStatus: cas.Status, Reason: reason}); err != nil {
				return err
			}
			if timeout != nil {
				notice := procedo.CaseNotice{Tenant: tenant, Case: cas, BaseURL: s.db.BaseURL}
				subject, body := notice.ToApplicant("il termine riprende a decorrere", reason, "Nuova scadenza: "+cas.DueDate.Italian()+".")
				if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: tenant.ID, To: cas.ApplicantEmail, Subject: subject, Body: body}); err != nil {
					return err
				}
				if err := s.notifyOffice(ctx, tx, cas, "sospensione terminata", reason, "Nuova scadenza: "+cas.DueDate.Italian()+"."); err != nil {
					return err
				}
			}
			return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.clock_resume", ObjectType: "case", ObjectID: itoa(cas.ID),
				Detail: cas.DueDate.String()})
		})
		if err != nil {
			return n, fmt.Errorf("pratica %d: %w", id, err)
		}
		n++
	}
	return n, nil
}

// FormSilentAssent implements procedo.CaseClockJobs.
func (s *CaseService) FormSilentAssent(ctx context.Context, day procedo.Date) (n int, err error) {
	defer procedo.Wrap(&err, "sqlstore.FormSilentAssent(%s)", day)
	if err := requireSystem(ctx); err != nil {
		return 0, err
	}
	ids, err := s.caseIDs(ctx, `c.closed_at IS NULL AND c.clock_state = ? AND c.due_date < ? AND c.regime = ? AND c.silence_formed_on IS NULL`,
		procedo.ClockRunning, day, procedo.SilenceAssent)
	if err != nil {
		return 0, err
	}
	tenant, cal := procedo.TenantFromContext(ctx), calendarOf(ctx)
	for _, id := range ids {
		cas, err := s.FindCaseByID(ctx, id)
		if err != nil {
			return n, err
		}
		events, err := s.clockEvents(ctx, s.db, cas)
		if err != nil {
			return n, err
		}
		clock, err := procedo.ComputeCaseClock(cas, events, cal, day)
		if err != nil {
			return n, err
		}
		if !clock.Overdue {
			continue
		}
		formed := clock.Due.AddDays(1)
		err = s.db.transact(ctx, func(tx *Tx) error {
			res, err := tx.exec(ctx, `UPDATE cases SET silence_formed_on = ?, updated_at = ? WHERE tenant_id = ? AND id = ?
				AND silence_formed_on IS NULL AND closed_at IS NULL AND clock_state = ?`, formed, s.db.ts(tx.now), cas.TenantID, cas.ID, procedo.ClockRunning)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil // decided or suspended meanwhile
			}
			cas.SilenceFormedOn = formed
			reason := "Il termine di " + procedo.FormatDays(cas.TermDays) + " è scaduto il " + clock.Due.Italian() +
				" senza un provvedimento espresso: dal " + formed.Italian() + " l'istanza si intende accolta per silenzio-assenso (art. 20, L. 241/1990)."
			if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventSilence, FromStatus: cas.Status,
				ToStatus: cas.Status, Reason: reason}); err != nil {
				return err
			}
			subject, body := procedo.CaseNotice{Tenant: tenant, Case: cas, BaseURL: s.db.BaseURL}.ToApplicant("silenzio-assenso", reason,
				"Puoi chiedere l'attestazione del silenzio-assenso dalla pagina della pratica (art. 20, c. 2-bis).")
			if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: tenant.ID, To: cas.ApplicantEmail, Subject: subject, Body: body}); err != nil {
				return err
			}
			if err := s.notifyOffice(ctx, tx, cas, "silenzio-assenso formato", reason); err != nil {
				return err
			}
			return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.silence_formed", ObjectType: "case", ObjectID: itoa(cas.ID),
				Detail: formed.String()})
		})
		if err != nil {
			return n, fmt.Errorf("pratica %d: %w", id, err)
		}
		n++
	}
	return n, nil
}

// alertOnce records that the alert (kind, threshold) for the current due date
// of cas was sent; it reports false if it already was.
func alertOnce(ctx context.Context, tx *Tx, cas *procedo.Case, kind string, threshold int) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO case_alerts (tenant_id, case_id, kind, threshold, due_date, sent_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, case_id, kind, threshold, due_date) DO NOTHING`, cas.TenantID, cas.ID, kind, threshold, cas.DueDate, tx.db.ts(tx.now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RemindExpiringCases implements procedo.CaseClockJobs.
func (s *CaseService) RemindExpiringCases(ctx context.Context, day procedo.Date) (n int, err error) {
	defer procedo.Wrap(&err, "sqlstore.RemindExpiringCases(%s)", day)
	if err := requireSystem(ctx); err != nil {
		return 0, err
	}
	thresholds := slices.Sorted(slices.Values(procedo.ReminderThresholds))
	ids, err := s.caseIDs(ctx, `c.closed_at IS NULL AND c.clock_state = ? AND c.due_date >= ? AND c.due_date <= ?`,
		procedo.ClockRunning, day, day.AddDays(thresholds[len(thresholds)-1]))
	if err != nil {
		return 0, err
	}
	tenant := procedo.TenantFromContext(ctx)
	for _, id := range ids {
		cas, err := s.FindCaseByID(ctx, id)
		if err != nil {
			return n, err
		}
		left := day.DaysUntil(cas.DueDate)
		i := slices.IndexFunc(thresholds, func(t int) bool { return left <= t })
		if i < 0 {
			continue
		}
		sent := false
		err = s.db.transact(ctx, func(tx *Tx) error {
			if sent, err = alertOnce(ctx, tx, cas, "reminder", thresholds[i]); err != nil || !sent {
				return err
			}
			what := "Il termine del procedimento scade il " + cas.DueDate.Italian() + ": mancano " + procedo.FormatDays(left) + "."
			if left == 0 {
				what = "Il termine del procedimento scade oggi, " + cas.DueDate.Italian() + "."
			}
			if err := s.notifyOffice(ctx, tx, cas, "in scadenza il "+cas.DueDate.Italian(), what); err != nil {
				return err
			}
			if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventAlert, FromStatus: cas.Status,
				ToStatus: cas.Status, Reason: what}); err != nil {
				return err
			}
			return recordAudit(ctx, tx, &procedo.AuditEvent{TenantID: tenant.ID, Action: "case.reminder", ObjectType: "case", ObjectID: itoa(cas.ID),
				Detail: fmt.Sprintf("%d", thresholds[i])})
		})
		if err != nil {
			return n, fmt.Errorf("pratica %d: %w", id, err)
		}
		if sent {
			n++
		}
	}
	return n, nil
}

// AlertOverdueCases implements procedo.CaseClockJobs.
func (s *CaseService) AlertOverdueCases(ctx context.Context, day procedo.Date) (n int, err error) {
	defer procedo.Wrap(&err, "sqlstore.AlertOverdueCases(%s)", day)
	if err := requireSystem(ctx); err != nil {
		return 0, err
	}
	ids, err := s.caseIDs(ctx, `c.closed_at IS NULL AND c.clock_state = ? AND c.due_date < ?`, procedo.ClockRunning, day)
	if err != nil {
		return 0, err
	}
	tenant := procedo.TenantFromContext(ctx)
	for _, id := range ids {
		cas, err := s.FindCaseByID(ctx, id)
		if err != nil {
			return n, err
		}
		sent := false
		err = s.db.transact(ctx, func(tx *Tx) error {
			if sent, err = alertOnce(ctx, tx, cas, "overdue", 0); err != nil || !sent {
				return err
			}
			what := "Il termine del procedimento è scaduto il " + cas.DueDate.Italian() + " senza che la pratica sia stata conclusa."
			if !cas.SilenceFormedOn.IsZero() {
				what += " Si è formato il silenzio-assenso il " + cas.SilenceFormedOn.Italian() + "."
			}
			to, err := responsibleAddress(ctx, tx, cas)
			if err != nil {
				return err
			}
			managers, err := managerAddresses(ctx, tx, cas)
			if err != nil {
				return err
			}
			subject, body := procedo.CaseNotice{Tenant: tenant, Case: cas, BaseURL: s.db.BaseURL}.ToStaff("termine scaduto", what)
			recipients := []string{to}
			for _, m := range managers {
				if !slices.Contains(recipients, m) {
					recipients = append(recipients, m)
				}
			}
			for _, addr := range recipients {
				if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: tenant.ID, To: addr, Subject: subject, Body: body}); err != nil {
					return err
				}
			}
			if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: procedo.CaseEventAlert, FromStatus: cas.Status,
				ToStatus: cas.Status, Reason: what}); err != nil {
				return err
			}
			return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "case.overdue_alert", ObjectType: "case", ObjectID: itoa(cas.ID),
				Detail: cas.DueDate.String()})
		})
		if err != nil {
			return n, fmt.Errorf("pratica %d: %w", id, err)
		}
		if sent {
			n++
		}
	}
	return n, nil
}
