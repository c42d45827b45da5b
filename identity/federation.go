// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package identity

import (
	"context"
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/procedo/procedo"
)

// FederationConfig makes an OIDC relying party a member of an OpenID Connect
// Federation 1.0, as SPID OIDC (AgID rules, Avviso SPID n. 41) and CIE id
// require: procedo publishes its Entity Configuration, self-signed with Key,
// and registers automatically at every OpenID Provider whose trust chain
// reaches TrustAnchor; the OP's endpoints and keys come from the chain, not
// from discovery. In a tenant's stored configuration it is the "federation"
// object of an OIDC provider.
type FederationConfig struct {
	// TrustAnchor is the entity id of the federation's trust anchor, e.g.
	// https://registry.spid.gov.it or https://registry.servizicie.interno.gov.it.
	TrustAnchor string `json:"trust_anchor"`
	// TrustAnchorJWKS is the trust anchor's public JWK set, pinned: the chain
	// is verified with these keys, never with what the anchor publishes.
	TrustAnchorJWKS json.RawMessage `json:"trust_anchor_jwks"`
	// AuthorityHints are the entity ids of procedo's superiors (the trust
	// anchor, or the intermediate — e.g. an aggregator — that registered it).
	AuthorityHints []string `json:"authority_hints"`
	// TrustMarks are published in the Entity Configuration as given.
	TrustMarks []TrustMark `json:"trust_marks,omitempty"`
	// Key is the PEM federation key (RSA of at least 2048 bits, or ECDSA
	// P-256) that signs the Entity Configuration; KeyID its "kid" (empty
	// means its RFC 7638 thumbprint).
	Key   string `json:"key"`
	KeyID string `json:"key_id,omitempty"`
	// EncryptionKey is the PEM RSA key (at least 2048 bits) with which the
	// OP encrypts the userinfo answer (RSA-OAEP-256); EncryptionKeyID its kid.
	EncryptionKey   string `json:"encryption_key"`
	EncryptionKeyID string `json:"encryption_key_id,omitempty"`
	// OrganizationName, Contacts and HomepageURI describe the tenant in the
	// Entity Configuration (federation_entity and client metadata).
	OrganizationName string   `json:"organization_name,omitempty"`
	Contacts         []string `json:"contacts,omitempty"`
	HomepageURI      string   `json:"homepage_uri,omitempty"`
}

// TrustMark is a trust mark issued to procedo (e.g. by AgID), published
// as is in the Entity Configuration.
type TrustMark struct {
	ID        string `json:"id"`
	TrustMark string `json:"trust_mark"`
}

// Federation constants.
const (
	entityStatementType    = "entity-statement+jwt"
	EntityStatementMIME    = "application/entity-statement+jwt"
	wellKnownFederation    = "/.well-known/openid-federation"
	entityConfigLifetime   = 24 * time.Hour
	maxTrustChainDepth     = 5
	federationClockSkew    = time.Minute
	userinfoEncryptionAlg  = jose.RSA_OAEP_256
	userinfoEncryptionEnc  = jose.A256CBC_HS512
	federationResponseSize = 1 << 20
)

// federationSignatureAlgs are the algorithms accepted on entity statements,
// ID tokens and userinfo answers.
var federationSignatureAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS512, jose.PS256, jose.PS512, jose.ES256, jose.ES384, jose.ES512}

// federation is the checked FederationConfig.
type federation struct {
	cfg         FederationConfig
	anchorKeys  jose.JSONWebKeySet
	key         crypto.Signer
	alg         jose.SignatureAlgorithm
	jwk         jose.JSONWebKey // public half of key
	encKey      *rsa.PrivateKey
	encJWK      jose.JSONWebKey // public half of encKey
	trustAnchor string
}

// newFederation checks cfg, adding problems to fe under "federation.…".
func newFederation(cfg *FederationConfig, clientID string, fe procedo.FieldErrors) *federation {
	f := &federation{cfg: *cfg, trustAnchor: strings.TrimSuffix(cfg.TrustAnchor, "/")}
	if !isHTTPURL(cfg.TrustAnchor) {
		fe.Add("federation.trust_anchor", "L'entity id del trust anchor (trust_anchor) deve essere un URL https.")
	}
	if err := json.Unmarshal(cfg.TrustAnchorJWKS, &f.anchorKeys); err != nil || len(f.anchorKeys.Keys) == 0 || !allPublic(f.anchorKeys) {
		fe.Add("federation.trust_anchor_jwks", "Le chiavi pubbliche del trust anchor (trust_anchor_jwks) devono essere un JWK set con almeno una chiave pubblica.")
	}
	if len(cfg.AuthorityHints) == 0 {
		fe.Add("federation.authority_hints", "Indica almeno un'autorità superiore (authority_hints): il trust anchor o l'intermediario che ha registrato l'ente.")
	}
	for _, h := range cfg.AuthorityHints {
		if !isHTTPURL(h) {
			fe.Add("federation.authority_hints", "Ogni authority_hint deve essere un URL https.")
			break
		}
	}
	for _, tm := range cfg.TrustMarks {
		if tm.ID == "" || strings.Count(tm.TrustMark, ".") != 2 {
			fe.Add("federation.trust_marks", "Ogni trust mark deve avere un id e il JWT rilasciato (trust_mark).")
			break
		}
	}
	key, alg, err := parsePrivateKey(cfg.Key)
	if err != nil {
		fe.Add("federation.key", "La chiave di federazione (key) non è valida: serve una chiave RSA o ECDSA P-256 in formato PEM.")
	} else if f.jwk, err = publicJWK(key, cfg.KeyID, string(alg), "sig"); err != nil {
		fe.Add("federation.key", "La chiave di federazione (key) non è utilizzabile.")
	}
	f.key, f.alg = key, alg
	if k, err := parseRSAKey(cfg.EncryptionKey); err != nil {
		fe.Add("federation.encryption_key", "La chiave di cifratura (encryption_key) non è valida: serve una chiave RSA di almeno 2048 bit in formato PEM.")
	} else if f.encJWK, err = publicJWK(k, cfg.EncryptionKeyID, string(userinfoEncryptionAlg), "enc"); err != nil {
		fe.Add("federation.encryption_key", "La chiave di cifratura (encryption_key) non è utilizzabile.")
	} else {
		f.encKey = k
	}
	if u, err := url.Parse(clientID); err == nil && u.Path != "" && u.Path != "/" {
		fe.Add("client_id", "Nella federazione il client_id è l'entity id dell'ente: l'indirizzo del sito, senza percorso (https://HOST).")
	}
	return f
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func allPublic(set jose.JSONWebKeySet) bool {
	for _, k := range set.Keys {
		if !k.IsPublic() || !k.Valid() {
			return false
		}
	}
	return true
}

// publicJWK returns the public JWK of key, with kid (its thumbprint if empty).
func publicJWK(key crypto.Signer, kid, alg, use string) (jose.JSONWebKey, error) {
	jwk := jose.JSONWebKey{Key: key.Public(), KeyID: kid, Algorithm: alg, Use: use}
	if jwk.KeyID == "" {
		tp, err := jwk.Thumbprint(crypto.SHA256)
		if err != nil {
			return jwk, err
		}
		jwk.KeyID = base64.RawURLEncoding.EncodeToString(tp)
	}
	return jwk, nil
}

// signJWT signs payload with key as a compact JWS with the given typ.
func signJWT(key crypto.Signer, alg jose.SignatureAlgorithm, kid, typ string, payload any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(b)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// entityConfiguration returns the RP's Entity Configuration: a JWS of type
// entity-statement+jwt about itself, signed with the federation key.
func (o *OIDC) entityConfiguration() (string, error) {
	f := o.fed
	now := o.cfg.Now()
	name := firstNonEmpty(f.cfg.OrganizationName, o.cfg.Label)
	rp := map[string]any{
		"client_id":                       o.cfg.ClientID,
		"client_registration_types":       []string{"automatic"},
		"application_type":                "web",
		"client_name":                     name,
		"redirect_uris":                   []string{o.cfg.RedirectURL},
		"post_logout_redirect_uris":       []string{o.logoutURL},
		"jwks":                            jose.JSONWebKeySet{Keys: []jose.JSONWebKey{*o.jwk, f.encJWK}},
		"grant_types":                     []string{"authorization_code"},
		"response_types":                  []string{"code"},
		"token_endpoint_auth_method":      "private_key_jwt",
		"id_token_signed_response_alg":    string(o.alg),
		"userinfo_signed_response_alg":    string(o.alg),
		"userinfo_encrypted_response_alg": string(userinfoEncryptionAlg),
		"userinfo_encrypted_response_enc": string(userinfoEncryptionEnc),
		"request_object_signing_alg":      string(o.alg),
	}
	fedEntity := map[string]any{"organization_name": name}
	if len(f.cfg.Contacts) > 0 {
		rp["contacts"] = f.cfg.Contacts
		fedEntity["contacts"] = f.cfg.Contacts
	}
	if f.cfg.HomepageURI != "" {
		fedEntity["homepage_uri"] = f.cfg.HomepageURI
	}
	claims := map[string]any{
		"iss": o.cfg.ClientID, "sub": o.cfg.ClientID,
		"iat": now.Unix(), "exp": now.Add(entityConfigLifetime).Unix(),
		"jwks":            jose.JSONWebKeySet{Keys: []jose.JSONWebKey{f.jwk}},
		"authority_hints": f.cfg.AuthorityHints,
		"metadata":        map[string]any{"openid_relying_party": rp, "federation_entity": fedEntity},
	}
	if len(f.cfg.TrustMarks) > 0 {
		claims["trust_marks"] = f.cfg.TrustMarks
	}
	return signJWT(f.key, f.alg, f.jwk.KeyID, entityStatementType, claims)
}

// EntityConfiguration returns the relying party's OpenID Federation Entity
// Configuration, to serve at ENTITY_ID/.well-known/openid-federation;
// ENOTFOUND if the RP is not in federation mode.
func (o *OIDC) EntityConfiguration() (contentType string, body []byte, err error) {
	if o.fed == nil {
		return "", nil, procedo.Errorf(procedo.ENOTFOUND, "Questo metodo di accesso non fa parte di una federazione OpenID.")
	}
	jws, err := o.entityConfiguration()
	if err != nil {
		return "", nil, fmt.Errorf("identity: entity configuration: %w", err)
	}
	return EntityStatementMIME, []byte(jws), nil
}

// entityStatement is an entity statement (an Entity Configuration when
// iss = sub, a Subordinate Statement otherwise), parsed but verified only
// once verify has succeeded.
type entityStatement struct {
	Issuer         string                               `json:"iss"`
	Subject        string                               `json:"sub"`
	IssuedAt       int64                                `json:"iat"`
	Expires        int64                                `json:"exp"`
	JWKS           jose.JSONWebKeySet                   `json:"jwks"`
	AuthorityHints []string                             `json:"authority_hints"`
	Metadata       map[string]map[string]any            `json:"metadata"`
	MetadataPolicy map[string]map[string]map[string]any `json:"metadata_policy"`
	PolicyCrit     []string                             `json:"metadata_policy_crit"`

	jws *jose.JSONWebSignature
}

// parseStatement reads a compact JWS entity statement.
func parseStatement(raw string) (*entityStatement, error) {
	jws, err := jose.ParseSigned(strings.TrimSpace(raw), federationSignatureAlgs)
	if err != nil {
		return nil, fmt.Errorf("not a signed entity statement: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("entity statement with more than one signature")
	}
	if typ, _ := jws.Signatures[0].Header.ExtraHeaders[jose.HeaderType].(string); typ != entityStatementType {
		return nil, fmt.Errorf("entity statement of type %q, not %s", typ, entityStatementType)
	}
	var st entityStatement
	if err := json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &st); err != nil {
		return nil, fmt.Errorf("entity statement: %w", err)
	}
	st.jws = jws
	return &st, nil
}

// verify checks the statement's signature with keys (by kid) and its times.
func (st *entityStatement) verify(keys jose.JSONWebKeySet, now time.Time) error {
	kid := st.jws.Signatures[0].Header.KeyID
	found := keys.Key(kid)
	if kid == "" || len(found) == 0 {
		return fmt.Errorf("the signature of the statement of %s about %s does not verify: key %q is not among the issuer's keys", st.Issuer, st.Subject, kid)
	}
	var err error
	for _, k := range found {
		if _, err = st.jws.Verify(k); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("the signature of the statement of %s about %s does not verify: %w", st.Issuer, st.Subject, err)
	}
	if st.Expires == 0 || now.After(time.Unix(st.Expires, 0)) {
		return fmt.Errorf("the statement of %s about %s expired at %s", st.Issuer, st.Subject, time.Unix(st.Expires, 0).UTC().Format(time.RFC3339))
	}
	if time.Unix(st.IssuedAt, 0).After(now.Add(federationClockSkew)) {
		return fmt.Errorf("the statement of %s about %s is issued in the future", st.Issuer, st.Subject)
	}
	return nil
}

// fetchStatement downloads an entity statement.
func (o *OIDC) fetchStatement(ctx context.Context, u string) (*entityStatement, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", EntityStatementMIME)
	resp, err := o.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	body, err := readLimited(resp, federationResponseSize)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	st, err := parseStatement(string(body))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	return st, nil
}

// fetchEntityConfiguration downloads the Entity Configuration of id and
// checks that it is about itself (its signature is checked later, with keys
// the chain vouches for).
func (o *OIDC) fetchEntityConfiguration(ctx context.Context, id string) (*entityStatement, error) {
	st, err := o.fetchStatement(ctx, strings.TrimSuffix(id, "/")+wellKnownFederation)
	if err != nil {
		return nil, err
	}
	if !sameEntity(st.Issuer, id) || !sameEntity(st.Subject, id) {
		return nil, fmt.Errorf("the entity configuration of %s names iss %q and sub %q", id, st.Issuer, st.Subject)
	}
	return st, nil
}

func sameEntity(a, b string) bool { return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/") }

// trustLink is a step up the chain: the superior's Entity Configuration and
// its Subordinate Statement about the entity below.
type trustLink struct {
	superior    *entityStatement
	subordinate *entityStatement
}

// climb follows ec's authority hints up to the trust anchor, depth-first,
// and returns the links from ec's superior to the anchor.
func (o *OIDC) climb(ctx context.Context, ec *entityStatement, depth int, seen map[string]bool) ([]trustLink, error) {
	if depth >= maxTrustChainDepth {
		return nil, fmt.Errorf("the trust chain of %s is longer than %d", ec.Subject, maxTrustChainDepth)
	}
	if len(ec.AuthorityHints) == 0 {
		return nil, fmt.Errorf("%s has no authority_hints", ec.Subject)
	}
	var errs []error
	for _, hint := range ec.AuthorityHints {
		if seen[hint] {
			continue
		}
		seen[hint] = true
		link, err := o.link(ctx, ec.Subject, hint)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if sameEntity(hint, o.fed.trustAnchor) {
			return []trustLink{link}, nil
		}
		rest, err := o.climb(ctx, link.superior, depth+1, seen)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		return append([]trustLink{link}, rest...), nil
	}
	return nil, fmt.Errorf("the trust chain of %s does not reach the trust anchor %s: %w", ec.Subject, o.fed.trustAnchor, errors.Join(errs...))
}

// link fetches superior's Entity Configuration and its statement about sub.
func (o *OIDC) link(ctx context.Context, sub, superior string) (trustLink, error) {
	sup, err := o.fetchEntityConfiguration(ctx, superior)
	if err != nil {
		return trustLink{}, err
	}
	fetch, _ := sup.Metadata["federation_entity"]["federation_fetch_endpoint"].(string)
	if !isHTTPURL(fetch) {
		return trustLink{}, fmt.Errorf("%s publishes no federation_fetch_endpoint", superior)
	}
	u, err := url.Parse(fetch)
	if err != nil {
		return trustLink{}, err
	}
	q := u.Query()
	q.Set("sub", sub)
	u.RawQuery = q.Encode()
	st, err := o.fetchStatement(ctx, u.String())
	if err != nil {
		return trustLink{}, err
	}
	if !sameEntity(st.Issuer, superior) || !sameEntity(st.Subject, sub) {
		return trustLink{}, fmt.Errorf("the fetch endpoint of %s answered with a statement of %q about %q", superior, st.Issuer, st.Subject)
	}
	return trustLink{superior: sup, subordinate: st}, nil
}

// opMetadata is the part of an OpenID Provider's metadata that procedo uses.
type opMetadata struct {
	Issuer                string              `json:"issuer"`
	AuthorizationEndpoint string              `json:"authorization_endpoint"`
	TokenEndpoint         string              `json:"token_endpoint"`
	UserinfoEndpoint      string              `json:"userinfo_endpoint"`
	EndSessionEndpoint    string              `json:"end_session_endpoint"`
	JWKS                  *jose.JSONWebKeySet `json:"jwks"`
	JWKSURI               string              `json:"jwks_uri"`
	IDTokenAlgs           []string            `json:"id_token_signing_alg_values_supported"`
}

// trustedOP is the outcome of a resolved trust chain.
type trustedOP struct {
	meta    opMetadata
	expires time.Time // the earliest expiry in the chain
}

// resolveOP fetches the OP's Entity Configuration, builds and verifies its
// trust chain up to the configured trust anchor with the pinned keys, and
// returns the OP's metadata after the superiors' metadata policies.
func (o *OIDC) resolveOP(ctx context.Context) (*trustedOP, error) {
	now := o.cfg.Now()
	leaf, err := o.fetchEntityConfiguration(ctx, o.cfg.IssuerURL)
	if err != nil {
		return nil, err
	}
	links, err := o.climb(ctx, leaf, 0, map[string]bool{})
	if err != nil {
		return nil, err
	}
	// Verify from the top: the pinned keys verify the anchor's statement;
	// each statement's jwks verify the next one down and the entity's own
	// configuration.
	top := links[len(links)-1]
	if err := top.superior.verify(o.fed.anchorKeys, now); err != nil {
		return nil, fmt.Errorf("trust anchor: %w", err)
	}
	keys := o.fed.anchorKeys
	expires := time.Unix(top.superior.Expires, 0)
	for i := len(links) - 1; i >= 0; i-- {
		st := links[i].subordinate
		if err := st.verify(keys, now); err != nil {
			return nil, err
		}
		keys = st.JWKS
		subject := leaf
		if i > 0 {
			subject = links[i-1].superior
		}
		if err := subject.verify(keys, now); err != nil {
			return nil, err
		}
		for _, e := range []int64{st.Expires, subject.Expires} {
			if t := time.Unix(e, 0); t.Before(expires) {
				expires = t
			}
		}
	}
	// Metadata policies, the anchor's first.
	var policies []*entityStatement
	for i := len(links) - 1; i >= 0; i-- {
		policies = append(policies, links[i].subordinate)
	}
	meta := copyMetadata(leaf.Metadata["openid_provider"])
	if meta == nil {
		return nil, fmt.Errorf("%s is not an OpenID Provider (no openid_provider metadata)", leaf.Subject)
	}
	// The immediate superior may override values.
	for k, v := range links[0].subordinate.Metadata["openid_provider"] {
		meta[k] = v
	}
	policy, err := mergePolicies("openid_provider", policies)
	if err != nil {
		return nil, err
	}
	if err := applyPolicy(meta, policy); err != nil {
		return nil, fmt.Errorf("the metadata of %s: %w", leaf.Subject, err)
	}
	b, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	var m opMetadata
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("the metadata of %s: %w", leaf.Subject, err)
	}
	if !sameEntity(m.Issuer, leaf.Subject) {
		return nil, fmt.Errorf("the OP %s names issuer %q", leaf.Subject, m.Issuer)
	}
	for name, u := range map[string]string{"authorization_endpoint": m.AuthorizationEndpoint, "token_endpoint": m.TokenEndpoint} {
		if !isHTTPURL(u) {
			return nil, fmt.Errorf("the metadata of %s lack %s", leaf.Subject, name)
		}
	}
	if (m.JWKS == nil || len(m.JWKS.Keys) == 0) && !isHTTPURL(m.JWKSURI) {
		return nil, fmt.Errorf("the metadata of %s give no keys (jwks or jwks_uri)", leaf.Subject)
	}
	return &trustedOP{meta: m, expires: expires}, nil
}

func copyMetadata(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// federatedUserInfo asks the userinfo endpoint for the citizen's claims
// and reads them into v. In the federation the answer is a JWT signed by
// the OP, usually encrypted to procedo's encryption key (a JWE holding the
// JWS); a plain JSON answer is refused. The JWT must be issued by the OP
// for procedo.
func (o *OIDC) federatedUserInfo(ctx context.Context, rp *oidcRP, accessToken string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rp.userinfoURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/jwt")
	resp, err := o.cfg.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := readLimited(resp, federationResponseSize)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	token := strings.TrimSpace(string(body))
	switch strings.Count(token, ".") {
	case 4: // JWE, holding the signed JWT
		jwe, err := jose.ParseEncryptedCompact(token, []jose.KeyAlgorithm{jose.RSA_OAEP, jose.RSA_OAEP_256},
			[]jose.ContentEncryption{jose.A128CBC_HS256, jose.A256CBC_HS512, jose.A128GCM, jose.A256GCM})
		if err != nil {
			return fmt.Errorf("encrypted answer: %w", err)
		}
		inner, err := jwe.Decrypt(o.fed.encKey)
		if err != nil {
			return fmt.Errorf("the encrypted answer does not decrypt with procedo's key: %w", err)
		}
		token = strings.TrimSpace(string(inner))
		if strings.Count(token, ".") != 2 {
			return errors.New("the encrypted answer does not hold a signed JWT")
		}
	case 2: // JWS
	default:
		return errors.New("the answer is neither signed nor encrypted (a signed JWT is required in the federation)")
	}
	if _, err := jose.ParseSigned(token, federationSignatureAlgs); err != nil {
		return fmt.Errorf("signed answer: %w", err)
	}
	payload, err := rp.keys.VerifySignature(ctx, token)
	if err != nil {
		return fmt.Errorf("the signature of the answer does not verify with the OP's keys: %w", err)
	}
	var head struct {
		Issuer   string          `json:"iss"`
		Audience json.RawMessage `json:"aud"`
	}
	if err := json.Unmarshal(payload, &head); err != nil {
		return err
	}
	if head.Issuer != rp.issuer {
		return fmt.Errorf("the answer is issued by %q, not by the OP %q", head.Issuer, rp.issuer)
	}
	var aud []string
	if err := json.Unmarshal(head.Audience, &aud); err != nil {
		var one string
		if json.Unmarshal(head.Audience, &one) == nil {
			aud = []string{one}
		}
	}
	if !slicesContains(aud, o.cfg.ClientID) {
		return fmt.Errorf("the answer is for %v, not for %s", aud, o.cfg.ClientID)
	}
	return json.Unmarshal(payload, v)
}

func slicesContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
