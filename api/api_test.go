// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"golang.org/x/time/rate"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/api"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// fixture is an API served over a real store holding Comuni A and B, with a
// token for every fixture user and three applications in A and one in B.
type fixture struct {
	env     *testkit.Env
	server  *api.Server
	handler http.Handler
	logs    *syncBuffer
	tokens  map[string]string // "A.operator" → token
	// Cases of Comune A: Read stays submitted, Accept and Reject are for the
	// decision scenarios; B is Comune B's own application.
	Read, Accept, Reject, B *procedo.Receipt
}

// roles names the fixture users, as used in token keys.
var roles = []string{"admin", "operator", "manager", "registry"}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := testkit.NewEnv(t)
	logs := &syncBuffer{}
	srv := &api.Server{
		Users:         sqlstore.NewUserService(env.DB),
		Cases:         sqlstore.NewCaseService(env.DB),
		Documents:     sqlstore.NewDocumentService(env.DB),
		Registrations: sqlstore.NewRegistrationService(env.DB),
		Procedures:    sqlstore.NewProcedureService(env.DB),
		Audit:         sqlstore.NewAuditService(env.DB),
		Logger:        slog.New(slog.NewJSONHandler(logs, nil)),
	}
	// Scenario tables fire many requests per token at once; the limit itself
	// is tested in TestServer_RateLimit.
	srv.CaseWork = srv.Cases.(*sqlstore.CaseService)
	srv.CaseMessages, srv.CasePayments = srv.Cases.(*sqlstore.CaseService), sqlstore.NewPaymentService(env.DB)
	srv.SetRateLimit(rate.Inf, 1)
	f := &fixture{env: env, server: srv, handler: srv.Handler(), logs: logs, tokens: map[string]string{}}
	users := sqlstore.NewUserService(env.DB)
	for name, c := range map[string]*testkit.Comune{"A": env.A, "B": env.B} {
		for i, u := range []*procedo.User{c.Admin, c.Operator, c.Manager, c.Registry} {
			tok, err := users.CreateToken(c.AsUser(c.Admin), u.ID, "test")
			if err != nil {
				t.Fatal(err)
			}
			f.tokens[name+"."+roles[i]] = tok
		}
	}
	f.Read = testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	f.Accept = testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	f.Reject = testkit.MustSubmit(t, env.DB, env.A, testkit.Lucia)
	f.B = testkit.MustSubmit(t, env.DB, env.B, testkit.Lucia)
	return f
}

// do sends one request. token is a key of f.tokens, "" for none, or
// "raw:VALUE" to send VALUE as the Authorization header.
func (f *fixture) do(t *testing.T, method, url, body, token string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, url, rd)
	req.Host = "a.test" // the token's tenant wins over the host in every scenario
	switch {
	case strings.HasPrefix(token, "raw:"):
		req.Header.Set("Authorization", strings.TrimPrefix(token, "raw:"))
	case token != "":
		tok, ok := f.tokens[token]
		if !ok {
			t.Fatalf("no token %q", token)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec
}

// scenario is one request and what its answer must (not) contain.
type scenario struct {
	name    string
	method  string
	url     string
	body    string
	token   string            // see fixture.do
	header  map[string]string // request headers
	status  int
	want    []string          // substrings of the body
	notWant []string          // strings the body must not contain
	headers map[string]string // response header → substring of its value
}

// run runs scenarios in order (some change state for the next ones).
func (f *fixture) run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			method := sc.method
			if method == "" {
				method = http.MethodGet
			}
			rec := f.do(t, method, sc.url, sc.body, sc.token, sc.header)
			body := rec.Body.String()
			if len(body) > 3000 {
				body = body[:3000] + "…"
			}
			if rec.Code != sc.status {
				t.Fatalf("%s %s: status %d, want %d\n%s", method, sc.url, rec.Code, sc.status, body)
			}
			for _, w := range sc.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("body lacks %q:\n%s", w, body)
				}
			}
			for _, w := range sc.notWant {
				if strings.Contains(rec.Body.String(), w) {
					t.Errorf("body contains %q:\n%s", w, body)
				}
			}
			for k, w := range sc.headers {
				if got := rec.Header().Get(k); !strings.Contains(got, w) {
					t.Errorf("header %s = %q, want it to contain %q", k, got, w)
				}
			}
			if ct := rec.Header().Get("Content-Type"); rec.Code >= 400 && !strings.HasPrefix(ct, "application/json") {
				t.Errorf("error with Content-Type %q", ct)
			}
			if rec.Code >= 400 {
				var e api.ErrorJSON
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == "" || e.Message == "" {
					t.Errorf("error body is not {code, message}: %v\n%s", err, body)
				}
			}
		})
	}
}

// decode parses a JSON answer into v.
func decode(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServer_AuthAndRouting(t *testing.T) {
	f := newFixture(t)
	f.run(t, []scenario{
		{name: "NoToken", url: "/api/v1/cases", status: 401,
			want: []string{`"code":"unauthorized"`}, headers: map[string]string{"WWW-Authenticate": `Bearer realm="procedo"`}},
		{name: "BadToken", url: "/api/v1/cases", token: "raw:Bearer pdo_not-a-real-token", status: 401,
			want: []string{`"code":"unauthorized"`}, headers: map[string]string{"WWW-Authenticate": `error="invalid_token"`}},
		{name: "GarbageToken", url: "/api/v1/cases", token: "raw:Bearer x", status: 401, want: []string{`"code":"unauthorized"`}},
		{name: "EmptyBearer", url: "/api/v1/cases", token: "raw:Bearer ", status: 401},
		{name: "BasicAuthRefused", url: "/api/v1/cases", token: "raw:Basic YWRtaW46cGFzc3dvcmQ=", status: 401,
			headers: map[string]string{"WWW-Authenticate": "Bearer"}},
		{name: "CookieNotAccepted", url: "/api/v1/cases", header: map[string]string{"Cookie": "procedo_session=abc"}, status: 401},
		{name: "NoTokenOnTransition", method: "POST", url: "/api/v1/cases/1/transitions/accept", status: 401},
		{name: "LowercaseScheme", url: "/api/v1/procedures", token: "raw:bearer " + f.tokens["A.operator"], status: 200},
		{name: "OpenAPIWithoutToken", url: "/api/v1/openapi.json", status: 200, want: []string{`"openapi": "3.1.0"`},
			headers: map[string]string{"Content-Type": "application/json"}},
		{name: "UnknownRoute", url: "/api/v1/nope", status: 404, want: []string{`"code":"not_found"`}},
		{name: "UnknownRouteWithToken", url: "/api/v1/cases/1/nope", token: "A.operator", status: 404, want: []string{`"code":"not_found"`}},
		{name: "TrailingSlash", url: "/api/v1/cases/", token: "A.operator", status: 404},
		{name: "WrongMethodOnList", method: "POST", url: "/api/v1/cases", token: "A.operator", status: 405,
			want: []string{`"code":"method_not_allowed"`}, headers: map[string]string{"Allow": "GET"}},
		{name: "WrongMethodOnCase", method: "DELETE", url: "/api/v1/cases/1", status: 405,
			want: []string{`"code":"method_not_allowed"`}, headers: map[string]string{"Allow": "GET, HEAD"}},
		{name: "WrongMethodOnTransition", url: "/api/v1/cases/1/transitions/accept", token: "A.operator", status: 405,
			headers: map[string]string{"Allow": "POST"}},
		{name: "JSONHeaders", url: "/api/v1/procedures", token: "A.operator", status: 200,
			headers: map[string]string{"Content-Type": "application/json", "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}},
	})
}

func TestServer_RequestID(t *testing.T) {
	h := (&api.Server{}).Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/nope", nil))
	if len(rec.Header().Get("X-Request-Id")) != 16 {
		t.Fatalf("X-Request-Id %q", rec.Header().Get("X-Request-Id"))
	}
	// An id set by the server's middleware is kept (and not sent again).
	rec = httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v1/nope", nil)
	h.ServeHTTP(rec, req.WithContext(procedo.NewContextWithRequestID(req.Context(), "mw-1")))
	if got := rec.Header().Get("X-Request-Id"); got != "" {
		t.Fatalf("X-Request-Id %q", got)
	}
}

func TestServer_RateLimit(t *testing.T) {
	f := newFixture(t)
	f.server.SetRateLimit(rate.Every(1e12), 3) // 3 requests, then (practically) none
	f.handler = f.server.Handler()
	for i := range 3 {
		if rec := f.do(t, "GET", "/api/v1/procedures", "", "A.operator", nil); rec.Code != 200 {
			t.Fatalf("request %d: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	rec := f.do(t, "GET", "/api/v1/procedures", "", "A.operator", nil)
	if rec.Code != 429 || !strings.Contains(rec.Body.String(), `"code":"too_many"`) || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("4th request: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	// The limit is per token: another token of the same user still passes.
	if rec := f.do(t, "GET", "/api/v1/procedures", "", "A.manager", nil); rec.Code != 200 {
		t.Fatalf("other token: %d %s", rec.Code, rec.Body)
	}
	// An invalid token is refused as such, and does not consume anyone's quota.
	if rec := f.do(t, "GET", "/api/v1/procedures", "", "raw:Bearer pdo_unknown", nil); rec.Code != 401 {
		t.Fatalf("bad token: %d", rec.Code)
	}
}

// TestServer_InternalError checks that an internal error is answered with a
// generic message and logged with the request id, never shown.
func TestServer_InternalError(t *testing.T) {
	f := newFixture(t)
	if err := f.env.DB.Close(); err != nil { // the database goes away
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api/v1/cases", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens["A.operator"])
	req = req.WithContext(procedo.NewContextWithRequestID(req.Context(), "req-42"))
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	if rec.Code != 500 {
		t.Fatalf("status %d %s", rec.Code, rec.Body)
	}
	var e api.ErrorJSON
	decode(t, rec, &e)
	if e.Code != procedo.EINTERNAL || e.Message != procedo.ErrorMessage(io.EOF) || strings.Contains(rec.Body.String(), "closed") {
		t.Fatalf("body %s", rec.Body)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, `"request_id":"req-42"`) || !strings.Contains(logs, "closed") || !strings.Contains(logs, `"level":"ERROR"`) {
		t.Fatalf("logs %s", logs)
	}
}
