// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package web is procedo's HTML user interface: the citizens' front office,
// the offices' back office and the tenant administration, server-rendered with
// Bootstrap Italia. Every action is a plain form POST that works without
// JavaScript. It calls procedo services only; it must not run SQL.
package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

//go:embed templates
var templatesFS embed.FS

// Handler serves the web UI. Its service fields are set by the wiring code.
type Handler struct {
	Tenants       procedo.TenantService
	Users         procedo.UserService
	Sessions      procedo.SessionService
	OrgUnits      procedo.OrgUnitService
	Procedures    procedo.ProcedureService
	Applications  procedo.ApplicationService
	Cases         procedo.CaseService
	Documents     procedo.DocumentService
	Registrations procedo.RegistrationService
	Outbox        procedo.OutboxService
	Audit         procedo.AuditService
	Blobs         procedo.BlobStore
	Renderer      procedo.Renderer
	// Models parses and writes procedure models (admin pages, BPMN, schema).
	Models procedo.ModelCodec
	// StandardModels returns the package of procedo's standard library of
	// models, offered on the import page; nil offers none.
	StandardModels func() ([]byte, error)

	// The back office's and the applicants' work on cases; the wiring code
	// sets each to the same store as Cases. OutboxList lists the outgoing
	// mail with its delivery attempts (/ufficio/admin/posta).
	CaseWork        procedo.CaseWorkService
	CaseCitizen     procedo.CaseCitizenService
	CaseNotes       procedo.CaseNoteService
	CaseMessages    procedo.CaseMessageService
	CaseWithdrawals procedo.CaseWithdrawalService
	OutboxList      procedo.OutboxReader

	// DailyRegisters and Classifications serve the registry desk.
	DailyRegisters  procedo.DailyRegisterService
	Classifications procedo.ClassificationService

	// Drafts keeps the applications being filled in steps; Payments issues
	// and reads their pagoPA notices.
	Drafts   procedo.DraftService
	Payments procedo.PaymentService
	// PaymentProvider takes citizens to pay a notice ("Paga ora"); nil offers
	// no online payment (the printable notice stays). PaymentPage, when set,
	// is served at /pagamenti/demo: the DEMO provider's own page, wired only
	// in demo mode and in tests.
	PaymentProvider procedo.PaymentProvider
	PaymentPage     http.Handler
	// CasePayments lists the notices of a case and lets the office ask the
	// applicant for a fee; nil hides the payments of the case pages.
	CasePayments procedo.CasePaymentService
	// CaseOpinions asks and answers opinions (pareri) on cases; nil hides
	// the opinions of the case pages and /ufficio/pareri.
	CaseOpinions procedo.CaseOpinionService

	// IdentityFor returns the citizens' identity providers of tenant t, offered
	// on its login page (SPID, CIE; the DEMO provider in demo mode). It is
	// called on every login request, so it must be cheap (cached); nil offers
	// none.
	IdentityFor func(ctx context.Context, t *procedo.Tenant) []procedo.IdentityProvider

	Logger        *slog.Logger
	Demo          bool   // demo mode: DEMO banner, DEMO mailbox, demo credentials shown
	DefaultTenant string // slug of the tenant served for unknown hosts; "" = none
	SecureCookies bool   // set the Secure flag (when served over HTTPS)
	MaxUpload     int64  // bytes per file; 0 = procedo.DefaultMaxUpload
	// Notify is called after a change that queued jobs, to wake the runner.
	Notify func()
	// DemoCredentials are shown on the operator login page in demo mode.
	DemoCredentials []DemoCredential
	// Static serves /static/; set by the wiring code from web/static.
	Static fs.FS
	// Segnatura returns the signed segnatura XML (AgID Linee guida 2021,
	// Allegato 6) of a registration and its documents; nil hides it. The
	// wiring code builds it with package segnatura and the tenant's signing
	// key: web must not import another adapter (STYLE §1).
	Segnatura func(ctx context.Context, reg *procedo.Registration, docs []*procedo.Document) ([]byte, error)

	pages map[string]*template.Template
}

// DemoCredential is a demo account shown on the demo login page.
type DemoCredential struct {
	Tenant, Username, Password, Role string
}

var funcs = template.FuncMap{
	// casecount shows a count of cases, "più di N" above what a search by
	// words counts (procedo.MaxCaseSearchCount).
	"casecount": func(n int) string {
		if n > procedo.MaxCaseSearchCount {
			return fmt.Sprintf("più di %d", procedo.MaxCaseSearchCount)
		}
		return fmt.Sprint(n)
	},
	"date": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(procedo.Rome).Format("02/01/2006")
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(procedo.Rome).Format("02/01/2006 15:04")
	},
	"datetimeptr": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(procedo.Rome).Format("02/01/2006 15:04")
	},
	"isodatetime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"days":        procedo.FormatDays,
	"bytes": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%d byte", n)
	},
	"statusClass": func(s procedo.CaseStatus) string {
		switch s {
		case procedo.CaseAccepted:
			return "bg-success"
		case procedo.CaseRejected:
			return "bg-danger"
		}
		return "bg-primary"
	},
	"join": strings.Join,
	"field": func(f procedo.FormField, values map[string]string, fe procedo.FieldErrors) fieldView {
		return fieldView{F: f, Value: values[f.Name], Error: fe[f.Name], Values: values, Errors: fe}
	},
	"input": func(name, label, typ, value, errMsg, hint string, required bool) inputView {
		return inputView{Name: name, Label: label, Type: typ, Value: value, Error: errMsg, Hint: hint, Required: required}
	},
	"userForm": func(u *procedo.User, roles []procedo.Role, units []*procedo.OrgUnit, fe procedo.FieldErrors) userFormView {
		return userFormView{User: u, Roles: roles, Units: units, Errors: fe}
	},
	"inc":     func(n int) int { return n + 1 },
	"neg":     func(n int) int { return -n },
	"hasRole": func(u *procedo.User, r string) bool { return u.HasRole(procedo.Role(r)) },
	"deref": func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	},
	"channelLabel":     channelLabel,
	"assignmentKind":   assignmentKindLabel,
	"assignmentStatus": assignmentStatusLabel,
}

// fieldView is what the form-field partial draws: one field of a procedure form.
type fieldView struct {
	F     procedo.FormField
	Value string
	Error string
	// Values and Errors are the whole form's, for fields made of several
	// inputs (address, repeatable group).
	Values map[string]string
	Errors procedo.FieldErrors
}

// userFormView draws the roles and office of a user form.
type userFormView struct {
	User   *procedo.User
	Roles  []procedo.Role
	Units  []*procedo.OrgUnit
	Errors procedo.FieldErrors
}

// inputView is a plain labelled input of the staff pages.
type inputView struct {
	Name, Label, Type, Value, Error, Hint string
	Required                              bool
}

// Init parses the templates; call once before serving. It panics on a template
// error, which is a programming error found at start-up.
func (h *Handler) Init() {
	h.pages = map[string]*template.Template{}
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templatesFS, "templates/layout/*.html", "templates/partials/*.html"))
	entries, err := fs.Glob(templatesFS, "templates/pages/*.html")
	if err != nil {
		panic(err)
	}
	for _, p := range entries {
		name := strings.TrimSuffix(path.Base(p), ".html")
		h.pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templatesFS, p))
	}
	for _, name := range registeredPages {
		if h.pages[name] == nil {
			panic("web: page template missing: " + name)
		}
	}
	if len(h.pages) != len(registeredPages) {
		panic(fmt.Sprintf("web: %d page templates but %d registered pages", len(h.pages), len(registeredPages)))
	}
	if h.Logger == nil {
		h.Logger = slog.Default()
	}
	if h.MaxUpload == 0 {
		h.MaxUpload = procedo.DefaultMaxUpload
	}
}

// page is what every template receives: the common frame plus the page's own
// typed data in Data.
type page struct {
	Title       string
	Tenant      *procedo.Tenant
	Tenants     []tenantLink // other demo tenants, for the DEMO banner
	Actor       *procedo.Actor
	CSRF        string
	Demo        bool
	Flash       string
	Section     string // "front" or "office": which navigation to show
	Breadcrumbs []crumb
	Data        any
}

type crumb struct{ Label, URL string }

// tenantLink points to another tenant's site on the same port (demo banner).
type tenantLink struct{ Name, URL string }

// portOf returns ":port" of a Host header, or "".
func portOf(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		return host[i:]
	}
	return ""
}

// render writes page name with status.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t := h.pages[name]
	if t == nil {
		h.Logger.Error("unknown page", "page", name)
		http.Error(w, "pagina sconosciuta", http.StatusInternalServerError)
		return
	}
	rc := requestFrom(r)
	p.Tenant, p.Actor, p.Demo = rc.tenant, rc.actor, h.Demo
	if rc.session != nil {
		p.CSRF = rc.session.CSRFToken
	} else {
		p.CSRF = rc.anonCSRF
	}
	if p.Section == "" {
		p.Section = "front"
		if rc.actor != nil && rc.actor.User != nil {
			p.Section = "office"
		}
	}
	if h.Demo && rc.tenant != nil {
		if all, err := h.Tenants.FindTenants(r.Context()); err == nil {
			for _, t := range all {
				if t.ID != rc.tenant.ID && len(t.Hosts) > 0 {
					p.Tenants = append(p.Tenants, tenantLink{Name: t.Name, URL: "http://" + t.Hosts[0] + portOf(r.Host) + "/"})
				}
			}
		}
	}
	if f, err := r.Cookie(flashCookie); err == nil {
		p.Flash = flashText(f.Value)
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode})
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", p); err != nil {
		h.Logger.Error("render", "page", name, "error", err)
		http.Error(w, "errore di visualizzazione", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage is the data of the error page.
type errorPage struct {
	Status  int
	Message string
	Login   string // a login URL to offer, if the error is "not authenticated"
}

// fail renders err as an Italian error page with the right status; internal
// errors are logged and shown generically.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := procedo.ErrorCode(err)
	status := statusOf(code)
	if status >= 500 {
		h.Logger.Error("request failed", "error", err, "method", r.Method, "path", r.URL.Path,
			"request_id", procedo.RequestIDFromContext(r.Context()), "tenant_id", procedo.TenantIDFromContext(r.Context()))
	}
	msg := procedo.ErrorMessage(err)
	ep := &errorPage{Status: status, Message: msg}
	if code == procedo.EUNAUTHORIZED {
		if strings.HasPrefix(r.URL.Path, "/ufficio") {
			ep.Login = "/ufficio/accedi"
		} else {
			ep.Login = "/accedi?next=" + safeNext(r.URL.RequestURI())
		}
	}
	if requestFrom(r).tenant == nil && code == procedo.ENOTFOUND {
		// Without a tenant there is no layout to draw the tenant in.
		http.Error(w, msg, status)
		return
	}
	h.render(w, r, status, "error", &page{Title: titleOf(status), Data: ep})
}

func statusOf(code string) int {
	switch code {
	case procedo.EINVALID:
		return http.StatusUnprocessableEntity
	case procedo.ENOTFOUND:
		return http.StatusNotFound
	case procedo.EFORBIDDEN:
		return http.StatusForbidden
	case procedo.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case procedo.ECONFLICT:
		return http.StatusConflict
	case procedo.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case procedo.ETOOMANY:
		return http.StatusTooManyRequests
	case procedo.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func titleOf(status int) string {
	switch status {
	case http.StatusNotFound:
		return "Pagina non trovata"
	case http.StatusForbidden:
		return "Accesso non consentito"
	case http.StatusUnauthorized:
		return "Accesso richiesto"
	case http.StatusRequestEntityTooLarge:
		return "File troppo grande"
	case http.StatusTooManyRequests:
		return "Troppi tentativi"
	case http.StatusConflict:
		return "Operazione non possibile"
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		return "Richiesta non valida"
	}
	return "Errore"
}

// redirect answers a successful POST with 303 See Other, optionally leaving a
// flash message for the next page.
func (h *Handler) redirect(w http.ResponseWriter, r *http.Request, url, flash string) {
	if flash != "" {
		http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: flashCode(flash), Path: "/", HttpOnly: true,
			Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode, MaxAge: 60})
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// Flash messages travel as short codes, so a crafted cookie cannot inject text.
var flashMessages = map[string]string{
	"login":               "Accesso effettuato.",
	"logout":              "Sei uscito dall'area riservata.",
	"logout-sso":          "Sei uscito dall'area riservata e dalla tua identità digitale (SPID o CIE).",
	"logout-partial":      "Sei uscito dall'area riservata. Il gestore della tua identità digitale non ha confermato l'uscita: chiudi il browser per completarla.",
	"decided":             "Decisione registrata: il provvedimento è stato protocollato e il richiedente sarà avvisato.",
	"office-new":          "Ufficio creato.",
	"office-save":         "Ufficio aggiornato.",
	"user-new":            "Utente creato.",
	"user-save":           "Utente aggiornato.",
	"classification-new":  "Voce del titolario aggiunta.",
	"classification-save": "Voce del titolario aggiornata.",

	// Registry desk.
	"registered":      "Documento protocollato.",
	"reg-corrected":   "Correzione registrata: i valori precedenti restano nella cronologia.",
	"reg-annulled":    "Registrazione annullata: numero e dati restano consultabili.",
	"reg-reassigned":  "Documento assegnato al nuovo ufficio competente; l'assegnazione restituita resta nello storico.",
	"daily-produced":  "Registro giornaliero prodotto e protocollato.",
	"assign-accepted": "Assegnazione accettata.",
	"assign-returned": "Documento restituito al protocollo.",
}

const flashCookie = "procedo_flash"

func flashCode(msg string) string {
	for k, v := range flashMessages {
		if v == msg || k == msg {
			return k
		}
	}
	return ""
}

func flashText(code string) string { return flashMessages[code] }

// safeNext keeps only local paths for post-login redirects (no open redirect).
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

var errNotFound = procedo.Errorf(procedo.ENOTFOUND, "La pagina che cerchi non esiste.")

func isCode(err error, code string) bool { return procedo.ErrorCode(err) == code }
