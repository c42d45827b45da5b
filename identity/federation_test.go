// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package identity_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/identity"
)

// The OpenID Federation of these tests: a trust anchor and an intermediate
// (each with its Entity Configuration and a federation fetch endpoint
// answering Subordinate Statements, written here with go-jose: no Go
// library provides a federation authority), the zitadel/oidc OpenID
// Provider of oidc_test.go fronted with its Entity Configuration and with
// the SPID userinfo answer (zitadel answers userinfo with plain JSON; SPID
// wants a JWT signed by the OP and encrypted to the RP, so the front signs
// and encrypts zitadel's answer with go-jose), and automatic client
// registration at the OP, which reads and checks procedo's Entity
// Configuration and the trust anchor's statement about it.

// fedKey is an ECDSA P-256 federation key with its public JWK set.
type fedKey struct {
	key *ecdsa.PrivateKey
	kid string
}

func newFedKey(t *testing.T, kid string) *fedKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &fedKey{key: k, kid: kid}
}

func (k *fedKey) jwks() jose.JSONWebKeySet {
	return jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.key.PublicKey, KeyID: k.kid, Algorithm: "ES256", Use: "sig"}}}
}

func (k *fedKey) pem(t *testing.T) string {
	t.Helper()
	der, err := x509.MarshalECPrivateKey(k.key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
}

// sign returns claims as an entity statement signed with k.
func (k *fedKey) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: k.key, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("entity-statement+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(claims)
	jws, err := signer.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := jws.CompactSerialize()
	return s
}

// subordinate is what an authority knows of an entity it registered.
type subordinate struct {
	jwks   jose.JSONWebKeySet
	policy map[string]any // metadata_policy
}

// authority is a trust anchor or an intermediate.
type authority struct {
	t     *testing.T
	id    string
	key   *fedKey
	hints []string

	mu         sync.Mutex
	subs       map[string]subordinate
	expired    bool    // its statements about subordinates are expired
	rogue      *fedKey // signs its statements about subordinates instead of key
	statements int     // subordinate statements served
}

func newAuthority(t *testing.T, name string, hints ...string) *authority {
	t.Helper()
	a := &authority{t: t, key: newFedKey(t, name+"-key"), hints: hints, subs: map[string]subordinate{}}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	a.id = localhost(srv.URL)
	mux.HandleFunc("GET /.well-known/openid-federation", func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		claims := map[string]any{"iss": a.id, "sub": a.id, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jwks": a.key.jwks(),
			"metadata": map[string]any{"federation_entity": map[string]any{"federation_fetch_endpoint": a.id + "/fetch", "organization_name": name}}}
		if len(a.hints) > 0 {
			claims["authority_hints"] = a.hints
		}
		w.Header().Set("Content-Type", "application/entity-statement+jwt")
		_, _ = io.WriteString(w, a.key.sign(t, claims))
	})
	mux.HandleFunc("GET /fetch", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		sub, ok := a.subs[r.URL.Query().Get("sub")]
		if !ok {
			http.Error(w, `{"error":"not_found"}`, http.StatusNotFound)
			return
		}
		a.statements++
		now := time.Now()
		exp := now.Add(time.Hour)
		if a.expired {
			exp = now.Add(-time.Minute)
		}
		claims := map[string]any{"iss": a.id, "sub": r.URL.Query().Get("sub"), "iat": now.Add(-2 * time.Hour).Unix(), "exp": exp.Unix(), "jwks": sub.jwks}
		if sub.policy != nil {
			claims["metadata_policy"] = sub.policy
		}
		k := a.key
		if a.rogue != nil {
			k = &fedKey{key: a.rogue.key, kid: a.key.kid}
		}
		w.Header().Set("Content-Type", "application/entity-statement+jwt")
		_, _ = io.WriteString(w, k.sign(t, claims))
	})
	return a
}

func (a *authority) register(id string, jwks jose.JSONWebKeySet, policy map[string]any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.subs[id] = subordinate{jwks: jwks, policy: policy}
}

func (a *authority) set(f func(*authority)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a)
}

// fedOP is the zitadel OP as a federation entity.
type fedOP struct {
	*testOP
	key *fedKey
	ta  *authority // the anchor it trusts for automatic registration

	mu       sync.Mutex
	hints    []string
	userinfo string // "jwe" (SPID), "jws" or "json" (zitadel's own answer)
}

// newFedOP starts the OP with its Entity Configuration, its SPID userinfo
// answer and automatic registration of relying parties under ta.
func newFedOP(t *testing.T, ta *authority, hints ...string) *fedOP {
	t.Helper()
	o := &fedOP{testOP: newTestOP(t), key: newFedKey(t, "op-fed-key"), ta: ta, hints: hints, userinfo: "jwe"}
	o.storage.resolve = o.registerRP
	o.serve("/.well-known/openid-federation", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The OP's metadata: zitadel's discovery document, with its keys inline.
		rec := httptest.NewRecorder()
		o.provider.ServeHTTP(rec, httptest.NewRequest("GET", o.issuer+"/.well-known/openid-configuration", nil))
		var meta map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &meta); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		meta["jwks"] = jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &o.storage.key.PublicKey, KeyID: "op-key-1", Algorithm: "RS256", Use: "sig"}}}
		meta["client_registration_types_supported"] = []string{"automatic"}
		now := time.Now()
		o.mu.Lock()
		claims := map[string]any{"iss": o.issuer, "sub": o.issuer, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			"jwks": o.key.jwks(), "authority_hints": o.hints, "metadata": map[string]any{"openid_provider": meta}}
		o.mu.Unlock()
		w.Header().Set("Content-Type", "application/entity-statement+jwt")
		_, _ = io.WriteString(w, o.key.sign(t, claims))
	}))
	userinfoPath := o.provider.UserinfoEndpoint().Relative()
	o.serve(userinfoPath, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		o.provider.ServeHTTP(rec, r)
		o.mu.Lock()
		mode := o.userinfo
		o.mu.Unlock()
		if rec.Code != http.StatusOK || mode == "json" {
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		jwt, err := o.signUserinfo(rec.Body.Bytes(), mode == "jwe")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "application/jwt")
		_, _ = io.WriteString(w, jwt)
	}))
	return o
}

// signUserinfo turns zitadel's JSON answer into the SPID one: a JWT signed
// with the OP key for the client of the access token, encrypted to the
// client's encryption key if encrypt.
func (o *fedOP) signUserinfo(body []byte, encrypt bool) (string, error) {
	var claims map[string]any
	if err := json.Unmarshal(body, &claims); err != nil {
		return "", err
	}
	o.storage.mu.Lock()
	client := o.storage.clients[o.storage.userinfoClient]
	o.storage.mu.Unlock()
	if client == nil {
		return "", errors.New("no client for the token")
	}
	claims["iss"], claims["aud"] = o.issuer, client.id
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: o.storage.key, KeyID: "op-key-1"}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(claims)
	jws, err := signer.Sign(b)
	if err != nil {
		return "", err
	}
	signed, _ := jws.CompactSerialize()
	if !encrypt {
		return signed, nil
	}
	if client.enc == nil {
		return "", errors.New("the client has no encryption key")
	}
	enc, err := jose.NewEncrypter(jose.A256CBC_HS512, jose.Recipient{Algorithm: jose.RSA_OAEP_256, Key: client.enc.Key, KeyID: client.enc.KeyID},
		(&jose.EncrypterOptions{}).WithContentType("JWT"))
	if err != nil {
		return "", err
	}
	jwe, err := enc.Encrypt([]byte(signed))
	if err != nil {
		return "", err
	}
	return jwe.CompactSerialize()
}

// registerRP is automatic client registration: the OP reads the RP's Entity
// Configuration, checks its self-signature, and checks with the trust
// anchor's keys the anchor's statement about the RP and that the RP's
// configuration is signed with a key the anchor vouches for. The client's
// redirect URIs and keys are those of its metadata.
func (o *fedOP) registerRP(clientID string) (*opClient, error) {
	resp, err := http.Get(clientID + "/.well-known/openid-federation")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/entity-statement+jwt" {
		return nil, fmt.Errorf("entity configuration served as %q", ct)
	}
	ec, err := verifyStatement(string(raw), nil)
	if err != nil {
		return nil, fmt.Errorf("RP entity configuration: %w", err)
	}
	if ec["iss"] != clientID || ec["sub"] != clientID {
		return nil, fmt.Errorf("RP entity configuration about %v by %v", ec["sub"], ec["iss"])
	}
	hints, _ := ec["authority_hints"].([]any)
	if len(hints) != 1 || hints[0] != o.ta.id {
		return nil, fmt.Errorf("RP authority hints %v", hints)
	}
	taJWKS := o.ta.key.jwks()
	resp2, err := http.Get(o.ta.id + "/fetch?sub=" + clientID)
	if err != nil {
		return nil, err
	}
	defer resp2.Body.Close()
	raw2, _ := io.ReadAll(resp2.Body)
	st, err := verifyStatement(string(raw2), &taJWKS)
	if err != nil {
		return nil, fmt.Errorf("trust anchor statement about the RP: %w", err)
	}
	var vouched jose.JSONWebKeySet
	b, _ := json.Marshal(st["jwks"])
	_ = json.Unmarshal(b, &vouched)
	if _, err := verifyStatement(string(raw), &vouched); err != nil {
		return nil, fmt.Errorf("RP entity configuration with the keys the anchor vouches for: %w", err)
	}
	var md struct {
		RP struct {
			ClientID                string             `json:"client_id"`
			RedirectURIs            []string           `json:"redirect_uris"`
			PostLogoutRedirectURIs  []string           `json:"post_logout_redirect_uris"`
			JWKS                    jose.JSONWebKeySet `json:"jwks"`
			TokenEndpointAuthMethod string             `json:"token_endpoint_auth_method"`
		} `json:"openid_relying_party"`
	}
	b, _ = json.Marshal(ec["metadata"])
	if err := json.Unmarshal(b, &md); err != nil {
		return nil, err
	}
	if md.RP.ClientID != clientID || md.RP.TokenEndpointAuthMethod != "private_key_jwt" {
		return nil, fmt.Errorf("RP metadata %+v", md.RP)
	}
	c := &opClient{id: clientID, redirectURIs: md.RP.RedirectURIs, postLogout: md.RP.PostLogoutRedirectURIs, authMethod: oidc.AuthMethodPrivateKeyJWT}
	for i, k := range md.RP.JWKS.Keys {
		switch k.Use {
		case "sig":
			c.key = &md.RP.JWKS.Keys[i]
		case "enc":
			c.enc = &md.RP.JWKS.Keys[i]
		}
	}
	if c.key == nil || c.enc == nil {
		return nil, errors.New("RP metadata without a signing and an encryption key")
	}
	return c, nil
}

// verifyStatement checks an entity statement's type and signature, with
// keys or, if nil, with the jwks it carries, and returns its claims.
func verifyStatement(raw string, keys *jose.JSONWebKeySet) (map[string]any, error) {
	jws, err := jose.ParseSigned(strings.TrimSpace(raw), []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		return nil, err
	}
	if typ := jws.Signatures[0].Header.ExtraHeaders[jose.HeaderType]; typ != "entity-statement+jwt" {
		return nil, fmt.Errorf("typ %v", typ)
	}
	if keys == nil {
		var self struct {
			JWKS jose.JSONWebKeySet `json:"jwks"`
		}
		if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &self); err != nil {
			return nil, err
		}
		keys = &self.JWKS
	}
	var payload []byte
	for _, k := range keys.Key(jws.Signatures[0].Header.KeyID) {
		if payload, err = jws.Verify(k); err == nil {
			break
		}
	}
	if payload == nil {
		return nil, fmt.Errorf("signature does not verify (kid %q)", jws.Signatures[0].Header.KeyID)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, err
	}
	exp, _ := claims["exp"].(float64)
	if time.Unix(int64(exp), 0).Before(time.Now()) {
		return nil, errors.New("expired")
	}
	return claims, nil
}

// fedSetup is a federation: trust anchor, intermediate, OP below the
// intermediate, procedo's RP below the anchor.
type fedSetup struct {
	ta, im *authority
	op     *fedOP
	rp     *rp
	rpKey  *fedKey
	cfg    identity.OIDCConfig
	p      *identity.OIDC
}

// spidPolicy is the trust anchor's metadata policy for OPs: what SPID
// requires of them, which the test OP satisfies.
var spidPolicy = map[string]any{"openid_provider": map[string]any{
	"token_endpoint_auth_methods_supported": map[string]any{"subset_of": []any{"private_key_jwt"}, "essential": true},
	"code_challenge_methods_supported":      map[string]any{"superset_of": []any{"S256"}},
	"request_parameter_supported":           map[string]any{"one_of": []any{true}},
	"scopes_supported":                      map[string]any{"add": []any{"openid"}},
	"acr_values_supported":                  map[string]any{"default": []any{"https://www.spid.gov.it/SpidL2"}},
}}

func newFedSetup(t *testing.T) *fedSetup {
	t.Helper()
	s := &fedSetup{}
	s.ta = newAuthority(t, "anchor")
	s.im = newAuthority(t, "intermediate", s.ta.id)
	s.op = newFedOP(t, s.ta, s.im.id)
	s.ta.register(s.im.id, s.im.key.jwks(), spidPolicy)
	s.im.register(s.op.issuer, s.op.key.jwks(), nil)
	s.rp = newRP(t)
	s.rpKey = newFedKey(t, "rp-fed-key")
	taJWKS, _ := json.Marshal(s.ta.key.jwks())
	s.cfg = identity.OIDCConfig{ID: "p", Label: "Entra con SPID", IssuerURL: s.op.issuer, ClientID: s.rp.url(""),
		RedirectURL: s.rp.url("/accedi/p/callback"), PrivateKey: testKey(t, 1).keyPEM, ExtraScopes: []string{"email"},
		ACRValues: []string{"https://www.spid.gov.it/SpidL2"},
		Federation: &identity.FederationConfig{TrustAnchor: s.ta.id, TrustAnchorJWKS: taJWKS, AuthorityHints: []string{s.ta.id},
			Key: s.rpKey.pem(t), KeyID: s.rpKey.kid, EncryptionKey: testKey(t, 3).keyPEM, OrganizationName: "Comune di Alfa",
			Contacts:   []string{"protocollo@comune.alfa.it"},
			TrustMarks: []identity.TrustMark{{ID: "https://registry.spid.gov.it/openid_relying_party/public", TrustMark: "eyJ0.eyJ0.c2ln"}}}}
	s.use(t, s.cfg)
	// Onboarding: the anchor registers procedo's federation key.
	s.ta.register(s.cfg.ClientID, s.rpKey.jwks(), nil)
	return s
}

// use runs the RP with cfg (a fresh instance: no cached trust chain).
func (s *fedSetup) use(t *testing.T, cfg identity.OIDCConfig) {
	t.Helper()
	p, err := identity.NewOIDC(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.p = p
	s.rp.set(p)
}

// login runs a whole login as username and returns the outcome.
func (s *fedSetup) login(t *testing.T, username string) (outcome, *browser) {
	t.Helper()
	b := newBrowser(t, s.cfg.RedirectURL)
	resp, page := b.get(s.rp.url("/accedi/p"))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<form") {
		return b.outcome(resp, page), b
	}
	action, form := parseForm(t, page)
	form.Set("username", username)
	resp, body := b.post(resp.Request.URL.ResolveReference(mustURL(t, action)).String(), form)
	loc, err := resp.Location()
	if err != nil || !strings.HasPrefix(loc.String(), s.cfg.RedirectURL) {
		t.Fatalf("provider answered %s %s", resp.Status, body)
	}
	return b.outcome(b.get(loc.String())), b
}

func TestFederation_Login(t *testing.T) {
	s := newFedSetup(t)
	o, _ := s.login(t, "mario")
	if o.Status != http.StatusOK {
		t.Fatalf("login failed: %+v", o)
	}
	want := procedo.Citizen{FiscalCode: "RSSMRA80A01H501U", GivenName: "Mario", FamilyName: "Rossi", Email: "mario.rossi@example.it", Provider: "p"}
	if *o.Citizen != want {
		t.Fatalf("got %+v, want %+v", *o.Citizen, want)
	}
	if o.Logout == "" || strings.Count(o.Logout, ".") != 2 {
		t.Fatalf("no ID token kept for logout: %q", o.Logout)
	}
	// The authorization request carried a Request Object signed with the
	// RP key (zitadel verified it with the key of the RP's metadata).
	q := s.op.lastAuthorization()
	if q.Get("request") == "" || q.Get("client_id") != s.cfg.ClientID || q.Get("code_challenge_method") != "S256" || q.Get("state") != "" {
		t.Fatalf("authorization request %v", q)
	}
	ro, err := jose.ParseSigned(q.Get("request"), []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	payload, err := ro.Verify(&testKey(t, 1).key.PublicKey)
	if err != nil {
		t.Fatalf("request object signature: %v", err)
	}
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	aud, _ := claims["aud"].([]any)
	if claims["iss"] != s.cfg.ClientID || claims["client_id"] != s.cfg.ClientID || claims["response_type"] != "code" ||
		claims["redirect_uri"] != s.cfg.RedirectURL || claims["prompt"] != "consent login" || claims["nonce"] == "" || claims["state"] == "" ||
		claims["acr_values"] != "https://www.spid.gov.it/SpidL2" || claims["code_challenge"] != q.Get("code_challenge") ||
		claims["scope"] != "openid profile email" || len(aud) == 0 || aud[0] != s.op.issuer {
		t.Fatalf("request object %v", claims)
	}
	if c, _ := claims["claims"].(map[string]any); c["userinfo"] == nil {
		t.Fatalf("request object claims %v", claims["claims"])
	}

	t.Run("SignedUserinfo", func(t *testing.T) {
		s.op.mu.Lock()
		s.op.userinfo = "jws"
		s.op.mu.Unlock()
		defer func() { s.op.mu.Lock(); s.op.userinfo = "jwe"; s.op.mu.Unlock() }()
		if o, _ := s.login(t, "mario"); o.Status != http.StatusOK || o.Citizen.FiscalCode != "RSSMRA80A01H501U" {
			t.Fatalf("got %+v", o)
		}
	})

	t.Run("PlainUserinfoRefused", func(t *testing.T) {
		s.op.mu.Lock()
		s.op.userinfo = "json"
		s.op.mu.Unlock()
		defer func() { s.op.mu.Lock(); s.op.userinfo = "jwe"; s.op.mu.Unlock() }()
		o, _ := s.login(t, "mario")
		wantRefused(t, o, procedo.EUNAUTHORIZED)
		if !strings.Contains(o.Cause, "neither signed nor encrypted") {
			t.Fatalf("refused for %s", o.Cause)
		}
	})

	t.Run("ChainResolvedOnce", func(t *testing.T) {
		var before int
		s.im.set(func(a *authority) { before = a.statements })
		if o, _ := s.login(t, "mario"); o.Status != http.StatusOK {
			t.Fatalf("got %+v", o)
		}
		s.im.set(func(a *authority) {
			if a.statements != before {
				t.Errorf("the trust chain was resolved again: %d statements", a.statements-before)
			}
		})
	})
}

func TestFederation_DirectlyUnderAnchor(t *testing.T) {
	// No intermediate: the OP is registered by the trust anchor itself.
	s := newFedSetup(t)
	s.op.mu.Lock()
	s.op.hints = []string{s.ta.id}
	s.op.mu.Unlock()
	s.ta.register(s.op.issuer, s.op.key.jwks(), spidPolicy)
	if o, _ := s.login(t, "mario"); o.Status != http.StatusOK || o.Citizen.FiscalCode != "RSSMRA80A01H501U" {
		t.Fatalf("got %+v", o)
	}
}

func TestFederation_Refused(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, s *fedSetup)
		cause  string
	}{
		{"ChainDoesNotReachAnchor", func(t *testing.T, s *fedSetup) {
			// The OP's only superior is an authority the anchor does not know.
			other := newAuthority(t, "elsewhere")
			other.register(s.op.issuer, s.op.key.jwks(), nil)
			s.op.mu.Lock()
			s.op.hints = []string{other.id}
			s.op.mu.Unlock()
		}, "does not reach the trust anchor"},
		{"IntermediateNotRegisteredAtAnchor", func(t *testing.T, s *fedSetup) {
			s.ta.set(func(a *authority) { delete(a.subs, s.im.id) })
		}, "does not reach the trust anchor"},
		{"SignatureDoesNotVerify", func(t *testing.T, s *fedSetup) {
			// The anchor's statements are signed with a key other than the pinned one.
			rogue := newFedKey(t, "x")
			s.ta.set(func(a *authority) { a.rogue = rogue })
		}, "does not verify"},
		{"OPKeyNotVouched", func(t *testing.T, s *fedSetup) {
			// The intermediate vouches for a key the OP does not sign with.
			s.im.register(s.op.issuer, newFedKey(t, "op-fed-key").jwks(), nil)
		}, "does not verify"},
		{"StatementExpired", func(t *testing.T, s *fedSetup) {
			s.im.set(func(a *authority) { a.expired = true })
		}, "expired"},
		{"PolicyForbidsValue", func(t *testing.T, s *fedSetup) {
			s.ta.register(s.im.id, s.im.key.jwks(), map[string]any{"openid_provider": map[string]any{
				"id_token_signing_alg_values_supported": map[string]any{"superset_of": []any{"ES256"}}}})
		}, "the policy requires id_token_signing_alg_values_supported to include ES256"},
		{"PolicyOneOf", func(t *testing.T, s *fedSetup) {
			s.ta.register(s.im.id, s.im.key.jwks(), map[string]any{"openid_provider": map[string]any{
				"token_endpoint": map[string]any{"one_of": []any{"https://op.example.it/token"}}}})
		}, "the policy forbids token_endpoint"},
		{"PolicyConflict", func(t *testing.T, s *fedSetup) {
			s.ta.register(s.im.id, s.im.key.jwks(), map[string]any{"openid_provider": map[string]any{
				"request_parameter_supported": map[string]any{"value": true}}})
			s.im.register(s.op.issuer, s.op.key.jwks(), map[string]any{"openid_provider": map[string]any{
				"request_parameter_supported": map[string]any{"value": false}}})
		}, "conflicting value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFedSetup(t)
			tc.change(t, s)
			o, _ := s.login(t, "mario")
			wantRefused(t, o, procedo.EUNAUTHORIZED)
			if !strings.Contains(o.Cause, tc.cause) || !strings.Contains(o.Message, "federazione") {
				t.Fatalf("refused for %s (%s)", o.Cause, o.Message)
			}
		})
	}
}

func TestFederation_EntityConfiguration(t *testing.T) {
	s := newFedSetup(t)
	b := newBrowser(t, "")
	resp, body := b.get(s.rp.url("/.well-known/openid-federation"))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/entity-statement+jwt" {
		t.Fatalf("%s %v", resp.Status, resp.Header)
	}
	// Self-signed with the federation key it publishes.
	ec, err := verifyStatement(body, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifyStatement(body, ptr(s.rpKey.jwks())); err != nil {
		t.Fatalf("not signed with the configured federation key: %v", err)
	}
	iat, _ := ec["iat"].(float64)
	exp, _ := ec["exp"].(float64)
	if ec["iss"] != s.cfg.ClientID || ec["sub"] != s.cfg.ClientID || iat == 0 || exp <= iat || time.Unix(int64(iat), 0).After(time.Now()) {
		t.Fatalf("claims %v", ec)
	}
	if hints, _ := ec["authority_hints"].([]any); len(hints) != 1 || hints[0] != s.ta.id {
		t.Fatalf("authority_hints %v", ec["authority_hints"])
	}
	if tm, _ := ec["trust_marks"].([]any); len(tm) != 1 {
		t.Fatalf("trust_marks %v", ec["trust_marks"])
	}
	md, _ := ec["metadata"].(map[string]any)
	rp, _ := md["openid_relying_party"].(map[string]any)
	check := map[string]string{"client_id": `"` + s.cfg.ClientID + `"`, "redirect_uris": `["` + s.cfg.RedirectURL + `"]`,
		"grant_types": `["authorization_code"]`, "response_types": `["code"]`, "client_registration_types": `["automatic"]`,
		"token_endpoint_auth_method": `"private_key_jwt"`, "post_logout_redirect_uris": `["` + s.rp.url("/accedi/p/uscita") + `"]`}
	for k, want := range check {
		got, _ := json.Marshal(rp[k])
		if string(got) != want {
			t.Errorf("%s = %s, want %s", k, got, want)
		}
	}
	var jwks jose.JSONWebKeySet
	jb, _ := json.Marshal(rp["jwks"])
	if err := json.Unmarshal(jb, &jwks); err != nil || len(jwks.Keys) != 2 {
		t.Fatalf("RP jwks %s: %v", jb, err)
	}
	for _, k := range jwks.Keys {
		if !k.IsPublic() || (k.Use != "sig" && k.Use != "enc") {
			t.Errorf("RP key %+v", k)
		}
	}
	if strings.Contains(string(jb), `"d":`) || strings.Contains(body, `"d":`) {
		t.Fatal("a private key is published")
	}

	t.Run("PlainModeHasNone", func(t *testing.T) {
		cfg := s.cfg
		cfg.Federation = nil
		p, err := identity.NewOIDC(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := p.EntityConfiguration(); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("got %v", err)
		}
	})
}

func TestNewOIDC_FederationErrInvalid(t *testing.T) {
	s := newFedSetup(t)
	for _, tc := range []struct {
		name, field string
		change      func(*identity.OIDCConfig)
	}{
		{"no anchor", "federation.trust_anchor", func(c *identity.OIDCConfig) { c.Federation.TrustAnchor = "" }},
		{"no anchor keys", "federation.trust_anchor_jwks", func(c *identity.OIDCConfig) { c.Federation.TrustAnchorJWKS = json.RawMessage(`{"keys":[]}`) }},
		{"private anchor key", "federation.trust_anchor_jwks", func(c *identity.OIDCConfig) {
			b, _ := json.Marshal(jose.JSONWebKey{Key: s.ta.key.key, KeyID: "k"})
			c.Federation.TrustAnchorJWKS = json.RawMessage(`{"keys":[` + string(b) + `]}`)
		}},
		{"no hints", "federation.authority_hints", func(c *identity.OIDCConfig) { c.Federation.AuthorityHints = nil }},
		{"no federation key", "federation.key", func(c *identity.OIDCConfig) { c.Federation.Key = "" }},
		{"no encryption key", "federation.encryption_key", func(c *identity.OIDCConfig) { c.Federation.EncryptionKey = s.rpKey.pem(t) }},
		{"client secret", "client_secret", func(c *identity.OIDCConfig) { c.PrivateKey, c.ClientSecret = "", "x" }},
		{"entity id with a path", "client_id", func(c *identity.OIDCConfig) { c.ClientID += "/accedi/p" }},
		{"bad trust mark", "federation.trust_marks", func(c *identity.OIDCConfig) { c.Federation.TrustMarks = []identity.TrustMark{{ID: "x"}} }},
	} {
		cfg := s.cfg
		fc := *cfg.Federation
		cfg.Federation = &fc
		tc.change(&cfg)
		_, err := identity.NewOIDC(cfg)
		if fe := procedo.FieldErrorsOf(err); fe[tc.field] == "" {
			t.Errorf("%s: got %v", tc.name, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestFederation_Logout(t *testing.T) {
	s := newFedSetup(t)
	o, _ := s.login(t, "mario")
	if o.Status != http.StatusOK || o.Logout == "" {
		t.Fatalf("login: %+v", o)
	}
	// The OP accepts the post_logout_redirect_uri of procedo's metadata.
	logoutAt(t, s.op.testOP, s.rp, o.Logout)
}
