// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
)

// User is an operator of one tenant. Citizens are not users: see Citizen.
type User struct {
	ID        int64
	TenantID  int64
	Username  string
	FullName  string
	Email     string
	Roles     []Role
	OrgUnitID *int64 // office the user works in; nil for users of no office
	Disabled  bool
	CreatedAt time.Time
}

// HasRole reports whether u has role r.
func (u *User) HasRole(r Role) bool { return u != nil && slices.Contains(u.Roles, r) }

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

// MinPasswordLength is the shortest accepted operator password.
const MinPasswordLength = 10

// Validate checks the fields that need no database.
func (u *User) Validate() error {
	fe := FieldErrors{}
	if !usernameRE.MatchString(u.Username) {
		fe.Add("username", "Il nome utente deve avere da 2 a 63 caratteri: lettere minuscole, cifre, punto, trattino.")
	}
	if len(u.FullName) > 200 {
		fe.Add("full_name", "Il nome è troppo lungo.")
	}
	if u.Email != "" {
		if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
			fe.Add("email", "Indirizzo e-mail non valido.")
		}
	}
	if len(u.Roles) == 0 {
		fe.Add("roles", "Indica almeno un ruolo.")
	}
	for _, r := range u.Roles {
		if !slices.Contains(AllRoles, r) {
			fe.Add("roles", "Ruolo sconosciuto.")
		}
	}
	return fe.Err()
}

// ValidatePassword checks an operator password's strength.
func ValidatePassword(pw string) error {
	if len([]rune(pw)) < MinPasswordLength {
		return FieldErrors{"password": "La password deve avere almeno 10 caratteri."}
	}
	if len(pw) > 512 {
		return FieldErrors{"password": "La password è troppo lunga."}
	}
	if strings.TrimSpace(pw) == "" {
		return FieldErrors{"password": "La password non può essere vuota."}
	}
	return nil
}

// UserFilter selects users of the tenant in ctx.
type UserFilter struct {
	ID        *int64
	Username  *string
	OrgUnitID *int64
	Offset    int
	Limit     int
}

// UserUpdate changes a user; nil fields are left alone.
type UserUpdate struct {
	FullName  *string
	Email     *string
	Roles     []Role // nil: unchanged
	OrgUnitID **int64
	Disabled  *bool
	Password  *string // new password, hashed by the store
}

// UserService manages operators of the tenant in ctx.
type UserService interface {
	// CreateUser stores u with the given password (hashed with argon2id). Admins
	// only (or the system actor). EINVALID, ECONFLICT if the username is taken.
	CreateUser(ctx context.Context, u *User, password string) error
	// FindUserByID returns a user of the tenant, or ENOTFOUND.
	FindUserByID(ctx context.Context, id int64) (*User, error)
	// FindUsers lists users of the tenant and their total count.
	FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	// UpdateUser changes a user. Admins only.
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)
	// Authenticate checks username and password in the tenant of ctx; EUNAUTHORIZED
	// for any mismatch (same answer for unknown user and wrong password),
	// ETOOMANY after too many recent failures. Records the attempt in the audit log.
	Authenticate(ctx context.Context, username, password, remoteAddr string) (*User, error)
	// CreateToken returns a new API token for user id; only its hash is stored.
	CreateToken(ctx context.Context, userID int64, name string) (string, error)
	// FindUserByToken returns the active user and tenant of a bearer token, or
	// EUNAUTHORIZED. It does not need a tenant in ctx.
	FindUserByToken(ctx context.Context, token string) (*User, *Tenant, error)
}

// Session is a server-side login session of an operator or a citizen (one of
// UserID and Citizen is set). The cookie holds Token; the store keeps only its hash.
type Session struct {
	Token     string // cookie value; set only when created
	TenantID  int64
	UserID    *int64
	Citizen   *Citizen
	CSRFToken string // every state-changing form of the session must echo it
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SessionService stores sessions of the tenant in ctx.
type SessionService interface {
	// CreateSession starts a session for a user or a citizen.
	CreateSession(ctx context.Context, userID *int64, citizen *Citizen, remoteAddr string) (*Session, error)
	// FindSession returns the live session of token, or EUNAUTHORIZED.
	FindSession(ctx context.Context, token string) (*Session, error)
	// DeleteSession ends a session; a missing one is not an error.
	DeleteSession(ctx context.Context, token string) error
}
