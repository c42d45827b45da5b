// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package sqlstore implements procedo's services on SQLite and PostgreSQL with
// hand-written SQL through database/sql. It owns the schema and its migrations.
// Queries are written once with ? placeholders; dialect-specific code lives only in
// paired *_sqlite.go / *_postgres.go files. It must not render HTML or JSON.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/procedo/procedo"
)

// DB is a connection to the database, with a write pool and a read pool (the same
// pool on PostgreSQL; on SQLite one writer connection and several readers, which
// is how SQLite in WAL mode wants to be used).
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect dialect
	DSN     string

	// Now returns the current time; tests replace it with a fixed clock.
	Now func() time.Time
	// Logger receives warnings (retries); defaults to slog.Default().
	Logger *slog.Logger
	// Blobs stores document content. Required by services that store files.
	Blobs procedo.BlobStore
	// Renderer renders issued documents (decisions) to PDF.
	Renderer procedo.Renderer
	// BaseURL is the public URL of the installation, used in notification texts.
	BaseURL string

	registrar registrar
	stmts     sync.Map // SQL text → *sql.Stmt prepared on the write pool (hot paths only)
	registers sync.Map // tenant id → *procedo.Register: the ordinary register never changes
}

// Open connects to dsn: "sqlite:PATH" (or a bare path) or a postgres:// URL. It
// does not migrate: call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var (
		d   dialect
		err error
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		d = postgresDialect{}
	case strings.HasPrefix(dsn, "sqlite:"):
		d = sqliteDialect{}
		dsn = strings.TrimPrefix(dsn, "sqlite:")
	case dsn != "" && !strings.Contains(dsn, "://"):
		d = sqliteDialect{}
	default:
		return nil, fmt.Errorf("sqlstore: unsupported database URL %q (use sqlite:PATH or postgres://…)", redact(dsn))
	}
	db := &DB{dialect: d, DSN: dsn, Now: time.Now, Logger: slog.Default()}
	db.write, db.read, err = d.open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", d.name(), err)
	}
	return db, nil
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name() }

// Close stops the group-commit goroutine and closes both pools.
func (db *DB) Close() error {
	if db.registrar.quit != nil {
		close(db.registrar.quit)
	}
	db.stmts.Range(func(_, s any) bool { s.(*sql.Stmt).Close(); return true })
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks the database is reachable (health checks).
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Tx is a write transaction with one "now" for everything it stores.
type Tx struct {
	tx      *sql.Tx
	db      *DB
	now     time.Time
	prepare []string // statements to prepare once the transaction has ended
	// index holds full-text values computed before the transaction
	// (dialect.indexRow) for registrations it stores; nil when none were.
	index map[*procedo.Registration][]any
}

// transact runs fn in a write transaction and commits it. On PostgreSQL a
// serialization failure or deadlock is retried a few times, so fn must have no
// effects outside the transaction except idempotent ones (blob puts).
func (db *DB) transact(ctx context.Context, fn func(tx *Tx) error) error {
	const attempts = 5
	var err error
	for i := 0; i < attempts; i++ {
		err = db.transactOnce(ctx, fn)
		if err == nil || !db.dialect.retryable(err) || ctx.Err() != nil {
			return err
		}
		db.Logger.Warn("retrying transaction", "attempt", i+1, "error", err)
		time.Sleep(time.Duration(i+1) * 10 * time.Millisecond)
	}
	return err
}

func (db *DB) transactOnce(ctx context.Context, fn func(tx *Tx) error) error {
	prepare, err := db.transactOn(ctx, db.write, fn)
	if err == nil && len(prepare) > 0 {
		db.prepareLater(ctx, prepare)
	}
	return err
}

// beginner is the write pool or one of its connections.
type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// transactOn runs fn in a transaction begun on b and commits it; it returns
// the statements to prepare once the caller has released the connection.
func (db *DB) transactOn(ctx context.Context, b beginner, fn func(tx *Tx) error) (prepare []string, err error) {
	sqlTx, err := b.BeginTx(ctx, nil)
	if err != nil {
		return nil, db.dialect.mapError(err)
	}
	tx := &Tx{tx: sqlTx, db: db, now: db.Now().UTC().Truncate(time.Microsecond)}
	defer func() {
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return nil, err
	}
	if err = sqlTx.Commit(); err != nil {
		return nil, db.dialect.mapError(err)
	}
	return tx.prepare, nil
}

// Hot paths reuse prepared statements: parsing SQL is a large part of the cost
// of small statements on SQLite. A statement is prepared on the write pool
// after the transaction that first needed it has ended (the SQLite write pool
// has one connection, which that transaction holds), and used through
// Tx.StmtContext from then on.

// cachedStmt returns the prepared statement of q, or nil if not yet prepared.
func (db *DB) cachedStmt(q string) *sql.Stmt {
	if s, ok := db.stmts.Load(q); ok {
		return s.(*sql.Stmt)
	}
	return nil
}

// prepareLater prepares the statements tx asked for, after tx has ended.
func (db *DB) prepareLater(ctx context.Context, qs []string) {
	for _, q := range qs {
		if db.cachedStmt(q) != nil {
			continue
		}
		s, err := db.write.PrepareContext(ctx, db.dialect.rebind(q))
		if err != nil {
			continue // the statement still runs unprepared
		}
		if _, loaded := db.stmts.LoadOrStore(q, s); loaded {
			s.Close()
		}
	}
}

// execPrepared runs q in tx, with the prepared statement when there is one.
func (tx *Tx) execPrepared(ctx context.Context, q string, args ...any) (sql.Result, error) {
	s := tx.db.cachedStmt(q)
	if s == nil {
		tx.prepare = append(tx.prepare, q)
		return tx.exec(ctx, q, args...)
	}
	res, err := tx.tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	return res, tx.db.dialect.mapError(err)
}

// queryPrepared runs q in tx, with the prepared statement when there is one.
func (tx *Tx) queryPrepared(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	s := tx.db.cachedStmt(q)
	if s == nil {
		tx.prepare = append(tx.prepare, q)
		return tx.query(ctx, q, args...)
	}
	rows, err := tx.tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	return rows, tx.db.dialect.mapError(err)
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	res, err := tx.tx.ExecContext(ctx, tx.db.dialect.rebind(q), args...)
	return res, tx.db.dialect.mapError(err)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := tx.tx.QueryContext(ctx, tx.db.dialect.rebind(q), args...)
	return rows, tx.db.dialect.mapError(err)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.db.dialect.rebind(q), args...)
}

// insert runs an INSERT … RETURNING id and returns the id.
func (tx *Tx) insert(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, tx.db.dialect.mapError(err)
}

func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	rows, err := db.read.QueryContext(ctx, db.dialect.rebind(q), args...)
	return rows, db.dialect.mapError(err)
}

func (db *DB) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, db.dialect.rebind(q), args...)
}

// notFound maps sql.ErrNoRows to an ENOTFOUND error with msg.
func notFound(err error, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return procedo.Errorf(procedo.ENOTFOUND, "%s", msg)
	}
	return err
}

// tenantID returns the tenant of ctx or an error: every tenant-owned query needs one.
func tenantID(ctx context.Context) (int64, error) {
	id := procedo.TenantIDFromContext(ctx)
	if id == 0 {
		return 0, &procedo.Error{Code: procedo.EINTERNAL, Message: "Ente non specificato.", Err: errors.New("no tenant in context")}
	}
	return id, nil
}

func redact(dsn string) string {
	if i := strings.Index(dsn, "@"); i > 0 {
		if j := strings.Index(dsn, "://"); j > 0 && j < i {
			return dsn[:j+3] + "…" + dsn[i:]
		}
	}
	return dsn
}

func clampLimit(limit int) int {
	switch {
	case limit <= 0:
		return 50
	case limit > 500:
		return 500
	}
	return limit
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// RawExec runs q outside any service: for tests and maintenance commands only.
func (db *DB) RawExec(ctx context.Context, q string, args ...any) error {
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(q), args...)
	return err
}

// RawCount returns the number of rows of table: for tests and maintenance only.
func (db *DB) RawCount(ctx context.Context, table string) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	return n, err
}

// RawTamperBlob overwrites a local blob file: for tamper tests only. It works
// only with a blob store that exposes a Path method (the local folder).
func (db *DB) RawTamperBlob(ctx context.Context, tenantID int64, sha string, content []byte) error {
	p, ok := db.Blobs.(interface {
		Path(tenantID int64, sha string) string
	})
	if !ok {
		return fmt.Errorf("blob store %T has no local files", db.Blobs)
	}
	path := p.Path(tenantID, sha)
	if err := os.Chmod(path, 0o600); err != nil {
		return err
	}
	return os.WriteFile(path, content, 0o600)
}
