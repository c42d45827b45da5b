// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package jobs_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/jobs"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// TestBlobCollector runs the daily job: the file of a deleted draft goes
// once the grace period is over; the same file submitted with an
// application (a document references it) stays.
func TestBlobCollector(t *testing.T) {
	env := testkit.NewEnv(t)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	env.DB.Now = func() time.Time { return now }
	drafts := sqlstore.NewDraftService(env.DB, sqlstore.NewPaymentService(env.DB))
	mario := env.A.AsCitizen(testkit.Mario)
	testkit.MustSubmit(t, env.DB, env.A, testkit.Mario) // its attachment: "%PDF-1.4\n% delega di prova\n"
	var shas []string
	for _, content := range []string{"%PDF-1.4\n% solo nella bozza\n", "%PDF-1.4\n% delega di prova\n"} {
		info, err := env.DB.Blobs.Put(context.Background(), env.A.Tenant.ID, bytes.NewReader([]byte(content)))
		if err != nil {
			t.Fatal(err)
		}
		d := &procedo.ApplicationDraft{ProcedureVersionID: env.A.Version.ID}
		if err := drafts.CreateDraft(mario, d); err != nil {
			t.Fatal(err)
		}
		if _, err := drafts.AttachDraftFile(mario, d.ID, procedo.DraftFile{Field: "documentazione", Filename: "f.pdf",
			MediaType: "application/pdf", SHA256: info.SHA256, Size: info.Size}); err != nil {
			t.Fatal(err)
		}
		if err := drafts.DeleteDraft(mario, d.ID); err != nil {
			t.Fatal(err)
		}
		shas = append(shas, info.SHA256)
	}
	now = now.Add(sqlstore.BlobGrace + time.Minute)
	if err := (&jobs.BlobCollector{Blobs: env.DB}).Handle(context.Background(), &procedo.Job{ID: 1, Kind: procedo.JobCollectBlobs}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.DB.Blobs.Stat(context.Background(), env.A.Tenant.ID, shas[0]); procedo.ErrorCode(err) != procedo.ENOTFOUND {
		t.Fatalf("the deleted draft's file is still stored: %v", err)
	}
	if _, err := env.DB.Blobs.Stat(context.Background(), env.A.Tenant.ID, shas[1]); err != nil {
		t.Fatalf("the submitted document's file is gone: %v", err)
	}
}
