// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/payment"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
	"github.com/procedo/procedo/web"
)

// wireDrafts gives h the drafts and payments, and in demo mode the DEMO
// payment provider with its page.
func wireDrafts(h *web.Handler, db *sqlstore.DB, demo bool) {
	payments := sqlstore.NewPaymentService(db)
	h.Drafts, h.Payments, h.CasePayments = sqlstore.NewDraftService(db, payments), payments, payments
	if demo {
		d := &payment.Demo{Enabled: true, PageURL: "/pagamenti/demo", ReturnURL: "/pagamenti/esito"}
		h.PaymentProvider, h.PaymentPage = d, d
	}
}

var draftRE = regexp.MustCompile(`^(/domande/\d+)/richiedente$`)

// startApplication accepts the privacy notice of service key as d and
// returns the path of the new draft, "/domande/N".
func startApplication(t *testing.T, d *desk, key string) string {
	t.Helper()
	rec := d.post("/servizi/"+key+"/domanda", url.Values{"privacy": {"accetto"}})
	m := draftRE.FindStringSubmatch(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("start: %d %q\n%.2000s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	return m[1]
}

// step posts a step of the draft with the button action and checks that it
// goes to next (a step key) with 303, or stays with status.
func step(t *testing.T, d *desk, draft, key string, form url.Values, action, next string) {
	t.Helper()
	f := url.Values{"azione": {action}}
	for k, v := range form {
		f[k] = v
	}
	rec := d.post(draft+"/"+key, f)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != draft+"/"+next {
		t.Fatalf("%s %s: %d %q, want 303 to %s\n%.3000s", key, action, rec.Code, rec.Header().Get("Location"), next, rec.Body.String())
	}
}

// stepErrors posts a step that must come back with 422 and returns the page.
func stepErrors(t *testing.T, d *desk, draft, key string, form url.Values) *goquery.Document {
	t.Helper()
	f := url.Values{"azione": {"avanti"}}
	for k, v := range form {
		f[k] = v
	}
	return want(t, d.post(draft+"/"+key, f), http.StatusUnprocessableEntity)
}

// location checks a 303 to path (its prefix, when prefix is true).
func location(t *testing.T, rec *httptest.ResponseRecorder, path string, prefix bool) string {
	t.Helper()
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || (!prefix && loc != path) || (prefix && !strings.HasPrefix(loc, path)) {
		t.Fatalf("%d %q, want 303 to %s\n%.2000s", rec.Code, loc, path, rec.Body.String())
	}
	return loc
}

var pdfFile = []byte("%PDF-1.4\n% delega di prova\n")

// TestApply_Steps fills an application to accesso-documentale step by step,
// with and without errors, resumes it from another session and submits it.
func TestApply_Steps(t *testing.T) {
	env := testkit.NewEnv(t)
	h := newHandler(env, true)
	mario := newDesk(t, env, h, actor{"Mario", env.A, nil, testkit.Mario})

	// Step 1: the privacy notice, with the step indicator.
	doc := want(t, mario.get("/servizi/accesso-documentale/domanda"), http.StatusOK)
	wantText(t, doc, "main", "Passo 1 di 6", "Informativa sul trattamento dei dati personali", "Comune di Alfa")
	if doc.Find(`.steppers li[aria-current="step"]`).Length() != 1 || doc.Find(".steppers li").Length() != 6 {
		t.Fatalf("step indicator:\n%s", doc.Find(".steppers").Text())
	}
	doc = want(t, mario.post("/servizi/accesso-documentale/domanda", url.Values{}), http.StatusUnprocessableEntity)
	wantText(t, doc, "#errori", "Informativa sulla privacy")
	wantText(t, doc, "#f-privacy-errore", "informativa")
	if doc.Find(`#errori a[href="#f-privacy"]`).Length() != 1 || doc.Find(`#f-privacy[aria-invalid="true"]`).Length() != 1 {
		t.Error("the summary must link the checkbox, marked invalid")
	}
	if n := countRows(t, env, "application_drafts"); n != 0 {
		t.Fatalf("a draft without privacy: %d", n)
	}
	draft := startApplication(t, mario, "accesso-documentale")

	// Step 2: the applicant, from the identity.
	doc = want(t, mario.get(draft+"/richiedente"), http.StatusOK)
	wantText(t, doc, "main", "Passo 2 di 6", "Mario Rossi", testkit.Mario.FiscalCode)
	if v, _ := doc.Find(`input[name="applicant.email"]`).Attr("value"); v != testkit.Mario.Email {
		t.Errorf("e-mail prefilled %q", v)
	}
	if doc.Find(`input[name="applicant.fiscal_code"], input[name="applicant.given_name"]`).Length() != 0 {
		t.Error("name and codice fiscale are read-only")
	}
	doc = stepErrors(t, mario, draft, "richiedente", url.Values{"applicant.email": {"non-una-mail"}, "applicant.phone": {"abc"}})
	wantText(t, doc, "#errori", "Indirizzo e-mail", "Telefono")
	wantText(t, doc, "#f-applicant\\.email-errore", "indirizzo e-mail valido")
	if v, _ := doc.Find(`input[name="applicant.email"]`).Attr("value"); v != "non-una-mail" {
		t.Errorf("the page must show what was typed, got %q", v)
	}
	// A business user: partita IVA with its check digit, name, declaration.
	doc = stepErrors(t, mario, draft, "richiedente", url.Values{"applicant.email": {"mario@example.it"}, "applicant.for_company": {"si"},
		"applicant.company_vat": {"01199250159"}})
	wantText(t, doc, "#errori", "Partita IVA dell'impresa: La partita IVA non è valida", "Denominazione dell'impresa", "legale rappresentante")
	company := url.Values{"applicant.email": {"mario@example.it"}, "applicant.phone": {"+39 333 1234567"}, "applicant.for_company": {"si"},
		"applicant.company_vat": {"IT01199250158"}, "applicant.company_name": {"Rossi Costruzioni srl"}, "applicant.legal_representative": {"si"}}
	step(t, mario, draft, "richiedente", company, "avanti", "sezione-1")

	// Step 3: the first section of the model.
	doc = want(t, mario.get(draft+"/sezione-1"), http.StatusOK)
	wantText(t, doc, "h2", "Recapiti")
	wantText(t, doc, "main", "Passo 3 di 6")
	if v, _ := doc.Find(`input[name="email"]`).Attr("value"); v != testkit.Mario.Email {
		t.Errorf("model e-mail %q", v)
	}
	doc = stepErrors(t, mario, draft, "sezione-1", url.Values{"email": {"mario@example.it"}, "telefono": {"abc"}})
	wantText(t, doc, "#errori", "Telefono: Inserisci un numero di telefono valido")
	if doc.Find(`#errori a[href="#f-telefono"]`).Length() != 1 {
		t.Error("the summary links the input")
	}
	// Back saves without checking; "save and resume later" goes to the list.
	step(t, mario, draft, "sezione-1", url.Values{"email": {"mario@example.it"}, "telefono": {"abc"}}, "indietro", "richiedente")
	rec := mario.post(draft+"/sezione-1", url.Values{"azione": {"salva"}, "email": {"mario@example.it"}, "telefono": {"+39 333 1234567"}})
	location(t, rec, "/pratiche", false)

	// Resumed from another session (another device): the list, then the step.
	other := newDesk(t, env, h, actor{"Mario, altro dispositivo", env.A, nil, testkit.Mario})
	doc = want(t, other.get("/pratiche"), http.StatusOK)
	wantText(t, doc, "#bozze ~ *, section[aria-labelledby=bozze]", "Richiesta di accesso", "Riprendi", "Elimina")
	if doc.Find(`a[href="`+draft+`"]`).Length() != 1 || doc.Find(`form[action="`+draft+`/elimina"]`).Length() != 1 {
		t.Fatal("no Riprendi / Elimina for the draft")
	}
	location(t, other.get(draft), draft+"/sezione-1", false)
	doc = want(t, other.get(draft+"/sezione-1"), http.StatusOK)
	if v, _ := doc.Find(`input[name="telefono"]`).Attr("value"); v != "+39 333 1234567" {
		t.Errorf("resumed telefono %q", v)
	}
	step(t, other, draft, "sezione-1", url.Values{"email": {"mario@example.it"}, "telefono": {"+39 333 1234567"}}, "avanti", "sezione-2")

	// Step 4: the second section.
	doc = stepErrors(t, other, draft, "sezione-2", url.Values{"oggetto": {"Permesso 12/2024"}, "modalita": {"volare"}})
	wantText(t, doc, "#errori", "Motivo della richiesta", "Modalità di accesso: Scegli una delle opzioni")
	step(t, other, draft, "sezione-2", url.Values{"oggetto": {"Permesso di costruire n. 12/2024"},
		"motivazione": {"Sono il confinante."}, "modalita": {"copia-semplice"}, "consegna": {"email"}}, "avanti", "allegati")

	// Step 5: attachments, sniffed; removed and attached again.
	doc = want(t, other.postMultipart(draft+"/allegati", url.Values{"azione": {"avanti"}},
		file{"documentazione", "finto.pdf", []byte("MZ\x90\x00 non un pdf")}), http.StatusUnprocessableEntity)
	wantText(t, doc, "#errori", "non corrisponde a un formato ammesso")
	location(t, other.postMultipart(draft+"/allegati", url.Values{"azione": {"carica"}}, file{"documentazione", "delega.pdf", pdfFile}),
		draft+"/allegati", false)
	doc = want(t, other.get(draft+"/allegati"), http.StatusOK)
	wantText(t, doc, "main", "delega.pdf")
	location(t, other.postMultipart(draft+"/allegati", url.Values{"azione": {"rimuovi:documentazione"}}), draft+"/allegati", false)
	doc = want(t, other.get(draft+"/allegati"), http.StatusOK)
	if strings.Contains(doc.Find("main").Text(), "delega.pdf") {
		t.Fatal("the file was not removed")
	}
	location(t, other.postMultipart(draft+"/allegati", url.Values{"azione": {"avanti"}}, file{"documentazione", "delega.pdf", pdfFile}),
		draft+"/riepilogo", false)

	// Step 6: the summary, every value with its "Modifica" link.
	doc = want(t, other.get(draft+"/riepilogo"), http.StatusOK)
	wantText(t, doc, "main", "Passo 6 di 6", "Mario Rossi", "Rossi Costruzioni srl", "01199250158", "Permesso di costruire n. 12/2024",
		"Copia semplice", "Per e-mail o PEC", "delega.pdf")
	if n := doc.Find(`main a[href^="` + draft + `/"]`).Length(); n != 5 {
		t.Errorf("%d Modifica links, want 5", n)
	}
	if doc.Find("#errori").Length() != 0 {
		t.Errorf("a complete draft shows problems: %s", doc.Find("#errori").Text())
	}
	// Nobody else reaches the draft.
	lucia := newDesk(t, env, h, actor{"Lucia", env.A, nil, testkit.Lucia})
	want(t, lucia.get(draft+"/riepilogo"), http.StatusNotFound)
	want(t, lucia.post(draft+"/invia", nil), http.StatusNotFound)

	// Submission: the receipt at once; the draft is gone.
	loc := location(t, other.post(draft+"/invia", nil), "/pratiche/", true)
	doc = want(t, other.get(loc), http.StatusOK)
	wantText(t, doc, "main", "Ricevuta di presentazione", "Per conto di", "Rossi Costruzioni srl")
	want(t, other.get(draft), http.StatusNotFound)
	doc = want(t, other.get("/pratiche"), http.StatusOK)
	if doc.Find("#bozze").Length() != 0 {
		t.Error("the submitted draft is still listed")
	}
}

// TestApply_SummaryProblemsAndDelete: an incomplete draft shows on its
// summary what is missing, linked to each step; it can be deleted.
func TestApply_SummaryProblemsAndDelete(t *testing.T) {
	env := testkit.NewEnv(t)
	h := newHandler(env, true)
	mario := newDesk(t, env, h, actor{"Mario", env.A, nil, testkit.Mario})
	draft := startApplication(t, mario, "accesso-documentale")
	doc := want(t, mario.get(draft+"/riepilogo"), http.StatusOK)
	wantText(t, doc, "#errori", "La domanda non può ancora essere inviata", "Documenti richiesti", "Modalità di accesso")
	if doc.Find(`#errori a[href="`+draft+`/sezione-2#f-oggetto"]`).Length() != 1 {
		t.Errorf("problems must link their step:\n%s", doc.Find("#errori").Text())
	}
	doc = want(t, mario.post(draft+"/invia", nil), http.StatusUnprocessableEntity)
	wantText(t, doc, "#errori", "Motivo della richiesta")
	if n := countRows(t, env, "cases"); n != 0 {
		t.Fatalf("%d cases", n)
	}
	// The summary's "Indietro" goes to the step before.
	step(t, mario, draft, "riepilogo", nil, "indietro", "allegati")
	location(t, mario.post(draft+"/elimina", nil), "/pratiche", false)
	want(t, mario.get(draft+"/riepilogo"), http.StatusNotFound)
	if n := countRows(t, env, "application_drafts"); n != 0 {
		t.Fatalf("%d drafts", n)
	}
}

var noticeRE = regexp.MustCompile(`^\d{4} \d{4} \d{4} \d{4} \d{2}$`)

// TestApply_Payment completes and pays an application with a fee through the
// DEMO provider: notice, PDF, "Paga ora", the provider's page, the return.
func TestApply_Payment(t *testing.T) {
	env := testkit.NewEnv(t)
	if err := testkit.Exec(env.DB, `UPDATE tenants SET fiscal_code = ? WHERE id = ?`, "01199250158", env.A.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	h := newHandler(env, true)
	publishAt(t, env, env.A, "occupazione-suolo-pubblico")
	mario := newDesk(t, env, h, actor{"Mario", env.A, nil, testkit.Mario})
	draft := startApplication(t, mario, "occupazione-suolo-pubblico")
	step(t, mario, draft, "richiedente", url.Values{"applicant.email": {"mario@example.it"}, "applicant.for_company": {"no"}}, "avanti", "sezione-1")
	// A condition inside the step: the partita IVA counts only when
	// answering "sì"; its check digit is verified.
	doc := want(t, mario.get(draft+"/sezione-1"), http.StatusOK)
	wantText(t, doc, "main", "Compila solo se hai risposto «Sì»")
	doc = stepErrors(t, mario, draft, "sezione-1", url.Values{"email": {"mario@example.it"}, "telefono": {"333 1234567"},
		"per_conto": {"si"}, "partita_iva": {"01199250159"}, "ragione_sociale": {"Traslochi srl"}})
	wantText(t, doc, "#errori", "Partita IVA dell'impresa: La partita IVA non è valida")
	step(t, mario, draft, "sezione-1", url.Values{"email": {"mario@example.it"}, "telefono": {"333 1234567"}, "per_conto": {"no"},
		"partita_iva": {"01199250159"}}, "avanti", "sezione-2")
	occupazione := func(surface string) url.Values {
		return url.Values{"luogo.via": {"Via Roma"}, "luogo.civico": {"3"}, "luogo.cap": {"73030"},
			"luogo.comune": {"Castro (LE)"}, "motivo": {"trasloco"}, "descrizione": {"Furgone per il trasloco"},
			"data_inizio": {"2026-04-10"}, "data_fine": {"2026-04-14"}, "superficie": {surface}}
	}
	step(t, mario, draft, "sezione-2", occupazione("12"), "avanti", "allegati")
	location(t, mario.postMultipart(draft+"/allegati", url.Values{"azione": {"avanti"}}, file{"planimetria", "planimetria.pdf", pdfFile}),
		draft+"/pagamento", false)

	// The payment step: the fixed bollo, and the canone computed from the
	// form (1,20 € per m² per day, both days counted).
	doc = want(t, mario.get(draft+"/pagamento"), http.StatusOK)
	wantText(t, doc, "main", "Passo 6 di 7", "Imposta di bollo sulla domanda", "€ 16,00", "Codice IUV", "Da pagare",
		"Canone unico patrimoniale", "Tariffa: 1,20 € per m² al giorno, minimo 20,00 €",
		"Importo calcolato dai dati della domanda: 12 m² × 5 giorni × 1,20 € = 72,00 €", "€ 72,00", "Paga ora")
	if n := doc.Find(`form[action$="/paga"]`).Length(); n != 2 {
		t.Fatalf("%d forms to pay, want 2", n)
	}
	number := strings.TrimSpace(doc.Find(`dd[id^="avviso-"]`).First().Text())
	if !noticeRE.MatchString(number) {
		t.Fatalf("codice avviso %q", number)
	}
	if _, err := procedo.ParseNoticeNumber(number); err != nil {
		t.Fatalf("codice avviso %q: %v", number, err)
	}
	canone72 := strings.TrimSpace(doc.Find(`dd[id^="avviso-"]`).Last().Text())
	pdfLink, _ := doc.Find(`a[href*="/avvisi/"]`).Attr("href")
	rec := mario.get(pdfLink)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "%PDF-") || rec.Header().Get("Content-Type") != "application/pdf" {
		t.Fatalf("notice PDF: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	doc = stepErrors(t, mario, draft, "pagamento", nil)
	wantText(t, doc, "#errori", "Prima di inviare la domanda devi pagare", "Canone unico patrimoniale (72,00 €)")
	doc = want(t, mario.post(draft+"/invia", nil), http.StatusUnprocessableEntity)
	wantText(t, doc, "#errori", "Pagamento")

	// Somebody else cannot pay, print or see it.
	lucia := newDesk(t, env, h, actor{"Lucia", env.A, nil, testkit.Lucia})
	payPath, _ := want(t, mario.get(draft+"/pagamento"), http.StatusOK).Find(`form[action$="/paga"]`).First().Attr("action")
	want(t, lucia.post(payPath, nil), http.StatusNotFound)
	want(t, lucia.get(pdfLink), http.StatusNotFound)

	// "Paga ora": the DEMO checkout, then back with the outcome.
	page := location(t, mario.post(payPath, nil), "/pagamenti/demo?t=", true)
	doc = want(t, mario.get(page), http.StatusOK)
	wantText(t, doc, "main", "DEMO", "€ 16,00")
	tok := strings.TrimPrefix(page, "/pagamenti/demo?t=")
	tok, _ = url.QueryUnescape(tok)
	want(t, mario.post("/pagamenti/demo", url.Values{"t": {tok + "x"}, "esito": {"ok"}}), http.StatusBadRequest)
	back := location(t, mario.post("/pagamenti/demo", url.Values{"t": {tok}, "esito": {"ok"}}), "/pagamenti/esito?esito=", true)
	want(t, mario.get("/pagamenti/esito?esito=falso"), http.StatusUnprocessableEntity)
	location(t, mario.get(back), draft+"/pagamento", false)
	doc = want(t, mario.get(draft+"/pagamento"), http.StatusOK)
	wantText(t, doc, "dd[id^=stato-]", "Pagato")
	if doc.Find(`form[action$="/paga"]`).Length() != 1 {
		t.Error("a paid notice offers to pay again")
	}

	// The surface changes before the canone is paid: its notice is
	// replaced by one for the new amount.
	step(t, mario, draft, "sezione-2", occupazione("10"), "avanti", "allegati")
	location(t, mario.postMultipart(draft+"/allegati", url.Values{"azione": {"avanti"}}), draft+"/pagamento", false)
	doc = want(t, mario.get(draft+"/pagamento"), http.StatusOK)
	wantText(t, doc, "main", "10 m² × 5 giorni × 1,20 € = 60,00 €", "Paga ora € 60,00")
	if strings.Contains(doc.Find("main").Text(), canone72) {
		t.Fatalf("the stale notice %s is still offered", canone72)
	}
	payPath, _ = doc.Find(`form[action$="/paga"]`).Attr("action")
	payDemo(t, mario, payPath, draft+"/pagamento", "€ 60,00")

	// Once paid, the amount cannot change: a larger surface is refused
	// with the reason, until the values are those paid for.
	step(t, mario, draft, "sezione-2", occupazione("20"), "avanti", "allegati")
	location(t, mario.postMultipart(draft+"/allegati", url.Values{"azione": {"avanti"}}), draft+"/pagamento", false)
	doc = want(t, mario.get(draft+"/pagamento"), http.StatusOK)
	wantText(t, doc, "[id^=conflitto-]", "Hai già pagato € 60,00", "l'importo è € 120,00", "20 m² × 5 giorni × 1,20 € = 120,00 €",
		"Un pagamento eseguito non si modifica")
	doc = stepErrors(t, mario, draft, "pagamento", nil)
	wantText(t, doc, "#errori", "hai già pagato 60,00 € per «Canone unico patrimoniale»")
	doc = want(t, mario.post(draft+"/invia", nil), http.StatusUnprocessableEntity)
	wantText(t, doc, "#errori", "Pagamento")
	step(t, mario, draft, "sezione-2", occupazione("10,0"), "avanti", "allegati")
	location(t, mario.postMultipart(draft+"/allegati", url.Values{"azione": {"avanti"}}), draft+"/pagamento", false)

	step(t, mario, draft, "pagamento", nil, "avanti", "riepilogo")
	doc = want(t, mario.get(draft+"/riepilogo"), http.StatusOK)
	wantText(t, doc, "main", "Canone unico patrimoniale", "€ 60,00", "(10 m² × 5 giorni × 1,20 € = 60,00 €)")
	loc := location(t, mario.post(draft+"/invia", nil), "/pratiche/", true)
	doc = want(t, mario.get(loc), http.StatusOK)
	wantText(t, doc, "#pagamenti ~ dl, section[aria-labelledby=pagamenti]", "Imposta di bollo", "€ 16,00", number, "pagato il", "€ 60,00")
	// The case page lists both, paid.
	doc = want(t, mario.get(strings.TrimSuffix(loc, "/ricevuta")), http.StatusOK)
	wantText(t, doc, "section[aria-labelledby=pagamenti]", "Imposta di bollo sulla domanda", "Canone unico patrimoniale",
		"€ 60,00 (10 m² × 5 giorni × 1,20 € = 60,00 €)", "Pagato")
	if doc.Find(`section[aria-labelledby=pagamenti] form`).Length() != 0 {
		t.Error("paid notices offer to pay")
	}
}

// payDemo pays the notice of payPath ("Paga ora") at the DEMO checkout,
// showing amount, and checks the way back to back, which shows it paid.
func payDemo(t *testing.T, d *desk, payPath, back, amount string) {
	t.Helper()
	page := location(t, d.post(payPath, nil), "/pagamenti/demo?t=", true)
	doc := want(t, d.get(page), http.StatusOK)
	wantText(t, doc, "main", "DEMO", amount)
	tok, _ := url.QueryUnescape(strings.TrimPrefix(page, "/pagamenti/demo?t="))
	ret := location(t, d.post("/pagamenti/demo", url.Values{"t": {tok}, "esito": {"ok"}}), "/pagamenti/esito?esito=", true)
	location(t, d.get(ret), back, false)
}

// countRows counts the rows of table.
func countRows(t *testing.T, env *testkit.Env, table string) int {
	t.Helper()
	n, err := testkit.Count(env.DB, table)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
