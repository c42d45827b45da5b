// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package identity_test

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/identity"
)

// The OpenID Provider of these tests is zitadel/oidc's op package, a
// certified OpenID Connect provider implementation, on an in-memory storage
// with SPID-like users and a one-field login page.

// opUser is a citizen known to the test provider.
type opUser struct {
	sub, username        string
	fiscalNumber         string // "TINIT-…", "" for none
	given, family, email string
}

var opUsers = []*opUser{
	{sub: "u1", username: "mario", fiscalNumber: "TINIT-RSSMRA80A01H501U", given: "Mario", family: "Rossi", email: "mario.rossi@example.it"},
	{sub: "u2", username: "senzacf", given: "Anna", family: "Neri", email: "anna@example.it"},
	{sub: "u3", username: "cferrato", fiscalNumber: "TINIT-RSSMRA80A01H501X", given: "Carlo", family: "Errato"},
	{sub: "u4", username: "estero", fiscalNumber: "TINDE-123456789", given: "Hans", family: "Muster"},
}

// opClient is a relying party registered at the test provider.
type opClient struct {
	id, secret      string
	redirectURIs    []string
	authMethod      oidc.AuthMethod
	key             *jose.JSONWebKey // public key for private_key_jwt
	claimsInIDToken bool             // profile claims in the ID token, not only from userinfo
	postLogout      []string         // post_logout_redirect_uris
	enc             *jose.JSONWebKey // encryption key (federation)
}

func (c *opClient) GetID() string                       { return c.id }
func (c *opClient) RedirectURIs() []string              { return c.redirectURIs }
func (c *opClient) PostLogoutRedirectURIs() []string    { return c.postLogout }
func (c *opClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *opClient) AuthMethod() oidc.AuthMethod         { return c.authMethod }
func (c *opClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *opClient) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *opClient) LoginURL(id string) string            { return "/login?authRequestID=" + url.QueryEscape(id) }
func (c *opClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *opClient) IDTokenLifetime() time.Duration       { return 5 * time.Minute }
func (c *opClient) DevMode() bool                        { return true } // http redirect URIs of httptest
func (c *opClient) IsScopeAllowed(string) bool           { return false }
func (c *opClient) IDTokenUserinfoClaimsAssertion() bool { return c.claimsInIDToken }
func (c *opClient) ClockSkew() time.Duration             { return 0 }
func (c *opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// opAuthRequest is an authorization request in progress.
type opAuthRequest struct {
	id       string
	req      oidc.AuthRequest
	subject  string
	authTime time.Time
	done     bool
}

func (a *opAuthRequest) GetID() string                      { return a.id }
func (a *opAuthRequest) GetACR() string                     { return "" }
func (a *opAuthRequest) GetAMR() []string                   { return []string{"pwd"} }
func (a *opAuthRequest) GetAudience() []string              { return []string{a.req.ClientID} }
func (a *opAuthRequest) GetAuthTime() time.Time             { return a.authTime }
func (a *opAuthRequest) GetClientID() string                { return a.req.ClientID }
func (a *opAuthRequest) GetNonce() string                   { return a.req.Nonce }
func (a *opAuthRequest) GetRedirectURI() string             { return a.req.RedirectURI }
func (a *opAuthRequest) GetResponseType() oidc.ResponseType { return a.req.ResponseType }
func (a *opAuthRequest) GetResponseMode() oidc.ResponseMode { return a.req.ResponseMode }
func (a *opAuthRequest) GetScopes() []string                { return a.req.Scopes }
func (a *opAuthRequest) GetState() string                   { return a.req.State }
func (a *opAuthRequest) GetSubject() string                 { return a.subject }
func (a *opAuthRequest) Done() bool                         { return a.done }
func (a *opAuthRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.req.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.req.CodeChallenge, Method: a.req.CodeChallengeMethod}
}

type opToken struct {
	subject, clientID string
	scopes            []string
}

// opKey is the provider's signing key.
type opKey struct{ k *rsa.PrivateKey }

func (k opKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k opKey) Key() any                                    { return k.k }
func (k opKey) ID() string                                  { return "op-key-1" }

type opPublicKey struct{ k *rsa.PrivateKey }

func (k opPublicKey) ID() string                         { return "op-key-1" }
func (k opPublicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k opPublicKey) Use() string                        { return "sig" }
func (k opPublicKey) Key() any                           { return &k.k.PublicKey }

// opStorage implements op.Storage in memory.
type opStorage struct {
	key *rsa.PrivateKey

	mu       sync.Mutex
	n        int
	clients  map[string]*opClient
	requests map[string]*opAuthRequest
	codes    map[string]string // code → request id
	tokens   map[string]*opToken
	lastAuth url.Values // query of the last authorization request
	// resolve registers a client unknown so far (OpenID Federation
	// automatic registration); nil: only registered clients exist.
	resolve func(clientID string) (*opClient, error)
	ended   []string // subjects whose session ended at end_session
	// userinfoClient is the client of the last token the userinfo endpoint answered for.
	userinfoClient string
}

// client returns a registered client, registering it automatically when
// the provider is in a federation. Called with s.mu held.
func (s *opStorage) client(id string) (*opClient, error) {
	if c, ok := s.clients[id]; ok {
		return c, nil
	}
	if s.resolve == nil {
		return nil, errors.New("client not found")
	}
	c, err := s.resolve(id)
	if err != nil {
		return nil, fmt.Errorf("automatic registration of %s: %w", id, err)
	}
	s.clients[id] = c
	return c, nil
}

var _ op.Storage = (*opStorage)(nil)

func (s *opStorage) nextID(prefix string) string {
	s.n++
	return fmt.Sprintf("%s%d", prefix, s.n)
}

func (s *opStorage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &opAuthRequest{id: s.nextID("ar"), req: *req}
	s.requests[a.id] = a
	return a, nil
}

func (s *opStorage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.requests[id]; ok {
		return a, nil
	}
	return nil, errors.New("auth request not found")
}

func (s *opStorage) AuthRequestByCode(_ context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.requests[s.codes[code]]; ok {
		return a, nil
	}
	return nil, errors.New("code not found")
}

func (s *opStorage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

func (s *opStorage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for c, rid := range s.codes {
		if rid == id {
			delete(s.codes, c)
		}
	}
	return nil
}

func (s *opStorage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID("at")
	clientID := ""
	if a, ok := req.(op.AuthRequest); ok {
		clientID = a.GetClientID()
	}
	s.tokens[id] = &opToken{subject: req.GetSubject(), clientID: clientID, scopes: req.GetScopes()}
	return id, time.Now().Add(5 * time.Minute), nil
}

func (s *opStorage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("no refresh tokens")
}

func (s *opStorage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, errors.New("no refresh tokens")
}

func (s *opStorage) TerminateSession(_ context.Context, userID, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = append(s.ended, userID)
	return nil
}

func (s *opStorage) RevokeToken(context.Context, string, string, string) *oidc.Error { return nil }

func (s *opStorage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

func (s *opStorage) SigningKey(context.Context) (op.SigningKey, error) { return opKey{s.key}, nil }

func (s *opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *opStorage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{opPublicKey{s.key}}, nil
}

func (s *opStorage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.client(id)
}

func (s *opStorage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[id]; ok && c.secret != "" && c.secret == secret {
		return nil
	}
	return errors.New("invalid client secret")
}

func (s *opStorage) userinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	for _, u := range opUsers {
		if u.sub != subject {
			continue
		}
		info.Subject = u.sub
		for _, sc := range scopes {
			switch sc {
			case "profile":
				info.GivenName, info.FamilyName = u.given, u.family
				if u.fiscalNumber != "" {
					info.AppendClaims("https://attributes.eid.gov.it/fiscal_number", u.fiscalNumber)
				}
			case "email":
				info.Email = u.email
			}
		}
		return nil
	}
	return errors.New("no such user")
}

func (s *opStorage) SetUserinfoFromScopes(_ context.Context, info *oidc.UserInfo, userID, _ string, scopes []string) error {
	return s.userinfo(info, userID, scopes)
}

func (s *opStorage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, _, _ string) error {
	s.mu.Lock()
	tok, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok {
		return errors.New("token not found")
	}
	s.mu.Lock()
	s.userinfoClient = tok.clientID
	s.mu.Unlock()
	return s.userinfo(info, tok.subject, tok.scopes)
}

func (s *opStorage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errors.New("no introspection")
}

func (s *opStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *opStorage) GetKeyByIDAndClientID(_ context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, err := s.client(clientID); err == nil && c.key != nil && c.key.KeyID == keyID {
		return c.key, nil
	}
	return nil, errors.New("key not found")
}

func (s *opStorage) ValidateJWTProfileScopes(_ context.Context, _ string, scopes []string) ([]string, error) {
	return scopes, nil
}

func (s *opStorage) Health(context.Context) error { return nil }

// login marks an authorization request as authenticated by username.
func (s *opStorage) login(id, username string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.requests[id]
	if !ok {
		return errors.New("auth request not found")
	}
	for _, u := range opUsers {
		if u.username == username {
			a.subject, a.authTime, a.done = u.sub, time.Now(), true
			return nil
		}
	}
	return errors.New("unknown user")
}

var opLoginPage = template.Must(template.New("").Parse(`<!doctype html><title>OP login</title>
<form method="post" action="/login"><input type="hidden" name="id" value="{{.}}"><input name="username" value=""><button>Entra</button></form>`))

// testOP is a running OpenID Provider.
type testOP struct {
	issuer   string
	storage  *opStorage
	provider *op.Provider

	mu    sync.Mutex
	front map[string]http.Handler // path → handler served instead of the provider's
}

// newTestOP starts an OpenID Provider at http://localhost:PORT.
func newTestOP(t *testing.T) *testOP {
	t.Helper()
	st := &opStorage{key: testKey(t, 0).key, clients: map[string]*opClient{}, requests: map[string]*opAuthRequest{},
		codes: map[string]string{}, tokens: map[string]*opToken{}}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	issuer := localhost(srv.URL)
	provider, err := op.NewProvider(&op.Config{CryptoKey: sha256.Sum256([]byte("procedo test op")), CodeMethodS256: true,
		AuthMethodPrivateKeyJWT: true, RequestObjectSupported: true, DefaultLogoutRedirectURI: "/logged-out"},
		st, op.StaticIssuer(issuer), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	o := &testOP{issuer: issuer, storage: st, provider: provider, front: map[string]http.Handler{}}
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		_ = opLoginPage.Execute(w, r.URL.Query().Get("authRequestID"))
	})
	callback := op.AuthCallbackURL(provider)
	mux.Handle("POST /login", op.NewIssuerInterceptor(provider.IssuerFromRequest).HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PostFormValue("id")
		if err := st.login(id, r.PostFormValue("username")); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		http.Redirect(w, r, callback(r.Context(), id), http.StatusFound)
	}))
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == provider.AuthorizationEndpoint().Relative() {
			st.mu.Lock()
			st.lastAuth = r.URL.Query()
			st.mu.Unlock()
		}
		o.mu.Lock()
		h := o.front[r.URL.Path]
		o.mu.Unlock()
		if h != nil {
			h.ServeHTTP(w, r)
			return
		}
		provider.ServeHTTP(w, r)
	}))
	return o
}

// serve makes the provider answer path with h instead of its own handler.
func (o *testOP) serve(path string, h http.Handler) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.front[path] = h
}

func (o *testOP) register(c *opClient) {
	o.storage.mu.Lock()
	defer o.storage.mu.Unlock()
	o.storage.clients[c.id] = c
}

func (o *testOP) lastAuthorization() url.Values {
	o.storage.mu.Lock()
	defer o.storage.mu.Unlock()
	return o.storage.lastAuth
}

// oidcSetup is a relying party registered at a running provider.
type oidcSetup struct {
	op  *testOP
	rp  *rp
	cfg identity.OIDCConfig
}

// newOIDCSetup starts a provider and a relying party; privateKeyJWT chooses
// the client authentication, claimsInIDToken where the provider puts the
// profile claims.
func newOIDCSetup(t *testing.T, privateKeyJWT, claimsInIDToken bool) *oidcSetup {
	t.Helper()
	o := newTestOP(t)
	h := newRP(t)
	cfg := identity.OIDCConfig{ID: "p", Label: "Entra con SPID", IssuerURL: o.issuer, ClientID: h.url("/"),
		RedirectURL: h.url("/accedi/p/callback"), ExtraScopes: []string{"email"}, ACRValues: []string{"https://www.spid.gov.it/SpidL2"}}
	client := &opClient{id: cfg.ClientID, redirectURIs: []string{cfg.RedirectURL}, claimsInIDToken: claimsInIDToken,
		postLogout: []string{h.url("/accedi/p/uscita")}}
	if privateKeyJWT {
		kp := testKey(t, 1)
		cfg.PrivateKey = kp.keyPEM
		client.authMethod = oidc.AuthMethodPrivateKeyJWT
	} else {
		cfg.ClientSecret, client.secret = "segreto-del-comune", "segreto-del-comune"
		client.authMethod = oidc.AuthMethodBasic
	}
	p, err := identity.NewOIDC(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if privateKeyJWT {
		// Register the RP's public key as its JWK set publishes it.
		ct, body, err := p.Metadata()
		if err != nil || ct != "application/jwk-set+json" {
			t.Fatalf("metadata %q, %v", ct, err)
		}
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(body, &set); err != nil || len(set.Keys) != 1 || !set.Keys[0].IsPublic() {
			t.Fatalf("JWK set %s: %v", body, err)
		}
		client.key = &set.Keys[0]
	}
	o.register(client)
	h.set(p)
	return &oidcSetup{op: o, rp: h, cfg: cfg}
}

// authorize runs the browser from the rp's start through the provider's
// login as username, and returns the callback URL the provider redirects
// to, without following it.
func (s *oidcSetup) authorize(t *testing.T, b *browser, username string) *url.URL {
	t.Helper()
	resp, page := b.get(s.rp.url("/accedi/p"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login page: %s %s", resp.Status, page)
	}
	action, form := parseForm(t, page)
	form.Set("username", username)
	resp, body := b.post(resp.Request.URL.ResolveReference(mustURL(t, action)).String(), form)
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("after login: %s %s", resp.Status, body)
	}
	loc, err := resp.Location()
	if err != nil || !strings.HasPrefix(loc.String(), s.cfg.RedirectURL) {
		t.Fatalf("provider redirected to %v (%v)", loc, err)
	}
	return loc
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestOIDC_Login(t *testing.T) {
	for _, tc := range []struct {
		name                           string
		privateKeyJWT, claimsInIDToken bool
	}{
		{"client_secret, claims in the ID token", false, true},
		{"private_key_jwt, claims from userinfo", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newOIDCSetup(t, tc.privateKeyJWT, tc.claimsInIDToken)
			b := newBrowser(t, s.cfg.RedirectURL)
			cb := s.authorize(t, b, "mario")
			o := b.outcome(b.get(cb.String()))
			if o.Status != http.StatusOK {
				t.Fatalf("login failed: %+v", o)
			}
			want := procedo.Citizen{FiscalCode: "RSSMRA80A01H501U", GivenName: "Mario", FamilyName: "Rossi", Email: "mario.rossi@example.it", Provider: "p"}
			if *o.Citizen != want {
				t.Fatalf("got %+v, want %+v", *o.Citizen, want)
			}
			if o.State == "" || o.State != cb.Query().Get("state") {
				t.Fatalf("state %q, callback %v", o.State, cb)
			}
			q := s.op.lastAuthorization()
			if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" ||
				q.Get("scope") != "openid profile email" || q.Get("acr_values") != "https://www.spid.gov.it/SpidL2" ||
				!strings.Contains(q.Get("claims"), "https://attributes.eid.gov.it/fiscal_number") {
				t.Fatalf("authorization request %v", q)
			}
		})
	}
}

func TestOIDC_Refused(t *testing.T) {
	s := newOIDCSetup(t, true, false)

	t.Run("WrongState", func(t *testing.T) {
		b := newBrowser(t, s.cfg.RedirectURL)
		cb := s.authorize(t, b, "mario")
		q := cb.Query()
		q.Set("state", randomState())
		cb.RawQuery = q.Encode()
		wantRefused(t, b.outcome(b.get(cb.String())), procedo.EFORBIDDEN)
	})

	t.Run("OtherBrowser", func(t *testing.T) {
		// A callback URL taken to another browser (login CSRF) has no cookie there.
		cb := s.authorize(t, newBrowser(t, s.cfg.RedirectURL), "mario")
		b := newBrowser(t, s.cfg.RedirectURL)
		wantRefused(t, b.outcome(b.get(cb.String())), procedo.EFORBIDDEN)
	})

	t.Run("Replayed", func(t *testing.T) {
		b := newBrowser(t, s.cfg.RedirectURL)
		cb := s.authorize(t, b, "mario")
		if o := b.outcome(b.get(cb.String())); o.Status != http.StatusOK {
			t.Fatalf("first use: %+v", o)
		}
		// The provider accepts a code once.
		o := b.outcome(b.get(cb.String()))
		wantRefused(t, o, procedo.EUNAUTHORIZED)
		if !strings.Contains(o.Cause, "token exchange") {
			t.Fatalf("refused for %s", o.Cause)
		}
	})

	t.Run("WrongNonce", func(t *testing.T) {
		b := newBrowser(t, s.cfg.RedirectURL)
		cb := s.authorize(t, b, "mario")
		tamperCookie(t, b, s.rp.url("/accedi/p/callback"), "procedo_oidc_p", func(v string) string {
			parts := strings.Split(v, ".")
			parts[2] = randomState()
			return strings.Join(parts, ".")
		})
		o := b.outcome(b.get(cb.String()))
		wantRefused(t, o, procedo.EUNAUTHORIZED)
		if !strings.Contains(o.Cause, "nonce") {
			t.Fatalf("refused for %s", o.Cause)
		}
	})

	t.Run("WrongPKCEVerifier", func(t *testing.T) {
		b := newBrowser(t, s.cfg.RedirectURL)
		cb := s.authorize(t, b, "mario")
		tamperCookie(t, b, s.rp.url("/accedi/p/callback"), "procedo_oidc_p", func(v string) string {
			parts := strings.Split(v, ".")
			parts[1] = randomState() + randomState()
			return strings.Join(parts, ".")
		})
		o := b.outcome(b.get(cb.String()))
		wantRefused(t, o, procedo.EUNAUTHORIZED)
		if !strings.Contains(o.Cause, "token exchange") {
			t.Fatalf("refused for %s", o.Cause)
		}
	})

	for _, tc := range []struct{ name, user, cause string }{
		{"NoFiscalCode", "senzacf", "no fiscal number"},
		{"InvalidFiscalCode", "cferrato", "carattere di controllo"},
		{"ForeignTaxNumber", "estero", "not Italian"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBrowser(t, s.cfg.RedirectURL)
			o := b.outcome(b.get(s.authorize(t, b, tc.user).String()))
			wantRefused(t, o, procedo.EUNAUTHORIZED)
			if !strings.Contains(o.Cause, tc.cause) {
				t.Fatalf("refused for %s", o.Cause)
			}
		})
	}

	t.Run("AccessDenied", func(t *testing.T) {
		b := newBrowser(t, s.cfg.RedirectURL)
		if resp, _ := b.get(s.rp.url("/accedi/p")); resp.StatusCode != http.StatusOK {
			t.Fatal(resp.Status)
		}
		q := s.op.lastAuthorization()
		u := s.cfg.RedirectURL + "?error=access_denied&state=" + url.QueryEscape(q.Get("state"))
		o := b.outcome(b.get(u))
		wantRefused(t, o, procedo.EUNAUTHORIZED)
		if !strings.Contains(o.Message, "annullato") {
			t.Fatalf("message %q", o.Message)
		}
	})
}

func TestOIDC_WrongClientSecret(t *testing.T) {
	s := newOIDCSetup(t, false, true)
	cfg := s.cfg
	cfg.ClientSecret = "indovina"
	p, err := identity.NewOIDC(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.rp.set(p)
	b := newBrowser(t, s.cfg.RedirectURL)
	wantRefused(t, b.outcome(b.get(s.authorize(t, b, "mario").String())), procedo.EUNAUTHORIZED)
}

func TestOIDC_ProviderDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	issuer := srv.URL
	srv.Close() // nothing listens there any more
	h := newRP(t)
	p, err := identity.NewOIDC(identity.OIDCConfig{ID: "p", Label: "Entra con CIE", IssuerURL: issuer, ClientID: "rp",
		ClientSecret: "x", RedirectURL: h.url("/accedi/p/callback")})
	if err != nil {
		t.Fatal(err) // construction needs no network
	}
	h.set(p)
	b := newBrowser(t, "")
	o := b.outcome(b.get(h.url("/accedi/p")))
	wantRefused(t, o, procedo.EUNAVAILABLE)
	if !strings.Contains(o.Message, "Entra con CIE") || !strings.Contains(o.Message, "non risponde") {
		t.Fatalf("message %q", o.Message)
	}
}

func TestNewOIDC_ErrInvalid(t *testing.T) {
	kp := testKey(t, 1)
	ok := identity.OIDCConfig{ID: "p", Label: "x", IssuerURL: "https://op.example.it", ClientID: "https://rp.example.it",
		RedirectURL: "https://rp.example.it/accedi/p/callback", PrivateKey: kp.keyPEM}
	if _, err := identity.NewOIDC(ok); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, field string
		change      func(*identity.OIDCConfig)
	}{
		{"no issuer", "issuer_url", func(c *identity.OIDCConfig) { c.IssuerURL = "" }},
		{"no client", "client_id", func(c *identity.OIDCConfig) { c.ClientID = "" }},
		{"relative redirect", "redirect_url", func(c *identity.OIDCConfig) { c.RedirectURL = "/accedi/p/callback" }},
		{"no credentials", "private_key", func(c *identity.OIDCConfig) { c.PrivateKey = "" }},
		{"both credentials", "client_secret", func(c *identity.OIDCConfig) { c.ClientSecret = "x" }},
		{"bad key", "private_key", func(c *identity.OIDCConfig) { c.PrivateKey = kp.certPEM }},
	} {
		cfg := ok
		tc.change(&cfg)
		_, err := identity.NewOIDC(cfg)
		if fe := procedo.FieldErrorsOf(err); fe[tc.field] == "" {
			t.Errorf("%s: got %v", tc.name, err)
		}
	}
}

// tamperCookie changes the value of the browser's cookie name for u.
func tamperCookie(t *testing.T, b *browser, u, name string, change func(string) string) {
	t.Helper()
	target := mustURL(t, u)
	for _, c := range b.c.Jar.Cookies(target) {
		if c.Name == name {
			b.c.Jar.SetCookies(target, []*http.Cookie{{Name: name, Value: change(c.Value), Path: target.Path}})
			return
		}
	}
	t.Fatalf("no cookie %s for %s", name, u)
}

// logoutAt runs an RP-initiated logout at a running OP with the ID token
// of a login and checks that the OP ended the session and sent the browser
// back with the state.
func logoutAt(t *testing.T, o *testOP, h *rp, idToken string) {
	t.Helper()
	b := newBrowser(t, "")
	state := randomState()
	resp, body := b.get(h.url("/accedi/p/esci?logout=" + url.QueryEscape(idToken) + "&state=" + state))
	if resp.Request.URL.Path != "/accedi/p/uscita" {
		t.Fatalf("logout ended at %s: %s %s", resp.Request.URL, resp.Status, body)
	}
	if out := b.outcome(resp, body); out.Status != http.StatusOK || out.State != state {
		t.Fatalf("logout return %+v", out)
	}
	o.storage.mu.Lock()
	defer o.storage.mu.Unlock()
	if len(o.storage.ended) != 1 || o.storage.ended[0] != "u1" {
		t.Fatalf("sessions ended at the OP: %v", o.storage.ended)
	}
}

func TestOIDC_Logout(t *testing.T) {
	s := newOIDCSetup(t, true, false)
	b := newBrowser(t, s.cfg.RedirectURL)
	o := b.outcome(b.get(s.authorize(t, b, "mario").String()))
	if o.Status != http.StatusOK || o.Logout == "" {
		t.Fatalf("login: %+v", o)
	}
	logoutAt(t, s.op, s.rp, o.Logout)

	t.Run("NoState", func(t *testing.T) {
		b := newBrowser(t, "")
		wantRefused(t, b.outcome(b.get(s.rp.url("/accedi/p/uscita"))), procedo.EFORBIDDEN)
	})
}
