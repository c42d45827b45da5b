// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"encoding/json"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

func TestIdentityProviderService(t *testing.T) {
	env := testkit.NewEnv(t)
	svc := sqlstore.NewIdentityProviderService(env.DB)
	adminA := env.A.AsUser(env.A.Admin)
	spid := func() *procedo.IdentityProviderConfig {
		return &procedo.IdentityProviderConfig{ID: "spid", Kind: procedo.IdentityOIDC, Label: " Entra con SPID ", Enabled: true,
			Config: json.RawMessage(`{"issuer_url":"https://op.example.it","client_id":"rp","client_secret":"s3cret"}`)}
	}

	t.Run("OK", func(t *testing.T) {
		p := spid()
		if err := svc.CreateIdentityProvider(adminA, p); err != nil {
			t.Fatal(err)
		}
		cie := &procedo.IdentityProviderConfig{ID: "cie", Kind: procedo.IdentitySAML, Label: "Entra con CIE", Config: json.RawMessage(`{}`)}
		if err := svc.CreateIdentityProvider(adminA, cie); err != nil {
			t.Fatal(err)
		}
		got, err := svc.FindIdentityProviders(env.A.As(nil))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "cie" || got[1].ID != "spid" {
			t.Fatalf("got %+v", got)
		}
		s := got[1]
		if s.Kind != procedo.IdentityOIDC || s.Label != "Entra con SPID" || !s.Enabled || s.TenantID != env.A.Tenant.ID ||
			string(s.Config) != string(p.Config) || s.CreatedAt.IsZero() {
			t.Fatalf("stored %+v", s)
		}
		if got[0].Enabled {
			t.Fatal("cie was created disabled")
		}
	})

	t.Run("OtherTenant", func(t *testing.T) {
		got, err := svc.FindIdentityProviders(env.B.As(nil))
		if err != nil || len(got) != 0 {
			t.Fatalf("Comune B sees %v, %v", got, err)
		}
		// B may use the same id: ids are unique per tenant.
		if err := svc.CreateIdentityProvider(env.B.AsUser(env.B.Admin), spid()); err != nil {
			t.Fatal(err)
		}
		on := false
		if _, err := svc.UpdateIdentityProvider(env.B.AsUser(env.B.Admin), "cie", procedo.IdentityProviderUpdate{Enabled: &on}); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("B updated A's provider: %v", err)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		err := svc.CreateIdentityProvider(adminA, spid())
		if fe := procedo.FieldErrorsOf(err); fe["id"] == "" {
			t.Fatalf("got %v", err)
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for name, p := range map[string]*procedo.IdentityProviderConfig{
			"reserved id": {ID: "demo", Kind: procedo.IdentityOIDC, Label: "x", Config: json.RawMessage(`{}`)},
			"bad id":      {ID: "Spid/1", Kind: procedo.IdentityOIDC, Label: "x", Config: json.RawMessage(`{}`)},
			"bad kind":    {ID: "x", Kind: "ldap", Label: "x", Config: json.RawMessage(`{}`)},
			"no label":    {ID: "x", Kind: procedo.IdentitySAML, Label: " ", Config: json.RawMessage(`{}`)},
			"not json":    {ID: "x", Kind: procedo.IdentitySAML, Label: "x", Config: json.RawMessage(`{`)},
			"json array":  {ID: "x", Kind: procedo.IdentitySAML, Label: "x", Config: json.RawMessage(`[]`)},
		} {
			if err := svc.CreateIdentityProvider(adminA, p); procedo.ErrorCode(err) != procedo.EINVALID {
				t.Errorf("%s: got %v", name, err)
			}
		}
	})

	t.Run("ErrForbidden", func(t *testing.T) {
		p := spid()
		p.ID = "spid2"
		if err := svc.CreateIdentityProvider(env.A.AsUser(env.A.Operator), p); procedo.ErrorCode(err) != procedo.EFORBIDDEN {
			t.Fatalf("operator: got %v", err)
		}
		if err := svc.CreateIdentityProvider(env.A.AsCitizen(testkit.Mario), p); procedo.ErrorCode(err) != procedo.EUNAUTHORIZED {
			t.Fatalf("citizen: got %v", err)
		}
		label := "x"
		if _, err := svc.UpdateIdentityProvider(env.A.AsUser(env.A.Operator), "spid", procedo.IdentityProviderUpdate{Label: &label}); procedo.ErrorCode(err) != procedo.EFORBIDDEN {
			t.Fatalf("operator update: got %v", err)
		}
	})

	t.Run("Update", func(t *testing.T) {
		on, label := true, "Entra con CIE (Carta d'identità elettronica)"
		cfg := json.RawMessage(`{"entity_id":"https://comune.example.it/accedi/cie/metadata"}`)
		p, err := svc.UpdateIdentityProvider(adminA, "cie", procedo.IdentityProviderUpdate{Enabled: &on, Label: &label, Config: &cfg})
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.FindIdentityProviders(env.A.As(nil))
		if err != nil {
			t.Fatal(err)
		}
		if !p.Enabled || !got[0].Enabled || got[0].Label != label || string(got[0].Config) != string(cfg) || got[0].UpdatedAt.Before(got[0].CreatedAt) {
			t.Fatalf("got %+v", got[0])
		}
		bad := json.RawMessage(`"x"`)
		if _, err := svc.UpdateIdentityProvider(adminA, "cie", procedo.IdentityProviderUpdate{Config: &bad}); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Fatalf("got %v", err)
		}
		if _, err := svc.UpdateIdentityProvider(adminA, "nessuno", procedo.IdentityProviderUpdate{Enabled: &on}); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("got %v", err)
		}
	})
}
