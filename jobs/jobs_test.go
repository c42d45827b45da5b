// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/jobs"
	"github.com/procedo/procedo/mail"
	"github.com/procedo/procedo/mail/mailtest"
	"github.com/procedo/procedo/pdf"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

func mailSender(env *testkit.Env, m procedo.Mailer) *jobs.MailSender {
	db := env.DB
	return &jobs.MailSender{Tenants: sqlstore.NewTenantService(db), Outbox: sqlstore.NewOutboxService(db),
		Applications: sqlstore.NewApplicationService(db), Documents: sqlstore.NewDocumentService(db),
		Renderer: &pdf.Renderer{}, Mailer: m, From: "protocollo@comune.example.it"}
}

func TestMailSender_DeliversReceiptWithRetry(t *testing.T) {
	env := testkit.NewEnv(t)
	smtp := mailtest.NewServer(t)
	mailer, err := mail.New(smtp.URL())
	if err != nil {
		t.Fatal(err)
	}
	r := &jobs.Runner{Store: sqlstore.NewJobStore(env.DB)}
	r.Handle(procedo.JobSendMail, mailSender(env, mailer).Handle)
	rec := testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	ctx := context.Background()

	// The SMTP server refuses the first attempt (451): the job is retried later.
	smtp.RejectNext(1)
	if worked, err := r.RunOnce(ctx); !worked || err != nil {
		t.Fatalf("first run: %v %v", worked, err)
	}
	if worked, _ := r.RunOnce(ctx); worked {
		t.Fatal("the failed job ran again before its backoff")
	}
	outbox := sqlstore.NewOutboxService(env.DB)
	msgs, _, _ := outbox.FindMailMessages(env.A.As(procedo.SystemActor), procedo.MailFilter{})
	if msgs[0].Status != procedo.MailQueued || msgs[0].LastError == "" {
		t.Fatalf("after a refusal: %+v", msgs[0])
	}
	// Later (the job is made due at once), the retry delivers it.
	if err := env.DB.RawExec(ctx, `UPDATE jobs SET run_at = created_at`); err != nil {
		t.Fatal(err)
	}
	if worked, err := r.RunOnce(ctx); !worked || err != nil {
		t.Fatalf("retry: %v %v", worked, err)
	}
	got := smtp.WaitFor(t, 1, 10*time.Second)[0]
	if got.To[0] != "mario.rossi@example.it" || !strings.Contains(got.Subject, rec.Registration.NumberString()) {
		t.Fatalf("message %+v", got)
	}
	if len(got.Attachments) != 1 || !bytes.HasPrefix(got.Attachments[0].Content, []byte("%PDF-")) {
		t.Fatalf("receipt attachment missing: %+v", got.Attachments)
	}
	msgs, _, _ = outbox.FindMailMessages(env.A.As(procedo.SystemActor), procedo.MailFilter{})
	if msgs[0].Status != procedo.MailSent || msgs[0].SentAt == nil {
		t.Fatalf("after delivery: %+v", msgs[0])
	}
	if worked, _ := r.RunOnce(ctx); worked {
		t.Fatal("a done job ran again")
	}
}

func TestMailSender_KeptWithoutSMTP(t *testing.T) {
	env := testkit.NewEnv(t)
	r := &jobs.Runner{Store: sqlstore.NewJobStore(env.DB)}
	r.Handle(procedo.JobSendMail, mailSender(env, nil).Handle)
	testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	if worked, err := r.RunOnce(context.Background()); !worked || err != nil {
		t.Fatalf("%v %v", worked, err)
	}
	msgs, _, _ := sqlstore.NewOutboxService(env.DB).FindMailMessages(env.A.As(procedo.SystemActor), procedo.MailFilter{})
	if msgs[0].Status != procedo.MailKept {
		t.Fatalf("status %s", msgs[0].Status)
	}
}

func TestRunner_PermanentFailureAndPanic(t *testing.T) {
	env := testkit.NewEnv(t)
	store := sqlstore.NewJobStore(env.DB)
	r := &jobs.Runner{Store: store}
	calls := 0
	r.Handle(procedo.JobSendMail, func(ctx context.Context, j *procedo.Job) error {
		calls++
		if calls == 1 {
			panic("boom")
		}
		return &jobs.PermanentError{Err: errors.New("payload rotto")}
	})
	testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	ctx := context.Background()
	if worked, err := r.RunOnce(ctx); !worked || err != nil {
		t.Fatalf("panic run: %v %v", worked, err)
	}
	if err := env.DB.RawExec(ctx, `UPDATE jobs SET run_at = created_at`); err != nil {
		t.Fatal(err)
	}
	if worked, err := r.RunOnce(ctx); !worked || err != nil {
		t.Fatalf("permanent run: %v %v", worked, err)
	}
	counts, err := store.JobCounts(ctx)
	if err != nil || counts["failed"] != 1 {
		t.Fatalf("counts %v %v", counts, err)
	}
}

func TestRunner_DrainsOnShutdown(t *testing.T) {
	env := testkit.NewEnv(t)
	store := sqlstore.NewJobStore(env.DB)
	r := &jobs.Runner{Store: store, Poll: 10 * time.Millisecond}
	started := make(chan struct{})
	r.Handle(procedo.JobSendMail, func(ctx context.Context, j *procedo.Job) error {
		close(started)
		time.Sleep(200 * time.Millisecond) // still working when shutdown begins
		return ctx.Err()
	})
	testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	<-started
	cancel()
	<-done
	counts, err := store.JobCounts(context.Background())
	if err != nil || counts["done"] != 1 {
		t.Fatalf("the running job was not finished on shutdown: %v %v", counts, err)
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		name     string
		attempts int
		want     time.Duration
	}{
		{"First", 1, 10 * time.Second},
		{"Second", 2, 20 * time.Second},
		{"Capped", 30, time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := jobs.Backoff(tc.attempts); got != tc.want {
				t.Fatalf("%v, want %v", got, tc.want)
			}
		})
	}
}
