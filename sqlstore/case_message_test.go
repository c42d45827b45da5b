// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

func TestCaseService_Notes(t *testing.T) {
	env := testkit.NewEnv(t)
	A, B := env.A, env.B
	cases := sqlstore.NewCaseService(env.DB)
	r := testkit.MustSubmit(t, env.DB, A, testkit.Mario)
	id := r.Case.ID

	t.Run("OK", func(t *testing.T) {
		audit := countRows(t, env.DB, "audit_log")
		n, err := cases.AddCaseNote(A.AsUser(A.Operator), id, "  Telefonato al richiedente: manda la delega firmata.  ")
		if err != nil {
			t.Fatal(err)
		}
		if n.ID == 0 || n.Body != "Telefonato al richiedente: manda la delega firmata." || n.AuthorName != "Utente operatore" || n.CreatedAt.IsZero() {
			t.Fatalf("note %+v", n)
		}
		if _, err := cases.AddCaseNote(A.AsUser(A.Manager), id, "Visto."); err != nil {
			t.Fatal(err)
		}
		if got := countRows(t, env.DB, "audit_log"); got != audit+2 {
			t.Fatalf("audit rows %d, want %d", got, audit+2)
		}
		notes, err := cases.FindCaseNotes(A.AsUser(A.Admin), id)
		if err != nil || len(notes) != 2 || notes[0].ID != n.ID || notes[1].Body != "Visto." {
			t.Fatalf("notes %v %v", notes, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := cases.AddCaseNote(A.AsUser(A.Operator), id, "   ")
		if procedo.FieldErrorsOf(err)["note"] == "" {
			t.Fatalf("got %v", err)
		}
		_, err = cases.AddCaseNote(A.AsUser(A.Operator), id, strings.Repeat("à", procedo.MaxNoteLength+1))
		if procedo.FieldErrorsOf(err)["note"] == "" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrNotStaff", func(t *testing.T) {
		_, err := cases.AddCaseNote(A.AsCitizen(testkit.Mario), id, "nota del cittadino")
		wantCode(t, err, procedo.EFORBIDDEN)
		_, err = cases.FindCaseNotes(A.AsCitizen(testkit.Mario), id)
		wantCode(t, err, procedo.EFORBIDDEN)
		_, err = cases.FindCaseNotes(A.AsCitizen(testkit.Lucia), id)
		wantCode(t, err, procedo.ENOTFOUND)
		_, err = cases.AddCaseNote(A.AsUser(A.Registry), id, "il protocollo non vede la pratica")
		wantCode(t, err, procedo.ENOTFOUND)
	})
	t.Run("ErrOtherTenant", func(t *testing.T) {
		for _, u := range []*procedo.User{B.Operator, B.Manager, B.Admin} {
			_, err := cases.AddCaseNote(B.AsUser(u), id, "intrusione")
			wantCode(t, err, procedo.ENOTFOUND)
			_, err = cases.FindCaseNotes(B.AsUser(u), id)
			wantCode(t, err, procedo.ENOTFOUND)
		}
	})
}

func TestCaseService_Messages(t *testing.T) {
	env := testkit.NewEnv(t)
	A, B := env.A, env.B
	cases := sqlstore.NewCaseService(env.DB)
	r := testkit.MustSubmit(t, env.DB, A, testkit.Mario)
	id := r.Case.ID
	mario := A.AsCitizen(testkit.Mario)
	regs, mails := countRows(t, env.DB, "registrations"), countRows(t, env.DB, "mail_messages")

	file := putPDF(t, env.DB, A, "files", "planimetria.pdf")
	in, err := cases.SendCaseMessage(mario, id, "  Posso consegnare la delega a mano?  ", []*procedo.Upload{file.Upload()})
	if err != nil {
		t.Fatal(err)
	}
	if in.Direction != procedo.MessageFromApplicant || in.Body != "Posso consegnare la delega a mano?" || in.Attachments != 1 ||
		in.RegistrationID == 0 || in.DocumentID == 0 || !strings.HasSuffix(in.Protocol, "/"+strconv.Itoa(in.ProtocolYear)) || in.AuthorName != "Mario Rossi" {
		t.Fatalf("message %+v", in)
	}
	out, err := cases.ReplyCaseMessage(A.AsUser(A.Operator), id, "Sì, in orario di apertura.")
	if err != nil {
		t.Fatal(err)
	}
	if out.Direction != procedo.MessageFromOffice || out.ProtocolNumber != in.ProtocolNumber+1 {
		t.Fatalf("reply %+v after %+v", out, in)
	}
	if got := countRows(t, env.DB, "registrations"); got != regs+2 {
		t.Fatalf("registrations %d, want %d", got, regs+2)
	}
	if got := countRows(t, env.DB, "mail_messages"); got != mails+2 {
		t.Fatalf("mails %d, want %d (office and applicant)", got, mails+2)
	}
	reg, err := sqlstore.NewRegistrationService(env.DB).FindRegistrationByID(A.AsUser(A.Registry), out.RegistrationID)
	if err != nil || reg.Direction != procedo.DirectionOutgoing || reg.Correspondents[0].FiscalCode != testkit.Mario.FiscalCode {
		t.Fatalf("reply registration %+v %v", reg, err)
	}
	reg, err = sqlstore.NewRegistrationService(env.DB).FindRegistrationByID(A.AsUser(A.Registry), in.RegistrationID)
	if err != nil || reg.Direction != procedo.DirectionIncoming || reg.AttachmentCount != 1 {
		t.Fatalf("message registration %+v %v", reg, err)
	}

	t.Run("BothSeeThem", func(t *testing.T) {
		for _, ctx := range []context.Context{mario, A.AsUser(A.Operator), A.AsUser(A.Admin)} {
			msgs, err := cases.FindCaseMessages(ctx, id)
			if err != nil || len(msgs) != 2 || msgs[0].ID != in.ID || msgs[1].ID != out.ID || msgs[1].Protocol != out.Protocol {
				t.Fatalf("messages %v %v", msgs, err)
			}
		}
		docs, err := cases.FindCaseDocuments(mario, id)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, d := range docs {
			ids = append(ids, d.ID)
		}
		if !containsID(ids, in.DocumentID) || !containsID(ids, out.DocumentID) {
			t.Fatalf("documents %v lack %d and %d", ids, in.DocumentID, out.DocumentID)
		}
		evs, err := cases.FindCaseEvents(mario, id)
		if err != nil || evs[len(evs)-1].Kind != procedo.CaseEventMessage || evs[len(evs)-1].RegistrationID == nil {
			t.Fatalf("events %v %v", evs, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := cases.SendCaseMessage(mario, id, " ", nil)
		if procedo.FieldErrorsOf(err)["message"] == "" {
			t.Fatalf("got %v", err)
		}
		_, err = cases.ReplyCaseMessage(A.AsUser(A.Operator), id, strings.Repeat("x", procedo.MaxMessageLength+1))
		if procedo.FieldErrorsOf(err)["message"] == "" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrWrongActor", func(t *testing.T) {
		_, err := cases.SendCaseMessage(A.AsCitizen(testkit.Lucia), id, "non è mia", nil)
		wantCode(t, err, procedo.ENOTFOUND)
		_, err = cases.SendCaseMessage(A.AsUser(A.Operator), id, "sono un operatore", nil)
		wantCode(t, err, procedo.EFORBIDDEN)
		_, err = cases.ReplyCaseMessage(mario, id, "risposta del cittadino")
		wantCode(t, err, procedo.EFORBIDDEN)
		_, err = cases.ReplyCaseMessage(A.AsUser(A.Admin), id, "l'amministratore non lavora le pratiche")
		wantCode(t, err, procedo.EFORBIDDEN)
		for _, ctx := range []context.Context{B.AsUser(B.Operator), B.AsUser(B.Manager), B.AsCitizen(testkit.Mario)} {
			_, err = cases.ReplyCaseMessage(ctx, id, "da un altro ente")
			wantCode(t, err, procedo.ENOTFOUND)
			_, err = cases.FindCaseMessages(ctx, id)
			wantCode(t, err, procedo.ENOTFOUND)
		}
	})
}

func TestCaseService_WithdrawCase(t *testing.T) {
	env := testkit.NewEnv(t)
	A, B := env.A, env.B
	cases := sqlstore.NewCaseService(env.DB)
	r := testkit.MustSubmit(t, env.DB, A, testkit.Mario)
	id := r.Case.ID
	mario := A.AsCitizen(testkit.Mario)

	_, err := cases.WithdrawCase(A.AsUser(A.Operator), id, "")
	wantCode(t, err, procedo.EFORBIDDEN)
	_, err = cases.WithdrawCase(A.AsCitizen(testkit.Lucia), id, "")
	wantCode(t, err, procedo.ENOTFOUND)
	_, err = cases.WithdrawCase(B.AsCitizen(testkit.Mario), id, "")
	wantCode(t, err, procedo.ENOTFOUND)
	_, err = cases.WithdrawCase(mario, id, strings.Repeat("x", procedo.MaxReasonLength+1))
	if procedo.FieldErrorsOf(err)["reason"] == "" {
		t.Fatalf("got %v", err)
	}

	regs := countRows(t, env.DB, "registrations")
	c, err := cases.WithdrawCase(mario, id, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != procedo.CaseWithdrawn || c.ClosedAt == nil || c.ClockState != procedo.ClockStopped {
		t.Fatalf("case %+v", c)
	}
	if got := countRows(t, env.DB, "registrations"); got != regs+1 {
		t.Fatalf("registrations %d, want %d", got, regs+1)
	}
	evs, err := cases.FindCaseEvents(mario, id)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Kind != procedo.CaseEventTransition || last.ToStatus != procedo.CaseWithdrawn || last.RegistrationID == nil || last.ActorName != "Mario Rossi" {
		t.Fatalf("event %+v", last)
	}
	reg, err := sqlstore.NewRegistrationService(env.DB).FindRegistrationByID(A.AsUser(A.Registry), *last.RegistrationID)
	if err != nil || reg.Direction != procedo.DirectionIncoming || !strings.HasPrefix(reg.Subject, procedo.WithdrawalTitle) {
		t.Fatalf("registration %+v %v", reg, err)
	}
	_, err = cases.WithdrawCase(mario, id, "")
	wantCode(t, err, procedo.ECONFLICT)

	t.Run("ErrNoWithdrawalInState", func(t *testing.T) {
		r := testkit.MustSubmit(t, env.DB, A, testkit.Mario)
		if _, err := cases.TransitionCase(A.AsUser(A.Operator), r.Case.ID, "request_integration", "Manca la firma."); err != nil {
			t.Fatal(err)
		}
		_, err := cases.WithdrawCase(mario, r.Case.ID, "")
		wantCode(t, err, procedo.ECONFLICT)
	})
}

func TestOutboxService_FindOutbox(t *testing.T) {
	env := testkit.NewEnv(t)
	A, B := env.A, env.B
	outbox := sqlstore.NewOutboxService(env.DB)
	testkit.MustSubmit(t, env.DB, A, testkit.Mario)
	testkit.MustSubmit(t, env.DB, A, testkit.Lucia)
	testkit.MustSubmit(t, env.DB, B, testkit.Lucia)

	list, total, err := outbox.FindOutbox(A.AsUser(A.Admin), procedo.OutboxFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || len(list) != 1 || !strings.Contains(list[0].Subject, "0000002") || list[0].JobState != "queued" || list[0].NextAttempt == nil ||
		list[0].Status != procedo.MailQueued || len(list[0].Attachments) != 1 {
		t.Fatalf("outbox %d %+v", total, list[0])
	}
	if err := outbox.MarkMailMessage(A.As(procedo.SystemActor), list[0].ID, procedo.MailFailed, "550 utente sconosciuto"); err != nil {
		t.Fatal(err)
	}
	failed := procedo.MailFailed
	list, total, err = outbox.FindOutbox(A.AsUser(A.Admin), procedo.OutboxFilter{Status: &failed})
	if err != nil || total != 1 || list[0].LastError != "550 utente sconosciuto" || list[0].Attempts != 1 {
		t.Fatalf("failed %d %v %v", total, list, err)
	}
	list, total, err = outbox.FindOutbox(B.AsUser(B.Admin), procedo.OutboxFilter{})
	if err != nil || total != 1 || list[0].TenantID != B.Tenant.ID {
		t.Fatalf("B's outbox %d %v %v", total, list, err)
	}
	for _, u := range []*procedo.User{A.Operator, A.Manager, A.Registry} {
		_, _, err = outbox.FindOutbox(A.AsUser(u), procedo.OutboxFilter{})
		wantCode(t, err, procedo.EFORBIDDEN)
	}
	_, _, err = outbox.FindOutbox(A.AsCitizen(testkit.Mario), procedo.OutboxFilter{})
	if code := procedo.ErrorCode(err); code != procedo.EFORBIDDEN && code != procedo.EUNAUTHORIZED {
		t.Fatalf("citizen: %v", err)
	}
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
