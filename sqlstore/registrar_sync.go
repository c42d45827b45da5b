// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/procedo/procedo"
)

// Late sync: group commit on SQLite with the sync outside the write lock.
//
// With synchronous=FULL SQLite syncs the write-ahead log inside COMMIT, while
// it still holds the only write lock: the next batch of registrations cannot
// be written until the disk has answered. The registrar instead commits its
// batches with synchronous=NORMAL (the frames are written to the log but not
// synced) and hands each committed batch to a second goroutine, which syncs
// the log file and only then answers the batch's callers. Meanwhile the writer
// already stores the next batch, so writing and syncing overlap, and one sync
// covers every batch committed before it.
//
// Durability is unchanged for what is acknowledged: a registration is
// answered only after the log holding its commit is on disk, exactly what FULL
// guarantees; if the sync fails, the callers get an error. The frames of a
// batch can be overwritten only after a checkpoint has copied them into the
// database file, and with NORMAL SQLite syncs the log before and the database
// after every checkpoint, so they are on disk either way. What changes is that
// other readers can see a batch during the sync, before it is durable: if the
// machine loses power in that moment, the batch, which nobody was told was
// registered, is lost with its numbers, and the numbers are given again,
// still without gaps. Every other write transaction keeps synchronous=FULL
// (its commit also syncs whatever the registrar committed before it).

// lateSyncFile returns the write-ahead log of a SQLite database file, or "" if
// late sync does not apply (PostgreSQL, which syncs its own log in its group
// commit, or a database in memory).
func lateSyncFile(d dialect, dsn string) string {
	if d.name() != "sqlite" || dsn == "" || strings.Contains(dsn, ":memory:") || strings.Contains(dsn, "mode=memory") {
		return ""
	}
	return strings.TrimPrefix(dsn, "file:") + "-wal"
}

// transactLateSync runs fn in a write transaction committed without syncing
// the log (see above); the caller syncs it with syncLog before answering.
func (db *DB) transactLateSync(ctx context.Context, fn func(tx *Tx) error) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return db.dialect.mapError(err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
		conn.Close()
		return db.dialect.mapError(err)
	}
	prepare, err := db.transactOn(ctx, conn, fn)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = FULL`); rerr != nil {
		// Never hand back to the pool a connection that commits without
		// syncing: the pool discards a connection reported bad.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		db.Logger.Error("sqlstore: could not restore synchronous=FULL; connection discarded", "error", rerr)
	}
	conn.Close()
	if err == nil && len(prepare) > 0 {
		db.prepareLater(ctx, prepare)
	}
	return err
}

// syncLog makes durable every transaction committed so far: it syncs the
// write-ahead log (Linux syncs a file's data whichever descriptor wrote it).
// *log is the log file, opened at the first call and kept open; a log that
// does not exist was checkpointed into the database file, which is then
// synced instead. After an error the log is opened again next time.
func syncLog(path string, log **os.File) error {
	if *log == nil {
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			db, err := os.Open(strings.TrimSuffix(path, "-wal"))
			if err != nil {
				return err
			}
			return errors.Join(db.Sync(), db.Close()) // not kept: the log comes back
		}
		if err != nil {
			return err
		}
		*log = f
	}
	err := (*log).Sync()
	if err != nil {
		(*log).Close()
		*log = nil
	}
	return err
}

// runSyncer answers the callers of the batches the writer committed without
// syncing, after one sync of the log for all the batches waiting.
func (db *DB) runSyncer(path string, committed <-chan []*regRequest) {
	var log *os.File
	defer func() {
		if log != nil {
			log.Close()
		}
	}()
	for batch := range committed {
		batches := [][]*regRequest{batch}
	more:
		for {
			select {
			case b, ok := <-committed:
				if !ok {
					break more
				}
				batches = append(batches, b)
			default:
				break more
			}
		}
		err := syncLog(path, &log)
		if err != nil {
			db.Logger.Error("sqlstore: syncing the write-ahead log failed; registrations not confirmed", "error", err)
			err = errors.Join(procedo.Errorf(procedo.EUNAVAILABLE, "Il registro non ha potuto rendere definitiva la registrazione: riprova tra poco."), err)
		}
		for _, b := range batches {
			for _, r := range b {
				r.done <- err
			}
		}
	}
}
