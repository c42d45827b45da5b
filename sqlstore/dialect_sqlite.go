// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/procedo/procedo"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

type sqliteDialect struct{}

func (sqliteDialect) name() string { return "sqlite" }

// open opens the file with pragmas, in this order and for these reasons:
//   - busy_timeout first, so that the pragmas below wait instead of failing when
//     another process holds the file;
//   - journal_mode=WAL: readers never block the writer nor the writer readers;
//   - synchronous=FULL: a commit is on disk before it returns. NORMAL would be
//     faster but may lose the last commits on power loss, and procedo shows a
//     protocol number only for durable data (DESIGN.md invariant 4);
//   - foreign_keys=ON: SQLite leaves them off by default.
//
// The write pool has one connection: SQLite has one writer anyway, and a single
// connection avoids SQLITE_BUSY between our own writers.
func (sqliteDialect) open(ctx context.Context, path string) (*sql.DB, *sql.DB, error) {
	if path == "" {
		return nil, nil, errors.New("empty SQLite path")
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, nil, err
		}
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(ON)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	write, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, nil, err
	}
	read, err := sql.Open("sqlite", dsn)
	if err != nil {
		write.Close()
		return nil, nil, err
	}
	n := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	return write, read, nil
}

func (sqliteDialect) rebind(q string) string { return q }

func (sqliteDialect) mapError(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &procedo.Error{Code: procedo.ECONFLICT, Message: "Esiste già un elemento con questi dati.", Err: err}
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return &procedo.Error{Code: procedo.EUNAVAILABLE, Message: "Il sistema è occupato, riprova tra poco.", Err: err}
		}
	}
	return err
}

func (sqliteDialect) retryable(err error) bool { return false }

// claimJobQuery: SQLite has a single writer, so a plain UPDATE … RETURNING of the
// oldest due job cannot hand the same job to two workers.
func (sqliteDialect) claimJobQuery(kinds int) string {
	return fmt.Sprintf(`UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = ?
WHERE id = (
  SELECT id FROM jobs
  WHERE kind IN (%s) AND ((state = 'queued' AND run_at <= ?) OR (state = 'running' AND locked_until < ?))
  ORDER BY run_at, id LIMIT 1)
RETURNING id, tenant_id, kind, payload, attempts, max_attempts, run_at, last_error`, placeholders(kinds))
}

// migrationLock: the single write connection plus BEGIN IMMEDIATE already
// serialise migrations on one file.
func (sqliteDialect) migrationLock(ctx context.Context, conn *sql.Conn) (func(), error) {
	return func() {}, nil
}

// sqliteTimeFormat is fixed-width RFC 3339 in UTC with microseconds, so that text
// comparison orders times correctly.
const sqliteTimeFormat = "2006-01-02T15:04:05.000000Z"

func (sqliteDialect) ts(t time.Time) any { return t.UTC().Format(sqliteTimeFormat) }
