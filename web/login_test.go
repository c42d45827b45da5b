// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/pdf"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
	"github.com/procedo/procedo/web"
)

// fakeIdP stands for a SPID/CIE provider: Start redirects to the provider
// with the state; Callback returns citizen and the state that came back
// (query for GET, form for POST). Package identity tests the protocols.
type fakeIdP struct {
	id       string
	startErr error
	citizen  *procedo.Citizen
	err      error
}

func (f *fakeIdP) ID() string    { return f.id }
func (f *fakeIdP) Label() string { return "Entra con " + f.id }
func (f *fakeIdP) Start(w http.ResponseWriter, r *http.Request, state string) error {
	if f.startErr != nil {
		return f.startErr
	}
	http.Redirect(w, r, "https://idp.example.it/auth?state="+url.QueryEscape(state), http.StatusSeeOther)
	return nil
}
func (f *fakeIdP) Callback(r *http.Request) (*procedo.Citizen, string, error) {
	if f.err != nil {
		return nil, "", f.err
	}
	c := *f.citizen
	return &c, r.FormValue("state"), nil
}
func (f *fakeIdP) Metadata() (string, []byte, error) {
	return "application/samlmetadata+xml", []byte("<EntityDescriptor/>"), nil
}

func newLoginHandler(env *testkit.Env, idps ...procedo.IdentityProvider) http.Handler {
	db := env.DB
	h := &web.Handler{Tenants: sqlstore.NewTenantService(db), Users: sqlstore.NewUserService(db), Sessions: sqlstore.NewSessionService(db),
		OrgUnits: sqlstore.NewOrgUnitService(db), Procedures: sqlstore.NewProcedureService(db), Applications: sqlstore.NewApplicationService(db),
		Cases: sqlstore.NewCaseService(db), Documents: sqlstore.NewDocumentService(db), Registrations: sqlstore.NewRegistrationService(db),
		Outbox: sqlstore.NewOutboxService(db), Audit: sqlstore.NewAuditService(db), Blobs: db.Blobs, Renderer: &pdf.Renderer{},
		IdentityFor: web.StaticIdentity(idps...), SecureCookies: true}
	h.Init()
	return h.Routes()
}

// loginRequest is one request of the browser in a.test.
func loginRequest(t *testing.T, h http.Handler, method, target string, form url.Values, cookies []*http.Cookie, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	req.Host = "a.test"
	for _, c := range cookies {
		req.AddCookie(c)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func cookieOf(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// startLogin begins a login and returns the state sent to the provider and
// the login cookie.
func startLogin(t *testing.T, h http.Handler, provider string) (string, *http.Cookie) {
	t.Helper()
	rec := loginRequest(t, h, "GET", "/accedi/"+provider+"?next=/pratiche", nil, nil, nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("start: %d %s", rec.Code, rec.Body)
	}
	loc, _ := url.Parse(rec.Header().Get("Location"))
	ck := cookieOf(rec, "procedo_login")
	if ck == nil || loc.Query().Get("state") == "" {
		t.Fatalf("no state: %v %v", loc, rec.Result().Cookies())
	}
	// Over HTTPS the cookie must come back with the IdP's cross-site POST.
	if ck.SameSite != http.SameSiteNoneMode || !ck.Secure || !ck.HttpOnly {
		t.Fatalf("login cookie %+v", ck)
	}
	return loc.Query().Get("state"), &http.Cookie{Name: ck.Name, Value: ck.Value}
}

func TestLogin_SPID(t *testing.T) {
	env := testkit.NewEnv(t)
	spid := &fakeIdP{id: "spid", citizen: &procedo.Citizen{FiscalCode: testkit.Mario.FiscalCode, GivenName: "Mario", FamilyName: "Rossi"}}
	h := newLoginHandler(env, spid)
	crossSite := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://idp.example.it"}

	t.Run("OIDC return with GET", func(t *testing.T) {
		state, ck := startLogin(t, h, "spid")
		rec := loginRequest(t, h, "GET", "/accedi/spid/callback?code=x&state="+url.QueryEscape(state), nil, []*http.Cookie{ck}, crossSite)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/pratiche" || cookieOf(rec, "procedo_session") == nil {
			t.Fatalf("callback: %d %v %s", rec.Code, rec.Header(), rec.Body)
		}
	})

	t.Run("SAML POST to the ACS, cross-site", func(t *testing.T) {
		state, ck := startLogin(t, h, "spid")
		rec := loginRequest(t, h, "POST", "/accedi/spid/acs", url.Values{"state": {state}, "SAMLResponse": {"…"}}, []*http.Cookie{ck}, crossSite)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/pratiche" || cookieOf(rec, "procedo_session") == nil {
			t.Fatalf("acs: %d %v %s", rec.Code, rec.Header(), rec.Body)
		}
	})

	t.Run("WrongState", func(t *testing.T) {
		_, ck := startLogin(t, h, "spid")
		rec := loginRequest(t, h, "GET", "/accedi/spid/callback?state=altro", nil, []*http.Cookie{ck}, nil)
		if rec.Code != http.StatusForbidden || cookieOf(rec, "procedo_session") != nil {
			t.Fatalf("got %d", rec.Code)
		}
		rec = loginRequest(t, h, "POST", "/accedi/spid/acs", url.Values{"state": {"altro"}}, []*http.Cookie{ck}, crossSite)
		if rec.Code != http.StatusForbidden || cookieOf(rec, "procedo_session") != nil {
			t.Fatalf("got %d", rec.Code)
		}
	})

	t.Run("NoLoginCookie", func(t *testing.T) {
		state, _ := startLogin(t, h, "spid")
		rec := loginRequest(t, h, "GET", "/accedi/spid/callback?state="+url.QueryEscape(state), nil, nil, nil)
		if rec.Code != http.StatusForbidden {
			t.Fatalf("got %d", rec.Code)
		}
	})

	t.Run("OtherPOSTsStayProtected", func(t *testing.T) {
		// Only the ACS is open to cross-site posts: the form-token callback is not.
		state, ck := startLogin(t, h, "spid")
		rec := loginRequest(t, h, "POST", "/accedi/spid/callback", url.Values{"state": {state}}, []*http.Cookie{ck}, crossSite)
		if rec.Code != http.StatusForbidden || cookieOf(rec, "procedo_session") != nil {
			t.Fatalf("got %d", rec.Code)
		}
	})

	t.Run("Metadata", func(t *testing.T) {
		rec := loginRequest(t, h, "GET", "/accedi/spid/metadata", nil, nil, nil)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/samlmetadata+xml" {
			t.Fatalf("got %d %v", rec.Code, rec.Header())
		}
		if rec := loginRequest(t, h, "GET", "/accedi/cie/metadata", nil, nil, nil); rec.Code != http.StatusNotFound {
			t.Fatalf("unknown provider: %d", rec.Code)
		}
	})
}

func TestLogin_ProviderErrorsOnLoginPage(t *testing.T) {
	env := testkit.NewEnv(t)
	down := &fakeIdP{id: "cie", startErr: procedo.Errorf(procedo.EUNAVAILABLE, "Il servizio «Entra con CIE» non risponde in questo momento.")}
	refused := &fakeIdP{id: "spid", err: procedo.Errorf(procedo.EUNAUTHORIZED, "Il codice fiscale comunicato dal gestore dell'identità non è valido.")}
	h := newLoginHandler(env, down, refused)

	rec := loginRequest(t, h, "GET", "/accedi/cie", nil, nil, nil)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "non risponde in questo momento") ||
		!strings.Contains(rec.Body.String(), `href="/accedi/spid?`) {
		t.Fatalf("provider down: %d %s", rec.Code, rec.Body)
	}

	state, ck := startLogin(t, h, "spid")
	rec = loginRequest(t, h, "GET", "/accedi/spid/callback?state="+url.QueryEscape(state), nil, []*http.Cookie{ck}, nil)
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "codice fiscale comunicato") || cookieOf(rec, "procedo_session") != nil {
		t.Fatalf("refused: %d %s", rec.Code, rec.Body)
	}
}
