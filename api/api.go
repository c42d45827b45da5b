// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package api serves procedo's JSON API v1 under /api/v1/, described by
// openapi.yaml (served as /api/v1/openapi.json). It authenticates bearer tokens,
// calls the procedo services and renders their results and errors as JSON.
// It owns no rules and no SQL: permissions and tenant scoping live in the
// services, which read the tenant and actor this package puts in the context.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/time/rate"

	"github.com/procedo/procedo"
)

// Prefix is the path every route of the API starts with; the server mounts
// Handler there.
const Prefix = "/api/v1/"

// maxBodyBytes bounds a request body (a transition carries only a reason).
const maxBodyBytes = 64 << 10

// Default per-token rate limit: a steady 20 requests per second, bursts of 40.
const (
	defaultRateLimit rate.Limit = 20
	defaultRateBurst            = 40
)

// Server is the JSON API. Set every service field before calling Handler; the
// wiring code (cmd/procedo) builds it from the store.
type Server struct {
	Users         procedo.UserService         // resolves bearer tokens
	Cases         procedo.CaseService         // cases, their events and documents
	Documents     procedo.DocumentService     // document metadata and content
	Registrations procedo.RegistrationService // the protocol register
	Procedures    procedo.ProcedureService    // the catalogue and the procedure models
	Models        procedo.ModelCodec          // parses uploaded models, exports BPMN
	Audit         procedo.AuditService        // records document downloads; nil records nothing
	Drafts        procedo.DraftService        // applications filled by integrators on behalf of applicants
	Applications  procedo.ApplicationService  // submitted applications: receipt and case status
	Logger        *slog.Logger                // receives internal errors; nil means slog.Default()

	Blobs           procedo.BlobStore             // content of uploaded files, stored before the rows that reference it
	Tenants         procedo.TenantService         // the AOO that owns the register (segnatura)
	Keys            procedo.SigningKeyService     // the tenant's key and certificate that sign the segnatura
	DailyRegisters  procedo.DailyRegisterService  // the daily registers (registro giornaliero)
	Classifications procedo.ClassificationService // the titolario: titles in the segnatura, codes kept on import
	// CaseWork is the back office's work on cases besides transitions
	// (assignment); the wiring code sets it to the same store as Cases.
	CaseWork procedo.CaseWorkService
	// CaseMessages is the correspondence with the applicant of a case and
	// CasePayments the case's pagoPA notices; nil answers 404 on their routes.
	CaseMessages procedo.CaseMessageService
	CasePayments procedo.CasePaymentService
	// CaseOpinions asks and answers opinions (pareri) on cases; nil answers
	// 404 on their routes.
	CaseOpinions procedo.CaseOpinionService
	// Payments, PaymentProvider and Renderer serve the pagoPA notices of
	// drafts: Payments records what the provider confirms (its
	// notifications), PaymentProvider takes the payer to pay (nil: no online
	// payment, 404 on checkout and notifications), Renderer prints the
	// notice PDF (nil: 404).
	Payments        procedo.PaymentService
	PaymentProvider procedo.PaymentProvider
	Renderer        procedo.Renderer
	// MaxUpload is the size limit of one uploaded file in bytes; 0 means
	// procedo.DefaultMaxUpload. A request body may hold a little more than one
	// such file, base64-encoded (maxUploadBody).
	MaxUpload int64

	// rateLimit and rateBurst override the per-token rate limit (tests).
	rateLimit rate.Limit
	rateBurst int
}

// apiHandler is a handler that returns its error for the adapter to render.
type apiHandler func(w http.ResponseWriter, r *http.Request) error

// Handler returns the http.Handler serving every route of routes.go, plus JSON
// answers for unknown paths (404) and wrong methods (405) under Prefix. Each call
// returns an independent handler with its own rate limiter. It panics if the
// embedded OpenAPI document is not valid YAML, a programmer error caught by the
// tests.
func (s *Server) Handler() http.Handler {
	if _, err := openAPIJSON(); err != nil {
		panic(err)
	}
	limit, burst := s.rateLimit, s.rateBurst
	if limit == 0 {
		limit, burst = defaultRateLimit, defaultRateBurst
	}
	lim := newTokenLimiter(limit, burst)
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		h := rt.handler
		if rt.auth {
			h = s.authenticate(lim, h)
		}
		mux.Handle(rt.pattern, s.adapt(h))
	}
	mux.Handle(Prefix, s.adapt(func(w http.ResponseWriter, r *http.Request) error {
		return fallback(mux, w, r)
	}))
	return s.withRequestID(mux)
}

// adapt turns an apiHandler into an http.Handler that renders its error.
func (s *Server) adapt(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.Error(w, r, err)
		}
	})
}

// withRequestID gives the request an id for the logs, sent back in
// X-Request-Id, when the server's middleware has not already done so.
func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if procedo.RequestIDFromContext(r.Context()) == "" {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			id := hex.EncodeToString(b)
			w.Header().Set("X-Request-Id", id)
			r = r.WithContext(procedo.NewContextWithRequestID(r.Context(), id))
		}
		next.ServeHTTP(w, r)
	})
}

// fallback answers a request no route matched: 405 with Allow when the path
// exists for other methods, 404 otherwise.
func fallback(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != Prefix {
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		return errMethodNotAllowed()
	}
	return procedo.Errorf(procedo.ENOTFOUND, "Risorsa non trovata.")
}

// authenticate requires a valid bearer token: it puts the token's tenant and
// user in the context (whatever the Host, session or cookies say) and applies
// the per-token rate limit.
func (s *Server) authenticate(lim *tokenLimiter, next apiHandler) apiHandler {
	return func(w http.ResponseWriter, r *http.Request) error {
		token, ok := bearerToken(r)
		if !ok {
			return &authError{err: procedo.Errorf(procedo.EUNAUTHORIZED, "Autenticazione richiesta: usa un token nell'intestazione Authorization: Bearer.")}
		}
		u, t, err := s.Users.FindUserByToken(r.Context(), token)
		if procedo.ErrorCode(err) == procedo.EUNAUTHORIZED {
			return &authError{err: err, invalid: true}
		} else if err != nil {
			return err
		}
		if !lim.allow(token) {
			w.Header().Set("Retry-After", "1")
			return procedo.Errorf(procedo.ETOOMANY, "Troppe richieste: riprova tra qualche secondo.")
		}
		ctx := procedo.NewContextWithTenant(r.Context(), t)
		ctx = procedo.NewContextWithActor(ctx, &procedo.Actor{Kind: procedo.ActorUser, User: u})
		return next(w, r.WithContext(ctx))
	}
}

// bearerToken returns the token of an "Authorization: Bearer …" header.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// writeJSON renders v with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	// Answers hold personal data and change with every action: never cache them.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// A write error means the client has gone: nothing useful can be told to it.
	_, _ = w.Write(append(b, '\n'))
	return nil
}

// decodeJSON reads a JSON object of at most maxBodyBytes into v, rejecting
// unknown fields and trailing data. An empty body leaves v unchanged.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body := http.MaxBytesReader(w, r.Body, maxBodyBytes)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err == nil {
		if _, err = dec.Token(); errors.Is(err, io.EOF) {
			return nil
		} else if err == nil {
			err = errors.New("trailing data after the JSON object")
		}
	}
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &procedo.Error{Code: procedo.ETOOLARGE, Message: "Il corpo della richiesta è troppo grande (massimo 64 KB).", Err: err}
	}
	return newBadRequest(err)
}

// pagination is the page of a list request.
type pagination struct {
	Page, PerPage int
}

// Offset returns the number of items before the page.
func (p pagination) Offset() int { return (p.Page - 1) * p.PerPage }

// Limits of list requests.
const (
	defaultPerPage = 50
	maxPerPage     = 500
	maxPage        = 1_000_000
)

// parsePagination reads page and per_page, recording problems in fe.
func parsePagination(r *http.Request, fe procedo.FieldErrors) pagination {
	p := pagination{Page: 1, PerPage: defaultPerPage}
	if n, ok := queryInt(r, "page", fe, "La pagina deve essere un numero da 1 in su."); ok {
		if n < 1 || n > maxPage {
			fe.Add("page", "La pagina deve essere un numero da 1 in su.")
		} else {
			p.Page = n
		}
	}
	if n, ok := queryInt(r, "per_page", fe, "per_page deve essere un numero da 1 a 500."); ok {
		if n < 1 || n > maxPerPage {
			fe.Add("per_page", "per_page deve essere un numero da 1 a 500.")
		} else {
			p.PerPage = n
		}
	}
	return p
}

// queryInt parses query parameter name; ok is false when it is absent or bad
// (then msg is recorded in fe).
func queryInt(r *http.Request, name string, fe procedo.FieldErrors, msg string) (int, bool) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		fe.Add(name, msg)
		return 0, false
	}
	return n, true
}

// pathID parses the path value name as a positive id; anything else is a
// resource that does not exist.
func pathID(r *http.Request, name, notFound string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, procedo.Errorf(procedo.ENOTFOUND, "%s", notFound)
	}
	return id, nil
}

// listJSON is the envelope of every list answer.
type listJSON[T any] struct {
	Items   []T `json:"items"`
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

// newList builds the envelope, with an empty (not null) items array.
func newList[T any](items []T, total int, p pagination) listJSON[T] {
	if items == nil {
		items = []T{}
	}
	return listJSON[T]{Items: items, Total: total, Page: p.Page, PerPage: p.PerPage}
}

// requestAttrs returns the log attributes of r's identity.
func requestAttrs(ctx context.Context, r *http.Request) []any {
	attrs := []any{
		slog.String("request_id", procedo.RequestIDFromContext(ctx)),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
	}
	if tid := procedo.TenantIDFromContext(ctx); tid != 0 {
		attrs = append(attrs, slog.Int64("tenant_id", tid))
	}
	if u := procedo.UserFromContext(ctx); u != nil {
		attrs = append(attrs, slog.Int64("user_id", u.ID))
	}
	return attrs
}
