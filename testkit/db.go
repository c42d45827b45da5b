// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package testkit gives tests a real database (SQLite, or PostgreSQL when
// PROCEDO_TEST_DB names one), a blob store in a temporary folder and fixtures.
// Only tests import it.
package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL admin connection
	"github.com/procedo/procedo/blob"
	"github.com/procedo/procedo/pdf"
	"github.com/procedo/procedo/sqlstore"
)

// PostgresURL returns the PostgreSQL server tests run against, or "" for SQLite.
func PostgresURL() string {
	u := os.Getenv("PROCEDO_TEST_DB")
	if strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		return u
	}
	return ""
}

// NewDSN returns the DSN of a fresh, empty database: a file in a temporary
// folder for SQLite, or a new database on the PostgreSQL server of
// PROCEDO_TEST_DB, dropped when the test ends.
func NewDSN(tb testing.TB) string {
	tb.Helper()
	admin := PostgresURL()
	if admin == "" {
		return "sqlite:" + filepath.Join(tb.TempDir(), "procedo.db")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "procedo_test_" + hex.EncodeToString(b)
	adm, err := sql.Open("pgx", admin)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := adm.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		adm.Close()
		tb.Fatalf("create test database on %s: %v", admin, err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := adm.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("drop test database: %v", err)
		}
		adm.Close()
	})
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func init() {
	// Tests create many users: cheap hashes keep them fast. Production keeps
	// sqlstore's default cost; every hash records its own parameters.
	sqlstore.PasswordParams = sqlstore.Argon2Params{Memory: 64, Time: 1, Threads: 1}
}

// OpenDB opens and migrates a fresh database with a blob store in a temporary
// folder and the PDF renderer; it is closed when the test ends.
func OpenDB(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, NewDSN(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	blobs, err := blob.Open(ctx, "file:"+filepath.Join(tb.TempDir(), "blobs"))
	if err != nil {
		tb.Fatal(err)
	}
	db.Blobs = blobs
	db.Renderer = &pdf.Renderer{}
	db.BaseURL = "http://procedo.test"
	return db
}
