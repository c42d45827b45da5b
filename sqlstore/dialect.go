// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// dialect is what differs between SQLite and PostgreSQL; implementations live in
// dialect_sqlite.go and dialect_postgres.go and nowhere else.
type dialect interface {
	name() string
	// open returns the write and read pools.
	open(ctx context.Context, dsn string) (write, read *sql.DB, err error)
	// rebind rewrites ? placeholders for the driver.
	rebind(q string) string
	// mapError turns driver errors into procedo errors (unique violation → ECONFLICT).
	mapError(err error) error
	// retryable reports whether a transaction failing with err may be retried.
	retryable(err error) bool
	// claimJobQuery returns the statement that leases the next due job.
	claimJobQuery(kinds int) string
	// migrationLock serialises concurrent migrations (several replicas starting).
	migrationLock(ctx context.Context, conn *sql.Conn) (unlock func(), err error)
	// ts converts a time to the value stored for it.
	ts(t time.Time) any
	// indexRow returns the full-text index values of a registration not yet
	// stored (nil if the dialect derives them in the database), so that group
	// commit computes them in the caller's goroutine instead of the single writer.
	indexRow(r *procedo.Registration) []any
	// indexRegistrations adds stored registrations (ID set) to the full-text
	// index, with the values of tx.index when indexRow computed them earlier.
	indexRegistrations(ctx context.Context, tx *Tx, regs []*procedo.Registration) error
	// reindexRegistration follows a correction of an indexed value in the
	// full-text index: old is the registration as it was indexed, r as it is now.
	reindexRegistration(ctx context.Context, tx *Tx, old, r *procedo.Registration) error
	// searchRegistrations plans a registration search (search_sqlite.go,
	// search_postgres.go): which table drives the scan, the full-text
	// condition on words, and the newest-first ORDER BY the chosen index yields.
	searchRegistrations(tid int64, f procedo.RegistrationFilter) registrationSearch
}

// rebindDollar rewrites ? placeholders to $1, $2, … skipping quoted strings,
// quoted identifiers and comments.
func rebindDollar(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch c {
		case '\'', '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c { // doubled quote escapes
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j >= len(q) {
				j = len(q) - 1
			}
			b.WriteString(q[i : j+1])
			i = j
		case '-':
			if i+1 < len(q) && q[i+1] == '-' {
				j := strings.IndexByte(q[i:], '\n')
				if j < 0 {
					b.WriteString(q[i:])
					return b.String()
				}
				b.WriteString(q[i : i+j])
				i += j - 1
				continue
			}
			b.WriteByte(c)
		case '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
