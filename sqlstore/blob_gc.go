// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// Orphan blobs. A file uploaded to an application draft is stored in the blob
// store before the draft references it; when the draft is deleted, expires or
// has the file replaced, the blob may be referenced by nothing any more. The
// transaction that drops the reference records the blob in blob_candidates;
// a daily job (CollectOrphanBlobs) deletes a candidate only after a grace
// period and only if, checked again, nothing references it: no document
// (which covers applications, registrations, daily registers, decisions,
// messages, opinions and pagoPA notices: they all keep their files as
// documents), no registration's fingerprint and no draft of the tenant.
// Blobs that were never candidates are never touched.

// BlobGrace is how long a candidate waits before it may be deleted: longer
// than any upload takes from storing the blob to committing the row that
// references it.
const BlobGrace = time.Hour

// blobBatch bounds the candidates one round of the collector handles.
const blobBatch = 100

// recordBlobCandidates records, inside tx, the blobs shas of tenant tid as
// possible orphans. A blob recorded again starts its grace period again.
func recordBlobCandidates(ctx context.Context, tx *Tx, tid int64, shas []string) error {
	for _, sha := range shas {
		if len(sha) != 64 {
			continue // never a key of the blob store
		}
		if _, err := tx.exec(ctx, `INSERT INTO blob_candidates (tenant_id, sha256, created_at) VALUES (?, ?, ?)
			ON CONFLICT (tenant_id, sha256) DO UPDATE SET created_at = excluded.created_at`, tid, sha, tx.db.ts(tx.now)); err != nil {
			return err
		}
	}
	return nil
}

// droppedFiles returns the hashes of before that after no longer holds.
func droppedFiles(before, after []procedo.DraftFile) []string {
	keep := map[string]bool{}
	for _, f := range after {
		keep[f.SHA256] = true
	}
	var out []string
	for _, f := range before {
		if !keep[f.SHA256] {
			keep[f.SHA256] = true // once
			out = append(out, f.SHA256)
		}
	}
	return out
}

// blobReferenced reports whether anything of tenant tid references the blob
// sha: a document, a registration's fingerprint, or a draft's files (the
// JSON holds the hash as a string; a hash is hex, so LIKE has no wildcard to
// fear). Every table that holds a blob's hash must be checked here.
func blobReferenced(ctx context.Context, db querier, tid int64, sha string) (bool, error) {
	var n int
	err := scanOne(db.query(ctx, `SELECT
		(SELECT COUNT(*) FROM (SELECT 1 FROM documents WHERE tenant_id = ? AND sha256 = ? LIMIT 1) d) +
		(SELECT COUNT(*) FROM (SELECT 1 FROM registrations WHERE tenant_id = ? AND fingerprint = ? LIMIT 1) r) +
		(SELECT COUNT(*) FROM (SELECT 1 FROM application_drafts WHERE tenant_id = ? AND files LIKE ? LIMIT 1) a)`,
		tid, sha, tid, sha, tid, `%"`+sha+`"%`))(&n)
	return n > 0, err
}

// blobCandidate is one row of blob_candidates.
type blobCandidate struct {
	tid     int64
	sha     string
	created time.Time
}

// CollectOrphanBlobs deletes the blobs recorded as candidates at least
// BlobGrace ago that nothing references, and forgets the candidates that
// are referenced again (re-uploaded, submitted). It returns how many blobs
// it deleted. Only the system actor (the daily job) may call it.
//
// For each candidate the reference check and the removal of the candidate
// row happen in one transaction; the content is then copied aside, deleted
// from the blob store, and the references are checked once more: if an
// upload of the same content committed a reference meanwhile (content is
// addressed by hash, so a new upload of the same bytes shares the blob), the
// copy is put back.
func (db *DB) CollectOrphanBlobs(ctx context.Context) (_ int, err error) {
	defer procedo.Wrap(&err, "sqlstore.CollectOrphanBlobs")
	if a := procedo.ActorFromContext(ctx); a == nil || a.Kind != procedo.ActorSystem {
		return 0, procedo.Errorf(procedo.EFORBIDDEN, "Solo il sistema elimina i file non più usati.")
	}
	if db.Blobs == nil {
		return 0, errors.New("no blob store")
	}
	deleted := 0
	var after struct {
		tid int64
		sha string
	}
	for {
		cutoff := db.Now().Add(-BlobGrace)
		rows, err := db.query(ctx, `SELECT tenant_id, sha256, created_at FROM blob_candidates
			WHERE created_at <= ? AND (tenant_id > ? OR (tenant_id = ? AND sha256 > ?))
			ORDER BY tenant_id, sha256 LIMIT ?`, db.ts(cutoff), after.tid, after.tid, after.sha, blobBatch)
		if err != nil {
			return deleted, err
		}
		var batch []blobCandidate
		for rows.Next() {
			var c blobCandidate
			if err := rows.Scan(&c.tid, &c.sha, timeValue{&c.created}); err != nil {
				rows.Close()
				return deleted, err
			}
			batch = append(batch, c)
		}
		if err := rows.Close(); err != nil {
			return deleted, err
		}
		for _, c := range batch {
			ok, err := db.collectBlob(ctx, c)
			if err != nil {
				return deleted, fmt.Errorf("tenant %d blob %s: %w", c.tid, c.sha, err)
			}
			if ok {
				deleted++
			}
		}
		if len(batch) < blobBatch {
			return deleted, nil
		}
		last := batch[len(batch)-1]
		after.tid, after.sha = last.tid, last.sha
	}
}

// collectBlob handles one candidate and reports whether its blob was
// deleted. A candidate that fails after its row was removed is recorded
// again, for the next run.
func (db *DB) collectBlob(ctx context.Context, c blobCandidate) (deleted bool, err error) {
	removed := false
	defer func() {
		if err != nil && removed {
			err = errors.Join(err, db.transact(context.WithoutCancel(ctx), func(tx *Tx) error {
				return recordBlobCandidates(ctx, tx, c.tid, []string{c.sha})
			}))
		}
	}()
	orphan := false
	err = db.transact(ctx, func(tx *Tx) error {
		// Only the candidate as read: one recorded again meanwhile (a newer
		// created_at) waits for its own grace period.
		res, err := tx.exec(ctx, `DELETE FROM blob_candidates WHERE tenant_id = ? AND sha256 = ? AND created_at = ?`,
			c.tid, c.sha, db.ts(c.created))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err
		}
		used, err := blobReferenced(ctx, tx, c.tid, c.sha)
		orphan = !used
		return err
	})
	if err != nil || !orphan {
		return false, err
	}
	removed = true
	spare, err := db.copyBlobAside(ctx, c.tid, c.sha)
	if procedo.ErrorCode(err) == procedo.ENOTFOUND {
		return false, nil // already gone
	} else if err != nil {
		return false, err
	}
	defer func() {
		spare.Close()
		os.Remove(spare.Name())
	}()
	if err := db.Blobs.Delete(ctx, c.tid, c.sha); err != nil {
		return false, err
	}
	used, err := blobReferenced(ctx, db, c.tid, c.sha)
	if err != nil || used {
		// Referenced again, or we cannot tell: put the content back.
		if _, serr := spare.Seek(0, io.SeekStart); serr != nil {
			return false, errors.Join(err, serr)
		}
		info, perr := db.Blobs.Put(context.WithoutCancel(ctx), c.tid, spare)
		if perr == nil && info.SHA256 != c.sha {
			perr = fmt.Errorf("restored content has hash %s", info.SHA256)
		}
		if perr != nil || err != nil {
			return false, errors.Join(err, perr)
		}
		db.Logger.Warn("orphan blob referenced again while being collected: restored", "tenant_id", c.tid, "sha256", c.sha)
		return false, nil
	}
	return true, nil
}

// copyBlobAside copies the blob into a temporary file, which the caller
// closes and removes. ENOTFOUND if the blob is not stored.
func (db *DB) copyBlobAside(ctx context.Context, tid int64, sha string) (*os.File, error) {
	rc, err := db.Blobs.Open(ctx, tid, sha)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	f, err := os.CreateTemp("", "procedo-blob-*")
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// ScheduleBlobCollection enqueues today's collection of orphan blobs (job
// procedo.JobCollectBlobs), once a day across replicas: its unique key is
// the day in Europe/Rome.
func (db *DB) ScheduleBlobCollection(ctx context.Context) (err error) {
	defer procedo.Wrap(&err, "sqlstore.ScheduleBlobCollection")
	day := procedo.DateOf(db.Now())
	return db.transact(ctx, func(tx *Tx) error {
		return enqueueJob(ctx, tx, 0, procedo.JobCollectBlobs, map[string]string{"day": day.String()}, "blobs-collect:"+day.String())
	})
}

// blobShas returns the hashes of files, for recordBlobCandidates.
func blobShas(files []procedo.DraftFile) []string {
	out := make([]string, 0, len(files))
	for _, f := range files {
		out = append(out, strings.ToLower(f.SHA256))
	}
	return out
}
