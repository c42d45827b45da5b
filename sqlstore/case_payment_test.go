// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// canone is the fee an office asks for on a case in these tests.
func canone() procedo.CasePaymentRequest {
	return procedo.CasePaymentRequest{Description: " Canone per l'occupazione dal 10 al 14 aprile ", Amount: 7250,
		Causale: "Canone occupazione suolo pubblico", DueDate: procedo.NewDate(2030, time.April, 30)}
}

func TestPaymentService_RequestCasePayment(t *testing.T) {
	env := paymentEnv(t)
	A, B := env.A, env.B
	payments := sqlstore.NewPaymentService(env.DB)
	cases := sqlstore.NewCaseService(env.DB)
	r := testkit.MustSubmit(t, env.DB, A, testkit.Mario)
	id := r.Case.ID
	mario := A.AsCitizen(testkit.Mario)
	count := func() [5]int {
		return [5]int{countRows(t, env.DB, "payment_notices"), countRows(t, env.DB, "registrations"), countRows(t, env.DB, "mail_messages"),
			countRows(t, env.DB, "case_events"), countRows(t, env.DB, "documents")}
	}

	t.Run("ErrWrongActor", func(t *testing.T) {
		before := count()
		for name, tc := range map[string]struct {
			ctx  context.Context
			code string
		}{
			"Applicant":     {mario, procedo.EFORBIDDEN},
			"OtherCitizen":  {A.AsCitizen(testkit.Lucia), procedo.ENOTFOUND},
			"Admin":         {A.AsUser(A.Admin), procedo.EFORBIDDEN},
			"Registry":      {A.AsUser(A.Registry), procedo.ENOTFOUND},
			"OtherOperator": {B.AsUser(B.Operator), procedo.ENOTFOUND},
			"OtherManager":  {B.AsUser(B.Manager), procedo.ENOTFOUND},
			"OtherAdmin":    {B.AsUser(B.Admin), procedo.ENOTFOUND},
			"MarioInB":      {B.AsCitizen(testkit.Mario), procedo.ENOTFOUND},
			"Anonymous":     {A.As(nil), procedo.ENOTFOUND},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := payments.RequestCasePayment(tc.ctx, id, canone())
				if procedo.ErrorCode(err) != tc.code && !(name == "Anonymous" && procedo.ErrorCode(err) == procedo.EUNAUTHORIZED) {
					t.Fatalf("got %v, want %s", err, tc.code)
				}
			})
		}
		if got := count(); got != before {
			t.Fatalf("rows %v, before %v", got, before)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		before := count()
		_, err := payments.RequestCasePayment(A.AsUser(A.Operator), id, procedo.CasePaymentRequest{Description: " ", Amount: 0, Causale: ""})
		fe := procedo.FieldErrorsOf(err)
		if fe["description"] == "" || fe["amount"] == "" || fe["causale"] == "" {
			t.Fatalf("got %v", err)
		}
		if got := count(); got != before {
			t.Fatalf("rows %v, before %v", got, before)
		}
	})

	before := count()
	n, err := payments.RequestCasePayment(A.AsUser(A.Operator), id, canone())
	if err != nil {
		t.Fatal(err)
	}
	if n.CaseID == nil || *n.CaseID != id || n.Amount != 7250 || n.Status != procedo.PaymentUnpaid || n.PayerFiscalCode != testkit.Mario.FiscalCode ||
		n.Description != "Canone per l'occupazione dal 10 al 14 aprile" || n.RegistrationID == nil || n.DocumentID == nil ||
		n.CreditorFiscalCode != cfAlfa || n.NoticeNumber.IsZero() || n.IUV != n.NoticeNumber.IUV() || n.DueDate != procedo.NewDate(2030, time.April, 30) {
		t.Fatalf("notice %+v", n)
	}
	if got, want := count(), [5]int{before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1, before[4] + 1}; got != want {
		t.Fatalf("rows %v, want %v (notice, registration, mail, event, document)", got, want)
	}
	reg, err := sqlstore.NewRegistrationService(env.DB).FindRegistrationByID(A.AsUser(A.Registry), *n.RegistrationID)
	if err != nil || reg.Direction != procedo.DirectionOutgoing || reg.Correspondents[0].FiscalCode != testkit.Mario.FiscalCode ||
		!strings.Contains(reg.Subject, "Richiesta di pagamento pagoPA: Canone per l'occupazione") || reg.DocumentID == nil || *reg.DocumentID != *n.DocumentID {
		t.Fatalf("registration %+v %v", reg, err)
	}
	mails, _, err := sqlstore.NewOutboxService(env.DB).FindMailMessages(A.AsUser(A.Admin), procedo.MailFilter{})
	if err != nil || len(mails) == 0 {
		t.Fatalf("mails %v %v", mails, err)
	}
	m := mails[0]
	if m.To != testkit.Mario.Email || !strings.Contains(m.Subject, "richiesta di pagamento") || !strings.Contains(m.Body, n.NoticeNumber.Grouped()) ||
		!strings.Contains(m.Body, "€ 72,50") || len(m.Attachments) != 1 || m.Attachments[0].ID != *n.DocumentID {
		t.Fatalf("mail %+v", m)
	}
	if _, err := payments.RequestCasePayment(A.AsUser(A.Manager), id, canone()); err != nil {
		t.Fatal(err) // a manager of the office may ask too
	}

	t.Run("Visible", func(t *testing.T) {
		for name, ctx := range map[string]context.Context{"Applicant": mario, "Operator": A.AsUser(A.Operator), "Admin": A.AsUser(A.Admin)} {
			got, err := payments.FindCasePayments(ctx, id)
			if err != nil || len(got) != 2 || got[0].ID != n.ID || got[0].Description != n.Description || *got[0].DocumentID != *n.DocumentID {
				t.Fatalf("%s: %v %v", name, got, err)
			}
		}
		for name, ctx := range map[string]context.Context{"OtherCitizen": A.AsCitizen(testkit.Lucia), "Registry": A.AsUser(A.Registry),
			"OtherTenant": B.AsUser(B.Manager), "OtherAdmin": B.AsUser(B.Admin), "MarioInB": B.AsCitizen(testkit.Mario)} {
			_, err := payments.FindCasePayments(ctx, id)
			if procedo.ErrorCode(err) != procedo.ENOTFOUND {
				t.Fatalf("%s: %v", name, err)
			}
		}
		docs, err := cases.FindCaseDocuments(mario, id)
		if err != nil || !containsDoc(docs, *n.DocumentID) {
			t.Fatalf("the applicant does not see the notice's PDF: %v %v", docs, err)
		}
		evs, err := cases.FindCaseEvents(mario, id)
		if err != nil || evs[len(evs)-1].Kind != procedo.CaseEventPaymentRequest || evs[len(evs)-1].RegistrationID == nil {
			t.Fatalf("events %v %v", evs, err)
		}
	})
	t.Run("Pay", func(t *testing.T) {
		paid, err := payments.MarkPaid(A.As(procedo.SystemActor), n.NoticeNumber.String(), "demo", "DEMO-CASE-1")
		if err != nil || paid.Status != procedo.PaymentPaid {
			t.Fatalf("paid %+v %v", paid, err)
		}
		got, err := payments.FindCasePayments(A.AsUser(A.Operator), id)
		if err != nil || got[0].Status != procedo.PaymentPaid || got[0].PaidAt == nil || got[1].Status != procedo.PaymentUnpaid {
			t.Fatalf("payments %v %v", got, err)
		}
		evs, err := cases.FindCaseEvents(mario, id)
		if err != nil || evs[len(evs)-1].Kind != procedo.CaseEventPaymentPaid || !strings.Contains(evs[len(evs)-1].Reason, "€ 72,50") {
			t.Fatalf("events %v %v", evs, err)
		}
		// The same confirmation again records nothing more.
		events := countRows(t, env.DB, "case_events")
		if _, err := payments.MarkPaid(A.As(procedo.SystemActor), n.NoticeNumber.String(), "demo", "DEMO-CASE-1"); err != nil {
			t.Fatal(err)
		}
		if got := countRows(t, env.DB, "case_events"); got != events {
			t.Fatalf("events %d, want %d", got, events)
		}
	})
	t.Run("ErrNoFiscalCode", func(t *testing.T) {
		rb := testkit.MustSubmit(t, env.DB, B, testkit.Lucia)
		if err := testkit.Exec(env.DB, `UPDATE tenants SET fiscal_code = '' WHERE id = ?`, B.Tenant.ID); err != nil {
			t.Fatal(err)
		}
		_, err := payments.RequestCasePayment(B.AsUser(B.Operator), rb.Case.ID, canone())
		wantCode(t, err, procedo.ECONFLICT)
	})
}

func containsDoc(docs []*procedo.Document, id int64) bool {
	for _, d := range docs {
		if d.ID == id {
			return true
		}
	}
	return false
}

// TestDraftService_ComputedFee follows the canone of occupazione di suolo
// pubblico, computed from the form: recomputed when the values change (the
// unpaid notice cancelled, a new one issued), never changed once paid (the
// submission is refused until the values agree again).
func TestDraftService_ComputedFee(t *testing.T) {
	env := paymentEnv(t)
	payments := sqlstore.NewPaymentService(env.DB)
	drafts := sqlstore.NewDraftService(env.DB, payments)
	v := publishModel(t, env, env.A, "occupazione-suolo-pubblico")
	mario := env.A.AsCitizen(testkit.Mario)
	system := env.A.As(procedo.SystemActor)

	d := &procedo.ApplicationDraft{ProcedureVersionID: v.ID, PrivacyAcceptedAt: &time.Time{}, Values: occupazione()}
	if err := drafts.CreateDraft(mario, d); err != nil {
		t.Fatal(err)
	}
	if _, err := drafts.AttachDraftFile(mario, d.ID, putPDF(t, env.DB, env.A, "planimetria", "planimetria.pdf")); err != nil {
		t.Fatal(err)
	}
	notices, err := drafts.PrepareDraftPayments(mario, d.ID)
	if err != nil || len(notices) != 2 || notices[1].Amount != 2000 {
		t.Fatalf("notices %+v %v", notices, err)
	}
	bollo, first := notices[0], notices[1]

	// Five days instead of one: the unpaid canone is cancelled with the
	// change, and the payment step issues one for the new amount.
	if _, err := drafts.UpdateDraft(mario, d.ID, procedo.DraftUpdate{Values: map[string]string{"data_fine": "2026-04-14"}}); err != nil {
		t.Fatal(err)
	}
	got, err := payments.FindNotice(system, first.ID)
	if err != nil || got.Status != procedo.PaymentCancelled {
		t.Fatalf("stale notice %+v %v", got, err)
	}
	_, err = payments.MarkPaid(system, first.NoticeNumber.String(), "demo", "TARDI")
	wantCode(t, err, procedo.ECONFLICT) // nobody pays the stale amount
	if b, err := payments.FindNotice(system, bollo.ID); err != nil || b.Status != procedo.PaymentUnpaid {
		t.Fatalf("the fixed fee's notice changed: %+v %v", b, err)
	}
	notices, err = drafts.PrepareDraftPayments(mario, d.ID)
	if err != nil || len(notices) != 2 || notices[0].ID != bollo.ID {
		t.Fatalf("notices %+v %v", notices, err)
	}
	second := notices[1]
	if second.ID == first.ID || second.Amount != 7200 || second.Computation != "12 m² × 5 giorni × 1,20 € = 72,00 €" ||
		second.Description != "Canone unico patrimoniale" {
		t.Fatalf("recomputed %+v", second)
	}
	// Saving the same values again keeps the notice.
	if _, err := drafts.UpdateDraft(mario, d.ID, procedo.DraftUpdate{Values: map[string]string{"superficie": "12,0"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := payments.FindNotice(system, second.ID); err != nil || got.Status != procedo.PaymentUnpaid {
		t.Fatalf("notice %+v %v", got, err)
	}
	for _, n := range []*procedo.PaymentNotice{bollo, second} {
		if _, err := payments.MarkPaid(system, n.NoticeNumber.String(), "demo", "DEMO-"+n.IUV); err != nil {
			t.Fatal(err)
		}
	}

	// After paying, a larger surface would change the amount: the paid
	// notice stays as it is and the submission is refused, clearly.
	if _, err := drafts.UpdateDraft(mario, d.ID, procedo.DraftUpdate{Values: map[string]string{"superficie": "20"}}); err != nil {
		t.Fatal(err)
	}
	if got, err := payments.FindNotice(system, second.ID); err != nil || got.Status != procedo.PaymentPaid || got.Amount != 7200 {
		t.Fatalf("paid notice %+v %v", got, err)
	}
	notices, err = drafts.PrepareDraftPayments(mario, d.ID)
	if err != nil || len(notices) != 2 {
		t.Fatalf("no new notice while a paid one disagrees: %+v %v", notices, err)
	}
	_, err = drafts.SubmitDraft(mario, d.ID)
	if fe := procedo.FieldErrorsOf(err); !strings.Contains(fe["payments"], "hai già pagato 72,00 € per «Canone unico patrimoniale», ma con i dati attuali l'importo è 120,00 €") {
		t.Fatalf("conflict: %v", err)
	}
	if n := countRows(t, env.DB, "cases"); n != 0 {
		t.Fatalf("%d cases", n)
	}
	// Back to the surface paid for: submitted, with both notices.
	if _, err := drafts.UpdateDraft(mario, d.ID, procedo.DraftUpdate{Values: map[string]string{"superficie": "12"}}); err != nil {
		t.Fatal(err)
	}
	rec, err := drafts.SubmitDraft(mario, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Payments) != 2 || rec.Payments[1].ID != second.ID || rec.Payments[1].Computation != second.Computation {
		t.Fatalf("receipt payments %+v", rec.Payments)
	}
	list, err := payments.FindCasePayments(mario, rec.Case.ID)
	if err != nil || len(list) != 2 || list[1].Amount != 7200 {
		t.Fatalf("case payments %+v %v", list, err)
	}

	t.Run("NotComputable", func(t *testing.T) {
		d := &procedo.ApplicationDraft{ProcedureVersionID: v.ID, PrivacyAcceptedAt: &time.Time{}, Values: occupazione()}
		if err := drafts.CreateDraft(mario, d); err != nil {
			t.Fatal(err)
		}
		notices, err := drafts.PrepareDraftPayments(mario, d.ID)
		if err != nil || len(notices) != 2 {
			t.Fatalf("notices %v %v", notices, err)
		}
		// A date that is not a date: the canone cannot be computed, its
		// unpaid notice goes, and no new one comes until it can.
		if _, err := drafts.UpdateDraft(mario, d.ID, procedo.DraftUpdate{Values: map[string]string{"data_fine": "domani"}}); err != nil {
			t.Fatal(err)
		}
		notices, err = drafts.PrepareDraftPayments(mario, d.ID)
		if err != nil || len(notices) != 1 || notices[0].Amount != 1600 {
			for _, n := range notices {
				t.Logf("%+v", *n)
			}
			t.Fatalf("notices %v %v", notices, err)
		}
		// Another citizen cannot make or see them.
		_, err = drafts.PrepareDraftPayments(env.A.AsCitizen(testkit.Lucia), d.ID)
		wantCode(t, err, procedo.ENOTFOUND)
		_, err = drafts.PrepareDraftPayments(env.B.AsCitizen(testkit.Mario), d.ID)
		wantCode(t, err, procedo.ENOTFOUND)
	})
}

// TestDraftService_NoticesOfADeletedDraft: a draft never inherits the notices
// of a deleted draft, even when SQLite gives it the same id, so nobody's
// application counts as paid with someone else's payment.
func TestDraftService_NoticesOfADeletedDraft(t *testing.T) {
	env := paymentEnv(t)
	payments := sqlstore.NewPaymentService(env.DB)
	drafts := sqlstore.NewDraftService(env.DB, payments)
	v := publishModel(t, env, env.A, "occupazione-suolo-pubblico")
	mario, lucia := env.A.AsCitizen(testkit.Mario), env.A.AsCitizen(testkit.Lucia)
	d := &procedo.ApplicationDraft{ProcedureVersionID: v.ID, PrivacyAcceptedAt: &time.Time{}, Values: occupazione()}
	if err := drafts.CreateDraft(mario, d); err != nil {
		t.Fatal(err)
	}
	notices, err := drafts.PrepareDraftPayments(mario, d.ID)
	if err != nil || len(notices) != 2 {
		t.Fatalf("notices %v %v", notices, err)
	}
	for _, n := range notices {
		if _, err := payments.MarkPaid(env.A.As(procedo.SystemActor), n.NoticeNumber.String(), "demo", "DEMO-"+n.IUV); err != nil {
			t.Fatal(err)
		}
	}
	// A draft with a paid notice is not deleted; it goes when it expires.
	if err := drafts.DeleteDraft(mario, d.ID); procedo.ErrorCode(err) != procedo.ECONFLICT {
		t.Fatalf("deleting a paid draft: %v", err)
	}
	if err := testkit.Exec(env.DB, `UPDATE application_drafts SET expires_at = created_at WHERE id = ?`, d.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := drafts.PurgeExpiredDrafts(env.A.As(procedo.SystemActor)); err != nil || n != 1 {
		t.Fatalf("purged %d, %v", n, err)
	}
	for _, ctx := range []context.Context{lucia, mario} {
		next := &procedo.ApplicationDraft{ProcedureVersionID: v.ID, PrivacyAcceptedAt: &time.Time{}, Values: occupazione()}
		if err := drafts.CreateDraft(ctx, next); err != nil {
			t.Fatal(err)
		}
		got, err := drafts.FindDraftByID(ctx, next.ID)
		if err != nil || len(got.Payments) != 0 {
			t.Fatalf("draft %d (deleted %d) has notices %v %v", next.ID, d.ID, got.Payments, err)
		}
		if fe := got.Problems(&v.Definition); !strings.Contains(fe["payments"], "devi pagare") {
			t.Fatalf("problems %v", fe)
		}
		if err := drafts.DeleteDraft(ctx, next.ID); err != nil {
			t.Fatal(err)
		}
	}
}
