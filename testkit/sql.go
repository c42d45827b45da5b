// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package testkit

import (
	"context"

	"github.com/procedo/procedo/sqlstore"
)

// Exec runs a raw statement outside procedo's services, as an attacker with
// database access would (tamper tests).
func Exec(db *sqlstore.DB, q string, args ...any) error {
	return db.RawExec(context.Background(), q, args...)
}

// Count returns the number of rows of table.
func Count(db *sqlstore.DB, table string) (int, error) {
	return db.RawCount(context.Background(), table)
}

// TamperBlob overwrites stored content in place, as an attacker with file
// access would, for tests of procedo verify.
func TamperBlob(db *sqlstore.DB, tenantID int64, sha string, content []byte) error {
	return db.RawTamperBlob(context.Background(), tenantID, sha, content)
}

// DisableImmutability drops the immutability triggers of registrations, as an
// attacker with database owner rights could.
func DisableImmutability(db *sqlstore.DB) error {
	if db.Dialect() == "postgres" {
		return Exec(db, `DROP TRIGGER registrations_immutable ON registrations`)
	}
	return Exec(db, `DROP TRIGGER registrations_immutable`)
}
