// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package payment_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/payment"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

var (
	alfa = &procedo.Tenant{ID: 1, Name: "Comune di Alfa", FiscalCode: "01199250158"}
	beta = &procedo.Tenant{ID: 2, Name: "Comune di Beta", FiscalCode: "02438750586"}
)

func newDemo(now *time.Time) *payment.Demo {
	return &payment.Demo{Enabled: true, PageURL: "/pagamenti/demo", ReturnURL: "/pagamenti/demo/esito?x=1",
		Key: []byte("chiave di prova"), Now: func() time.Time { return *now }}
}

func unpaidNotice(t *testing.T) *procedo.PaymentNotice {
	t.Helper()
	num, err := procedo.NewNoticeNumber(3, "01", "0000000000001")
	if err != nil {
		t.Fatal(err)
	}
	return &procedo.PaymentNotice{ID: 9, TenantID: alfa.ID, NoticeNumber: num, IUV: num.IUV(), CreditorFiscalCode: alfa.FiscalCode,
		Amount: 1600, Causale: "Diritti di segreteria <accesso agli atti>", PayerFiscalCode: testkit.Mario.FiscalCode,
		PayerName: "Mario Rossi", Status: procedo.PaymentUnpaid}
}

func tenantCtx(t *procedo.Tenant) context.Context {
	return procedo.NewContextWithTenant(context.Background(), t)
}

// serve runs the DEMO page for one request.
func serve(d *payment.Demo, method, target string, form url.Values) *httptest.ResponseRecorder {
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	w := httptest.NewRecorder()
	d.ServeHTTP(w, r)
	return w
}

func parse(t *testing.T, w *httptest.ResponseRecorder, status int) *goquery.Document {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d: %s", w.Code, status, w.Body)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// pay walks the DEMO page: Start, GET the page, press the button named
// outcome, and returns the request the browser makes to ReturnURL.
func pay(t *testing.T, d *payment.Demo, n *procedo.PaymentNotice, outcome string) *http.Request {
	t.Helper()
	start, err := d.Start(tenantCtx(alfa), n)
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, serve(d, http.MethodGet, start, nil), http.StatusOK)
	form := doc.Find("main form[method=post]")
	token, _ := form.Find("input[name=t]").Attr("value")
	action, _ := form.Attr("action")
	w := serve(d, http.MethodPost, action, url.Values{"t": {token}, "esito": {outcome}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("POST: status %d: %s", w.Code, w.Body)
	}
	return httptest.NewRequest(http.MethodGet, w.Header().Get("Location"), nil)
}

func TestDemo(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	d := newDemo(&now)

	t.Run("Page", func(t *testing.T) {
		start, err := d.Start(tenantCtx(alfa), unpaidNotice(t))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(start, "/pagamenti/demo?t=") {
			t.Fatalf("Start = %q", start)
		}
		w := serve(d, http.MethodGet, start, nil)
		doc := parse(t, w, http.StatusOK)
		if got := strings.TrimSpace(doc.Find("h1").Text()); got != "DEMO – pagamento simulato" {
			t.Errorf("h1 = %q", got)
		}
		if lang, _ := doc.Find("html").Attr("lang"); lang != "it" || doc.Find("title").Text() != payment.DemoMark {
			t.Errorf("lang %q, title %q", lang, doc.Find("title").Text())
		}
		text := doc.Find("main dl").Text()
		for _, want := range []string{"Comune di Alfa", "01199250158", "Diritti di segreteria <accesso agli atti>", "Mario Rossi",
			"3010 0000 0000 0001 44", "€ 16,00"} {
			if !strings.Contains(text, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Contains(w.Body.String(), "<accesso") {
			t.Error("causale not escaped")
		}
		buttons := doc.Find("main form[method=post] button[type=submit][name=esito]")
		if buttons.Length() != 2 || buttons.First().AttrOr("value", "") != "ok" || buttons.Last().AttrOr("value", "") != "annulla" {
			t.Errorf("buttons: %d", buttons.Length())
		}
		if w.Header().Get("Cache-Control") != "no-store" {
			t.Error("page may be cached")
		}
	})

	t.Run("Paid", func(t *testing.T) {
		n := unpaidNotice(t)
		r := pay(t, d, n, "ok")
		if r.URL.Path != "/pagamenti/demo/esito" || r.URL.Query().Get("x") != "1" {
			t.Fatalf("return URL %s", r.URL)
		}
		number, ref, err := d.Confirm(tenantCtx(alfa), r)
		if err != nil || number != n.NoticeNumber.String() || !strings.HasPrefix(ref, "DEMO-") || len(ref) != 21 {
			t.Fatalf("Confirm = %q, %q, %v", number, ref, err)
		}
		// The same outcome confirmed again gives the same reference (MarkPaid is idempotent).
		if _, again, err := d.Confirm(tenantCtx(alfa), r); err != nil || again != ref {
			t.Fatalf("second Confirm = %q, %v", again, err)
		}
	})

	t.Run("Abandoned", func(t *testing.T) {
		r := pay(t, d, unpaidNotice(t), "annulla")
		if _, _, err := d.Confirm(tenantCtx(alfa), r); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("ErrInvalidOutcome", func(t *testing.T) {
		r := pay(t, d, unpaidNotice(t), "ok")
		tok := r.URL.Query().Get("esito")
		payload, sig, _ := strings.Cut(tok, ".")
		tampered := []byte(sig)
		tampered[0] ^= 1
		start, _ := d.Start(tenantCtx(alfa), unpaidNotice(t))
		startTok, _ := url.Parse(start)
		other := newDemo(&now)
		other.Key = []byte("un'altra chiave")
		for _, tt := range []struct {
			name string
			d    *payment.Demo
			ctx  context.Context
			tok  string
		}{
			{"Missing", d, tenantCtx(alfa), ""},
			{"Garbage", d, tenantCtx(alfa), "abc"},
			{"AlteredPayload", d, tenantCtx(alfa), "x" + payload + "." + sig},
			{"AlteredSignature", d, tenantCtx(alfa), payload + "." + string(tampered)},
			{"StartTokenAsOutcome", d, tenantCtx(alfa), startTok.Query().Get("t")},
			{"OtherTenant", d, tenantCtx(beta), tok},
			{"NoTenant", d, context.Background(), tok},
			{"OtherKey", other, tenantCtx(alfa), tok},
		} {
			t.Run(tt.name, func(t *testing.T) {
				req := httptest.NewRequest(http.MethodGet, "/pagamenti/demo/esito?esito="+url.QueryEscape(tt.tok), nil)
				if _, _, err := tt.d.Confirm(tt.ctx, req); procedo.ErrorCode(err) != procedo.EINVALID {
					t.Fatalf("got %v", err)
				}
			})
		}
		t.Run("Expired", func(t *testing.T) {
			later := now.Add(61 * time.Minute)
			expired := newDemo(&later)
			if _, _, err := expired.Confirm(tenantCtx(alfa), r); procedo.ErrorCode(err) != procedo.EINVALID {
				t.Fatalf("got %v", err)
			}
			w := serve(expired, http.MethodGet, start, nil)
			if doc := parse(t, w, http.StatusBadRequest); doc.Find("[role=alert]").Length() != 1 || doc.Find("form").Length() != 0 {
				t.Fatal("an expired page still offers the payment")
			}
		})
	})

	t.Run("ErrBadPage", func(t *testing.T) {
		parse(t, serve(d, http.MethodGet, "/pagamenti/demo?t=abc", nil), http.StatusBadRequest)
		parse(t, serve(d, http.MethodPost, "/pagamenti/demo", url.Values{"t": {"abc"}, "esito": {"ok"}}), http.StatusBadRequest)
		if w := serve(d, http.MethodPut, "/pagamenti/demo", nil); w.Code != http.StatusMethodNotAllowed {
			t.Fatalf("PUT: %d", w.Code)
		}
	})

	t.Run("ErrConflictNotPayable", func(t *testing.T) {
		for _, s := range []procedo.PaymentStatus{procedo.PaymentPaid, procedo.PaymentCancelled} {
			n := unpaidNotice(t)
			n.Status = s
			if _, err := d.Start(tenantCtx(alfa), n); procedo.ErrorCode(err) != procedo.ECONFLICT {
				t.Errorf("%s: %v", s, err)
			}
		}
	})

	t.Run("Disabled", func(t *testing.T) {
		off := newDemo(&now)
		off.Enabled = false
		if _, err := off.Start(tenantCtx(alfa), unpaidNotice(t)); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Errorf("Start: %v", err)
		}
		if _, _, err := off.Confirm(tenantCtx(alfa), pay(t, d, unpaidNotice(t), "ok")); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Errorf("Confirm: %v", err)
		}
		if w := serve(off, http.MethodGet, "/pagamenti/demo?t=x", nil); w.Code != http.StatusNotFound {
			t.Errorf("page: %d", w.Code)
		}
	})

	t.Run("RandomKey", func(t *testing.T) {
		d := &payment.Demo{Enabled: true, PageURL: "/p", ReturnURL: "/r"}
		start, err := d.Start(tenantCtx(alfa), unpaidNotice(t))
		if err != nil {
			t.Fatal(err)
		}
		parse(t, serve(d, http.MethodGet, start, nil), http.StatusOK)
		if d.ID() != "demo" || !strings.Contains(d.Label(), "DEMO") {
			t.Errorf("ID %q, Label %q", d.ID(), d.Label())
		}
	})
}

// TestComplete pays a stored notice end to end through the DEMO page, on the
// test database (SQLite, or PostgreSQL with PROCEDO_TEST_DB).
func TestComplete(t *testing.T) {
	env := testkit.NewEnv(t)
	if err := testkit.Exec(env.DB, `UPDATE tenants SET fiscal_code = ? WHERE id = ?`, alfa.FiscalCode, env.A.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	payments := sqlstore.NewPaymentService(env.DB)
	mario := env.A.AsCitizen(testkit.Mario)
	n := &procedo.PaymentNotice{Amount: 1600, Causale: "Diritti di segreteria", PayerFiscalCode: testkit.Mario.FiscalCode, PayerName: "Mario Rossi"}
	if err := payments.CreateNotice(mario, n); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	d := newDemo(&now)

	start, err := d.Start(mario, n)
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, serve(d, http.MethodGet, start, nil), http.StatusOK)
	if !strings.Contains(doc.Find("main dl").Text(), env.A.Tenant.Name) {
		t.Error("the page does not name the ente")
	}
	token := doc.Find("input[name=t]").AttrOr("value", "")
	w := serve(d, http.MethodPost, "/pagamenti/demo", url.Values{"t": {token}, "esito": {"ok"}})
	back := httptest.NewRequest(http.MethodGet, w.Header().Get("Location"), nil)

	t.Run("OtherTenant", func(t *testing.T) {
		if _, err := procedo.CompletePayment(env.B.AsCitizen(testkit.Mario), d, payments, back); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("OK", func(t *testing.T) {
		got, err := procedo.CompletePayment(mario, d, payments, back)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != n.ID || got.Status != procedo.PaymentPaid || got.Provider != "demo" || !strings.HasPrefix(got.ProviderRef, "DEMO-") {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("Again", func(t *testing.T) { // a reload of the return page
		if got, err := procedo.CompletePayment(mario, d, payments, back); err != nil || got.Status != procedo.PaymentPaid {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("ErrNotFoundForOthers", func(t *testing.T) {
		// Lucia reuses Mario's return link: the payment is Mario's, she cannot see it.
		if _, err := procedo.CompletePayment(env.A.AsCitizen(testkit.Lucia), d, payments, back); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrNotPayableAnyMore", func(t *testing.T) {
		paid, err := payments.FindNotice(mario, n.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Start(mario, paid); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("got %v", err)
		}
	})
}
