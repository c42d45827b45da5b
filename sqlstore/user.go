// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// Login rate limits: after this many failures in loginWindow for one username
// (or loginMaxPerAddr from one address) further attempts are refused until the
// window has passed. Counted from the audit log, so they hold across replicas.
const (
	loginWindow     = 15 * time.Minute
	loginMaxPerUser = 5
	loginMaxPerAddr = 30
)

// UserService implements procedo.UserService.
type UserService struct{ db *DB }

// NewUserService returns a UserService on db.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

var _ procedo.UserService = (*UserService)(nil)

const userColumns = `u.id, u.tenant_id, u.username, u.full_name, u.email, u.roles, u.org_unit_id, u.disabled, u.created_at`

// scanUser scans userColumns followed by any extra columns into extra.
func scanUser(row interface{ Scan(...any) error }, extra ...any) (*procedo.User, error) {
	var u procedo.User
	var roles string
	var ou sql.NullInt64
	dest := append([]any{&u.ID, &u.TenantID, &u.Username, &u.FullName, &u.Email, &roles, &ou, &u.Disabled, timeValue{&u.CreatedAt}}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	for _, r := range strings.Split(roles, ",") {
		if r != "" {
			u.Roles = append(u.Roles, procedo.Role(r))
		}
	}
	if ou.Valid {
		u.OrgUnitID = &ou.Int64
	}
	return &u, nil
}

// CreateUser implements procedo.UserService.
func (s *UserService) CreateUser(ctx context.Context, u *procedo.User, password string) (err error) {
	defer procedo.Wrap(&err, "sqlstore.CreateUser(%q)", u.Username)
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin); err != nil {
		return err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	u.TenantID = tid
	fe := procedo.FieldErrors{}
	if err := u.Validate(); err != nil {
		fe = procedo.FieldErrorsOf(err)
	}
	if err := procedo.ValidatePassword(password); err != nil {
		for k, v := range procedo.FieldErrorsOf(err) {
			fe.Add(k, v)
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return s.db.transact(ctx, func(tx *Tx) error {
		if u.OrgUnitID != nil {
			if err := checkOrgUnit(ctx, tx, tid, *u.OrgUnitID); err != nil {
				return err
			}
		}
		u.CreatedAt = tx.now
		id, err := tx.insert(ctx, `INSERT INTO users (tenant_id, username, full_name, email, password_hash, roles, org_unit_id, disabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, tid, u.Username, u.FullName, u.Email, hash, procedo.FormatRoles(u.Roles), u.OrgUnitID, u.Disabled, s.db.ts(tx.now))
		if procedo.ErrorCode(err) == procedo.ECONFLICT {
			return procedo.FieldErrors{"username": "Questo nome utente è già in uso."}
		}
		if err != nil {
			return err
		}
		u.ID = id
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "user.create", ObjectType: "user", ObjectID: u.Username,
			Detail: "ruoli: " + procedo.FormatRoles(u.Roles)})
	})
}

func checkOrgUnit(ctx context.Context, tx *Tx, tid, id int64) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM org_units WHERE tenant_id = ? AND id = ?`, tid, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return procedo.FieldErrors{"org_unit": "Ufficio non trovato."}
	}
	return nil
}

// FindUserByID implements procedo.UserService.
func (s *UserService) FindUserByID(ctx context.Context, id int64) (_ *procedo.User, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindUserByID(%d)", id)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	u, err := scanUser(s.db.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.tenant_id = ? AND u.id = ?`, tid, id))
	return u, notFound(err, "Utente non trovato.")
}

// FindUsers implements procedo.UserService.
func (s *UserService) FindUsers(ctx context.Context, f procedo.UserFilter) (_ []*procedo.User, _ int, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindUsers")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	where, args := []string{"u.tenant_id = ?"}, []any{tid}
	if f.ID != nil {
		where, args = append(where, "u.id = ?"), append(args, *f.ID)
	}
	if f.Username != nil {
		where, args = append(where, "u.username = ?"), append(args, *f.Username)
	}
	if f.OrgUnitID != nil {
		where, args = append(where, "u.org_unit_id = ?"), append(args, *f.OrgUnitID)
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM users u WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.query(ctx, `SELECT `+userColumns+` FROM users u WHERE `+w+` ORDER BY u.username LIMIT ? OFFSET ?`,
		append(args, clampLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*procedo.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// UpdateUser implements procedo.UserService.
func (s *UserService) UpdateUser(ctx context.Context, id int64, upd procedo.UserUpdate) (_ *procedo.User, err error) {
	defer procedo.Wrap(&err, "sqlstore.UpdateUser(%d)", id)
	actor := procedo.ActorFromContext(ctx)
	if err := procedo.RequireRole(actor, procedo.RoleAdmin); err != nil {
		return nil, err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var out *procedo.User
	err = s.db.transact(ctx, func(tx *Tx) error {
		u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.tenant_id = ? AND u.id = ?`, tid, id))
		if err != nil {
			return notFound(err, "Utente non trovato.")
		}
		if upd.FullName != nil {
			u.FullName = strings.TrimSpace(*upd.FullName)
		}
		if upd.Email != nil {
			u.Email = strings.TrimSpace(*upd.Email)
		}
		if upd.Roles != nil {
			u.Roles = upd.Roles
		}
		if upd.OrgUnitID != nil {
			u.OrgUnitID = *upd.OrgUnitID
		}
		if upd.Disabled != nil {
			u.Disabled = *upd.Disabled
		}
		if actor.User != nil && actor.User.ID == u.ID && (u.Disabled || !u.HasRole(procedo.RoleAdmin)) {
			return procedo.FieldErrors{"roles": "Non puoi togliere a te stesso il ruolo di amministratore né disattivarti."}
		}
		if err := u.Validate(); err != nil {
			return err
		}
		if u.OrgUnitID != nil {
			if err := checkOrgUnit(ctx, tx, tid, *u.OrgUnitID); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE users SET full_name = ?, email = ?, roles = ?, org_unit_id = ?, disabled = ? WHERE tenant_id = ? AND id = ?`,
			u.FullName, u.Email, procedo.FormatRoles(u.Roles), u.OrgUnitID, u.Disabled, tid, id); err != nil {
			return err
		}
		if upd.Password != nil {
			if err := procedo.ValidatePassword(*upd.Password); err != nil {
				return err
			}
			hash, err := hashPassword(*upd.Password)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE users SET password_hash = ? WHERE tenant_id = ? AND id = ?`, hash, tid, id); err != nil {
				return err
			}
		}
		if u.Disabled {
			// A disabled user loses every session and token at once.
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE tenant_id = ? AND user_id = ?`, tid, id); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE tenant_id = ? AND user_id = ? AND revoked_at IS NULL`, s.db.ts(tx.now), tid, id); err != nil {
				return err
			}
		}
		out = u
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "user.update", ObjectType: "user", ObjectID: u.Username,
			Detail: "ruoli: " + procedo.FormatRoles(u.Roles)})
	})
	return out, err
}

// Authenticate implements procedo.UserService.
func (s *UserService) Authenticate(ctx context.Context, username, password, remoteAddr string) (_ *procedo.User, err error) {
	defer procedo.Wrap(&err, "sqlstore.Authenticate(%q)", username)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	username = strings.ToLower(strings.TrimSpace(username))
	since := s.db.ts(s.db.Now().Add(-loginWindow))
	var byUser, byAddr int
	if err := s.db.queryRow(ctx, `SELECT
			COALESCE(SUM(CASE WHEN object_id = ? THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN remote_addr = ? THEN 1 ELSE 0 END), 0)
		FROM audit_log WHERE tenant_id = ? AND action = 'login.failed' AND at > ?`,
		username, remoteAddr, tid, since).Scan(&byUser, &byAddr); err != nil {
		return nil, err
	}
	if byUser >= loginMaxPerUser || byAddr >= loginMaxPerAddr {
		return nil, procedo.Errorf(procedo.ETOOMANY, "Troppi tentativi di accesso non riusciti. Riprova tra 15 minuti.")
	}
	var hash string
	u, err := scanUser(s.db.queryRow(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.tenant_id = ? AND u.username = ?`, tid, username), &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	ok := false
	if u != nil {
		ok = checkPassword(hash, password) && !u.Disabled
	} else {
		checkPassword(dummyHash, password)
	}
	ev := &procedo.AuditEvent{Actor: "user:" + username, ActorName: username, Action: "login.ok", ObjectType: "user", ObjectID: username, RemoteAddr: remoteAddr}
	if !ok {
		ev.Action = "login.failed"
	}
	if err := s.db.transact(ctx, func(tx *Tx) error { return recordAudit(ctx, tx, ev) }); err != nil {
		return nil, err
	}
	if !ok {
		return nil, procedo.Errorf(procedo.EUNAUTHORIZED, "Nome utente o password non corretti.")
	}
	return u, nil
}

// CreateToken implements procedo.UserService.
func (s *UserService) CreateToken(ctx context.Context, userID int64, name string) (_ string, err error) {
	defer procedo.Wrap(&err, "sqlstore.CreateToken(%d)", userID)
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin); err != nil {
		return "", err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return "", err
	}
	token, hash, err := newSecret("pdo_")
	if err != nil {
		return "", err
	}
	err = s.db.transact(ctx, func(tx *Tx) error {
		var username string
		if err := tx.queryRow(ctx, `SELECT username FROM users WHERE tenant_id = ? AND id = ? AND disabled = ?`, tid, userID, false).Scan(&username); err != nil {
			return notFound(err, "Utente non trovato o disattivato.")
		}
		if _, err := tx.insert(ctx, `INSERT INTO api_tokens (tenant_id, user_id, token_hash, name, created_at) VALUES (?, ?, ?, ?, ?)`,
			tid, userID, hash, name, s.db.ts(tx.now)); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "token.create", ObjectType: "user", ObjectID: username, Detail: name})
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// FindUserByToken implements procedo.UserService.
func (s *UserService) FindUserByToken(ctx context.Context, token string) (_ *procedo.User, _ *procedo.Tenant, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindUserByToken")
	unauth := procedo.Errorf(procedo.EUNAUTHORIZED, "Token non valido o revocato.")
	if !strings.HasPrefix(token, "pdo_") || len(token) > 100 {
		return nil, nil, unauth
	}
	var tokenID int64
	u, err := scanUser(s.db.queryRow(ctx, `SELECT `+userColumns+`, k.id FROM api_tokens k JOIN users u ON u.id = k.user_id AND u.tenant_id = k.tenant_id
		WHERE k.token_hash = ? AND k.revoked_at IS NULL AND u.disabled = ?`, hashSecret(token), false), &tokenID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, unauth
	} else if err != nil {
		return nil, nil, err
	}
	t, err := scanTenant(s.db.queryRow(ctx, `SELECT `+tenantColumns+` FROM tenants t WHERE t.id = ?`, u.TenantID))
	if err != nil {
		return nil, nil, err
	}
	if t.Suspended {
		return nil, nil, unauth
	}
	return u, t, nil
}
