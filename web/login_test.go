// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"io/fs"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/identity"
	"github.com/procedo/procedo/pdf"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
	"github.com/procedo/procedo/web"
	"github.com/procedo/procedo/web/static"
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
	return newLoginHandlerFor(env, web.StaticIdentity(idps...))
}

// newLoginHandlerFor is newLoginHandler with the providers identityFor gives each tenant.
func newLoginHandlerFor(env *testkit.Env, identityFor func(context.Context, *procedo.Tenant) []procedo.IdentityProvider) http.Handler {
	db := env.DB
	h := &web.Handler{Tenants: sqlstore.NewTenantService(db), Users: sqlstore.NewUserService(db), Sessions: sqlstore.NewSessionService(db),
		OrgUnits: sqlstore.NewOrgUnitService(db), Procedures: sqlstore.NewProcedureService(db), Applications: sqlstore.NewApplicationService(db),
		Cases: sqlstore.NewCaseService(db), Documents: sqlstore.NewDocumentService(db), Registrations: sqlstore.NewRegistrationService(db),
		Outbox: sqlstore.NewOutboxService(db), Audit: sqlstore.NewAuditService(db), Blobs: db.Blobs, Renderer: &pdf.Renderer{},
		IdentityFor: identityFor, SecureCookies: true}
	h.Init()
	return h.Routes()
}

// loginRequest is one request of the browser in a.test.
func loginRequest(t *testing.T, h http.Handler, method, target string, form url.Values, cookies []*http.Cookie, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	return loginRequestAt(t, h, "a.test", method, target, form, cookies, header)
}

// loginRequestAt is loginRequest on host.
func loginRequestAt(t *testing.T, h http.Handler, host, method, target string, form url.Values, cookies []*http.Cookie, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	req.Host = host
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
		if err := sessions.SetProviderLogout(ctxB, sc.Value, "x", "", ""); procedo.ErrorCode(err) != procedo.ENOTFOUND {
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

// samlLoginAs is a real SAML service provider (identity.SAML: it checks the
// IdP's logout requests and signs the answers) whose logins, for this test,
// end with a fixed citizen and login (NameID, SessionIndex) instead of an
// assertion: identity tests cover assertions.
type samlLoginAs struct {
	*identity.SAML
	citizen *procedo.Citizen
	logout  string // the login's NameID and SessionIndex, as CallbackSession gives them
}

func (s *samlLoginAs) CallbackSession(r *http.Request) (*procedo.Citizen, string, string, error) {
	c := *s.citizen
	return &c, r.FormValue("state"), s.logout, nil
}

func (s *samlLoginAs) Callback(r *http.Request) (*procedo.Citizen, string, error) {
	c, state, _, err := s.CallbackSession(r)
	return c, state, err
}

// testCert is an RSA key with a self-signed certificate.
type testCert struct {
	key     *rsa.PrivateKey
	cert    *x509.Certificate
	keyPEM  string
	certPEM string
}

func newTestCert(t *testing.T, name string) *testCert {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCert{key: k, cert: cert,
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})),
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
}

// idpLogout is an identity provider (crewjam/saml) that starts logouts.
type idpLogout struct {
	idp *saml.IdentityProvider
	tc  *testCert
}

func (i *idpLogout) metadata(t *testing.T) string {
	t.Helper()
	b, err := xml.Marshal(i.idp.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// request is the IdP's LogoutRequest for nameID (and sessionIndex, if not
// "") to the SLO URL of host's provider id.
func (i *idpLogout) request(host, id, nameID, sessionIndex string) *saml.LogoutRequest {
	req := &saml.LogoutRequest{ID: "id-" + randomHex(), Version: "2.0", IssueInstant: time.Now().UTC(),
		Destination: "https://" + host + "/accedi/" + id + "/uscita",
		Issuer:      &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: i.idp.MetadataURL.String()},
		NameID:      &saml.NameID{Value: nameID, Format: string(saml.TransientNameIDFormat), NameQualifier: i.idp.MetadataURL.String()}}
	if sessionIndex != "" {
		req.SessionIndex = &saml.SessionIndex{Value: sessionIndex}
	}
	return req
}

// redirect returns the target (path and query) that sends req with the
// HTTP-Redirect binding, signed with key (nil: unsigned).
func (i *idpLogout) redirect(t *testing.T, req *saml.LogoutRequest, key *testCert) string {
	t.Helper()
	u := req.Redirect("stato-idp")
	if key != nil {
		sp := &saml.ServiceProvider{Key: key.key, Certificate: key.cert, SignatureMethod: dsig.RSASHA256SignatureMethod}
		var err error
		if u, err = sp.RedirectLogoutRequestURL(req, "stato-idp"); err != nil {
			t.Fatal(err)
		}
	}
	return u.Path + "?" + u.RawQuery
}

func randomHex() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}

func TestLogout_ProviderInitiated(t *testing.T) {
	env := testkit.NewEnv(t)
	idpKey, spKey := newTestCert(t, "IdP"), newTestCert(t, "SP")
	newIdP := func(bindings ...string) *idpLogout {
		base, _ := url.Parse("https://idp.example.it")
		return &idpLogout{tc: idpKey, idp: &saml.IdentityProvider{Key: idpKey.key, Certificate: idpKey.cert,
			MetadataURL: *base.JoinPath("metadata"), SSOURL: *base.JoinPath("sso"), LogoutURL: *base.JoinPath("slo"),
			SignatureMethod: dsig.RSASHA256SignatureMethod, LogoutBindings: bindings}}
	}
	idp := newIdP(saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	postOnly := newIdP(saml.HTTPPostBinding)
	// provider is procedo's SAML provider id on host, logging citizen in with NameID nameID.
	provider := func(host, id string, i *idpLogout) *identity.SAML {
		sp, err := identity.NewSAML(identity.SAMLConfig{ID: id, Label: "Entra con SPID", IdPMetadataXML: i.metadata(t),
			EntityID: "https://" + host + "/accedi/" + id + "/metadata", ACSURL: "https://" + host + "/accedi/" + id + "/acs",
			Key: spKey.keyPEM, Certificate: spKey.certPEM})
		if err != nil {
			t.Fatal(err)
		}
		return sp
	}
	logoutData := func(nameID, index string) string {
		return fmt.Sprintf(`{"n":%q,"f":%q,"q":%q,"i":%q}`, nameID, saml.TransientNameIDFormat, idp.idp.MetadataURL.String(), index)
	}
	mario, lucia := &procedo.Citizen{FiscalCode: testkit.Mario.FiscalCode, GivenName: "Mario", FamilyName: "Rossi"},
		&procedo.Citizen{FiscalCode: "VRDLCU85T45F205S", GivenName: "Lucia", FamilyName: "Verdi"}
	// Each tenant has its own service provider "spid" (and "cie", whose IdP answers by POST only).
	spA, spB := provider("a.test", "spid", idp), provider("b.test", "spid", idp)
	cieA := provider("a.test", "cie", postOnly)
	as := map[string]*samlLoginAs{
		"a.test/spid": {SAML: spA}, "b.test/spid": {SAML: spB}, "a.test/cie": {SAML: cieA},
	}
	h := newLoginHandlerFor(env, func(_ context.Context, t *procedo.Tenant) []procedo.IdentityProvider {
		var out []procedo.IdentityProvider
		for _, id := range []string{"spid", "cie"} {
			if p := as[t.Hosts[0]+"/"+id]; p != nil {
				out = append(out, p)
			}
		}
		return out
	})
	sessions := sqlstore.NewSessionService(env.DB)
	ctxA, ctxB := procedo.NewContextWithTenant(t.Context(), env.A.Tenant), procedo.NewContextWithTenant(t.Context(), env.B.Tenant)
	crossSite := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://idp.example.it"}

	// login logs c in on host with provider id and login logout; it
	// returns the session cookie.
	login := func(t *testing.T, host, id string, c *procedo.Citizen, logout string) *http.Cookie {
		t.Helper()
		p := as[host+"/"+id]
		p.citizen, p.logout = c, logout
		rec := loginRequestAt(t, h, host, "GET", "/accedi/"+id+"?next=/pratiche", nil, nil, nil)
		ck := cookieOf(rec, "procedo_login")
		if rec.Code != http.StatusSeeOther || ck == nil {
			t.Fatalf("start: %d %s", rec.Code, rec.Body)
		}
		// The SP's Start sent the browser to the IdP; the IdP's answer
		// (here without an assertion: see samlLoginAs) comes back with the state.
		state, _, _ := strings.Cut(ck.Value, "|")
		rec = loginRequestAt(t, h, host, "POST", "/accedi/"+id+"/acs", url.Values{"state": {state}}, []*http.Cookie{{Name: ck.Name, Value: ck.Value}}, crossSite)
		sc := cookieOf(rec, "procedo_session")
		if rec.Code != http.StatusSeeOther || sc == nil {
			t.Fatalf("login: %d %s", rec.Code, rec.Body)
		}
		return &http.Cookie{Name: sc.Name, Value: sc.Value}
	}
	alive := func(ctx context.Context, ck *http.Cookie) bool {
		_, err := sessions.FindSession(ctx, ck.Value)
		return err == nil
	}
	marioA := login(t, "a.test", "spid", mario, logoutData("_mario", "idx-1"))
	marioA2 := login(t, "a.test", "spid", mario, logoutData("_mario", "idx-2")) // same NameID, another IdP session
	luciaA := login(t, "a.test", "spid", lucia, logoutData("_lucia", "idx-3"))
	marioB := login(t, "b.test", "spid", mario, logoutData("_mario", "idx-1"))
	if rec := loginRequest(t, h, "GET", "/pratiche", nil, []*http.Cookie{marioA}, nil); rec.Code != http.StatusOK {
		t.Fatalf("Le mie pratiche before logout: %d", rec.Code)
	}

	t.Run("Refused", func(t *testing.T) {
		other := newTestCert(t, "another IdP")
		for _, tc := range []struct {
			name   string
			change func(*saml.LogoutRequest)
			key    *testCert
		}{
			{"Unsigned", nil, nil},
			{"WrongSignature", nil, other},
			{"WrongIssuer", func(r *saml.LogoutRequest) { r.Issuer.Value = "https://idp.altro.example.it/metadata" }, idpKey},
			{"WrongDestination", func(r *saml.LogoutRequest) { r.Destination = "https://b.test/accedi/spid/uscita" }, idpKey},
			{"Expired", func(r *saml.LogoutRequest) { r.IssueInstant = time.Now().Add(-time.Hour).UTC() }, idpKey},
		} {
			t.Run(tc.name, func(t *testing.T) {
				req := idp.request("a.test", "spid", "_mario", "")
				if tc.change != nil {
					tc.change(req)
				}
				target := idp.redirect(t, req, tc.key)
				rec := loginRequest(t, h, "GET", "/accedi/spid/uscita"+target[strings.Index(target, "?"):], nil, nil, crossSite)
				if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "La richiesta di uscita ricevuta") ||
					!strings.Contains(rec.Body.String(), "non è valida") || !alive(ctxA, marioA) {
					t.Fatalf("got %d %s", rec.Code, rec.Body)
				}
			})
		}
		// The refusals are audited.
		action := "logout.idp.refused"
		events, n, err := sqlstore.NewAuditService(env.DB).FindAuditEvents(env.A.AsUser(env.A.Admin), procedo.AuditFilter{Action: &action})
		if err != nil || n != 5 || events[0].ObjectID != "spid" {
			t.Fatalf("audit: %d %v %v", n, events, err)
		}
	})

	t.Run("OtherTenant", func(t *testing.T) {
		// A valid request sent to Comune B's SP ends Comune B's sessions only.
		req := idp.request("b.test", "spid", "_mario", "")
		rec := loginRequestAt(t, h, "b.test", "GET", idp.redirect(t, req, idpKey), nil, nil, crossSite)
		if rec.Code != http.StatusSeeOther || alive(ctxB, marioB) || !alive(ctxA, marioA) || !alive(ctxA, marioA2) {
			t.Fatalf("got %d %s; B %v A %v", rec.Code, rec.Body, alive(ctxB, marioB), alive(ctxA, marioA))
		}
		// Comune A's SP refuses a request meant for Comune B's.
		req = idp.request("b.test", "spid", "_mario", "")
		rec = loginRequest(t, h, "GET", idp.redirect(t, req, idpKey), nil, nil, crossSite)
		if rec.Code != http.StatusBadRequest || !alive(ctxA, marioA) {
			t.Fatalf("got %d", rec.Code)
		}
	})

	t.Run("Redirect", func(t *testing.T) {
		// The IdP ends Mario's session idx-1 (HTTP-Redirect binding), in the
		// browser that holds it.
		req := idp.request("a.test", "spid", "_mario", "idx-1")
		rec := loginRequest(t, h, "GET", idp.redirect(t, req, idpKey), nil, []*http.Cookie{marioA}, crossSite)
		if rec.Code != http.StatusSeeOther || alive(ctxA, marioA) || !alive(ctxA, marioA2) || !alive(ctxA, luciaA) {
			t.Fatalf("got %d %s", rec.Code, rec.Body)
		}
		if ck := cookieOf(rec, "procedo_session"); ck == nil || ck.MaxAge >= 0 {
			t.Fatalf("session cookie not cleared: %v", rec.Result().Cookies())
		}
		// Le mie pratiche asks to log in.
		if rec := loginRequest(t, h, "GET", "/pratiche", nil, []*http.Cookie{marioA}, nil); rec.Code != http.StatusSeeOther ||
			rec.Header().Get("Location") != "/accedi?next=/pratiche" {
			t.Fatalf("Le mie pratiche after logout: %d %s", rec.Code, rec.Body)
		}
		// The answer: a LogoutResponse to the IdP, signed with the SP's key.
		loc, err := url.Parse(rec.Header().Get("Location"))
		if err != nil || loc.Host != "idp.example.it" || loc.Path != "/slo" || loc.Query().Get("RelayState") != "stato-idp" {
			t.Fatalf("answer to %s", rec.Header().Get("Location"))
		}
		checkRedirectSignature(t, loc.RawQuery, spKey.cert)
		resp := inflateLogoutResponse(t, loc.Query().Get("SAMLResponse"))
		if resp.InResponseTo != req.ID || resp.Status.StatusCode.Value != saml.StatusSuccess || resp.Destination != "https://idp.example.it/slo" ||
			resp.Issuer.Value != "https://a.test/accedi/spid/metadata" {
			t.Fatalf("LogoutResponse %+v", resp)
		}
		action := "logout.idp"
		events, n, err := sqlstore.NewAuditService(env.DB).FindAuditEvents(env.A.AsUser(env.A.Admin), procedo.AuditFilter{Action: &action})
		if err != nil || n != 1 || events[0].Actor != "citizen:"+mario.FiscalCode || events[0].ObjectID != mario.FiscalCode || events[0].Detail != "spid" {
			t.Fatalf("audit: %d %+v %v", n, events, err)
		}
	})

	t.Run("AllSessionsOfTheNameID", func(t *testing.T) {
		// Without SessionIndex, every session of the NameID ends.
		marioA3 := login(t, "a.test", "spid", mario, logoutData("_mario", "idx-4"))
		req := idp.request("a.test", "spid", "_mario", "")
		form := url.Values{"SAMLRequest": {signedPost(t, req, idpKey)}, "RelayState": {"r"}}
		rec := loginRequest(t, h, "POST", "/accedi/spid/uscita", form, nil, crossSite)
		if rec.Code != http.StatusSeeOther || alive(ctxA, marioA2) || alive(ctxA, marioA3) || !alive(ctxA, luciaA) {
			t.Fatalf("got %d %s", rec.Code, rec.Body)
		}
	})

	t.Run("AnswerByPOST", func(t *testing.T) {
		luciaCIE := login(t, "a.test", "cie", lucia, fmt.Sprintf(`{"n":"_lucia-cie","f":%q,"i":"idx-9"}`, saml.TransientNameIDFormat))
		req := postOnly.request("a.test", "cie", "_lucia-cie", "")
		form := url.Values{"SAMLRequest": {signedPost(t, req, idpKey)}}
		rec := loginRequest(t, h, "POST", "/accedi/cie/uscita", form, nil, crossSite)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || alive(ctxA, luciaCIE) || !alive(ctxA, luciaA) {
			t.Fatalf("got %d %s", rec.Code, body)
		}
		for _, want := range []string{`<form method="post" action="https://idp.example.it/slo" data-invio-automatico>`,
			`<button type="submit" class="btn btn-primary">Continua</button>`, `<script src="/static/js/invio.js"></script>`, "sei uscito dall'area riservata"} {
			if !strings.Contains(body, want) {
				t.Errorf("answer page lacks %s", want)
			}
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, "<noscript") {
			t.Error("inline script on the answer page")
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://idp.example.it;") ||
			!strings.Contains(csp, "script-src 'self';") {
			t.Errorf("CSP %s", csp)
		}
		m := regexp.MustCompile(`name="SAMLResponse" value="([^"]+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no SAMLResponse")
		}
		raw, err := base64.StdEncoding.DecodeString(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatal(err)
		}
		var resp saml.LogoutResponse
		if err := xml.Unmarshal(raw, &resp); err != nil || resp.InResponseTo != req.ID || resp.Status.StatusCode.Value != saml.StatusSuccess {
			t.Fatalf("LogoutResponse %s %v", raw, err)
		}
		// Its enveloped signature verifies with the SP's certificate.
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(raw); err != nil {
			t.Fatal(err)
		}
		vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{spKey.cert}})
		vc.IdAttribute = "ID"
		if _, err := vc.Validate(doc.Root()); err != nil {
			t.Fatalf("signature: %v", err)
		}
		js, err := fs.ReadFile(static.FS, "js/invio.js")
		if err != nil || !strings.Contains(string(js), "form[data-invio-automatico]") {
			t.Fatalf("the page's script does not submit its form: %v", err)
		}
	})
}

// signedPost returns req signed with key (enveloped signature), base64
// encoded, as the HTTP-POST binding sends it.
func signedPost(t *testing.T, req *saml.LogoutRequest, key *testCert) string {
	t.Helper()
	sp := &saml.ServiceProvider{Key: key.key, Certificate: key.cert, SignatureMethod: dsig.RSASHA256SignatureMethod}
	if err := sp.SignLogoutRequest(req); err != nil {
		t.Fatal(err)
	}
	doc := etree.NewDocument()
	doc.SetRoot(req.Element())
	raw, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// checkRedirectSignature verifies the query string signature of an
// HTTP-Redirect binding message (RSA-SHA256) with cert.
func checkRedirectSignature(t *testing.T, rawQuery string, cert *x509.Certificate) {
	t.Helper()
	params := map[string]string{}
	for _, kv := range strings.Split(rawQuery, "&") {
		k, v, _ := strings.Cut(kv, "=")
		params[k] = v
	}
	if sigAlg, _ := url.QueryUnescape(params["SigAlg"]); sigAlg != dsig.RSASHA256SignatureMethod {
		t.Fatalf("SigAlg %q", sigAlg)
	}
	signed := "SAMLResponse=" + params["SAMLResponse"]
	if v, ok := params["RelayState"]; ok {
		signed += "&RelayState=" + v
	}
	signed += "&SigAlg=" + params["SigAlg"]
	sigB64, _ := url.QueryUnescape(params["Signature"])
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(signed))
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("query signature: %v", err)
	}
}

func inflateLogoutResponse(t *testing.T, v string) *saml.LogoutResponse {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(flate.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatal(err)
	}
	var resp saml.LogoutResponse
	if err := xml.Unmarshal(raw, &resp); err != nil {
		t.Fatal(err)
	}
	return &resp
}
