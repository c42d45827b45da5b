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
	"github.com/procedo/procedo/mail"
	"github.com/procedo/procedo/mail/mailtest"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// TestCaseClockWorker: the scheduler enqueues the daily case jobs once per
// tenant and day however often it runs (as several replicas would); the
// runner runs them, and the overdue alert reaches the office by SMTP.
func TestCaseClockWorker(t *testing.T) {
	env := testkit.NewEnv(t)
	rec := testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	later := time.Now().AddDate(0, 0, 45) // the 30-day term has lapsed
	env.DB.Now = func() time.Time { return later }

	smtp := mailtest.NewServer(t)
	mailer, err := mail.New(smtp.URL())
	if err != nil {
		t.Fatal(err)
	}
	store := sqlstore.NewJobStore(env.DB)
	r := &jobs.Runner{Store: store, Now: env.DB.Now}
	r.Handle(procedo.JobSendMail, mailSender(env, mailer).Handle)
	(&jobs.CaseClockWorker{Tenants: sqlstore.NewTenantService(env.DB), Cases: sqlstore.NewCaseService(env.DB)}).HandleAll(r)

	ctx := context.Background()
	for range 3 { // three rounds, or three replicas
		if err := env.DB.ScheduleCaseJobs(ctx); err != nil {
			t.Fatal(err)
		}
	}
	counts, err := store.JobCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 2 tenants × 4 kinds, plus the receipt mail.
	if counts["queued"] != 2*len(procedo.CaseJobKinds)+1 {
		t.Fatalf("jobs %v", counts)
	}
	for {
		worked, err := r.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !worked {
			break
		}
	}
	if counts, _ = store.JobCounts(ctx); counts["queued"] != 0 || counts["failed"] != 0 {
		t.Fatalf("jobs after the run %v", counts)
	}
	msgs := smtp.WaitFor(t, 2, 10*time.Second)
	var alert bool
	for _, m := range msgs {
		if m.To[0] == env.A.Office.Email && strings.Contains(m.Subject, "termine scaduto") {
			alert = true
		}
	}
	if !alert {
		t.Fatalf("no overdue alert to the office among %d messages", len(msgs))
	}
	cas, err := sqlstore.NewCaseService(env.DB).FindCaseByID(env.A.As(procedo.SystemActor), rec.Case.ID)
	if err != nil || cas.ClockState != procedo.ClockRunning {
		t.Fatalf("case %+v %v", cas, err)
	}
	// The next round on the same day enqueues nothing new.
	if err := env.DB.ScheduleCaseJobs(ctx); err != nil {
		t.Fatal(err)
	}
	if worked, _ := r.RunOnce(ctx); worked {
		t.Fatal("a case job ran twice on the same day")
	}
}
