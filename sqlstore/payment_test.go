// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// Fiscal codes of real Comuni, valid 11-digit codici fiscali.
const (
	cfAlfa = "01199250158"
	cfBeta = "02438750586"
)

// paymentEnv is the two fixture Comuni with their codici fiscali set.
func paymentEnv(t *testing.T) *testkit.Env {
	t.Helper()
	env := testkit.NewEnv(t)
	for _, c := range []struct {
		comune *testkit.Comune
		cf     string
	}{{env.A, cfAlfa}, {env.B, cfBeta}} {
		if err := testkit.Exec(env.DB, `UPDATE tenants SET fiscal_code = ? WHERE id = ?`, c.cf, c.comune.Tenant.ID); err != nil {
			t.Fatal(err)
		}
		c.comune.Tenant.FiscalCode = c.cf
	}
	return env
}

func newNotice(payer *procedo.Citizen) *procedo.PaymentNotice {
	return &procedo.PaymentNotice{Amount: 1600, Causale: "Diritti di segreteria – accesso agli atti",
		PayerFiscalCode: payer.FiscalCode, PayerName: payer.FullName(), DueDate: procedo.NewDate(2026, time.March, 31)}
}

// mustNotice issues a notice to Mario in comune c, as the system.
func mustNotice(t *testing.T, db *sqlstore.DB, c *testkit.Comune, edit ...func(*procedo.PaymentNotice)) *procedo.PaymentNotice {
	t.Helper()
	n := newNotice(testkit.Mario)
	for _, e := range edit {
		e(n)
	}
	if err := sqlstore.NewPaymentService(db).CreateNotice(c.As(procedo.SystemActor), n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPaymentService_CreateNotice(t *testing.T) {
	env := paymentEnv(t)
	payments := sqlstore.NewPaymentService(env.DB)
	sys := env.A.As(procedo.SystemActor)

	t.Run("OK", func(t *testing.T) {
		n := newNotice(testkit.Mario)
		n.Causale = "  " + n.Causale + "  "
		if err := payments.CreateNotice(sys, n); err != nil {
			t.Fatal(err)
		}
		// The first notice of a tenant: aux digit 3, codice segregazione 01, IUV base 1.
		if n.ID == 0 || n.TenantID != env.A.Tenant.ID || n.NoticeNumber.String() != "301000000000000144" ||
			n.IUV != "01000000000000144" || n.CreditorFiscalCode != cfAlfa || n.Status != procedo.PaymentUnpaid ||
			n.PaidAt != nil || n.CreatedAt.IsZero() || n.Causale != "Diritti di segreteria – accesso agli atti" {
			t.Fatalf("got %+v", n)
		}
		got, err := payments.FindNotice(sys, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.NoticeNumber != n.NoticeNumber || got.IUV != n.IUV || got.Amount != 1600 || got.DueDate != n.DueDate ||
			got.PayerFiscalCode != testkit.Mario.FiscalCode || got.PayerName != "Mario Rossi" || got.CaseID != nil ||
			got.ApplicationDraftID != nil || !got.CreatedAt.Equal(n.CreatedAt) || got.Causale != n.Causale {
			t.Fatalf("stored %+v, want %+v", got, n)
		}
		qr, err := got.QRCodeContent()
		if err != nil || qr != "PAGOPA|002|301000000000000144|"+cfAlfa+"|1600" {
			t.Fatalf("QR = %q, %v", qr, err)
		}
	})

	t.Run("NextNumberAndOwnCounterPerTenant", func(t *testing.T) {
		a := mustNotice(t, env.DB, env.A)
		if a.NoticeNumber.IUVBase() != "0000000000002" {
			t.Errorf("second notice of A has IUV base %s", a.NoticeNumber.IUVBase())
		}
		b := mustNotice(t, env.DB, env.B)
		if b.NoticeNumber.IUVBase() != "0000000000001" || b.CreditorFiscalCode != cfBeta {
			t.Errorf("first notice of B: %s, %s", b.NoticeNumber.IUVBase(), b.CreditorFiscalCode)
		}
	})

	t.Run("CitizenForSelf", func(t *testing.T) {
		n := newNotice(testkit.Mario)
		n.PayerFiscalCode = strings.ToLower(n.PayerFiscalCode) // normalised before the check
		draft := int64(42)
		n.ApplicationDraftID = &draft
		if err := payments.CreateNotice(env.A.AsCitizen(testkit.Mario), n); err != nil {
			t.Fatal(err)
		}
		if n.PayerFiscalCode != testkit.Mario.FiscalCode || n.ApplicationDraftID == nil || *n.ApplicationDraftID != 42 {
			t.Fatalf("got %+v", n)
		}
	})

	t.Run("OwnCase", func(t *testing.T) {
		r := testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
		n := mustNotice(t, env.DB, env.A, func(n *procedo.PaymentNotice) { n.CaseID = &r.Case.ID })
		got, err := payments.FindNotice(sys, n.ID)
		if err != nil || got.CaseID == nil || *got.CaseID != r.Case.ID {
			t.Fatalf("got %+v, %v", got, err)
		}
	})

	t.Run("ErrNotFoundOtherTenantsCase", func(t *testing.T) {
		r := testkit.MustSubmit(t, env.DB, env.B, testkit.Mario)
		n := newNotice(testkit.Mario)
		n.CaseID = &r.Case.ID
		if err := payments.CreateNotice(sys, n); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		before := countRows(t, env.DB, "payment_notices")
		n := newNotice(testkit.Mario)
		n.Amount, n.Causale = 0, strings.Repeat("x", 141)
		err := payments.CreateNotice(sys, n)
		fe := procedo.FieldErrorsOf(err)
		if fe["amount"] == "" || fe["causale"] == "" {
			t.Fatalf("got %v", err)
		}
		if n.ID != 0 || !n.NoticeNumber.IsZero() || countRows(t, env.DB, "payment_notices") != before {
			t.Fatal("an invalid notice was stored or numbered")
		}
	})

	t.Run("ErrPermissions", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			ctx  context.Context
			want string
		}{
			{"OtherCitizen", env.A.AsCitizen(testkit.Lucia), procedo.EFORBIDDEN},
			{"Registry", env.A.AsUser(env.A.Registry), procedo.EFORBIDDEN},
			{"Anonymous", env.A.As(nil), procedo.EUNAUTHORIZED},
			{"NoTenant", procedo.NewContextWithActor(context.Background(), procedo.SystemActor), procedo.EINTERNAL},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if err := payments.CreateNotice(tt.ctx, newNotice(testkit.Mario)); procedo.ErrorCode(err) != tt.want {
					t.Fatalf("got %v, want %s", err, tt.want)
				}
			})
		}
		if err := payments.CreateNotice(env.A.AsUser(env.A.Operator), newNotice(testkit.Mario)); err != nil {
			t.Fatalf("operator: %v", err)
		}
	})

	t.Run("ErrConflictNoFiscalCode", func(t *testing.T) {
		c := testkit.MustComune(t, env.DB, "comune-c", "Comune di Gamma", "c.test")
		err := payments.CreateNotice(c.As(procedo.SystemActor), newNotice(testkit.Mario))
		if procedo.ErrorCode(err) != procedo.ECONFLICT || !strings.Contains(procedo.ErrorMessage(err), "codice fiscale") {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("Layouts", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			aux    int
			code   string
			prefix string
		}{
			{"Aux0", 0, "07", "007"},
			{"Aux2", 2, "", "2"},
			{"Aux3Segregation49", 3, "49", "349"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				s := sqlstore.NewPaymentService(env.DB)
				s.AuxDigit, s.Code = tt.aux, tt.code
				n := newNotice(testkit.Mario)
				if err := s.CreateNotice(sys, n); err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(n.NoticeNumber.String(), tt.prefix) || n.NoticeNumber.AuxDigit() != tt.aux {
					t.Fatalf("got %s", n.NoticeNumber)
				}
				if _, err := procedo.ParseNoticeNumber(n.NoticeNumber.String()); err != nil {
					t.Fatal(err)
				}
			})
		}
		s := sqlstore.NewPaymentService(env.DB)
		s.Code = ""
		if err := s.CreateNotice(sys, newNotice(testkit.Mario)); procedo.ErrorCode(err) != procedo.EINTERNAL {
			t.Fatalf("misconfigured service: %v", err)
		}
	})
}

func TestPaymentService_FindNotice(t *testing.T) {
	env := paymentEnv(t)
	payments := sqlstore.NewPaymentService(env.DB)
	n := mustNotice(t, env.DB, env.A)

	t.Run("OK", func(t *testing.T) {
		for name, ctx := range map[string]context.Context{
			"System": env.A.As(procedo.SystemActor), "Payer": env.A.AsCitizen(testkit.Mario),
			"Operator": env.A.AsUser(env.A.Operator), "Registry": env.A.AsUser(env.A.Registry),
		} {
			if got, err := payments.FindNotice(ctx, n.ID); err != nil || got.ID != n.ID {
				t.Errorf("%s: FindNotice = %v, %v", name, got, err)
			}
			for _, s := range []string{n.NoticeNumber.String(), n.NoticeNumber.Grouped()} {
				if got, err := payments.FindNoticeByNumber(ctx, s); err != nil || got.ID != n.ID {
					t.Errorf("%s: FindNoticeByNumber(%q) = %v, %v", name, s, got, err)
				}
			}
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		ctxs := map[string]context.Context{
			"OtherCitizen": env.A.AsCitizen(testkit.Lucia), "Anonymous": env.A.As(nil),
			// Comune B: the same numbers exist there as well, for its own notices.
			"B.System": env.B.As(procedo.SystemActor), "B.Admin": env.B.AsUser(env.B.Admin),
			"B.Manager": env.B.AsUser(env.B.Manager), "B.Operator": env.B.AsUser(env.B.Operator),
			"B.SamePayer": env.B.AsCitizen(testkit.Mario),
		}
		for name, ctx := range ctxs {
			if _, err := payments.FindNotice(ctx, n.ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
				t.Errorf("%s: FindNotice: %v", name, err)
			}
			if _, err := payments.FindNoticeByNumber(ctx, n.NoticeNumber.String()); procedo.ErrorCode(err) != procedo.ENOTFOUND {
				t.Errorf("%s: FindNoticeByNumber: %v", name, err)
			}
			if list, total, err := payments.FindNotices(ctx, procedo.PaymentNoticeFilter{}); err != nil || total != 0 || len(list) != 0 {
				t.Errorf("%s: FindNotices = %d, %d, %v", name, len(list), total, err)
			}
		}
		if _, err := payments.FindNotice(env.A.As(procedo.SystemActor), n.ID+1000); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Errorf("missing id: %v", err)
		}
		// B issues its own first notice, with the same number as A's: B sees its own.
		b := mustNotice(t, env.DB, env.B)
		got, err := payments.FindNoticeByNumber(env.B.As(procedo.SystemActor), n.NoticeNumber.String())
		if b.NoticeNumber != n.NoticeNumber || err != nil || got.ID != b.ID || got.TenantID != env.B.Tenant.ID {
			t.Errorf("B's notice with A's number: %v, %v", got, err)
		}
	})

	t.Run("ErrInvalidNumber", func(t *testing.T) {
		if _, err := payments.FindNoticeByNumber(env.A.As(procedo.SystemActor), "301000000000000145"); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Fatalf("got %v", err)
		}
	})
}

func TestPaymentService_FindNotices(t *testing.T) {
	env := paymentEnv(t)
	payments := sqlstore.NewPaymentService(env.DB)
	draft := int64(7)
	n1 := mustNotice(t, env.DB, env.A, func(n *procedo.PaymentNotice) { n.ApplicationDraftID = &draft })
	n2 := mustNotice(t, env.DB, env.A, func(n *procedo.PaymentNotice) { n.ApplicationDraftID = &draft; n.Amount = 5000 })
	lucia := mustNotice(t, env.DB, env.A, func(n *procedo.PaymentNotice) {
		n.PayerFiscalCode, n.PayerName = testkit.Lucia.FiscalCode, testkit.Lucia.FullName()
	})
	mustNotice(t, env.DB, env.B, func(n *procedo.PaymentNotice) { n.ApplicationDraftID = &draft })
	if _, err := payments.MarkPaid(env.A.As(procedo.SystemActor), n1.NoticeNumber.String(), "demo", "DEMO-1"); err != nil {
		t.Fatal(err)
	}
	paid, unpaid := procedo.PaymentPaid, procedo.PaymentUnpaid
	ids := func(list []*procedo.PaymentNotice) []int64 {
		var out []int64
		for _, n := range list {
			out = append(out, n.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		ctx  context.Context
		f    procedo.PaymentNoticeFilter
		want []int64
	}{
		{"AllNewestFirst", env.A.AsUser(env.A.Operator), procedo.PaymentNoticeFilter{}, []int64{lucia.ID, n2.ID, n1.ID}},
		{"Draft", env.A.As(procedo.SystemActor), procedo.PaymentNoticeFilter{ApplicationDraftID: &draft}, []int64{n2.ID, n1.ID}},
		{"DraftPaid", env.A.As(procedo.SystemActor), procedo.PaymentNoticeFilter{ApplicationDraftID: &draft, Status: &paid}, []int64{n1.ID}},
		{"Unpaid", env.A.As(procedo.SystemActor), procedo.PaymentNoticeFilter{Status: &unpaid}, []int64{lucia.ID, n2.ID}},
		{"CitizenOwnOnly", env.A.AsCitizen(testkit.Lucia), procedo.PaymentNoticeFilter{}, []int64{lucia.ID}},
		{"CitizenAsksForOthers", env.A.AsCitizen(testkit.Lucia), procedo.PaymentNoticeFilter{PayerFiscalCode: &testkit.Mario.FiscalCode}, nil},
		{"Payer", env.A.AsUser(env.A.Manager), procedo.PaymentNoticeFilter{PayerFiscalCode: &testkit.Mario.FiscalCode}, []int64{n2.ID, n1.ID}},
		{"Page", env.A.AsUser(env.A.Manager), procedo.PaymentNoticeFilter{Offset: 1, Limit: 1}, []int64{n2.ID}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			list, total, err := payments.FindNotices(tt.ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(ids(list)) != fmt.Sprint(tt.want) {
				t.Fatalf("got %v, want %v", ids(list), tt.want)
			}
			if tt.f.Limit == 0 && total != len(tt.want) {
				t.Fatalf("total %d, want %d", total, len(tt.want))
			}
			if tt.f.Limit == 1 && total != 3 {
				t.Fatalf("total %d, want 3", total)
			}
		})
	}
}

func TestPaymentService_MarkPaid(t *testing.T) {
	env := paymentEnv(t)
	payments := sqlstore.NewPaymentService(env.DB)
	sys := env.A.As(procedo.SystemActor)
	n := mustNotice(t, env.DB, env.A)
	num := n.NoticeNumber.String()

	t.Run("ErrForbidden", func(t *testing.T) {
		for name, ctx := range map[string]context.Context{
			"Payer": env.A.AsCitizen(testkit.Mario), "Operator": env.A.AsUser(env.A.Operator), "Anonymous": env.A.As(nil),
		} {
			if _, err := payments.MarkPaid(ctx, num, "demo", "DEMO-1"); procedo.ErrorCode(err) != procedo.EFORBIDDEN &&
				procedo.ErrorCode(err) != procedo.EUNAUTHORIZED {
				t.Errorf("%s: %v", name, err)
			}
		}
	})

	t.Run("ErrNotFoundOtherTenant", func(t *testing.T) {
		for name, ctx := range map[string]context.Context{"B.System": env.B.As(procedo.SystemActor), "B.Admin": env.B.AsUser(env.B.Admin)} {
			if _, err := payments.MarkPaid(ctx, num, "demo", "DEMO-1"); procedo.ErrorCode(err) != procedo.ENOTFOUND {
				t.Errorf("%s: %v", name, err)
			}
			if _, err := payments.CancelNotice(ctx, n.ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
				t.Errorf("%s: cancel: %v", name, err)
			}
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, tt := range []struct{ number, provider, ref string }{
			{"301000000000000145", "demo", "DEMO-1"},
			{num, "", "DEMO-1"},
			{num, "demo", " "},
			{num, "demo", strings.Repeat("x", 201)},
		} {
			if _, err := payments.MarkPaid(sys, tt.number, tt.provider, tt.ref); procedo.ErrorCode(err) != procedo.EINVALID {
				t.Errorf("MarkPaid(%q, %q, %q): %v", tt.number, tt.provider, tt.ref, err)
			}
		}
	})

	t.Run("OK", func(t *testing.T) {
		got, err := payments.MarkPaid(sys, n.NoticeNumber.Grouped(), "demo", "DEMO-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != procedo.PaymentPaid || got.PaidAt == nil || got.Provider != "demo" || got.ProviderRef != "DEMO-1" {
			t.Fatalf("got %+v", got)
		}
		stored, err := payments.FindNotice(env.A.AsCitizen(testkit.Mario), n.ID)
		if err != nil || stored.Status != procedo.PaymentPaid || stored.PaidAt == nil || !stored.PaidAt.Equal(*got.PaidAt) || stored.ProviderRef != "DEMO-1" {
			t.Fatalf("stored %+v, %v", stored, err)
		}
	})

	t.Run("Idempotent", func(t *testing.T) {
		before := countRows(t, env.DB, "audit_log")
		got, err := payments.MarkPaid(env.A.AsUser(env.A.Manager), num, "demo", "DEMO-1")
		if err != nil || got.Status != procedo.PaymentPaid {
			t.Fatalf("got %+v, %v", got, err)
		}
		if countRows(t, env.DB, "audit_log") != before {
			t.Error("a repeated confirmation was audited again")
		}
	})

	t.Run("ErrConflictOtherPayment", func(t *testing.T) {
		for _, tt := range []struct{ provider, ref string }{{"demo", "DEMO-2"}, {"pagopa", "DEMO-1"}} {
			if _, err := payments.MarkPaid(sys, num, tt.provider, tt.ref); procedo.ErrorCode(err) != procedo.ECONFLICT {
				t.Errorf("%s %s: %v", tt.provider, tt.ref, err)
			}
		}
	})

	t.Run("ErrConflictCancelPaid", func(t *testing.T) {
		if _, err := payments.CancelNotice(sys, n.ID); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("Cancel", func(t *testing.T) {
		c := mustNotice(t, env.DB, env.A)
		if _, err := payments.CancelNotice(env.A.AsCitizen(testkit.Mario), c.ID); procedo.ErrorCode(err) != procedo.EFORBIDDEN {
			t.Fatalf("payer cancelled: %v", err)
		}
		got, err := payments.CancelNotice(env.A.AsUser(env.A.Admin), c.ID)
		if err != nil || got.Status != procedo.PaymentCancelled || got.Payable() {
			t.Fatalf("got %+v, %v", got, err)
		}
		if again, err := payments.CancelNotice(sys, c.ID); err != nil || again.Status != procedo.PaymentCancelled {
			t.Fatalf("second cancel: %+v, %v", again, err)
		}
		if _, err := payments.MarkPaid(sys, c.NoticeNumber.String(), "demo", "DEMO-3"); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("paid a cancelled notice: %v", err)
		}
	})

	t.Run("Audited", func(t *testing.T) {
		events, _, err := sqlstore.NewAuditService(env.DB).FindAuditEvents(env.A.AsUser(env.A.Admin), procedo.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, e := range events {
			seen[e.Action]++
		}
		if seen["payment.notice"] != 2 || seen["payment.paid"] != 1 || seen["payment.cancel"] != 1 {
			t.Fatalf("audit actions %v", seen)
		}
	})
}

// TestPaymentService_Concurrent issues notices from many goroutines in two
// tenants at once: every notice gets its own IUV, numbered 1…n per tenant.
func TestPaymentService_Concurrent(t *testing.T) {
	env := paymentEnv(t)
	payments := sqlstore.NewPaymentService(env.DB)
	const n = 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	iuvs := map[int64]map[string]bool{env.A.Tenant.ID: {}, env.B.Tenant.ID: {}}
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := env.A
			if i%3 == 0 {
				c = env.B
			}
			ctx := c.As(procedo.SystemActor)
			if i%2 == 0 {
				ctx = c.AsCitizen(testkit.Mario)
			}
			notice := newNotice(testkit.Mario)
			if err := payments.CreateNotice(ctx, notice); err != nil {
				errs <- err
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if iuvs[c.Tenant.ID][notice.IUV] {
				errs <- fmt.Errorf("IUV %s given twice in %s", notice.IUV, c.Tenant.Slug)
			}
			iuvs[c.Tenant.ID][notice.IUV] = true
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for tid, set := range iuvs {
		for i := 1; i <= len(set); i++ {
			num, err := procedo.NewNoticeNumber(3, "01", fmt.Sprintf("%013d", i))
			if err != nil {
				t.Fatal(err)
			}
			if !set[num.IUV()] {
				t.Errorf("tenant %d: IUV number %d missing (got %d notices)", tid, i, len(set))
			}
		}
	}
	if len(iuvs[env.A.Tenant.ID])+len(iuvs[env.B.Tenant.ID]) != n {
		t.Errorf("got %d notices, want %d", len(iuvs[env.A.Tenant.ID])+len(iuvs[env.B.Tenant.ID]), n)
	}
}

// TestPaymentService_ConcurrentMarkPaid confirms one notice with different
// references at once: exactly one payment is recorded.
func TestPaymentService_ConcurrentMarkPaid(t *testing.T) {
	env := paymentEnv(t)
	payments := sqlstore.NewPaymentService(env.DB)
	notice := mustNotice(t, env.DB, env.A)
	const n = 12
	var wg sync.WaitGroup
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := payments.MarkPaid(env.A.As(procedo.SystemActor), notice.NoticeNumber.String(), "demo", fmt.Sprintf("DEMO-%d", i))
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	ok := 0
	for err := range results {
		switch {
		case err == nil:
			ok++
		case procedo.ErrorCode(err) != procedo.ECONFLICT:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d confirmations succeeded, want 1", ok)
	}
}

func TestPaymentService_TenantFiscalCode(t *testing.T) {
	db := testkit.OpenDB(t)
	tenants := sqlstore.NewTenantService(db)
	ctx := context.Background()
	tn := &procedo.Tenant{Slug: "comune-alfa", Name: "Comune di Alfa", FiscalCode: cfAlfa}
	if err := tenants.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	got, err := tenants.FindTenantBySlug(ctx, "comune-alfa")
	if err != nil || got.FiscalCode != cfAlfa {
		t.Fatalf("got %+v, %v", got, err)
	}
	err = tenants.CreateTenant(ctx, &procedo.Tenant{Slug: "comune-beta", Name: "Comune di Beta", FiscalCode: "01199250157"})
	if fe := procedo.FieldErrorsOf(err); fe["fiscal_code"] == "" {
		t.Fatalf("accepted a bad codice fiscale: %v", err)
	}
	var pe *procedo.Error
	if errors.As(err, &pe) {
		t.Fatalf("FieldErrors expected, got %v", pe)
	}
}
