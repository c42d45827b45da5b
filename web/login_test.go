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

// sloIdP is a provider with single logout: the login's logout data is
// "sess-" and the fiscal code; Logout redirects to the provider with it and
// the state; LogoutReturn gives back the state of the query.
type sloIdP struct {
	fakeIdP
	logoutErr error
	logouts   []string // logout data Logout was called with
}

func (f *sloIdP) CallbackSession(r *http.Request) (*procedo.Citizen, string, string, error) {
	c, state, err := f.Callback(r)
	if err != nil {
		return nil, "", "", err
	}
	return c, state, "sess-" + c.FiscalCode, nil
}

func (f *sloIdP) Logout(w http.ResponseWriter, r *http.Request, logout, state string) error {
	f.logouts = append(f.logouts, logout)
	if f.logoutErr != nil {
		return f.logoutErr
	}
	http.Redirect(w, r, "https://idp.example.it/logout?state="+url.QueryEscape(state), http.StatusSeeOther)
	return nil
}

func (f *sloIdP) LogoutReturn(w http.ResponseWriter, r *http.Request) (string, error) {
	if r.FormValue("error") != "" {
		return "", procedo.Errorf(procedo.EUNAUTHORIZED, "risposta non valida")
	}
	return r.FormValue("state"), nil
}

func (f *sloIdP) EntityConfiguration() (string, []byte, error) {
	return "application/entity-statement+jwt", []byte("eyJ.eyJ.sig"), nil
}

func TestLogout_SingleLogout(t *testing.T) {
	env := testkit.NewEnv(t)
	spid := &sloIdP{fakeIdP: fakeIdP{id: "spid", citizen: &procedo.Citizen{FiscalCode: testkit.Mario.FiscalCode, GivenName: "Mario", FamilyName: "Rossi"}}}
	h := newLoginHandler(env, spid)
	sessions := sqlstore.NewSessionService(env.DB)
	ctx := procedo.NewContextWithTenant(t.Context(), env.A.Tenant)

	// login returns the session cookie and the session's form token.
	login := func(t *testing.T) (*http.Cookie, string) {
		t.Helper()
		state, ck := startLogin(t, h, "spid")
		rec := loginRequest(t, h, "GET", "/accedi/spid/callback?code=x&state="+url.QueryEscape(state), nil, []*http.Cookie{ck}, nil)
		sc := cookieOf(rec, "procedo_session")
		if rec.Code != http.StatusSeeOther || sc == nil {
			t.Fatalf("login: %d %s", rec.Code, rec.Body)
		}
		sess, err := sessions.FindSession(ctx, sc.Value)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := sessions.ProviderLogout(ctx, sc.Value); err != nil || got != "sess-"+testkit.Mario.FiscalCode {
			t.Fatalf("provider logout kept: %q %v", got, err)
		}
		return &http.Cookie{Name: sc.Name, Value: sc.Value}, sess.CSRFToken
	}
	logout := func(t *testing.T) (*httptest.ResponseRecorder, *http.Cookie) {
		t.Helper()
		sc, csrf := login(t)
		rec := loginRequest(t, h, "POST", "/esci", url.Values{"csrf_token": {csrf}}, []*http.Cookie{sc}, nil)
		if _, err := sessions.FindSession(ctx, sc.Value); procedo.ErrorCode(err) != procedo.EUNAUTHORIZED {
			t.Fatalf("the local session survives logout: %v", err)
		}
		return rec, sc
	}
	// home returns the home page shown after a redirect with its flash cookie.
	home := func(t *testing.T, rec *httptest.ResponseRecorder) string {
		t.Helper()
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" {
			t.Fatalf("got %d %v", rec.Code, rec.Header())
		}
		fl := cookieOf(rec, "procedo_flash")
		if fl == nil {
			t.Fatal("no flash message")
		}
		return loginRequest(t, h, "GET", "/", nil, []*http.Cookie{{Name: fl.Name, Value: fl.Value}}, nil).Body.String()
	}

	t.Run("ThroughTheProvider", func(t *testing.T) {
		rec, _ := logout(t)
		loc, _ := url.Parse(rec.Header().Get("Location"))
		lc := cookieOf(rec, "procedo_logout")
		if rec.Code != http.StatusSeeOther || loc.Host != "idp.example.it" || lc == nil || loc.Query().Get("state") != lc.Value {
			t.Fatalf("logout: %d %v", rec.Code, rec.Header())
		}
		if spid.logouts[len(spid.logouts)-1] != "sess-"+testkit.Mario.FiscalCode {
			t.Fatalf("logout data %v", spid.logouts)
		}
		// The provider sends the browser back, cross-site.
		crossSite := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://idp.example.it"}
		back := loginRequest(t, h, "POST", "/accedi/spid/uscita", url.Values{"state": {lc.Value}},
			[]*http.Cookie{{Name: lc.Name, Value: lc.Value}}, crossSite)
		if page := home(t, back); !strings.Contains(page, "Sei uscito dall&#39;area riservata e dalla tua identità digitale") {
			t.Fatalf("home after logout: %s", page)
		}
	})

	t.Run("WrongState", func(t *testing.T) {
		rec, _ := logout(t)
		lc := cookieOf(rec, "procedo_logout")
		back := loginRequest(t, h, "GET", "/accedi/spid/uscita?state=altro", nil, []*http.Cookie{{Name: lc.Name, Value: lc.Value}}, nil)
		if page := home(t, back); !strings.Contains(page, "non ha confermato l&#39;uscita") {
			t.Fatalf("home after logout: %s", page)
		}
	})

	t.Run("InvalidAnswer", func(t *testing.T) {
		rec, _ := logout(t)
		lc := cookieOf(rec, "procedo_logout")
		back := loginRequest(t, h, "GET", "/accedi/spid/uscita?error=x&state="+lc.Value, nil, []*http.Cookie{{Name: lc.Name, Value: lc.Value}}, nil)
		if page := home(t, back); !strings.Contains(page, "non ha confermato l&#39;uscita") {
			t.Fatalf("home after logout: %s", page)
		}
	})

	t.Run("ProviderCannot", func(t *testing.T) {
		spid.logoutErr = procedo.Errorf(procedo.ENOTFOUND, "no end_session_endpoint")
		defer func() { spid.logoutErr = nil }()
		rec, _ := logout(t)
		if page := home(t, rec); !strings.Contains(page, "Sei uscito dall&#39;area riservata.") {
			t.Fatalf("home after logout: %s", page)
		}
	})

	t.Run("ProviderWithoutSingleLogout", func(t *testing.T) {
		plain := &fakeIdP{id: "cie", citizen: &procedo.Citizen{FiscalCode: testkit.Mario.FiscalCode, GivenName: "Mario", FamilyName: "Rossi"}}
		h := newLoginHandler(env, plain)
		state, ck := startLogin(t, h, "cie")
		rec := loginRequest(t, h, "GET", "/accedi/cie/callback?code=x&state="+url.QueryEscape(state), nil, []*http.Cookie{ck}, nil)
		sc := cookieOf(rec, "procedo_session")
		sess, err := sessions.FindSession(ctx, sc.Value)
		if err != nil {
			t.Fatal(err)
		}
		rec = loginRequest(t, h, "POST", "/esci", url.Values{"csrf_token": {sess.CSRFToken}}, []*http.Cookie{{Name: sc.Name, Value: sc.Value}}, nil)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/" || cookieOf(rec, "procedo_logout") != nil {
			t.Fatalf("logout: %d %v", rec.Code, rec.Header())
		}
		if rec := loginRequest(t, h, "GET", "/accedi/cie/uscita?state=x", nil, nil, nil); rec.Code != http.StatusNotFound {
			t.Fatalf("logout return of a provider without single logout: %d", rec.Code)
		}
	})

	t.Run("WrongTenant", func(t *testing.T) {
		// A session of Comune A is not one of Comune B: its logout data stay out of reach.
		sc, _ := login(t)
		ctxB := procedo.NewContextWithTenant(t.Context(), env.B.Tenant)
		if got, err := sessions.ProviderLogout(ctxB, sc.Value); err != nil || got != "" {
			t.Fatalf("other tenant reads %q %v", got, err)
		}
		if err := sessions.SetProviderLogout(ctxB, sc.Value, "x"); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("other tenant writes: %v", err)
		}
	})
}

func TestEntityConfiguration(t *testing.T) {
	env := testkit.NewEnv(t)
	spid := &sloIdP{fakeIdP: fakeIdP{id: "spid"}}
	rec := loginRequest(t, newLoginHandler(env, spid), "GET", "/.well-known/openid-federation", nil, nil, nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/entity-statement+jwt" || rec.Body.String() != "eyJ.eyJ.sig" {
		t.Fatalf("got %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	rec = loginRequest(t, newLoginHandler(env, &fakeIdP{id: "cie"}), "GET", "/.well-known/openid-federation", nil, nil, nil)
	if rec.Code != http.StatusNotFound {
		t.Fatalf("without federation: %d", rec.Code)
	}
}
