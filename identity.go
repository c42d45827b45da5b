// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// IdentityProviderKind is the protocol of a configured identity provider.
type IdentityProviderKind string

// The protocols of SPID and CIE.
const (
	IdentityOIDC IdentityProviderKind = "oidc" // OpenID Connect (SPID/CIE OIDC)
	IdentitySAML IdentityProviderKind = "saml" // SAML 2.0 (SPID SAML, CIE SAML)
)

// IdentityProviderConfig is one way for the citizens of a tenant to log in
// (a SPID or CIE provider), as configured by the tenant's administrator. The
// identity package turns it into a procedo.IdentityProvider.
type IdentityProviderConfig struct {
	TenantID  int64
	ID        string               // short name used in URLs (/accedi/{id}), unique in the tenant, e.g. "spid", "cie"
	Kind      IdentityProviderKind // protocol: "oidc" or "saml"
	Label     string               // Italian button label, e.g. "Entra con SPID"
	Config    json.RawMessage      // protocol settings, a JSON object read by the identity package; holds secrets
	Enabled   bool                 // offered on the login page
	CreatedAt time.Time            //
	UpdatedAt time.Time            //
}

var identityIDRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$`)

// reservedIdentityIDs are path segments of /accedi/ that are not providers.
var reservedIdentityIDs = map[string]bool{"demo": true, "callback": true, "acs": true, "metadata": true}

// Validate checks the fields that need no database. The protocol settings are
// checked by the identity package, which knows them.
func (p *IdentityProviderConfig) Validate() error {
	fe := FieldErrors{}
	if !identityIDRE.MatchString(p.ID) {
		fe.Add("id", "L'identificativo deve avere da 1 a 32 caratteri: lettere minuscole, cifre e trattini.")
	} else if reservedIdentityIDs[p.ID] {
		fe.Add("id", "Questo identificativo è riservato: scegline un altro.")
	}
	if p.Kind != IdentityOIDC && p.Kind != IdentitySAML {
		fe.Add("kind", "Il protocollo deve essere «oidc» oppure «saml».")
	}
	if strings.TrimSpace(p.Label) == "" {
		fe.Add("label", "L'etichetta del pulsante è obbligatoria.")
	} else if len(p.Label) > 100 {
		fe.Add("label", "L'etichetta del pulsante è troppo lunga (massimo 100 caratteri).")
	}
	var obj map[string]any
	if err := json.Unmarshal(p.Config, &obj); err != nil || obj == nil {
		fe.Add("config", "La configurazione deve essere un oggetto JSON.")
	}
	return fe.Err()
}

// IdentityProviderUpdate changes a configured identity provider; nil fields
// are left alone.
type IdentityProviderUpdate struct {
	Label   *string
	Config  *json.RawMessage
	Enabled *bool
}

// IdentityProviderService manages the identity providers of the tenant in ctx.
type IdentityProviderService interface {
	// FindIdentityProviders lists the tenant's providers, enabled or not, by
	// id. Anyone may call it (the login page needs it); the result carries
	// secrets and must not be shown.
	FindIdentityProviders(ctx context.Context) ([]*IdentityProviderConfig, error)
	// CreateIdentityProvider stores p for the tenant. Admins only. EINVALID,
	// with a field error on "id" if the tenant already has one with that id.
	CreateIdentityProvider(ctx context.Context, p *IdentityProviderConfig) error
	// UpdateIdentityProvider changes a provider of the tenant. Admins only.
	// ENOTFOUND, EINVALID.
	UpdateIdentityProvider(ctx context.Context, id string, upd IdentityProviderUpdate) (*IdentityProviderConfig, error)
}

// SingleLogoutProvider is an IdentityProvider that can also end the
// citizen's session at the identity provider when the citizen logs out of
// procedo: OpenID Connect RP-initiated logout, SAML Single Logout.
type SingleLogoutProvider interface {
	IdentityProvider
	// CallbackSession is Callback that also returns what Logout will need
	// (the OIDC ID token; the SAML NameID and SessionIndex): opaque and
	// secret, kept with the citizen's session.
	CallbackSession(r *http.Request) (c *Citizen, state, logout string, err error)
	// Logout sends the browser to the provider to end the session logout
	// describes; state must come back to LogoutReturn. ENOTFOUND if the
	// provider offers no logout endpoint.
	Logout(w http.ResponseWriter, r *http.Request, logout, state string) error
	// LogoutReturn checks the provider's answer at the logout return URL
	// (GET or POST), forgets the logout in progress, and returns the state
	// it carried. EUNAUTHORIZED if the
	// answer is not valid, EFORBIDDEN if it is not for this browser.
	LogoutReturn(w http.ResponseWriter, r *http.Request) (state string, err error)
}

// ProviderLogoutStore keeps, with a citizen's session, what the identity
// provider needs for single logout (see SingleLogoutProvider). A
// SessionService may implement it; without it logout is local only.
type ProviderLogoutStore interface {
	// SetProviderLogout stores logout with the session of token and, when
	// subject is not "", keys the session with subject (LogoutSubject) at
	// provider, so that a logout the provider starts finds it
	// (ProviderSessionStore). ENOTFOUND if there is no such session.
	SetProviderLogout(ctx context.Context, token, logout, provider, subject string) error
	// ProviderLogout returns what SetProviderLogout stored, "" if nothing.
	ProviderLogout(ctx context.Context, token string) (string, error)
}

// ProviderInitiatedLogout is a SingleLogoutProvider whose provider can also
// start a logout (SAML IdP-initiated Single Logout: the citizen logged out at
// the identity provider, or at another service of the same login). The
// provider sends its request to the logout return URL, where LogoutReturn
// receives the answers to procedo's own requests.
type ProviderInitiatedLogout interface {
	SingleLogoutProvider
	// LogoutSubject returns the key of the login that logout (from
	// CallbackSession) describes, by which a provider's logout request finds
	// its sessions (ProviderSessionStore); "" if there is none.
	LogoutSubject(logout string) string
	// IsProviderLogoutRequest reports whether r, at the logout return URL,
	// carries a logout request of the provider rather than an answer.
	IsProviderLogoutRequest(r *http.Request) bool
	// ProviderLogoutRequest checks the provider's logout request in r: it
	// must be signed by the provider, addressed to procedo and current.
	// EUNAUTHORIZED if it is not valid; EUNAVAILABLE if the provider's
	// metadata cannot be had.
	ProviderLogoutRequest(r *http.Request) (*ProviderLogoutRequest, error)
	// AnswerProviderLogout returns the signed answer to req, telling the
	// provider whether the sessions it names were ended (ended false: some
	// could not be). ENOTFOUND if the provider has no endpoint for it.
	AnswerProviderLogout(ctx context.Context, req *ProviderLogoutRequest, ended bool) (*ProviderLogoutAnswer, error)
}

// ProviderLogoutRequest is a verified logout request of an identity
// provider (see ProviderInitiatedLogout).
type ProviderLogoutRequest struct {
	ID      string // the request's id, which the answer refers to
	Subject string // whose logins it ends, as LogoutSubject keys them
	// Matches reports whether the login that logout (kept by
	// ProviderLogoutStore) describes is one the request ends.
	Matches    func(logout string) bool
	RelayState string // opaque value of the provider, sent back with the answer; may be ""
}

// ProviderLogoutAnswer is how the browser takes the answer to a provider's
// logout request back to it: a redirect to URL, or, when Form is not nil,
// a form with the fields of Form posted to URL.
type ProviderLogoutAnswer struct {
	URL  string
	Form url.Values
}

// ProviderSessionStore finds the citizens' sessions of a tenant by their
// login at an identity provider, so that a logout the provider starts ends
// them (ProviderLogoutStore.SetProviderLogout keys them). A SessionService
// may implement it; without it such logouts end no session.
type ProviderSessionStore interface {
	// EndProviderSessions ends the sessions of the tenant in ctx keyed with
	// provider and subject whose provider logout data matches accepts, and
	// returns them (without Token).
	EndProviderSessions(ctx context.Context, provider, subject string, matches func(logout string) bool) ([]*Session, error)
}
