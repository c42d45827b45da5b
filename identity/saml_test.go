// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package identity_test

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"html/template"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/identity"
)

// The SAML identity provider of these tests is crewjam/saml's
// IdentityProvider, with a one-field login page and SPID attributes.

// samlUser is a citizen known to the test IdP.
type samlUser struct {
	username, fiscalNumber, name, familyName, email string
}

var samlUsers = map[string]samlUser{
	"mario":    {"mario", "TINIT-RSSMRA80A01H501U", "Mario", "Rossi", "mario.rossi@example.it"},
	"lucia":    {"lucia", "TINIT-VRDLCU85T45F205S", "Lucia", "Verdi", "lucia.verdi@example.it"},
	"senzacf":  {"senzacf", "", "Anna", "Neri", ""},
	"cferrato": {"cferrato", "TINIT-RSSMRA80A01H501X", "Carlo", "Errato", ""},
}

// testIdP is a running SAML identity provider.
type testIdP struct {
	idp *saml.IdentityProvider
	srv *httptest.Server

	mu                sync.Mutex
	spMetadata        []byte // the SP's signed metadata, as registered
	spCert            []byte // DER of the certificate that must sign it
	level             string // AuthnContextClassRef asserted
	unsignedAssertion bool   // sign the Response but not the Assertion
	lastRequest       *saml.AuthnRequest
	sessions          []*saml.Session // every session given out
	ended             []*saml.Session // sessions ended by a LogoutRequest
}

// InvalidateSession implements saml.SessionInvalidator: it ends the
// sessions the LogoutRequest names (NameID and SessionIndex).
func (ti *testIdP) InvalidateSession(w http.ResponseWriter, r *http.Request, req *saml.IdpLogoutRequest) error {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	for _, s := range ti.sessions {
		if req.MatchesSession(s) {
			ti.ended = append(ti.ended, s)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "idp_user", Path: "/", MaxAge: -1})
	return nil
}

var idpLoginPage = template.Must(template.New("").Parse(`<!doctype html><title>IdP login</title>
<form method="post" action="/login"><input type="hidden" name="return" value="{{.}}"><input name="username" value=""><button>Entra</button></form>`))

func newTestIdP(t *testing.T) *testIdP {
	t.Helper()
	kp := testKey(t, 2)
	ti := &testIdP{level: "https://www.spid.gov.it/SpidL2"}
	mux := http.NewServeMux()
	ti.srv = httptest.NewServer(mux)
	t.Cleanup(ti.srv.Close)
	base := mustURL(t, localhost(ti.srv.URL))
	ti.idp = &saml.IdentityProvider{Key: kp.key, Certificate: kp.cert, Logger: log.New(io.Discard, "", 0),
		MetadataURL: *base.JoinPath("metadata"), SSOURL: *base.JoinPath("sso"), SignatureMethod: dsig.RSASHA256SignatureMethod,
		SessionProvider: ti, ServiceProviderProvider: ti, ResponseWriter: ti, SignMetadata: true,
		LogoutURL: *base.JoinPath("slo"), LogoutBindings: []string{saml.HTTPRedirectBinding, saml.HTTPPostBinding}}
	mux.HandleFunc("/metadata", ti.idp.ServeMetadata)
	mux.HandleFunc("/slo", ti.idp.ServeSLO)
	mux.HandleFunc("/sso", ti.idp.ServeSSO)
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := samlUsers[r.PostFormValue("username")]; !ok {
			http.Error(w, "unknown user", http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "idp_user", Value: r.PostFormValue("username"), Path: "/"})
		http.Redirect(w, r, r.PostFormValue("return"), http.StatusFound)
	})
	return ti
}

// metadataXML returns the IdP's (unsigned) metadata.
func (ti *testIdP) metadataXML(t *testing.T) string {
	t.Helper()
	b, err := xml.Marshal(ti.idp.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// GetSession implements saml.SessionProvider: the citizen logs in once with
// the login page, then the IdP remembers them with a cookie.
func (ti *testIdP) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	ti.mu.Lock()
	ti.lastRequest = &req.Request
	level := ti.level
	ti.mu.Unlock()
	c, err := r.Cookie("idp_user")
	if err != nil {
		_ = idpLoginPage.Execute(w, r.URL.String())
		return nil
	}
	u := samlUsers[c.Value]
	var attrs []saml.Attribute
	add := func(name, value string) {
		if value != "" {
			attrs = append(attrs, saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
				Values: []saml.AttributeValue{{Type: "xs:string", Value: value}}})
		}
	}
	// crewjam/saml answers the requested "name" and "email" from the
	// session's UserCommonName and UserEmail; the other SPID attributes are
	// custom ones.
	add("fiscalNumber", u.fiscalNumber)
	add("familyName", u.familyName)
	now := time.Now()
	s := &saml.Session{ID: randomState(), CreateTime: now, ExpireTime: now.Add(time.Hour), Index: randomState(),
		NameID: "_" + randomState(), NameIDFormat: string(saml.TransientNameIDFormat), AuthnContextClassRef: level,
		UserCommonName: u.name, UserEmail: u.email, CustomAttributes: attrs}
	ti.mu.Lock()
	ti.sessions = append(ti.sessions, s)
	ti.mu.Unlock()
	return s
}

// GetServiceProvider implements saml.ServiceProviderProvider with the SP's
// metadata, whose signature it checks first.
func (ti *testIdP) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	cert, err := x509.ParseCertificate(ti.spCert)
	if err != nil {
		return nil, err
	}
	covered, err := saml.VerifyMetadataSignature(ti.spMetadata, []*x509.Certificate{cert})
	if err != nil {
		return nil, err
	}
	ed := &saml.EntityDescriptor{}
	if err := xml.Unmarshal(covered, ed); err != nil {
		return nil, err
	}
	if ed.EntityID != id {
		return nil, os.ErrNotExist
	}
	return ed, nil
}

// WriteResponse implements saml.ResponseWriter: the default HTTP-POST form,
// or, with unsignedAssertion, a signed Response holding an unsigned Assertion.
func (ti *testIdP) WriteResponse(w http.ResponseWriter, req *saml.IdpAuthnRequest) error {
	ti.mu.Lock()
	unsigned := ti.unsignedAssertion
	ti.mu.Unlock()
	if unsigned && req.Assertion != nil {
		req.AssertionEl = req.Assertion.Element()
		if err := req.MakeResponse(); err != nil {
			return err
		}
	}
	return req.WriteResponse(w)
}

func (ti *testIdP) set(f func(*testIdP)) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	f(ti)
}

// samlSetup is a service provider registered at a running IdP.
type samlSetup struct {
	idp *testIdP
	rp  *rp
	cfg identity.SAMLConfig
	sp  *identity.SAML
}

func newSAMLSetup(t *testing.T, change func(*identity.SAMLConfig)) *samlSetup {
	t.Helper()
	ti := newTestIdP(t)
	h := newRP(t)
	kp := testKey(t, 3)
	cfg := identity.SAMLConfig{ID: "p", Label: "Entra con SPID", IdPMetadataXML: ti.metadataXML(t),
		EntityID: h.url("/accedi/p/metadata"), ACSURL: h.url("/accedi/p/acs"), Key: kp.keyPEM, Certificate: kp.certPEM,
		OrganizationName: "Comune di Alfa", OrganizationURL: "https://www.comune.alfa.it", IPACode: "c_a001", ContactEmail: "protocollo@comune.alfa.it"}
	if change != nil {
		change(&cfg)
	}
	sp, err := identity.NewSAML(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.set(sp)
	// Register the SP at the IdP with the metadata it publishes.
	b := newBrowser(t, "")
	resp, body := b.get(cfg.EntityID)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/samlmetadata+xml" {
		t.Fatalf("SP metadata: %s %s", resp.Status, body)
	}
	ti.set(func(ti *testIdP) { ti.spMetadata, ti.spCert = []byte(body), kp.cert.Raw })
	return &samlSetup{idp: ti, rp: h, cfg: cfg, sp: sp}
}

// authenticate runs the browser from the rp's start through the IdP's login
// as username and returns the HTTP-POST form the IdP sends to the ACS,
// without posting it.
func (s *samlSetup) authenticate(t *testing.T, b *browser, username string) (string, url.Values) {
	t.Helper()
	resp, page := b.get(s.rp.url("/accedi/p"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("IdP login page: %s %s", resp.Status, page)
	}
	action, form := parseForm(t, page)
	form.Set("username", username)
	resp, page = b.post(resp.Request.URL.ResolveReference(mustURL(t, action)).String(), form)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "SAMLResponse") {
		t.Fatalf("IdP answer: %s %s", resp.Status, page)
	}
	action, form = parseForm(t, page)
	if action != s.cfg.ACSURL {
		t.Fatalf("IdP posts to %q", action)
	}
	return action, form
}

// response returns the decoded SAMLResponse of form.
func response(t *testing.T, form url.Values) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(form.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func withResponse(form url.Values, xml string) url.Values {
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("SAMLResponse", base64.StdEncoding.EncodeToString([]byte(xml)))
	return f
}

func TestSAML_Login(t *testing.T) {
	s := newSAMLSetup(t, nil)
	b := newBrowser(t, "")
	acs, form := s.authenticate(t, b, "mario")
	o := b.outcome(b.post(acs, form))
	if o.Status != http.StatusOK {
		t.Fatalf("login failed: %+v", o)
	}
	want := procedo.Citizen{FiscalCode: "RSSMRA80A01H501U", GivenName: "Mario", FamilyName: "Rossi", Email: "mario.rossi@example.it", Provider: "p"}
	if *o.Citizen != want {
		t.Fatalf("got %+v, want %+v", *o.Citizen, want)
	}
	if o.State == "" || o.State != form.Get("RelayState") {
		t.Fatalf("state %q, RelayState %q", o.State, form.Get("RelayState"))
	}
	// What the IdP received: a signed AuthnRequest (checked by crewjam/saml
	// against the SP metadata) asking for SPID level 2 or more.
	var req *saml.AuthnRequest
	s.idp.set(func(ti *testIdP) { req = ti.lastRequest })
	if req == nil || req.RequestedAuthnContext == nil || req.RequestedAuthnContext.Comparison != "minimum" ||
		len(req.RequestedAuthnContext.ClassRefs()) != 1 || req.RequestedAuthnContext.ClassRefs()[0] != "https://www.spid.gov.it/SpidL2" ||
		req.ForceAuthn == nil || !*req.ForceAuthn || req.AssertionConsumerServiceURL != s.cfg.ACSURL ||
		req.AttributeConsumingServiceIndex != "0" || req.Issuer.Value != s.cfg.EntityID {
		t.Fatalf("AuthnRequest %+v", req)
	}
}

func TestSAML_MetadataURL(t *testing.T) {
	// The IdP metadata is downloaded on first use, and must be signed by the
	// configured certificate.
	var s *samlSetup
	s = newSAMLSetup(t, func(c *identity.SAMLConfig) {
		c.IdPMetadataXML = ""
		c.IdPMetadataURL = "http://placeholder/metadata" // replaced below, once the IdP runs
		c.IdPMetadataSigner = testKey(t, 2).certPEM
	})
	cfg := s.cfg
	cfg.IdPMetadataURL = s.idp.idp.MetadataURL.String()
	sp, err := identity.NewSAML(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.rp.set(sp)
	b := newBrowser(t, "")
	acs, form := s.authenticate(t, b, "lucia")
	if o := b.outcome(b.post(acs, form)); o.Status != http.StatusOK || o.Citizen.FiscalCode != "VRDLCU85T45F205S" {
		t.Fatalf("got %+v", o)
	}

	t.Run("WrongSigner", func(t *testing.T) {
		cfg.IdPMetadataSigner = testKey(t, 1).certPEM
		sp, err := identity.NewSAML(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s.rp.set(sp)
		b := newBrowser(t, "")
		wantRefused(t, b.outcome(b.get(s.rp.url("/accedi/p"))), procedo.EUNAVAILABLE)
	})
}

func TestSAML_Refused(t *testing.T) {
	s := newSAMLSetup(t, nil)

	t.Run("WrongState", func(t *testing.T) {
		b := newBrowser(t, "")
		acs, form := s.authenticate(t, b, "mario")
		form.Set("RelayState", randomState())
		wantRefused(t, b.outcome(b.post(acs, form)), procedo.EFORBIDDEN)
	})

	t.Run("OtherBrowser", func(t *testing.T) {
		acs, form := s.authenticate(t, newBrowser(t, ""), "mario")
		b := newBrowser(t, "")
		wantRefused(t, b.outcome(b.post(acs, form)), procedo.EFORBIDDEN)
	})

	t.Run("AnswerToAnotherRequest", func(t *testing.T) {
		// A valid answer to Mario's request, posted by a browser that started
		// its own login: InResponseTo does not match that browser's request.
		acs, form := s.authenticate(t, newBrowser(t, ""), "mario")
		b := newBrowser(t, "")
		_, _ = b.get(s.rp.url("/accedi/p"))
		var state string
		for _, c := range b.c.Jar.Cookies(mustURL(t, acs)) {
			if c.Name == "procedo_saml_p" {
				state, _, _ = strings.Cut(c.Value, ".")
			}
		}
		form.Set("RelayState", state)
		o := b.outcome(b.post(acs, form))
		wantRefused(t, o, procedo.EUNAUTHORIZED)
	})

	t.Run("Replayed", func(t *testing.T) {
		b := newBrowser(t, "")
		acs, form := s.authenticate(t, b, "mario")
		if o := b.outcome(b.post(acs, form)); o.Status != http.StatusOK {
			t.Fatalf("first use: %+v", o)
		}
		o := b.outcome(b.post(acs, form))
		wantRefused(t, o, procedo.EUNAUTHORIZED)
		if !strings.Contains(o.Cause, "already been used") {
			t.Fatalf("refused for %s", o.Cause)
		}
	})

	t.Run("TamperedAssertion", func(t *testing.T) {
		b := newBrowser(t, "")
		acs, form := s.authenticate(t, b, "mario")
		xml := response(t, form)
		if !strings.Contains(xml, "RSSMRA80A01H501U") {
			t.Fatal("fiscal number not found in the response")
		}
		forged := strings.ReplaceAll(xml, "RSSMRA80A01H501U", "VRDLCU85T45F205S")
		wantRefused(t, b.outcome(b.post(acs, withResponse(form, forged))), procedo.EUNAUTHORIZED)
	})

	t.Run("UnsignedResponse", func(t *testing.T) {
		b := newBrowser(t, "")
		acs, form := s.authenticate(t, b, "mario")
		stripped := stripSignatures(t, response(t, form))
		o := b.outcome(b.post(acs, withResponse(form, stripped)))
		wantRefused(t, o, procedo.EUNAUTHORIZED)
		if !strings.Contains(o.Cause, "not signed") {
			t.Fatalf("refused for %s", o.Cause)
		}
	})

	t.Run("UnsignedAssertionInSignedResponse", func(t *testing.T) {
		s.idp.set(func(ti *testIdP) { ti.unsignedAssertion = true })
		defer s.idp.set(func(ti *testIdP) { ti.unsignedAssertion = false })
		b := newBrowser(t, "")
		acs, form := s.authenticate(t, b, "mario")
		if strings.Count(response(t, form), "<ds:SignatureValue") != 1 {
			t.Fatalf("the IdP should sign the Response only: %s", response(t, form))
		}
		o := b.outcome(b.post(acs, form))
		wantRefused(t, o, procedo.EUNAUTHORIZED)
		if !strings.Contains(o.Cause, "assertion is not signed") {
			t.Fatalf("refused for %s", o.Cause)
		}
	})

	t.Run("LevelTooLow", func(t *testing.T) {
		s.idp.set(func(ti *testIdP) { ti.level = "https://www.spid.gov.it/SpidL1" })
		defer s.idp.set(func(ti *testIdP) { ti.level = "https://www.spid.gov.it/SpidL2" })
		b := newBrowser(t, "")
		acs, form := s.authenticate(t, b, "mario")
		o := b.outcome(b.post(acs, form))
		wantRefused(t, o, procedo.EUNAUTHORIZED)
		if !strings.Contains(o.Cause, "AuthnContextClassRef") {
			t.Fatalf("refused for %s", o.Cause)
		}
	})

	for _, tc := range []struct{ name, user, cause string }{
		{"NoFiscalCode", "senzacf", "no fiscal number"},
		{"InvalidFiscalCode", "cferrato", "carattere di controllo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, "")
			acs, form := s.authenticate(t, b, tc.user)
			o := b.outcome(b.post(acs, form))
			wantRefused(t, o, procedo.EUNAUTHORIZED)
			if !strings.Contains(o.Cause, tc.cause) {
				t.Fatalf("refused for %s", o.Cause)
			}
		})
	}
}

func TestSAML_Metadata(t *testing.T) {
	s := newSAMLSetup(t, nil)
	_, body, err := s.sp.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	kp := testKey(t, 3)
	covered, err := saml.VerifyMetadataSignature(body, []*x509.Certificate{kp.cert})
	if err != nil {
		t.Fatalf("metadata signature: %v", err)
	}
	ed := &saml.EntityDescriptor{}
	if err := xml.Unmarshal(covered, ed); err != nil {
		t.Fatal(err)
	}
	if ed.EntityID != s.cfg.EntityID || len(ed.SPSSODescriptors) != 1 {
		t.Fatalf("entity %+v", ed)
	}
	sd := ed.SPSSODescriptors[0]
	if sd.AuthnRequestsSigned == nil || !*sd.AuthnRequestsSigned || sd.WantAssertionsSigned == nil || !*sd.WantAssertionsSigned {
		t.Fatal("metadata must say AuthnRequestsSigned and WantAssertionsSigned")
	}
	if len(sd.KeyDescriptors) != 1 || sd.KeyDescriptors[0].Use != "signing" {
		t.Fatalf("key descriptors %+v", sd.KeyDescriptors)
	}
	if len(sd.AssertionConsumerServices) != 1 || sd.AssertionConsumerServices[0].Location != s.cfg.ACSURL ||
		sd.AssertionConsumerServices[0].Binding != saml.HTTPPostBinding || sd.AssertionConsumerServices[0].Index != 0 {
		t.Fatalf("ACS %+v", sd.AssertionConsumerServices)
	}
	var names []string
	for _, a := range sd.AttributeConsumingServices[0].RequestedAttributes {
		names = append(names, a.Name)
	}
	if strings.Join(names, ",") != "fiscalNumber,name,familyName,email" {
		t.Fatalf("requested attributes %v", names)
	}
	for _, want := range []string{"c_a001</spid:IPACode>", "<spid:Public", "Comune di Alfa", "protocollo@comune.alfa.it"} {
		if !bytes.Contains(covered, []byte(want)) {
			t.Errorf("metadata lacks %s", want)
		}
	}
}

func TestNewSAML_ErrInvalid(t *testing.T) {
	ti := newTestIdP(t)
	kp, other := testKey(t, 3), testKey(t, 1)
	ok := identity.SAMLConfig{ID: "p", Label: "x", IdPMetadataXML: ti.metadataXML(t), EntityID: "https://rp.example.it/accedi/p/metadata",
		ACSURL: "https://rp.example.it/accedi/p/acs", Key: kp.keyPEM, Certificate: kp.certPEM}
	if _, err := identity.NewSAML(ok); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, field string
		change      func(*identity.SAMLConfig)
	}{
		{"no metadata", "idp_metadata_xml", func(c *identity.SAMLConfig) { c.IdPMetadataXML = "" }},
		{"bad metadata", "idp_metadata_xml", func(c *identity.SAMLConfig) { c.IdPMetadataXML = "<x/>" }},
		{"url without signer", "idp_metadata_signer", func(c *identity.SAMLConfig) {
			c.IdPMetadataXML, c.IdPMetadataURL = "", "https://registry.spid.gov.it/metadata/idp/spid-entities-idps.xml"
		}},
		{"relative ACS", "acs_url", func(c *identity.SAMLConfig) { c.ACSURL = "/accedi/p/acs" }},
		{"no entity id", "entity_id", func(c *identity.SAMLConfig) { c.EntityID = "" }},
		{"key and certificate differ", "certificate", func(c *identity.SAMLConfig) { c.Certificate = other.certPEM }},
		{"no key", "key", func(c *identity.SAMLConfig) { c.Key = "" }},
		{"level 4", "spid_level", func(c *identity.SAMLConfig) { c.SPIDLevel = 4 }},
	} {
		cfg := ok
		tc.change(&cfg)
		_, err := identity.NewSAML(cfg)
		if fe := procedo.FieldErrorsOf(err); fe[tc.field] == "" {
			t.Errorf("%s: got %v", tc.name, err)
		}
	}
}

// stripSignatures removes every ds:Signature element from a SAML message.
func stripSignatures(t *testing.T, s string) string {
	t.Helper()
	for {
		i := strings.Index(s, "<ds:Signature")
		if i < 0 {
			return s
		}
		j := strings.Index(s[i:], "</ds:Signature>")
		if j < 0 {
			t.Fatal("unterminated signature")
		}
		s = s[:i] + s[i+j+len("</ds:Signature>"):]
	}
}

func TestSAML_Logout(t *testing.T) {
	s := newSAMLSetup(t, nil)
	b := newBrowser(t, "")
	acs, form := s.authenticate(t, b, "mario")
	o := b.outcome(b.post(acs, form))
	if o.Status != http.StatusOK || o.Logout == "" {
		t.Fatalf("login: %+v", o)
	}
	// The SP metadata advertises the Single Logout service.
	_, md, err := s.sp.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), `SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="`+s.rp.url("/accedi/p/uscita")+`"`) {
		t.Fatalf("metadata without SingleLogoutService: %s", md)
	}
	// The same browser logs out: signed LogoutRequest to the IdP, which
	// ends the session and answers with a signed LogoutResponse.
	state := randomState()
	resp, body := b.get(s.rp.url("/accedi/p/esci?logout=" + url.QueryEscape(o.Logout) + "&state=" + state))
	if resp.Request.URL.Path != "/accedi/p/uscita" {
		t.Fatalf("logout ended at %s: %s %s", resp.Request.URL, resp.Status, body)
	}
	out := b.outcome(resp, body)
	if out.Status != http.StatusOK || out.State != state {
		t.Fatalf("logout return %+v", out)
	}
	var ended []*saml.Session
	s.idp.set(func(ti *testIdP) { ended = ti.ended })
	if len(ended) != 1 || ended[0].UserCommonName != "Mario" {
		t.Fatalf("sessions ended at the IdP: %v", ended)
	}
	lastURL := resp.Request.URL.String()

	t.Run("Replayed", func(t *testing.T) {
		// The LogoutResponse answered a request of this browser, whose cookie is gone.
		resp, body := b.get(lastURL)
		wantRefused(t, b.outcome(resp, body), procedo.EFORBIDDEN)
	})

	t.Run("OtherBrowser", func(t *testing.T) {
		b2 := newBrowser(t, "")
		wantRefused(t, b2.outcome(b2.get(lastURL)), procedo.EFORBIDDEN)
	})

	t.Run("AnswerToAnotherRequest", func(t *testing.T) {
		// A browser with its own logout in progress gets the response to another one.
		b2 := newBrowser(t, "")
		acs, form := s.authenticate(t, b2, "mario")
		o := b2.outcome(b2.post(acs, form))
		stop := newBrowser(t, s.rp.url("/accedi/p/uscita"))
		stop.c.Jar = b2.c.Jar
		resp, _ := stop.get(s.rp.url("/accedi/p/esci?logout=" + url.QueryEscape(o.Logout) + "&state=" + state))
		if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("IdP answered %s", resp.Status)
		}
		o2 := stop.outcome(stop.get(lastURL))
		wantRefused(t, o2, procedo.EUNAUTHORIZED)
		if !strings.Contains(o2.Cause, "InResponseTo") {
			t.Fatalf("refused for %s", o2.Cause)
		}
	})
}
