// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo/mail/mailtest"
	"github.com/procedo/procedo/testkit"
)

// testServer runs the real procedo demo (Main) on a free port with its own
// database (SQLite, or PostgreSQL with PROCEDO_TEST_DB) and an in-process SMTP server.
type testServer struct {
	URL  string
	Env  map[string]string
	SMTP *mailtest.Server
	main *Main
}

// startDemo runs `procedo demo` with args added; without args, with
// --sample-cases=false, so that a test starts from empty worklists.
func startDemo(t *testing.T, args ...string) *testServer {
	t.Helper()
	if len(args) == 0 {
		args = []string{"--sample-cases=false"}
	}
	smtp := mailtest.NewServer(t)
	dir := t.TempDir()
	env := map[string]string{
		"PROCEDO_DB":         testkit.NewDSN(t),
		"PROCEDO_BLOBS":      "file:" + filepath.Join(dir, "blobs"),
		"PROCEDO_SMTP_URL":   smtp.URL(),
		"PROCEDO_LOG_LEVEL":  "warn",
		"PROCEDO_MAIL_FROM":  "protocollo@procedo-alto.example.it",
		"PROCEDO_LOG_FORMAT": "text",
	}
	ready := make(chan string, 1)
	var stderr bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr, Getenv: func(k string) string { return env[k] },
		Ready: func(addr string) { ready <- addr }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, append([]string{"demo", "--addr", "127.0.0.1:0", "--data", dir}, args...)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	select {
	case addr := <-ready:
		return &testServer{URL: "http://" + addr, Env: env, SMTP: smtp, main: m}
	case err := <-done:
		t.Fatalf("server did not start: %v\n%s", err, stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start in time\n%s", stderr.String())
	}
	return nil
}

// cli runs a procedo command against the test server's database.
func (s *testServer) cli(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return s.Env[k] }}
	err := m.Run(context.Background(), args)
	if err != nil {
		return out.String() + errb.String(), err
	}
	return out.String(), nil
}

// browser is an HTTP client with its own cookies and a fixed Host.
type browser struct {
	t    *testing.T
	base string
	host string
	c    *http.Client
}

func newBrowser(t *testing.T, base, host string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, host: host, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type resp struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (b *browser) do(req *http.Request) resp {
	b.t.Helper()
	if b.host != "" {
		req.Host = b.host
	}
	r, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	return resp{Status: r.StatusCode, Body: string(body), Location: r.Header.Get("Location"), Header: r.Header}
}

func (b *browser) get(path string) resp {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) resp {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) postMultipart(path string, fields map[string]string, fileField, fileName string, content []byte) resp {
	b.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if fileField != "" {
		fw, _ := w.CreateFormFile(fileField, fileName)
		_, _ = fw.Write(content)
	}
	w.Close()
	req, _ := http.NewRequest("POST", b.base+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfOf(t *testing.T, html string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no CSRF token in page:\n%.2000s", html)
	}
	return m[1]
}

func want(t *testing.T, r resp, status int, contains ...string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body:\n%.3000s", r.Status, status, r.Body)
	}
	for _, c := range contains {
		if !strings.Contains(r.Body, c) {
			t.Fatalf("body does not contain %q:\n%.3000s", c, r.Body)
		}
	}
}

// loginCitizen logs in through the DEMO identity provider.
func loginCitizen(t *testing.T, b *browser, given, family, cf, email, next string) resp {
	t.Helper()
	r := b.get("/accedi/demo?next=" + url.QueryEscape(next))
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/accedi/demo/modulo?state=") {
		t.Fatalf("start: %d %s", r.Status, r.Location)
	}
	state := strings.TrimPrefix(r.Location, "/accedi/demo/modulo?state=")
	form := b.get(r.Location)
	want(t, form, 200, "Accesso DEMO")
	return b.post("/accedi/demo/callback", url.Values{"csrf_token": {csrfOf(t, form.Body)}, "state": {state},
		"given_name": {given}, "family_name": {family}, "fiscal_code": {cf}, "email": {email}})
}

func loginOperator(t *testing.T, b *browser, username string) {
	t.Helper()
	page := b.get("/ufficio/accedi")
	want(t, page, 200, "Accesso operatori")
	r := b.post("/ufficio/accedi", url.Values{"csrf_token": {csrfOf(t, page.Body)}, "username": {username}, "password": {DemoPassword}})
	if r.Status != http.StatusSeeOther || r.Location != "/ufficio" {
		t.Fatalf("operator login: %d %s\n%.2000s", r.Status, r.Location, r.Body)
	}
}

var pdfContent = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// applicationFields are the values of the second section of the
// accesso-documentale form (step "sezione-2").
func applicationFields(csrf string) url.Values {
	return url.Values{"csrf_token": {csrf}, "azione": {"avanti"},
		"oggetto": {"Permesso di costruire n. 12/2024 e relativi allegati"}, "motivazione": {"Sono il proprietario confinante."},
		"modalita": {"copia-semplice"}, "consegna": {"email"}}
}

// wantStep checks a 303 to step key of draft.
func wantStep(t *testing.T, r resp, draft, key string) {
	t.Helper()
	if r.Status != http.StatusSeeOther || r.Location != draft+"/"+key {
		t.Fatalf("%d %q, want 303 to %s/%s\n%.3000s", r.Status, r.Location, draft, key, r.Body)
	}
}

// TestEndToEnd drives the whole flow of issue 2 over HTTP against the real
// server: a citizen applies, an operator decides, the citizen sees the decision.
func TestEndToEnd(t *testing.T) {
	s := startDemo(t)
	citizen := newBrowser(t, s.URL, "")

	// 1. The front office lists the services of the demo Comune.
	home := citizen.get("/")
	want(t, home, 200, "Comune di Procedo Alto", "Richiesta di accesso ai documenti amministrativi", "bootstrap-italia.min.css", "Comune di Valle Demo")
	css := citizen.get("/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css")
	if css.Status != 200 || len(css.Body) < 10000 {
		t.Fatalf("Bootstrap Italia not embedded: %d, %d bytes (run make assets)", css.Status, len(css.Body))
	}

	// 2. The form needs a login; a wrong codice fiscale is refused with a clear message.
	r := citizen.get("/servizi/accesso-documentale/domanda")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/accedi") {
		t.Fatalf("form without login: %d %s", r.Status, r.Location)
	}
	r = loginCitizen(t, citizen, "Mario", "Rossi", "RSSMRA80A01H501X", "", "/servizi/accesso-documentale/domanda")
	want(t, r, http.StatusUnprocessableEntity, "carattere di controllo")
	r = loginCitizen(t, citizen, "Mario", "Rossi", "rssmra80a01h501u", "mario.rossi@example.it", "/servizi/accesso-documentale/domanda")
	if r.Status != http.StatusSeeOther || r.Location != "/servizi/accesso-documentale/domanda" {
		t.Fatalf("login: %d %s\n%s", r.Status, r.Location, r.Body)
	}

	// The application in steps (Modello Comuni): privacy notice, applicant,
	// the form's sections, attachments, summary.
	form := citizen.get("/servizi/accesso-documentale/domanda")
	want(t, form, 200, "Informativa sul trattamento dei dati personali", "Passo 1 di 6")
	csrf := csrfOf(t, form.Body)
	r = citizen.post("/servizi/accesso-documentale/domanda", url.Values{"csrf_token": {csrf}})
	want(t, r, http.StatusUnprocessableEntity, "Il modulo contiene errori", "informativa")
	r = citizen.post("/servizi/accesso-documentale/domanda", url.Values{"csrf_token": {"token-scaduto"}, "privacy": {"accetto"}})
	want(t, r, http.StatusForbidden, "Il modulo è scaduto")
	r = citizen.post("/servizi/accesso-documentale/domanda", url.Values{"csrf_token": {csrf}, "privacy": {"accetto"}})
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "/richiedente") {
		t.Fatalf("start: %d %s\n%.2000s", r.Status, r.Location, r.Body)
	}
	draft := strings.TrimSuffix(r.Location, "/richiedente")
	want(t, citizen.get(r.Location), 200, "RSSMRA80A01H501U", `value="mario.rossi@example.it"`)
	wantStep(t, citizen.post(draft+"/richiedente", url.Values{"csrf_token": {csrf}, "azione": {"avanti"},
		"applicant.email": {"mario.rossi@example.it"}, "applicant.for_company": {"no"}}), draft, "sezione-1")
	wantStep(t, citizen.post(draft+"/sezione-1", url.Values{"csrf_token": {csrf}, "azione": {"avanti"},
		"email": {"mario.rossi@example.it"}, "telefono": {"+39 333 1234567"}}), draft, "sezione-2")

	// Bad input changes nothing: missing fields, a stale CSRF token, an oversized file, a fake PDF.
	bad := applicationFields(csrf)
	bad.Del("oggetto")
	bad.Set("modalita", "volare")
	r = citizen.post(draft+"/sezione-2", bad)
	want(t, r, http.StatusUnprocessableEntity, "Il modulo contiene errori", "Questo campo è obbligatorio", "Scegli una delle opzioni")
	r = citizen.post(draft+"/sezione-2", applicationFields("token-scaduto"))
	want(t, r, http.StatusForbidden, "Il modulo è scaduto")
	wantStep(t, citizen.post(draft+"/sezione-2", applicationFields(csrf)), draft, "allegati")
	next := map[string]string{"csrf_token": csrf, "azione": "avanti"}
	r = citizen.postMultipart(draft+"/allegati", next, "documentazione", "enorme.pdf",
		append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 21<<20)...))
	want(t, r, http.StatusRequestEntityTooLarge, "troppo grande", "20 MB")
	r = citizen.postMultipart(draft+"/allegati", next, "documentazione", "finto.pdf", []byte("MZ\x90\x00 not a pdf"))
	want(t, r, http.StatusUnprocessableEntity, "non corrisponde a un formato ammesso")
	if n := countCases(t, s); n != 0 {
		t.Fatalf("bad input created %d cases", n)
	}

	// The good submission: the summary, then the receipt at once.
	wantStep(t, citizen.postMultipart(draft+"/allegati", next, "documentazione", "delega.pdf", pdfContent), draft, "riepilogo")
	want(t, citizen.get(draft+"/riepilogo"), 200, "Passo 6 di 6", "Permesso di costruire n. 12/2024", "delega.pdf", "Invia la domanda")
	r = citizen.post(draft+"/invia", url.Values{"csrf_token": {csrf}})
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "/ricevuta") {
		t.Fatalf("submit: %d %s\n%.3000s", r.Status, r.Location, r.Body)
	}
	caseURL := strings.TrimSuffix(r.Location, "/ricevuta")
	year := time.Now().Year()
	receipt := citizen.get(r.Location)
	want(t, receipt, 200, fmt.Sprintf("0000001/%d", year), "Ufficio Segreteria e Affari generali", "Dott.ssa Anna Bianchi",
		"30 giorni", "Scadenza")
	rpdf := citizen.get(r.Location + ".pdf")
	if rpdf.Status != 200 || !strings.HasPrefix(rpdf.Body, "%PDF-") || rpdf.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("receipt PDF: %d %q", rpdf.Status, rpdf.Body[:min(20, len(rpdf.Body))])
	}
	msgs := s.SMTP.WaitFor(t, 1, 30*time.Second)
	if m := msgs[0]; m.To[0] != "mario.rossi@example.it" || !strings.Contains(m.Subject, fmt.Sprintf("0000001/%d", year)) ||
		len(m.Attachments) != 1 || !bytes.HasPrefix(m.Attachments[0].Content, []byte("%PDF-")) {
		t.Fatalf("receipt e-mail: %+v", m)
	}

	// 3. The operator of the office sees the case and rejects it with a reason.
	op := newBrowser(t, s.URL, "")
	loginOperator(t, op, "operatore")
	caseID := strings.TrimPrefix(caseURL, "/pratiche/")
	wl := op.get("/ufficio")
	want(t, wl, 200, "/ufficio/pratiche/"+caseID, "Mario Rossi")
	cv := op.get("/ufficio/pratiche/" + caseID)
	want(t, cv, 200, "Permesso di costruire n. 12/2024", "delega.pdf", sha256hex(pdfContent), fmt.Sprintf("0000001/%d", year), "Respingi", "Accogli")
	csrfOp := csrfOf(t, cv.Body)
	r = op.post("/ufficio/pratiche/"+caseID+"/azioni/reject", url.Values{"csrf_token": {csrfOp}, "reason": {""}})
	want(t, r, http.StatusUnprocessableEntity, "Indica la motivazione")
	r = op.post("/ufficio/pratiche/"+caseID+"/azioni/reject", url.Values{"csrf_token": {"vecchio"}, "reason": {"x"}})
	want(t, r, http.StatusForbidden)
	r = op.post("/ufficio/pratiche/"+caseID+"/azioni/reject", url.Values{"csrf_token": {csrfOp},
		"reason": {"I documenti richiesti sono già pubblicati sul sito istituzionale."}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("reject: %d\n%.2000s", r.Status, r.Body)
	}
	cv = op.get("/ufficio/pratiche/" + caseID)
	want(t, cv, 200, "Respinta", fmt.Sprintf("0000002/%d", year))
	msgs = s.SMTP.WaitFor(t, 2, 30*time.Second)
	if m := msgs[1]; !strings.Contains(m.Subject, "Respinta") || len(m.Attachments) != 1 {
		t.Fatalf("decision e-mail: %+v", m)
	}

	// 4. The citizen sees the outcome and downloads the decision.
	mine := citizen.get("/pratiche")
	want(t, mine, 200, caseURL, "Respinta")
	view := citizen.get(caseURL)
	want(t, view, 200, "Respinta", "già pubblicati sul sito", "Domanda presentata e protocollata")
	m := regexp.MustCompile(`href="(/documenti/\d+)">Scarica il provvedimento`).FindStringSubmatch(view.Body)
	if m == nil {
		t.Fatalf("no decision link:\n%s", view.Body)
	}
	dec := citizen.get(m[1])
	if dec.Status != 200 || !strings.HasPrefix(dec.Body, "%PDF-") {
		t.Fatalf("decision download: %d", dec.Status)
	}
	// Another citizen cannot read it.
	other := newBrowser(t, s.URL, "")
	loginCitizen(t, other, "Lucia", "Verdi", "VRDLCU85T45F205S", "", "/")
	want(t, other.get(m[1]), http.StatusNotFound)
	want(t, other.get(caseURL), http.StatusNotFound)

	// 5. Host administrator commands, and 6. the operator API with a token.
	out, err := s.cli(t, "", "token", "create", "--tenant", "procedo-alto", "--user", "operatore")
	if err != nil || strings.Count(out, "\n") != 1 {
		t.Fatalf("token create: %q %v", out, err)
	}
	token := strings.TrimSpace(out)
	api := apiGet(t, s.URL+"/api/v1/cases/"+caseID, token)
	if api.Status != 200 || !strings.Contains(api.Body, `"status":"rejected"`) {
		t.Fatalf("api case: %d %s", api.Status, api.Body)
	}
	want(t, apiGet(t, s.URL+"/api/v1/openapi.json", ""), 200, `"openapi"`)

	// Tenant isolation on web and API: Comune di Valle Demo cannot see Procedo Alto's case.
	valle := newBrowser(t, s.URL, "valle-demo.localhost")
	want(t, valle.get("/"), 200, "Comune di Valle Demo")
	loginOperator(t, valle, "operatore")
	want(t, valle.get("/ufficio/pratiche/"+caseID), http.StatusNotFound)
	want(t, valle.get(m[1]), http.StatusNotFound)
	want(t, valle.get("/pratiche/"+caseID+"/ricevuta.pdf"), http.StatusNotFound)
	out, err = s.cli(t, "", "token", "create", "--tenant", "valle-demo", "--user", "operatore")
	if err != nil {
		t.Fatal(err)
	}
	valleToken := strings.TrimSpace(out)
	want(t, apiGet(t, s.URL+"/api/v1/cases/"+caseID, valleToken), http.StatusNotFound)
	want(t, apiGet(t, s.URL+fmt.Sprintf("/api/v1/registrations/%d/1", year), valleToken), http.StatusNotFound)
	docID := strings.TrimPrefix(m[1], "/documenti/")
	want(t, apiGet(t, s.URL+"/api/v1/documents/"+docID, valleToken), http.StatusNotFound)
}

func apiGet(t *testing.T, u, token string) resp {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return resp{Status: r.StatusCode, Body: string(b)}
}

func countCases(t *testing.T, s *testServer) int {
	t.Helper()
	out, err := s.cli(t, "", "token", "create", "--tenant", "procedo-alto", "--user", "dirigente")
	if err != nil {
		t.Fatal(err)
	}
	r := apiGet(t, s.URL+"/api/v1/cases", strings.TrimSpace(out))
	var v struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("api cases: %d %s", r.Status, r.Body)
	}
	return v.Total
}
