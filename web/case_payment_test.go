// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// TestCasePayment_RequestAndPay: an operator asks the applicant of a case
// to pay a fee from the case page (amount with the Italian decimal comma);
// the applicant finds it in "Le mie pratiche" with codice avviso, IUV and the
// PDF, pays it with "Paga ora" through the DEMO provider and comes back to
// the case page, which shows it paid; so does the office's page.
func TestCasePayment_RequestAndPay(t *testing.T) {
	env := testkit.NewEnv(t)
	if err := testkit.Exec(env.DB, `UPDATE tenants SET fiscal_code = ? WHERE id = ?`, "01199250158", env.A.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	h := newHandler(env, true)
	r := testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	uc := fmt.Sprintf("/ufficio/pratiche/%d", r.Case.ID)
	pc := fmt.Sprintf("/pratiche/%d", r.Case.ID)
	op := newDesk(t, env, h, actor{"operatore", env.A, env.A.Operator, nil})
	mario := newDesk(t, env, h, actor{"Mario", env.A, nil, testkit.Mario})

	doc := want(t, op.get(uc), http.StatusOK)
	wantText(t, doc, "section[aria-labelledby=pagamenti]", "Nessun avviso di pagamento", "Richiedi un pagamento")

	// Mistakes come back with the messages, nothing issued.
	regs := countRows(t, env, "registrations")
	doc = want(t, op.post(uc+"/pagamenti", url.Values{"description": {""}, "amount": {"72,505"}, "causale": {"Canone"}, "due_date": {"ieri"}}),
		http.StatusUnprocessableEntity)
	wantText(t, doc, "#modulo-payment", "Descrivi che cosa si paga", "Scrivi l'importo in euro con la virgola", "Inserisci una data valida")
	if doc.Find(`#payment-amount[aria-invalid="true"]`).Length() != 1 || doc.Find(`#payment-amount`).AttrOr("value", "") != "72,505" {
		t.Error("the amount must be shown again, marked invalid")
	}
	if countRows(t, env, "payment_notices") != 0 || countRows(t, env, "registrations") != regs {
		t.Fatal("a refused request left rows")
	}

	loc := location(t, op.post(uc+"/pagamenti", url.Values{"description": {"Diritti di ricerca e copia"}, "amount": {"1.234,5"},
		"causale": {"Diritti di copia - accesso agli atti"}, "due_date": {""}}), uc+"#pagamenti", false)
	doc = want(t, op.get(strings.TrimSuffix(loc, "#pagamenti")), http.StatusOK)
	wantText(t, doc, "section[aria-labelledby=pagamenti]", "Diritti di ricerca e copia", "€ 1.234,50", "Da pagare", "IUV")
	wantText(t, doc, "section[aria-labelledby=storia]", "Richiesta di pagamento", "Diritti di ricerca e copia")
	if countRows(t, env, "registrations") != regs+1 || countRows(t, env, "mail_messages") == 0 {
		t.Fatal("the request was not registered or mailed")
	}

	// The applicant: the notice with its codes, the PDF, "Paga ora".
	doc = want(t, mario.get(pc), http.StatusOK)
	sec := "section[aria-labelledby=pagamenti]"
	wantText(t, doc, sec, "Diritti di ricerca e copia", "Diritti di copia - accesso agli atti", "€ 1.234,50", "Codice avviso", "Codice IUV",
		"Da pagare", "Paga ora € 1.234,50")
	wantText(t, doc, "section[aria-labelledby=storia]", "Richiesta di pagamento")
	number := strings.TrimSpace(doc.Find(sec + ` dd[id^="codice-avviso-"]`).Text())
	if _, err := procedo.ParseNoticeNumber(number); err != nil {
		t.Fatalf("codice avviso %q: %v", number, err)
	}
	pdfLink, _ := doc.Find(sec + ` a[href^="/documenti/"]`).Attr("href")
	if rec := mario.get(pdfLink); rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "%PDF-") {
		t.Fatalf("notice PDF %s: %d", pdfLink, rec.Code)
	}
	payPath, _ := doc.Find(sec + ` form[action$="/paga"]`).Attr("action")
	notice := strings.TrimSuffix(payPath, "/paga")
	if rec := mario.get(notice); rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/pdf" {
		t.Fatalf("printable notice %s: %d", notice, rec.Code)
	}

	// Nobody else pays or prints it.
	lucia := newDesk(t, env, h, actor{"Lucia", env.A, nil, testkit.Lucia})
	marioB := newDesk(t, env, h, actor{"Mario in B", env.B, nil, testkit.Mario})
	for _, d := range []*desk{lucia, marioB} {
		want(t, d.post(payPath, nil), http.StatusNotFound)
		want(t, d.get(notice), http.StatusNotFound)
	}
	want(t, op.post(payPath, nil), http.StatusUnauthorized)

	payDemo(t, mario, payPath, pc+"#pagamenti", "€ 1.234,50")
	doc = want(t, mario.get(pc), http.StatusOK)
	wantText(t, doc, sec, "Pagato")
	wantText(t, doc, "section[aria-labelledby=storia]", "Pagamento ricevuto")
	if doc.Find(sec+` form[action$="/paga"]`).Length() != 0 {
		t.Error("a paid notice offers to pay again")
	}
	// Paying it again is refused by the provider.
	want(t, mario.post(payPath, nil), http.StatusConflict)
	doc = want(t, op.get(uc), http.StatusOK)
	wantText(t, doc, "section[aria-labelledby=pagamenti]", "Pagato")
	wantText(t, doc, "section[aria-labelledby=storia]", "Pagamento ricevuto")

	// Staff who may see the case but not work it, and other tenants, are refused.
	admin := newDesk(t, env, h, actor{"admin", env.A, env.A.Admin, nil})
	doc = want(t, admin.get(uc), http.StatusOK)
	if doc.Find("#modulo-payment").Length() != 0 {
		t.Error("the administrator is offered the request form")
	}
	form := url.Values{"description": {"x"}, "amount": {"1"}, "causale": {"x"}}
	want(t, admin.post(uc+"/pagamenti", form), http.StatusForbidden)
	want(t, newDesk(t, env, h, actor{"operatore B", env.B, env.B.Operator, nil}).post(uc+"/pagamenti", form), http.StatusNotFound)
	if n := countRows(t, env, "payment_notices"); n != 1 {
		t.Fatalf("%d notices", n)
	}
	list, err := sqlstore.NewPaymentService(env.DB).FindCasePayments(env.A.AsUser(env.A.Operator), r.Case.ID)
	if err != nil || len(list) != 1 || list[0].Status != procedo.PaymentPaid || list[0].NoticeNumber.Grouped() != number {
		t.Fatalf("payments %v %v", list, err)
	}
}
