// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/library"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
	"github.com/procedo/procedo/web"
)

// caseEnv is the fixture of the case pages: Comune A and B, a fake clock
// shared by the store and the UI, and the contributo-economico model
// (integrations, 10-bis, decisions by a manager, an extension) handled by
// the Segreteria of A.
type caseEnv struct {
	env        *testkit.Env
	h          http.Handler
	now        time.Time
	cases      *sqlstore.CaseService
	contributo *procedo.ProcedureVersion
}

func newCaseEnv(t *testing.T) *caseEnv {
	t.Helper()
	env := testkit.NewEnv(t)
	e := &caseEnv{env: env, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), cases: sqlstore.NewCaseService(env.DB)}
	env.DB.Now = func() time.Time { return e.now }
	t.Cleanup(web.SetTimeNow(func() time.Time { return e.now }))
	e.h = newHandler(env, false)
	def, err := library.Model("contributo-economico")
	if err != nil {
		t.Fatal(err)
	}
	def.OfficeCode, def.DecisionOffice = env.A.Office.Code, ""
	def.Extensions = []procedo.Extension{{Days: 30, Reason: "Quando serve la relazione dell'assistente sociale (art. 2, c. 7, L. 241/1990)."}}
	if e.contributo, err = sqlstore.NewProcedureService(env.DB).PublishProcedure(env.A.As(procedo.SystemActor), def); err != nil {
		t.Fatal(err)
	}
	return e
}

// days moves the shared clock n days ahead.
func (e *caseEnv) days(n int) { e.now = e.now.AddDate(0, 0, n) }

// contributo submits Mario's application for the contributo economico.
func (e *caseEnv) submit(t *testing.T) *procedo.Receipt {
	t.Helper()
	ctx := e.env.A.AsCitizen(testkit.Mario)
	info, err := e.env.DB.Blobs.Put(ctx, e.env.A.Tenant.ID, bytes.NewReader([]byte("%PDF-1.4\n% ISEE 2026\n")))
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{"email": "mario.rossi@example.it", "telefono": "+39 333 1234567", "residenza.via": "Via Roma",
		"residenza.civico": "3", "residenza.cap": "73030", "residenza.comune": "Castro (LE)", "isee": "8500", "motivo": "affitto",
		"descrizione": "Affitto arretrato di tre mesi.", "importo": "900", "iban": "IT60X0542811101000000123456", "altri_aiuti": "no"}
	r, err := sqlstore.NewApplicationService(e.env.DB).SubmitApplication(ctx, e.contributo.ID, values, []*procedo.Upload{{
		Field: "attestazione_isee", Filename: "isee.pdf", MediaType: "application/pdf", SHA256: info.SHA256, Size: info.Size}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// who returns the fixture's actors.
func (e *caseEnv) who() (op, mgr, admin, reg, mario, lucia, opB, mgrB actor) {
	A, B := e.env.A, e.env.B
	return actor{"operatore A", A, A.Operator, nil}, actor{"dirigente A", A, A.Manager, nil}, actor{"admin A", A, A.Admin, nil},
		actor{"protocollo A", A, A.Registry, nil}, actor{"Mario (A)", A, nil, testkit.Mario}, actor{"Lucia (A)", A, nil, testkit.Lucia},
		actor{"operatore B", B, B.Operator, nil}, actor{"dirigente B", B, B.Manager, nil}
}

func (e *caseEnv) find(t *testing.T, id int64) *procedo.Case {
	t.Helper()
	c, err := e.cases.FindCaseByID(e.env.A.AsUser(e.env.A.Manager), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantRedirect checks a 303 to a location starting with prefix.
func wantRedirect(t *testing.T, rec interface {
	Result() *http.Response
}, prefix string) {
	t.Helper()
	res := rec.Result()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), prefix) {
		t.Fatalf("status %d location %q, want 303 to %s", res.StatusCode, res.Header.Get("Location"), prefix)
	}
}

func TestWorklist(t *testing.T) {
	e := newCaseEnv(t)
	op, mgr, _, _, _, _, opB, mgrB := e.who()
	A := e.env.A
	r1 := testkit.MustSubmit(t, e.env.DB, A, testkit.Mario)
	e.days(1)
	r2 := testkit.MustSubmit(t, e.env.DB, A, testkit.Lucia)
	e.days(1)
	r3 := e.submit(t)
	testkit.MustSubmit(t, e.env.DB, e.env.B, testkit.Lucia)

	t.Run("Tabs", func(t *testing.T) {
		doc := want(t, newDesk(t, e.env, e.h, op).get("/ufficio"), 200)
		wantText(t, doc, "nav[aria-label='Elenchi di lavoro']", "Tutte 3", "Nuove 3", "Assegnate a me 0", "In attesa 0", "Scadute 0")
		if n := doc.Find("main table tbody tr").Length(); n != 3 {
			t.Fatalf("%d rows", n)
		}
		// Newest first by default; every row is unassigned and can be taken.
		wantText(t, doc, "main table tbody tr:first-child", fmt.Sprintf("n. %d", r3.Case.ID), "Contributo economico", "Mario Rossi",
			"Presentata", "non assegnata", "Prendi in carico")
		if doc.Find(`main input[name=ids]`).Length() != 0 {
			t.Error("an operator got the bulk form")
		}
	})
	t.Run("FiltersSortSearch", func(t *testing.T) {
		d := newDesk(t, e.env, e.h, op)
		doc := want(t, d.get("/ufficio?ordine=meno-recenti"), 200)
		wantText(t, doc, "main table tbody tr:first-child", fmt.Sprintf("n. %d", r1.Case.ID))
		doc = want(t, d.get("/ufficio?q=Verdi"), 200)
		if n := doc.Find("main table tbody tr").Length(); n != 1 {
			t.Fatalf("search Verdi: %d rows", n)
		}
		wantText(t, doc, "main table tbody", fmt.Sprintf("n. %d", r2.Case.ID))
		doc = want(t, d.get(fmt.Sprintf("/ufficio?procedimento=%d", e.contributo.ProcedureTypeID)), 200)
		wantText(t, doc, "main table caption", "1 pratiche")
		doc = want(t, d.get("/ufficio?stato=chiuse"), 200)
		wantText(t, doc, "main", "Nessuna pratica")
		doc = want(t, d.get("/ufficio?pagina=2"), 200)
		wantText(t, doc, "main", "Nessuna pratica")
		doc = want(t, d.get("/ufficio?vista=sconosciuta&ufficio=abc&ordine=caso&pagina=0"), 422)
		wantText(t, doc, "#errori", "Elenco di pratiche sconosciuto", "Ufficio sconosciuto", "Ordinamento sconosciuto", "Numero di pagina")
		// Filters travel with the tabs.
		doc = want(t, d.get("/ufficio?q=Rossi&vista=nuove"), 200)
		if href, _ := doc.Find("nav[aria-label='Elenchi di lavoro'] a").First().Attr("href"); !strings.Contains(href, "q=Rossi") {
			t.Errorf("tab link %q lost the search", href)
		}
	})
	t.Run("TakeFromList", func(t *testing.T) {
		d := newDesk(t, e.env, e.h, op)
		rec := d.post(fmt.Sprintf("/ufficio/pratiche/%d/responsabile", r1.Case.ID), url.Values{"user_id": {fmt.Sprint(A.Operator.ID)},
			"back": {"lista"}, "query": {"vista=nuove"}})
		wantRedirect(t, rec, "/ufficio?vista=nuove")
		if c := e.find(t, r1.Case.ID); c.ResponsibleUserID == nil || *c.ResponsibleUserID != A.Operator.ID {
			t.Fatalf("responsible %v", c.ResponsibleUserID)
		}
		doc := want(t, d.get("/ufficio?vista=mie"), 200)
		wantText(t, doc, "nav[aria-label='Elenchi di lavoro']", "Assegnate a me 1", "Nuove 2")
		wantText(t, doc, "main table tbody", fmt.Sprintf("n. %d", r1.Case.ID), "Utente operatore")
	})
	t.Run("BulkAssign", func(t *testing.T) {
		d := newDesk(t, e.env, e.h, mgr)
		doc := want(t, d.get("/ufficio"), 200)
		if doc.Find(`main input[name=ids]`).Length() != 3 || doc.Find(`#bulk-user option`).Length() < 2 {
			t.Fatal("no bulk form for the manager")
		}
		doc = want(t, d.post("/ufficio/pratiche/assegnazione?vista=nuove", url.Values{"user_id": {fmt.Sprint(A.Operator.ID)}}), 422)
		wantText(t, doc, "#ids-errore", "Seleziona almeno una pratica")
		doc = want(t, d.post("/ufficio/pratiche/assegnazione", url.Values{"ids": {fmt.Sprint(r2.Case.ID)}}), 422)
		wantText(t, doc, "#bulk-user-errore", "Scegli")
		if _, ok := doc.Find(fmt.Sprintf("#sel-%d", r2.Case.ID)).Attr("checked"); !ok {
			t.Error("the selection was lost")
		}
		rec := d.post("/ufficio/pratiche/assegnazione?vista=nuove", url.Values{"ids": {fmt.Sprint(r2.Case.ID), fmt.Sprint(r3.Case.ID)},
			"user_id": {fmt.Sprint(A.Operator.ID)}})
		wantRedirect(t, rec, "/ufficio?vista=nuove")
		for _, id := range []int64{r2.Case.ID, r3.Case.ID} {
			if c := e.find(t, id); c.ResponsibleUserID == nil || *c.ResponsibleUserID != A.Operator.ID {
				t.Fatalf("case %d responsible %v", id, c.ResponsibleUserID)
			}
		}
	})
	t.Run("BulkRemind", func(t *testing.T) {
		d := newDesk(t, e.env, e.h, mgr)
		doc := want(t, d.post("/ufficio/pratiche/sollecito", url.Values{"ids": {fmt.Sprint(r2.Case.ID)}, "message": {" "}}), 422)
		wantText(t, doc, "#bulk-message-errore", "sollecito")
		mails := countMails(t, e)
		wantRedirect(t, d.post("/ufficio/pratiche/sollecito?vista=mie", url.Values{"ids": {fmt.Sprint(r2.Case.ID)},
			"message": {"Serve chiudere entro venerdì."}}), "/ufficio?vista=mie")
		if got := countMails(t, e); got != mails+1 {
			t.Fatalf("mails %d, want %d", got, mails+1)
		}
	})
	t.Run("ErrRoleAndTenant", func(t *testing.T) {
		form := url.Values{"ids": {fmt.Sprint(r1.Case.ID)}, "user_id": {fmt.Sprint(A.Operator.ID)}}
		want(t, newDesk(t, e.env, e.h, op).post("/ufficio/pratiche/assegnazione", form), 403)
		want(t, newDesk(t, e.env, e.h, op).post("/ufficio/pratiche/sollecito", url.Values{"ids": {fmt.Sprint(r1.Case.ID)}, "message": {"x"}}), 403)
		want(t, newDesk(t, e.env, e.h, mgrB).post("/ufficio/pratiche/assegnazione", url.Values{"ids": {fmt.Sprint(r1.Case.ID)},
			"user_id": {fmt.Sprint(e.env.B.Operator.ID)}}), 404)
		doc := want(t, newDesk(t, e.env, e.h, opB).get("/ufficio"), 200)
		if n := doc.Find("main table tbody tr").Length(); n != 1 {
			t.Fatalf("B sees %d cases", n)
		}
	})
}

func countMails(t *testing.T, e *caseEnv) int {
	t.Helper()
	n, err := testkit.Count(e.env.DB, "mail_messages")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCaseView(t *testing.T) {
	e := newCaseEnv(t)
	op, mgr, admin, reg, mario, _, opB, _ := e.who()
	r := e.submit(t)
	page := fmt.Sprintf("/ufficio/pratiche/%d", r.Case.ID)

	doc := want(t, newDesk(t, e.env, e.h, op).get(page), 200)
	wantText(t, doc, "section[aria-labelledby=termine]", "Scade il 02/05/2026: mancano 61 giorni", "Termine di legge", "60 giorni", "Come è calcolata la scadenza")
	wantText(t, doc, "#dati-pratica + dl", "Mario Rossi", "RSSMRA80A01H501U", "Ufficio Segreteria")
	wantText(t, doc, "#domanda + dl", "Via Roma 3, 73030", "Affitto o spese per la casa", "No")
	wantText(t, doc, "#documenti-domanda", "isee.pdf")
	wantText(t, doc, "#protocollo ~ div table", fmt.Sprintf("%s/%d", r.Registration.NumberString(), r.Registration.Year), "In entrata")
	wantText(t, doc, "#modulo-assign", "Prendi in carico")
	wantText(t, doc, "#modulo-transition", "Avvia l'istruttoria", "Registra la rinuncia", "Rivedi il testo: Avvia l'istruttoria")
	if doc.Find("#user_id").Length() != 0 {
		t.Error("an operator got the manager's assignment select")
	}
	wantText(t, doc, "#note ~ p", "Nessuna nota")

	doc = want(t, newDesk(t, e.env, e.h, mgr).get(page), 200)
	if doc.Find("#user_id option").Length() != 2 {
		t.Errorf("manager's choices: %d", doc.Find("#user_id option").Length())
	}
	doc = want(t, newDesk(t, e.env, e.h, admin).get(page), 200)
	if doc.Find("#modulo-transition").Length() != 0 || doc.Find("#modulo-reply").Length() != 0 {
		t.Error("the administrator may not work the case")
	}
	want(t, newDesk(t, e.env, e.h, reg).get(page), 404)
	want(t, newDesk(t, e.env, e.h, opB).get(page), 404)
	want(t, newDesk(t, e.env, e.h, mario).get(page), 401)
}

func TestCaseWork(t *testing.T) {
	e := newCaseEnv(t)
	op, mgr, admin, _, mario, _, opB, mgrB := e.who()
	A := e.env.A
	r := e.submit(t)
	id := r.Case.ID
	page := fmt.Sprintf("/ufficio/pratiche/%d", id)
	o, m := newDesk(t, e.env, e.h, op), newDesk(t, e.env, e.h, mgr)

	t.Run("Assign", func(t *testing.T) {
		want(t, o.post(page+"/responsabile", url.Values{"user_id": {fmt.Sprint(A.Manager.ID)}}), 403)
		doc := want(t, m.post(page+"/responsabile", url.Values{"user_id": {"abc"}}), 422)
		wantText(t, doc, "#user_id-errore", "Scegli")
		doc = want(t, m.post(page+"/responsabile", url.Values{"user_id": {fmt.Sprint(A.Registry.ID)}}), 422)
		wantText(t, doc, "#user_id-errore", "operatore attivo")
		want(t, newDesk(t, e.env, e.h, mgrB).post(page+"/responsabile", url.Values{"user_id": {fmt.Sprint(e.env.B.Operator.ID)}}), 404)
		wantRedirect(t, o.post(page+"/responsabile", url.Values{"user_id": {fmt.Sprint(A.Operator.ID)}}), page)
		wantRedirect(t, m.post(page+"/responsabile", url.Values{"user_id": {fmt.Sprint(A.Manager.ID)}}), page)
		if c := e.find(t, id); *c.ResponsibleUserID != A.Manager.ID {
			t.Fatal("not reassigned")
		}
		doc = want(t, o.post(page+"/responsabile", url.Values{"user_id": {fmt.Sprint(A.Operator.ID)}}), 409)
		wantText(t, doc, "main .alert-danger", "già in carico")
	})
	t.Run("TransitionWithEditor", func(t *testing.T) {
		doc := want(t, o.get(page+"/azioni/start"), 200)
		text := doc.Find("#text").Text()
		if !strings.Contains(text, "Mario Rossi") || !strings.Contains(text, "Ufficio Segreteria") {
			t.Fatalf("editor text %q", text)
		}
		want(t, newDesk(t, e.env, e.h, opB).get(page+"/azioni/start"), 404)
		want(t, newDesk(t, e.env, e.h, admin).get(page+"/azioni/start"), 403)
		want(t, o.get(page+"/azioni/volare"), 404)
		// Regenerate keeps the reason and rebuilds the text.
		doc = want(t, o.post(page+"/azioni/start", url.Values{"editor": {"1"}, "rigenera": {"1"}, "reason": {"Avvio"}, "text": {"vecchio"}}), 200)
		if strings.Contains(doc.Find("#text").Text(), "vecchio") || doc.Find("#reason").Text() != "Avvio" {
			t.Fatalf("regenerate: %q %q", doc.Find("#text").Text(), doc.Find("#reason").Text())
		}
		doc = want(t, o.post(page+"/azioni/start", url.Values{"editor": {"1"}, "text": {strings.Repeat("x", procedo.MaxDocumentTextLength+1)}}), 422)
		wantText(t, doc, "#text-errore", "20000")
		wantRedirect(t, o.post(page+"/azioni/start", url.Values{"editor": {"1"}, "text": {"Si comunica l'avvio del procedimento.\n\nTesto rivisto."}}), page)
		c := e.find(t, id)
		if c.Status != procedo.CaseInReview {
			t.Fatalf("status %s", c.Status)
		}
		doc = want(t, o.get(page), 200)
		wantText(t, doc, "#documenti-atti", "comunicazione-avvio")
		wantText(t, doc, "#storia ~ ol", "Avvia l'istruttoria: In istruttoria")
	})
	t.Run("TransitionErrors", func(t *testing.T) {
		doc := want(t, o.post(page+"/azioni/request_integration", url.Values{"reason": {""}}), 422)
		wantText(t, doc, "#reason-errore", "motivazione")
		want(t, newDesk(t, e.env, e.h, admin).post(page+"/azioni/request_integration", url.Values{"reason": {"x"}}), 403)
		want(t, newDesk(t, e.env, e.h, mario).post(page+"/azioni/request_integration", url.Values{"reason": {"x"}}), 401)
		doc = want(t, o.post(page+"/azioni/receive_integration", nil), 409)
		wantText(t, doc, "main .alert-danger", "non è consentita")
	})
	t.Run("ExtendTerm", func(t *testing.T) {
		before := e.find(t, id).DueDate
		doc := want(t, o.post(page+"/proroghe", url.Values{"extension": {"7"}}), 422)
		wantText(t, doc, "#extend-extension-errore", "Proroga non prevista")
		want(t, newDesk(t, e.env, e.h, admin).post(page+"/proroghe", url.Values{"extension": {"0"}}), 403)
		wantRedirect(t, o.post(page+"/proroghe", url.Values{"extension": {"0"}}), page)
		if after := e.find(t, id).DueDate; before.DaysUntil(after) < 30 {
			t.Fatalf("due %s → %s", before, after)
		}
		doc = want(t, o.post(page+"/proroghe", url.Values{"extension": {"0"}}), 409)
		wantText(t, doc, "main .alert-danger", "già stata applicata")
		doc = want(t, o.get(page), 200)
		wantText(t, doc, "#modulo-extend", "già applicata")
	})
	t.Run("DraftAndApproval", func(t *testing.T) {
		doc := want(t, o.get(page), 200)
		wantText(t, doc, "#modulo-transition", "Prepara la bozza: Concedi il contributo")
		want(t, o.post(page+"/azioni/accept", url.Values{"reason": {"x"}}), 403)
		doc = want(t, o.get(page+"/azioni/accept"), 200)
		wantText(t, doc, "h1", "Bozza: Concedi il contributo")
		if a, _ := doc.Find("main form").Attr("action"); a != page+"/bozze" {
			t.Fatalf("draft form posts to %q", a)
		}
		doc = want(t, o.post(page+"/bozze", url.Values{"transition": {"accept"}, "reason": {""}}), 422)
		wantText(t, doc, "#reason-errore", "motivazione")
		wantRedirect(t, o.post(page+"/bozze", url.Values{"transition": {"accept"}, "reason": {"900 euro in un'unica soluzione"}}), page)
		doc = want(t, m.get(page), 200)
		wantText(t, doc, "#modulo-return", "Concedi il contributo", "Utente operatore", "900 euro")
		draft := doc.Find("#modulo-return form").First()
		approve, _ := draft.Attr("action")
		ret := strings.Replace(approve, "/approva", "/restituisci", 1)
		want(t, o.post(approve, nil), 403)
		want(t, newDesk(t, e.env, e.h, mgrB).post(approve, nil), 404)
		doc = want(t, m.post(ret, url.Values{"note": {" "}}), 422)
		wantText(t, doc, "#return-note-errore", "cambiato")
		wantRedirect(t, m.post(ret, url.Values{"note": {"Indica anche le modalità di accredito."}}), page)
		want(t, m.post(approve, nil), 409) // returned: no longer pending
		wantRedirect(t, o.post(page+"/bozze", url.Values{"transition": {"accept"}, "reason": {"900 euro con accredito sul conto indicato"}}), page)
		doc = want(t, m.get(page), 200)
		approve, _ = doc.Find("#modulo-return form").First().Attr("action")
		wantRedirect(t, m.post(approve, nil), page)
		c := e.find(t, id)
		if c.Status != procedo.CaseAccepted || c.DecisionDocumentID == nil {
			t.Fatalf("case %s %v", c.Status, c.DecisionDocumentID)
		}
		doc = want(t, m.get(page), 200)
		wantText(t, doc, "#bozze ~ div table", "Approvata", "Restituita")
	})
	t.Run("NotesAndReplies", func(t *testing.T) {
		doc := want(t, o.post(page+"/note", url.Values{"note": {" "}}), 422)
		wantText(t, doc, "#note-body-errore", "nota")
		wantRedirect(t, o.post(page+"/note", url.Values{"note": {"Verificato l'IBAN al telefono."}}), page+"#note")
		want(t, newDesk(t, e.env, e.h, opB).post(page+"/note", url.Values{"note": {"x"}}), 404)
		want(t, newDesk(t, e.env, e.h, mario).post(page+"/note", url.Values{"note": {"x"}}), 401)
		doc = want(t, o.post(page+"/messaggi", url.Values{"message": {""}}), 422)
		wantText(t, doc, "#reply-message-errore", "messaggio")
		want(t, newDesk(t, e.env, e.h, admin).post(page+"/messaggi", url.Values{"message": {"x"}}), 403)
		wantRedirect(t, o.post(page+"/messaggi", url.Values{"message": {"Il contributo sarà accreditato entro 30 giorni."}}), page+"#messaggi")
		doc = want(t, o.get(page), 200)
		wantText(t, doc, "#note ~ ol", "Verificato l'IBAN")
		wantText(t, doc, "#messaggi ~ ol", "Dall'ufficio", "accreditato entro 30 giorni")
		// The citizen sees the message, never the note.
		cdoc := want(t, newDesk(t, e.env, e.h, mario).get(fmt.Sprintf("/pratiche/%d", id)), 200)
		wantText(t, cdoc, "#messaggi ~ ol", "accreditato entro 30 giorni")
		if strings.Contains(cdoc.Text(), "Verificato l'IBAN") {
			t.Fatal("the citizen sees an internal note")
		}
	})
}

func TestCaseSilenceAttestation(t *testing.T) {
	e := newCaseEnv(t)
	op, _, _, _, mario, lucia, _, _ := e.who()
	def, err := library.Model("accesso-documentale")
	if err != nil {
		t.Fatal(err)
	}
	def.ID, def.Title, def.Silence = "accesso-assenso", "Accesso con silenzio-assenso", procedo.SilenceAssent
	def.OfficeCode, def.DecisionOffice = e.env.A.Office.Code, ""
	v, err := sqlstore.NewProcedureService(e.env.DB).PublishProcedure(e.env.A.As(procedo.SystemActor), def)
	if err != nil {
		t.Fatal(err)
	}
	ctx := e.env.A.AsCitizen(testkit.Mario)
	rec, err := sqlstore.NewApplicationService(e.env.DB).SubmitApplication(ctx, v.ID, testkit.ValidForm(), nil)
	if err != nil {
		t.Fatal(err)
	}
	id := rec.Case.ID
	e.days(40)
	if _, err := e.cases.FormSilentAssent(e.env.A.As(procedo.SystemActor), procedo.DateOf(e.now)); err != nil {
		t.Fatal(err)
	}
	cp, up := fmt.Sprintf("/pratiche/%d", id), fmt.Sprintf("/ufficio/pratiche/%d", id)
	doc := want(t, newDesk(t, e.env, e.h, mario).get(cp), 200)
	wantText(t, doc, "#silenzio ~ p", "accolta per silenzio-assenso")
	if doc.Find(`form[action$="/attestazione"]`).Length() != 1 {
		t.Fatal("no request of the attestation")
	}
	doc = want(t, newDesk(t, e.env, e.h, op).get(up), 200)
	wantText(t, doc, "#modulo-attestation", "Rilascia l'attestazione")
	want(t, newDesk(t, e.env, e.h, lucia).post(cp+"/attestazione", nil), 404)
	wantRedirect(t, newDesk(t, e.env, e.h, mario).post(cp+"/attestazione", nil), cp)
	doc = want(t, newDesk(t, e.env, e.h, mario).get(cp), 200)
	wantText(t, doc, "#silenzio ~ p", "Scarica l'attestazione")
	doc = want(t, newDesk(t, e.env, e.h, op).post(up+"/attestazione", nil), 409)
	wantText(t, doc, "main .alert-danger", "già stata rilasciata")
}

func TestMyCase(t *testing.T) {
	e := newCaseEnv(t)
	op, _, _, _, mario, lucia, opB, _ := e.who()
	marioB := actor{"Mario in B", e.env.B, nil, testkit.Mario}
	r := e.submit(t)
	id := r.Case.ID
	cp := fmt.Sprintf("/pratiche/%d", id)
	z := newDesk(t, e.env, e.h, mario)

	doc := want(t, z.get(cp), 200)
	wantText(t, doc, "#termine-sintesi", "Scade il 02/05/2026")
	wantText(t, doc, "#storia ~ ol", "Domanda presentata e protocollata")
	if doc.Find("#modulo-answer").Length() != 0 {
		t.Fatal("an answer form before any request")
	}
	wantText(t, doc, "#modulo-withdraw", "Rinuncia all'istanza")
	want(t, newDesk(t, e.env, e.h, lucia).get(cp), 404)
	want(t, newDesk(t, e.env, e.h, marioB).get(cp), 404)

	// The office asks for integrations: the case is suspended, the citizen sees it.
	ctx := e.env.A.AsUser(e.env.A.Operator)
	if _, err := e.cases.TransitionCase(ctx, id, "start", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cases.TransitionCase(ctx, id, "request_integration", "Manca il contratto di affitto."); err != nil {
		t.Fatal(err)
	}
	doc = want(t, z.get(cp), 200)
	wantText(t, doc, "#modulo-answer", "integrazioni richieste", "31/03/2026")
	wantText(t, doc, "#termine-sintesi", "Termine sospeso dal 02/03/2026")
	wantText(t, doc, "#documenti-atti", "richiesta-integrazioni")
	if doc.Find("#modulo-withdraw").Length() != 0 {
		t.Error("withdrawal offered where the workflow has none")
	}

	t.Run("AnswerErrors", func(t *testing.T) {
		doc := want(t, z.postMultipart(cp+"/risposta", url.Values{"kind": {"integration"}, "message": {" "}}), 422)
		wantText(t, doc, "#answer-message-errore", "Scrivi un messaggio")
		doc = want(t, z.postMultipart(cp+"/risposta", url.Values{"kind": {"integration"}, "message": {"ecco"}},
			file{"files", "contratto.pdf", []byte("<html>non un pdf</html>")}), 422)
		wantText(t, doc, "#answer-files-errore", "contratto.pdf", "formato")
		if v := doc.Find("#answer-message").Text(); v != "ecco" {
			t.Errorf("message not kept: %q", v)
		}
		doc = want(t, z.postMultipart(cp+"/risposta", url.Values{"kind": {"observations"}, "message": {"x"}}), 409)
		wantText(t, doc, "main .alert-danger", "non è in attesa di osservazioni")
		want(t, newDesk(t, e.env, e.h, lucia).postMultipart(cp+"/risposta", url.Values{"kind": {"integration"}, "message": {"x"}}), 404)
		want(t, newDesk(t, e.env, e.h, op).postMultipart(cp+"/risposta", url.Values{"kind": {"integration"}, "message": {"x"}}), 401)
		want(t, newDesk(t, e.env, e.h, opB).postMultipart(cp+"/risposta", url.Values{"kind": {"integration"}, "message": {"x"}}), 401)
	})
	t.Run("Answer", func(t *testing.T) {
		e.days(5)
		z = newDesk(t, e.env, e.h, mario) // a new session: the old one expired with the clock
		rec := z.postMultipart(cp+"/risposta", url.Values{"kind": {"integration"}, "message": {"Allego il contratto."}},
			file{"files", "contratto.pdf", []byte("%PDF-1.4\n% contratto\n")})
		wantRedirect(t, rec, cp)
		c := e.find(t, id)
		if c.ClockState != procedo.ClockRunning || c.Status != procedo.CaseInReview {
			t.Fatalf("after the answer: %s %s", c.ClockState, c.Status)
		}
		doc := want(t, z.get(cp), 200)
		wantText(t, doc, "#documenti-richiedente", "contratto.pdf")
		wantText(t, doc, "#storia ~ ol", "Risposta del richiedente")
	})
	t.Run("Message", func(t *testing.T) {
		doc := want(t, z.postMultipart(cp+"/messaggi", url.Values{"message": {""}}), 422)
		wantText(t, doc, "#message-errore", "messaggio")
		wantRedirect(t, z.postMultipart(cp+"/messaggi", url.Values{"message": {"Quando arriva il contributo?"}}), cp)
		doc = want(t, z.get(cp), 200)
		wantText(t, doc, "#messaggi ~ ol", "Dal richiedente", "Quando arriva il contributo?", "protocollo")
		doc = want(t, newDesk(t, e.env, e.h, op).get(fmt.Sprintf("/ufficio/pratiche/%d", id)), 200)
		wantText(t, doc, "#messaggi ~ ol", "Quando arriva il contributo?")
		want(t, newDesk(t, e.env, e.h, lucia).postMultipart(cp+"/messaggi", url.Values{"message": {"x"}}), 404)
	})
	t.Run("SubstituteNotOverdue", func(t *testing.T) {
		doc := want(t, z.post(cp+"/potere-sostitutivo", nil), 409)
		wantText(t, doc, "main .alert-danger", "non è scaduto")
	})
}

func TestMyCaseWithdrawAndSubstitute(t *testing.T) {
	e := newCaseEnv(t)
	_, _, _, _, mario, lucia, _, _ := e.who()
	r := e.submit(t)
	late := e.submit(t)
	cp := fmt.Sprintf("/pratiche/%d", r.Case.ID)
	z := newDesk(t, e.env, e.h, mario)

	doc := want(t, z.post(cp+"/rinuncia", url.Values{"reason": {"Ho trovato lavoro."}}), 422)
	wantText(t, doc, "#withdraw-confirm-errore", "Conferma")
	if v := doc.Find("#withdraw-reason").Text(); v != "Ho trovato lavoro." {
		t.Errorf("reason not kept: %q", v)
	}
	want(t, newDesk(t, e.env, e.h, lucia).post(cp+"/rinuncia", url.Values{"conferma": {"si"}}), 404)
	wantRedirect(t, z.post(cp+"/rinuncia", url.Values{"reason": {"Ho trovato lavoro."}, "conferma": {"si"}}), cp)
	c := e.find(t, r.Case.ID)
	if c.Status != procedo.CaseWithdrawn || c.ClosedAt == nil {
		t.Fatalf("case %s", c.Status)
	}
	doc = want(t, z.get(cp), 200)
	wantText(t, doc, "#esito ~ p", "Ritirata")
	doc = want(t, z.post(cp+"/rinuncia", url.Values{"conferma": {"si"}}), 409)
	wantText(t, doc, "main .alert-danger", "rinuncia non si può presentare online")

	// The other case runs past its term: the applicant may call the substitute power.
	e.days(70)
	z = newDesk(t, e.env, e.h, mario) // a new session: the old one expired with the clock
	lp := fmt.Sprintf("/pratiche/%d", late.Case.ID)
	doc = want(t, z.get(lp), 200)
	wantText(t, doc, "#termine-sintesi", "Scaduto il 02/05/2026")
	wantText(t, doc, "#modulo-substitute", "Il Segretario comunale")
	doc = want(t, z.post(lp+"/potere-sostitutivo", url.Values{"message": {strings.Repeat("x", procedo.MaxReasonLength+1)}}), 422)
	wantText(t, doc, "#substitute-message-errore", "4000")
	wantRedirect(t, z.post(lp+"/potere-sostitutivo", url.Values{"message": {"Attendo da oltre due mesi."}}), lp)
	doc = want(t, z.get(lp), 200)
	wantText(t, doc, "#modulo-substitute", "deve concludere il procedimento entro")
	doc = want(t, z.post(lp+"/potere-sostitutivo", nil), 409)
	wantText(t, doc, "main .alert-danger", "Hai già chiesto")
}

func TestOutboxPage(t *testing.T) {
	e := newCaseEnv(t)
	op, _, admin, _, mario, _, _, _ := e.who()
	adminB := actor{"admin B", e.env.B, e.env.B.Admin, nil}
	testkit.MustSubmit(t, e.env.DB, e.env.A, testkit.Mario)
	outbox := sqlstore.NewOutboxService(e.env.DB)
	msgs, _, err := outbox.FindMailMessages(e.env.A.As(procedo.SystemActor), procedo.MailFilter{})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%v %v", msgs, err)
	}
	if err := outbox.MarkMailMessage(e.env.A.As(procedo.SystemActor), msgs[0].ID, procedo.MailQueued, "dial tcp: connection refused"); err != nil {
		t.Fatal(err)
	}
	d := newDesk(t, e.env, e.h, admin)
	doc := want(t, d.get("/ufficio/admin/posta"), 200)
	wantText(t, doc, "main table tbody", "mario.rossi@example.it", "Ricevuta", "In coda", "1", "connection refused", "/")
	doc = want(t, d.get("/ufficio/admin/posta?stato=sent"), 200)
	wantText(t, doc, "main", "Nessun messaggio")
	doc = want(t, d.get("/ufficio/admin/posta?stato=boh&pagina=x"), 422)
	wantText(t, doc, "#errori", "Stato di consegna sconosciuto", "pagina")
	doc = want(t, newDesk(t, e.env, e.h, adminB).get("/ufficio/admin/posta"), 200)
	wantText(t, doc, "main", "Nessun messaggio")
	want(t, newDesk(t, e.env, e.h, op).get("/ufficio/admin/posta"), 403)
	want(t, newDesk(t, e.env, e.h, mario).get("/ufficio/admin/posta"), 401)
	want(t, newDesk(t, e.env, e.h, actor{name: "anonimo"}).get("/ufficio/admin/posta"), 401)
}
