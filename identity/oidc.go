// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package identity

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/procedo/procedo"
)

// OIDCConfig configures an OpenID Connect relying party for SPID or CIE. In
// a tenant's stored configuration it is the JSON object of the provider, with
// the keys given below; ID and Label come from the provider's row.
type OIDCConfig struct {
	ID    string `json:"-"` // provider id, in URLs (/accedi/{ID})
	Label string `json:"-"` // button label

	// IssuerURL is the OpenID Provider's issuer; its discovery document is
	// read from IssuerURL + "/.well-known/openid-configuration" on first use.
	IssuerURL string `json:"issuer_url"`
	// ClientID is the relying party's client_id at the provider (in the
	// SPID/CIE federation, the RP's entity id: its https URL).
	ClientID string `json:"client_id"`
	// ClientSecret authenticates the RP at the token endpoint
	// (client_secret_basic). Leave it empty when PrivateKey is set.
	ClientSecret string `json:"client_secret,omitempty"`
	// PrivateKey, a PEM private key (RSA or ECDSA P-256), authenticates the
	// RP with private_key_jwt, as SPID and CIE require. Its public half is
	// published by Metadata as a JWK set.
	PrivateKey string `json:"private_key,omitempty"`
	// KeyID is the "kid" of PrivateKey; empty means its RFC 7638 thumbprint.
	KeyID string `json:"key_id,omitempty"`
	// RedirectURL is the RP's callback, https://HOST/accedi/{ID}/callback.
	RedirectURL string `json:"redirect_url"`
	// ExtraScopes are asked for besides "openid profile" (e.g. "email").
	ExtraScopes []string `json:"extra_scopes,omitempty"`
	// ACRValues ask for an assurance level, e.g.
	// "https://www.spid.gov.it/SpidL2"; empty sends none.
	ACRValues []string `json:"acr_values,omitempty"`
	// Prompt is the prompt parameter; SPID/CIE want "consent login".
	Prompt string `json:"prompt,omitempty"`
	// LogoutURL is where the provider sends the browser back after a
	// logout (post_logout_redirect_uri), https://HOST/accedi/{ID}/uscita;
	// empty means RedirectURL with "uscita" in place of its last segment.
	LogoutURL string `json:"logout_url,omitempty"`
	// Federation, when set, makes the RP a member of an OpenID Connect
	// Federation (SPID/CIE OIDC): IssuerURL is then the OP's entity id, whose
	// trust chain is resolved instead of discovery; ClientID is procedo's
	// entity id; PrivateKey is required.
	Federation *FederationConfig `json:"federation,omitempty"`

	// HTTPClient talks to the provider; nil means a 10-second-timeout client.
	HTTPClient *http.Client `json:"-"`
	// Now returns the time (token checks, client assertions); nil means time.Now.
	Now func() time.Time `json:"-"`
}

// oidcScopes are always asked for.
var oidcScopes = []string{oidc.ScopeOpenID, "profile"}

// oidcClaimsRequest is the OIDC "claims" parameter: SPID and CIE release only
// the attributes named in it, from the userinfo endpoint.
var oidcClaimsRequest = func() string {
	essential := map[string]bool{"essential": true}
	b, _ := json.Marshal(map[string]any{"userinfo": map[string]any{
		oidcFiscalNumber: essential, "given_name": essential, "family_name": essential, "email": nil,
	}})
	return string(b)
}()

// OIDC is an OpenID Connect relying party (SPID/CIE OIDC): authorization code
// flow with PKCE (S256) and nonce. The provider's discovery document is read
// on first use, so a provider that is down does not stop procedo from
// starting; until it answers, logins fail with EUNAVAILABLE.
type OIDC struct {
	cfg      OIDCConfig
	redirect *url.URL
	key      crypto.Signer    // private_key_jwt key, or nil for client_secret
	jwk      *jose.JSONWebKey // public half of key
	alg      jose.SignatureAlgorithm
	cookie   flowCookie
	fed      *federation // nil: plain OIDC with discovery
	// logoutURL is the post_logout_redirect_uri.
	logoutURL string

	mu       sync.Mutex
	rp       *oidcRP   // discovered provider, nil until discovery succeeds
	failedAt time.Time // last failed discovery: retried only after discoveryRetry
	failure  error
}

// discoveryRetry is how long a failed discovery is remembered, so that a
// provider that is down is not asked again by every citizen who clicks.
const discoveryRetry = 15 * time.Second

// oidcRP is what discovery, or the federation's trust chain, gives.
type oidcRP struct {
	provider *oidc.Provider // plain mode only
	verifier *oidc.IDTokenVerifier
	keys     oidc.KeySet // the OP's signing keys (federation mode)
	oauth    *oauth2.Config
	issuer   string
	userinfo bool // the provider has a userinfo endpoint
	// userinfoURL, endSession and authURL are the OP's endpoints.
	userinfoURL, endSession, authURL string
	expires                          time.Time // federation: the trust chain must be resolved again after
}

var _ procedo.IdentityProvider = (*OIDC)(nil)

// NewOIDC checks cfg and returns the relying party. It does no network I/O.
// EINVALID with field errors naming the wrong settings.
func NewOIDC(cfg OIDCConfig) (*OIDC, error) {
	fe := procedo.FieldErrors{}
	if u, err := url.Parse(cfg.IssuerURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		fe.Add("issuer_url", "L'indirizzo dell'OpenID Provider (issuer_url) deve essere un URL https.")
	}
	if cfg.ClientID == "" {
		fe.Add("client_id", "Manca il client_id.")
	}
	redirect, err := url.Parse(cfg.RedirectURL)
	if err != nil || (redirect.Scheme != "https" && redirect.Scheme != "http") || redirect.Host == "" {
		fe.Add("redirect_url", "L'indirizzo di ritorno (redirect_url) deve essere un URL assoluto, https://…/accedi/ID/callback.")
	}
	o := &OIDC{cfg: cfg, redirect: redirect}
	switch {
	case cfg.PrivateKey != "" && cfg.ClientSecret != "":
		fe.Add("client_secret", "Indica private_key oppure client_secret, non entrambi.")
	case cfg.PrivateKey != "":
		key, alg, err := parsePrivateKey(cfg.PrivateKey)
		if err != nil {
			fe.Add("private_key", "La chiave privata (private_key) non è valida: serve una chiave RSA o ECDSA P-256 in formato PEM.")
			break
		}
		o.key, o.alg = key, alg
		o.jwk = &jose.JSONWebKey{Key: key.Public(), KeyID: cfg.KeyID, Algorithm: string(alg), Use: "sig"}
		if o.jwk.KeyID == "" {
			tp, err := o.jwk.Thumbprint(crypto.SHA256)
			if err != nil {
				fe.Add("private_key", "La chiave privata (private_key) non è utilizzabile.")
				break
			}
			o.jwk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
		}
	case cfg.ClientSecret == "":
		fe.Add("private_key", "Serve una chiave privata (private_key, per private_key_jwt) oppure un client_secret.")
	}
	if cfg.Federation != nil {
		if cfg.ClientSecret != "" {
			fe.Add("client_secret", "Nella federazione SPID/CIE il client si autentica con private_key_jwt: togli client_secret e indica private_key.")
		}
		o.fed = newFederation(cfg.Federation, cfg.ClientID, fe)
	}
	o.logoutURL = cfg.LogoutURL
	if o.logoutURL == "" && redirect != nil {
		o.logoutURL = redirect.JoinPath("..", "uscita").String()
	} else if o.logoutURL != "" && !isHTTPURL(o.logoutURL) {
		fe.Add("logout_url", "L'indirizzo di ritorno dopo l'uscita (logout_url) deve essere un URL assoluto, https://…/accedi/ID/uscita.")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if o.cfg.HTTPClient == nil {
		o.cfg.HTTPClient = defaultHTTPClient
	}
	if o.cfg.Now == nil {
		o.cfg.Now = time.Now
	}
	o.cookie = flowCookie{name: "procedo_oidc_" + cfg.ID, path: redirect.Path, secure: redirect.Scheme == "https"}
	return o, nil
}

// ID implements procedo.IdentityProvider.
func (o *OIDC) ID() string { return o.cfg.ID }

// Label implements procedo.IdentityProvider.
func (o *OIDC) Label() string { return o.cfg.Label }

// ready returns the discovered provider, running discovery (or, in
// federation mode, resolving the OP's trust chain) if it has not succeeded
// yet or its trust chain has expired. EUNAVAILABLE if the provider does not
// answer; EUNAUTHORIZED if its trust chain is not valid.
func (o *OIDC) ready(ctx context.Context) (*oidcRP, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.cfg.Now()
	if o.rp != nil && (o.rp.expires.IsZero() || now.Before(o.rp.expires)) {
		return o.rp, nil
	}
	if o.failure != nil && now.Sub(o.failedAt) < discoveryRetry {
		return nil, o.failure
	}
	// Discovery goes on if the citizen leaves: the next one finds it done.
	ctx = oidc.ClientContext(context.WithoutCancel(ctx), o.cfg.HTTPClient)
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	var rp *oidcRP
	var err error
	if o.fed != nil {
		rp, err = o.federate(dctx)
	} else {
		rp, err = o.discover(dctx)
	}
	if err != nil {
		o.rp, o.failedAt, o.failure = nil, now, err
		return nil, err
	}
	o.rp, o.failure = rp, nil
	return rp, nil
}

// discover reads the provider's discovery document.
func (o *OIDC) discover(ctx context.Context) (*oidcRP, error) {
	p, err := oidc.NewProvider(ctx, o.cfg.IssuerURL)
	if err != nil {
		return nil, unavailable(o.cfg.Label, fmt.Errorf("OIDC discovery of %s: %w", o.cfg.IssuerURL, err))
	}
	var meta struct {
		Issuer     string `json:"issuer"`
		UserInfo   string `json:"userinfo_endpoint"`
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, unavailable(o.cfg.Label, err)
	}
	return &oidcRP{provider: p, oauth: o.oauthConfig(p.Endpoint()), issuer: meta.Issuer, userinfo: meta.UserInfo != "",
		userinfoURL: meta.UserInfo, endSession: meta.EndSession, authURL: p.Endpoint().AuthURL,
		verifier: p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID, Now: o.cfg.Now})}, nil
}

// federate resolves the OP's trust chain and takes its endpoints and keys
// from the metadata the chain vouches for.
func (o *OIDC) federate(ctx context.Context) (*oidcRP, error) {
	op, err := o.resolveOP(ctx)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, unavailable(o.cfg.Label, fmt.Errorf("OpenID Federation: %w", err))
		}
		return nil, untrusted(o.cfg.Label, err)
	}
	m := op.meta
	var keys oidc.KeySet
	if m.JWKS != nil && len(m.JWKS.Keys) > 0 {
		ks := &oidc.StaticKeySet{}
		for _, k := range m.JWKS.Keys {
			if k.Use == "" || k.Use == "sig" {
				ks.PublicKeys = append(ks.PublicKeys, k.Key)
			}
		}
		keys = ks
	} else {
		keys = oidc.NewRemoteKeySet(ctx, m.JWKSURI)
	}
	algs := m.IDTokenAlgs
	if len(algs) == 0 {
		algs = []string{oidc.RS256, oidc.ES256}
	}
	return &oidcRP{oauth: o.oauthConfig(oauth2.Endpoint{AuthURL: m.AuthorizationEndpoint, TokenURL: m.TokenEndpoint}),
		issuer: m.Issuer, keys: keys, userinfo: m.UserinfoEndpoint != "", userinfoURL: m.UserinfoEndpoint,
		endSession: m.EndSessionEndpoint, authURL: m.AuthorizationEndpoint, expires: op.expires,
		verifier: oidc.NewVerifier(m.Issuer, keys, &oidc.Config{ClientID: o.cfg.ClientID, Now: o.cfg.Now, SupportedSigningAlgs: algs}),
	}, nil
}

func (o *OIDC) oauthConfig(ep oauth2.Endpoint) *oauth2.Config {
	scopes := append(append([]string{}, oidcScopes...), o.cfg.ExtraScopes...)
	oc := &oauth2.Config{ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, Endpoint: ep,
		RedirectURL: o.cfg.RedirectURL, Scopes: scopes}
	if o.key != nil {
		// private_key_jwt: no secret; client_id goes in the form with the assertion.
		oc.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	}
	return oc
}

// Start implements procedo.IdentityProvider: it sends the browser to the
// provider's authorization endpoint with a fresh PKCE verifier and nonce,
// kept in a cookie bound to state.
func (o *OIDC) Start(w http.ResponseWriter, r *http.Request, state string) error {
	rp, err := o.ready(r.Context())
	if err != nil {
		return err
	}
	verifier, nonce := oauth2.GenerateVerifier(), randomString(24)
	o.cookie.set(w, state+"."+verifier+"."+nonce) // base64url values: no dots
	if o.fed != nil {
		u, err := o.requestObjectURL(rp, state, verifier, nonce)
		if err != nil {
			return err
		}
		http.Redirect(w, r, u, http.StatusSeeOther)
		return nil
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce),
		oauth2.SetAuthURLParam("claims", oidcClaimsRequest)}
	if len(o.cfg.ACRValues) > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", strings.Join(o.cfg.ACRValues, " ")))
	}
	if o.cfg.Prompt != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", o.cfg.Prompt))
	}
	http.Redirect(w, r, rp.oauth.AuthCodeURL(state, opts...), http.StatusSeeOther)
	return nil
}

// requestObjectURL returns the authorization request of federation mode:
// every parameter in a Request Object signed with the RP key (SPID OIDC
// rules), client_id, response_type, scope and the PKCE challenge repeated in
// the query.
func (o *OIDC) requestObjectURL(rp *oidcRP, state, verifier, nonce string) (string, error) {
	now := o.cfg.Now()
	scope := strings.Join(rp.oauth.Scopes, " ")
	challenge := oauth2.S256ChallengeFromVerifier(verifier)
	var claims any
	_ = json.Unmarshal([]byte(oidcClaimsRequest), &claims)
	prompt := o.cfg.Prompt
	if prompt == "" {
		prompt = "consent login"
	}
	ro := map[string]any{
		"iss": o.cfg.ClientID, "sub": o.cfg.ClientID, "aud": []string{rp.issuer, rp.authURL},
		"iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(), "jti": randomString(18),
		"client_id": o.cfg.ClientID, "response_type": "code", "scope": scope, "redirect_uri": o.cfg.RedirectURL,
		"state": state, "nonce": nonce, "code_challenge": challenge, "code_challenge_method": "S256",
		"claims": claims, "prompt": prompt,
	}
	if len(o.cfg.ACRValues) > 0 {
		ro["acr_values"] = strings.Join(o.cfg.ACRValues, " ")
	}
	jwt, err := signJWT(o.key, o.alg, o.jwk.KeyID, "JWT", ro)
	if err != nil {
		return "", fmt.Errorf("identity: request object: %w", err)
	}
	u, err := url.Parse(rp.authURL)
	if err != nil {
		return "", unavailable(o.cfg.Label, err)
	}
	q := u.Query()
	for k, v := range map[string]string{"client_id": o.cfg.ClientID, "response_type": "code", "scope": scope,
		"code_challenge": challenge, "code_challenge_method": "S256", "request": jwt} {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// oidcClaims are the SPID/CIE claims procedo reads.
type oidcClaims struct {
	Subject      string `json:"sub"`
	FiscalNumber string `json:"https://attributes.eid.gov.it/fiscal_number"`
	GivenName    string `json:"given_name"`
	FamilyName   string `json:"family_name"`
	Email        string `json:"email"`
}

// Callback implements procedo.IdentityProvider for the GET to RedirectURL: it
// checks the state against the cookie set by Start, exchanges the code (with
// the PKCE verifier and the client's authentication), verifies the ID token
// (signature, issuer, audience, expiry, nonce, at_hash), completes the claims
// from the userinfo endpoint when the ID token lacks them, and returns the
// citizen. EFORBIDDEN for a callback that does not belong to a login of this
// browser; EUNAUTHORIZED if the provider refused or its answer is not valid,
// or carries no valid codice fiscale; EUNAVAILABLE if it does not answer.
func (o *OIDC) Callback(r *http.Request) (*procedo.Citizen, string, error) {
	c, state, _, err := o.CallbackSession(r)
	return c, state, err
}

// CallbackSession implements procedo.SingleLogoutProvider: Callback, also
// returning the ID token, which the RP-initiated logout sends back to the
// provider as id_token_hint.
func (o *OIDC) CallbackSession(r *http.Request) (*procedo.Citizen, string, string, error) {
	c, state, idToken, err := o.callback(r)
	if err != nil {
		return nil, "", "", err
	}
	return c, state, idToken, nil
}

func (o *OIDC) callback(r *http.Request) (*procedo.Citizen, string, string, error) {
	q := r.URL.Query()
	state := q.Get("state")
	if e := q.Get("error"); e != "" {
		err := fmt.Errorf("provider error %q: %s", e, q.Get("error_description"))
		if e == "access_denied" {
			return nil, "", "", &procedo.Error{Code: procedo.EUNAUTHORIZED, Err: err,
				Message: "Accesso annullato: l'autenticazione non è stata completata o non hai autorizzato l'invio dei dati."}
		}
		return nil, "", "", refused(o.cfg.Label, err)
	}
	v, ok := o.cookie.get(r)
	if !ok {
		return nil, "", "", expired()
	}
	parts := strings.Split(v, ".")
	if len(parts) != 3 || state == "" || subtle.ConstantTimeCompare([]byte(parts[0]), []byte(state)) != 1 {
		return nil, "", "", expired()
	}
	verifier, nonce := parts[1], parts[2]
	code := q.Get("code")
	if code == "" {
		return nil, "", "", refused(o.cfg.Label, errors.New("no code in callback"))
	}
	ctx := r.Context()
	rp, err := o.ready(ctx)
	if err != nil {
		return nil, "", "", err
	}
	ctx = context.WithValue(oidc.ClientContext(ctx, o.cfg.HTTPClient), oauth2.HTTPClient, o.cfg.HTTPClient)
	opts := []oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}
	if o.key != nil {
		assertion, err := o.clientAssertion(rp)
		if err != nil {
			return nil, "", "", err
		}
		opts = append(opts, oauth2.SetAuthURLParam("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
			oauth2.SetAuthURLParam("client_assertion", assertion))
	}
	tok, err := rp.oauth.Exchange(ctx, code, opts...)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			// The provider answered and refused (a used or expired code, a wrong client).
			return nil, "", "", refused(o.cfg.Label, fmt.Errorf("token exchange: %w", err))
		}
		return nil, "", "", unavailable(o.cfg.Label, fmt.Errorf("token exchange: %w", err))
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" {
		return nil, "", "", refused(o.cfg.Label, errors.New("token response without id_token"))
	}
	idt, err := rp.verifier.Verify(ctx, rawID)
	if err != nil {
		return nil, "", "", refused(o.cfg.Label, fmt.Errorf("id_token: %w", err))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(nonce)) != 1 {
		return nil, "", "", refused(o.cfg.Label, errors.New("id_token nonce does not match"))
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, "", "", refused(o.cfg.Label, fmt.Errorf("id_token at_hash: %w", err))
		}
	}
	var claims oidcClaims
	if err := idt.Claims(&claims); err != nil {
		return nil, "", "", refused(o.cfg.Label, fmt.Errorf("id_token claims: %w", err))
	}
	// SPID and CIE release the attributes from the userinfo endpoint only.
	if (claims.FiscalNumber == "" || claims.GivenName == "" || claims.FamilyName == "") && rp.userinfo {
		var more oidcClaims
		if o.fed != nil {
			if err := o.federatedUserInfo(ctx, rp, tok.AccessToken, &more); err != nil {
				return nil, "", "", refused(o.cfg.Label, fmt.Errorf("userinfo: %w", err))
			}
		} else {
			ui, err := rp.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
			if err != nil {
				return nil, "", "", refused(o.cfg.Label, fmt.Errorf("userinfo: %w", err))
			}
			if err := ui.Claims(&more); err != nil {
				return nil, "", "", refused(o.cfg.Label, fmt.Errorf("userinfo claims: %w", err))
			}
		}
		// OpenID Connect Core §5.3.2: a userinfo answer about someone else is discarded.
		if more.Subject != idt.Subject {
			return nil, "", "", refused(o.cfg.Label, fmt.Errorf("userinfo sub %q differs from id_token sub %q", more.Subject, idt.Subject))
		}
		claims.FiscalNumber = firstNonEmpty(claims.FiscalNumber, more.FiscalNumber)
		claims.GivenName = firstNonEmpty(claims.GivenName, more.GivenName)
		claims.FamilyName = firstNonEmpty(claims.FamilyName, more.FamilyName)
		claims.Email = firstNonEmpty(claims.Email, more.Email)
	}
	c, err := identityAttributes{FiscalNumber: claims.FiscalNumber, GivenName: claims.GivenName,
		FamilyName: claims.FamilyName, Email: claims.Email}.citizen(o.cfg.ID)
	if err != nil {
		return nil, "", "", err
	}
	return c, state, rawID, nil
}

// clientAssertion returns the private_key_jwt client assertion for the token
// request (RFC 7523, OpenID Connect Core §9): a JWT signed with the RP key,
// issued by and about the client, for the provider. The audience names both
// the token endpoint and the issuer, the two values providers expect.
func (o *OIDC) clientAssertion(rp *oidcRP) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: o.alg, Key: jose.JSONWebKey{Key: o.key, KeyID: o.jwk.KeyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("identity: client assertion signer: %w", err)
	}
	now := o.cfg.Now()
	payload, err := json.Marshal(map[string]any{
		"iss": o.cfg.ClientID, "sub": o.cfg.ClientID, "aud": []string{rp.oauth.Endpoint.TokenURL, rp.issuer},
		"jti": randomString(18), "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
	})
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("identity: client assertion: %w", err)
	}
	return jws.CompactSerialize()
}

// Metadata returns the relying party's public JWK set (the key of
// private_key_jwt), for the provider's registration; ENOTFOUND if the RP
// authenticates with a client secret.
func (o *OIDC) Metadata() (contentType string, body []byte, err error) {
	if o.jwk == nil {
		return "", nil, procedo.Errorf(procedo.ENOTFOUND, "Questo metodo di accesso non pubblica chiavi.")
	}
	body, err = json.MarshalIndent(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{*o.jwk}}, "", "  ")
	return "application/jwk-set+json", body, err
}

// parsePrivateKey reads a PEM RSA or ECDSA P-256 private key and returns it
// with its JWS algorithm.
func parsePrivateKey(s string) (crypto.Signer, jose.SignatureAlgorithm, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, "", errors.New("no PEM block")
	}
	var key any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	}
	if err != nil {
		return nil, "", err
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < 2048 {
			return nil, "", errors.New("RSA key shorter than 2048 bits")
		}
		return k, jose.RS256, nil
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, "", errors.New("ECDSA key not on P-256")
		}
		return k, jose.ES256, nil
	}
	return nil, "", fmt.Errorf("unsupported key type %T", key)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

var _ procedo.SingleLogoutProvider = (*OIDC)(nil)

// Logout implements procedo.SingleLogoutProvider with OpenID Connect
// RP-initiated logout: the browser goes to the OP's end_session_endpoint
// with the ID token of the login as id_token_hint, LogoutURL as
// post_logout_redirect_uri and state. ENOTFOUND if the OP has no
// end_session_endpoint.
func (o *OIDC) Logout(w http.ResponseWriter, r *http.Request, idToken, state string) error {
	rp, err := o.ready(r.Context())
	if err != nil {
		return err
	}
	if rp.endSession == "" {
		return procedo.Errorf(procedo.ENOTFOUND, "Il gestore dell'identità non offre l'uscita dai suoi servizi.")
	}
	u, err := url.Parse(rp.endSession)
	if err != nil {
		return unavailable(o.cfg.Label, err)
	}
	q := u.Query()
	if idToken != "" {
		q.Set("id_token_hint", idToken)
	}
	q.Set("client_id", o.cfg.ClientID)
	q.Set("post_logout_redirect_uri", o.logoutURL)
	q.Set("state", state)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
	return nil
}

// LogoutReturn implements procedo.SingleLogoutProvider: the OP sends the
// browser back to LogoutURL with the state (checked by the caller against
// its cookie).
func (o *OIDC) LogoutReturn(_ http.ResponseWriter, r *http.Request) (string, error) {
	state := r.URL.Query().Get("state")
	if state == "" {
		return "", expired()
	}
	return state, nil
}
