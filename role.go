// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"fmt"
	"slices"
	"strings"
)

// Role is what an operator may do in a tenant.
type Role string

const (
	RoleAdmin    Role = "admin"    // amministratore dell'ente: offices, users, models
	RoleRegistry Role = "registry" // protocollo: registers documents
	RoleRecords  Role = "records"  // responsabile della gestione documentale: annulments
	RoleOperator Role = "operator" // operatore / RUP: works cases of the office
	RoleManager  Role = "manager"  // dirigente: approves decisions, watches the office
)

// AllRoles lists the roles in display order.
var AllRoles = []Role{RoleAdmin, RoleRegistry, RoleRecords, RoleOperator, RoleManager}

// Label returns the Italian name of the role.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Amministratore dell'ente"
	case RoleRegistry:
		return "Protocollo"
	case RoleRecords:
		return "Responsabile gestione documentale"
	case RoleOperator:
		return "Operatore"
	case RoleManager:
		return "Dirigente"
	}
	return string(r)
}

// ParseRoles parses a comma-separated list such as "operator,manager".
func ParseRoles(s string) ([]Role, error) {
	var roles []Role
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		r := Role(p)
		if !slices.Contains(AllRoles, r) {
			return nil, Errorf(EINVALID, "Ruolo sconosciuto %q: i ruoli sono admin, registry, records, operator, manager.", p)
		}
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	if len(roles) == 0 {
		return nil, Errorf(EINVALID, "Indica almeno un ruolo.")
	}
	return roles, nil
}

// FormatRoles joins roles with commas, the stored form.
func FormatRoles(roles []Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// CanManageTenant reports whether a may manage offices and users of its tenant.
func CanManageTenant(a *Actor) bool {
	return a != nil && a.User != nil && a.User.HasRole(RoleAdmin)
}

// CanViewCase reports whether a may read cas: the applicant; operators and
// managers of the case's office; managers and admins see every office.
func CanViewCase(a *Actor, cas *Case) bool {
	switch {
	case a == nil || cas == nil:
		return false
	case a.Citizen != nil:
		return a.Citizen.FiscalCode == cas.ApplicantFiscalCode
	case a.User != nil:
		u := a.User
		if u.TenantID != cas.TenantID {
			return false
		}
		if u.HasRole(RoleManager) || u.HasRole(RoleAdmin) || u.HasRole(RoleRecords) {
			return true
		}
		return u.HasRole(RoleOperator) && u.OrgUnitID != nil && *u.OrgUnitID == cas.OrgUnitID
	}
	return false
}

// CanTransitionCase reports whether a may fire t on cas: a user of the tenant with
// one of t's roles, belonging to the case's office unless a manager.
func CanTransitionCase(a *Actor, cas *Case, t Transition) error {
	if a == nil || a.User == nil {
		return Errorf(EFORBIDDEN, "Solo il personale dell'ente può decidere una pratica.")
	}
	u := a.User
	if u.TenantID != cas.TenantID {
		return Errorf(ENOTFOUND, "Pratica non trovata.")
	}
	if !slices.ContainsFunc(t.Roles, u.HasRole) {
		return Errorf(EFORBIDDEN, "Il tuo ruolo non consente l'azione «%s».", t.Label)
	}
	if !u.HasRole(RoleManager) && (u.OrgUnitID == nil || *u.OrgUnitID != cas.OrgUnitID) {
		return Errorf(EFORBIDDEN, "La pratica è assegnata a un altro ufficio.")
	}
	return nil
}

// RequireRole returns EFORBIDDEN unless a is a user with one of roles.
func RequireRole(a *Actor, roles ...Role) error {
	if a == nil || (a.User == nil && a.Kind != ActorSystem) {
		return Errorf(EUNAUTHORIZED, "Accesso richiesto.")
	}
	if a.Kind == ActorSystem {
		return nil
	}
	if slices.ContainsFunc(roles, a.User.HasRole) {
		return nil
	}
	return &Error{Code: EFORBIDDEN, Message: "Non hai i permessi per questa operazione.", Err: fmt.Errorf("need one of %v", roles)}
}
