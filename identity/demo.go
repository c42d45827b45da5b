// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package identity

import (
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/procedo/procedo"
)

// Demo stands in for SPID/CIE in the demo: the citizen types name, surname and
// codice fiscale, whose check character is verified. It is wired only when the
// server runs in demo mode; Enabled guards it a second time.
type Demo struct {
	// Enabled must be true, or every login is refused.
	Enabled bool
	// FormURL is the page of the web UI with the DEMO form; it receives ?state=.
	FormURL string
}

var _ procedo.IdentityProvider = (*Demo)(nil)

// ID implements procedo.IdentityProvider.
func (d *Demo) ID() string { return "demo" }

// Label implements procedo.IdentityProvider.
func (d *Demo) Label() string { return "Entra con identità DEMO (simula SPID e CIE)" }

// Start implements procedo.IdentityProvider: it sends the browser to the form.
func (d *Demo) Start(w http.ResponseWriter, r *http.Request, state string) error {
	if !d.Enabled {
		return procedo.Errorf(procedo.ENOTFOUND, "Metodo di accesso non disponibile.")
	}
	http.Redirect(w, r, d.FormURL+"?state="+url.QueryEscape(state), http.StatusSeeOther)
	return nil
}

// Callback implements procedo.IdentityProvider: it reads the posted form.
func (d *Demo) Callback(r *http.Request) (*procedo.Citizen, string, error) {
	if !d.Enabled {
		return nil, "", procedo.Errorf(procedo.ENOTFOUND, "Metodo di accesso non disponibile.")
	}
	fe := procedo.FieldErrors{}
	c := &procedo.Citizen{
		GivenName:  cleanName(r.PostFormValue("given_name")),
		FamilyName: cleanName(r.PostFormValue("family_name")),
		Email:      strings.TrimSpace(r.PostFormValue("email")),
	}
	if c.GivenName == "" {
		fe.Add("given_name", "Inserisci il nome.")
	}
	if c.FamilyName == "" {
		fe.Add("family_name", "Inserisci il cognome.")
	}
	cf, err := procedo.ValidateFiscalCode(r.PostFormValue("fiscal_code"))
	if err != nil {
		fe.Add("fiscal_code", procedo.ErrorMessage(err))
	}
	c.FiscalCode = cf
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			fe.Add("email", "Indirizzo e-mail non valido.")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, "", err
	}
	return c, r.PostFormValue("state"), nil
}

// cleanName trims a name and refuses control characters and absurd lengths.
func cleanName(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 100 || strings.ContainsAny(s, "<>\x00") {
		return ""
	}
	return s
}
