// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package jobs runs background work from the database queue (procedo.JobStore):
// a pool of workers claims due jobs, runs the handler of their kind, and records
// success or a retry with backoff. It must not serve HTTP; one file per job kind.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/procedo/procedo"
)

// Handler runs one job. A returned error makes the job retry with backoff; a
// PermanentError makes it fail at once.
type Handler func(ctx context.Context, job *procedo.Job) error

// PermanentError marks a failure that retrying cannot fix (bad payload).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return "permanent: " + e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Runner is a worker pool over a JobStore.
type Runner struct {
	Store    procedo.JobStore
	Logger   *slog.Logger
	Workers  int           // concurrent jobs; default 2
	Poll     time.Duration // idle wait between claims; default 1s
	Lease    time.Duration // how long a claimed job is ours; default 5m
	Now      func() time.Time
	handlers map[string]Handler
	wake     chan struct{}
	mu       sync.Mutex
}

// Handle registers h for kind. Call before Run.
func (r *Runner) Handle(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handlers == nil {
		r.handlers = map[string]Handler{}
	}
	r.handlers[kind] = h
}

func (r *Runner) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		out = append(out, k)
	}
	return out
}

// Notify wakes idle workers now (after enqueueing in this process).
func (r *Runner) Notify() {
	r.mu.Lock()
	w := r.wake
	r.mu.Unlock()
	if w != nil {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// Run works until ctx is cancelled, then lets running jobs finish (draining)
// and returns.
func (r *Runner) Run(ctx context.Context) {
	workers, poll := r.Workers, r.Poll
	if workers <= 0 {
		workers = 2
	}
	if poll <= 0 {
		poll = time.Second
	}
	r.mu.Lock()
	r.wake = make(chan struct{}, workers)
	wake := r.wake
	r.mu.Unlock()
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				// Jobs run with a context that is not cancelled by shutdown, so that
				// a job in progress completes (drain); the loop stops claiming.
				worked, err := r.RunOnce(context.WithoutCancel(ctx))
				if err != nil {
					r.logger().Error("job queue", "error", err)
				}
				if ctx.Err() != nil {
					return
				}
				if worked {
					continue
				}
				select {
				case <-ctx.Done():
					return
				case <-wake:
				case <-time.After(poll):
				}
			}
		}()
	}
	wg.Wait()
}

// RunOnce claims and runs at most one due job; it reports whether it ran one.
func (r *Runner) RunOnce(ctx context.Context) (bool, error) {
	lease := r.Lease
	if lease <= 0 {
		lease = 5 * time.Minute
	}
	job, err := r.Store.ClaimJob(ctx, r.kinds(), lease)
	if err != nil || job == nil {
		return false, err
	}
	r.mu.Lock()
	h := r.handlers[job.Kind]
	r.mu.Unlock()
	jctx, cancel := context.WithTimeout(ctx, lease)
	defer cancel()
	start := time.Now()
	err = runSafely(jctx, h, job)
	log := r.logger().With("job_id", job.ID, "kind", job.Kind, "tenant_id", job.TenantID, "attempt", job.Attempts,
		"duration_ms", time.Since(start).Milliseconds())
	if err == nil {
		log.Info("job done")
		return true, r.Store.CompleteJob(ctx, job.ID)
	}
	var perm *PermanentError
	if errors.As(err, &perm) {
		log.Error("job failed permanently", "error", err)
		return true, r.Store.FailJob(ctx, job.ID, err.Error())
	}
	retryAt := r.now().Add(Backoff(job.Attempts))
	log.Warn("job failed, will retry", "error", err, "retry_at", retryAt)
	return true, r.Store.RetryJob(ctx, job.ID, err.Error(), retryAt)
}

func runSafely(ctx context.Context, h Handler, job *procedo.Job) (err error) {
	if h == nil {
		return &PermanentError{fmt.Errorf("no handler for %q", job.Kind)}
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, job)
}

// Backoff returns the wait before attempt n+1: 10 s doubling, at most 1 hour.
func Backoff(attempts int) time.Duration {
	d := 10 * time.Second * time.Duration(math.Pow(2, float64(max(attempts-1, 0))))
	if d > time.Hour || d <= 0 {
		return time.Hour
	}
	return d
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}
