// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/jobs"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// TestDraftPurger runs the daily job: expired drafts of every tenant go,
// the others stay.
func TestDraftPurger(t *testing.T) {
	env := testkit.NewEnv(t)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	env.DB.Now = func() time.Time { return now }
	drafts := sqlstore.NewDraftService(env.DB, sqlstore.NewPaymentService(env.DB))
	for _, c := range []*testkit.Comune{env.A, env.B} {
		if err := drafts.CreateDraft(c.AsCitizen(testkit.Mario), &procedo.ApplicationDraft{ProcedureVersionID: c.Version.ID}); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(procedo.DefaultDraftTTL - time.Hour)
	keep := &procedo.ApplicationDraft{ProcedureVersionID: env.A.Version.ID}
	if err := drafts.CreateDraft(env.A.AsCitizen(testkit.Lucia), keep); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Hour)
	if err := (&jobs.DraftPurger{Drafts: drafts}).Handle(context.Background(), &procedo.Job{ID: 1, Kind: procedo.JobPurgeDrafts}); err != nil {
		t.Fatal(err)
	}
	if n, err := testkit.Count(env.DB, "application_drafts"); err != nil || n != 1 {
		t.Fatalf("%d drafts left, %v", n, err)
	}
	if _, err := drafts.FindDraftByID(env.A.AsCitizen(testkit.Lucia), keep.ID); err != nil {
		t.Fatal(err)
	}
}
