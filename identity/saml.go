// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package identity

import (
	"compress/flate"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/procedo/procedo"
)

// SAMLConfig configures a SAML 2.0 service provider for SPID (or CIE) with
// one identity provider. In a tenant's stored configuration it is the JSON
// object of the provider, with the keys given below; ID and Label come from
// the provider's row.
type SAMLConfig struct {
	ID    string `json:"-"` // provider id, in URLs (/accedi/{ID})
	Label string `json:"-"` // button label

	// IdPMetadataXML is the identity provider's metadata, pasted by the
	// administrator. Either it or IdPMetadataURL is required.
	IdPMetadataXML string `json:"idp_metadata_xml,omitempty"`
	// IdPMetadataURL is where the metadata is downloaded from, on first use
	// and then daily (e.g. the SPID registry's aggregate). Whoever controls
	// the metadata decides who can log in, so IdPMetadataSigner is required
	// with it.
	IdPMetadataURL string `json:"idp_metadata_url,omitempty"`
	// IdPMetadataSigner is the PEM certificate that signs downloaded
	// metadata (for SPID, AgID's).
	IdPMetadataSigner string `json:"idp_metadata_signer,omitempty"`
	// IdPEntityID picks the identity provider in an aggregate of many
	// (an EntitiesDescriptor); empty needs metadata with a single one.
	IdPEntityID string `json:"idp_entity_id,omitempty"`

	// EntityID is this service provider's entity id, usually the URL of
	// its metadata, https://HOST/accedi/{ID}/metadata.
	EntityID string `json:"entity_id"`
	// ACSURL is the assertion consumer service, https://HOST/accedi/{ID}/acs,
	// which receives the IdP's answer with the HTTP-POST binding.
	ACSURL string `json:"acs_url"`
	// LogoutURL is the Single Logout service, https://HOST/accedi/{ID}/uscita,
	// which receives the IdP's LogoutResponse and, when the IdP starts the
	// logout, its LogoutRequest (HTTP-Redirect or HTTP-POST binding); empty
	// means ACSURL with "uscita" in place of its last segment.
	LogoutURL string `json:"logout_url,omitempty"`
	// Key is the PEM RSA private key (at least 2048 bits) that signs the
	// AuthnRequests and the metadata; Certificate is its PEM certificate.
	Key         string `json:"key"`
	Certificate string `json:"certificate"`
	// SPIDLevel is the least SPID level accepted (1, 2 or 3), asked for
	// with AuthnContextClassRef https://www.spid.gov.it/SpidL{n} and
	// Comparison "minimum"; 0 means 2.
	SPIDLevel int `json:"spid_level,omitempty"`

	// OrganizationName, OrganizationURL, IPACode and ContactEmail go in the
	// published metadata (md:Organization, md:ContactPerson with the SPID
	// extensions); optional.
	OrganizationName string `json:"organization_name,omitempty"`
	OrganizationURL  string `json:"organization_url,omitempty"`
	IPACode          string `json:"ipa_code,omitempty"`
	ContactEmail     string `json:"contact_email,omitempty"`

	// HTTPClient downloads IdPMetadataURL; nil means a 10-second-timeout client.
	HTTPClient *http.Client `json:"-"`
}

// SPID authentication levels, as AuthnContextClassRef values.
const spidLevelPrefix = "https://www.spid.gov.it/SpidL"

// metadataRefresh is how often downloaded IdP metadata is read again.
const metadataRefresh = 24 * time.Hour

// samlAttributes are the SPID attributes procedo asks for, in the metadata's
// AttributeConsumingService, and reads from the assertion.
var samlAttributes = []string{"fiscalNumber", "name", "familyName", "email"}

// SAML is a SAML 2.0 service provider for SPID: AuthnRequest signed with the
// HTTP-Redirect binding, Response received with the HTTP-POST binding at the
// ACS, assertions required to be signed by the IdP, answering our request
// (InResponseTo, bound to the browser by a cookie) and used only once, at
// the requested SPID level or above.
type SAML struct {
	cfg       SAMLConfig
	key       *rsa.PrivateKey
	cert      *x509.Certificate
	signer    []*x509.Certificate // IdPMetadataSigner
	acs       *url.URL
	slo       *url.URL
	entityID  *url.URL
	level     int
	cookie    flowCookie
	sloCookie flowCookie
	replay    *replayCache

	mu       sync.Mutex
	idp      *saml.EntityDescriptor // nil until loaded
	loadedAt time.Time
	failedAt time.Time
	failure  error
}

var _ procedo.IdentityProvider = (*SAML)(nil)

// NewSAML checks cfg and returns the service provider. It parses inline IdP
// metadata at once; a metadata URL is downloaded on first use. EINVALID with
// field errors naming the wrong settings.
func NewSAML(cfg SAMLConfig) (*SAML, error) {
	fe := procedo.FieldErrors{}
	s := &SAML{cfg: cfg, level: cfg.SPIDLevel, replay: newReplayCache()}
	if s.level == 0 {
		s.level = 2
	}
	if s.level < 1 || s.level > 3 {
		fe.Add("spid_level", "Il livello SPID (spid_level) deve essere 1, 2 o 3.")
	}
	var err error
	if s.acs, err = url.Parse(cfg.ACSURL); err != nil || (s.acs.Scheme != "https" && s.acs.Scheme != "http") || s.acs.Host == "" {
		fe.Add("acs_url", "L'indirizzo dell'Assertion Consumer Service (acs_url) deve essere un URL assoluto, https://…/accedi/ID/acs.")
	}
	switch {
	case cfg.LogoutURL != "":
		if s.slo, err = url.Parse(cfg.LogoutURL); err != nil || !isHTTPURL(cfg.LogoutURL) {
			fe.Add("logout_url", "L'indirizzo del Single Logout (logout_url) deve essere un URL assoluto, https://…/accedi/ID/uscita.")
		}
	case s.acs != nil:
		s.slo = s.acs.JoinPath("..", "uscita")
	}
	if s.entityID, err = url.Parse(cfg.EntityID); err != nil || cfg.EntityID == "" {
		fe.Add("entity_id", "Manca l'entity ID del service provider (entity_id), di solito https://…/accedi/ID/metadata.")
	}
	if s.key, err = parseRSAKey(cfg.Key); err != nil {
		fe.Add("key", "La chiave privata (key) non è valida: serve una chiave RSA di almeno 2048 bit in formato PEM.")
	}
	if s.cert, err = parseCertificate(cfg.Certificate); err != nil {
		fe.Add("certificate", "Il certificato (certificate) non è valido: serve un certificato X.509 in formato PEM.")
	} else if s.key != nil && !s.key.PublicKey.Equal(s.cert.PublicKey) {
		fe.Add("certificate", "Il certificato non corrisponde alla chiave privata.")
	}
	switch {
	case cfg.IdPMetadataXML != "" && cfg.IdPMetadataURL != "":
		fe.Add("idp_metadata_url", "Indica i metadati dell'identity provider (idp_metadata_xml) oppure il loro indirizzo (idp_metadata_url), non entrambi.")
	case cfg.IdPMetadataXML != "":
		if s.idp, err = parseIdPMetadata([]byte(cfg.IdPMetadataXML), cfg.IdPEntityID, nil); err != nil {
			fe.Add("idp_metadata_xml", "I metadati dell'identity provider (idp_metadata_xml) non sono validi: "+err.Error())
		}
	case cfg.IdPMetadataURL != "":
		if u, err := url.Parse(cfg.IdPMetadataURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			fe.Add("idp_metadata_url", "L'indirizzo dei metadati (idp_metadata_url) non è un URL.")
		}
		if c, err := parseCertificate(cfg.IdPMetadataSigner); err != nil {
			fe.Add("idp_metadata_signer", "Con idp_metadata_url serve il certificato PEM che firma i metadati (idp_metadata_signer).")
		} else {
			s.signer = []*x509.Certificate{c}
		}
	default:
		fe.Add("idp_metadata_xml", "Mancano i metadati dell'identity provider (idp_metadata_xml oppure idp_metadata_url).")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if s.cfg.HTTPClient == nil {
		s.cfg.HTTPClient = defaultHTTPClient
	}
	s.cookie = flowCookie{name: "procedo_saml_" + cfg.ID, path: s.acs.Path, secure: s.acs.Scheme == "https", crossSite: true}
	s.sloCookie = flowCookie{name: "procedo_slo_" + cfg.ID, path: s.slo.Path, secure: s.slo.Scheme == "https", crossSite: true}
	return s, nil
}

// ID implements procedo.IdentityProvider.
func (s *SAML) ID() string { return s.cfg.ID }

// Label implements procedo.IdentityProvider.
func (s *SAML) Label() string { return s.cfg.Label }

// serviceProvider returns the crewjam/saml service provider for idp (nil
// while the IdP metadata is not known: enough for our own metadata).
func (s *SAML) serviceProvider(idp *saml.EntityDescriptor) *saml.ServiceProvider {
	forceAuthn := s.level > 1 // SPID: levels 2 and 3 require a fresh authentication
	return &saml.ServiceProvider{
		EntityID:                         s.cfg.EntityID,
		Key:                              s.key,
		Certificate:                      s.cert,
		MetadataURL:                      *s.entityID,
		AcsURL:                           *s.acs,
		IDPMetadata:                      idp,
		AuthnNameIDFormat:                saml.TransientNameIDFormat,
		SignatureMethod:                  dsig.RSASHA256SignatureMethod,
		ForceAuthn:                       &forceAuthn,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		RequestedAuthnContext: &saml.RequestedAuthnContext{Comparison: "minimum",
			AuthnContextClassRefs: []string{fmt.Sprintf("%s%d", spidLevelPrefix, s.level)}},
		ValidateAuthnContextClassRef:   true,
		AuthnContextClassRefComparator: spidLevelSatisfies,
		RejectSHA1Signatures:           true,
		ReplayCache:                    s.replay,
		LimitRelayStateLength:          true,
		SloURL:                         *s.slo,
		LogoutBindings:                 []string{saml.HTTPRedirectBinding, saml.HTTPPostBinding},
	}
}

// ready returns a service provider with the IdP's metadata, downloading it
// when needed. EUNAVAILABLE if it cannot be had.
func (s *SAML) ready(ctx context.Context) (*saml.ServiceProvider, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if s.idp != nil && (s.cfg.IdPMetadataURL == "" || now.Sub(s.loadedAt) < metadataRefresh) {
		return s.serviceProvider(s.idp), nil
	}
	if s.failure != nil && now.Sub(s.failedAt) < discoveryRetry {
		if s.idp != nil {
			return s.serviceProvider(s.idp), nil
		}
		return nil, s.failure
	}
	idp, err := s.download(ctx)
	if err != nil {
		s.failedAt, s.failure = now, unavailable(s.cfg.Label, err)
		if s.idp != nil {
			// Keep the metadata we have until a download succeeds.
			return s.serviceProvider(s.idp), nil
		}
		return nil, s.failure
	}
	s.idp, s.loadedAt, s.failure = idp, now, nil
	return s.serviceProvider(idp), nil
}

func (s *SAML) download(ctx context.Context) (*saml.EntityDescriptor, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.IdPMetadataURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("IdP metadata %s: %w", s.cfg.IdPMetadataURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("IdP metadata %s: %s", s.cfg.IdPMetadataURL, resp.Status)
	}
	body, err := readLimited(resp, 16<<20) // the SPID aggregate is a few hundred KB
	if err != nil {
		return nil, fmt.Errorf("IdP metadata %s: %w", s.cfg.IdPMetadataURL, err)
	}
	return parseIdPMetadata(body, s.cfg.IdPEntityID, s.signer)
}

// parseIdPMetadata reads an EntityDescriptor, or the entityID one of an
// EntitiesDescriptor, checking the signature with signers when given.
func parseIdPMetadata(data []byte, entityID string, signers []*x509.Certificate) (*saml.EntityDescriptor, error) {
	var ed *saml.EntityDescriptor
	var err error
	switch {
	case signers != nil && entityID != "":
		ed, err = samlsp.ParseSignedMetadataByEntityID(data, entityID, signers)
	case signers != nil:
		ed, err = samlsp.ParseSignedMetadata(data, signers)
	case entityID != "":
		ed, err = samlsp.ParseMetadataByEntityID(data, entityID)
	default:
		ed, err = samlsp.ParseMetadata(data)
	}
	if err != nil {
		return nil, err
	}
	if len(ed.IDPSSODescriptors) == 0 {
		return nil, errors.New("the metadata describe no identity provider (IDPSSODescriptor)")
	}
	return ed, nil
}

// Start implements procedo.IdentityProvider: it sends the browser to the IdP
// with a signed AuthnRequest (HTTP-Redirect binding) and state as RelayState;
// the request's ID is kept in a cookie bound to state.
func (s *SAML) Start(w http.ResponseWriter, r *http.Request, state string) error {
	sp, err := s.ready(r.Context())
	if err != nil {
		return err
	}
	sso := sp.GetSSOBindingLocation(saml.HTTPRedirectBinding)
	if sso == "" {
		return unavailable(s.cfg.Label, errors.New("the IdP has no HTTP-Redirect SingleSignOnService"))
	}
	req, err := sp.MakeAuthenticationRequest(sso, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return fmt.Errorf("identity: AuthnRequest: %w", err)
	}
	// SPID technical rules: the Issuer names the SP with NameQualifier, and
	// the attributes asked for are those of AttributeConsumingService 0.
	req.Issuer.NameQualifier = s.cfg.EntityID
	req.AttributeConsumingServiceIndex = "0"
	u, err := req.Redirect(state, sp)
	if err != nil {
		return fmt.Errorf("identity: AuthnRequest redirect: %w", err)
	}
	s.cookie.set(w, state+"."+req.ID)
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
	return nil
}

// Callback implements procedo.IdentityProvider for the IdP's POST to the ACS
// (the form must be parsed). It checks the RelayState against the cookie set
// by Start, requires the assertion to carry the IdP's signature, lets
// crewjam/saml verify signatures, issuer, destination, audience, times,
// InResponseTo (our request of this browser), SPID level and single use, and
// maps fiscalNumber, name, familyName and email to the citizen. EFORBIDDEN for
// an answer that does not belong to a login of this browser; EUNAUTHORIZED
// if the IdP refused or its answer is not valid, or carries no valid codice
// fiscale; EUNAVAILABLE without IdP metadata.
func (s *SAML) Callback(r *http.Request) (*procedo.Citizen, string, error) {
	c, state, _, err := s.CallbackSession(r)
	return c, state, err
}

// samlSession is what Single Logout needs of a login: the assertion's
// NameID (with its qualifiers) and SessionIndex.
type samlSession struct {
	NameID          string `json:"n"`
	Format          string `json:"f,omitempty"`
	NameQualifier   string `json:"q,omitempty"`
	SPNameQualifier string `json:"s,omitempty"`
	SessionIndex    string `json:"i,omitempty"`
}

// CallbackSession implements procedo.SingleLogoutProvider: Callback, also
// returning the NameID and SessionIndex that Logout sends to the IdP.
func (s *SAML) CallbackSession(r *http.Request) (*procedo.Citizen, string, string, error) {
	c, state, assertion, err := s.callback(r)
	if err != nil {
		return nil, "", "", err
	}
	var sess samlSession
	if sub := assertion.Subject; sub != nil && sub.NameID != nil {
		sess = samlSession{NameID: sub.NameID.Value, Format: sub.NameID.Format, NameQualifier: sub.NameID.NameQualifier,
			SPNameQualifier: sub.NameID.SPNameQualifier}
	}
	for _, as := range assertion.AuthnStatements {
		if as.SessionIndex != "" {
			sess.SessionIndex = as.SessionIndex
			break
		}
	}
	logout := ""
	if sess.NameID != "" {
		b, err := json.Marshal(sess)
		if err != nil {
			return nil, "", "", err
		}
		logout = string(b)
	}
	return c, state, logout, nil
}

func (s *SAML) callback(r *http.Request) (*procedo.Citizen, string, *saml.Assertion, error) {
	state := r.PostFormValue("RelayState")
	v, ok := s.cookie.get(r)
	if !ok {
		return nil, "", nil, expired()
	}
	want, requestID, _ := strings.Cut(v, ".")
	if state == "" || requestID == "" || subtle.ConstantTimeCompare([]byte(want), []byte(state)) != 1 {
		return nil, "", nil, expired()
	}
	raw, err := base64.StdEncoding.DecodeString(r.PostFormValue("SAMLResponse"))
	if err != nil || len(raw) == 0 {
		return nil, "", nil, refused(s.cfg.Label, errors.New("no SAMLResponse"))
	}
	if err := requireSignedAssertion(raw); err != nil {
		return nil, "", nil, refused(s.cfg.Label, err)
	}
	sp, err := s.ready(r.Context())
	if err != nil {
		return nil, "", nil, err
	}
	assertion, err := sp.ParseXMLResponse(raw, []string{requestID}, *s.acs)
	if err != nil {
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) {
			err = fmt.Errorf("%w: %w", err, ire.PrivateErr)
		}
		var status saml.ErrBadStatus
		if errors.As(err, &status) {
			return nil, "", nil, &procedo.Error{Code: procedo.EUNAUTHORIZED, Err: err,
				Message: "Accesso non completato: il gestore dell'identità ha annullato o negato l'autenticazione."}
		}
		return nil, "", nil, refused(s.cfg.Label, err)
	}
	attrs := map[string]string{}
	for _, st := range assertion.AttributeStatements {
		for _, a := range st.Attributes {
			if _, seen := attrs[a.Name]; !seen && len(a.Values) > 0 {
				attrs[a.Name] = strings.TrimSpace(a.Values[0].Value)
			}
		}
	}
	c, err := identityAttributes{FiscalNumber: attrs["fiscalNumber"], GivenName: attrs["name"],
		FamilyName: attrs["familyName"], Email: attrs["email"]}.citizen(s.cfg.ID)
	if err != nil {
		return nil, "", nil, err
	}
	return c, state, assertion, nil
}

// requireSignedAssertion checks that the Response holds exactly one plain
// Assertion and that it carries an XML signature of its own (SPID requires
// signed assertions; crewjam/saml would also accept an unsigned assertion in
// a signed Response). Whether the signature is valid is checked afterwards
// by crewjam/saml, which verifies every signature that is present.
func requireSignedAssertion(raw []byte) error {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		return fmt.Errorf("SAMLResponse: %w", err)
	}
	root := doc.Root()
	if root == nil || root.Tag != "Response" || root.NamespaceURI() != "urn:oasis:names:tc:SAML:2.0:protocol" {
		return errors.New("SAMLResponse is not a samlp:Response")
	}
	var assertions []*etree.Element
	for _, el := range root.ChildElements() {
		if el.NamespaceURI() == "urn:oasis:names:tc:SAML:2.0:assertion" && (el.Tag == "Assertion" || el.Tag == "EncryptedAssertion") {
			if el.Tag == "EncryptedAssertion" {
				return errors.New("encrypted assertions are not used by SPID and not accepted")
			}
			assertions = append(assertions, el)
		}
	}
	if len(assertions) != 1 {
		return fmt.Errorf("the Response holds %d assertions, not 1", len(assertions))
	}
	for _, el := range assertions[0].ChildElements() {
		if el.Tag == "Signature" && el.NamespaceURI() == dsig.Namespace {
			return nil
		}
	}
	return errors.New("the assertion is not signed")
}

// spidLevelSatisfies compares SPID levels for Comparison "minimum".
func spidLevelSatisfies(comparison string, requested []string, got string) bool {
	if comparison != "minimum" || len(requested) == 0 {
		return false
	}
	want := 4
	for _, r := range requested {
		want = min(want, spidLevel(r))
	}
	return want >= 1 && spidLevel(got) >= want
}

func spidLevel(classRef string) int {
	switch classRef {
	case spidLevelPrefix + "1":
		return 1
	case spidLevelPrefix + "2":
		return 2
	case spidLevelPrefix + "3":
		return 3
	}
	return 0
}

// Metadata returns the service provider's metadata, signed with its key:
// entity id, signing certificate, ACS (HTTP-POST, index 0), the SPID
// attributes asked for (AttributeConsumingService 0), and, when configured,
// Organization and the SPID ContactPerson. Serve it at
// GET /accedi/{ID}/metadata and register it with the IdP or federation.
func (s *SAML) Metadata() (contentType string, body []byte, err error) {
	sp := s.serviceProvider(nil)
	ed := sp.Metadata()
	ed.ID = "_" + hex.EncodeToString([]byte(randomString(15)))
	ssod := &ed.SPSSODescriptors[0]
	// SPID signs, it does not encrypt: publish the signing key only.
	ssod.KeyDescriptors = []saml.KeyDescriptor{{Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
		X509Certificates: []saml.X509Certificate{{Data: base64.StdEncoding.EncodeToString(s.cert.Raw)}}}}}}
	yes := true
	ssod.AssertionConsumerServices = []saml.IndexedEndpoint{{Binding: saml.HTTPPostBinding, Location: s.acs.String(), Index: 0, IsDefault: &yes}}
	acs := saml.AttributeConsumingService{Index: 0, IsDefault: &yes,
		ServiceNames: []saml.LocalizedName{{Lang: "it", Value: s.cfg.Label}}}
	for _, name := range samlAttributes {
		acs.RequestedAttributes = append(acs.RequestedAttributes, saml.RequestedAttribute{
			Attribute: saml.Attribute{Name: name, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"}})
	}
	ssod.AttributeConsumingServices = []saml.AttributeConsumingService{acs}
	if s.cfg.OrganizationName != "" {
		ed.Organization = &saml.Organization{
			OrganizationNames:        []saml.LocalizedName{{Lang: "it", Value: s.cfg.OrganizationName}},
			OrganizationDisplayNames: []saml.LocalizedName{{Lang: "it", Value: s.cfg.OrganizationName}},
			OrganizationURLs:         []saml.LocalizedURI{{Lang: "it", Value: s.cfg.OrganizationURL}},
		}
	}
	buf, err := xml.Marshal(ed)
	if err != nil {
		return "", nil, err
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(buf); err != nil {
		return "", nil, err
	}
	root := doc.Root()
	if s.cfg.IPACode != "" {
		// SPID ContactPerson of a public administration (Avviso SPID n. 29 v3).
		cp := root.CreateElement("ContactPerson")
		cp.CreateAttr("contactType", "other")
		ext := cp.CreateElement("Extensions")
		ext.CreateAttr("xmlns:spid", "https://spid.gov.it/saml-extensions")
		ext.CreateElement("spid:IPACode").SetText(s.cfg.IPACode)
		ext.CreateElement("spid:Public")
		if s.cfg.ContactEmail != "" {
			cp.CreateElement("EmailAddress").SetText(s.cfg.ContactEmail)
		}
	}
	sc, err := saml.GetSigningContext(sp)
	if err != nil {
		return "", nil, err
	}
	sig, err := sc.ConstructSignature(root, true)
	if err != nil {
		return "", nil, fmt.Errorf("identity: sign SP metadata: %w", err)
	}
	// The metadata schema wants ds:Signature first; the enveloped-signature
	// transform leaves it out of the digest, so its place does not matter to it.
	root.InsertChildAt(0, sig)
	body, err = doc.WriteToBytes()
	return "application/samlmetadata+xml", body, err
}

// replayCache remembers the IDs of accepted assertions until they expire, so
// that each is accepted once by this server. (With several servers, a
// replayed answer also fails because its request ID was bound to the
// browser that made the request, and that login is over.)
type replayCache struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func newReplayCache() *replayCache { return &replayCache{seen: map[string]time.Time{}} }

// Consume implements saml.AssertionReplayCache.
func (c *replayCache) Consume(id string, until time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	for k, t := range c.seen {
		if now.After(t) {
			delete(c.seen, k)
		}
	}
	if _, ok := c.seen[id]; ok {
		return saml.ErrAssertionReplayed
	}
	c.seen[id] = until
	return nil
}

func parseRSAKey(s string) (*rsa.PrivateKey, error) {
	k, _, err := parsePrivateKey(s)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return rk, nil
}

func parseCertificate(s string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM certificate")
	}
	return x509.ParseCertificate(block.Bytes)
}

// readLimited reads a response body of at most limit bytes.
func readLimited(resp *http.Response, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("larger than %d bytes", limit)
	}
	return b, err
}

var _ procedo.SingleLogoutProvider = (*SAML)(nil)

// Logout implements procedo.SingleLogoutProvider with SAML Single Logout:
// a LogoutRequest for the NameID and SessionIndex of the login, signed, to
// the IdP's SingleLogoutService with the HTTP-Redirect binding and state
// as RelayState; the request's ID is kept in a cookie bound to state, for
// LogoutReturn. ENOTFOUND if the IdP has no HTTP-Redirect
// SingleLogoutService.
func (s *SAML) Logout(w http.ResponseWriter, r *http.Request, logout, state string) error {
	var sess samlSession
	if err := json.Unmarshal([]byte(logout), &sess); err != nil || sess.NameID == "" {
		return procedo.Errorf(procedo.ENOTFOUND, "Non ci sono dati per uscire dal gestore dell'identità.")
	}
	sp, err := s.ready(r.Context())
	if err != nil {
		return err
	}
	slo := sp.GetSLOBindingLocation(saml.HTTPRedirectBinding)
	if slo == "" {
		return procedo.Errorf(procedo.ENOTFOUND, "Il gestore dell'identità non offre l'uscita dai suoi servizi.")
	}
	req, err := sp.MakeLogoutRequest(slo, sess.NameID, func(req *saml.LogoutRequest) {
		if sess.Format != "" {
			req.NameID.Format = sess.Format
		}
		if sess.NameQualifier != "" {
			req.NameID.NameQualifier = sess.NameQualifier
		}
		req.NameID.SPNameQualifier = sess.SPNameQualifier
		// SPID: the Issuer names the SP with NameQualifier.
		req.Issuer.NameQualifier = s.cfg.EntityID
	}, saml.WithSessionIndexes(sess.SessionIndex))
	if err != nil {
		return fmt.Errorf("identity: LogoutRequest: %w", err)
	}
	u, err := sp.RedirectLogoutRequestURL(req, state)
	if err != nil {
		return fmt.Errorf("identity: LogoutRequest redirect: %w", err)
	}
	s.sloCookie.set(w, state+"."+req.ID)
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
	return nil
}

// LogoutReturn implements procedo.SingleLogoutProvider for the IdP's
// LogoutResponse at LogoutURL (HTTP-Redirect or HTTP-POST binding): it
// must be signed by the IdP, sent to LogoutURL, answer the LogoutRequest
// of this browser (InResponseTo, from the cookie) and report success.
func (s *SAML) LogoutReturn(w http.ResponseWriter, r *http.Request) (string, error) {
	v, ok := s.sloCookie.get(r)
	if !ok {
		return "", expired()
	}
	s.sloCookie.clear(w) // one answer per request
	want, requestID, _ := strings.Cut(v, ".")
	sp, err := s.ready(r.Context())
	if err != nil {
		return "", err
	}
	if _, err := sp.ParseLogoutResponse(r, []string{requestID}); err != nil {
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) {
			err = fmt.Errorf("%w: %w", err, ire.PrivateErr)
		}
		return "", refused(s.cfg.Label, fmt.Errorf("LogoutResponse: %w", err))
	}
	state := r.URL.Query().Get("RelayState")
	if state == "" {
		state = r.PostFormValue("RelayState")
	}
	if state == "" || subtle.ConstantTimeCompare([]byte(want), []byte(state)) != 1 {
		return "", expired()
	}
	return state, nil
}

var _ procedo.ProviderInitiatedLogout = (*SAML)(nil)

// maxRelayState is the longest RelayState the SAML bindings allow
// (saml-bindings-2.0-os §3.4.3, §3.5.3).
const maxRelayState = 80

// LogoutSubject implements procedo.ProviderInitiatedLogout: the key of a
// login is a hash of its NameID (fixed length, whatever the IdP's NameID),
// "" if logout has none.
func (s *SAML) LogoutSubject(logout string) string {
	var sess samlSession
	if err := json.Unmarshal([]byte(logout), &sess); err != nil || sess.NameID == "" {
		return ""
	}
	return nameIDSubject(sess.NameID)
}

func nameIDSubject(nameID string) string {
	sum := sha256.Sum256([]byte(nameID))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// IsProviderLogoutRequest implements procedo.ProviderInitiatedLogout: a
// SAMLRequest in the query (HTTP-Redirect binding) or in the posted form
// (HTTP-POST binding); the caller limits the size of a posted body.
func (s *SAML) IsProviderLogoutRequest(r *http.Request) bool {
	if r.URL.Query().Get("SAMLRequest") != "" {
		return true
	}
	return r.Method == http.MethodPost && r.PostFormValue("SAMLRequest") != ""
}

// ProviderLogoutRequest implements procedo.ProviderInitiatedLogout for an
// IdP-initiated SAML LogoutRequest (HTTP-Redirect binding with the SigAlg
// and Signature parameters, or HTTP-POST binding with an enveloped
// signature). crewjam/saml checks that it is signed with a signing
// certificate of the IdP's metadata (never SHA-1), that its Issuer is the
// IdP, its Destination our LogoutURL, its IssueInstant within the allowed
// delay and clock skew, its NotOnOrAfter (if any) not past, and that it
// was not received before (replay cache). It must name the citizen with a
// NameID; its SessionIndexes, if any, limit the logins it ends.
func (s *SAML) ProviderLogoutRequest(r *http.Request) (*procedo.ProviderLogoutRequest, error) {
	sp, err := s.ready(r.Context())
	if err != nil {
		return nil, err
	}
	req, err := sp.ValidateLogoutRequest(r)
	if err != nil {
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) {
			err = fmt.Errorf("%w: %w", err, ire.PrivateErr)
		}
		return nil, refusedLogout(s.cfg.Label, fmt.Errorf("LogoutRequest: %w", err))
	}
	if req.NameID == nil || req.NameID.Value == "" {
		return nil, refusedLogout(s.cfg.Label, errors.New("LogoutRequest without NameID"))
	}
	relayState := r.URL.Query().Get("RelayState")
	if r.Method == http.MethodPost && relayState == "" {
		relayState = r.PostFormValue("RelayState")
	}
	if len(relayState) > maxRelayState {
		return nil, refusedLogout(s.cfg.Label, fmt.Errorf("RelayState longer than %d bytes", maxRelayState))
	}
	want := samlSession{NameID: req.NameID.Value, Format: req.NameID.Format, NameQualifier: req.NameID.NameQualifier,
		SPNameQualifier: req.NameID.SPNameQualifier}
	var indexes []string
	for _, si := range req.AllSessionIndexes() {
		if si.Value != "" {
			indexes = append(indexes, si.Value)
		}
	}
	return &procedo.ProviderLogoutRequest{ID: req.ID, Subject: nameIDSubject(want.NameID), RelayState: relayState,
		Matches: func(logout string) bool { return want.matches(logout, indexes) }}, nil
}

// matches reports whether the login that logout describes is one of the
// NameID of want (the qualifiers and format must agree when both name
// them) and, if indexes is not empty, of one of those SessionIndexes.
func (want samlSession) matches(logout string, indexes []string) bool {
	var got samlSession
	if err := json.Unmarshal([]byte(logout), &got); err != nil || got.NameID == "" || got.NameID != want.NameID {
		return false
	}
	differ := func(a, b string) bool { return a != "" && b != "" && a != b }
	unspecified := string(saml.UnspecifiedNameIDFormat)
	if differ(want.NameQualifier, got.NameQualifier) || differ(want.SPNameQualifier, got.SPNameQualifier) ||
		(want.Format != unspecified && got.Format != unspecified && differ(want.Format, got.Format)) {
		return false
	}
	if len(indexes) == 0 {
		return true
	}
	for _, i := range indexes {
		if got.SessionIndex != "" && i == got.SessionIndex {
			return true
		}
	}
	return false
}

// AnswerProviderLogout implements procedo.ProviderInitiatedLogout with a
// signed LogoutResponse to req: Status Success, or Responder with the
// second-level status PartialLogout if not every session was ended. It goes
// to the IdP's SingleLogoutService (its ResponseLocation, if the metadata
// gives one) with the HTTP-Redirect binding (query string signature) if the
// IdP offers it, else with the HTTP-POST binding (enveloped signature).
// ENOTFOUND if the IdP has neither.
func (s *SAML) AnswerProviderLogout(ctx context.Context, req *procedo.ProviderLogoutRequest, ended bool) (*procedo.ProviderLogoutAnswer, error) {
	sp, err := s.ready(ctx)
	if err != nil {
		return nil, err
	}
	binding, location := sloResponseEndpoint(sp.IDPMetadata)
	if location == "" {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Il gestore dell'identità non indica dove inviare la conferma dell'uscita.")
	}
	status := saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusSuccess}}
	if !ended {
		status = saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusResponder, StatusCode: &saml.StatusCode{Value: saml.StatusPartialLogout}}}
	}
	resp := &saml.LogoutResponse{ID: "_" + hex.EncodeToString([]byte(randomString(15))), InResponseTo: req.ID, Version: "2.0",
		IssueInstant: time.Now().UTC(), Destination: location, Status: status,
		// SPID: the Issuer names the SP with NameQualifier.
		Issuer: &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", NameQualifier: s.cfg.EntityID, Value: s.cfg.EntityID}}
	if binding == saml.HTTPPostBinding {
		if err := sp.SignLogoutResponse(resp); err != nil {
			return nil, fmt.Errorf("identity: sign LogoutResponse: %w", err)
		}
		doc := etree.NewDocument()
		doc.SetRoot(resp.Element())
		b, err := doc.WriteToBytes()
		if err != nil {
			return nil, err
		}
		form := url.Values{"SAMLResponse": {base64.StdEncoding.EncodeToString(b)}}
		if req.RelayState != "" {
			form.Set("RelayState", req.RelayState)
		}
		return &procedo.ProviderLogoutAnswer{URL: location, Form: form}, nil
	}
	u, err := s.redirectLogoutResponse(sp, resp, req.RelayState)
	if err != nil {
		return nil, fmt.Errorf("identity: LogoutResponse redirect: %w", err)
	}
	return &procedo.ProviderLogoutAnswer{URL: u}, nil
}

// redirectLogoutResponse returns the URL that carries resp, unsigned and
// deflated, with a query string signature (saml-bindings-2.0-os §3.4.4.1:
// SAMLResponse, RelayState and SigAlg signed in this order).
func (s *SAML) redirectLogoutResponse(sp *saml.ServiceProvider, resp *saml.LogoutResponse, relayState string) (string, error) {
	doc := etree.NewDocument()
	doc.SetRoot(resp.Element())
	var buf strings.Builder
	b64 := base64.NewEncoder(base64.StdEncoding, &buf)
	fw, err := flate.NewWriter(b64, flate.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := doc.WriteTo(fw); err != nil {
		return "", err
	}
	if err := fw.Close(); err != nil {
		return "", err
	}
	if err := b64.Close(); err != nil {
		return "", err
	}
	q := "SAMLResponse=" + url.QueryEscape(buf.String())
	if relayState != "" {
		q += "&RelayState=" + url.QueryEscape(relayState)
	}
	q += "&SigAlg=" + url.QueryEscape(sp.SignatureMethod)
	sc, err := saml.GetSigningContext(sp)
	if err != nil {
		return "", err
	}
	sig, err := sc.SignString(q)
	if err != nil {
		return "", err
	}
	q += "&Signature=" + url.QueryEscape(base64.StdEncoding.EncodeToString(sig))
	u, err := url.Parse(resp.Destination)
	if err != nil {
		return "", err
	}
	if u.RawQuery != "" {
		u.RawQuery += "&" + q
	} else {
		u.RawQuery = q
	}
	return u.String(), nil
}

// sloResponseEndpoint returns the binding and the location where the IdP
// takes LogoutResponses: its first HTTP-Redirect SingleLogoutService, else
// its first HTTP-POST one, at ResponseLocation if set.
func sloResponseEndpoint(idp *saml.EntityDescriptor) (binding, location string) {
	if idp == nil {
		return "", ""
	}
	for _, b := range []string{saml.HTTPRedirectBinding, saml.HTTPPostBinding} {
		for _, d := range idp.IDPSSODescriptors {
			for _, e := range d.SingleLogoutServices {
				if e.Binding != b {
					continue
				}
				loc := e.Location
				if e.ResponseLocation != "" {
					loc = e.ResponseLocation
				}
				if isHTTPURL(loc) {
					return b, loc
				}
			}
		}
	}
	return "", ""
}

// refusedLogout is the error of a logout request of the IdP that cannot be
// trusted (unsigned, bad signature, wrong issuer or destination, expired,
// replayed); the cause is for the logs only.
func refusedLogout(label string, err error) error {
	return &procedo.Error{Code: procedo.EUNAUTHORIZED, Err: err,
		Message: fmt.Sprintf("La richiesta di uscita ricevuta a nome di «%s» non è valida: non è stata eseguita.", label)}
}
