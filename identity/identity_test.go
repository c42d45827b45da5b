// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package identity_test

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/identity"
)

func TestNew(t *testing.T) {
	oidcCfg := `{"issuer_url":"https://op.example.it","client_id":"https://rp.example.it/","client_secret":"s",
		"redirect_url":"https://rp.example.it/accedi/spid/callback","extra_scopes":["email"]}`
	p, err := identity.New(&procedo.IdentityProviderConfig{ID: "spid", Kind: procedo.IdentityOIDC, Label: "Entra con SPID",
		Config: json.RawMessage(oidcCfg)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.(*identity.OIDC); !ok || p.ID() != "spid" || p.Label() != "Entra con SPID" {
		t.Fatalf("got %T %q %q", p, p.ID(), p.Label())
	}
	for name, c := range map[string]*procedo.IdentityProviderConfig{
		"unknown setting": {ID: "x", Kind: procedo.IdentityOIDC, Config: json.RawMessage(`{"issuer":"https://op.example.it"}`)},
		"not an object":   {ID: "x", Kind: procedo.IdentitySAML, Config: json.RawMessage(`[1]`)},
		"incomplete saml": {ID: "x", Kind: procedo.IdentitySAML, Config: json.RawMessage(`{}`)},
		"unknown kind":    {ID: "x", Kind: "ldap", Config: json.RawMessage(`{}`)},
	} {
		if _, err := identity.New(c, nil); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func TestUnavailable(t *testing.T) {
	u := identity.NewUnavailable("cie", "Entra con CIE", errors.New("bad key"))
	err := u.Start(httptest.NewRecorder(), httptest.NewRequest("GET", "/accedi/cie", nil), "s")
	if procedo.ErrorCode(err) != procedo.EUNAVAILABLE || !strings.Contains(procedo.ErrorMessage(err), "Entra con CIE") ||
		strings.Contains(procedo.ErrorMessage(err), "bad key") {
		t.Fatalf("got %v", err)
	}
	if _, _, err := u.Callback(httptest.NewRequest("GET", "/accedi/cie/callback", nil)); procedo.ErrorCode(err) != procedo.EUNAVAILABLE {
		t.Fatalf("got %v", err)
	}
}
