// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"net/http"
	"strings"
)

// Citizen is a person authenticated by an IdentityProvider (SPID, CIE, or the
// DEMO provider). The codice fiscale is the identity: cases and applications are
// bound to it.
type Citizen struct {
	FiscalCode string // codice fiscale, upper case, check character verified
	GivenName  string
	FamilyName string
	Email      string // contact e-mail, if the provider gives one or the citizen adds it
	Provider   string // id of the IdentityProvider that authenticated the citizen
}

// FullName returns "Given Family".
func (c *Citizen) FullName() string {
	return strings.TrimSpace(c.GivenName + " " + c.FamilyName)
}

// IdentityProvider authenticates citizens. The DEMO provider asks for name and
// codice fiscale; SPID/CIE providers (OIDC or SAML) redirect to the national
// identity provider and come back to the callback. Implementations must return a
// Citizen with a verified codice fiscale.
type IdentityProvider interface {
	// ID is the short stable name used in URLs, e.g. "demo", "spid", "cie".
	ID() string
	// Label is the Italian button label, e.g. "Entra con SPID".
	Label() string
	// Start begins a login: it writes the response (a redirect, or a page) for the
	// browser; state must come back unchanged to the callback.
	Start(w http.ResponseWriter, r *http.Request, state string) error
	// Callback completes the login from the request that came back and returns the
	// citizen and the state it carried. EINVALID with field errors for bad input,
	// EUNAUTHORIZED if the identity cannot be established.
	Callback(r *http.Request) (*Citizen, string, error)
}
