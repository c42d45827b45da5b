// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/procedo/procedo"
)

const loginStateCookie = "procedo_login"

type loginPage struct {
	Providers []procedo.IdentityProvider
	Next      string
}

// handleLogin offers the citizens' identity providers.
func (h *Handler) handleLogin(w http.ResponseWriter, r *http.Request) error {
	h.render(w, r, http.StatusOK, "login", &page{Title: "Accedi ai servizi", Breadcrumbs: []crumb{{"Accedi", ""}},
		Data: &loginPage{Providers: h.Identity, Next: safeNext(r.URL.Query().Get("next"))}})
	return nil
}

func (h *Handler) provider(id string) (procedo.IdentityProvider, error) {
	for _, p := range h.Identity {
		if p.ID() == id {
			return p, nil
		}
	}
	return nil, procedo.Errorf(procedo.ENOTFOUND, "Metodo di accesso non disponibile.")
}

// handleLoginStart starts a login with a provider. A random state ties the
// callback to this browser (cookie) and carries where to go next.
func (h *Handler) handleLoginStart(w http.ResponseWriter, r *http.Request) error {
	p, err := h.provider(r.PathValue("provider"))
	if err != nil {
		return err
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	state := base64.RawURLEncoding.EncodeToString(b)
	next := safeNext(r.URL.Query().Get("next"))
	http.SetCookie(w, &http.Cookie{Name: loginStateCookie, Value: state + "|" + next, Path: "/accedi", HttpOnly: true,
		Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: 600})
	return p.Start(w, r, state)
}

type loginDemoPage struct {
	State   string
	Values  map[string]string
	Errors  procedo.FieldErrors
	Samples []*procedo.Citizen
}

// DemoCitizens are sample identities offered on the DEMO login form.
var DemoCitizens = []*procedo.Citizen{
	{GivenName: "Mario", FamilyName: "Rossi", FiscalCode: "RSSMRA80A01H501U", Email: "mario.rossi@example.it"},
	{GivenName: "Lucia", FamilyName: "Verdi", FiscalCode: "VRDLCU85T45F205S", Email: "lucia.verdi@example.it"},
}

// handleLoginDemoForm shows the DEMO identity provider's form (demo mode only).
func (h *Handler) handleLoginDemoForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.provider("demo"); err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "login_demo", &page{Title: "Accesso DEMO", Breadcrumbs: []crumb{{"Accedi", "/accedi"}, {"DEMO", ""}},
		Data: &loginDemoPage{State: r.URL.Query().Get("state"), Values: map[string]string{}, Samples: DemoCitizens}})
	return nil
}

// handleLoginCallback completes a citizen login and starts the session.
func (h *Handler) handleLoginCallback(w http.ResponseWriter, r *http.Request) error {
	p, err := h.provider(r.PathValue("provider"))
	if err != nil {
		return err
	}
	c, state, err := p.Callback(r)
	if fe := procedo.FieldErrorsOf(err); fe != nil && p.ID() == "demo" {
		vals := map[string]string{"given_name": r.PostFormValue("given_name"), "family_name": r.PostFormValue("family_name"),
			"fiscal_code": r.PostFormValue("fiscal_code"), "email": r.PostFormValue("email")}
		h.render(w, r, http.StatusUnprocessableEntity, "login_demo", &page{Title: "Errori nel modulo: Accesso DEMO",
			Data: &loginDemoPage{State: r.PostFormValue("state"), Values: vals, Errors: fe, Samples: DemoCitizens}})
		return nil
	}
	if err != nil {
		return err
	}
	next := "/"
	ck, cerr := r.Cookie(loginStateCookie)
	if cerr != nil {
		return procedo.Errorf(procedo.EFORBIDDEN, "La procedura di accesso è scaduta: riprova.")
	}
	want, n, _ := strings.Cut(ck.Value, "|")
	if state == "" || subtle.ConstantTimeCompare([]byte(want), []byte(state)) != 1 {
		return procedo.Errorf(procedo.EFORBIDDEN, "La procedura di accesso non è valida: riprova.")
	}
	next = safeNext(n)
	http.SetCookie(w, &http.Cookie{Name: loginStateCookie, Path: "/accedi", MaxAge: -1, HttpOnly: true, Secure: h.SecureCookies})
	c.Provider = p.ID()
	ctx := r.Context()
	// A new session on every login: never reuse the anonymous one (fixation).
	sess, err := h.Sessions.CreateSession(ctx, nil, c, remoteAddr(r))
	if err != nil {
		return err
	}
	if old := requestFrom(r).session; old != nil {
		if ck, err := r.Cookie(sessionCookie); err == nil {
			_ = h.Sessions.DeleteSession(ctx, ck.Value)
		}
	}
	_ = h.Audit.RecordAudit(procedo.NewContextWithActor(ctx, &procedo.Actor{Kind: procedo.ActorCitizen, Citizen: c}),
		&procedo.AuditEvent{Action: "citizen.login", ObjectType: "citizen", ObjectID: c.FiscalCode, RemoteAddr: remoteAddr(r), Detail: p.ID()})
	h.setSession(w, sess.Token)
	h.redirect(w, r, next, "login")
	return nil
}

// handleLogout ends the session of a citizen or an operator.
func (h *Handler) handleLogout(w http.ResponseWriter, r *http.Request) error {
	st := requestFrom(r)
	if ck, err := r.Cookie(sessionCookie); err == nil {
		if err := h.Sessions.DeleteSession(r.Context(), ck.Value); err != nil {
			return err
		}
	}
	if st.actor != nil {
		_ = h.Audit.RecordAudit(r.Context(), &procedo.AuditEvent{Action: "logout", ObjectType: "session", RemoteAddr: remoteAddr(r)})
	}
	h.clearSession(w)
	to := "/"
	if st.actor != nil && st.actor.User != nil {
		to = "/ufficio/accedi"
	}
	h.redirect(w, r, to, "logout")
	return nil
}

type officeLoginPage struct {
	Username    string
	Error       string
	Credentials []DemoCredential
}

// handleOfficeLogin shows the operators' login form.
func (h *Handler) handleOfficeLogin(w http.ResponseWriter, r *http.Request) error {
	if _, err := requireUser(r); err == nil {
		http.Redirect(w, r, "/ufficio", http.StatusSeeOther)
		return nil
	}
	h.render(w, r, http.StatusOK, "office_login", &page{Title: "Accesso operatori", Section: "office",
		Data: &officeLoginPage{Credentials: h.demoCredentials(r)}})
	return nil
}

func (h *Handler) demoCredentials(r *http.Request) []DemoCredential {
	if !h.Demo {
		return nil
	}
	var out []DemoCredential
	for _, c := range h.DemoCredentials {
		if t := requestFrom(r).tenant; t != nil && c.Tenant == t.Slug {
			out = append(out, c)
		}
	}
	return out
}

// handleOfficeLoginSubmit checks username and password (rate-limited and
// audited by the store) and starts an operator session.
func (h *Handler) handleOfficeLoginSubmit(w http.ResponseWriter, r *http.Request) error {
	username := strings.TrimSpace(r.PostFormValue("username"))
	u, err := h.Users.Authenticate(r.Context(), username, r.PostFormValue("password"), remoteAddr(r))
	if err != nil {
		code := procedo.ErrorCode(err)
		if code != procedo.EUNAUTHORIZED && code != procedo.ETOOMANY {
			return err
		}
		h.render(w, r, statusOf(code), "office_login", &page{Title: "Accesso operatori: errore", Section: "office",
			Data: &officeLoginPage{Username: username, Error: procedo.ErrorMessage(err), Credentials: h.demoCredentials(r)}})
		return nil
	}
	if ck, err := r.Cookie(sessionCookie); err == nil {
		_ = h.Sessions.DeleteSession(r.Context(), ck.Value)
	}
	sess, err := h.Sessions.CreateSession(r.Context(), &u.ID, nil, remoteAddr(r))
	if err != nil {
		return err
	}
	h.setSession(w, sess.Token)
	h.redirect(w, r, "/ufficio", "login")
	return nil
}
