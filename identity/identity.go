// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package identity holds the citizens' identity providers behind
// procedo.IdentityProvider: SPID and CIE through OpenID Connect (OIDC) and
// SAML 2.0, configured per tenant, and the DEMO provider of the demo. It checks
// what the national identity providers send and returns a Citizen with a
// verified codice fiscale. It must not create sessions (package web does) nor
// read the database (the wiring code hands it the tenant's configuration).
package identity

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// defaultHTTPClient talks to identity providers when the configuration gives
// no client: a provider that does not answer must not hold a citizen's
// request for long.
var defaultHTTPClient = &http.Client{Timeout: 10 * time.Second}

// New builds the provider that p configures: p.Config is decoded into an
// OIDCConfig or a SAMLConfig, with p.ID and p.Label. client talks to the
// provider (discovery, tokens, metadata); nil means a client with a 10-second
// timeout. It does no network I/O: OIDC discovery and SAML metadata downloads
// happen on first use. EINVALID if the settings are incomplete or wrong.
func New(p *procedo.IdentityProviderConfig, client *http.Client) (procedo.IdentityProvider, error) {
	switch p.Kind {
	case procedo.IdentityOIDC:
		var c OIDCConfig
		if err := decodeConfig(p.Config, &c); err != nil {
			return nil, err
		}
		c.ID, c.Label, c.HTTPClient = p.ID, p.Label, client
		return NewOIDC(c)
	case procedo.IdentitySAML:
		var c SAMLConfig
		if err := decodeConfig(p.Config, &c); err != nil {
			return nil, err
		}
		c.ID, c.Label, c.HTTPClient = p.ID, p.Label, client
		return NewSAML(c)
	}
	return nil, procedo.FieldErrors{"kind": fmt.Sprintf("Protocollo %q sconosciuto: usa «oidc» oppure «saml».", p.Kind)}
}

// decodeConfig reads a provider's JSON settings, refusing unknown keys so
// that a misspelt setting is reported rather than ignored.
func decodeConfig(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &procedo.Error{Code: procedo.EINVALID, Message: "La configurazione del metodo di accesso non è valida: " + err.Error(), Err: err}
	}
	return nil
}

// Unavailable stands for a configured provider that cannot work, such as one
// with invalid settings: the login page still offers it, and every login with
// it ends with a clear message instead of a missing button.
type Unavailable struct {
	id, label string
	err       error
}

var _ procedo.IdentityProvider = (*Unavailable)(nil)

// NewUnavailable returns a provider id, labelled label, that refuses every
// login with EUNAVAILABLE; err is the cause, kept for the logs.
func NewUnavailable(id, label string, err error) *Unavailable {
	return &Unavailable{id: id, label: label, err: err}
}

// ID implements procedo.IdentityProvider.
func (u *Unavailable) ID() string { return u.id }

// Label implements procedo.IdentityProvider.
func (u *Unavailable) Label() string { return u.label }

// Start implements procedo.IdentityProvider: it always fails.
func (u *Unavailable) Start(http.ResponseWriter, *http.Request, string) error { return u.error() }

// Callback implements procedo.IdentityProvider: it always fails.
func (u *Unavailable) Callback(*http.Request) (*procedo.Citizen, string, error) {
	return nil, "", u.error()
}

func (u *Unavailable) error() error {
	return &procedo.Error{Code: procedo.EUNAVAILABLE, Err: u.err,
		Message: fmt.Sprintf("L'accesso «%s» non è configurato correttamente: per ora non è possibile usarlo. Contatta l'ente.", u.label)}
}

// unavailable is the error of a provider that does not answer (discovery,
// metadata download, token endpoint down).
func unavailable(label string, err error) error {
	return &procedo.Error{Code: procedo.EUNAVAILABLE, Err: err,
		Message: fmt.Sprintf("Il servizio «%s» non risponde in questo momento. Riprova tra qualche minuto.", label)}
}

// refused is the error of a login whose answer from the provider cannot be
// trusted (bad signature, wrong audience, replay...): the citizen may retry;
// the cause is for the logs only.
func refused(label string, err error) error {
	return &procedo.Error{Code: procedo.EUNAUTHORIZED, Err: err,
		Message: fmt.Sprintf("L'accesso con «%s» non è riuscito: la risposta del gestore dell'identità non è valida. Riprova.", label)}
}

// expired is the error of a callback that does not belong to a login started
// in this browser, or comes too late. (A new value each time: callers may
// annotate it.)
func expired() error {
	return procedo.Errorf(procedo.EFORBIDDEN, "La procedura di accesso è scaduta o non è valida: riprova.")
}

// Attribute names of SPID and CIE.
const (
	// oidcFiscalNumber is the SPID/CIE OIDC claim of the codice fiscale.
	oidcFiscalNumber = "https://attributes.eid.gov.it/fiscal_number"
	// fiscalNumberPrefix precedes the codice fiscale in the fiscalNumber
	// attribute: TIN (tax identification number) of Italy.
	fiscalNumberPrefix = "TINIT-"
)

// identityAttributes are what SPID and CIE say about a citizen, whatever the
// protocol.
type identityAttributes struct {
	FiscalNumber string // "TINIT-" and the codice fiscale
	GivenName    string
	FamilyName   string
	Email        string
}

// citizen checks the attributes and returns the citizen they describe. The
// codice fiscale is the identity: without a valid one there is no login.
func (a identityAttributes) citizen(providerID string) (*procedo.Citizen, error) {
	fn := strings.TrimSpace(a.FiscalNumber)
	if len(fn) >= len(fiscalNumberPrefix) && strings.EqualFold(fn[:len(fiscalNumberPrefix)], fiscalNumberPrefix) {
		fn = fn[len(fiscalNumberPrefix):]
	} else if strings.HasPrefix(fn, "TIN") && strings.Contains(fn, "-") {
		// A tax number of another country (eIDAS): procedo identifies people by codice fiscale.
		return nil, &procedo.Error{Code: procedo.EUNAUTHORIZED, Err: fmt.Errorf("fiscal number %q is not Italian", fn),
			Message: "L'identità digitale usata non ha un codice fiscale italiano: per i servizi dell'ente serve il codice fiscale."}
	}
	if fn == "" {
		return nil, &procedo.Error{Code: procedo.EUNAUTHORIZED, Err: fmt.Errorf("no fiscal number"),
			Message: "Il gestore dell'identità non ha comunicato il codice fiscale, che è necessario per accedere. Riprova e autorizza l'invio dei dati richiesti."}
	}
	cf, err := procedo.ValidateFiscalCode(fn)
	if err != nil {
		return nil, &procedo.Error{Code: procedo.EUNAUTHORIZED, Err: err,
			Message: "Il codice fiscale comunicato dal gestore dell'identità non è valido: non è possibile accedere."}
	}
	c := &procedo.Citizen{FiscalCode: cf, GivenName: cleanName(a.GivenName), FamilyName: cleanName(a.FamilyName), Provider: providerID}
	// An e-mail address is optional: a malformed one is dropped, not fatal.
	if e := strings.TrimSpace(a.Email); e != "" {
		if addr, err := mail.ParseAddress(e); err == nil && addr.Address == e {
			c.Email = e
		}
	}
	return c, nil
}

// randomString returns n random bytes, URL-safe base64.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// flowCookie remembers, in the browser, what a provider needs between Start and
// Callback (PKCE verifier, nonce, SAML request id) for ten minutes. Its value
// is bound to the login's state, which package web also checks against its own
// cookie.
type flowCookie struct {
	name, path string
	secure     bool // the callback is served over HTTPS
	crossSite  bool // the callback is a cross-site POST (SAML HTTP-POST binding)
}

func (fc flowCookie) set(w http.ResponseWriter, value string) {
	c := &http.Cookie{Name: fc.name, Value: value, Path: fc.path, HttpOnly: true, Secure: fc.secure, MaxAge: 600}
	switch {
	case !fc.crossSite:
		c.SameSite = http.SameSiteLaxMode
	case fc.secure:
		// The IdP's form POST is cross-site: only SameSite=None cookies come with it.
		c.SameSite = http.SameSiteNoneMode
	default:
		// Over plain HTTP (development) SameSite=None is refused by browsers;
		// without the attribute they still send it with a POST made soon after.
		c.SameSite = http.SameSiteDefaultMode
	}
	http.SetCookie(w, c)
}

func (fc flowCookie) get(r *http.Request) (string, bool) {
	c, err := r.Cookie(fc.name)
	if err != nil || c.Value == "" {
		return "", false
	}
	return c.Value, true
}

// untrusted is the error of an OpenID Provider whose federation trust chain
// does not verify (no path to the trust anchor, bad signature, expired
// statement, metadata the policy forbids): logins with it are refused.
func untrusted(label string, err error) error {
	return &procedo.Error{Code: procedo.EUNAUTHORIZED, Err: err,
		Message: fmt.Sprintf("L'accesso con «%s» non è possibile: il gestore dell'identità non risulta affidabile nella federazione SPID/CIE. Riprova più tardi o contatta l'ente.", label)}
}

func (fc flowCookie) clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: fc.name, Path: fc.path, HttpOnly: true, Secure: fc.secure, MaxAge: -1})
}
