// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package jobs

import (
	"context"
	"log/slog"

	"github.com/procedo/procedo"
)

// OrphanBlobCollector deletes orphan blobs: those a draft dropped (deleted,
// expired, a file replaced) that nothing references any more.
type OrphanBlobCollector interface {
	// CollectOrphanBlobs re-checks the recorded candidates older than the
	// grace period, deletes the unreferenced ones and returns how many.
	// Only the system actor may call it.
	CollectOrphanBlobs(ctx context.Context) (int, error)
}

// BlobCollector runs the daily collection of orphan blobs (job kind
// procedo.JobCollectBlobs). The scheduler enqueues it once a day with a
// unique key, so one replica runs it.
type BlobCollector struct {
	Blobs  OrphanBlobCollector
	Logger *slog.Logger // nil means slog.Default()
}

// Handle implements Handler.
func (c *BlobCollector) Handle(ctx context.Context, job *procedo.Job) error {
	n, err := c.Blobs.CollectOrphanBlobs(procedo.NewContextWithActor(ctx, procedo.SystemActor))
	if err != nil {
		return err
	}
	log := c.Logger
	if log == nil {
		log = slog.Default()
	}
	log.Info("orphan blobs collected", "blobs", n, "job_id", job.ID)
	return nil
}
