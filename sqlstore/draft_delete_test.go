// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// TestDraftService_DeleteDraft: deleting a draft cancels its unpaid notices
// and records its files for the orphan-blob collector; a draft with a paid
// notice is refused; another owner or tenant finds nothing.
func TestDraftService_DeleteDraft(t *testing.T) {
	env := paymentEnv(t)
	payments := sqlstore.NewPaymentService(env.DB)
	drafts := sqlstore.NewDraftService(env.DB, payments)
	v := publishModel(t, env, env.A, "occupazione-suolo-pubblico")
	reg := env.A.AsUser(env.A.Registry)
	newDraft := func() (*procedo.ApplicationDraft, []*procedo.PaymentNotice) {
		t.Helper()
		d := &procedo.ApplicationDraft{ProcedureVersionID: v.ID, FiscalCode: testkit.Mario.FiscalCode, PrivacyAcceptedAt: &time.Time{},
			Applicant: procedo.DraftApplicant{GivenName: "Mario", FamilyName: "Rossi", Email: "mario.rossi@example.it"}, Values: occupazione()}
		if err := drafts.CreateDraft(reg, d); err != nil {
			t.Fatal(err)
		}
		if _, err := drafts.AttachDraftFile(reg, d.ID, putPDF(t, env.DB, env.A, "planimetria", fmt.Sprint("planimetria ", d.ID))); err != nil {
			t.Fatal(err)
		}
		notices, err := drafts.PrepareDraftPayments(reg, d.ID)
		if err != nil || len(notices) != 2 {
			t.Fatalf("notices %v, %v", notices, err)
		}
		return d, notices
	}

	t.Run("ErrNotFound", func(t *testing.T) {
		d, _ := newDraft()
		other := *env.A.Registry
		other.ID = env.A.Admin.ID // same tenant and role, another user
		for name, ctx := range map[string]context.Context{
			"another integrator":      env.A.AsUser(&other),
			"the integrator of B":     env.B.AsUser(env.B.Registry),
			"the applicant (citizen)": env.A.AsCitizen(testkit.Mario),
		} {
			if err := drafts.DeleteDraft(ctx, d.ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := drafts.FindDraftByID(reg, d.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("OK", func(t *testing.T) {
		d, notices := newDraft()
		before, err := testkit.Count(env.DB, "blob_candidates")
		if err != nil {
			t.Fatal(err)
		}
		if err := drafts.DeleteDraft(reg, d.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := drafts.FindDraftByID(reg, d.ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("draft still there: %v", err)
		}
		for _, n := range notices {
			got, err := payments.FindNotice(env.A.As(procedo.SystemActor), n.ID)
			if err != nil || got.Status != procedo.PaymentCancelled {
				t.Fatalf("notice %+v, %v", got, err)
			}
		}
		if n, err := testkit.Count(env.DB, "blob_candidates"); err != nil || n != before+1 {
			t.Fatalf("%d candidates (before %d), %v", n, before, err)
		}
	})

	t.Run("ErrConflictWhenPaid", func(t *testing.T) {
		d, notices := newDraft()
		paid, err := payments.MarkPaid(env.A.As(procedo.SystemActor), notices[0].NoticeNumber.String(), "demo", "DEMO-1")
		if err != nil {
			t.Fatal(err)
		}
		if err := drafts.DeleteDraft(reg, d.ID); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("got %v", err)
		}
		got, err := drafts.FindDraftByID(reg, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Nothing changed: the unpaid notice is still payable, the paid one paid.
		for _, n := range got.Payments {
			want := procedo.PaymentUnpaid
			if n.ID == paid.ID {
				want = procedo.PaymentPaid
			}
			if n.Status != want {
				t.Errorf("notice %d: %s, want %s", n.ID, n.Status, want)
			}
		}
		if len(got.Payments) != 2 {
			t.Fatalf("notices %v", got.Payments)
		}
	})
}
