// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/procedo/procedo/sqlstore"
)

// draftFixture is the API fixture with drafts and applications, and a small
// upload limit so that oversized files are cheap to send.
func draftFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	db := f.env.DB
	f.server.Drafts = sqlstore.NewDraftService(db, sqlstore.NewPaymentService(db))
	f.server.Applications = sqlstore.NewApplicationService(db)
	f.server.Blobs = db.Blobs
	f.server.MaxUpload = 64 << 10
	f.handler = f.server.Handler()
	return f
}

// upload sends files as multipart parts (part name → file name → content).
func (f *fixture) upload(t *testing.T, url, token string, parts ...[3]string) *httptest.ResponseRecorder {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		w, err := mw.CreateFormFile(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(p[2]))
	}
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, url, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[token])
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec
}

const (
	pdf     = "%PDF-1.4\n% delega\n"
	newBody = `{"procedure": "accesso-documentale", "privacy_accepted": true,
		"applicant": {"fiscal_code": "vrdlcu85t45f205s", "given_name": "Lucia", "family_name": "Verdi", "email": "lucia.verdi@example.it"},
		"values": {"email": "lucia.verdi@example.it", "oggetto": "Permesso di costruire n. 12/2024"}}`
	rest = `{"values": {"motivazione": "Sono la confinante.", "modalita": "copia-semplice", "consegna": "email"}}`
)

var idRE = regexp.MustCompile(`^\{"id":(\d+),`)

func TestDrafts(t *testing.T) {
	f := draftFixture(t)
	rec := f.do(t, "POST", "/api/v1/drafts", newBody, "A.registry", nil)
	m := idRE.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusCreated || m == nil {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	d := "/api/v1/drafts/" + m[1]
	if loc := rec.Header().Get("Location"); loc != d {
		t.Errorf("Location %q", loc)
	}
	if !strings.Contains(rec.Body.String(), `"fiscal_code":"VRDLCU85T45F205S"`) || !strings.Contains(rec.Body.String(), `"motivazione":"Questo campo è obbligatorio."`) {
		t.Errorf("created draft: %s", rec.Body)
	}
	pieces := []string{"/api/v1/drafts", d, d + "/files", d + "/submit"}
	var sc []scenario
	// Wrong role: every draft endpoint refuses users who are not integrators
	// (role registry), in their own tenant.
	for _, tok := range []string{"A.operator", "A.manager", "A.admin"} {
		sc = append(sc,
			scenario{name: "create as " + tok, method: "POST", url: pieces[0], body: newBody, token: tok, status: 403},
			scenario{name: "view as " + tok, url: d, token: tok, status: 403},
			scenario{name: "put as " + tok, method: "PUT", url: d, body: rest, token: tok, status: 403},
			scenario{name: "patch as " + tok, method: "PATCH", url: d, body: rest, token: tok, status: 403},
			scenario{name: "files as " + tok, method: "POST", url: pieces[2], body: "{}", token: tok, status: 403},
			scenario{name: "submit as " + tok, method: "POST", url: pieces[3], token: tok, status: 403},
		)
	}
	// Wrong tenant: B's integrator does not find A's draft.
	sc = append(sc,
		scenario{name: "view from B", url: d, token: "B.registry", status: 404},
		scenario{name: "put from B", method: "PUT", url: d, body: rest, token: "B.registry", status: 404},
		scenario{name: "patch from B", method: "PATCH", url: d, body: rest, token: "B.registry", status: 404},
		scenario{name: "files from B", method: "POST", url: pieces[2], body: "{}", token: "B.registry", status: 404},
		scenario{name: "submit from B", method: "POST", url: pieces[3], token: "B.registry", status: 404},
		scenario{name: "no token", url: d, status: 401},
		scenario{name: "no such draft", url: "/api/v1/drafts/999999", token: "A.registry", status: 404},
		scenario{name: "not an id", url: "/api/v1/drafts/abc", token: "A.registry", status: 404},
	)
	// Bad input.
	sc = append(sc,
		scenario{name: "not JSON", method: "POST", url: pieces[0], body: "{", token: "A.registry", status: 400},
		scenario{name: "unknown member", method: "POST", url: pieces[0], body: `{"procedura": "x"}`, token: "A.registry", status: 400},
		scenario{name: "unknown procedure", method: "POST", url: pieces[0], body: `{"procedure": "nessuno"}`, token: "A.registry", status: 422,
			want: []string{`"procedure":`}},
		scenario{name: "bad applicant", method: "POST", url: pieces[0], token: "A.registry", status: 422,
			body: `{"procedure": "accesso-documentale", "applicant": {"fiscal_code": "RSSMRA80A01H501X", "email": "x"}}`,
			want: []string{`"applicant.fiscal_code"`, `"applicant.given_name"`, `"applicant.email"`}},
		scenario{name: "values not text", method: "PATCH", url: d, body: `{"values": {"oggetto": 12}}`, token: "A.registry", status: 400,
			want: []string{"oggetto JSON di testi"}},
		scenario{name: "unknown value key", method: "PATCH", url: d, body: `{"values": {"volare": "sì"}}`, token: "A.registry", status: 422,
			want: []string{`"volare":"Campo sconosciuto`}},
		scenario{name: "fiscal code fixed", method: "PATCH", url: d, body: `{"applicant": {"fiscal_code": "RSSMRA80A01H501U"}}`, token: "A.registry",
			status: 422},
		scenario{name: "submit incomplete", method: "POST", url: pieces[3], token: "A.registry", status: 422,
			want: []string{`"motivazione":"Questo campo è obbligatorio."`, `"modalita"`}},
	)
	// The integrator completes it: PATCH merges, PUT replaces.
	sc = append(sc,
		scenario{name: "patch", method: "PATCH", url: d, body: rest, token: "A.registry", status: 200,
			want: []string{`"oggetto":"Permesso di costruire n. 12/2024"`, `"consegna":"email"`, `"problems":{}`}},
		scenario{name: "put replaces", method: "PUT", url: d, body: rest, token: "A.registry", status: 200,
			notWant: []string{`"oggetto":"Permesso`}, want: []string{`"oggetto":"Questo campo è obbligatorio."`}},
		scenario{name: "patch again", method: "PATCH", url: d, token: "A.registry", status: 200,
			body: `{"values": {"oggetto": "Permesso di costruire n. 12/2024", "email": "lucia.verdi@example.it", "telefono": null}}`},
		scenario{name: "view", url: d, token: "A.registry", status: 200, want: []string{`"problems":{}`, `"privacy_accepted_at":"`}},
	)
	f.run(t, sc)

	t.Run("Files", func(t *testing.T) {
		if rec := f.upload(t, d+"/files", "A.registry", [3]string{"documentazione", "finto.pdf", "MZ\x90\x00 non un pdf"}); rec.Code != 422 ||
			!strings.Contains(rec.Body.String(), "non corrisponde a un formato ammesso") {
			t.Errorf("fake PDF: %d %s", rec.Code, rec.Body)
		}
		if rec := f.upload(t, d+"/files", "A.registry", [3]string{"documentazione", "delega.pdf.p7m", "0\x82 non una firma"}); rec.Code != 422 ||
			!strings.Contains(rec.Body.String(), "non è una firma digitale leggibile") {
			t.Errorf("broken signed file: %d %s", rec.Code, rec.Body)
		}
		if rec := f.upload(t, d+"/files", "A.registry", [3]string{"oggetto", "x.pdf", pdf}); rec.Code != 422 {
			t.Errorf("not a file field: %d %s", rec.Code, rec.Body)
		}
		if rec := f.upload(t, d+"/files", "A.registry", [3]string{"documentazione", "enorme.pdf", pdf + strings.Repeat("x", 65<<10)}); rec.Code != 413 {
			t.Errorf("oversized: %d %s", rec.Code, rec.Body)
		}
		if rec := f.upload(t, d+"/files", "A.operator", [3]string{"documentazione", "delega.pdf", pdf}); rec.Code != 403 {
			t.Errorf("operator: %d %s", rec.Code, rec.Body)
		}
		if rec := f.upload(t, d+"/files", "B.registry", [3]string{"documentazione", "delega.pdf", pdf}); rec.Code != 404 {
			t.Errorf("other tenant: %d %s", rec.Code, rec.Body)
		}
		rec := f.upload(t, d+"/files", "A.registry", [3]string{"documentazione", "../delega.pdf", pdf})
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"filename":"delega.pdf","media_type":"application/pdf"`) {
			t.Fatalf("upload: %d %s", rec.Code, rec.Body)
		}
	})

	var appURL string
	t.Run("Submit", func(t *testing.T) {
		rec := f.do(t, "POST", d+"/submit", "", "A.registry", nil)
		if rec.Code != http.StatusCreated {
			t.Fatalf("submit: %d %s", rec.Code, rec.Body)
		}
		var got struct {
			ApplicationID int64 `json:"application_id"`
			CaseID        int64 `json:"case_id"`
			Protocol      struct {
				Number string `json:"number"`
				Year   int    `json:"year"`
			} `json:"protocol"`
			Office struct {
				Name string `json:"name"`
			} `json:"office"`
			Responsible string `json:"responsible"`
			DueDate     string `json:"due_date"`
			Status      string `json:"status"`
		}
		decode(t, rec, &got)
		// The fixture submitted three applications in A before.
		if got.ApplicationID == 0 || got.CaseID == 0 || got.Protocol.Number != "0000004" || got.Office.Name != "Ufficio Segreteria" ||
			got.Responsible == "" || got.DueDate == "" || got.Status != "submitted" {
			t.Fatalf("receipt %+v", got)
		}
		appURL = fmt.Sprintf("/api/v1/applications/%d", got.ApplicationID)
		if loc := rec.Header().Get("Location"); loc != appURL {
			t.Errorf("Location %q", loc)
		}
		// Once: the draft is gone.
		if rec := f.do(t, "POST", d+"/submit", "", "A.registry", nil); rec.Code != 404 {
			t.Errorf("second submit: %d", rec.Code)
		}
	})

	f.run(t, []scenario{
		{name: "application for its integrator", url: appURL, token: "A.registry", status: 200,
			want: []string{`"protocol":{"number":"0000004"`, `"events":[{`, `"kind":"submitted"`}},
		{name: "application for the manager", url: appURL, token: "A.manager", status: 200},
		{name: "application from B", url: appURL, token: "B.registry", status: 404},
		{name: "application from B's manager", url: appURL, token: "B.manager", status: 404},
		{name: "application without token", url: appURL, status: 401},
		{name: "another registry's view of a web application", url: fmt.Sprintf("/api/v1/applications/%d", f.Read.Application.ID),
			token: "A.registry", status: 404},
	})
}
