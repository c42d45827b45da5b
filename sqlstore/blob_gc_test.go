// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// blobStored reports whether comune c's blob store holds sha.
func blobStored(t *testing.T, db *sqlstore.DB, c *testkit.Comune, sha string) bool {
	t.Helper()
	_, err := db.Blobs.Stat(context.Background(), c.Tenant.ID, sha)
	switch procedo.ErrorCode(err) {
	case "":
		return true
	case procedo.ENOTFOUND:
		return false
	}
	t.Fatal(err)
	return false
}

// TestCollectOrphanBlobs: the files of deleted, expired and replaced draft
// files go after the grace period; a blob shared with a submitted
// application's document, with another draft, or stored by another tenant
// stays, and so does anything never recorded as a candidate.
func TestCollectOrphanBlobs(t *testing.T) {
	env := testkit.NewEnv(t)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	env.DB.Now = func() time.Time { return now }
	drafts := sqlstore.NewDraftService(env.DB, sqlstore.NewPaymentService(env.DB))
	mario, lucia := env.A.AsCitizen(testkit.Mario), env.A.AsCitizen(testkit.Lucia)
	system := env.A.As(procedo.SystemActor)
	newDraft := func(ctx context.Context, files ...procedo.DraftFile) *procedo.ApplicationDraft {
		t.Helper()
		d := &procedo.ApplicationDraft{ProcedureVersionID: env.A.Version.ID}
		if err := drafts.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if _, err := drafts.AttachDraftFile(ctx, d.ID, f); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}

	// The submitted application's attachment: "%PDF-1.4\n% delega di prova\n".
	testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	shared := putPDF(t, env.DB, env.A, "documentazione", "delega di prova")
	alone := putPDF(t, env.DB, env.A, "documentazione", "solo nella bozza")
	replaced := putPDF(t, env.DB, env.A, "documentazione", "prima versione")
	second := putPDF(t, env.DB, env.A, "documentazione", "seconda versione")
	twice := putPDF(t, env.DB, env.A, "documentazione", "in due bozze")
	expired := putPDF(t, env.DB, env.A, "documentazione", "bozza scaduta")
	never := putPDF(t, env.DB, env.A, "documentazione", "mai in una bozza")
	// The same content in Comune B, in no draft of B: B's blob is B's.
	otherTenant := putPDF(t, env.DB, env.B, "documentazione", "solo nella bozza")

	d1 := newDraft(mario, shared)
	d2 := newDraft(mario, alone)
	d3 := newDraft(mario, replaced)
	if _, err := drafts.AttachDraftFile(mario, d3.ID, second); err != nil { // replaces the first version
		t.Fatal(err)
	}
	d4 := newDraft(mario, twice)
	newDraft(lucia, twice) // Lucia's draft keeps it
	for _, d := range []*procedo.ApplicationDraft{d1, d2, d4} {
		if err := drafts.DeleteDraft(mario, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	d5 := newDraft(mario, expired)
	now = now.Add(30 * time.Minute)
	if err := testkit.Exec(env.DB, `UPDATE application_drafts SET expires_at = created_at WHERE id = ?`, d5.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := drafts.PurgeExpiredDrafts(system); err != nil || n != 1 {
		t.Fatalf("purged %d, %v", n, err)
	}

	t.Run("ErrForbidden", func(t *testing.T) {
		for _, ctx := range []context.Context{mario, env.A.AsUser(env.A.Admin)} {
			if _, err := env.DB.CollectOrphanBlobs(ctx); procedo.ErrorCode(err) != procedo.EFORBIDDEN {
				t.Fatalf("got %v", err)
			}
		}
	})

	t.Run("GracePeriod", func(t *testing.T) {
		// Half an hour after the deletions nothing goes.
		if n, err := env.DB.CollectOrphanBlobs(system); err != nil || n != 0 {
			t.Fatalf("collected %d, %v", n, err)
		}
		// An hour after: the deleted and replaced files go; the draft of
		// "bozza scaduta" was purged half an hour later: its blob waits.
		now = now.Add(30 * time.Minute)
		if n, err := env.DB.CollectOrphanBlobs(system); err != nil || n != 2 {
			t.Fatalf("collected %d, %v", n, err)
		}
		if !blobStored(t, env.DB, env.A, expired.SHA256) || blobStored(t, env.DB, env.A, alone.SHA256) {
			t.Fatal("grace period not kept")
		}
	})

	t.Run("OK", func(t *testing.T) {
		now = now.Add(30 * time.Minute)
		n, err := env.DB.CollectOrphanBlobs(system)
		if err != nil || n != 1 {
			t.Fatalf("collected %d, %v", n, err)
		}
		for name, want := range map[string]struct {
			f    procedo.DraftFile
			c    *testkit.Comune
			kept bool
		}{
			"deleted draft":            {alone, env.A, false},
			"replaced file":            {replaced, env.A, false},
			"expired draft":            {expired, env.A, false},
			"submitted document":       {shared, env.A, true},
			"another draft":            {twice, env.A, true},
			"the draft's current file": {second, env.A, true},
			"never a candidate":        {never, env.A, true},
			"other tenant":             {otherTenant, env.B, true},
		} {
			if got := blobStored(t, env.DB, want.c, want.f.SHA256); got != want.kept {
				t.Errorf("%s: stored %v, want %v", name, got, want.kept)
			}
		}
		if n, err := testkit.Count(env.DB, "blob_candidates"); err != nil || n != 0 {
			t.Fatalf("%d candidates left, %v", n, err)
		}
		if n, err := env.DB.CollectOrphanBlobs(system); err != nil || n != 0 {
			t.Fatalf("second run collected %d, %v", n, err)
		}
	})

	t.Run("UploadedAgain", func(t *testing.T) {
		// Deleted, then the same content uploaded to a new draft before the
		// collector runs: the new draft's reference keeps it.
		again := putPDF(t, env.DB, env.A, "documentazione", "caricato di nuovo")
		d := newDraft(mario, again)
		if err := drafts.DeleteDraft(mario, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.DB.Blobs.Put(context.Background(), env.A.Tenant.ID, bytes.NewReader([]byte("%PDF-1.4\n% caricato di nuovo\n"))); err != nil {
			t.Fatal(err)
		}
		newDraft(lucia, again)
		now = now.Add(2 * sqlstore.BlobGrace)
		if n, err := env.DB.CollectOrphanBlobs(system); err != nil || n != 0 {
			t.Fatalf("collected %d, %v", n, err)
		}
		if !blobStored(t, env.DB, env.A, again.SHA256) {
			t.Fatal("a blob referenced by a draft was deleted")
		}
	})
}

// TestScheduleBlobCollection enqueues the daily job once per day.
func TestScheduleBlobCollection(t *testing.T) {
	env := testkit.NewEnv(t)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	env.DB.Now = func() time.Time { return now }
	before, err := testkit.Count(env.DB, "jobs")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := env.DB.ScheduleBlobCollection(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(24 * time.Hour)
	if err := env.DB.ScheduleBlobCollection(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, err := testkit.Count(env.DB, "jobs"); err != nil || n != before+2 {
		t.Fatalf("%d jobs, %v", n, err)
	}
}

// racingBlobs calls beforeDelete once, just before the first Delete: an
// upload of the same content committing its reference at that moment.
type racingBlobs struct {
	procedo.BlobStore
	beforeDelete func()
}

func (r *racingBlobs) Delete(ctx context.Context, tenantID int64, sha string) error {
	if f := r.beforeDelete; f != nil {
		r.beforeDelete = nil
		f()
	}
	return r.BlobStore.Delete(ctx, tenantID, sha)
}

// TestCollectOrphanBlobs_Race: a reference committed between the
// collector's check and its deletion gets the content back.
func TestCollectOrphanBlobs_Race(t *testing.T) {
	env := testkit.NewEnv(t)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	env.DB.Now = func() time.Time { return now }
	drafts := sqlstore.NewDraftService(env.DB, sqlstore.NewPaymentService(env.DB))
	mario, lucia := env.A.AsCitizen(testkit.Mario), env.A.AsCitizen(testkit.Lucia)
	f := putPDF(t, env.DB, env.A, "documentazione", "caricato durante la raccolta")
	for _, ctx := range []context.Context{mario, lucia} {
		d := &procedo.ApplicationDraft{ProcedureVersionID: env.A.Version.ID}
		if err := drafts.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		if ctx == lucia {
			env.DB.Blobs = &racingBlobs{BlobStore: env.DB.Blobs, beforeDelete: func() {
				if _, err := drafts.AttachDraftFile(lucia, d.ID, f); err != nil {
					t.Error(err)
				}
			}}
			break
		}
		if _, err := drafts.AttachDraftFile(ctx, d.ID, f); err != nil {
			t.Fatal(err)
		}
		if err := drafts.DeleteDraft(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(2 * sqlstore.BlobGrace)
	if n, err := env.DB.CollectOrphanBlobs(env.A.As(procedo.SystemActor)); err != nil || n != 0 {
		t.Fatalf("collected %d, %v", n, err)
	}
	rc, err := env.DB.Blobs.Open(context.Background(), env.A.Tenant.ID, f.SHA256)
	if err != nil {
		t.Fatalf("the blob Lucia's draft references is gone: %v", err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(rc); err != nil || buf.String() != "%PDF-1.4\n% caricato durante la raccolta\n" {
		t.Fatalf("restored content %q, %v", buf.String(), err)
	}
}
