// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package jobs

import (
	"context"
	"log/slog"

	"github.com/procedo/procedo"
)

// DraftPurger deletes the application drafts that have expired (job kind
// procedo.JobPurgeDrafts), in every tenant. The scheduler enqueues the job
// once a day with a unique key, so one replica runs it.
type DraftPurger struct {
	Drafts procedo.DraftService
	Logger *slog.Logger // nil means slog.Default()
}

// Handle implements Handler.
func (p *DraftPurger) Handle(ctx context.Context, job *procedo.Job) error {
	n, err := p.Drafts.PurgeExpiredDrafts(procedo.NewContextWithActor(ctx, procedo.SystemActor))
	if err != nil {
		return err
	}
	log := p.Logger
	if log == nil {
		log = slog.Default()
	}
	log.Info("expired drafts purged", "drafts", n, "job_id", job.ID)
	return nil
}
