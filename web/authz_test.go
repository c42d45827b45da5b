// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/identity"
	"github.com/procedo/procedo/pdf"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
	"github.com/procedo/procedo/web"
)

// newHandler wires the web UI on the fixture database.
func newHandler(env *testkit.Env, demo bool) http.Handler {
	db := env.DB
	h := &web.Handler{Tenants: sqlstore.NewTenantService(db), Users: sqlstore.NewUserService(db), Sessions: sqlstore.NewSessionService(db),
		OrgUnits: sqlstore.NewOrgUnitService(db), Procedures: sqlstore.NewProcedureService(db), Applications: sqlstore.NewApplicationService(db),
		Cases: sqlstore.NewCaseService(db), Documents: sqlstore.NewDocumentService(db), Registrations: sqlstore.NewRegistrationService(db),
		Outbox: sqlstore.NewOutboxService(db), Audit: sqlstore.NewAuditService(db), Blobs: db.Blobs, Renderer: &pdf.Renderer{}, Demo: demo}
	h.DailyRegisters, h.Classifications, h.Segnatura = sqlstore.NewDailyRegisterService(db), sqlstore.NewClassificationService(db), testSegnatura(db)
	if demo {
		h.IdentityFor = web.StaticIdentity(&identity.Demo{Enabled: true, FormURL: "/accedi/demo/modulo"})
	}
	wireDrafts(h, db, demo)
	cases, outbox := sqlstore.NewCaseService(db), sqlstore.NewOutboxService(db)
	h.CaseWork, h.CaseCitizen, h.CaseNotes, h.CaseMessages, h.CaseWithdrawals, h.OutboxList = cases, cases, cases, cases, cases, outbox
	h.CaseOpinions = cases
	h.Init()
	return h.Routes()
}

// actor is who makes a request in a scenario: a session in a tenant, or nobody.
type actor struct {
	name    string
	comune  *testkit.Comune
	user    *procedo.User
	citizen *procedo.Citizen
}

func (a actor) session(t *testing.T, db *sqlstore.DB) *procedo.Session {
	if a.comune == nil || (a.user == nil && a.citizen == nil) {
		return nil
	}
	ctx := procedo.NewContextWithTenant(context.Background(), a.comune.Tenant)
	var uid *int64
	if a.user != nil {
		uid = &a.user.ID
	}
	s, err := sqlstore.NewSessionService(db).CreateSession(ctx, uid, a.citizen, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestAuthorization checks that every route refuses the wrong tenant and the
// wrong role, and serves the right one. Comune A's objects are requested with
// the Host of A (a.test) or of B (b.test): B's users get "not found".
func TestAuthorization(t *testing.T) {
	env := testkit.NewEnv(t)
	h := newHandler(env, true)
	r := testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	cid := r.Case.ID
	doc := r.Application.Documents[1].ID
	A, B := env.A, env.B
	anon := actor{name: "anonimo"}
	mario := actor{"Mario (A)", A, nil, testkit.Mario}
	lucia := actor{"Lucia (A)", A, nil, testkit.Lucia}
	marioB := actor{"Mario in B", B, nil, testkit.Mario}
	opA := actor{"operatore A", A, A.Operator, nil}
	regA := actor{"protocollo A", A, A.Registry, nil}
	adminA := actor{"admin A", A, A.Admin, nil}
	opB := actor{"operatore B", B, B.Operator, nil}
	adminB := actor{"admin B", B, B.Admin, nil}
	mgrB := actor{"dirigente B", B, B.Manager, nil}

	type scenario struct {
		method, path string
		form         url.Values
		who          actor
		status       int
	}
	// Mario's draft of an application, with a pagoPA notice.
	if err := testkit.Exec(env.DB, `UPDATE tenants SET fiscal_code = ? WHERE id = ?`, "01199250158", A.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	draft := &procedo.ApplicationDraft{ProcedureVersionID: A.Version.ID, PrivacyAcceptedAt: &time.Time{}}
	if err := sqlstore.NewDraftService(env.DB, sqlstore.NewPaymentService(env.DB)).CreateDraft(A.AsCitizen(testkit.Mario), draft); err != nil {
		t.Fatal(err)
	}
	notice := &procedo.PaymentNotice{ApplicationDraftID: &draft.ID, Amount: 1600, Causale: "Diritti", PayerFiscalCode: testkit.Mario.FiscalCode, PayerName: "Mario Rossi"}
	if err := sqlstore.NewPaymentService(env.DB).CreateNotice(A.As(procedo.SystemActor), notice); err != nil {
		t.Fatal(err)
	}
	// A fee the office asked for on Mario's case.
	caseNotice, err := sqlstore.NewPaymentService(env.DB).RequestCasePayment(A.AsUser(A.Operator), cid,
		procedo.CasePaymentRequest{Description: "Diritti di copia", Amount: 250, Causale: "Diritti di copia"})
	if err != nil {
		t.Fatal(err)
	}
	pa := fmt.Sprintf("/pratiche/%d/avvisi/%d", cid, caseNotice.ID)
	payReq := url.Values{"description": {"Diritti"}, "amount": {"2,50"}, "causale": {"Diritti"}}
	dp := fmt.Sprintf("/domande/%d", draft.ID)
	av := fmt.Sprintf("%s/avvisi/%d", dp, notice.ID)
	pc := fmt.Sprintf("/pratiche/%d", cid)
	uc := fmt.Sprintf("/ufficio/pratiche/%d", cid)
	ue := fmt.Sprintf("/ufficio/admin/utenti/%d", A.Operator.ID)
	uo := fmt.Sprintf("/ufficio/admin/uffici/%d", A.Office.ID)
	dl := fmt.Sprintf("/documenti/%d", doc)
	ra := fmt.Sprintf("/ufficio/protocollo/%d/%d/riassegnazione", r.Registration.Year, r.Registration.Number)
	office := url.Values{"office": {fmt.Sprint(A.Office.ID)}}
	// Two opinions on the case: one asked of A's technical office, one of
	// another administration.
	tec := &procedo.OrgUnit{Code: "TEC", Name: "Ufficio Tecnico"}
	if err := sqlstore.NewOrgUnitService(env.DB).CreateOrgUnit(A.As(procedo.SystemActor), tec); err != nil {
		t.Fatal(err)
	}
	opinions := sqlstore.NewCaseService(env.DB)
	opInt, err := opinions.RequestOpinion(A.AsUser(A.Operator), cid, procedo.OpinionRequest{OrgUnitID: tec.ID, Question: "Conforme?", DocumentIDs: []int64{doc}})
	if err != nil {
		t.Fatal(err)
	}
	opExt, err := opinions.RequestOpinion(A.AsUser(A.Operator), cid, procedo.OpinionRequest{ExternalName: "ASL", ExternalEmail: "asl@example.it", Question: "Parere?"})
	if err != nil {
		t.Fatal(err)
	}
	pi, pe := fmt.Sprintf("/ufficio/pareri/%d", opInt.ID), fmt.Sprintf("/ufficio/pareri/%d", opExt.ID)
	ask := url.Values{"destinatario": {"ufficio"}, "org_unit_id": {fmt.Sprint(tec.ID)}, "question": {"x"}}
	give := url.Values{"outcome": {"favourable"}}
	scenarios := []scenario{
		{"GET", "/", nil, anon, 200},
		{"GET", "/servizi/accesso-documentale", nil, anon, 200},
		{"GET", "/servizi/accesso-documentale/domanda", nil, anon, 303},
		{"GET", "/servizi/accesso-documentale/domanda", nil, mario, 200},
		{"POST", "/servizi/accesso-documentale/domanda", url.Values{}, anon, 401},
		{"POST", "/servizi/accesso-documentale/domanda", url.Values{}, opA, 401},
		{"POST", "/servizi/accesso-documentale/domanda", url.Values{}, mario, 422},
		{"GET", dp, nil, mario, 303},
		{"GET", dp, nil, anon, 401},
		{"GET", dp, nil, opA, 401},
		{"GET", dp, nil, lucia, 404},
		{"GET", dp, nil, marioB, 404},
		{"GET", dp + "/richiedente", nil, mario, 200},
		{"GET", dp + "/richiedente", nil, lucia, 404},
		{"GET", dp + "/richiedente", nil, marioB, 404},
		{"GET", dp + "/riepilogo", nil, adminA, 401},
		{"GET", dp + "/volare", nil, mario, 404},
		{"POST", dp + "/richiedente", url.Values{"azione": {"avanti"}, "applicant.email": {"x@example.it"}}, lucia, 404},
		{"POST", dp + "/richiedente", url.Values{"azione": {"avanti"}}, marioB, 404},
		{"POST", dp + "/richiedente", url.Values{"azione": {"avanti"}}, anon, 401},
		{"POST", dp + "/richiedente", url.Values{"azione": {"avanti"}}, opA, 401},
		{"POST", dp + "/invia", url.Values{}, lucia, 404},
		{"POST", dp + "/invia", url.Values{}, marioB, 404},
		{"POST", dp + "/invia", url.Values{}, regA, 401},
		{"POST", dp + "/elimina", url.Values{}, lucia, 404},
		{"POST", dp + "/elimina", url.Values{}, marioB, 404},
		{"POST", dp + "/elimina", url.Values{}, anon, 401},
		{"GET", av, nil, mario, 200},
		{"GET", av, nil, lucia, 404},
		{"GET", av, nil, marioB, 404},
		{"GET", av, nil, opA, 401},
		{"POST", av + "/paga", url.Values{}, lucia, 404},
		{"POST", av + "/paga", url.Values{}, marioB, 404},
		{"POST", av + "/paga", url.Values{}, anon, 401},
		{"POST", av + "/paga", url.Values{}, mario, 303},
		{"GET", "/pagamenti/esito", nil, anon, 401},
		{"GET", "/pagamenti/esito?esito=falso", nil, mario, 422},
		{"GET", "/pagamenti/demo?t=falso", nil, anon, 400},
		{"GET", "/pratiche", nil, mario, 200},
		{"GET", pc, nil, mario, 200},
		{"GET", pc, nil, anon, 401},
		{"GET", pc, nil, lucia, 404},
		{"GET", pc, nil, marioB, 404},
		{"GET", pc + "/ricevuta", nil, mario, 200},
		{"GET", pc + "/ricevuta", nil, lucia, 404},
		{"GET", pc + "/ricevuta.pdf", nil, marioB, 404},
		{"GET", pc + "/ricevuta.pdf", nil, opB, 404},
		{"GET", dl, nil, mario, 200},
		{"GET", dl, nil, anon, 401},
		{"GET", dl, nil, lucia, 404},
		{"GET", dl, nil, opB, 404},
		{"GET", dl, nil, adminB, 404},
		{"GET", "/ufficio", nil, opA, 200},
		{"GET", "/ufficio", nil, anon, 303},
		{"GET", uc, nil, opA, 200},
		{"GET", uc, nil, anon, 401},
		{"GET", uc, nil, mario, 401},
		{"GET", uc, nil, regA, 404},
		{"GET", uc, nil, opB, 404},
		{"GET", uc, nil, mgrB, 404},
		{"POST", uc + "/azioni/accept", url.Values{}, adminA, 403},
		{"POST", uc + "/azioni/accept", url.Values{}, mario, 401},
		{"POST", uc + "/azioni/accept", url.Values{}, mgrB, 404},
		{"POST", uc + "/azioni/accept", url.Values{}, opB, 404},
		{"POST", uc + "/azioni/volare", url.Values{}, opA, 404},
		// Case work: worklists, actions, drafts, notes, messages, outbox.
		{"GET", "/ufficio?vista=scadute&q=Rossi&ordine=scadenza", nil, opA, 200},
		{"GET", "/ufficio?vista=nessuna", nil, opA, 422},
		{"GET", uc + "/azioni/reject", nil, opA, 200},
		{"GET", uc + "/azioni/reject", nil, adminA, 403},
		{"GET", uc + "/azioni/reject", nil, opB, 404},
		{"GET", uc + "/azioni/reject", nil, mario, 401},
		{"POST", uc + "/responsabile", url.Values{"user_id": {fmt.Sprint(A.Manager.ID)}}, opA, 403},
		{"POST", uc + "/responsabile", url.Values{"user_id": {fmt.Sprint(B.Operator.ID)}}, mgrB, 404},
		{"POST", uc + "/responsabile", url.Values{"user_id": {fmt.Sprint(A.Operator.ID)}}, mario, 401},
		{"POST", uc + "/bozze", url.Values{"transition": {"reject"}, "reason": {"x"}}, adminA, 403},
		{"POST", uc + "/bozze", url.Values{"transition": {"reject"}, "reason": {"x"}}, opB, 404},
		{"POST", uc + "/bozze/999/approva", url.Values{}, opB, 404},
		{"POST", uc + "/bozze/999/approva", url.Values{}, mario, 401},
		{"POST", uc + "/bozze/999/restituisci", url.Values{"note": {"x"}}, mgrB, 404},
		{"POST", uc + "/proroghe", url.Values{"extension": {"0"}}, adminA, 403},
		{"POST", uc + "/proroghe", url.Values{"extension": {"0"}}, opB, 404},
		{"POST", uc + "/attestazione", url.Values{}, adminA, 403},
		{"POST", uc + "/attestazione", url.Values{}, opB, 404},
		{"POST", uc + "/note", url.Values{"note": {"x"}}, regA, 404},
		{"POST", uc + "/note", url.Values{"note": {"x"}}, opB, 404},
		{"POST", uc + "/note", url.Values{"note": {"x"}}, mario, 401},
		{"POST", uc + "/messaggi", url.Values{"message": {"x"}}, adminA, 403},
		{"POST", uc + "/messaggi", url.Values{"message": {"x"}}, opB, 404},
		// Fees of a case: the office of the case asks, its applicant pays.
		{"POST", uc + "/pagamenti", payReq, adminA, 403},
		{"POST", uc + "/pagamenti", payReq, regA, 404},
		{"POST", uc + "/pagamenti", payReq, opB, 404},
		{"POST", uc + "/pagamenti", payReq, mgrB, 404},
		{"POST", uc + "/pagamenti", payReq, mario, 401},
		{"POST", uc + "/pagamenti", payReq, anon, 401},
		{"GET", pa, nil, mario, 200},
		{"GET", pa, nil, lucia, 404},
		{"GET", pa, nil, marioB, 404},
		{"GET", pa, nil, opA, 401},
		{"GET", pa, nil, anon, 401},
		{"POST", pa + "/paga", url.Values{}, lucia, 404},
		{"POST", pa + "/paga", url.Values{}, marioB, 404},
		{"POST", pa + "/paga", url.Values{}, opA, 401},
		{"POST", pa + "/paga", url.Values{}, anon, 401},
		{"POST", pa + "/paga", url.Values{}, mario, 303},
		{"POST", "/ufficio/pratiche/assegnazione", url.Values{"ids": {fmt.Sprint(cid)}, "user_id": {fmt.Sprint(A.Operator.ID)}}, opA, 403},
		{"POST", "/ufficio/pratiche/assegnazione", url.Values{"ids": {fmt.Sprint(cid)}, "user_id": {fmt.Sprint(B.Operator.ID)}}, mgrB, 404},
		{"POST", "/ufficio/pratiche/sollecito", url.Values{"ids": {fmt.Sprint(cid)}, "message": {"x"}}, opA, 403},
		{"POST", "/ufficio/pratiche/sollecito", url.Values{"ids": {fmt.Sprint(cid)}, "message": {"x"}}, mgrB, 404},
		{"GET", "/ufficio/admin/posta", nil, adminA, 200},
		{"GET", "/ufficio/admin/posta", nil, opA, 403},
		{"GET", "/ufficio/admin/posta", nil, mario, 401},
		{"POST", pc + "/risposta", url.Values{"kind": {"integration"}, "message": {"x"}}, lucia, 404},
		{"POST", pc + "/risposta", url.Values{"kind": {"integration"}, "message": {"x"}}, marioB, 404},
		{"POST", pc + "/risposta", url.Values{"kind": {"integration"}, "message": {"x"}}, opA, 401},
		{"POST", pc + "/messaggi", url.Values{"message": {"x"}}, lucia, 404},
		{"POST", pc + "/messaggi", url.Values{"message": {"x"}}, marioB, 404},
		{"POST", pc + "/messaggi", url.Values{"message": {"x"}}, anon, 401},
		{"POST", pc + "/potere-sostitutivo", url.Values{}, lucia, 404},
		{"POST", pc + "/potere-sostitutivo", url.Values{}, opA, 401},
		{"POST", pc + "/attestazione", url.Values{}, lucia, 404},
		{"POST", pc + "/attestazione", url.Values{}, marioB, 404},
		{"POST", pc + "/rinuncia", url.Values{"conferma": {"si"}}, lucia, 404},
		{"POST", pc + "/rinuncia", url.Values{"conferma": {"si"}}, marioB, 404},
		{"POST", pc + "/rinuncia", url.Values{"conferma": {"si"}}, opA, 401},
		{"GET", "/ufficio/admin/uffici", nil, adminA, 200},
		{"GET", "/ufficio/admin/uffici", nil, opA, 403},
		{"GET", "/ufficio/admin/uffici", nil, mario, 401},
		{"POST", "/ufficio/admin/uffici", url.Values{"code": {"X1"}, "name": {"Nuovo"}}, opA, 403},
		{"POST", uo, url.Values{"name": {"Rinominato"}}, adminB, 404},
		{"POST", uo, url.Values{"name": {"Rinominato"}}, opA, 403},
		{"GET", "/ufficio/admin/utenti", nil, adminA, 200},
		{"GET", "/ufficio/admin/utenti", nil, regA, 403},
		{"POST", "/ufficio/admin/utenti", url.Values{"username": {"intruso"}, "password": {"password-lunga-1"}, "roles": {"admin"}}, opA, 403},
		{"GET", ue, nil, adminA, 200},
		{"GET", ue, nil, adminB, 404},
		{"POST", ue, url.Values{"roles": {"admin"}}, adminB, 404},
		{"POST", ue, url.Values{"roles": {"admin"}}, opA, 403},
		{"GET", "/ufficio/admin/titolario", nil, adminA, 200},
		{"GET", "/ufficio/admin/titolario", nil, opA, 403},
		{"GET", "/ufficio/admin/titolario", nil, mario, 401},
		{"POST", "/ufficio/admin/titolario", url.Values{"code": {"XV"}, "title": {"Locale"}}, opA, 403},
		{"POST", "/ufficio/admin/titolario", url.Values{"code": {"VII.99"}, "parent_code": {"VI"}, "title": {"x"}}, adminA, 422},
		{"POST", "/ufficio/admin/titolario/modifica", url.Values{"code": {"I.1"}, "title": {"x"}, "active": {"1"}}, regA, 403},
		{"POST", "/ufficio/admin/titolario/modifica", url.Values{"code": {"NESSUNO"}, "title": {"x"}}, adminA, 404},
		// Reassigning a registration: the registry desk of the tenant only
		// (this one was not sent back by an office, so even the desk gets 409).
		{"POST", ra, office, regA, 409},
		{"POST", ra, office, opA, 403},
		{"POST", ra, office, adminA, 403},
		{"POST", ra, office, mario, 401},
		{"POST", ra, office, anon, 401},
		{"POST", ra, office, opB, 404},
		{"POST", ra, office, adminB, 404},
		// Opinions: asked by the case's office; given by the office asked,
		// or recorded by the registry desk for another administration.
		{"POST", uc + "/pareri", ask, adminA, 403},
		{"POST", uc + "/pareri", ask, regA, 404},
		{"POST", uc + "/pareri", ask, opB, 404},
		{"POST", uc + "/pareri", ask, mgrB, 404},
		{"POST", uc + "/pareri", ask, mario, 401},
		{"POST", uc + "/pareri", ask, anon, 401},
		{"POST", uc + "/pareri", url.Values{"destinatario": {"ufficio"}}, opA, 422},
		{"GET", "/ufficio/pareri", nil, opA, 200},
		{"GET", "/ufficio/pareri?elenco=esterni", nil, regA, 200},
		{"GET", "/ufficio/pareri?elenco=da-rendere", nil, regA, 422},
		{"GET", "/ufficio/pareri", nil, opB, 200},
		{"GET", "/ufficio/pareri", nil, mario, 401},
		{"GET", "/ufficio/pareri", nil, anon, 401},
		{"GET", pi, nil, opA, 200},
		{"GET", pi, nil, regA, 404},
		{"GET", pi, nil, opB, 404},
		{"GET", pi, nil, mgrB, 404},
		{"GET", pi, nil, mario, 401},
		{"GET", pe, nil, regA, 200},
		{"GET", pe, nil, opB, 404},
		{"POST", pi + "/risposta", give, opA, 403},
		{"POST", pi + "/risposta", give, adminA, 403},
		{"POST", pi + "/risposta", give, regA, 404},
		{"POST", pi + "/risposta", give, opB, 404},
		{"POST", pi + "/risposta", give, mgrB, 404},
		{"POST", pi + "/risposta", give, mario, 401},
		{"POST", pe + "/risposta", give, adminA, 403},
		{"POST", pe + "/risposta", give, opB, 404},
		{"POST", pe + "/risposta", give, mario, 401},
		{"GET", fmt.Sprintf("%s/documenti/%d", pi, doc), nil, opA, 200},
		{"GET", fmt.Sprintf("%s/documenti/%d", pi, doc), nil, regA, 404},
		{"GET", fmt.Sprintf("%s/documenti/%d", pi, doc), nil, opB, 404},
		{"GET", fmt.Sprintf("%s/documenti/%d", pi, doc), nil, mario, 401},
		{"GET", fmt.Sprintf("%s/documenti/%d", pe, doc), nil, regA, 404},
		{"GET", "/demo/posta", nil, anon, 200},
		{"GET", "/nessuna/pagina", nil, anon, 404},
	}
	for _, s := range scenarios {
		t.Run(s.method+" "+s.path+" as "+s.who.name, func(t *testing.T) {
			sess := s.who.session(t, env.DB)
			var body io.Reader
			if s.form != nil {
				f := url.Values{}
				for k, v := range s.form {
					f[k] = v
				}
				if sess != nil {
					f.Set("csrf_token", sess.CSRFToken)
				} else {
					f.Set("csrf_token", "anon-token-0123456789012345678901234567890")
				}
				body = strings.NewReader(f.Encode())
			}
			req := httptest.NewRequest(s.method, s.path, body)
			req.Host = "a.test"
			if s.who.comune == B {
				req.Host = "b.test"
			}
			if s.form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if sess == nil {
					req.AddCookie(&http.Cookie{Name: "procedo_csrf", Value: "anon-token-0123456789012345678901234567890"})
				}
			}
			if sess != nil {
				req.AddCookie(&http.Cookie{Name: "procedo_session", Value: sess.Token})
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != s.status {
				t.Fatalf("status %d, want %d\n%.1500s", rec.Code, s.status, rec.Body.String())
			}
		})
	}
	// Nothing was changed by the refused requests.
	c, err := sqlstore.NewCaseService(env.DB).FindCaseByID(A.AsUser(A.Operator), cid)
	if err != nil || c.Status != procedo.CaseSubmitted {
		t.Fatalf("case changed: %v %v", c, err)
	}
	if c.ResponsibleUserID != nil {
		t.Fatalf("case assigned: %v", *c.ResponsibleUserID)
	}
	notes, err := sqlstore.NewCaseService(env.DB).FindCaseNotes(A.AsUser(A.Operator), cid)
	msgs, err2 := sqlstore.NewCaseService(env.DB).FindCaseMessages(A.AsUser(A.Operator), cid)
	if len(notes) != 0 || len(msgs) != 0 || err != nil || err2 != nil {
		t.Fatalf("notes %v, messages %v: %v %v", notes, msgs, err, err2)
	}
	if fees, err := sqlstore.NewPaymentService(env.DB).FindCasePayments(A.AsUser(A.Operator), cid); err != nil || len(fees) != 1 ||
		fees[0].Status != procedo.PaymentUnpaid {
		t.Fatalf("case payments changed: %v %v", fees, err)
	}
	for _, o := range []*procedo.CaseOpinion{opInt, opExt} {
		if f, err := opinions.FindOpinionByID(A.AsUser(A.Operator), o.ID); err != nil || !f.Opinion.Pending() {
			t.Fatalf("opinion %d changed: %+v %v", o.ID, f, err)
		}
	}
	if n, _ := testkit.Count(env.DB, "case_opinions"); n != 2 {
		t.Fatalf("%d opinions", n)
	}
	units, _ := sqlstore.NewOrgUnitService(env.DB).FindOrgUnits(A.AsUser(A.Admin))
	if len(units) != 2 || units[0].Name != "Ufficio Segreteria" { // and the technical office of the opinions
		t.Fatalf("offices changed: %v", units)
	}
	if _, n, _ := sqlstore.NewUserService(env.DB).FindUsers(A.AsUser(A.Admin), procedo.UserFilter{}); n != 4 {
		t.Fatalf("users changed: %d", n)
	}
	if d, err := sqlstore.NewDraftService(env.DB, nil).FindDraftByID(A.AsCitizen(testkit.Mario), draft.ID); err != nil || d.Applicant.Email != testkit.Mario.Email {
		t.Fatalf("draft changed: %+v %v", d, err)
	}
}

// TestDemoProviderRefusedOutsideDemo: a server not in demo mode offers no DEMO login.
func TestDemoProviderRefusedOutsideDemo(t *testing.T) {
	env := testkit.NewEnv(t)
	h := newHandler(env, false)
	for _, p := range []string{"/accedi/demo", "/accedi/demo/modulo", "/demo/posta", "/pagamenti/demo", "/pagamenti/esito?esito=x"} {
		req := httptest.NewRequest("GET", p, nil)
		req.Host = "a.test"
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, rec.Code)
		}
	}
	req := httptest.NewRequest("POST", "/accedi/demo/callback", strings.NewReader("csrf_token=x&given_name=Mario&family_name=Rossi&fiscal_code=RSSMRA80A01H501U"))
	req.Host = "a.test"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "procedo_csrf", Value: "x"})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code == http.StatusSeeOther || rec.Code == http.StatusOK {
		t.Errorf("DEMO callback accepted outside demo mode: %d", rec.Code)
	}
}

func TestUnknownHost(t *testing.T) {
	env := testkit.NewEnv(t)
	h := newHandler(env, false)
	req := httptest.NewRequest("GET", "/", nil)
	req.Host = "sconosciuto.example"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Fatalf("%d", rec.Code)
	}
}
