// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/blob"
	"github.com/procedo/procedo/pdf"
	"github.com/procedo/procedo/sqlstore"
	chrome "github.com/procedo/procedo/testkit/browser"
)

// TestBrowserCaseWork checks with axe-core the pages of the work on cases:
// the worklists (clean, with errors, a manager's bulk actions), the case
// page with each of its forms (the request of a payment and of an opinion
// too), the opinions of the office asked and its answer, the action
// editor, the approval of a draft, the outbox, and the citizen's case page
// with the answer, message and withdrawal forms, clean and with errors, and
// the payment the office asked for, paid through the DEMO checkout. The cases are made in the demo's
// database directly, as Mario's applications to the demo's
// accesso-documentale.
func TestBrowserCaseWork(t *testing.T) {
	t.Parallel()
	s := startDemo(t)
	b := chrome.New(t)
	site, office := s.URL, hostURL(t, s, "localhost")
	check := func(name, url string) {
		t.Helper()
		t.Run(name, func(t *testing.T) { b.AssertNoViolations(t, url) })
	}
	checkHere := func(name string) {
		t.Helper()
		t.Run(name, func(t *testing.T) { b.AssertNoViolations(t, "") })
	}

	// Three applications of Mario: one the office suspends for
	// integrations, one with a decision draft, one left as it is.
	cs := demoCases(t, s)
	suspended, drafted, plain := cs[0], cs[1], cs[2]
	sp, dp, pp := "/ufficio/pratiche/"+itoa(suspended), "/ufficio/pratiche/"+itoa(drafted), "/pratiche/"+itoa(plain)

	// The operator: worklists, the case page, its forms.
	b.Do(t, chromedp.Navigate(office+"/ufficio/accedi"))
	operatorLogin(t, b, "operatore", DemoPassword, http.StatusOK)
	check("Pratiche, nuove", office+"/ufficio?vista=nuove&ordine=scadenza")
	check("Pratiche, ricerca senza risultati", office+"/ufficio?q=nessuno&stato=tutte")
	check("Pratiche, filtri con errori", office+"/ufficio?vista=boh&ufficio=x")
	check("Pratica, lavorazione", office+sp)
	wantStatus(t, clickLoad(t, b, `#modulo-assign button[type=submit]`), http.StatusOK)
	wantText(t, b, "main .alert-success", "preso in carico")
	checkHere("Pratica presa in carico")
	check("Azione con documento", office+sp+"/azioni/request_integration")
	wantStatus(t, clickLoad(t, b, `main form button[type=submit]:not([name=rigenera])`), http.StatusUnprocessableEntity)
	wantText(t, b, "#reason-errore", "motivazione")
	checkHere("Azione con documento, con errori")
	b.Do(t, chromedp.SendKeys(chromedp.ID("reason"), "Manca la delega firmata del proprietario."))
	wantStatus(t, clickLoad(t, b, `main form button[name=rigenera]`), http.StatusOK)
	wantStatus(t, clickLoad(t, b, `main form button[type=submit]:not([name=rigenera])`), http.StatusOK)
	wantText(t, b, "#termine-sintesi", "sospeso")
	checkHere("Pratica sospesa")
	wantStatus(t, clickLoad(t, b, `#modulo-note button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#note-body-errore", "nota")
	checkHere("Pratica, nota con errori")
	wantStatus(t, clickLoad(t, b, `#modulo-reply button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#reply-message-errore", "messaggio")
	checkHere("Pratica, messaggio con errori")
	wantStatus(t, pressLoad(t, b, `#modulo-payment button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#payment-amount-errore", "importo")
	checkHere("Pratica, richiesta di pagamento con errori")
	b.Do(t,
		chromedp.SendKeys(chromedp.ID("payment-description"), "Diritti di ricerca e copia"),
		chromedp.SendKeys(chromedp.ID("payment-amount"), "12,50"),
		chromedp.SendKeys(chromedp.ID("payment-causale"), "Diritti di copia - accesso agli atti"),
	)
	wantStatus(t, pressLoad(t, b, `#modulo-payment button[type=submit]`), http.StatusOK)
	wantText(t, b, "section[aria-labelledby=pagamenti]", "€ 12,50")
	wantText(t, b, "section[aria-labelledby=pagamenti]", "Da pagare")
	checkHere("Pratica con pagamento richiesto")
	wantStatus(t, navigate(t, b, office+dp), http.StatusOK)
	wantStatus(t, clickLoad(t, b, `#modulo-transition button[formaction$="/azioni/reject"]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#reason-errore", "motivazione")
	checkHere("Pratica, diniego senza motivazione")
	// A request for an opinion of the technical office, first with errors.
	wantStatus(t, navigate(t, b, office+sp), http.StatusOK)
	wantStatus(t, pressLoad(t, b, `#modulo-opinion button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#opinion-question-errore", "quesito")
	checkHere("Pratica, richiesta di parere con errori")
	b.Do(t,
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#opinion-office');
			for (const o of s.options) { if (o.text === 'Ufficio Tecnico') { s.value = o.value; } } })()`),
		chromedp.SendKeys(chromedp.ID("opinion-question"), "Le distanze dal confine sono rispettate?"),
	)
	wantStatus(t, pressLoad(t, b, `#modulo-opinion button[type=submit]`), http.StatusOK)
	wantText(t, b, "#pareri-sezione", "Ufficio Tecnico")
	checkHere("Pratica con parere richiesto")
	check("Pareri richiesti dall'ufficio", office+"/ufficio/pareri?elenco=richiesti")
	b.Do(t, chromedp.Navigate(office+"/ufficio"))
	wantStatus(t, clickLoad(t, b, `header form[action="/esci"] button`), http.StatusOK)

	// The manager: bulk actions, the approval of a draft.
	operatorLogin(t, b, "dirigente", DemoPassword, http.StatusOK)
	check("Pratiche del dirigente", office+"/ufficio")
	wantStatus(t, clickLoad(t, b, `main form[action^="/ufficio/pratiche/assegnazione"] fieldset button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#ids-errore", "Seleziona")
	checkHere("Pratiche, azioni in blocco con errori")
	check("Pratiche da approvare", office+"/ufficio?vista=da-approvare")
	check("Pratica con bozza da approvare", office+dp)
	wantStatus(t, clickLoad(t, b, `form[action$="/restituisci"] button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#return-note-errore", "cambiato")
	checkHere("Bozza, restituzione con errori")
	b.Do(t, chromedp.Navigate(office+"/ufficio"))
	wantStatus(t, clickLoad(t, b, `header form[action="/esci"] button`), http.StatusOK)

	// The administrator: the outbox.
	operatorLogin(t, b, "admin", DemoPassword, http.StatusOK)
	check("Posta in uscita", office+"/ufficio/admin/posta")
	check("Posta in uscita con errori", office+"/ufficio/admin/posta?stato=boh")

	// The technical office: the opinions it must give, the request, the answer.
	b.Do(t, chromedp.Navigate(office+"/ufficio"))
	wantStatus(t, clickLoad(t, b, `header form[action="/esci"] button`), http.StatusOK)
	operatorLogin(t, b, "tecnico", DemoPassword, http.StatusOK)
	check("Pareri da rendere", office+"/ufficio/pareri")
	wantStatus(t, pressLoad(t, b, `main table a[href^="/ufficio/pareri/"]`), http.StatusOK)
	wantText(t, b, "main", "Le distanze dal confine")
	checkHere("Richiesta di parere, ufficio interpellato")
	wantStatus(t, pressLoad(t, b, `#modulo-risposta button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#outcome-errore", "esito")
	checkHere("Parere con errori")
	b.Do(t, chromedp.Evaluate[chromedp.Void](`document.querySelector('#outcome-favourable').checked = true`))
	wantStatus(t, pressLoad(t, b, `#modulo-risposta button[type=submit]`), http.StatusOK)
	wantText(t, b, "section[aria-labelledby=parere]", "Favorevole")
	checkHere("Parere reso")

	// The citizen: answers, writes, withdraws.
	b.Do(t, chromedp.Navigate(site+"/accedi/demo?next="+url.QueryEscape("/pratiche")))
	b.Do(t,
		chromedp.SendKeys(chromedp.ID("given_name"), "Mario"),
		chromedp.SendKeys(chromedp.ID("family_name"), "Rossi"),
		chromedp.SendKeys(chromedp.ID("fiscal_code"), "RSSMRA80A01H501U"),
		chromedp.SendKeys(chromedp.ID("email"), "mario.rossi@example.it"),
	)
	wantStatus(t, clickLoad(t, b, "main button[type=submit]"), http.StatusOK)
	cp := "/pratiche/" + itoa(suspended)
	check("Pratica del cittadino, integrazioni richieste", site+cp)
	wantStatus(t, clickLoad(t, b, `#modulo-answer button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#answer-message-errore", "Scrivi un messaggio")
	checkHere("Risposta con errori")
	b.Do(t,
		chromedp.SendKeys(chromedp.ID("answer-message"), "Allego la delega firmata."),
		chromedp.SetUploadFiles(chromedp.ID("answer-files"), []string{writePDF(t)}),
	)
	wantStatus(t, clickLoad(t, b, `#modulo-answer button[type=submit]`), http.StatusOK)
	wantText(t, b, "main .alert-success", "Risposta inviata")
	checkHere("Pratica del cittadino dopo la risposta")
	wantText(t, b, "section[aria-labelledby=pagamenti]", "Diritti di ricerca e copia")
	wantStatus(t, clickLoad(t, b, `section[aria-labelledby=pagamenti] form[action$="/paga"] button`), http.StatusOK)
	wantPath(t, b, "/pagamenti/demo")
	wantStatus(t, clickLoad(t, b, `main button[value="ok"]`), http.StatusOK)
	wantText(t, b, "section[aria-labelledby=pagamenti]", "Pagato")
	checkHere("Pratica del cittadino, pagamento effettuato")
	wantStatus(t, clickLoad(t, b, `#modulo-message button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#message-errore", "messaggio")
	checkHere("Messaggio all'ufficio con errori")
	check("Pratica del cittadino, rinuncia possibile", site+pp)
	b.Do(t, chromedp.Click(chromedp.CSS("#modulo-withdraw summary")))
	wantStatus(t, clickLoad(t, b, `#modulo-withdraw button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#withdraw-confirm-errore", "Conferma")
	checkHere("Rinuncia con errori")
}

// demoCases makes three applications of Mario to accesso-documentale in the
// demo's Comune di Procedo Alto, through the store the server uses: the
// first stays as it is (the browser suspends it), the second gets the
// operator's decision draft, the third stays as it is.
func demoCases(t *testing.T, s *testServer) []int64 {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, s.Env["PROCEDO_DB"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if db.Blobs, err = blob.Open(ctx, s.Env["PROCEDO_BLOBS"]); err != nil {
		t.Fatal(err)
	}
	db.Renderer = &pdf.Renderer{}
	tenant, err := sqlstore.NewTenantService(db).FindTenantBySlug(ctx, "procedo-alto")
	if err != nil {
		t.Fatal(err)
	}
	tctx := procedo.NewContextWithTenant(ctx, tenant)
	mario := procedo.NewContextWithActor(tctx, &procedo.Actor{Kind: procedo.ActorCitizen, Citizen: &procedo.Citizen{
		FiscalCode: "RSSMRA80A01H501U", GivenName: "Mario", FamilyName: "Rossi", Email: "mario.rossi@example.it", Provider: "demo"}})
	v, err := sqlstore.NewProcedureService(db).FindPublishedProcedure(tctx, "accesso-documentale")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := range 3 {
		info, err := db.Blobs.Put(ctx, tenant.ID, bytes.NewReader(pdfContent))
		if err != nil {
			t.Fatal(err)
		}
		r, err := sqlstore.NewApplicationService(db).SubmitApplication(mario, v.ID, map[string]string{
			"email": "mario.rossi@example.it", "telefono": "+39 333 1234567", "oggetto": "Pratica edilizia n. " + strconv.Itoa(40+i) + "/2025",
			"motivazione": "Sono il proprietario confinante.", "modalita": "copia-semplice", "consegna": "email"},
			[]*procedo.Upload{{Field: "documentazione", Filename: "delega.pdf", MediaType: "application/pdf", SHA256: info.SHA256, Size: info.Size}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.Case.ID)
	}
	users, _, err := sqlstore.NewUserService(db).FindUsers(tctx, procedo.UserFilter{Username: ptrString("operatore")})
	if err != nil || len(users) != 1 {
		t.Fatalf("operatore: %v %v", users, err)
	}
	op := procedo.NewContextWithActor(tctx, &procedo.Actor{Kind: procedo.ActorUser, User: users[0]})
	if _, err := sqlstore.NewCaseService(db).SubmitDecisionDraft(op, ids[1], "accept", "", ""); err != nil {
		t.Fatal(err)
	}
	return ids
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// pressLoad focuses the element that matches sel (a button or a link),
// presses Enter and waits for the page it opens. Unlike a mouse click it
// does not depend on where the element is on the screen, which moves while
// the web fonts of a long page load.
func pressLoad(t testing.TB, b *chrome.Browser, sel string) int64 {
	t.Helper()
	b.Do(t, chromedp.Focus(chromedp.CSS(sel)))
	return loadBy(t, b, chromedp.KeyEvent(kb.Enter))
}

func ptrString(s string) *string { return &s }
