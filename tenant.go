// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"crypto"
	"crypto/x509"
	"regexp"
	"strings"
	"time"
)

// Tenant is one administration (ente): a Comune, a Provincia, an Unione. Every
// tenant-owned row carries its id; one tenant never sees another's data.
type Tenant struct {
	ID         int64
	Slug       string    // short stable name used in URLs and the CLI, e.g. "comune-demo"
	Name       string    // official name, e.g. "Comune di Procedo Alto"
	IPACode    string    // code in the IPA index (indicepa.gov.it), "" if unknown
	FiscalCode string    // codice fiscale of the ente (11 digits): creditor of its pagoPA notices; "" until configured
	Hosts      []string  // host names that select this tenant in the web UI
	PatronDay  string    // "MM-DD" of the patron saint's day (a local holiday), "" if none
	Email      string    // institutional e-mail shown to citizens
	Demo       bool      // a DEMO tenant: labelled as such everywhere
	Suspended  bool      // a suspended tenant serves nothing
	CreatedAt  time.Time //
}

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)

// Validate checks the fields that need no database.
func (t *Tenant) Validate() error {
	fe := FieldErrors{}
	if !slugRE.MatchString(t.Slug) {
		fe.Add("slug", "Lo slug deve contenere solo lettere minuscole, cifre e trattini (massimo 63 caratteri).")
	}
	if strings.TrimSpace(t.Name) == "" {
		fe.Add("name", "Il nome dell'ente è obbligatorio.")
	} else if len(t.Name) > 200 {
		fe.Add("name", "Il nome dell'ente è troppo lungo (massimo 200 caratteri).")
	}
	if t.IPACode != "" && !regexp.MustCompile(`^[A-Za-z0-9_]{1,16}$`).MatchString(t.IPACode) {
		fe.Add("ipa", "Il codice IPA non è valido.")
	}
	if t.FiscalCode != "" {
		if cf, err := ValidateCreditorFiscalCode(t.FiscalCode); err != nil {
			fe.Add("fiscal_code", ErrorMessage(err))
		} else if cf != t.FiscalCode {
			fe.Add("fiscal_code", "Scrivi il codice fiscale dell'ente senza spazi.")
		}
	}
	if t.PatronDay != "" {
		if _, err := time.Parse("01-02", t.PatronDay); err != nil {
			fe.Add("patron_day", "La festa del patrono deve essere nel formato MM-GG.")
		}
	}
	for _, h := range t.Hosts {
		if h == "" || strings.ContainsAny(h, "/ ") {
			fe.Add("hosts", "Nome host non valido.")
		}
	}
	return fe.Err()
}

// AOO is an area organizzativa omogenea: it owns a protocol register.
type AOO struct {
	ID       int64
	TenantID int64
	Code     string // IPA code of the AOO
	Name     string
}

// Register is a protocol register of an AOO (the ordinary register, or emergency).
type Register struct {
	ID       int64
	TenantID int64
	AOOID    int64
	Code     string // e.g. "PG" (protocollo generale)
	Name     string
}

// TenantService manages tenants. Only the host administrator (command line)
// creates tenants; web requests only read them.
type TenantService interface {
	// CreateTenant stores t with its AOO, its ordinary register and the default
	// titolario. EINVALID for bad fields, ECONFLICT if the slug or a host is taken.
	CreateTenant(ctx context.Context, t *Tenant) error
	// FindTenantByID returns the tenant, or ENOTFOUND.
	FindTenantByID(ctx context.Context, id int64) (*Tenant, error)
	// FindTenantBySlug returns the tenant, or ENOTFOUND.
	FindTenantBySlug(ctx context.Context, slug string) (*Tenant, error)
	// FindTenantByHost returns the tenant serving host (without port), or ENOTFOUND.
	FindTenantByHost(ctx context.Context, host string) (*Tenant, error)
	// FindTenants lists every tenant, ordered by slug.
	FindTenants(ctx context.Context) ([]*Tenant, error)
	// FindRegister returns the ordinary protocol register of the tenant in ctx.
	FindRegister(ctx context.Context) (*Register, *AOO, error)
}

// SigningKeyService gives the tenant in ctx its signing key and certificate (for
// the segnatura and the documents it issues). In the demo and until an
// administrator installs a qualified certificate, a self-signed one is created
// on first use.
type SigningKeyService interface {
	SigningKey(ctx context.Context) (crypto.Signer, *x509.Certificate, error)
}
