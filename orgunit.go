// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"net/mail"
	"regexp"
	"strings"
)

// OrgUnit is an office (unità organizzativa, ufficio) of a tenant; cases and
// documents are assigned to one.
type OrgUnit struct {
	ID       int64
	TenantID int64
	Code     string // short code unique in the tenant, e.g. "SEGR"
	Name     string // e.g. "Ufficio Segreteria"
	Email    string // institutional e-mail
	Phone    string
	Head     string // name of the head of office (responsabile)
}

var orgUnitCodeRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// Validate checks the fields that need no database.
func (o *OrgUnit) Validate() error {
	fe := FieldErrors{}
	if !orgUnitCodeRE.MatchString(o.Code) {
		fe.Add("code", "Il codice dell'ufficio deve avere da 1 a 32 caratteri: lettere, cifre, trattino.")
	}
	if strings.TrimSpace(o.Name) == "" {
		fe.Add("name", "Il nome dell'ufficio è obbligatorio.")
	} else if len(o.Name) > 200 {
		fe.Add("name", "Il nome dell'ufficio è troppo lungo.")
	}
	if o.Email != "" {
		if a, err := mail.ParseAddress(o.Email); err != nil || a.Address != o.Email {
			fe.Add("email", "Indirizzo e-mail non valido.")
		}
	}
	if len(o.Phone) > 40 {
		fe.Add("phone", "Numero di telefono troppo lungo.")
	}
	return fe.Err()
}

// OrgUnitUpdate changes an office; nil fields are left alone.
type OrgUnitUpdate struct {
	Name  *string
	Email *string
	Phone *string
	Head  *string
}

// OrgUnitService manages the offices of the tenant in ctx.
type OrgUnitService interface {
	// CreateOrgUnit stores o. Admins only. EINVALID, ECONFLICT on a taken code.
	CreateOrgUnit(ctx context.Context, o *OrgUnit) error
	// FindOrgUnitByID returns an office of the tenant, or ENOTFOUND.
	FindOrgUnitByID(ctx context.Context, id int64) (*OrgUnit, error)
	// FindOrgUnitByCode returns an office of the tenant, or ENOTFOUND.
	FindOrgUnitByCode(ctx context.Context, code string) (*OrgUnit, error)
	// FindOrgUnits lists the offices of the tenant by name.
	FindOrgUnits(ctx context.Context) ([]*OrgUnit, error)
	// UpdateOrgUnit changes an office. Admins only.
	UpdateOrgUnit(ctx context.Context, id int64, upd OrgUnitUpdate) (*OrgUnit, error)
}
