// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/identity"
)

// identityStore is an IdentityProviderService with a fixed list.
type identityStore struct {
	list []*procedo.IdentityProviderConfig
	err  error
}

func (s *identityStore) FindIdentityProviders(context.Context) ([]*procedo.IdentityProviderConfig, error) {
	return s.list, s.err
}
func (s *identityStore) CreateIdentityProvider(context.Context, *procedo.IdentityProviderConfig) error {
	return errors.New("read only")
}
func (s *identityStore) UpdateIdentityProvider(context.Context, string, procedo.IdentityProviderUpdate) (*procedo.IdentityProviderConfig, error) {
	return nil, errors.New("read only")
}

func TestIdentityProviders(t *testing.T) {
	oidcCfg := json.RawMessage(`{"issuer_url":"https://op.example.it","client_id":"https://comune.example.it/","client_secret":"s",
		"redirect_url":"https://comune.example.it/accedi/spid/callback"}`)
	store := &identityStore{list: []*procedo.IdentityProviderConfig{
		{ID: "cie", Kind: procedo.IdentitySAML, Label: "Entra con CIE", Config: json.RawMessage(`{"entity_id":"x"}`), Enabled: true},
		{ID: "off", Kind: procedo.IdentityOIDC, Label: "Spento", Config: oidcCfg},
		{ID: "spid", Kind: procedo.IdentityOIDC, Label: "Entra con SPID", Config: oidcCfg, Enabled: true},
	}}
	now := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	ip := newIdentityProviders(store, true, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ip.Now = func() time.Time { return now }
	tenant := &procedo.Tenant{ID: 7, Slug: "comune"}
	ids := func(ps []procedo.IdentityProvider) (out []string) {
		for _, p := range ps {
			out = append(out, p.ID())
		}
		return out
	}

	got := ip.For(context.Background(), tenant)
	if s := ids(got); len(s) != 3 || s[0] != "demo" || s[1] != "cie" || s[2] != "spid" {
		t.Fatalf("providers %v", s)
	}
	if _, ok := got[1].(*identity.Unavailable); !ok {
		t.Fatalf("a misconfigured provider is offered as unavailable, got %T", got[1])
	}
	if _, ok := got[2].(*identity.OIDC); !ok {
		t.Fatalf("spid is %T", got[2])
	}
	if s := ids(ip.For(context.Background(), nil)); len(s) != 1 || s[0] != "demo" {
		t.Fatalf("no tenant: %v", s)
	}

	// After the refresh interval the table is read again; an unchanged
	// provider keeps its instance, a changed one is rebuilt.
	store.list[0].Label = "Entra con CIE (nuova)"
	now = now.Add(2 * time.Minute)
	again := ip.For(context.Background(), tenant)
	if again[2] != got[2] || again[1] == got[1] || again[1].Label() != "Entra con CIE (nuova)" {
		t.Fatal("instances not reused or not rebuilt")
	}

	// If the table cannot be read, the last list stays.
	store.err = errors.New("database down")
	now = now.Add(2 * time.Minute)
	if s := ids(ip.For(context.Background(), tenant)); len(s) != 3 {
		t.Fatalf("after a store error: %v", s)
	}
}

func TestCLI_Identity(t *testing.T) {
	env := cliEnv(t)
	dir := t.TempDir()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "comune-prova"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keyFile := write("sp.key", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	certFile := write("sp.crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	idp := &saml.IdentityProvider{Certificate: cert, MetadataURL: url.URL{Scheme: "https", Host: "idp.example.it", Path: "/metadata"},
		SSOURL: url.URL{Scheme: "https", Host: "idp.example.it", Path: "/sso"}}
	md, err := xml.Marshal(idp.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	mdFile := write("idp.xml", md)
	samlSettings := write("saml.json", []byte(`{"entity_id":"https://prova.example.it/accedi/cie/metadata","acs_url":"https://prova.example.it/accedi/cie/acs","spid_level":3}`))
	oidcSettings := `{"issuer_url":"https://op.example.it","client_id":"https://prova.example.it/","redirect_url":"https://prova.example.it/accedi/spid/callback","acr_values":["https://www.spid.gov.it/SpidL2"]}`
	// The OIDC federation: the trust anchor's public keys (here the SP
	// certificate's key stands in for them) and procedo's federation and
	// encryption keys, from files.
	anchorJWKS, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "ta-1", Use: "sig"}}})
	if err != nil {
		t.Fatal(err)
	}
	anchorFile := write("ta.jwks", anchorJWKS)
	fedSettings := `{"issuer_url":"https://op.example.it","client_id":"https://prova.example.it","redirect_url":"https://prova.example.it/accedi/cieid/callback",
		"federation":{"trust_anchor":"https://registry.example.it","authority_hints":["https://registry.example.it"]}}`

	steps := []struct {
		name    string
		stdin   string
		args    []string
		code    int
		wantOut string
		wantErr string
	}{
		{"TenantCreate", "", []string{"tenant", "create", "--slug", "comune-prova", "--name", "Comune di Prova"}, 0, "created tenant", ""},
		{"AddOIDC", oidcSettings, []string{"identity", "add", "--tenant", "comune-prova", "--id", "spid", "--kind", "oidc", "--label", "Entra con SPID",
			"--config", "-", "--key-file", keyFile}, 0, `added oidc provider "spid"`, ""},
		{"AddSAML", "", []string{"identity", "add", "--tenant", "comune-prova", "--id", "cie", "--kind", "saml", "--label", "Entra con CIE",
			"--config", samlSettings, "--key-file", keyFile, "--certificate-file", certFile, "--idp-metadata-file", mdFile, "--disabled"}, 0, "/accedi/cie/metadata", ""},
		{"AddFederation", fedSettings, []string{"identity", "add", "--tenant", "comune-prova", "--id", "cieid", "--kind", "oidc", "--label", "Entra con CieID",
			"--config", "-", "--key-file", keyFile, "--federation-key-file", keyFile, "--encryption-key-file", keyFile,
			"--trust-anchor-jwks-file", anchorFile, "--disabled"}, 0, "/.well-known/openid-federation", ""},
		{"AddFederationWithoutKeys", fedSettings, []string{"identity", "add", "--tenant", "comune-prova", "--id", "cieid2", "--kind", "oidc",
			"--label", "X", "--config", "-", "--key-file", keyFile}, 1, "", "federation.trust_anchor_jwks"},
		{"AddIncomplete", `{"issuer_url":"https://op.example.it"}`, []string{"identity", "add", "--tenant", "comune-prova", "--id", "x", "--kind", "oidc",
			"--label", "X", "--config", "-"}, 1, "", "client_id"},
		{"AddUnknownSetting", `{"isuer_url":"https://op.example.it"}`, []string{"identity", "add", "--tenant", "comune-prova", "--id", "x", "--kind", "oidc",
			"--label", "X", "--config", "-"}, 1, "", "isuer_url"},
		{"AddDuplicate", oidcSettings, []string{"identity", "add", "--tenant", "comune-prova", "--id", "spid", "--kind", "oidc", "--label", "Di nuovo",
			"--config", "-", "--key-file", keyFile}, 1, "", "Esiste già"},
		{"Enable", "", []string{"identity", "update", "--tenant", "comune-prova", "--id", "cie", "--enabled", "true"}, 0, "enabled: true", ""},
		{"UpdateLevel", `{"spid_level":7}`, []string{"identity", "update", "--tenant", "comune-prova", "--id", "cie", "--config", "-"}, 1, "", "spid_level"},
		{"List", "", []string{"identity", "list", "--tenant", "comune-prova"}, 0, "cie\tsaml\tenabled\tEntra con CIE\ncieid\toidc\tdisabled\tEntra con CieID\nspid\toidc\tenabled\tEntra con SPID\n", ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, env, s.stdin, s.args...)
			if code != s.code || !strings.Contains(out, s.wantOut) || !strings.Contains(errOut, s.wantErr) {
				t.Fatalf("exit %d (want %d)\nstdout: %q (want %q)\nstderr: %q (want %q)", code, s.code, out, s.wantOut, errOut, s.wantErr)
			}
		})
	}
}
