// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/identity"
	"github.com/procedo/procedo/sqlstore"
)

// identityProviders builds and caches the SPID/CIE providers each tenant has
// configured (table identity_providers). The instances are kept across
// requests, because they hold state: an OIDC provider's discovery document
// and keys, a SAML provider's downloaded metadata and its used-assertion
// cache. Configuration changes are picked up within refresh; an unchanged
// provider keeps its instance.
type identityProviders struct {
	Store   procedo.IdentityProviderService
	Demo    bool          // offer the DEMO provider first (demo mode only)
	Client  *http.Client  // talks to the identity providers
	Logger  *slog.Logger  //
	Refresh time.Duration // how long a tenant's list is reused before reading the table again
	Now     func() time.Time

	demo procedo.IdentityProvider
	mu   sync.Mutex
	byID map[int64]*tenantIdentity // tenant id →
}

type tenantIdentity struct {
	loaded    time.Time
	providers []procedo.IdentityProvider
	built     map[string]builtProvider // provider id →
}

// builtProvider is an instance with the configuration it was built from.
type builtProvider struct {
	fingerprint string
	provider    procedo.IdentityProvider
}

func newIdentityProviders(store procedo.IdentityProviderService, demo bool, logger *slog.Logger) *identityProviders {
	ip := &identityProviders{Store: store, Demo: demo, Logger: logger, Refresh: time.Minute, Now: time.Now,
		Client: &http.Client{Timeout: 10 * time.Second}, byID: map[int64]*tenantIdentity{}}
	if demo {
		// The DEMO provider exists only in demo mode; a production server
		// offers only what each tenant configured.
		ip.demo = &identity.Demo{Enabled: true, FormURL: "/accedi/demo/modulo"}
	}
	return ip
}

// For implements web.Handler.IdentityFor: the providers of tenant t. It does
// no network I/O (OIDC discovery and SAML metadata downloads happen when a
// citizen first uses a provider), so an identity provider that is down never
// stops the login page or the server's start-up. A provider whose settings
// are wrong is offered anyway and answers with a clear message.
func (ip *identityProviders) For(ctx context.Context, t *procedo.Tenant) []procedo.IdentityProvider {
	var out []procedo.IdentityProvider
	if ip.demo != nil {
		out = append(out, ip.demo)
	}
	if t == nil {
		return out
	}
	ip.mu.Lock()
	defer ip.mu.Unlock()
	ti := ip.byID[t.ID]
	now := ip.Now()
	if ti == nil || now.Sub(ti.loaded) >= ip.Refresh {
		ti = ip.load(ctx, t, ti, now)
		ip.byID[t.ID] = ti
	}
	return append(out, ti.providers...)
}

// load reads the tenant's configuration and builds its providers, reusing
// the instances in prev whose configuration has not changed. If the table
// cannot be read, the previous list is kept.
func (ip *identityProviders) load(ctx context.Context, t *procedo.Tenant, prev *tenantIdentity, now time.Time) *tenantIdentity {
	cfgs, err := ip.Store.FindIdentityProviders(procedo.NewContextWithTenant(ctx, t))
	if err != nil {
		ip.Logger.Error("cannot read the identity providers", "tenant_id", t.ID, "error", err)
		if prev != nil {
			prev.loaded = now
			return prev
		}
		return &tenantIdentity{loaded: now, built: map[string]builtProvider{}}
	}
	ti := &tenantIdentity{loaded: now, built: map[string]builtProvider{}}
	for _, c := range cfgs {
		if !c.Enabled || c.ID == "demo" {
			continue
		}
		fp := string(c.Kind) + "\x00" + c.Label + "\x00" + string(c.Config)
		if prev != nil {
			if b, ok := prev.built[c.ID]; ok && b.fingerprint == fp {
				ti.built[c.ID] = b
				ti.providers = append(ti.providers, b.provider)
				continue
			}
		}
		p, err := identity.New(c, ip.Client)
		if err != nil {
			ip.Logger.Error("identity provider misconfigured", "tenant_id", t.ID, "provider", c.ID, "error", err)
			p = identity.NewUnavailable(c.ID, c.Label, err)
		}
		ti.built[c.ID] = builtProvider{fingerprint: fp, provider: p}
		ti.providers = append(ti.providers, p)
	}
	return ti
}

// runIdentity implements `procedo identity add|list|update`: the SPID/CIE
// providers of a tenant.
func (m *Main) runIdentity(ctx context.Context, cfg Config, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "add":
			return m.runIdentityAdd(ctx, cfg, args[1:])
		case "list":
			return m.runIdentityList(ctx, cfg, args[1:])
		case "update":
			return m.runIdentityUpdate(ctx, cfg, args[1:])
		}
	}
	fmt.Fprint(m.Stderr, usage)
	return &exitError{2, errors.New("usage: procedo identity add|list|update")}
}

// identityFileFlags are the settings that are easier to give as files than
// inside the JSON: PEM keys, certificates, IdP metadata.
type identityFileFlags struct {
	key, cert, idpMetadata, metadataSigner string
	// OIDC federation (SPID/CIE OIDC): keys of the "federation" object.
	federationKey, encryptionKey, trustAnchorJWKS string
}

func (f *identityFileFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.key, "key-file", "", "PEM private key: the SAML SP key, or the OIDC private_key_jwt key")
	fs.StringVar(&f.cert, "certificate-file", "", "PEM certificate of the SAML SP key")
	fs.StringVar(&f.idpMetadata, "idp-metadata-file", "", "SAML IdP metadata XML")
	fs.StringVar(&f.metadataSigner, "idp-metadata-signer-file", "", "PEM certificate that signs the SAML IdP metadata downloaded from idp_metadata_url")
	fs.StringVar(&f.federationKey, "federation-key-file", "", "OIDC federation: PEM key that signs procedo's entity configuration")
	fs.StringVar(&f.encryptionKey, "encryption-key-file", "", "OIDC federation: PEM RSA key the OP encrypts the userinfo answer to")
	fs.StringVar(&f.trustAnchorJWKS, "trust-anchor-jwks-file", "", "OIDC federation: the trust anchor's public JWK set (JSON), pinned")
}

// readSettings reads JSON settings from name: "-" is standard input.
func (m *Main) readSettings(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(m.Stdin)
	}
	return os.ReadFile(name)
}

// merge adds the files given with the flags to the JSON settings in base.
func (f *identityFileFlags) merge(kind procedo.IdentityProviderKind, base []byte) (json.RawMessage, error) {
	settings := map[string]any{}
	if err := json.Unmarshal(base, &settings); err != nil {
		return nil, fmt.Errorf("the settings are not a JSON object: %w", err)
	}
	keyName := "key"
	if kind == procedo.IdentityOIDC {
		keyName = "private_key"
	}
	for key, file := range map[string]string{keyName: f.key, "certificate": f.cert, "idp_metadata_xml": f.idpMetadata,
		"idp_metadata_signer": f.metadataSigner} {
		if file == "" {
			continue
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		settings[key] = string(b)
	}
	if f.federationKey != "" || f.encryptionKey != "" || f.trustAnchorJWKS != "" {
		if kind != procedo.IdentityOIDC {
			return nil, errors.New("the federation files are for OIDC methods")
		}
		fed, _ := settings["federation"].(map[string]any)
		if fed == nil {
			fed = map[string]any{}
		}
		for key, file := range map[string]string{"key": f.federationKey, "encryption_key": f.encryptionKey, "trust_anchor_jwks": f.trustAnchorJWKS} {
			if file == "" {
				continue
			}
			b, err := os.ReadFile(file)
			if err != nil {
				return nil, err
			}
			if key == "trust_anchor_jwks" {
				if !json.Valid(b) {
					return nil, fmt.Errorf("%s is not JSON", file)
				}
				fed[key] = json.RawMessage(b)
			} else {
				fed[key] = string(b)
			}
		}
		settings["federation"] = fed
	}
	return json.Marshal(settings)
}

// runIdentityAdd implements `procedo identity add`.
func (m *Main) runIdentityAdd(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("identity add")
	var tenant, kind, config string
	var disabled bool
	var files identityFileFlags
	p := &procedo.IdentityProviderConfig{}
	fs.StringVar(&tenant, "tenant", "", "tenant slug")
	fs.StringVar(&p.ID, "id", "", "provider id, in URLs: /accedi/ID (e.g. spid, cie)")
	fs.StringVar(&kind, "kind", "", "protocol: oidc or saml")
	fs.StringVar(&p.Label, "label", "", "button label, e.g. \"Entra con SPID\"")
	fs.StringVar(&config, "config", "", "JSON file with the protocol settings (- for standard input)")
	fs.BoolVar(&disabled, "disabled", false, "store it without offering it yet")
	files.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := requireFlags(fs, "tenant", "id", "kind", "label"); err != nil {
		return err
	}
	p.Kind, p.Enabled = procedo.IdentityProviderKind(kind), !disabled
	base := []byte("{}")
	if config != "" {
		var err error
		if base, err = m.readSettings(config); err != nil {
			return err
		}
	}
	var err error
	if p.Config, err = files.merge(p.Kind, base); err != nil {
		return err
	}
	// Check the settings now (no network I/O) rather than at the first login.
	if _, err := identity.New(p, nil); err != nil {
		return err
	}
	return m.withStore(ctx, cfg, func(db *sqlstore.DB) error {
		tctx, t, err := tenantContext(ctx, db, tenant)
		if err != nil {
			return err
		}
		if err := sqlstore.NewIdentityProviderService(db).CreateIdentityProvider(tctx, p); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "added %s provider %q (%s) to tenant %s\n", p.Kind, p.ID, p.Label, t.Slug)
		fmt.Fprintf(m.Stdout, "metadata for the identity provider: GET /accedi/%s/metadata on the tenant's host\n", p.ID)
		if strings.Contains(string(p.Config), `"federation"`) {
			fmt.Fprintf(m.Stdout, "OpenID Federation entity configuration: GET /.well-known/openid-federation on the tenant's host\n")
		}
		return nil
	})
}

// runIdentityList implements `procedo identity list`: no settings, they hold secrets.
func (m *Main) runIdentityList(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("identity list")
	var tenant string
	fs.StringVar(&tenant, "tenant", "", "tenant slug")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := requireFlags(fs, "tenant"); err != nil {
		return err
	}
	return m.withStore(ctx, cfg, func(db *sqlstore.DB) error {
		tctx, _, err := tenantContext(ctx, db, tenant)
		if err != nil {
			return err
		}
		list, err := sqlstore.NewIdentityProviderService(db).FindIdentityProviders(tctx)
		if err != nil {
			return err
		}
		for _, p := range list {
			state := "enabled"
			if !p.Enabled {
				state = "disabled"
			}
			fmt.Fprintf(m.Stdout, "%s\t%s\t%s\t%s\n", p.ID, p.Kind, state, p.Label)
		}
		return nil
	})
}

// runIdentityUpdate implements `procedo identity update`.
func (m *Main) runIdentityUpdate(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("identity update")
	var tenant, id, label, config, enabled string
	var files identityFileFlags
	fs.StringVar(&tenant, "tenant", "", "tenant slug")
	fs.StringVar(&id, "id", "", "provider id")
	fs.StringVar(&label, "label", "", "new button label")
	fs.StringVar(&config, "config", "", "JSON file replacing the protocol settings (- for standard input)")
	fs.StringVar(&enabled, "enabled", "", "true or false: offer the provider on the login page")
	files.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := requireFlags(fs, "tenant", "id"); err != nil {
		return err
	}
	return m.withStore(ctx, cfg, func(db *sqlstore.DB) error {
		tctx, t, err := tenantContext(ctx, db, tenant)
		if err != nil {
			return err
		}
		svc := sqlstore.NewIdentityProviderService(db)
		list, err := svc.FindIdentityProviders(tctx)
		if err != nil {
			return err
		}
		var cur *procedo.IdentityProviderConfig
		for _, p := range list {
			if p.ID == id {
				cur = p
			}
		}
		if cur == nil {
			return procedo.Errorf(procedo.ENOTFOUND, "Il metodo di accesso %q non esiste nell'ente %s.", id, t.Slug)
		}
		var upd procedo.IdentityProviderUpdate
		if label != "" {
			upd.Label = &label
		}
		if enabled != "" {
			on, err := strconv.ParseBool(enabled)
			if err != nil {
				return &exitError{2, fmt.Errorf("--enabled: %w", err)}
			}
			upd.Enabled = &on
		}
		if config != "" || files != (identityFileFlags{}) {
			base := []byte(cur.Config) // only files given: added to the current settings
			if config != "" {
				if base, err = m.readSettings(config); err != nil {
					return err
				}
			}
			c, err := files.merge(cur.Kind, base)
			if err != nil {
				return err
			}
			upd.Config = &c
		}
		next := *cur
		if upd.Label != nil {
			next.Label = *upd.Label
		}
		if upd.Config != nil {
			next.Config = *upd.Config
		}
		if _, err := identity.New(&next, nil); err != nil {
			return err
		}
		p, err := svc.UpdateIdentityProvider(tctx, id, upd)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "updated %s provider %q (%s) of tenant %s, enabled: %t\n", p.Kind, p.ID, p.Label, t.Slug, p.Enabled)
		return nil
	})
}
