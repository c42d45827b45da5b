// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/procedo/procedo"
)

// SessionService implements procedo.SessionService.
type SessionService struct {
	db *DB
	// IdleTimeout ends a session unused for this long; MaxAge ends any session.
	IdleTimeout time.Duration
	MaxAge      time.Duration
}

// NewSessionService returns a SessionService with 30-minute idle and 12-hour
// absolute limits (the usual limits for public-administration back offices).
func NewSessionService(db *DB) *SessionService {
	return &SessionService{db: db, IdleTimeout: 30 * time.Minute, MaxAge: 12 * time.Hour}
}

var _ procedo.SessionService = (*SessionService)(nil)

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// CreateSession starts a session for a user or a citizen of the tenant in ctx.
func (s *SessionService) CreateSession(ctx context.Context, userID *int64, citizen *procedo.Citizen, remoteAddr string) (_ *procedo.Session, err error) {
	defer procedo.Wrap(&err, "sqlstore.CreateSession")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	token, hash, err := newSecret("s_")
	if err != nil {
		return nil, err
	}
	csrf, err := randomToken()
	if err != nil {
		return nil, err
	}
	var citizenJSON any
	if citizen != nil {
		b, err := json.Marshal(citizen)
		if err != nil {
			return nil, err
		}
		citizenJSON = string(b)
	}
	sess := &procedo.Session{Token: token, TenantID: tid, UserID: userID, Citizen: citizen, CSRFToken: csrf}
	err = s.db.transact(ctx, func(tx *Tx) error {
		sess.CreatedAt = tx.now
		sess.ExpiresAt = tx.now.Add(s.MaxAge)
		// Opportunistic clean-up of expired sessions keeps the table small without a job.
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE expires_at < ?`, s.db.ts(tx.now)); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO sessions (id, tenant_id, user_id, citizen, csrf_token, remote_addr, created_at, expires_at, last_seen_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, hash, tid, userID, citizenJSON, csrf, remoteAddr, s.db.ts(tx.now), s.db.ts(sess.ExpiresAt), s.db.ts(tx.now))
		return err
	})
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// FindSession returns the live session of token in the tenant of ctx, or
// EUNAUTHORIZED. It extends the idle timeout at most once a minute.
func (s *SessionService) FindSession(ctx context.Context, token string) (_ *procedo.Session, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindSession")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	unauth := procedo.Errorf(procedo.EUNAUTHORIZED, "Sessione scaduta: accedi di nuovo.")
	if token == "" || len(token) > 200 {
		return nil, unauth
	}
	hash := hashSecret(token)
	var sess procedo.Session
	var userID sql.NullInt64
	var citizen sql.NullString
	var lastSeen time.Time
	err = s.db.queryRow(ctx, `SELECT tenant_id, user_id, citizen, csrf_token, created_at, expires_at, last_seen_at
		FROM sessions WHERE id = ? AND tenant_id = ?`, hash, tid).
		Scan(&sess.TenantID, &userID, &citizen, &sess.CSRFToken, timeValue{&sess.CreatedAt}, timeValue{&sess.ExpiresAt}, timeValue{&lastSeen})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, unauth
	} else if err != nil {
		return nil, err
	}
	now := s.db.Now()
	if now.After(sess.ExpiresAt) || now.Sub(lastSeen) > s.IdleTimeout {
		_ = s.DeleteSession(ctx, token)
		return nil, unauth
	}
	if userID.Valid {
		sess.UserID = &userID.Int64
	}
	if citizen.Valid {
		sess.Citizen = &procedo.Citizen{}
		if err := json.Unmarshal([]byte(citizen.String), sess.Citizen); err != nil {
			return nil, err
		}
	}
	if now.Sub(lastSeen) > time.Minute {
		if err := s.db.transact(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, s.db.ts(tx.now), hash)
			return err
		}); err != nil {
			return nil, err
		}
	}
	return &sess, nil
}

// DeleteSession ends a session (logout). A missing session is not an error.
func (s *SessionService) DeleteSession(ctx context.Context, token string) (err error) {
	defer procedo.Wrap(&err, "sqlstore.DeleteSession")
	return s.db.transact(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE id = ?`, hashSecret(token))
		return err
	})
}

// Secret returns the installation-wide secret named key, creating a random one
// the first time; replicas sharing a database share it.
func (db *DB) Secret(ctx context.Context, key string) (_ []byte, err error) {
	defer procedo.Wrap(&err, "sqlstore.Secret(%q)", key)
	var v string
	err = db.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		fresh, err := randomToken()
		if err != nil {
			return nil, err
		}
		if err := db.transact(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, key, fresh)
			return err
		}); err != nil {
			return nil, err
		}
		err = db.queryRow(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	}
	if err != nil {
		return nil, err
	}
	return base64.RawURLEncoding.DecodeString(v)
}

var _ procedo.ProviderLogoutStore = (*SessionService)(nil)

// SetProviderLogout implements procedo.ProviderLogoutStore: it keeps logout
// with the session of token in the tenant of ctx and, with subject, keys the
// session with subject at provider (provider_subject). ENOTFOUND if there is
// no such session.
func (s *SessionService) SetProviderLogout(ctx context.Context, token, logout, provider, subject string) (err error) {
	defer procedo.Wrap(&err, "sqlstore.SetProviderLogout")
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	var key any // NULL: not keyed
	if subject != "" {
		if provider == "" {
			return procedo.Errorf(procedo.EINVALID, "Manca l'identificativo dell'accesso presso il gestore dell'identità.")
		}
		key = providerSubject(provider, subject)
	}
	return s.db.transact(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE sessions SET provider_logout = ?, provider_subject = ? WHERE id = ? AND tenant_id = ?`,
			logout, key, hashSecret(token), tid)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return procedo.Errorf(procedo.ENOTFOUND, "Sessione non trovata.")
		}
		return nil
	})
}

// ProviderLogout implements procedo.ProviderLogoutStore: what
// SetProviderLogout kept with the session of token, "" if nothing (or no
// such session).
func (s *SessionService) ProviderLogout(ctx context.Context, token string) (_ string, err error) {
	defer procedo.Wrap(&err, "sqlstore.ProviderLogout")
	tid, err := tenantID(ctx)
	if err != nil {
		return "", err
	}
	var v sql.NullString
	err = s.db.queryRow(ctx, `SELECT provider_logout FROM sessions WHERE id = ? AND tenant_id = ?`, hashSecret(token), tid).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	return v.String, nil
}

var _ procedo.ProviderSessionStore = (*SessionService)(nil)

// providerSubject is the provider_subject of a session: the provider's id
// (which has no ":") and the provider's key of the login.
func providerSubject(provider, subject string) string { return provider + ":" + subject }

// EndProviderSessions implements procedo.ProviderSessionStore: it deletes,
// in one transaction, the sessions of the tenant in ctx keyed with subject
// at provider whose provider logout data matches accepts (expired ones
// too: they are over anyway), and returns them without Token. Sessions of
// other tenants are never read, whatever subject is.
func (s *SessionService) EndProviderSessions(ctx context.Context, provider, subject string, matches func(logout string) bool) (_ []*procedo.Session, err error) {
	defer procedo.Wrap(&err, "sqlstore.EndProviderSessions")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if provider == "" || subject == "" {
		return nil, nil
	}
	var ended []*procedo.Session
	err = s.db.transact(ctx, func(tx *Tx) error {
		ended = nil // the transaction may be retried
		ids, err := findProviderSessions(ctx, tx, tid, providerSubject(provider, subject), matches, &ended)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE id = ? AND tenant_id = ?`, id, tid); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ended, nil
}

// findProviderSessions appends to ended the sessions of tenant tid keyed
// with subject whose logout data matches accepts, and returns their ids.
func findProviderSessions(ctx context.Context, tx *Tx, tid int64, subject string, matches func(string) bool, ended *[]*procedo.Session) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT id, user_id, citizen, created_at, expires_at, provider_logout
		FROM sessions WHERE tenant_id = ? AND provider_subject = ?`, tid, subject)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		var userID sql.NullInt64
		var citizen, logout sql.NullString
		sess := &procedo.Session{TenantID: tid}
		if err := rows.Scan(&id, &userID, &citizen, timeValue{&sess.CreatedAt}, timeValue{&sess.ExpiresAt}, &logout); err != nil {
			return nil, err
		}
		if matches != nil && !matches(logout.String) {
			continue
		}
		if userID.Valid {
			sess.UserID = &userID.Int64
		}
		if citizen.Valid {
			sess.Citizen = &procedo.Citizen{}
			if err := json.Unmarshal([]byte(citizen.String), sess.Citizen); err != nil {
				return nil, err
			}
		}
		ids, *ended = append(ids, id), append(*ended, sess)
	}
	return ids, rows.Err()
}
