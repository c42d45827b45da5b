// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/library"
	"github.com/procedo/procedo/payment"
	pdfrender "github.com/procedo/procedo/pdf"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// payFixture is the drafts fixture with the fee procedure
// occupazione-suolo-pubblico published in Comune A (and B), the tenants'
// codici fiscali set, and the API served over real HTTP beside the DEMO
// payment provider's page, which notifies payments to the API's
// notification route. A second DEMO page (same key, no notification)
// stands in for a provider whose notification is lost.
type payFixture struct {
	*fixture
	srv  *httptest.Server
	demo *payment.Demo
}

func newPayFixture(t *testing.T) *payFixture {
	t.Helper()
	f := draftFixture(t)
	db := f.env.DB
	for c, cf := range map[*testkit.Comune]string{f.env.A: "01199250158", f.env.B: "02438750586"} {
		if err := testkit.Exec(db, `UPDATE tenants SET fiscal_code = ? WHERE id = ?`, cf, c.Tenant.ID); err != nil {
			t.Fatal(err)
		}
		def, err := library.Model("occupazione-suolo-pubblico")
		if err != nil {
			t.Fatal(err)
		}
		def.OfficeCode, def.DecisionOffice = c.Office.Code, ""
		if _, err := sqlstore.NewProcedureService(db).PublishProcedure(c.As(procedo.SystemActor), def); err != nil {
			t.Fatal(err)
		}
	}
	key := []byte("chiave di prova del pagamento DEMO")
	demo := &payment.Demo{Enabled: true, PageURL: "/pagamenti/demo", ReturnURL: "/pagamenti/esito", Key: key}
	mute := &payment.Demo{Enabled: true, PageURL: "/pagamenti/demo-muto", ReturnURL: "/pagamenti/esito", Key: key}
	f.server.Payments = sqlstore.NewPaymentService(db)
	f.server.PaymentProvider = demo
	f.server.Renderer = &pdfrender.Renderer{}
	f.server.Tenants = sqlstore.NewTenantService(db)
	f.handler = f.server.Handler()
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", f.handler)
	mux.Handle("/pagamenti/demo", demo)
	mux.Handle("/pagamenti/demo-muto", mute)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	demo.NotifyURL = srv.URL + "/api/v1/payments/demo/notifications"
	return &payFixture{fixture: f, srv: srv, demo: demo}
}

// call sends one request over HTTP with token (a key of f.tokens, or "")
// and returns the status and body; redirects are not followed.
func (p *payFixture) call(t *testing.T, method, path, contentType string, body io.Reader, token string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, p.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+p.tokens[token])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// jsonCall is call with a JSON body, decoding a JSON answer into out (if not nil).
func (p *payFixture) jsonCall(t *testing.T, method, path, body, token string, want int, out any) []byte {
	t.Helper()
	var rd io.Reader
	ct := ""
	if body != "" {
		rd, ct = strings.NewReader(body), "application/json"
	}
	status, _, b := p.call(t, method, path, ct, rd, token)
	if status != want {
		t.Fatalf("%s %s: %d, want %d\n%s", method, path, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
	return b
}

type paymentsAnswer struct {
	Items []struct {
		ID           int64  `json:"id"`
		NoticeNumber string `json:"notice_number"`
		IUV          string `json:"iuv"`
		Amount       int64  `json:"amount_cents"`
		Causale      string `json:"causale"`
		Status       string `json:"status"`
		Computation  string `json:"computation"`
		Links        struct {
			PDF      string `json:"pdf"`
			Checkout string `json:"checkout"`
		} `json:"links"`
	} `json:"items"`
	Fees []struct {
		Description string `json:"description"`
		DueCents    int64  `json:"due_cents"`
		Paid        bool   `json:"paid"`
		NoticeID    *int64 `json:"notice_id"`
	} `json:"fees"`
	Problems map[string]string `json:"problems"`
}

const occupazioneBody = `{"procedure": "occupazione-suolo-pubblico", "privacy_accepted": true,
	"applicant": {"fiscal_code": "RSSMRA80A01H501U", "given_name": "Mario", "family_name": "Rossi", "email": "mario.rossi@example.it"},
	"values": {"email": "mario.rossi@example.it", "telefono": "+39 333 1234567", "per_conto": "no",
		"luogo.via": "Via Roma", "luogo.civico": "3", "luogo.cap": "73030", "luogo.comune": "Castro (LE)", "motivo": "trasloco",
		"descrizione": "Furgone per il trasloco", "data_inizio": "2026-04-10", "data_fine": "2026-04-10", "superficie": "12"}}`

// newFeeDraft creates a complete draft of the fee procedure (values and the
// planimetria) through the API and returns its path.
func (p *payFixture) newFeeDraft(t *testing.T, token string) string {
	t.Helper()
	var d struct {
		ID int64 `json:"id"`
	}
	p.jsonCall(t, "POST", "/api/v1/drafts", occupazioneBody, token, http.StatusCreated, &d)
	path := fmt.Sprintf("/api/v1/drafts/%d", d.ID)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, err := mw.CreateFormFile("planimetria", "planimetria.pdf")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(w, "%%PDF-1.4\n%% planimetria della bozza %d\n", d.ID)
	_ = mw.Close()
	if status, _, b := p.call(t, "POST", path+"/files", mw.FormDataContentType(), &buf, token); status != http.StatusOK {
		t.Fatalf("files: %d %s", status, b)
	}
	return path
}

var hiddenToken = regexp.MustCompile(`name="t" value="([^"]+)"`)

// payOnDemoPage opens the DEMO checkout page at checkoutURL (relative to
// the server), optionally through the page at page instead of the
// provider's own, and confirms the simulated payment; it returns the
// browser's redirect (with the signed outcome).
func (p *payFixture) payOnDemoPage(t *testing.T, checkoutURL, page string) *url.URL {
	t.Helper()
	u, err := url.Parse(checkoutURL)
	if err != nil {
		t.Fatal(err)
	}
	if page != "" {
		u.Path = page
	}
	status, _, b := p.call(t, "GET", u.String(), "", nil, "")
	m := hiddenToken.FindSubmatch(b)
	if status != http.StatusOK || m == nil || !bytes.Contains(b, []byte(payment.DemoMark)) {
		t.Fatalf("DEMO page: %d\n%s", status, b)
	}
	form := url.Values{"t": {string(m[1])}, "esito": {"ok"}}
	status, h, b := p.call(t, "POST", u.Path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), "")
	if status != http.StatusSeeOther {
		t.Fatalf("DEMO confirm: %d\n%s", status, b)
	}
	back, err := url.Parse(h.Get("Location"))
	if err != nil || back.Query().Get("esito") == "" {
		t.Fatalf("DEMO return %q: %v", h.Get("Location"), err)
	}
	return back
}

// TestDraftPayments_EndToEnd is an integrator's whole application for a
// procedure with fees, over HTTP: create the draft, set values, upload the
// file, issue the pagoPA notices, download one, pay each through the DEMO
// provider (its page, then its server-to-server notification), submit,
// read the application's status.
func TestDraftPayments_EndToEnd(t *testing.T) {
	p := newPayFixture(t)
	d := p.newFeeDraft(t, "A.registry")

	// Unpaid: the submission is refused, naming the fees.
	var refused struct {
		Code   string            `json:"code"`
		Fields map[string]string `json:"fields"`
	}
	p.jsonCall(t, "POST", d+"/submit", "", "A.registry", http.StatusUnprocessableEntity, &refused)
	if !strings.Contains(refused.Fields["payments"], "Imposta di bollo sulla domanda") {
		t.Fatalf("unpaid submission: %+v", refused)
	}

	// Nothing issued yet; then the notices are issued, once.
	var list paymentsAnswer
	p.jsonCall(t, "GET", d+"/payments", "", "A.registry", http.StatusOK, &list)
	if len(list.Items) != 0 || len(list.Fees) != 2 || list.Problems["payments"] == "" {
		t.Fatalf("before issuing: %+v", list)
	}
	var issued paymentsAnswer
	p.jsonCall(t, "POST", d+"/payments", "", "A.registry", http.StatusCreated, &issued)
	if len(issued.Items) != 2 || issued.Items[0].Amount != 1600 || issued.Items[1].Amount != 2000 ||
		!strings.Contains(issued.Items[1].Computation, "12 m²") {
		t.Fatalf("issued: %+v", issued)
	}
	for _, n := range issued.Items {
		if _, err := procedo.ParseNoticeNumber(n.NoticeNumber); err != nil || n.Status != "unpaid" || n.Links.Checkout == "" ||
			!strings.HasSuffix(n.NoticeNumber, n.IUV) {
			t.Fatalf("notice %+v: %v", n, err)
		}
	}
	var again paymentsAnswer
	p.jsonCall(t, "POST", d+"/payments", "", "A.registry", http.StatusOK, &again)
	if len(again.Items) != 2 || again.Items[0].ID != issued.Items[0].ID || again.Items[1].ID != issued.Items[1].ID {
		t.Fatalf("issued twice: %+v", again)
	}

	// The values change the fee computed from them: its notice is replaced.
	p.jsonCall(t, "PATCH", d, `{"values": {"superficie": "20"}}`, "A.registry", http.StatusOK, nil)
	var recomputed paymentsAnswer
	p.jsonCall(t, "POST", d+"/payments", "", "A.registry", http.StatusCreated, &recomputed)
	if len(recomputed.Items) != 2 || recomputed.Items[0].ID != issued.Items[0].ID || recomputed.Items[1].ID == issued.Items[1].ID ||
		recomputed.Items[1].Amount != 2400 {
		t.Fatalf("recomputed: %+v", recomputed)
	}

	// The PDF notice.
	status, h, b := p.call(t, "GET", recomputed.Items[1].Links.PDF, "", nil, "A.registry")
	if status != http.StatusOK || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(b, []byte("%PDF-")) ||
		!strings.Contains(h.Get("Content-Disposition"), recomputed.Items[1].NoticeNumber) {
		t.Fatalf("pdf: %d %v %.40q", status, h, b)
	}

	// Pay each notice on the DEMO page; the provider notifies procedo.
	for _, n := range recomputed.Items {
		var co struct {
			NoticeID    int64  `json:"notice_id"`
			Provider    string `json:"provider"`
			CheckoutURL string `json:"checkout_url"`
		}
		p.jsonCall(t, "POST", n.Links.Checkout, "", "A.registry", http.StatusOK, &co)
		if co.Provider != "demo" || co.NoticeID != n.ID || !strings.HasPrefix(co.CheckoutURL, "/pagamenti/demo?t=") {
			t.Fatalf("checkout: %+v", co)
		}
		p.payOnDemoPage(t, co.CheckoutURL, "")
	}
	var paid paymentsAnswer
	p.jsonCall(t, "GET", d+"/payments", "", "A.registry", http.StatusOK, &paid)
	for _, n := range paid.Items {
		if n.Status != "paid" || n.Links.Checkout != "" {
			t.Fatalf("after paying: %+v", paid)
		}
	}
	if len(paid.Problems) != 0 {
		t.Fatalf("problems after paying: %v", paid.Problems)
	}
	// A paid notice is not paid twice, and its draft is not deleted.
	p.jsonCall(t, "POST", paid.Items[0].Links.PDF[:len(paid.Items[0].Links.PDF)-len("pdf")]+"checkout", "", "A.registry", http.StatusConflict, nil)
	var conflict struct {
		Message string `json:"message"`
	}
	p.jsonCall(t, "DELETE", d, "", "A.registry", http.StatusConflict, &conflict)
	if !strings.Contains(conflict.Message, "pagamento pagoPA già eseguito") {
		t.Fatalf("delete paid: %+v", conflict)
	}

	// Submit: the receipt links the paid notices to the case.
	var rec struct {
		ApplicationID int64  `json:"application_id"`
		CaseID        int64  `json:"case_id"`
		Status        string `json:"status"`
		Payments      []struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		} `json:"payments"`
	}
	p.jsonCall(t, "POST", d+"/submit", "", "A.registry", http.StatusCreated, &rec)
	if rec.CaseID == 0 || rec.Status != "submitted" || len(rec.Payments) != 2 || rec.Payments[0].Status != "paid" || rec.Payments[1].Status != "paid" {
		t.Fatalf("receipt: %+v", rec)
	}
	var status2 struct {
		CaseID      int64  `json:"case_id"`
		StatusLabel string `json:"status_label"`
		Payments    []struct {
			NoticeNumber string `json:"notice_number"`
		} `json:"payments"`
	}
	p.jsonCall(t, "GET", fmt.Sprintf("/api/v1/applications/%d", rec.ApplicationID), "", "A.registry", http.StatusOK, &status2)
	if status2.CaseID != rec.CaseID || status2.StatusLabel != "Presentata" || len(status2.Payments) != 2 {
		t.Fatalf("application status: %+v", status2)
	}
	// The draft is gone.
	p.jsonCall(t, "GET", d+"/payments", "", "A.registry", http.StatusNotFound, nil)
}

// TestDraftPayments_Access: every new route refuses other roles (403) and
// other tenants and integrators (404); the notification refuses outcomes
// that are forged or addressed to another tenant, and records a genuine
// one whatever bearer token comes with it.
func TestDraftPayments_Access(t *testing.T) {
	p := newPayFixture(t)
	d := p.newFeeDraft(t, "A.registry")
	var issued paymentsAnswer
	p.jsonCall(t, "POST", d+"/payments", "", "A.registry", http.StatusCreated, &issued)
	n := issued.Items[0]
	checkout := n.Links.Checkout
	routes := []struct{ method, path string }{
		{"GET", d + "/payments"}, {"POST", d + "/payments"}, {"GET", n.Links.PDF}, {"POST", checkout}, {"DELETE", d},
	}
	for _, rt := range routes {
		for _, tok := range []string{"A.operator", "A.manager", "A.admin"} {
			p.jsonCall(t, rt.method, rt.path, "", tok, http.StatusForbidden, nil)
		}
		p.jsonCall(t, rt.method, rt.path, "", "B.registry", http.StatusNotFound, nil)
		p.jsonCall(t, rt.method, rt.path, "", "", http.StatusUnauthorized, nil)
	}
	// Another notice id, or a notice of another draft, is not found.
	other := p.newFeeDraft(t, "A.registry")
	p.jsonCall(t, "GET", other+"/payments/"+fmt.Sprint(n.ID)+"/pdf", "", "A.registry", http.StatusNotFound, nil)
	p.jsonCall(t, "POST", d+"/payments/999999/checkout", "", "A.registry", http.StatusNotFound, nil)

	// The notification: an outcome signed by the provider, for A.
	var co struct {
		CheckoutURL string `json:"checkout_url"`
	}
	p.jsonCall(t, "POST", checkout, "", "A.registry", http.StatusOK, &co)
	back := p.payOnDemoPage(t, co.CheckoutURL, "/pagamenti/demo-muto") // the mute page notifies nothing
	outcome := back.Query().Get("esito")
	notify := func(form url.Values, token string, want int) {
		t.Helper()
		status, _, b := p.call(t, "POST", "/api/v1/payments/demo/notifications", "application/x-www-form-urlencoded",
			strings.NewReader(form.Encode()), token)
		if status != want {
			t.Fatalf("notify %v: %d, want %d\n%s", form, status, want, b)
		}
	}
	a, b := fmt.Sprint(p.env.A.Tenant.ID), fmt.Sprint(p.env.B.Tenant.ID)
	notify(url.Values{"esito": {outcome}, "ente": {b}}, "", http.StatusUnprocessableEntity)           // another tenant
	notify(url.Values{"esito": {outcome}, "ente": {b}}, "B.registry", http.StatusUnprocessableEntity) // a token changes nothing
	notify(url.Values{"esito": {outcome + "x"}, "ente": {a}}, "", http.StatusUnprocessableEntity)     // altered
	notify(url.Values{"esito": {outcome}}, "", http.StatusUnprocessableEntity)                        // no tenant
	notify(url.Values{"esito": {outcome}, "ente": {"999999"}}, "", http.StatusUnprocessableEntity)
	status, _, _ := p.call(t, "POST", "/api/v1/payments/altro/notifications", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"esito": {outcome}, "ente": {a}}.Encode()), "")
	if status != http.StatusNotFound {
		t.Fatalf("unknown provider: %d", status)
	}
	var still paymentsAnswer
	p.jsonCall(t, "GET", d+"/payments", "", "A.registry", http.StatusOK, &still)
	if still.Items[0].Status != "unpaid" {
		t.Fatalf("a refused notification paid the notice: %+v", still.Items[0])
	}
	notify(url.Values{"esito": {outcome}, "ente": {a}}, "", http.StatusOK)
	notify(url.Values{"esito": {outcome}, "ente": {a}}, "", http.StatusOK) // idempotent
	p.jsonCall(t, "GET", d+"/payments", "", "A.registry", http.StatusOK, &still)
	if still.Items[0].Status != "paid" || still.Items[1].Status != "unpaid" {
		t.Fatalf("after the notification: %+v", still.Items)
	}
}

// TestDraftDelete: the integrator discards its draft; its unpaid notices
// are cancelled; another integrator, tenant or role cannot.
func TestDraftDelete(t *testing.T) {
	p := newPayFixture(t)
	d := p.newFeeDraft(t, "A.registry")
	var issued paymentsAnswer
	p.jsonCall(t, "POST", d+"/payments", "", "A.registry", http.StatusCreated, &issued)
	p.jsonCall(t, "DELETE", d, "", "B.registry", http.StatusNotFound, nil)
	p.jsonCall(t, "DELETE", d, "", "A.operator", http.StatusForbidden, nil)
	status, _, b := p.call(t, "DELETE", d, "", nil, "A.registry")
	if status != http.StatusNoContent || len(b) != 0 {
		t.Fatalf("delete: %d %s", status, b)
	}
	p.jsonCall(t, "GET", d, "", "A.registry", http.StatusNotFound, nil)
	p.jsonCall(t, "DELETE", d, "", "A.registry", http.StatusNotFound, nil)
	for _, n := range issued.Items {
		got, err := sqlstore.NewPaymentService(p.env.DB).FindNotice(p.env.A.As(procedo.SystemActor), n.ID)
		if err != nil || got.Status != procedo.PaymentCancelled {
			t.Fatalf("notice after delete: %+v %v", got, err)
		}
	}
}
