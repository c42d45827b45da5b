// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/procedo/procedo"
)

type postgresDialect struct{}

func (postgresDialect) name() string { return "postgres" }

func (postgresDialect) open(ctx context.Context, dsn string) (*sql.DB, *sql.DB, error) {
	// Plan each query with its parameters (pgx "exec" mode) instead of caching
	// prepared statements: PostgreSQL's generic plans cannot see how selective a
	// LIKE pattern or a full-text query is, and over millions of registrations
	// the wrong plan costs seconds. Hot paths prepare their statements explicitly.
	if !strings.Contains(dsn, "default_query_exec_mode") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + "default_query_exec_mode=exec"
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(16)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, db, nil
}

func (postgresDialect) rebind(q string) string { return rebindDollar(q) }

func (postgresDialect) mapError(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return &procedo.Error{Code: procedo.ECONFLICT, Message: "Esiste già un elemento con questi dati.", Err: err}
		}
	}
	return err
}

// retryable: serialization failures and deadlocks may succeed on a new attempt.
func (postgresDialect) retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// claimJobQuery: FOR UPDATE SKIP LOCKED lets several replicas claim different
// jobs concurrently without waiting on each other.
func (postgresDialect) claimJobQuery(kinds int) string {
	return fmt.Sprintf(`UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = ?
WHERE id = (
  SELECT id FROM jobs
  WHERE kind IN (%s) AND ((state = 'queued' AND run_at <= ?) OR (state = 'running' AND locked_until < ?))
  ORDER BY run_at, id LIMIT 1
  FOR UPDATE SKIP LOCKED)
RETURNING id, tenant_id, kind, payload, attempts, max_attempts, run_at, last_error`, placeholders(kinds))
}

// migrationLock takes a session advisory lock so that replicas starting together
// migrate one at a time.
func (postgresDialect) migrationLock(ctx context.Context, conn *sql.Conn) (func(), error) {
	const key = 7_250_001 // arbitrary, fixed: "procedo migrations"
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		return nil, err
	}
	return func() { _, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", key) }, nil
}

func (postgresDialect) ts(t time.Time) any { return t.UTC() }
