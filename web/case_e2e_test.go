// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/testkit"
)

// TestCaseEndToEnd follows one case of the contributo economico through the
// web UI, on the database of PROCEDO_TEST_DB: the application is submitted,
// the operator takes it and sends the start notice, asks for integrations
// (the term stands still, the citizen sees the request), the citizen answers
// with a file (the term runs again, the due date moved by the length of the
// suspension), the operator drafts the decision, the manager approves it and
// the citizen downloads it.
func TestCaseEndToEnd(t *testing.T) {
	e := newCaseEnv(t)
	A := e.env.A
	op, mgr, _, _, mario, _, _, _ := e.who()

	// 1. Monday 2 March 2026: Mario applies. Term 60 days: 1 May is a
	// holiday, so the due date is Saturday 2 May.
	r := e.submit(t)
	id := r.Case.ID
	cp, up := fmt.Sprintf("/pratiche/%d", id), fmt.Sprintf("/ufficio/pratiche/%d", id)
	if got := r.Case.DueDate.String(); got != "2026-05-02" {
		t.Fatalf("due date %s", got)
	}

	// 2. The operator finds it among the new cases and takes it.
	o := newDesk(t, e.env, e.h, op)
	doc := want(t, o.get("/ufficio?vista=nuove"), 200)
	wantText(t, doc, "main table tbody", fmt.Sprintf("n. %d", id), "Mario Rossi", "Prendi in carico")
	wantRedirect(t, o.post(up+"/responsabile", url.Values{"user_id": {fmt.Sprint(A.Operator.ID)}}), up)

	// 3. The start notice (art. 8), from the model's text.
	doc = want(t, o.get(up+"/azioni/start"), 200)
	text := doc.Find("#text").Text()
	if !strings.Contains(text, "Utente operatore") || !strings.Contains(text, "02/05/2026") {
		t.Fatalf("start notice text: %q", text)
	}
	wantRedirect(t, o.post(up+"/azioni/start", url.Values{"editor": {"1"}, "text": {text}}), up)

	// 4. Two days later, the integration request: the term stands still.
	e.days(2)
	o = newDesk(t, e.env, e.h, op)
	wantRedirect(t, o.post(up+"/azioni/request_integration", url.Values{"reason": {"Manca il contratto di affitto registrato."}}), up)
	c := e.find(t, id)
	if c.Status != procedo.CaseSuspended || c.ClockState != procedo.ClockSuspended || c.Waiting != procedo.WaitingIntegration {
		t.Fatalf("after the request: %s %s %q", c.Status, c.ClockState, c.Waiting)
	}
	doc = want(t, o.get("/ufficio?vista=in-attesa"), 200)
	wantText(t, doc, "nav[aria-label='Elenchi di lavoro']", "In attesa 1")
	wantText(t, doc, "main table tbody", "sospesa")
	z := newDesk(t, e.env, e.h, mario)
	doc = want(t, z.get(cp), 200)
	wantText(t, doc, "#modulo-answer", "integrazioni richieste", "02/04/2026")
	wantText(t, doc, "#termine-sintesi", "Termine sospeso dal 04/03/2026")
	wantText(t, doc, "#documenti-atti", "comunicazione-avvio", "richiesta-integrazioni")
	wantText(t, doc, "#storia ~ ol", "Richiedi integrazioni", "Manca il contratto")

	// 5. Ten days later Mario answers with the contract: the term runs again,
	// ten days longer.
	e.days(10)
	z = newDesk(t, e.env, e.h, mario)
	wantRedirect(t, z.postMultipart(cp+"/risposta", url.Values{"kind": {"integration"}, "message": {"Allego il contratto registrato."}},
		file{"files", "contratto.pdf", []byte("%PDF-1.4\n% contratto di affitto\n")}), cp)
	c = e.find(t, id)
	term := procedo.Term{Start: r.Case.StartDate, Days: r.Case.TermDays, Calendar: procedo.Calendar{PatronDay: A.Tenant.PatronDay},
		Events: []procedo.ClockEvent{{Kind: procedo.ClockSuspend, Date: date(t, "2026-03-04")}, {Kind: procedo.ClockResume, Date: date(t, "2026-03-14")}}}
	st, err := term.Compute(date(t, "2026-03-14"))
	if err != nil {
		t.Fatal(err)
	}
	if c.ClockState != procedo.ClockRunning || c.Status != procedo.CaseInReview || c.DueDate != st.Due || !c.DueDate.After(r.Case.DueDate) {
		t.Fatalf("after the answer: %s %s due %s, want running, in_review, %s (was %s)", c.ClockState, c.Status, c.DueDate, st.Due, r.Case.DueDate)
	}
	if d := r.Case.DueDate.DaysUntil(c.DueDate); d < 10 {
		t.Fatalf("the due date moved by %d days, want at least the 10 of the suspension", d)
	}
	doc = want(t, z.get(cp), 200)
	wantText(t, doc, "#termine-sintesi", "Scade il "+st.Due.Italian())
	wantText(t, doc, "#documenti-richiedente", "contratto.pdf")
	if doc.Find("#modulo-answer").Length() != 0 {
		t.Fatal("the answer form is still there")
	}

	// 6. The operator prepares the decision; 7. the manager approves it.
	o = newDesk(t, e.env, e.h, op)
	wantRedirect(t, o.post(up+"/bozze", url.Values{"transition": {"accept"}, "reason": {"900 euro in un'unica soluzione."}}), up)
	m := newDesk(t, e.env, e.h, mgr)
	doc = want(t, m.get("/ufficio?vista=da-approvare"), 200)
	wantText(t, doc, "nav[aria-label='Elenchi di lavoro']", "Da approvare 1")
	doc = want(t, m.get(up), 200)
	approve, ok := doc.Find("#modulo-return form").First().Attr("action")
	if !ok {
		t.Fatal("no approval form")
	}
	wantRedirect(t, m.post(approve, nil), up)
	c = e.find(t, id)
	if c.Status != procedo.CaseAccepted || c.DecisionDocumentID == nil || c.DecisionRegistrationID == nil || c.Late {
		t.Fatalf("decided: %+v", c)
	}

	// 8. Mario downloads the decision.
	doc = want(t, z.get(cp), 200)
	wantText(t, doc, "#esito ~ p", "Contributo concesso", "900 euro")
	href, ok := doc.Find(`#esito ~ p a[href^="/documenti/"]`).Attr("href")
	if !ok || href != fmt.Sprintf("/documenti/%d", *c.DecisionDocumentID) {
		t.Fatalf("decision link %q", href)
	}
	rec := z.get(href)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/pdf" || !strings.HasPrefix(rec.Body.String(), "%PDF-") {
		t.Fatalf("decision download: %d %v", rec.Code, rec.Header())
	}
	// Another citizen may not.
	want(t, newDesk(t, e.env, e.h, actor{"Lucia (A)", A, nil, testkit.Lucia}).get(href), 404)
}

func date(t *testing.T, s string) procedo.Date {
	t.Helper()
	d, err := procedo.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
