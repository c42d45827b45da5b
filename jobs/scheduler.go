// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Task is periodic work that only enqueues jobs; it must be safe to run from
// several replicas at once (unique job keys make the jobs run once).
type Task struct {
	Name string
	Run  func(ctx context.Context) error
}

// Scheduler runs its tasks at start and then every Every, until ctx ends.
type Scheduler struct {
	Every  time.Duration // default 5 minutes
	Tasks  []Task
	Logger *slog.Logger
	// After is called after each round (tests; waking the runner).
	After func()
}

// Run runs the tasks until ctx is cancelled.
func (s *Scheduler) Run(ctx context.Context) {
	every := s.Every
	if every <= 0 {
		every = 5 * time.Minute
	}
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for _, task := range s.Tasks {
			if err := task.Run(ctx); err != nil && ctx.Err() == nil {
				log.Error("scheduled task failed", "task", task.Name, "error", err)
			}
		}
		if s.After != nil {
			s.After()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
