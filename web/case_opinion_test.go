// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// TestCaseOpinionPages follows an opinion through the UI: the Segreteria asks
// the technical office on a contributo economico (whose model has a
// non-suspending consultation state, which the request enters), the office
// asked finds it in «Pareri», reads the case through it and answers with a
// file; the applicant sees the outcome only.
func TestCaseOpinionPages(t *testing.T) {
	e := newCaseEnv(t)
	op, _, _, reg, mario, _, opB, _ := e.who()
	A := e.env.A
	sys := A.As(procedo.SystemActor)
	tec := &procedo.OrgUnit{Code: "TEC", Name: "Ufficio Tecnico", Email: "tecnico@a.test"}
	if err := sqlstore.NewOrgUnitService(e.env.DB).CreateOrgUnit(sys, tec); err != nil {
		t.Fatal(err)
	}
	tecUser := &procedo.User{Username: "tecnico", FullName: "Tea Tecnico", Roles: []procedo.Role{procedo.RoleOperator}, OrgUnitID: &tec.ID}
	if err := sqlstore.NewUserService(e.env.DB).CreateUser(sys, tecUser, testkit.Password); err != nil {
		t.Fatal(err)
	}
	tecOp := actor{"operatore tecnico A", A, tecUser, nil}
	r := e.submit(t)
	id := r.Case.ID
	if _, err := e.cases.TransitionCase(A.AsUser(A.Operator), id, "start", ""); err != nil {
		t.Fatal(err)
	}
	isee := r.Application.Documents[1] // the attestazione ISEE
	page := fmt.Sprintf("/ufficio/pratiche/%d", id)
	desk := newDesk(t, e.env, e.h, op)

	t.Run("Form", func(t *testing.T) {
		doc := want(t, desk.get(page), 200)
		wantText(t, doc, "#pareri-sezione", "Nessun parere richiesto", "continua a decorrere")
		wantText(t, doc, "#opinion-office", "Ufficio Tecnico")
		if doc.Find("#opinion-office option:contains('Ufficio Segreteria')").Length() != 0 || doc.Find("#opinion-suspend").Length() != 0 {
			t.Fatal("own office or suspension offered")
		}
		if doc.Find(fmt.Sprintf("#opinion-doc-%d", isee.ID)).Length() != 1 {
			t.Fatal("the case's documents are not offered")
		}
	})
	t.Run("Invalid", func(t *testing.T) {
		doc := want(t, desk.post(page+"/pareri", url.Values{"destinatario": {"ufficio"}, "org_unit_id": {fmt.Sprint(tec.ID)}, "days": {"120"},
			"documents": {fmt.Sprint(isee.ID)}}), 422)
		wantText(t, doc, "#modulo-opinion", "Scrivi il quesito.", "da 1 a 90 giorni")
		if v, _ := doc.Find("#opinion-days").Attr("value"); v != "120" {
			t.Fatalf("days %q not kept", v)
		}
		if _, checked := doc.Find(fmt.Sprintf("#opinion-doc-%d", isee.ID)).Attr("checked"); !checked {
			t.Fatal("documents not kept")
		}
		doc = want(t, desk.post(page+"/pareri", url.Values{"destinatario": {"esterno"}, "question": {"x"}}), 422)
		wantText(t, doc, "#modulo-opinion", "Indica il nome dell'amministrazione.")
	})
	t.Run("Request", func(t *testing.T) {
		wantRedirect(t, desk.post(page+"/pareri", url.Values{"destinatario": {"ufficio"}, "org_unit_id": {fmt.Sprint(tec.ID)},
			"question": {"L'alloggio è conforme?"}, "days": {"10"}, "documents": {fmt.Sprint(isee.ID)}}), page+"#pareri")
		if c := e.find(t, id); c.Status != procedo.CaseConsultation || c.ClockState != procedo.ClockRunning {
			t.Fatalf("case %s %s: the model's ask_assessment should have been fired without suspending", c.Status, c.ClockState)
		}
		doc := want(t, desk.get(page), 200)
		wantText(t, doc, "#pareri-sezione", "Ufficio Tecnico", "Richiesto")
		wantText(t, doc, ".procedo-event", "Richiesta di parere")
	})
	ops, err := e.cases.FindCaseOpinions(A.AsUser(A.Operator), id)
	if err != nil || len(ops) != 1 {
		t.Fatalf("%v %v", ops, err)
	}
	o := ops[0]
	view := fmt.Sprintf("/ufficio/pareri/%d", o.ID)
	tecDesk := newDesk(t, e.env, e.h, tecOp)
	t.Run("OfficeAskedSeesIt", func(t *testing.T) {
		doc := want(t, tecDesk.get("/ufficio/pareri"), 200)
		wantText(t, doc, "nav[aria-label='Elenchi di pareri']", "Da rendere 1")
		if doc.Find(fmt.Sprintf("a[href='%s']", view)).Length() != 1 {
			t.Fatal("no link to the request")
		}
		doc = want(t, tecDesk.get(view), 200)
		wantText(t, doc, "main", "L'alloggio è conforme?", "Valore ISEE", "8500", "isee.pdf")
		if doc.Find("#modulo-risposta form").Length() != 1 {
			t.Fatal("no answer form")
		}
		if rec := tecDesk.get(fmt.Sprintf("%s/documenti/%d", view, isee.ID)); rec.Code != 200 || !strings.Contains(rec.Body.String(), "ISEE 2026") {
			t.Fatalf("document: %d", rec.Code)
		}
		want(t, tecDesk.get(page), 404)
		want(t, newDesk(t, e.env, e.h, opB).get(view), 404)
		want(t, newDesk(t, e.env, e.h, reg).get(view), 404)
		// The requesting office sees it but cannot answer for the office asked.
		doc = want(t, desk.get(view), 200)
		if doc.Find("#modulo-risposta").Length() != 0 {
			t.Fatal("answer form offered to the requesting office")
		}
	})
	t.Run("Answer", func(t *testing.T) {
		doc := want(t, tecDesk.postMultipart(view+"/risposta", url.Values{"outcome": {"unfavourable"}}), 422)
		wantText(t, doc, "#modulo-risposta", "Indica la motivazione del parere contrario.")
		wantRedirect(t, tecDesk.postMultipart(view+"/risposta", url.Values{"outcome": {"conditional"}, "text": {"Solo con il contratto registrato."}},
			file{"file", "sopralluogo.pdf", []byte("%PDF-1.4\n% sopralluogo\n")}), view)
		doc = want(t, tecDesk.get(view), 200)
		wantText(t, doc, "section[aria-labelledby='parere']", "Favorevole con prescrizioni", "Solo con il contratto registrato.")
		wantText(t, doc, "main", "sopralluogo.pdf")
		if doc.Find("#modulo-risposta").Length() != 0 || strings.Contains(doc.Find("main").Text(), "Valore ISEE") {
			t.Fatal("the office asked still reads the case or answers again")
		}
		want(t, tecDesk.get(fmt.Sprintf("%s/documenti/%d", view, isee.ID)), 404)
		doc = want(t, desk.get(page), 200)
		wantText(t, doc, "#pareri-sezione", "Reso", "Favorevole con prescrizioni")
		wantText(t, doc, "#documenti-pareri", "sopralluogo.pdf")
	})
	t.Run("Applicant", func(t *testing.T) {
		doc := want(t, newDesk(t, e.env, e.h, mario).get(fmt.Sprintf("/pratiche/%d", id)), 200)
		wantText(t, doc, "#pareri", "Pareri")
		wantText(t, doc, "main", "Ufficio Tecnico", "esito Favorevole con prescrizioni")
		if body := doc.Find("main").Text(); strings.Contains(body, "contratto registrato") || strings.Contains(body, "alloggio è conforme") ||
			strings.Contains(body, "sopralluogo.pdf") {
			t.Fatal("the applicant sees the question, the text or the file of the opinion")
		}
	})
	t.Run("ExternalOverdue", func(t *testing.T) {
		wantRedirect(t, desk.post(page+"/pareri", url.Values{"destinatario": {"esterno"}, "external_name": {"ASL Lecce"},
			"external_email": {"asl@example.it"}, "question": {"Parere sanitario"}, "days": {"1"}}), page)
		e.days(5) // sessions expire when idle: log in again
		doc := want(t, newDesk(t, e.env, e.h, op).get(page), 200)
		wantText(t, doc, "#pareri-sezione", "ASL Lecce (asl@example.it)", "Scaduto", "termine scaduto")
		doc = want(t, newDesk(t, e.env, e.h, reg).get("/ufficio/pareri?elenco=esterni"), 200)
		wantText(t, doc, "main table", "ASL Lecce", "Scaduto")
	})
}
