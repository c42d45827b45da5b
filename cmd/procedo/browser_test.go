// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	chrome "github.com/procedo/procedo/testkit/browser"
)

// The browser tests drive the real demo server (startDemo) with headless
// Chromium: every page of the web UI is checked with axe-core for WCAG 2.1
// A and AA, a whole application goes through without JavaScript, and
// another with the keyboard alone. They skip without Chromium unless
// PROCEDO_TEST_BROWSER=1 (make test-browser).
//
// Citizens use the server's own address (http://127.0.0.1:port) and
// operators http://localhost:port: both hosts belong to the Comune di
// Procedo Alto, and the browser keeps host-only cookies apart, so one
// browser holds a citizen's and an operator's session at once.

const (
	demoService = "accesso-documentale"
	// applicationURL is the form of demoService.
	applicationURL = "/servizi/" + demoService + "/domanda"
)

var protocolRE = regexp.MustCompile(`^\d{7}/\d{4}$`)

// TestBrowserAccessibility checks every page of the web UI, in the states a
// visitor meets (clean, with errors, before and after a decision), with
// axe-core's WCAG 2.1 A and AA rules. The browser itself logs in, so pages
// behind a login are checked as their users get them.
func TestBrowserAccessibility(t *testing.T) {
	t.Parallel()
	s := startDemo(t)
	b := chrome.New(t)
	site, office := s.URL, hostURL(t, s, "localhost")

	// check loads url and checks it; checkHere checks the page already in
	// the tab, such as the answer to a form that has errors.
	check := func(name, url string) {
		t.Helper()
		t.Run(name, func(t *testing.T) { b.AssertNoViolations(t, url) })
	}
	checkHere := func(name string) {
		t.Helper()
		t.Run(name, func(t *testing.T) { b.AssertNoViolations(t, "") })
	}

	// Public pages.
	check("Home", site+"/")
	check("Servizio", site+"/servizi/"+demoService)
	check("Accedi", site+"/accedi?next="+url.QueryEscape(applicationURL))

	// DEMO login: with a wrong codice fiscale, then right.
	b.Do(t, chromedp.Navigate(site+"/accedi/demo?next="+url.QueryEscape(applicationURL)))
	wantPath(t, b, "/accedi/demo/modulo")
	checkHere("Accesso DEMO")
	b.Do(t,
		chromedp.SendKeys(chromedp.ID("given_name"), "Mario"),
		chromedp.SendKeys(chromedp.ID("family_name"), "Rossi"),
		chromedp.SendKeys(chromedp.ID("fiscal_code"), "RSSMRA80A01H501X"),
	)
	wantStatus(t, clickLoad(t, b, "main button[type=submit]"), http.StatusUnprocessableEntity)
	wantText(t, b, "main", "carattere di controllo")
	checkHere("Accesso DEMO con errori")
	b.Do(t,
		clearField("#fiscal_code"),
		chromedp.SendKeys(chromedp.ID("fiscal_code"), "RSSMRA80A01H501U"),
		chromedp.SendKeys(chromedp.ID("email"), "mario.rossi@example.it"),
	)
	wantStatus(t, clickLoad(t, b, "main button[type=submit]"), http.StatusOK)
	wantPath(t, b, applicationURL)

	// The application in steps, each clean and with errors, then sent.
	checkHere("Domanda, informativa")
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusUnprocessableEntity)
	wantText(t, b, "#errori", "Il modulo contiene errori")
	checkHere("Domanda, informativa con errori")
	acceptPrivacy(t, b)
	checkHere("Domanda, dati del richiedente")
	b.Do(t,
		clearField(`[id="f-applicant.email"]`),
		chromedp.SendKeys(chromedp.CSS(`[id="f-applicant.email"]`), "non-una-mail"),
		chromedp.Click(chromedp.CSS(`label[for="f-applicant.for_company-si"]`)),
		chromedp.SendKeys(chromedp.CSS(`[id="f-applicant.company_vat"]`), "01199250159"),
	)
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusUnprocessableEntity)
	wantText(t, b, "#errori", "Partita IVA")
	checkHere("Domanda, dati del richiedente con errori")
	b.Do(t,
		clearField(`[id="f-applicant.email"]`),
		chromedp.SendKeys(chromedp.CSS(`[id="f-applicant.email"]`), "mario.rossi@example.it"),
		clearField(`[id="f-applicant.company_vat"]`),
		chromedp.Click(chromedp.CSS(`label[for="f-applicant.for_company-no"]`)),
	)
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusOK)
	checkHere("Domanda, sezione Recapiti")
	b.Do(t, chromedp.SendKeys(chromedp.ID("f-telefono"), "telefono"))
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusUnprocessableEntity)
	wantText(t, b, "#f-telefono-errore", "telefono")
	checkHere("Domanda, sezione Recapiti con errori")
	b.Do(t, clearField("#f-telefono"), chromedp.SendKeys(chromedp.ID("f-telefono"), "+39 333 1234567"))
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusOK)
	checkHere("Domanda, sezione Documenti richiesti")
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusUnprocessableEntity)
	wantText(t, b, "#f-oggetto-errore", "obbligatorio")
	checkHere("Domanda, sezione Documenti richiesti con errori")
	fillRequest(t, b)
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusOK)
	checkHere("Domanda, allegati")
	b.Do(t, chromedp.SetUploadFiles(chromedp.ID("f-documentazione"), []string{writeFile(t, "finto.pdf", "MZ\x90\x00 non un pdf")}))
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusUnprocessableEntity)
	wantText(t, b, "#errori", "formato ammesso")
	checkHere("Domanda, allegati con errori")
	b.Do(t, chromedp.SetUploadFiles(chromedp.ID("f-documentazione"), []string{writePDF(t)}))
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusOK)
	wantText(t, b, "main", "delega.pdf")
	checkHere("Domanda, riepilogo")
	wantStatus(t, clickLoad(t, b, submitButton), http.StatusOK)
	caseID := receiptCase(t, b)
	checkHere("Ricevuta")
	// A draft left half-way: its summary lists what is missing; "Le mie
	// pratiche" offers to resume or delete it.
	b.Do(t, chromedp.Navigate(site+applicationURL))
	acceptPrivacy(t, b)
	draft := strings.TrimSuffix(chrome.Run(t, b, chromedp.Location()), "/richiedente")
	wantStatus(t, navigate(t, b, draft+"/riepilogo"), http.StatusOK)
	wantText(t, b, "#errori", "non può ancora essere inviata")
	checkHere("Domanda, riepilogo con dati mancanti")
	wantStatus(t, clickLoad(t, b, submitButton), http.StatusUnprocessableEntity)
	checkHere("Domanda, invio con dati mancanti")
	check("Le mie pratiche", site+"/pratiche")
	wantText(t, b, "#bozze", "Domande in compilazione")
	// A service with a fee: the payment step, the DEMO checkout, the receipt.
	payApplication(t, b, site, func(name string) { checkHere(name) })
	check("Pratica del cittadino, aperta", site+"/pratiche/"+caseID)

	// Operators: login with a wrong password, then right.
	check("Accesso operatori", office+"/ufficio/accedi")
	operatorLogin(t, b, "operatore", "password-sbagliata", http.StatusUnauthorized)
	checkHere("Accesso operatori con errore")
	operatorLogin(t, b, "operatore", DemoPassword, http.StatusOK)
	wantPath(t, b, "/ufficio")
	check("Pratiche aperte", office+"/ufficio?stato=aperte")
	check("Pratica in ufficio, con le decisioni", office+"/ufficio/pratiche/"+caseID)
	wantStatus(t, clickLoad(t, b, `main button[formaction$="/azioni/reject"]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#reason-errore", "motivazione")
	checkHere("Pratica in ufficio, diniego senza motivazione")
	b.Do(t, chromedp.SendKeys(chromedp.ID("reason"), "I documenti richiesti sono già pubblicati sul sito istituzionale."))
	wantStatus(t, clickLoad(t, b, `main button[formaction$="/azioni/reject"]`), http.StatusOK)
	wantText(t, b, "main .lead", "Respinta")
	checkHere("Pratica in ufficio, respinta")
	check("Pratiche concluse", office+"/ufficio?stato=chiuse")
	check("Tutte le pratiche", office+"/ufficio?stato=tutte")
	check("Calcolo scadenze", office+"/ufficio/scadenze?dal=2026-03-07&giorni=30&sosp_dal_0=2026-03-10&sosp_al_0=2026-03-12")
	check("Calcolo scadenze con errori", office+"/ufficio/scadenze?dal=ieri&giorni=0")

	// The citizen sees the decision.
	check("Pratica del cittadino, respinta", site+"/pratiche/"+caseID)

	// Catalogue and transparency sheets of the procedure models.
	check("Catalogo dei servizi", site+"/servizi")
	check("Catalogo, ricerca e categoria", site+"/servizi?q=suolo&categoria="+url.QueryEscape("Strade, mobilità e suolo pubblico"))
	check("Tipologie di procedimento", site+"/amministrazione-trasparente/attivita-e-procedimenti/tipologie-di-procedimento")
	check("Scheda del procedimento con il flusso", site+"/amministrazione-trasparente/attivita-e-procedimenti/tipologie-di-procedimento/occupazione-suolo-pubblico")
	check("Servizio con pagamenti e campi condizionati", site+"/servizi/occupazione-suolo-pubblico")

	// DEMO mailbox and one message.
	check("Posta DEMO", site+"/demo/posta")
	wantStatus(t, clickLoad(t, b, "main table a"), http.StatusOK)
	checkHere("Messaggio di posta DEMO")

	// An error page.
	wantStatus(t, navigate(t, b, site+"/pagina-che-non-esiste"), http.StatusNotFound)
	checkHere("Pagina non trovata")

	// Administration: the operator logs out, the administrator logs in.
	b.Do(t, chromedp.Navigate(office+"/ufficio"))
	wantStatus(t, clickLoad(t, b, `header form[action="/esci"] button`), http.StatusOK)
	wantPath(t, b, "/ufficio/accedi")
	operatorLogin(t, b, "admin", DemoPassword, http.StatusOK)
	check("Titolario", office+"/ufficio/admin/titolario")
	check("Uffici", office+"/ufficio/admin/uffici")
	// Values that pass the browser's own checks (required) but not the server's.
	b.Do(t,
		chromedp.SendKeys(chromedp.ID("code"), "NON VALIDO"),
		chromedp.SendKeys(chromedp.ID("name"), " "),
	)
	wantStatus(t, clickLoad(t, b, `form[action="/ufficio/admin/uffici"] button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#code-errore", "codice")
	checkHere("Uffici con errori")
	// An office's own form, in its <details>, with an error.
	b.Do(t,
		chromedp.Navigate(office+"/ufficio/admin/uffici"),
		chromedp.Click(chromedp.CSS("main details summary")),
		clearField("main details[open] input[name=name]"),
		chromedp.SendKeys(chromedp.CSS("main details[open] input[name=name]"), " "),
	)
	wantStatus(t, clickLoad(t, b, "main details[open] button[type=submit]"), http.StatusUnprocessableEntity)
	wantText(t, b, "main details[open] .text-danger", "obbligatorio")
	checkHere("Uffici, modifica con errori")
	check("Utenti", office+"/ufficio/admin/utenti")
	b.Do(t,
		chromedp.SendKeys(chromedp.ID("username"), "nome non valido"),
		chromedp.SendKeys(chromedp.ID("password"), "corta"),
	)
	wantStatus(t, clickLoad(t, b, `form[action="/ufficio/admin/utenti"] button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#roles-errore", "ruolo")
	checkHere("Utenti con errori")
	b.Do(t, chromedp.Navigate(office+"/ufficio/admin/utenti"))
	wantStatus(t, clickLoad(t, b, `main table a[href^="/ufficio/admin/utenti/"]`), http.StatusOK)
	checkHere("Modifica utente")
	b.Do(t, chromedp.SendKeys(chromedp.ID("password"), "corta"))
	wantStatus(t, clickLoad(t, b, "main button[type=submit]"), http.StatusUnprocessableEntity)
	wantText(t, b, "#password-errore", "10 caratteri")
	checkHere("Modifica utente con errori")
	// Procedure models: list, versions, editor with preview and errors, import.
	check("Procedimenti", office+"/ufficio/admin/procedimenti")
	check("Procedimento e versioni", office+"/ufficio/admin/procedimenti/accesso-documentale")
	check("Versione pubblicata", office+"/ufficio/admin/procedimenti/accesso-documentale/versioni/1")
	check("Nuovo modello", office+"/ufficio/admin/procedimenti/nuovo")
	wantStatus(t, clickLoad(t, b, `main button[value=anteprima]`), http.StatusOK)
	checkHere("Anteprima del modello")
	b.Do(t, clearField("#source"), chromedp.SendKeys(chromedp.ID("source"), "id: Non valido\n"))
	wantStatus(t, clickLoad(t, b, `main button[value=salva]`), http.StatusUnprocessableEntity)
	checkHere("Nuovo modello con errori")
	b.Do(t, chromedp.Navigate(office+"/ufficio/admin/procedimenti/accesso-documentale"))
	wantStatus(t, clickLoad(t, b, `main form[action$="/bozza"] button`), http.StatusOK)
	checkHere("Bozza di una nuova versione")
	check("Differenze tra versioni", office+"/ufficio/admin/procedimenti/accesso-documentale/differenze?da=1&a=2")
	check("Importa modelli", office+"/ufficio/admin/procedimenti/importa")

	// Registry desk: the administrator logs out, the registry desk (also
	// records manager in the demo) logs in.
	b.Do(t, chromedp.Navigate(office+"/ufficio"))
	wantStatus(t, clickLoad(t, b, `header form[action="/esci"] button`), http.StatusOK)
	operatorLogin(t, b, "protocollo", DemoPassword, http.StatusOK)
	check("Registro di protocollo", office+"/ufficio/protocollo")
	check("Nuova registrazione di protocollo", office+"/ufficio/protocollo/nuova")
	// A blank oggetto passes the browser's check (required), not the server's.
	b.Do(t, chromedp.SendKeys(chromedp.ID("f-subject"), " "))
	wantStatus(t, clickLoad(t, b, "main form button[type=submit]"), http.StatusUnprocessableEntity)
	wantText(t, b, "#errori", "Oggetto")
	checkHere("Nuova registrazione con errori")
	b.Do(t,
		chromedp.SendKeys(chromedp.ID("f-subject"), "Richiesta di contributo per la festa patronale"),
		chromedp.SendKeys(chromedp.ID("f-corr_name_1"), "Associazione Pro Loco"),
		chromedp.SetValue(chromedp.CSS("#f-channel"), "pec"),
		chromedp.SetValue(chromedp.CSS("#f-classification"), "VII.1"),
		// The Segreteria, whose operator answers below, is the office for action.
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#f-action_office');
			s.value = [...s.options].find(o => o.text.startsWith('Ufficio Segreteria')).value })()`),
		chromedp.SetUploadFiles(chromedp.ID("f-main"), []string{writePDF(t)}),
	)
	wantStatus(t, clickLoad(t, b, "main form button[type=submit]"), http.StatusOK)
	wantText(t, b, "#numero-protocollo", "/")
	checkHere("Registrazione di protocollo")
	wantStatus(t, clickLoad(t, b, `main a[href$="/ricevuta"]`), http.StatusOK)
	wantText(t, b, "#segnatura", "Comune di Procedo Alto")
	checkHere("Ricevuta di protocollo")
	b.Do(t, chromedp.Navigate(office+"/ufficio/protocollo"))
	wantStatus(t, clickLoad(t, b, "main table tbody a"), http.StatusOK)
	// A correction with a blank reason, an annulment with blank reason and act.
	b.Do(t,
		chromedp.SetValue(chromedp.CSS("#f-corr-classification"), "VII.2"),
		chromedp.SendKeys(chromedp.ID("f-corr-reason"), " "),
	)
	wantStatus(t, clickLoad(t, b, `form[action$="/correzione"] button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#f-corr-reason-errore", "motivo")
	checkHere("Registrazione, correzione con errori")
	b.Do(t,
		chromedp.SendKeys(chromedp.ID("f-annul-reason"), " "),
		chromedp.SendKeys(chromedp.ID("f-annul-act"), " "),
	)
	wantStatus(t, clickLoad(t, b, `form[action$="/annullamento"] button[type=submit]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#f-annul-act-errore", "art. 54")
	checkHere("Registrazione, annullamento con errori")
	check("Ricerca nel protocollo", office+"/ufficio/protocollo?oggetto=contributi&annullate=no")
	check("Ricerca nel protocollo con errori", office+"/ufficio/protocollo?anno=duemila")
	check("Registri giornalieri", office+"/ufficio/protocollo/giornalieri")

	// The office's inbox: the operator of the Segreteria sees the assignment.
	wantStatus(t, clickLoad(t, b, `header form[action="/esci"] button`), http.StatusOK)
	operatorLogin(t, b, "operatore", DemoPassword, http.StatusOK)
	check("Assegnazioni", office+"/ufficio/assegnazioni")
	b.Do(t, chromedp.SendKeys(chromedp.CSS(`main form[action$="/restituisci"] textarea`), " "))
	wantStatus(t, clickLoad(t, b, `main form[action$="/restituisci"] button[type=submit]`), http.StatusUnprocessableEntity)
	checkHere("Assegnazioni, restituzione senza motivo")

	// The other DEMO Comune, on its own host name.
	valle := hostURL(t, s, "valle-demo.localhost")
	t.Run("Home di un altro ente", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(b.Context(), 30*time.Second)
		defer cancel()
		if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(valle+"/")); err != nil {
			var le *chromedp.LoadError
			if errors.As(err, &le) {
				t.Skipf("valle-demo.localhost does not reach the server here (%v): page not checked", err)
			}
			t.Fatal(err)
		}
		wantText(t, b, "h1", "Comune di Valle Demo")
		b.AssertNoViolations(t, "")
	})
}

// TestBrowserNoJavaScript completes an application and its decision in a tab
// that runs no script: the DEMO login, the form with an attachment, the
// receipt, the operator's login and the rejection with a reason.
func TestBrowserNoJavaScript(t *testing.T) {
	t.Parallel()
	s := startDemo(t)
	b := chrome.New(t).WithoutJavaScript(t)
	site, office := s.URL, hostURL(t, s, "localhost")

	// The citizen finds the service from the home page and follows the links.
	b.Do(t, chromedp.Navigate(site+"/"))
	noScripts(t, b)
	wantStatus(t, clickLoad(t, b, `main a[href="/servizi/`+demoService+`"]`), http.StatusOK)
	wantStatus(t, clickLoad(t, b, `main a[href="`+applicationURL+`"]`), http.StatusOK)
	wantPath(t, b, "/accedi")
	wantStatus(t, clickLoad(t, b, `main a[href^="/accedi/demo"]`), http.StatusOK)
	wantPath(t, b, "/accedi/demo/modulo")
	b.Do(t,
		chromedp.SendKeys(chromedp.ID("given_name"), "Mario"),
		chromedp.SendKeys(chromedp.ID("family_name"), "Rossi"),
		chromedp.SendKeys(chromedp.ID("fiscal_code"), "RSSMRA80A01H501U"),
		chromedp.SendKeys(chromedp.ID("email"), "mario.rossi@example.it"),
	)
	wantStatus(t, clickLoad(t, b, "main button[type=submit]"), http.StatusOK)
	wantPath(t, b, applicationURL)
	noScripts(t, b)
	// Axe checks the page as it is without scripts, and leaves them off.
	b.AssertNoViolations(t, "")

	// The steps, with the attachment.
	acceptPrivacy(t, b)
	noScripts(t, b)
	fillApplication(t, b, writePDF(t))
	noScripts(t, b)
	b.AssertNoViolations(t, "")
	wantStatus(t, clickLoad(t, b, submitButton), http.StatusOK)
	caseID := receiptCase(t, b)
	noScripts(t, b)
	b.AssertNoViolations(t, "")

	// The operator rejects it with a reason.
	b.Do(t, chromedp.Navigate(office+"/ufficio/accedi"))
	operatorLogin(t, b, "operatore", DemoPassword, http.StatusOK)
	wantStatus(t, clickLoad(t, b, `main a[href="/ufficio/pratiche/`+caseID+`"]`), http.StatusOK)
	// The attachment arrived whole.
	wantText(t, b, "main", "delega.pdf")
	wantText(t, b, "main", sha256hex(pdfContent))
	wantStatus(t, clickLoad(t, b, `main button[formaction$="/azioni/reject"]`), http.StatusUnprocessableEntity)
	wantText(t, b, "#reason-errore", "motivazione")
	b.Do(t, chromedp.SendKeys(chromedp.ID("reason"), "I documenti richiesti sono già pubblicati sul sito istituzionale."))
	wantStatus(t, clickLoad(t, b, `main button[formaction$="/azioni/reject"]`), http.StatusOK)
	wantText(t, b, "main .lead", "Respinta")
	noScripts(t, b)

	// The citizen sees the outcome.
	b.Do(t, chromedp.Navigate(site+"/pratiche/"+caseID))
	wantText(t, b, "main", "già pubblicati sul sito")
}

// TestBrowserKeyboardOnly completes an application with the keyboard alone:
// Tab moves the focus, typing fills the focused field, Space and the arrow
// keys choose radio buttons, Enter follows links and presses buttons. Every
// element that takes the focus must show it (:focus-visible with an outline
// or a shadow), and the skip link must be the first stop on every page.
//
// The optional attachment stays empty: a file input opens the system's file
// chooser, which a test cannot drive, so the test only checks that Tab goes
// past it.
func TestBrowserKeyboardOnly(t *testing.T) {
	t.Parallel()
	s := startDemo(t)
	b := chrome.New(t)
	k := &keyboard{t: t, b: b}
	// Reduced motion, as many keyboard users choose: Bootstrap Italia then
	// scrolls the focused element into view at once, not smoothly, so the
	// checks need not wait for it (focus waits anyway, up to 2 s).
	b.Do(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}}})
		return err
	}))

	// Home page: Tab → the skip link, Enter → the next Tab starts in <main>;
	// Tab → the title link of the service's card (the home has no
	// breadcrumbs); Enter opens the service page.
	b.Do(t, chromedp.Navigate(s.URL+"/"))
	k.skipToContent()
	k.tabTo(`a[href="/servizi/` + demoService + `"]`)
	k.press(kb.Enter, true)
	wantPath(t, b, "/servizi/"+demoService)

	// Service page: skip link, Enter; Tab → breadcrumb "Servizi", Tab →
	// "Compila la domanda online"; Enter. Not logged in: the login page.
	k.skipToContent()
	k.tabTo(`a[href="` + applicationURL + `"]`)
	k.press(kb.Enter, true)
	wantPath(t, b, "/accedi")

	// Login page: skip link, Enter; Tab → "Entra con identità DEMO"; Enter
	// opens the DEMO form.
	k.skipToContent()
	k.tabTo(`a[href^="/accedi/demo"]`)
	k.press(kb.Enter, true)
	wantPath(t, b, "/accedi/demo/modulo")

	// DEMO form: skip link, Enter; Tab → breadcrumb "Accedi", Tab → Nome;
	// then each field is the next Tab stop, typed into; Tab → "Entra",
	// Enter logs in and goes back to the application form.
	k.skipToContent()
	k.tabTo("#given_name")
	k.typeText("Mario")
	k.tab("#family_name")
	k.typeText("Rossi")
	k.tab("#fiscal_code")
	k.typeText("RSSMRA80A01H501U")
	k.tab("#email")
	k.typeText("mario.rossi@example.it")
	k.tab("main button[type=submit]")
	k.press(kb.Enter, true)
	wantPath(t, b, applicationURL)

	// Step 1, the privacy notice: skip link, Enter; Tab past the
	// breadcrumbs to the checkbox, Space ticks it; Tab → "Salva e
	// continua", Enter.
	k.skipToContent()
	k.tabTo("#f-privacy")
	k.press(" ", false)
	k.tab(nextButton)
	k.press(kb.Enter, true)

	// Step 2, the applicant: the e-mail comes from the login; Tab → the
	// phone, typed; Tab → the checked radio ("Per me stesso"), then past
	// the company's inputs to "Salva e continua".
	k.skipToContent()
	k.tabTo(`[id="f-applicant.email"]`)
	k.tab(`[id="f-applicant.phone"]`)
	k.typeText("+39 333 1234567")
	k.tab(`[id="f-applicant.for_company-no"]`)
	k.tabTo(nextButton)
	k.press(kb.Enter, true)

	// Step 3, the section "Recapiti": e-mail filled, the phone typed.
	k.skipToContent()
	k.tabTo("#f-email")
	k.tab("#f-telefono")
	k.typeText("+39 333 1234567")
	k.tab(nextButton)
	k.press(kb.Enter, true)

	// Step 4, "Documenti richiesti": field after field in reading order.
	k.skipToContent()
	k.tabTo("#f-oggetto")
	k.typeText("Permesso di costruire n. 12/2024")
	k.tab("#f-motivazione")
	k.typeText("Sono il proprietario confinante.")
	// A radio group with nothing chosen is one Tab stop, on its first
	// button; Space chooses it, ArrowDown moves to the next and chooses it.
	k.tab("#f-modalita-0")
	k.press(" ", false)
	k.press(kb.ArrowDown, false)
	k.wantFocus("#f-modalita-1")
	k.tab("#f-consegna-0")
	k.press(" ", false)
	for sel, want := range map[string]bool{"#f-modalita-1": true, "#f-modalita-0": false, "#f-consegna-0": true} {
		if got := chrome.Run(t, b, chromedp.Evaluate[bool](`document.querySelector(`+jsString(sel)+`).checked`)); got != want {
			t.Errorf("%s checked = %v, want %v", sel, got, want)
		}
	}
	k.tab(nextButton)
	k.press(kb.Enter, true)

	// Step 5, the attachments: the file input is a stop; the attachment is
	// optional and left empty (see above).
	k.skipToContent()
	k.tabTo("#f-documentazione")
	k.tab(nextButton)
	k.press(kb.Enter, true)

	// Step 6, the summary: past the "Modifica" links to "Invia la domanda".
	k.skipToContent()
	k.tabTo(submitButton)
	k.press(kb.Enter, true) // sends the application: the receipt
	receiptCase(t, b)
}

// keyboard drives the focused element of a tab with key presses.
type keyboard struct {
	t *testing.T
	b *chrome.Browser
}

// focusInfo describes document.activeElement.
type focusInfo struct {
	Desc         string `json:"desc"`         // tag, id, href and text, for messages
	FocusVisible bool   `json:"focusVisible"` // matches :focus-visible
	Indicator    bool   `json:"indicator"`    // it (or its label, see focusInfoJS) has an outline or a box shadow
	Shown        bool   `json:"shown"`        // it (or its label) has a size and is in the viewport
}

// focusInfoJS describes the focused element. Bootstrap Italia draws radio
// buttons and checkboxes on their label and makes the input transparent, so
// for a transparent input it looks at the label, which shows the focus.
const focusInfoJS = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body) return {desc: 'body', focusVisible: false, indicator: false, shown: false};
	let seen = e;
	if (parseFloat(getComputedStyle(e).opacity) === 0 && e.labels && e.labels.length) seen = e.labels[0];
	const s = getComputedStyle(seen), r = seen.getBoundingClientRect();
	const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !/rgba\(.*,\s*0\)$/.test(s.outlineColor);
	const shadow = !!s.boxShadow && s.boxShadow !== 'none';
	const inView = r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
	let desc = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.getAttribute('href') ? '[href="' + e.getAttribute('href') + '"]' : '');
	const text = (e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
	if (text) desc += ' "' + text + '"';
	return {desc, focusVisible: e.matches(':focus-visible'), indicator: outline || shadow, shown: inView};
})()`

// focus returns the focused element and fails the test when its focus is
// not visible.
func (k *keyboard) focus() focusInfo {
	k.t.Helper()
	f := chrome.Run(k.t, k.b, chromedp.Evaluate[focusInfo](focusInfoJS))
	// The page scrolls the focused element into view smoothly: give it
	// a moment to arrive.
	for deadline := time.Now().Add(2 * time.Second); f.Desc != "body" && !f.Shown && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		f = chrome.Run(k.t, k.b, chromedp.Evaluate[focusInfo](focusInfoJS))
	}
	if f.Desc != "body" && (!f.FocusVisible || !f.Indicator || !f.Shown) {
		k.t.Errorf("focus not visible on %s: :focus-visible %v, outline or shadow %v, on screen %v",
			f.Desc, f.FocusVisible, f.Indicator, f.Shown)
	}
	return f
}

// matches reports whether the focused element matches sel.
func (k *keyboard) matches(sel string) bool {
	k.t.Helper()
	return chrome.Run(k.t, k.b, chromedp.Evaluate[bool](
		`!!document.activeElement && document.activeElement.matches(`+jsString(sel)+`)`))
}

// press sends one key to the focused element; load says that it opens a
// page, and press then waits for it.
func (k *keyboard) press(key string, load bool) {
	k.t.Helper()
	if load {
		wantStatus(k.t, loadBy(k.t, k.b, chromedp.KeyEvent(key)), http.StatusOK)
		return
	}
	k.b.Do(k.t, chromedp.KeyEvent(key))
}

// typeText types text into the focused element.
func (k *keyboard) typeText(text string) {
	k.t.Helper()
	k.b.Do(k.t, chromedp.KeyEvent(text))
}

// tab presses Tab once and checks that the focus lands on sel, visibly.
func (k *keyboard) tab(sel string) {
	k.t.Helper()
	k.b.Do(k.t, chromedp.KeyEvent(kb.Tab))
	k.wantFocus(sel)
}

// wantFocus checks that the focused element matches sel and shows its focus.
func (k *keyboard) wantFocus(sel string) {
	k.t.Helper()
	f := k.focus()
	if !k.matches(sel) {
		k.t.Fatalf("focus is on %s, want %s", f.Desc, sel)
	}
}

// tabTo presses Tab until the focus is on sel, checking that every stop on
// the way shows its focus, and fails after 40 stops.
func (k *keyboard) tabTo(sel string) {
	k.t.Helper()
	var path []string
	for range 40 {
		k.b.Do(k.t, chromedp.KeyEvent(kb.Tab))
		f := k.focus()
		path = append(path, f.Desc)
		if k.matches(sel) {
			k.t.Logf("Tab ×%d to %s: %s", len(path), sel, strings.Join(path, " → "))
			return
		}
	}
	k.t.Fatalf("%s not reached with Tab; focus went through:\n%s", sel, strings.Join(path, "\n"))
}

// skipToContent checks that the first Tab stop of the page just loaded is
// the skip link, shown when focused, and follows it with Enter: the next Tab
// stop is then inside <main>.
func (k *keyboard) skipToContent() {
	k.t.Helper()
	k.b.Do(k.t, chromedp.KeyEvent(kb.Tab))
	k.wantFocus(`.skiplinks a[href="#contenuto"]`)
	k.b.Do(k.t, chromedp.KeyEvent(kb.Enter))
	if got := chrome.Run(k.t, k.b, chromedp.Evaluate[string](`location.hash`)); got != "#contenuto" {
		k.t.Fatalf("after Enter on the skip link, location.hash = %q", got)
	}
}

// clearField empties the first input that matches the CSS selector sel.
// (chromedp.SetValue cannot set an empty value.)
func clearField(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.querySelector(` + jsString(sel) + `).value = ''`)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string { return fmt.Sprintf("%q", s) }

// hostURL returns the server's address with another host name.
func hostURL(t *testing.T, s *testServer, host string) string {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return "http://" + host + ":" + u.Port()
}

// loadBy runs a, which makes the tab load a page (a click, a key press),
// waits for the page and returns its HTTP status.
func loadBy(t testing.TB, b *chrome.Browser, a chromedp.Action[chromedp.Void]) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return resp.Status
}

// clickLoad clicks the element that matches the CSS selector sel and waits
// for the page it opens.
func clickLoad(t testing.TB, b *chrome.Browser, sel string) int64 {
	t.Helper()
	status := loadBy(t, b, chromedp.Click(chromedp.CSS(sel)))
	if status >= 400 {
		// What the page says (a refused form's error summary), shown if the
		// test then fails on the status.
		t.Logf("%s answered %d: %.1500s", sel, status, chrome.Run(t, b, chromedp.Text(chromedp.CSS("main"))))
	}
	return status
}

// navigate loads url and returns its HTTP status.
func navigate(t testing.TB, b *chrome.Browser, url string) int64 {
	t.Helper()
	return chrome.Run(t, b, chromedp.NavigateResponse(url)).Status
}

func wantStatus(t testing.TB, got int64, want int) {
	t.Helper()
	if got != int64(want) {
		t.Fatalf("HTTP status %d, want %d", got, want)
	}
}

// wantPath checks the path of the page in the tab.
func wantPath(t testing.TB, b *chrome.Browser, path string) {
	t.Helper()
	loc := chrome.Run(t, b, chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil || u.Path != path {
		t.Fatalf("page %s, want path %s", loc, path)
	}
}

// wantText checks that the first element matching the CSS selector sel
// contains text.
func wantText(t testing.TB, b *chrome.Browser, sel, text string) {
	t.Helper()
	got := chrome.Run(t, b, chromedp.Text(chromedp.CSS(sel)))
	if !strings.Contains(got, text) {
		t.Fatalf("%s: %q does not contain %q", sel, got, text)
	}
}

// noScripts checks that the page in a WithoutJavaScript tab ran no script:
// Bootstrap Italia's bundle defines window.bootstrap when it runs.
func noScripts(t testing.TB, b *chrome.Browser) {
	t.Helper()
	if chrome.Run(t, b, chromedp.Evaluate[bool](`typeof window.bootstrap !== 'undefined'`)) {
		t.Fatal("a page script ran in the tab without JavaScript")
	}
}

// operatorLogin fills the operators' login form in the tab and sends it.
func operatorLogin(t testing.TB, b *chrome.Browser, username, password string, status int) {
	t.Helper()
	b.Do(t,
		clearField("#username"),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	wantStatus(t, clickLoad(t, b, "main button[type=submit]"), status)
}

// writePDF writes a small PDF to a temporary folder and returns its path.
func writePDF(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "delega.pdf")
	if err := os.WriteFile(path, pdfContent, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Buttons of the application's steps.
const (
	nextButton   = `main button[value="avanti"]`        // "Salva e continua"
	submitButton = `main form[action$="/invia"] button` // "Invia la domanda", on the summary
)

// acceptPrivacy ticks the privacy notice (step 1) in the tab and goes on to
// the applicant.
func acceptPrivacy(t testing.TB, b *chrome.Browser) {
	t.Helper()
	// Bootstrap Italia hides checkboxes and radio buttons behind their
	// labels, so click the labels, as a visitor does.
	b.Do(t, chromedp.Click(chromedp.CSS(`label[for="f-privacy"]`)))
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusOK)
	wantText(t, b, "h2", "Dati del richiedente")
}

// fillRequest fills the section "Documenti richiesti" of demoService.
func fillRequest(t testing.TB, b *chrome.Browser) {
	t.Helper()
	b.Do(t,
		chromedp.SendKeys(chromedp.ID("f-oggetto"), "Permesso di costruire n. 12/2024 e relativi allegati"),
		chromedp.SendKeys(chromedp.ID("f-motivazione"), "Sono il proprietario confinante."),
		chromedp.Click(chromedp.CSS(`label[for="f-modalita-1"]`)), // Copia semplice
		chromedp.Click(chromedp.CSS(`label[for="f-consegna-0"]`)), // Per e-mail o PEC
	)
}

// fillApplication goes through the steps of demoService in the tab, from
// the applicant to the summary, attaching the file at path, if any. The
// e-mail comes from the login.
func fillApplication(t testing.TB, b *chrome.Browser, path string) {
	t.Helper()
	b.Do(t, chromedp.Click(chromedp.CSS(`label[for="f-applicant.for_company-no"]`)))
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusOK) // Recapiti
	b.Do(t, chromedp.SendKeys(chromedp.ID("f-telefono"), "+39 333 1234567"))
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusOK) // Documenti richiesti
	fillRequest(t, b)
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusOK) // Allegati
	if path != "" {
		b.Do(t, chromedp.SetUploadFiles(chromedp.ID("f-documentazione"), []string{path}))
	}
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusOK)
	wantText(t, b, "h2", "Riepilogo")
}

// payApplication applies for "occupazione di suolo pubblico", which has a
// fee, in the tab of a logged-in citizen: the payment step, its error, the
// DEMO checkout and the return, the receipt with the payment. check is
// called on each page worth checking.
func payApplication(t *testing.T, b *chrome.Browser, site string, check func(name string)) {
	t.Helper()
	b.Do(t, chromedp.Navigate(site+"/servizi/occupazione-suolo-pubblico/domanda"))
	acceptPrivacy(t, b)
	b.Do(t, chromedp.Click(chromedp.CSS(`label[for="f-applicant.for_company-no"]`)))
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusOK) // Recapiti
	b.Do(t,
		chromedp.SendKeys(chromedp.ID("f-telefono"), "+39 333 1234567"),
		chromedp.Click(chromedp.CSS(`label[for="f-per_conto-no"]`)),
	)
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusOK) // Occupazione
	b.Do(t,
		chromedp.SendKeys(chromedp.CSS(`[id="f-luogo.via"]`), "Via Roma"),
		chromedp.SendKeys(chromedp.CSS(`[id="f-luogo.civico"]`), "3"),
		chromedp.SendKeys(chromedp.CSS(`[id="f-luogo.cap"]`), "73030"),
		chromedp.SendKeys(chromedp.CSS(`[id="f-luogo.comune"]`), "Castro (LE)"),
		chromedp.Click(chromedp.CSS(`label[for="f-motivo-1"]`)), // Trasloco
		chromedp.SendKeys(chromedp.ID("f-descrizione"), "Furgone per il trasloco"),
		chromedp.SetValue(chromedp.ID("f-data_inizio"), "2026-04-10"),
		chromedp.SetValue(chromedp.ID("f-data_fine"), "2026-04-10"),
		chromedp.SendKeys(chromedp.ID("f-superficie"), "12"),
	)
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusOK) // Allegati
	b.Do(t, chromedp.SetUploadFiles(chromedp.ID("f-planimetria"), []string{writePDF(t)}))
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusOK)
	wantText(t, b, "h2", "Pagamento")
	wantText(t, b, "#pagamenti", "Da pagare")
	wantText(t, b, "#pagamenti", "12 m² × 1 giorno × 1,20 € = 14,40 €, meno del minimo: si paga il minimo di 20,00 €")
	check("Domanda, pagamento")
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusUnprocessableEntity)
	wantText(t, b, "#errori", "devi pagare")
	check("Domanda, pagamento con errori")
	// Two fees: the bollo and the canone computed from the form.
	for i := range 2 {
		wantStatus(t, clickLoad(t, b, `main form[action$="/paga"] button`), http.StatusOK)
		wantPath(t, b, "/pagamenti/demo")
		if i == 0 {
			check("Pagamento DEMO")
		}
		wantStatus(t, clickLoad(t, b, `main button[value="ok"]`), http.StatusOK)
		wantText(t, b, "#pagamenti", "Pagato")
	}
	check("Domanda, pagamento effettuato")
	wantStatus(t, clickLoad(t, b, nextButton), http.StatusOK)
	wantStatus(t, clickLoad(t, b, submitButton), http.StatusOK)
	receiptCase(t, b)
	wantText(t, b, "section[aria-labelledby=pagamenti]", "pagato il")
	check("Ricevuta con pagamento")
}

// receiptCase checks that the tab shows a receipt with a protocol number
// and returns the case's id.
func receiptCase(t testing.TB, b *chrome.Browser) string {
	t.Helper()
	loc := chrome.Run(t, b, chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil || !strings.HasPrefix(u.Path, "/pratiche/") || !strings.HasSuffix(u.Path, "/ricevuta") {
		t.Fatalf("page %s, want a receipt", loc)
	}
	wantText(t, b, "h1", "Ricevuta di presentazione")
	if n := chrome.Run(t, b, chromedp.Text(chromedp.ID("numero-protocollo"))); !protocolRE.MatchString(strings.TrimSpace(n)) {
		t.Fatalf("protocol number %q, want NNNNNNN/YYYY", n)
	}
	return strings.TrimSuffix(strings.TrimPrefix(u.Path, "/pratiche/"), "/ricevuta")
}
