// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package identity_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"html"
	"io"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procedo/procedo"
)

// rp serves one identity provider the way package web does, without the
// session: GET /accedi/p starts a login with a fresh state; the callback (GET
// for OIDC, POST for SAML) completes it and answers with the outcome as JSON.
type rp struct {
	srv *httptest.Server
	mu  sync.Mutex
	p   procedo.IdentityProvider
}

// outcome is what the rp answers at the end of a login.
type outcome struct {
	Status  int
	Citizen *procedo.Citizen
	State   string
	Code    string // procedo error code
	Message string // user-safe message
	Cause   string // full error, for test failures
	Logout  string // what single logout needs, from CallbackSession
}

func newRP(t *testing.T) *rp {
	h := &rp{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /accedi/p", func(w http.ResponseWriter, r *http.Request) {
		if err := h.provider().Start(w, r, randomState()); err != nil {
			writeOutcome(w, nil, "", err)
		}
	})
	complete := func(w http.ResponseWriter, r *http.Request) {
		if slo, ok := h.provider().(procedo.SingleLogoutProvider); ok {
			c, state, logout, err := slo.CallbackSession(r)
			writeOutcomeLogout(w, c, state, logout, err)
			return
		}
		c, state, err := h.provider().Callback(r)
		writeOutcome(w, c, state, err)
	}
	// Single logout: /accedi/p/esci?logout=…&state=… starts it (a real RP
	// takes both from the session and a cookie), the provider comes back to
	// /accedi/p/uscita.
	mux.HandleFunc("GET /accedi/p/esci", func(w http.ResponseWriter, r *http.Request) {
		slo := h.provider().(procedo.SingleLogoutProvider)
		if err := slo.Logout(w, r, r.URL.Query().Get("logout"), r.URL.Query().Get("state")); err != nil {
			writeOutcome(w, nil, "", err)
		}
	})
	logoutReturn := func(w http.ResponseWriter, r *http.Request) {
		state, err := h.provider().(procedo.SingleLogoutProvider).LogoutReturn(w, r)
		writeOutcome(w, nil, state, err)
	}
	mux.HandleFunc("GET /accedi/p/uscita", logoutReturn)
	mux.HandleFunc("POST /accedi/p/uscita", logoutReturn)
	mux.HandleFunc("GET /.well-known/openid-federation", func(w http.ResponseWriter, r *http.Request) {
		ec, ok := h.provider().(interface {
			EntityConfiguration() (string, []byte, error)
		})
		if !ok {
			http.NotFound(w, r)
			return
		}
		ct, body, err := ec.EntityConfiguration()
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", ct)
		_, _ = w.Write(body)
	})
	mux.HandleFunc("GET /accedi/p/callback", complete)
	mux.HandleFunc("POST /accedi/p/acs", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		complete(w, r)
	})
	mux.HandleFunc("GET /accedi/p/metadata", func(w http.ResponseWriter, r *http.Request) {
		m, ok := h.provider().(interface {
			Metadata() (string, []byte, error)
		})
		if !ok {
			http.NotFound(w, r)
			return
		}
		ct, body, err := m.Metadata()
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", ct)
		_, _ = w.Write(body)
	})
	h.srv = httptest.NewServer(mux)
	t.Cleanup(h.srv.Close)
	return h
}

func (h *rp) provider() procedo.IdentityProvider {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.p
}

func (h *rp) set(p procedo.IdentityProvider) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.p = p
}

// url returns the rp's URL for path.
func (h *rp) url(path string) string { return h.srv.URL + path }

func writeOutcome(w http.ResponseWriter, c *procedo.Citizen, state string, err error) {
	writeOutcomeLogout(w, c, state, "", err)
}

func writeOutcomeLogout(w http.ResponseWriter, c *procedo.Citizen, state, logout string, err error) {
	o := outcome{Status: http.StatusOK, Citizen: c, State: state, Logout: logout}
	if err != nil {
		o.Code, o.Message, o.Cause = procedo.ErrorCode(err), procedo.ErrorMessage(err), err.Error()
		o.Status = map[string]int{procedo.EFORBIDDEN: 403, procedo.EUNAUTHORIZED: 401, procedo.EUNAVAILABLE: 503, procedo.EINVALID: 422}[o.Code]
		if o.Status == 0 {
			o.Status = 500
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(o.Status)
	_ = json.NewEncoder(w).Encode(o)
}

func randomState() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// browser is an HTTP client with a cookie jar that follows redirects except
// to a URL starting with stopAt, so that a test can look at (or tamper with)
// what the identity provider sends back before the relying party sees it.
type browser struct {
	t      *testing.T
	c      *http.Client
	stopAt string
}

func newBrowser(t *testing.T, stopAt string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, stopAt: stopAt}
	b.c = &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if b.stopAt != "" && strings.HasPrefix(req.URL.String(), b.stopAt) {
			return http.ErrUseLastResponse
		}
		if len(via) > 10 {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return b
}

// do sends req and returns the response with its body read.
func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp, string(body)
}

func (b *browser) get(u string) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// outcome reads the rp's JSON answer.
func (b *browser) outcome(resp *http.Response, body string) outcome {
	b.t.Helper()
	var o outcome
	if err := json.Unmarshal([]byte(body), &o); err != nil {
		b.t.Fatalf("rp answered %s: %q", resp.Status, body)
	}
	return o
}

var (
	formRE  = regexp.MustCompile(`(?is)<form[^>]*action="([^"]*)"`)
	inputRE = regexp.MustCompile(`(?is)<input[^>]*name="([^"]*)"[^>]*value="([^"]*)"`)
)

// parseForm returns the action and the named inputs of the first form of page.
func parseForm(t *testing.T, page string) (string, url.Values) {
	t.Helper()
	m := formRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form in %q", page)
	}
	vals := url.Values{}
	for _, in := range inputRE.FindAllStringSubmatch(page, -1) {
		vals.Set(html.UnescapeString(in[1]), html.UnescapeString(in[2]))
	}
	return html.UnescapeString(m[1]), vals
}

// wantRefused checks that a login failed with code.
func wantRefused(t *testing.T, o outcome, code string) {
	t.Helper()
	t.Logf("refused: %s", o.Cause)
	if o.Code != code || o.Citizen != nil {
		t.Fatalf("want %s, got %+v", code, o)
	}
	if o.Message == "" || strings.Contains(o.Message, "oidc") || strings.Contains(o.Message, "saml") {
		t.Fatalf("message not for citizens: %q", o.Message)
	}
}

// keyPair is an RSA key with a self-signed certificate.
type keyPair struct {
	key     *rsa.PrivateKey
	cert    *x509.Certificate
	keyPEM  string
	certPEM string
}

var (
	keyOnce sync.Once
	keys    []*keyPair
)

// testKey returns the i-th of a few RSA keys made once per test binary
// (2048-bit keys take a while to make).
func testKey(t *testing.T, i int) *keyPair {
	t.Helper()
	keyOnce.Do(func() {
		for n := 0; n < 4; n++ {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(n + 1)), Subject: pkix.Name{CommonName: "procedo test " + string(rune('A'+n))},
				NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
			if err != nil {
				panic(err)
			}
			cert, _ := x509.ParseCertificate(der)
			keys = append(keys, &keyPair{key: k, cert: cert,
				keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})),
				certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))})
		}
	})
	return keys[i]
}

// localhost rewrites a test server's 127.0.0.1 URL to localhost, so that
// the identity provider and the relying party are different sites with
// different cookies, as in real life.
func localhost(u string) string { return strings.Replace(u, "127.0.0.1", "localhost", 1) }
