// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package jobs

import (
	"context"
	"log/slog"

	"github.com/procedo/procedo"
)

// OpinionDeadlineWorker runs the daily alert on opinions past their deadline
// for one tenant (job kind procedo.JobOpinionDeadlines, payload {"day":
// "YYYY-MM-DD"}). The scheduler enqueues it with a unique key per tenant and
// day; the store alerts on each opinion once, so a retried job sends nothing
// twice.
type OpinionDeadlineWorker struct {
	Tenants  procedo.TenantService
	Opinions procedo.OpinionJobs
	Logger   *slog.Logger // nil logs nothing
}

// Handle implements Handler.
func (w *OpinionDeadlineWorker) Handle(ctx context.Context, job *procedo.Job) error {
	ctx, tenant, day, err := tenantDay(ctx, w.Tenants, job)
	if err != nil {
		return err
	}
	n, err := w.Opinions.AlertOverdueOpinions(ctx, day)
	if w.Logger != nil && n > 0 {
		w.Logger.Info("overdue opinions alerted", "tenant_id", tenant.ID, "day", day.String(), "opinions", n)
	}
	return err
}
