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
	pc := fmt.Sprintf("/pratiche/%d", cid)
	uc := fmt.Sprintf("/ufficio/pratiche/%d", cid)
	ue := fmt.Sprintf("/ufficio/admin/utenti/%d", A.Operator.ID)
	uo := fmt.Sprintf("/ufficio/admin/uffici/%d", A.Office.ID)
	dl := fmt.Sprintf("/documenti/%d", doc)
	scenarios := []scenario{
		{"GET", "/", nil, anon, 200},
		{"GET", "/servizi/accesso-documentale", nil, anon, 200},
		{"GET", "/servizi/accesso-documentale/domanda", nil, anon, 303},
		{"GET", "/servizi/accesso-documentale/domanda", nil, mario, 200},
		{"POST", "/servizi/accesso-documentale/domanda", url.Values{}, anon, 401},
		{"POST", "/servizi/accesso-documentale/domanda", url.Values{}, opA, 401},
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
	units, _ := sqlstore.NewOrgUnitService(env.DB).FindOrgUnits(A.AsUser(A.Admin))
	if len(units) != 1 || units[0].Name != "Ufficio Segreteria" {
		t.Fatalf("offices changed: %v", units)
	}
	if _, n, _ := sqlstore.NewUserService(env.DB).FindUsers(A.AsUser(A.Admin), procedo.UserFilter{}); n != 4 {
		t.Fatalf("users changed: %d", n)
	}
}

// TestDemoProviderRefusedOutsideDemo: a server not in demo mode offers no DEMO login.
func TestDemoProviderRefusedOutsideDemo(t *testing.T) {
	env := testkit.NewEnv(t)
	h := newHandler(env, false)
	for _, p := range []string{"/accedi/demo", "/accedi/demo/modulo", "/demo/posta"} {
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
