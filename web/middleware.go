// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/procedo/procedo"
)

// Cookie names. The session cookie is host-only, HttpOnly and SameSite=Lax,
// Secure when served over HTTPS.
const (
	sessionCookie = "procedo_session"
	csrfCookie    = "procedo_csrf" // anonymous visitors' CSRF token (double submit)
	csrfField     = "csrf_token"
)

// reqState is the identity of a web request: tenant, session and actor.
type reqState struct {
	tenant   *procedo.Tenant
	session  *procedo.Session
	actor    *procedo.Actor
	anonCSRF string
}

type stateKey struct{}

func requestFrom(r *http.Request) *reqState {
	if s, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		return s
	}
	return &reqState{}
}

// withTenant resolves the tenant from the Host header (or the default tenant),
// loads the session and the actor, and puts them in the request context.
func (h *Handler) withTenant(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		host := r.Host
		if hh, _, err := net.SplitHostPort(host); err == nil {
			host = hh
		}
		t, err := h.Tenants.FindTenantByHost(ctx, host)
		if isCode(err, procedo.ENOTFOUND) && h.DefaultTenant != "" {
			t, err = h.Tenants.FindTenantBySlug(ctx, h.DefaultTenant)
		}
		if err != nil {
			if isCode(err, procedo.ENOTFOUND) {
				http.Error(w, "Nessun ente è servito a questo indirizzo.", http.StatusNotFound)
				return
			}
			h.fail(w, r, err)
			return
		}
		if t.Suspended {
			http.Error(w, "Il servizio di questo ente è sospeso.", http.StatusServiceUnavailable)
			return
		}
		st := &reqState{tenant: t}
		ctx = procedo.NewContextWithTenant(ctx, t)
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			sess, err := h.Sessions.FindSession(ctx, c.Value)
			switch {
			case err == nil:
				st.session = sess
				if st.actor, err = h.actorOf(ctx, sess); err != nil {
					st.session, st.actor = nil, nil
					h.clearSession(w)
				}
			case isCode(err, procedo.EUNAUTHORIZED):
				h.clearSession(w)
			default:
				h.fail(w, r, err)
				return
			}
		}
		if st.session == nil {
			st.anonCSRF = h.anonCSRF(w, r)
		}
		if st.actor != nil {
			ctx = procedo.NewContextWithActor(ctx, st.actor)
		}
		ctx = context.WithValue(ctx, stateKey{}, st)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (h *Handler) actorOf(ctx context.Context, sess *procedo.Session) (*procedo.Actor, error) {
	switch {
	case sess.UserID != nil:
		u, err := h.Users.FindUserByID(ctx, *sess.UserID)
		if err != nil {
			return nil, err
		}
		if u.Disabled {
			return nil, errors.New("user disabled")
		}
		return &procedo.Actor{Kind: procedo.ActorUser, User: u}, nil
	case sess.Citizen != nil:
		return &procedo.Actor{Kind: procedo.ActorCitizen, Citizen: sess.Citizen}, nil
	}
	return nil, errors.New("empty session")
}

// anonCSRF returns the anonymous visitor's CSRF token, setting the cookie the
// first time. Forms of anonymous pages (logins) echo it (double submit);
// together with the Origin check of http.CrossOriginProtection this stops
// cross-site posts.
func (h *Handler) anonCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 && len(c.Value) < 100 {
		return c.Value
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/", HttpOnly: true, Secure: h.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: 12 * 3600})
	// The request itself must see it too (first visit renders the form).
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: v})
	return v
}

// checkCSRF verifies the form token of a state-changing request. The form must
// already be parsed.
func (h *Handler) checkCSRF(r *http.Request) error {
	st := requestFrom(r)
	want := st.anonCSRF
	if st.session != nil {
		want = st.session.CSRFToken
	}
	got := r.PostFormValue(csrfField)
	if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		return procedo.Errorf(procedo.EFORBIDDEN, "Il modulo è scaduto o non è valido. Torna alla pagina precedente, ricaricala e riprova.")
	}
	return nil
}

// post wraps a state-changing handler: it limits and parses the body, checks
// the CSRF token and then calls fn. Multipart bodies may be up to the upload
// limit plus 1 MB of fields.
func (h *Handler) post(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		err := h.parse(w, r)
		if err == nil {
			err = h.checkCSRF(r)
		}
		if err == nil {
			err = fn(w, r)
		}
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
		if err != nil {
			h.fail(w, r, err)
		}
	}
}

func (h *Handler) parse(w http.ResponseWriter, r *http.Request) error {
	limit := int64(64 << 10)
	multipart := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
	if multipart {
		limit = h.MaxUpload + 1<<20
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	if multipart {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return procedo.Errorf(procedo.ETOOLARGE, "Il file inviato è troppo grande: la dimensione massima è %d MB. Torna al modulo e allega un file più piccolo.", h.MaxUpload>>20)
	}
	if err != nil {
		return &procedo.Error{Code: procedo.EINVALID, Message: "La richiesta non è valida.", Err: err}
	}
	return nil
}

// get wraps a read-only handler returning an error.
func (h *Handler) get(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			h.fail(w, r, err)
		}
	}
}

// securityHeaders sets headers every page carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		next.ServeHTTP(w, r)
	})
}

func (h *Handler) setSession(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: h.SecureCookies,
		SameSite: http.SameSiteLaxMode})
}

func (h *Handler) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.SecureCookies,
		SameSite: http.SameSiteLaxMode})
}

func remoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// requireUser returns the operator of the request or EUNAUTHORIZED.
func requireUser(r *http.Request) (*procedo.User, error) {
	if a := requestFrom(r).actor; a != nil && a.User != nil {
		return a.User, nil
	}
	return nil, procedo.Errorf(procedo.EUNAUTHORIZED, "Per continuare accedi all'area riservata agli operatori.")
}

// requireCitizen returns the citizen of the request or EUNAUTHORIZED.
func requireCitizen(r *http.Request) (*procedo.Citizen, error) {
	if a := requestFrom(r).actor; a != nil && a.Citizen != nil {
		return a.Citizen, nil
	}
	return nil, procedo.Errorf(procedo.EUNAUTHORIZED, "Per continuare accedi con la tua identità digitale (SPID o CIE).")
}
