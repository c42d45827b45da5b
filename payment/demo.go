// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package payment holds the payment providers behind procedo.PaymentProvider:
// the DEMO provider now; a pagoPA intermediary plugs in beside it. Providers
// must not store payments: the caller records what a provider confirms with
// procedo.CompletePayment (Confirm, then PaymentService.MarkPaid). It must not
// import other adapters.
package payment

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/procedo/procedo"
)

// DemoMark heads the DEMO payment page.
const DemoMark = "DEMO – pagamento simulato"

// demoTokenTTL bounds how long the DEMO page and its outcome stay valid.
const demoTokenTTL = time.Hour

// Demo stands in for the pagoPA checkout in the demo: Start sends the payer
// to a page served by Demo itself (ServeHTTP, mounted at PageURL) that says
// DemoMark, shows the notice and lets the payer confirm or abandon the
// simulated payment; the page then sends the browser to ReturnURL with a
// signed outcome, which Confirm verifies (the web UI passes that request to
// procedo.CompletePayment). No money moves. It is wired only when the server
// runs in demo mode; Enabled guards it a second time.
//
// Every value the page shows and the outcome it returns travel in tokens
// signed with Key (HMAC-SHA256) and bound to the tenant, so the browser cannot
// change the amount or confirm a notice of another tenant, and an outcome
// expires after an hour.
type Demo struct {
	// Enabled must be true, or every call is refused with ENOTFOUND.
	Enabled bool
	// PageURL is where the DEMO page (ServeHTTP) is mounted, e.g.
	// "/pagamenti/demo"; it receives ?t=<token> (GET) and the form (POST).
	PageURL string
	// ReturnURL is the page of the web UI the browser comes back to; it
	// receives ?esito=<token> and passes its request to procedo.CompletePayment.
	ReturnURL string
	// Key signs the tokens. When empty a random key is made on first use, which
	// is enough for one process; replicas must share a configured key.
	Key []byte
	// Now returns the current time; defaults to time.Now.
	Now func() time.Time
	// NotifyURL, when set, is where the DEMO page also notifies a confirmed
	// payment server to server, as a pagoPA intermediary notifies the
	// creditor whatever the payer's browser does next: a POST of the form
	// esito=<signed outcome>&ente=<tenant id> (see Notification), whose
	// receiver passes the request to procedo.CompletePayment. Payments
	// started through the API are recorded this way. A failed notification
	// is logged and does not stop the browser's return, which records the
	// payment as well (MarkPaid is idempotent).
	NotifyURL string
	// Client sends the notifications; nil means a client with a 10-second timeout.
	Client *http.Client
	// Logger receives failed notifications; nil means slog.Default().
	Logger *slog.Logger
	// Stylesheets are linked by the DEMO page (the site's own, when the page
	// is served inside it): the page has no inline styles, which a strict
	// Content-Security-Policy would block.
	Stylesheets []string

	keyOnce sync.Once
	key     []byte
}

var _ procedo.PaymentProvider = (*Demo)(nil)

// ID implements procedo.PaymentProvider.
func (d *Demo) ID() string { return "demo" }

// Label implements procedo.PaymentProvider.
func (d *Demo) Label() string { return "Paga con pagoPA (DEMO: pagamento simulato)" }

// demoClaims is the signed content of a DEMO token.
type demoClaims struct {
	Kind     string `json:"k"` // demoStart (page) or demoOutcome (return)
	Tenant   int64  `json:"t"`
	Number   string `json:"n"`
	Expires  int64  `json:"e"` // Unix seconds
	Amount   int64  `json:"a,omitempty"`
	Causale  string `json:"c,omitempty"`
	Issuer   string `json:"i,omitempty"`
	Creditor string `json:"cf,omitempty"`
	Payer    string `json:"p,omitempty"`
	Ref      string `json:"r,omitempty"`
	Paid     bool   `json:"ok,omitempty"`
}

const (
	demoStart   = "start"
	demoOutcome = "outcome"
)

// Start implements procedo.PaymentProvider: it returns PageURL with a signed
// token describing n. ENOTFOUND when disabled, ECONFLICT for a notice that is
// not payable.
func (d *Demo) Start(ctx context.Context, n *procedo.PaymentNotice) (_ string, err error) {
	defer procedo.Wrap(&err, "payment.Demo.Start")
	if !d.Enabled {
		return "", procedo.Errorf(procedo.ENOTFOUND, "Metodo di pagamento non disponibile.")
	}
	if !n.Payable() {
		return "", procedo.Errorf(procedo.ECONFLICT, "Questo avviso non è pagabile: risulta %s.", strings.ToLower(n.Status.Label()))
	}
	c := demoClaims{Kind: demoStart, Tenant: n.TenantID, Number: n.NoticeNumber.String(), Amount: n.Amount,
		Causale: n.Causale, Creditor: n.CreditorFiscalCode, Payer: n.PayerName}
	if t := procedo.TenantFromContext(ctx); t != nil {
		c.Issuer = t.Name
	}
	tok, err := d.sign(c)
	if err != nil {
		return "", err
	}
	return withQuery(d.PageURL, "t", tok)
}

// Confirm implements procedo.PaymentProvider: it reads the signed outcome
// (query or form value "esito") of the DEMO page. EINVALID for a missing,
// altered or expired outcome, or one for another tenant than ctx's; ECONFLICT
// when the payer abandoned the payment.
func (d *Demo) Confirm(ctx context.Context, r *http.Request) (_, _ string, err error) {
	defer procedo.Wrap(&err, "payment.Demo.Confirm")
	if !d.Enabled {
		return "", "", procedo.Errorf(procedo.ENOTFOUND, "Metodo di pagamento non disponibile.")
	}
	c, err := d.verify(r.FormValue("esito"), demoOutcome)
	if err != nil || c.Tenant != procedo.TenantIDFromContext(ctx) {
		return "", "", &procedo.Error{Code: procedo.EINVALID, Message: "Esito del pagamento non valido o scaduto: riprova il pagamento.", Err: err}
	}
	if !c.Paid {
		return "", "", procedo.Errorf(procedo.ECONFLICT, "Il pagamento è stato annullato: l'avviso resta da pagare.")
	}
	return c.Number, c.Ref, nil
}

// ServeHTTP serves the DEMO page: GET shows the notice of token t with the
// buttons; POST sends the browser to ReturnURL with the signed outcome (303).
// A bad or expired token gives 400 with a short page, a disabled Demo 404.
func (d *Demo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if !d.Enabled {
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		c, err := d.verify(r.URL.Query().Get("t"), demoStart)
		if err != nil {
			d.page(w, http.StatusBadRequest, demoPage{Error: "Il collegamento al pagamento non è valido o è scaduto. Torna al servizio e riprova."})
			return
		}
		d.page(w, http.StatusOK, demoPage{Claims: c, Token: r.URL.Query().Get("t"), Action: d.PageURL,
			Amount: procedo.FormatCents(c.Amount), Number: groupNumber(c.Number)})
	case http.MethodPost:
		c, err := d.verify(r.PostFormValue("t"), demoStart)
		if err != nil {
			d.page(w, http.StatusBadRequest, demoPage{Error: "Il collegamento al pagamento non è valido o è scaduto. Torna al servizio e riprova."})
			return
		}
		out := demoClaims{Kind: demoOutcome, Tenant: c.Tenant, Number: c.Number, Paid: r.PostFormValue("esito") == "ok"}
		if out.Paid {
			out.Ref = "DEMO-" + randomHex(8)
		}
		tok, err := d.sign(out)
		if err == nil && out.Paid && d.NotifyURL != "" {
			if nerr := d.notify(r.Context(), out.Tenant, tok); nerr != nil {
				d.logger().Error("DEMO payment notification failed", "error", nerr, "tenant_id", out.Tenant, "notice", out.Number)
			}
		}
		if err == nil {
			var to string
			if to, err = withQuery(d.ReturnURL, "esito", tok); err == nil {
				http.Redirect(w, r, to, http.StatusSeeOther)
				return
			}
		}
		d.page(w, http.StatusInternalServerError, demoPage{Error: "Errore interno della pagina DEMO."})
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "Metodo non consentito.", http.StatusMethodNotAllowed)
	}
}

// notify posts the signed outcome tok of a payment to tenant's NotifyURL
// and expects a 2xx answer.
func (d *Demo) notify(ctx context.Context, tenant int64, tok string) error {
	form := url.Values{"esito": {tok}, "ente": {strconv.FormatInt(tenant, 10)}}
	req, err := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost, d.NotifyURL, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c := d.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("notification answered %s", resp.Status)
	}
	return nil
}

func (d *Demo) logger() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.Default()
}

func (d *Demo) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Demo) signingKey() []byte {
	d.keyOnce.Do(func() {
		if len(d.Key) > 0 {
			d.key = d.Key
			return
		}
		d.key = make([]byte, 32)
		_, _ = rand.Read(d.key) // crypto/rand.Read never fails (Go ≥ 1.24)
	})
	return d.key
}

func (d *Demo) mac(payload string) []byte {
	m := hmac.New(sha256.New, d.signingKey())
	m.Write([]byte("procedo demo payment\x00" + payload))
	return m.Sum(nil)
}

// sign returns c, with its expiry set, as base64url(JSON) + "." + base64url(HMAC).
func (d *Demo) sign(c demoClaims) (string, error) {
	c.Expires = d.now().Add(demoTokenTTL).Unix()
	b, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	p := base64.RawURLEncoding.EncodeToString(b)
	return p + "." + base64.RawURLEncoding.EncodeToString(d.mac(p)), nil
}

// verify returns the claims of tok if its signature holds, it has kind and
// has not expired.
func (d *Demo) verify(tok, kind string) (demoClaims, error) {
	var c demoClaims
	p, sig, ok := strings.Cut(tok, ".")
	if !ok {
		return c, errors.New("malformed token")
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, d.mac(p)) {
		return c, errors.New("bad signature")
	}
	b, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, err
	}
	if c.Kind != kind {
		return c, errors.New("wrong token kind")
	}
	if d.now().Unix() > c.Expires {
		return c, errors.New("expired token")
	}
	return c, nil
}

// withQuery returns base with query parameter key set to value.
func withQuery(base, key, value string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func groupNumber(s string) string {
	if n, err := procedo.ParseNoticeNumber(s); err == nil {
		return n.Grouped()
	}
	return s
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (Go ≥ 1.24)
	return strings.ToUpper(hex.EncodeToString(b))
}

type demoPage struct {
	Styles []string
	Claims demoClaims
	Token  string
	Action string
	Amount string
	Number string
	Error  string
}

func (d *Demo) page(w http.ResponseWriter, status int, p demoPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Robots-Tag", "noindex")
	w.WriteHeader(status)
	p.Styles = d.Stylesheets
	_ = demoTemplate.Execute(w, p) // the response has started: nothing left to report to
}

// demoTemplate is the whole DEMO page: it stands in for an external checkout,
// so it has its own minimal, accessible markup rather than the site layout,
// styled by Bootstrap Italia's classes when Stylesheets links it.
var demoTemplate = template.Must(template.New("demo").Parse(`<!DOCTYPE html>
<html lang="it">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + DemoMark + `</title>
{{range .Styles}}<link rel="stylesheet" href="{{.}}">
{{end}}</head>
<body>
<main class="container my-4" id="contenuto">
<h1>` + DemoMark + `</h1>
<p class="alert alert-warning fw-semibold">Questa pagina simula il pagamento pagoPA: nessun addebito viene effettuato.</p>
{{if .Error}}<p class="alert alert-danger" role="alert">{{.Error}}</p>
{{else}}<h2 class="h4">Avviso di pagamento</h2>
<dl class="row">
{{if .Claims.Issuer}}<dt class="col-sm-4">Ente creditore</dt><dd class="col-sm-8">{{.Claims.Issuer}}</dd>
{{end}}<dt class="col-sm-4">Codice fiscale dell'ente</dt><dd class="col-sm-8">{{.Claims.Creditor}}</dd>
<dt class="col-sm-4">Causale</dt><dd class="col-sm-8">{{.Claims.Causale}}</dd>
<dt class="col-sm-4">Debitore</dt><dd class="col-sm-8">{{.Claims.Payer}}</dd>
<dt class="col-sm-4">Codice avviso</dt><dd class="col-sm-8">{{.Number}}</dd>
<dt class="col-sm-4">Importo</dt><dd class="col-sm-8">{{.Amount}}</dd>
</dl>
<form method="post" action="{{.Action}}">
<input type="hidden" name="t" value="{{.Token}}">
<button type="submit" name="esito" value="ok" class="btn btn-primary me-2 mb-2">Conferma il pagamento simulato di {{.Amount}}</button>
<button type="submit" name="esito" value="annulla" class="btn btn-outline-primary mb-2">Annulla e torna al servizio</button>
</form>
{{end}}</main>
</body>
</html>
`))
