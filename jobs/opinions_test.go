// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/jobs"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// TestOpinionDeadlineWorker: the daily job is enqueued once per tenant and
// day however often the scheduler runs, and alerts the case's office once
// about an opinion not given in time.
func TestOpinionDeadlineWorker(t *testing.T) {
	env := testkit.NewEnv(t)
	rec := testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	cases := sqlstore.NewCaseService(env.DB)
	if _, err := cases.RequestOpinion(env.A.AsUser(env.A.Operator), rec.Case.ID, procedo.OpinionRequest{ExternalName: "Provincia",
		ExternalEmail: "provincia@example.it", Question: "Parere sulla viabilità", Days: 10}); err != nil {
		t.Fatal(err)
	}
	later := time.Now().AddDate(0, 0, 30)
	env.DB.Now = func() time.Time { return later }
	store := sqlstore.NewJobStore(env.DB)
	r := &jobs.Runner{Store: store, Now: env.DB.Now}
	r.Handle(procedo.JobOpinionDeadlines, (&jobs.OpinionDeadlineWorker{Tenants: sqlstore.NewTenantService(env.DB), Opinions: cases}).Handle)
	ctx := context.Background()
	for range 3 {
		if err := env.DB.ScheduleOpinionJobs(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ran := 0
	for {
		worked, err := r.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !worked {
			break
		}
		ran++
	}
	if ran != 2 { // one per tenant
		t.Fatalf("%d jobs ran", ran)
	}
	if counts, _ := store.JobCounts(ctx); counts["failed"] != 0 {
		t.Fatalf("jobs %v", counts)
	}
	to := env.A.Office.Email
	msgs, _, err := sqlstore.NewOutboxService(env.DB).FindMailMessages(env.A.As(procedo.SystemActor), procedo.MailFilter{To: &to})
	if err != nil {
		t.Fatal(err)
	}
	alerts := 0
	for _, m := range msgs {
		if strings.Contains(m.Subject, "parere non reso nel termine") {
			alerts++
		}
	}
	if alerts != 1 {
		t.Fatalf("%d alerts among %d messages", alerts, len(msgs))
	}
	bad := &procedo.Job{Kind: procedo.JobOpinionDeadlines, TenantID: env.A.Tenant.ID, Payload: []byte(`{"day":"ieri"}`)}
	if err := (&jobs.OpinionDeadlineWorker{Tenants: sqlstore.NewTenantService(env.DB), Opinions: cases}).Handle(ctx, bad); err == nil {
		t.Fatal("bad payload accepted")
	}
}
