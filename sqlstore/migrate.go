// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

//go:embed migrations
var migrationsFS embed.FS

// Migration is one forward-only schema change.
type Migration struct {
	Version int    // from the file name: 0003_create_cases.sql → 3
	Name    string // file name
	SQL     string
}

// goSteps are the parts of migrations that SQL cannot do, run in the
// migration's transaction right after its SQL, by dialect and version.
var goSteps = map[string]map[int]func(ctx context.Context, tx *Tx) error{
	// The full-text table of registrations, created empty, filled with the
	// words stemmed in Go (all of them: before, the first 32).
	"sqlite": {16: reindexAllRegistrations},
}

// Migrations returns the migrations of a dialect ("sqlite" or "postgres") in order.
func Migrations(dialectName string) ([]Migration, error) {
	dir := path.Join("migrations", dialectName)
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", e.Name())
		}
		b, err := fs.ReadFile(migrationsFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: e.Name(), SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share a number", out[i-1].Name, out[i].Name)
		}
	}
	return out, nil
}

// Migrate applies pending migrations, each in its own transaction, and records
// them in schema_migrations. It refuses a database whose schema is newer than
// this binary. Safe to call from several replicas at once.
func (db *DB) Migrate(ctx context.Context) (err error) {
	defer procedo.Wrap(&err, "sqlstore.Migrate")
	migs, err := Migrations(db.dialect.name())
	if err != nil {
		return err
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	unlock, err := db.dialect.migrationLock(ctx, conn)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	applied := map[int]bool{}
	maxApplied := 0
	rows, err := conn.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
		maxApplied = max(maxApplied, v)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if n := len(migs); n > 0 && maxApplied > migs[n-1].Version {
		return fmt.Errorf("database schema version %d is newer than this binary (%d): upgrade procedo", maxApplied, migs[n-1].Version)
	}
	for _, m := range migs {
		if applied[m.Version] {
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if step := goSteps[db.dialect.name()][m.Version]; step != nil {
			if err := step(ctx, &Tx{tx: tx, db: db, now: db.Now().UTC().Truncate(time.Microsecond)}); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, db.dialect.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
			m.Version, m.Name, db.Now().UTC().Format(sqliteTimeFormat)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		db.Logger.Info("applied migration", "name", m.Name, "dialect", db.dialect.name())
	}
	return nil
}

// SchemaVersion returns the newest applied migration, 0 for an empty database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}
