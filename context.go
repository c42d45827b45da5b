// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import "context"

// Context values carry only the identity of a request: tenant, actor, request id.
// Never database handles or transactions.

type contextKey int

const (
	tenantContextKey contextKey = iota + 1
	actorContextKey
	requestIDContextKey
)

// ActorKind says who acts: an operator, a citizen, or procedo itself (jobs, CLI).
type ActorKind string

const (
	ActorUser    ActorKind = "user"    // an operator of the tenant (username + password, or token)
	ActorCitizen ActorKind = "citizen" // a citizen authenticated by an IdentityProvider
	ActorSystem  ActorKind = "system"  // procedo itself: jobs, command line
)

// Actor is who performs a request. Exactly one of User and Citizen is set for the
// user and citizen kinds; none for system.
type Actor struct {
	Kind    ActorKind
	User    *User
	Citizen *Citizen
}

// SystemActor is the actor of jobs and command-line actions.
var SystemActor = &Actor{Kind: ActorSystem}

// Name returns a display name for the audit log and histories.
func (a *Actor) Name() string {
	switch {
	case a == nil:
		return "anonimo"
	case a.User != nil:
		if a.User.FullName != "" {
			return a.User.FullName
		}
		return a.User.Username
	case a.Citizen != nil:
		return a.Citizen.FullName()
	default:
		return "sistema"
	}
}

// Ref returns a stable reference for logs and audit: "user:42", "citizen:RSSMRA…", "system".
func (a *Actor) Ref() string {
	switch {
	case a == nil:
		return "anonymous"
	case a.User != nil:
		return "user:" + a.User.Username
	case a.Citizen != nil:
		return "citizen:" + a.Citizen.FiscalCode
	default:
		return "system"
	}
}

// NewContextWithTenant returns ctx carrying the tenant every store call is scoped to.
func NewContextWithTenant(ctx context.Context, t *Tenant) context.Context {
	return context.WithValue(ctx, tenantContextKey, t)
}

// TenantFromContext returns the tenant of ctx, or nil.
func TenantFromContext(ctx context.Context) *Tenant {
	t, _ := ctx.Value(tenantContextKey).(*Tenant)
	return t
}

// TenantIDFromContext returns the id of the tenant of ctx, or 0.
func TenantIDFromContext(ctx context.Context) int64 {
	if t := TenantFromContext(ctx); t != nil {
		return t.ID
	}
	return 0
}

// NewContextWithActor returns ctx carrying the actor of the request.
func NewContextWithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorContextKey, a)
}

// ActorFromContext returns the actor of ctx, or nil for an anonymous request.
func ActorFromContext(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorContextKey).(*Actor)
	return a
}

// UserFromContext returns the operator acting in ctx, or nil.
func UserFromContext(ctx context.Context) *User {
	if a := ActorFromContext(ctx); a != nil {
		return a.User
	}
	return nil
}

// CitizenFromContext returns the citizen acting in ctx, or nil.
func CitizenFromContext(ctx context.Context) *Citizen {
	if a := ActorFromContext(ctx); a != nil {
		return a.Citizen
	}
	return nil
}

// NewContextWithRequestID returns ctx carrying a request id for logs.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDContextKey, id)
}

// RequestIDFromContext returns the request id of ctx, or "".
func RequestIDFromContext(ctx context.Context) string {
	s, _ := ctx.Value(requestIDContextKey).(string)
	return s
}
