// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"crypto/sha256"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxLimiters bounds the limiters kept in memory; past it, idle ones are dropped.
const maxLimiters = 10_000

// tokenLimiter is a per-token rate limit kept in memory. With several replicas
// each applies it on its own: it protects a replica, not a global quota.
type tokenLimiter struct {
	limit rate.Limit
	burst int

	mu       sync.Mutex
	limiters map[[sha256.Size]byte]*rate.Limiter // by token hash: no secrets kept
}

func newTokenLimiter(limit rate.Limit, burst int) *tokenLimiter {
	return &tokenLimiter{limit: limit, burst: burst, limiters: map[[sha256.Size]byte]*rate.Limiter{}}
}

// allow reports whether one more request of token may run now. Call it only
// for valid tokens, so that the map cannot be filled with made-up ones.
func (l *tokenLimiter) allow(token string) bool {
	key := sha256.Sum256([]byte(token))
	now := time.Now()
	l.mu.Lock()
	lim, ok := l.limiters[key]
	if !ok {
		if len(l.limiters) >= maxLimiters {
			l.dropIdle(now)
		}
		lim = rate.NewLimiter(l.limit, l.burst)
		l.limiters[key] = lim
	}
	l.mu.Unlock()
	return lim.AllowN(now, 1)
}

// dropIdle forgets limiters that are full again: forgetting them changes nothing.
func (l *tokenLimiter) dropIdle(now time.Time) {
	for k, lim := range l.limiters {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.limiters, k)
		}
	}
}
