// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package jobs

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/procedo/procedo"
)

// CaseClockWorker runs the daily work of the legal clock of one tenant (job
// kinds procedo.CaseJobKinds, payload {"day": "YYYY-MM-DD"}): time-outs of
// suspensions, silenzio-assenso formation, near-expiry reminders and overdue
// alerts. The jobs are enqueued by the scheduler with unique keys, so each
// runs once per tenant and day even with several replicas; the store's
// methods are idempotent, so a retried job sends nothing twice.
type CaseClockWorker struct {
	Tenants procedo.TenantService
	Cases   procedo.CaseClockJobs
	Logger  *slog.Logger
}

// Handle implements Handler.
func (w *CaseClockWorker) Handle(ctx context.Context, job *procedo.Job) error {
	var run func(context.Context, procedo.Date) (int, error)
	switch job.Kind {
	case procedo.JobCaseTimeouts:
		run = w.Cases.ResumeLapsedSuspensions
	case procedo.JobCaseSilence:
		run = w.Cases.FormSilentAssent
	case procedo.JobCaseReminders:
		run = w.Cases.RemindExpiringCases
	case procedo.JobCaseOverdue:
		run = w.Cases.AlertOverdueCases
	default:
		return &PermanentError{fmt.Errorf("unknown case job %q", job.Kind)}
	}
	ctx, tenant, day, err := tenantDay(ctx, w.Tenants, job)
	if err != nil {
		return err
	}
	n, err := run(ctx, day)
	if w.Logger != nil && n > 0 {
		w.Logger.Info("case clock job", "kind", job.Kind, "tenant_id", tenant.ID, "day", day.String(), "cases", n)
	}
	return err
}

// HandleAll registers w for every daily case job kind on r.
func (w *CaseClockWorker) HandleAll(r *Runner) {
	for _, k := range procedo.CaseJobKinds {
		r.Handle(k, w.Handle)
	}
}
