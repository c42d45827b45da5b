// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package identity_test

import (
	"bytes"
	"compress/flate"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"html/template"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
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
	// participants are the service providers each session (by ID) logged
	// in to, for IdP-initiated logout.
	participants map[string][]saml.SessionParticipant
	// spSLOBinding, if set, keeps only the SP's SingleLogoutServices with
	// this binding: the IdP sends its LogoutRequest with it.
	spSLOBinding string
}

// AddSessionParticipant implements saml.SessionParticipantTracker.
func (ti *testIdP) AddSessionParticipant(_ *http.Request, session *saml.Session, p saml.SessionParticipant) error {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	if ti.participants == nil {
		ti.participants = map[string][]saml.SessionParticipant{}
	}
	ti.participants[session.ID] = append(ti.participants[session.ID], p)
	return nil
}

// SessionParticipants implements saml.SessionParticipantTracker.
func (ti *testIdP) SessionParticipants(_ *http.Request, match func(*saml.Session) bool) ([]saml.SessionParticipant, error) {
	ti.mu.Lock()
	defer ti.mu.Unlock()
	var out []saml.SessionParticipant
	for _, s := range ti.sessions {
		if match(s) {
			out = append(out, ti.participants[s.ID]...)
		}
	}
	return out, nil
}

// lastSession returns the last session the IdP gave out.
func (ti *testIdP) lastSession(t *testing.T) *saml.Session {
	t.Helper()
	ti.mu.Lock()
	defer ti.mu.Unlock()
	if len(ti.sessions) == 0 {
		t.Fatal("the IdP gave out no session")
	}
	return ti.sessions[len(ti.sessions)-1]
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
	// The citizen logs out at the IdP: IdP-initiated single logout of the
	// session ?id=, to every service provider it was used for.
	mux.HandleFunc("GET /esci", func(w http.ResponseWriter, r *http.Request) {
		var session *saml.Session
		ti.set(func(ti *testIdP) {
			for _, s := range ti.sessions {
				if s.ID == r.URL.Query().Get("id") {
					session = s
				}
			}
		})
		if session == nil {
			http.NotFound(w, r)
			return
		}
		ti.idp.StartLogout(w, r, session, "")
	})
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
	if ti.spSLOBinding != "" {
		for i := range ed.SPSSODescriptors {
			d := &ed.SPSSODescriptors[i]
			d.SingleLogoutServices = slices.DeleteFunc(d.SingleLogoutServices, func(e saml.Endpoint) bool { return e.Binding != ti.spSLOBinding })
		}
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

// sloRP is a relying party that keeps sessions the way package web does,
// for IdP-initiated single logout: the ACS starts a session (answering with
// its id as JSON), the logout URL ends those a valid LogoutRequest names
// and answers the IdP (a redirect, or a plain HTML form to post).
type sloRP struct {
	t   *testing.T
	srv *httptest.Server
	idp *testIdP
	cfg identity.SAMLConfig
	sp  *identity.SAML

	mu       sync.Mutex
	sessions map[string]string // session id → logout data (CallbackSession)
	ended    []string          // session ids ended by a LogoutRequest
}

var sloFormPage = template.Must(template.New("").Parse(`<!doctype html><title>Uscita</title>
<form method="post" action="{{.URL}}">{{range $k, $v := .Form}}<input type="hidden" name="{{$k}}" value="{{index $v 0}}">{{end}}<button>Continua</button></form>`))

// newSLORP starts an IdP (changed by idpChange before its metadata is read)
// and a relying party registered with it.
func newSLORP(t *testing.T, idpChange func(*testIdP)) *sloRP {
	t.Helper()
	ti := newTestIdP(t)
	if idpChange != nil {
		idpChange(ti)
	}
	h := &sloRP{t: t, idp: ti, sessions: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /accedi/p", func(w http.ResponseWriter, r *http.Request) {
		if err := h.sp.Start(w, r, randomState()); err != nil {
			writeOutcome(w, nil, "", err)
		}
	})
	mux.HandleFunc("POST /accedi/p/acs", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		c, _, logout, err := h.sp.CallbackSession(r)
		if err != nil {
			writeOutcome(w, nil, "", err)
			return
		}
		id := randomState()
		h.mu.Lock()
		h.sessions[id] = logout
		h.mu.Unlock()
		writeOutcomeLogout(w, c, id, logout, nil)
	})
	uscita := func(w http.ResponseWriter, r *http.Request) {
		if !h.sp.IsProviderLogoutRequest(r) {
			http.Error(w, "not a LogoutRequest", http.StatusBadRequest)
			return
		}
		req, err := h.sp.ProviderLogoutRequest(r)
		if err != nil {
			writeOutcome(w, nil, "", err)
			return
		}
		h.mu.Lock()
		for id, logout := range h.sessions {
			if h.sp.LogoutSubject(logout) == req.Subject && req.Matches(logout) {
				delete(h.sessions, id)
				h.ended = append(h.ended, id)
			}
		}
		h.mu.Unlock()
		ans, err := h.sp.AnswerProviderLogout(r.Context(), req, true)
		if err != nil {
			writeOutcome(w, nil, "", err)
			return
		}
		if ans.Form == nil {
			http.Redirect(w, r, ans.URL, http.StatusSeeOther)
			return
		}
		_ = sloFormPage.Execute(w, ans)
	}
	mux.HandleFunc("GET /accedi/p/uscita", uscita)
	mux.HandleFunc("POST /accedi/p/uscita", uscita)
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	kp := testKey(t, 3)
	h.cfg = identity.SAMLConfig{ID: "p", Label: "Entra con SPID", IdPMetadataXML: ti.metadataXML(t),
		EntityID: h.srv.URL + "/accedi/p/metadata", ACSURL: h.srv.URL + "/accedi/p/acs", Key: kp.keyPEM, Certificate: kp.certPEM}
	sp, err := identity.NewSAML(h.cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.sp = sp
	_, md, err := sp.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	ti.set(func(ti *testIdP) { ti.spMetadata, ti.spCert = md, kp.cert.Raw })
	return h
}

// login logs username in with browser b and returns the rp's session id,
// its logout data, and the IdP's session.
func (h *sloRP) login(b *browser, username string) (string, string, *saml.Session) {
	t := h.t
	t.Helper()
	resp, page := b.get(h.srv.URL + "/accedi/p")
	action, form := parseForm(t, page)
	form.Set("username", username)
	resp, page = b.post(resp.Request.URL.ResolveReference(mustURL(t, action)).String(), form)
	action, form = parseForm(t, page)
	o := b.outcome(b.post(action, form))
	if o.Status != http.StatusOK || o.State == "" || o.Logout == "" {
		t.Fatalf("login: %+v", o)
	}
	return o.State, o.Logout, h.idp.lastSession(t)
}

// idpURL returns the test IdP's URL for path (on localhost, as its metadata says).
func (h *sloRP) idpURL(path string) string { return localhost(h.idp.srv.URL) + path }

func (h *sloRP) alive(id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.sessions[id]
	return ok
}

// samlMessage decodes a SAMLRequest or SAMLResponse of the HTTP-Redirect
// binding (deflated) or of the HTTP-POST binding (plain).
func samlMessage(t *testing.T, v string, deflated bool) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		t.Fatal(err)
	}
	if deflated {
		if b, err = io.ReadAll(flate.NewReader(bytes.NewReader(b))); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func TestSAML_ProviderLogout(t *testing.T) {
	h := newSLORP(t, nil)
	b := newBrowser(t, "")
	mario, _, idpSession := h.login(b, "mario")
	other, _, _ := h.login(newBrowser(t, ""), "mario") // another login of Mario, another IdP session
	lucia, _, _ := h.login(newBrowser(t, ""), "lucia")

	// Mario logs out at the IdP, which sends procedo a signed LogoutRequest
	// (HTTP-Redirect binding) through the browser.
	b.stopAt = h.srv.URL + "/accedi/p/uscita"
	resp, body := b.get(h.idpURL("/esci?id=") + idpSession.ID)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("IdP logout: %s %s", resp.Status, body)
	}
	reqURL := mustURL(t, resp.Header.Get("Location"))
	q := reqURL.Query()
	if q.Get("SigAlg") == "" || q.Get("Signature") == "" {
		t.Fatalf("the IdP's request is not signed: %s", reqURL)
	}
	var lr saml.LogoutRequest
	if err := xml.Unmarshal(samlMessage(t, q.Get("SAMLRequest"), true), &lr); err != nil {
		t.Fatal(err)
	}
	// procedo ends the session and answers, signed, to the IdP.
	b.stopAt = h.idpURL("/slo")
	resp, body = b.get(reqURL.String())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout request: %s %s", resp.Status, body)
	}
	if h.alive(mario) || !h.alive(other) || !h.alive(lucia) {
		t.Fatalf("sessions after logout: %v ended %v", h.sessions, h.ended)
	}
	ansURL := mustURL(t, resp.Header.Get("Location"))
	aq := ansURL.Query()
	if aq.Get("SigAlg") != dsig.RSASHA256SignatureMethod || aq.Get("Signature") == "" || aq.Get("SAMLResponse") == "" {
		t.Fatalf("answer not signed: %s", ansURL)
	}
	var lresp saml.LogoutResponse
	if err := xml.Unmarshal(samlMessage(t, aq.Get("SAMLResponse"), true), &lresp); err != nil {
		t.Fatal(err)
	}
	if lresp.InResponseTo != lr.ID || lresp.Status.StatusCode.Value != saml.StatusSuccess || lresp.Issuer == nil ||
		lresp.Issuer.Value != h.cfg.EntityID || lresp.Issuer.NameQualifier != h.cfg.EntityID || lresp.Destination != h.idpURL("/slo") {
		t.Fatalf("LogoutResponse %+v", lresp)
	}
	// The IdP checks the answer (signature with the SP metadata's key,
	// InResponseTo, destination) and reports no failure.
	b.stopAt = ""
	resp, body = b.get(ansURL.String())
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "You have been logged out") || strings.Contains(body, "could not be confirmed") {
		t.Fatalf("IdP after the answer: %s %s", resp.Status, body)
	}

	t.Run("Replayed", func(t *testing.T) {
		b := newBrowser(t, h.idpURL(""))
		o := b.outcome(b.get(reqURL.String()))
		wantRefused(t, o, procedo.EUNAUTHORIZED)
		if !strings.Contains(o.Cause, "already been used") && !strings.Contains(o.Cause, "replay") {
			t.Fatalf("refused for %s", o.Cause)
		}
	})
}

func TestSAML_ProviderLogoutPOST(t *testing.T) {
	// An IdP that sends its LogoutRequest with the HTTP-POST binding
	// (enveloped signature) and takes answers only with it, at its
	// ResponseLocation.
	h := newSLORP(t, func(ti *testIdP) {
		ti.idp.LogoutBindings = []string{saml.HTTPPostBinding}
		ti.spSLOBinding = saml.HTTPPostBinding
	})
	// The metadata sends requests to /slo-richieste, answers to /slo.
	ed := h.idp.idp.Metadata()
	for i := range ed.IDPSSODescriptors[0].SingleLogoutServices {
		e := &ed.IDPSSODescriptors[0].SingleLogoutServices[i]
		e.ResponseLocation, e.Location = e.Location, h.idpURL("/slo-richieste")
	}
	md, err := xml.Marshal(ed)
	if err != nil {
		t.Fatal(err)
	}
	h.cfg.IdPMetadataXML = string(md)
	if h.sp, err = identity.NewSAML(h.cfg); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, "")
	mario, _, idpSession := h.login(b, "mario")
	resp, page := b.get(h.idpURL("/esci?id=") + idpSession.ID)
	action, form := parseForm(t, page)
	if resp.StatusCode != http.StatusOK || action != h.srv.URL+"/accedi/p/uscita" || form.Get("SAMLRequest") == "" {
		t.Fatalf("IdP logout: %s %s", resp.Status, page)
	}
	var lr saml.LogoutRequest
	if err := xml.Unmarshal(samlMessage(t, form.Get("SAMLRequest"), false), &lr); err != nil {
		t.Fatal(err)
	}
	resp, page = b.post(action, form)
	if h.alive(mario) {
		t.Fatal("the session survives the IdP's logout")
	}
	action, ans := parseForm(t, page)
	if resp.StatusCode != http.StatusOK || action != h.idpURL("/slo") {
		t.Fatalf("answer: %s %s", resp.Status, page)
	}
	raw := samlMessage(t, ans.Get("SAMLResponse"), false)
	var lresp saml.LogoutResponse
	if err := xml.Unmarshal(raw, &lresp); err != nil {
		t.Fatal(err)
	}
	if lresp.InResponseTo != lr.ID || lresp.Status.StatusCode.Value != saml.StatusSuccess || !bytes.Contains(raw, []byte("<ds:SignatureValue")) {
		t.Fatalf("LogoutResponse %s", raw)
	}
	resp, page = b.post(action, ans)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "You have been logged out") || strings.Contains(page, "could not be confirmed") {
		t.Fatalf("IdP after the answer: %s %s", resp.Status, page)
	}
}

// idpLogoutRequest is a LogoutRequest as the test IdP would send it for the
// login logout (a rp session's logout data), to h's logout URL.
func (h *sloRP) idpLogoutRequest(t *testing.T, logout string) *saml.LogoutRequest {
	t.Helper()
	var sess struct {
		NameID       string `json:"n"`
		Format       string `json:"f"`
		Qualifier    string `json:"q"`
		SPQualifier  string `json:"s"`
		SessionIndex string `json:"i"`
	}
	if err := json.Unmarshal([]byte(logout), &sess); err != nil {
		t.Fatal(err)
	}
	return &saml.LogoutRequest{ID: "id-" + randomState(), Version: "2.0", IssueInstant: time.Now().UTC(),
		Destination:  h.srv.URL + "/accedi/p/uscita",
		Issuer:       &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: h.idp.idp.MetadataURL.String()},
		NameID:       &saml.NameID{Value: sess.NameID, Format: sess.Format, NameQualifier: sess.Qualifier, SPNameQualifier: sess.SPQualifier},
		SessionIndex: &saml.SessionIndex{Value: sess.SessionIndex}}
}

// signer is a ServiceProvider used only to sign messages with key i.
func signer(t *testing.T, i int) *saml.ServiceProvider {
	kp := testKey(t, i)
	return &saml.ServiceProvider{Key: kp.key, Certificate: kp.cert, SignatureMethod: dsig.RSASHA256SignatureMethod}
}

func TestSAML_ProviderLogoutRefused(t *testing.T) {
	h := newSLORP(t, nil)
	mario, logout, _ := h.login(newBrowser(t, ""), "mario")
	idpKey := 2 // the test IdP's key

	// redirect sends req with the HTTP-Redirect binding, signed with key
	// (no signature if key < 0).
	redirect := func(t *testing.T, req *saml.LogoutRequest, key int) outcome {
		t.Helper()
		var u *url.URL
		if key < 0 {
			u = req.Redirect("")
		} else {
			var err error
			if u, err = signer(t, key).RedirectLogoutRequestURL(req, ""); err != nil {
				t.Fatal(err)
			}
		}
		// Whatever its Destination says, the request comes to our logout URL.
		our := mustURL(t, h.srv.URL+"/accedi/p/uscita")
		u.Scheme, u.Host, u.Path = our.Scheme, our.Host, our.Path
		b := newBrowser(t, h.idpURL(""))
		return b.outcome(b.get(u.String()))
	}
	// postRaw sends req with the HTTP-POST binding, signed with key (no
	// signature if key < 0); post reads the rp's outcome.
	postRaw := func(t *testing.T, req *saml.LogoutRequest, key int) (*http.Response, string) {
		t.Helper()
		if key >= 0 {
			if err := signer(t, key).SignLogoutRequest(req); err != nil {
				t.Fatal(err)
			}
		}
		doc := etree.NewDocument()
		doc.SetRoot(req.Element())
		raw, err := doc.WriteToBytes()
		if err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, h.idpURL(""))
		return b.post(h.srv.URL+"/accedi/p/uscita", url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(raw)}})
	}
	post := func(t *testing.T, req *saml.LogoutRequest, key int) outcome {
		t.Helper()
		resp, body := postRaw(t, req, key)
		var o outcome
		if err := json.Unmarshal([]byte(body), &o); err != nil {
			t.Fatalf("rp answered %s: %q", resp.Status, body)
		}
		return o
	}

	for _, tc := range []struct {
		name   string
		change func(*saml.LogoutRequest)
		key    int
		cause  string
	}{
		{"Unsigned", nil, -1, "Signature"},
		{"WrongSignature", nil, 1, "signature"},
		{"WrongIssuer", func(r *saml.LogoutRequest) { r.Issuer.Value = "https://idp.altro.example.it/metadata" }, idpKey, "issuer"},
		{"WrongDestination", func(r *saml.LogoutRequest) { r.Destination = "https://altro.example.it/accedi/p/uscita" }, idpKey, "Destination"},
		{"Expired", func(r *saml.LogoutRequest) { r.IssueInstant = time.Now().Add(-10 * time.Minute).UTC() }, idpKey, "expired"},
		{"FromTheFuture", func(r *saml.LogoutRequest) { r.IssueInstant = time.Now().Add(10 * time.Minute).UTC() }, idpKey, "future"},
		{"NotOnOrAfterPast", func(r *saml.LogoutRequest) {
			past := time.Now().Add(-10 * time.Minute).UTC()
			r.NotOnOrAfter = &past
		}, idpKey, "expired"},
	} {
		for _, binding := range []string{"Redirect", "POST"} {
			t.Run(tc.name+binding, func(t *testing.T) {
				req := h.idpLogoutRequest(t, logout)
				if tc.change != nil {
					tc.change(req)
				}
				send := redirect
				if binding == "POST" {
					send = post
				}
				o := send(t, req, tc.key)
				wantRefused(t, o, procedo.EUNAUTHORIZED)
				if !strings.Contains(strings.ToLower(o.Cause), strings.ToLower(tc.cause)) {
					t.Fatalf("refused for %s", o.Cause)
				}
				if !h.alive(mario) {
					t.Fatal("a refused request ended the session")
				}
			})
		}
	}

	t.Run("OtherSessionIndex", func(t *testing.T) {
		// Valid, but for another login of the same NameID: nothing ends.
		req := h.idpLogoutRequest(t, logout)
		req.SessionIndex = &saml.SessionIndex{Value: "altra-sessione"}
		b := newBrowser(t, h.idpURL(""))
		u, err := signer(t, idpKey).RedirectLogoutRequestURL(req, "stato-idp")
		if err != nil {
			t.Fatal(err)
		}
		resp, body := b.get(u.String())
		if resp.StatusCode != http.StatusSeeOther || !h.alive(mario) {
			t.Fatalf("got %s %s", resp.Status, body)
		}
		if loc := mustURL(t, resp.Header.Get("Location")); loc.Query().Get("RelayState") != "stato-idp" {
			t.Fatalf("RelayState not sent back: %s", loc)
		}
	})

	t.Run("OKWithPOST", func(t *testing.T) {
		resp, body := postRaw(t, h.idpLogoutRequest(t, logout), idpKey)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), h.idpURL("/slo?SAMLResponse=")) || h.alive(mario) {
			t.Fatalf("got %s %v %s", resp.Status, resp.Header, body)
		}
	})
}
