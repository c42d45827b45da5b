// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/procedo/procedo"
)

const loginStateCookie = "procedo_login"

type loginPage struct {
	Providers []procedo.IdentityProvider
	Next      string
	Error     string // why the last attempt failed, in Italian; "" if none
}

// StaticIdentity returns an IdentityFor that offers the same providers to
// every tenant (tests, previews).
func StaticIdentity(ps ...procedo.IdentityProvider) func(context.Context, *procedo.Tenant) []procedo.IdentityProvider {
	return func(context.Context, *procedo.Tenant) []procedo.IdentityProvider { return ps }
}

// providers returns the identity providers of the request's tenant.
func (h *Handler) providers(r *http.Request) []procedo.IdentityProvider {
	if h.IdentityFor == nil {
		return nil
	}
	return h.IdentityFor(r.Context(), requestFrom(r).tenant)
}

// provider returns the tenant's identity provider id, or ENOTFOUND.
func (h *Handler) provider(r *http.Request, id string) (procedo.IdentityProvider, error) {
	for _, p := range h.providers(r) {
		if p.ID() == id {
			return p, nil
		}
	}
	return nil, procedo.Errorf(procedo.ENOTFOUND, "Metodo di accesso non disponibile.")
}

// handleLogin offers the citizens' identity providers.
func (h *Handler) handleLogin(w http.ResponseWriter, r *http.Request) error {
	h.render(w, r, http.StatusOK, "login", &page{Title: "Accedi ai servizi", Breadcrumbs: []crumb{{"Accedi", ""}},
		Data: &loginPage{Providers: h.providers(r), Next: safeNext(r.URL.Query().Get("next"))}})
	return nil
}

// loginFailed shows the login page again with the reason a login with SPID or
// CIE failed (provider down, answer refused, login expired), so that the
// citizen can retry or choose another provider. The cause is logged: it is
// what an operator needs to diagnose an identity provider problem.
func (h *Handler) loginFailed(w http.ResponseWriter, r *http.Request, p procedo.IdentityProvider, next string, err error) {
	code := procedo.ErrorCode(err)
	if code == procedo.EINTERNAL {
		h.Logger.Error("citizen login failed", "provider", p.ID(), "error", err,
			"request_id", procedo.RequestIDFromContext(r.Context()), "tenant_id", procedo.TenantIDFromContext(r.Context()))
	} else {
		h.Logger.Warn("citizen login refused", "provider", p.ID(), "code", code, "error", err,
			"request_id", procedo.RequestIDFromContext(r.Context()), "tenant_id", procedo.TenantIDFromContext(r.Context()))
	}
	h.render(w, r, statusOf(code), "login", &page{Title: "Accesso non riuscito", Breadcrumbs: []crumb{{"Accedi", ""}},
		Data: &loginPage{Providers: h.providers(r), Next: next, Error: procedo.ErrorMessage(err)}})
}

// handleLoginStart starts a login with a provider. A random state ties the
// callback to this browser (cookie) and carries where to go next.
func (h *Handler) handleLoginStart(w http.ResponseWriter, r *http.Request) error {
	p, err := h.provider(r, r.PathValue("provider"))
	if err != nil {
		return err
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	state := base64.RawURLEncoding.EncodeToString(b)
	next := safeNext(r.URL.Query().Get("next"))
	// The cookie must come back with the SAML HTTP-POST binding, a cross-site
	// POST from the identity provider: over HTTPS it is SameSite=None. It holds
	// only the random state (compared with the one that comes back) and a
	// local path, so sending it cross-site gives another site nothing. Over
	// plain HTTP (development) browsers refuse SameSite=None; without the
	// attribute they still send it with a POST made soon after.
	sameSite := http.SameSiteDefaultMode
	if h.SecureCookies {
		sameSite = http.SameSiteNoneMode
	}
	http.SetCookie(w, &http.Cookie{Name: loginStateCookie, Value: state + "|" + next, Path: "/accedi", HttpOnly: true,
		Secure: h.SecureCookies, SameSite: sameSite, MaxAge: 600})
	if err := p.Start(w, r, state); err != nil {
		if isCode(err, procedo.ENOTFOUND) {
			return err
		}
		h.loginFailed(w, r, p, next, err)
	}
	return nil
}

// handleLoginMetadata publishes what an identity provider needs to know
// about procedo as a relying party: the signed SAML metadata of a SAML
// provider, the JWK set of an OIDC provider using private_key_jwt.
func (h *Handler) handleLoginMetadata(w http.ResponseWriter, r *http.Request) error {
	p, err := h.provider(r, r.PathValue("provider"))
	if err != nil {
		return err
	}
	m, ok := p.(interface {
		Metadata() (contentType string, body []byte, err error)
	})
	if !ok {
		return errNotFound
	}
	ct, body, err := m.Metadata()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(body)
	return nil
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
	if _, err := h.provider(r, "demo"); err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "login_demo", &page{Title: "Accesso DEMO", Breadcrumbs: []crumb{{"Accedi", "/accedi"}, {"DEMO", ""}},
		Data: &loginDemoPage{State: r.URL.Query().Get("state"), Values: map[string]string{}, Samples: DemoCitizens}})
	return nil
}

// handleLoginCallback completes a login whose provider answers with a form
// of ours (the DEMO form, posted with the CSRF token).
func (h *Handler) handleLoginCallback(w http.ResponseWriter, r *http.Request) error {
	p, err := h.provider(r, r.PathValue("provider"))
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
	return h.completeLogin(w, r, p, c, state, err)
}

// handleLoginReturn completes an OpenID Connect login: the provider sends the
// browser back with a GET carrying code and state. No form token here: the
// state, compared with the login cookie of this browser, and the provider's
// own checks (PKCE, nonce) tie the answer to the login this browser started.
func (h *Handler) handleLoginReturn(w http.ResponseWriter, r *http.Request) error {
	p, err := h.provider(r, r.PathValue("provider"))
	if err != nil {
		return err
	}
	return h.finishLogin(w, r, p)
}

// handleLoginACS completes a SAML login: the identity provider's page posts
// the signed Response to the assertion consumer service (HTTP-POST binding),
// cross-site and without our form token. The RelayState, compared with the
// login cookie, and the provider's request tracking (InResponseTo bound to
// this browser, single use) tie the answer to the login this browser started.
func (h *Handler) handleLoginACS(w http.ResponseWriter, r *http.Request) error {
	p, err := h.provider(r, r.PathValue("provider"))
	if err != nil {
		return err
	}
	if p.ID() == "demo" {
		return errNotFound // the DEMO form posts to the callback, with the form token
	}
	// A SAML Response with signatures and certificates is some tens of KB.
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return &procedo.Error{Code: procedo.EINVALID, Message: "La richiesta non è valida.", Err: err}
	}
	return h.finishLogin(w, r, p)
}

// finishLogin completes a login whose answer came back from the provider;
// a provider with single logout also says what its logout will need.
func (h *Handler) finishLogin(w http.ResponseWriter, r *http.Request, p procedo.IdentityProvider) error {
	if slo, ok := p.(procedo.SingleLogoutProvider); ok {
		c, state, logout, err := slo.CallbackSession(r)
		return h.completeLoginLogout(w, r, p, c, state, logout, err)
	}
	c, state, err := p.Callback(r)
	return h.completeLogin(w, r, p, c, state, err)
}

// completeLogin checks the state a provider's answer carried against the
// login cookie and starts the citizen's session.
func (h *Handler) completeLogin(w http.ResponseWriter, r *http.Request, p procedo.IdentityProvider, c *procedo.Citizen, state string, err error) error {
	return h.completeLoginLogout(w, r, p, c, state, "", err)
}

// completeLoginLogout is completeLogin that also keeps, with the new
// session, what the provider's single logout needs (logout, if not "").
func (h *Handler) completeLoginLogout(w http.ResponseWriter, r *http.Request, p procedo.IdentityProvider, c *procedo.Citizen, state, logout string, err error) error {
	next, want := "/", ""
	ck, cerr := r.Cookie(loginStateCookie)
	if cerr == nil {
		var n string
		want, n, _ = strings.Cut(ck.Value, "|")
		next = safeNext(n)
	}
	if err != nil {
		if p.ID() == "demo" {
			return err
		}
		h.loginFailed(w, r, p, next, err)
		return nil
	}
	if cerr != nil {
		return procedo.Errorf(procedo.EFORBIDDEN, "La procedura di accesso è scaduta: riprova.")
	}
	if state == "" || subtle.ConstantTimeCompare([]byte(want), []byte(state)) != 1 {
		return procedo.Errorf(procedo.EFORBIDDEN, "La procedura di accesso non è valida: riprova.")
	}
	http.SetCookie(w, &http.Cookie{Name: loginStateCookie, Path: "/accedi", MaxAge: -1, HttpOnly: true, Secure: h.SecureCookies})
	c.Provider = p.ID()
	ctx := r.Context()
	// A new session on every login: never reuse the anonymous one (fixation).
	sess, err := h.Sessions.CreateSession(ctx, nil, c, remoteAddr(r))
	if err != nil {
		return err
	}
	if store, ok := h.Sessions.(procedo.ProviderLogoutStore); ok && logout != "" {
		// A provider that can start the logout itself finds the session by its key.
		subject := ""
		if pl, ok := p.(procedo.ProviderInitiatedLogout); ok {
			subject = pl.LogoutSubject(logout)
		}
		if err := store.SetProviderLogout(ctx, sess.Token, logout, p.ID(), subject); err != nil {
			return err
		}
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

const logoutStateCookie = "procedo_logout"

// handleLogout ends the session of a citizen or an operator. A citizen who
// logged in with a provider that has single logout (OIDC RP-initiated
// logout, SAML Single Logout) is then sent to the provider to end the
// session there too, and comes back to handleLogoutReturn.
func (h *Handler) handleLogout(w http.ResponseWriter, r *http.Request) error {
	st := requestFrom(r)
	var slo procedo.SingleLogoutProvider
	var logout string
	if ck, err := r.Cookie(sessionCookie); err == nil {
		if st.actor != nil && st.actor.Citizen != nil && st.actor.Citizen.Provider != "" {
			slo, logout = h.providerLogout(r, st.actor.Citizen.Provider, ck.Value)
		}
		if err := h.Sessions.DeleteSession(r.Context(), ck.Value); err != nil {
			return err
		}
	}
	if st.actor != nil {
		_ = h.Audit.RecordAudit(r.Context(), &procedo.AuditEvent{Action: "logout", ObjectType: "session", RemoteAddr: remoteAddr(r)})
	}
	h.clearSession(w)
	if slo != nil && logout != "" {
		state := randomState()
		// The SAML LogoutResponse may come back with a cross-site POST: as
		// for the login cookie, SameSite=None over HTTPS.
		sameSite := http.SameSiteDefaultMode
		if h.SecureCookies {
			sameSite = http.SameSiteNoneMode
		}
		http.SetCookie(w, &http.Cookie{Name: logoutStateCookie, Value: state, Path: "/accedi", HttpOnly: true,
			Secure: h.SecureCookies, SameSite: sameSite, MaxAge: 600})
		err := slo.Logout(w, r, logout, state)
		if err == nil {
			return nil
		}
		// The local session is over: the citizen is told, the cause logged.
		h.Logger.Warn("single logout not started", "provider", slo.ID(), "error", err,
			"request_id", procedo.RequestIDFromContext(r.Context()), "tenant_id", procedo.TenantIDFromContext(r.Context()))
		h.redirect(w, r, "/", "logout-partial")
		return nil
	}
	to := "/"
	if st.actor != nil && st.actor.User != nil {
		to = "/ufficio/accedi"
	}
	h.redirect(w, r, to, "logout")
	return nil
}

// providerLogout returns the single-logout provider id of the tenant and
// what its logout needs, kept with the session of token; nil if there is
// none.
func (h *Handler) providerLogout(r *http.Request, id, token string) (procedo.SingleLogoutProvider, string) {
	store, ok := h.Sessions.(procedo.ProviderLogoutStore)
	if !ok {
		return nil, ""
	}
	p, err := h.provider(r, id)
	if err != nil {
		return nil, ""
	}
	slo, ok := p.(procedo.SingleLogoutProvider)
	if !ok {
		return nil, ""
	}
	logout, err := store.ProviderLogout(r.Context(), token)
	if err != nil {
		h.Logger.Warn("cannot read the provider session", "provider", id, "error", err)
		return nil, ""
	}
	return slo, logout
}

// handleLogoutReturn is where the identity provider sends the browser back
// after ending its session, or, with a logout request of its own, to end
// procedo's sessions (handleProviderLogout) (GET for OIDC and the SAML HTTP-Redirect binding,
// a cross-site POST for the SAML HTTP-POST binding, with no form token: the
// provider's signed answer and the state, compared with the logout cookie,
// tie it to the logout this browser started). The local session is already
// over; the citizen is told whether the provider's one is too.
func (h *Handler) handleLogoutReturn(w http.ResponseWriter, r *http.Request) error {
	p, err := h.provider(r, r.PathValue("provider"))
	if err != nil {
		return err
	}
	slo, ok := p.(procedo.SingleLogoutProvider)
	if !ok {
		return errNotFound
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	}
	if pl, ok := slo.(procedo.ProviderInitiatedLogout); ok && pl.IsProviderLogoutRequest(r) {
		return h.handleProviderLogout(w, r, pl)
	}
	state, err := slo.LogoutReturn(w, r)
	ck, cerr := r.Cookie(logoutStateCookie)
	http.SetCookie(w, &http.Cookie{Name: logoutStateCookie, Path: "/accedi", MaxAge: -1, HttpOnly: true, Secure: h.SecureCookies})
	if err == nil && (cerr != nil || state == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(state)) != 1) {
		err = procedo.Errorf(procedo.EFORBIDDEN, "La procedura di uscita non è valida.")
	}
	if err != nil {
		h.Logger.Warn("single logout not confirmed", "provider", p.ID(), "error", err,
			"request_id", procedo.RequestIDFromContext(r.Context()), "tenant_id", procedo.TenantIDFromContext(r.Context()))
		h.redirect(w, r, "/", "logout-partial")
		return nil
	}
	h.redirect(w, r, "/", "logout-sso")
	return nil
}

// providerLogoutPage takes the signed answer to a provider's logout request
// back to the provider with the HTTP-POST binding: a form of hidden fields
// that a script of ours submits at once, with a "Continua" button for
// browsers without JavaScript.
type providerLogoutPage struct {
	URL    string
	Fields []hiddenField
	Ended  bool // every session named was ended
}

type hiddenField struct{ Name, Value string }

// handleProviderLogout serves a logout that the identity provider started
// (SAML IdP-initiated Single Logout), sent by the citizen's browser to the
// logout return URL: the provider's signed request is checked, every
// session of the tenant it names is ended (and audited), and the browser
// takes the provider's signed answer back. A request that cannot be trusted
// ends nothing: it is refused with 400, logged and audited.
func (h *Handler) handleProviderLogout(w http.ResponseWriter, r *http.Request, p procedo.ProviderInitiatedLogout) error {
	ctx := r.Context()
	req, err := p.ProviderLogoutRequest(r)
	if err != nil {
		code := procedo.ErrorCode(err)
		h.Logger.Warn("provider logout request refused", "provider", p.ID(), "code", code, "error", err,
			"request_id", procedo.RequestIDFromContext(ctx), "tenant_id", procedo.TenantIDFromContext(ctx))
		_ = h.Audit.RecordAudit(ctx, &procedo.AuditEvent{Action: "logout.idp.refused", ObjectType: "identity_provider",
			ObjectID: p.ID(), RemoteAddr: remoteAddr(r), Detail: err.Error()})
		status := statusOf(code)
		if code == procedo.EUNAUTHORIZED || code == procedo.EFORBIDDEN {
			status = http.StatusBadRequest
		}
		h.render(w, r, status, "error", &page{Title: "Richiesta di uscita non valida",
			Data: &errorPage{Status: status, Message: procedo.ErrorMessage(err)}})
		return nil
	}
	ended := false
	if store, ok := h.Sessions.(procedo.ProviderSessionStore); ok {
		sessions, err := store.EndProviderSessions(ctx, p.ID(), req.Subject, req.Matches)
		if err != nil {
			h.Logger.Error("provider logout: sessions not ended", "provider", p.ID(), "error", err,
				"request_id", procedo.RequestIDFromContext(ctx), "tenant_id", procedo.TenantIDFromContext(ctx))
		} else {
			ended = true
		}
		for _, s := range sessions {
			actx := ctx
			if s.Citizen != nil {
				actx = procedo.NewContextWithActor(ctx, &procedo.Actor{Kind: procedo.ActorCitizen, Citizen: s.Citizen})
			}
			ev := &procedo.AuditEvent{Action: "logout.idp", ObjectType: "session", RemoteAddr: remoteAddr(r), Detail: p.ID()}
			if s.Citizen != nil {
				ev.ObjectType, ev.ObjectID = "citizen", s.Citizen.FiscalCode
			}
			_ = h.Audit.RecordAudit(actx, ev)
		}
	}
	// The browser that brought the request may hold one of the ended sessions.
	if st := requestFrom(r); st.session != nil {
		if ck, err := r.Cookie(sessionCookie); err == nil {
			if _, err := h.Sessions.FindSession(ctx, ck.Value); err != nil {
				h.clearSession(w)
				st.session, st.actor = nil, nil
			}
		}
	}
	ans, err := p.AnswerProviderLogout(ctx, req, ended)
	if err != nil {
		return err
	}
	if ans.Form == nil {
		http.Redirect(w, r, ans.URL, http.StatusSeeOther)
		return nil
	}
	u, err := url.Parse(ans.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return &procedo.Error{Code: procedo.EINTERNAL, Message: "Non è possibile rispondere al gestore dell'identità.", Err: err}
	}
	pg := &providerLogoutPage{URL: ans.URL, Ended: ended}
	for _, name := range slices.Sorted(maps.Keys(ans.Form)) {
		for _, v := range ans.Form[name] {
			pg.Fields = append(pg.Fields, hiddenField{name, v})
		}
	}
	// The form goes to the provider's site: only there, besides our own.
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"frame-ancestors 'none'; form-action 'self' "+u.Scheme+"://"+u.Host+"; base-uri 'none'")
	w.Header().Set("Cache-Control", "no-store")
	h.render(w, r, http.StatusOK, "provider_logout", &page{Title: "Uscita dall'area riservata", Data: pg})
	return nil
}

// handleEntityConfiguration publishes procedo's OpenID Federation Entity
// Configuration (SPID/CIE OIDC) for the tenant's host: that of its first
// identity provider in federation mode.
func (h *Handler) handleEntityConfiguration(w http.ResponseWriter, r *http.Request) error {
	for _, p := range h.providers(r) {
		ec, ok := p.(interface {
			EntityConfiguration() (contentType string, body []byte, err error)
		})
		if !ok {
			continue
		}
		ct, body, err := ec.EntityConfiguration()
		if isCode(err, procedo.ENOTFOUND) {
			continue
		} else if err != nil {
			return err
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(body)
		return nil
	}
	return errNotFound
}

func randomState() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
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
