// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import "context"

// ClassificationTokens exposes classificationTokens to the tests of sqlstore_test.
var ClassificationTokens = classificationTokens

// LateSyncFile exposes where late sync syncs for db ("" when it does not apply).
func LateSyncFile(db *DB) string { return lateSyncFile(db.dialect, db.DSN) }

// WriteSynchronous returns the synchronous setting of the SQLite write connection.
func WriteSynchronous(db *DB) (int, error) {
	var n int
	err := db.write.QueryRow(`PRAGMA synchronous`).Scan(&n)
	return n, err
}

// SyncAnswer runs the syncer on one committed request with the log at path and
// returns what its caller is told.
func SyncAnswer(db *DB, path string) error {
	committed := make(chan []*regRequest, 1)
	r := &regRequest{done: make(chan error, 1)}
	committed <- []*regRequest{r}
	close(committed)
	db.runSyncer(path, committed)
	return <-r.done
}

// ReindexRegistrations runs the Go step of migration 0016 (SQLite) again.
func ReindexRegistrations(db *DB) error {
	ctx := context.Background()
	return db.transact(ctx, func(tx *Tx) error { return reindexAllRegistrations(ctx, tx) })
}
