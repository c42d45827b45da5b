// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// IPA codes the register fixture gives Comune A and B (the segnatura needs them).
const (
	ipaA = "c_a001"
	ipaB = "c_b002"
)

// Contents of the files the tests register.
var (
	pdfContent = []byte("%PDF-1.4\n% documento principale di prova\n")
	pngContent = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0x42}, 64)...)
)

// newRegistryFixture returns the API fixture with the protocol register's
// services wired (blob store, tenants, signing keys, daily registers), a
// records manager in each Comune (tokens "A.records", "B.records") and IPA
// codes for both.
func newRegistryFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	db := f.env.DB
	f.server.Blobs = db.Blobs
	f.server.Tenants = sqlstore.NewTenantService(db)
	f.server.Keys = sqlstore.NewSigningKeyService(db)
	f.server.DailyRegisters = sqlstore.NewDailyRegisterService(db)
	f.server.Classifications = sqlstore.NewClassificationService(db)
	f.handler = f.server.Handler()
	users := sqlstore.NewUserService(db)
	for name, c := range map[string]*testkit.Comune{"A": f.env.A, "B": f.env.B} {
		u := &procedo.User{Username: "archivio", FullName: "Utente archivio", Roles: []procedo.Role{procedo.RoleRecords}, OrgUnitID: &c.Office.ID}
		if err := users.CreateUser(c.As(procedo.SystemActor), u, testkit.Password); err != nil {
			t.Fatal(err)
		}
		tok, err := users.CreateToken(c.AsUser(c.Admin), u.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[name+".records"] = tok
	}
	for id, ipa := range map[int64]string{f.env.A.Tenant.ID: ipaA, f.env.B.Tenant.ID: ipaB} {
		if err := testkit.Exec(db, `UPDATE tenants SET ipa_code = ? WHERE id = ?`, ipa, id); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// total returns the number of entries in c's register.
func (f *fixture) total(t *testing.T, c *testkit.Comune) int {
	t.Helper()
	_, n, err := sqlstore.NewRegistrationService(f.env.DB).FindRegistrations(c.AsUser(c.Registry), procedo.RegistrationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// mustJSON returns v as a JSON string.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// b64 returns b in standard base64.
func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// sum returns the hex SHA-256 of b.
func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// smallestBody returns the smallest valid JSON body, with subject.
func smallestBody(subject string) string {
	return fmt.Sprintf(`{"direction": "E", "subject": %q, "correspondents": [{"name": "Giulia Neri"}], "document": {"filename": "istanza.pdf", "content_base64": %q}}`,
		subject, b64(pdfContent))
}

// mpPart is one part of a multipart body: a field, or a file when filename is set.
type mpPart struct {
	field, filename, contentType string
	content                      []byte
}

// multipartBody returns the body and its Content-Type header.
func multipartBody(t *testing.T, parts ...mpPart) (string, map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := fmt.Sprintf(`form-data; name=%q`, p.field)
		if p.filename != "" {
			disp += fmt.Sprintf(`; filename=%q`, p.filename)
		}
		h.Set("Content-Disposition", disp)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(p.content); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), map[string]string{"Content-Type": mw.FormDataContentType()}
}

// registrationOut is the part of a registration answer the tests read.
type registrationOut struct {
	ID           int64  `json:"id"`
	Year         int    `json:"year"`
	Number       int    `json:"number"`
	NumberString string `json:"number_string"`
	RegisteredAt string `json:"registered_at"`
	Fingerprint  string `json:"fingerprint"`
	ChainHash    string `json:"chain_hash"`
	Subject      string `json:"subject"`
	Documents    []struct {
		ID        int64  `json:"id"`
		Filename  string `json:"filename"`
		MediaType string `json:"media_type"`
		Size      int64  `json:"size"`
		SHA256    string `json:"sha256"`
		Role      string `json:"role"`
	} `json:"documents"`
	History []struct {
		Kind     string `json:"kind"`
		NewValue string `json:"new_value"`
		Field    string `json:"field"`
	} `json:"history"`
}

// mustCreate registers through the API as token and returns the answer.
func (f *fixture) mustCreate(t *testing.T, token, body string, header map[string]string) registrationOut {
	t.Helper()
	rec := f.do(t, "POST", "/api/v1/registrations", body, token, header)
	if rec.Code != 201 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var out registrationOut
	decode(t, rec, &out)
	if want := fmt.Sprintf("/api/v1/registrations/%d/%d", out.Year, out.Number); rec.Header().Get("Location") != want {
		t.Fatalf("Location %q, want %q", rec.Header().Get("Location"), want)
	}
	return out
}

// view returns the detail of (year, number) as token.
func (f *fixture) view(t *testing.T, token string, year, number int) registrationOut {
	t.Helper()
	rec := f.do(t, "GET", fmt.Sprintf("/api/v1/registrations/%d/%d", year, number), "", token, nil)
	if rec.Code != 200 {
		t.Fatalf("view: %d %s", rec.Code, rec.Body)
	}
	var out registrationOut
	decode(t, rec, &out)
	return out
}

func TestRegistrationCreate_JSON(t *testing.T) {
	f := newRegistryFixture(t)
	A := f.env.A
	t.Run("Smallest", func(t *testing.T) {
		rec := f.do(t, "POST", "/api/v1/registrations", smallestBody("Richiesta di contributo"), "A.registry", nil)
		if rec.Code != 201 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		body := rec.Body.String()
		for _, w := range []string{`"number":4,`, `"number_string":"0000004"`, `"registered_at":"`, `"fingerprint":"` + sum(pdfContent) + `"`,
			`"chain_hash":"`, `"direction":"E"`, `"subject":"Richiesta di contributo"`, `"correspondents":[{"name":"Giulia Neri"}]`,
			`"attachment_count":0`, `"register":"PG"`, `"annulled_at":null`, `"emergency":null`, `"reserved":false`} {
			if !strings.Contains(body, w) {
				t.Errorf("body lacks %s: %s", w, body)
			}
		}
		var out registrationOut
		decode(t, rec, &out)
		if rec.Header().Get("Location") != fmt.Sprintf("/api/v1/registrations/%d/4", out.Year) || len(out.ChainHash) != 64 {
			t.Fatalf("Location %q, chain %q", rec.Header().Get("Location"), out.ChainHash)
		}
		v := f.view(t, "A.registry", out.Year, out.Number)
		if len(v.Documents) != 1 || v.Documents[0].Role != "main" || v.Documents[0].Filename != "istanza.pdf" ||
			v.Documents[0].MediaType != "application/pdf" || v.Documents[0].SHA256 != sum(pdfContent) || v.Documents[0].Size != int64(len(pdfContent)) {
			t.Fatalf("documents %+v", v.Documents)
		}
		if len(v.History) != 1 || v.History[0].Kind != "registered" || v.History[0].NewValue != "0000004" {
			t.Fatalf("history %+v", v.History)
		}
		// The content is the one sent.
		rec = f.do(t, "GET", fmt.Sprintf("/api/v1/documents/%d/content", v.Documents[0].ID), "", "A.registry", nil)
		if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), pdfContent) {
			t.Fatalf("content %d %q", rec.Code, rec.Body)
		}
	})
	t.Run("AllFields", func(t *testing.T) {
		body := mustJSON(t, map[string]any{
			"direction": "E", "subject": "Segnalazione di un guasto all'illuminazione pubblica",
			"correspondents":  []map[string]string{{"name": "Condominio Aurora", "fiscal_code": "01234567890", "email": "aurora@example.it"}},
			"sender_protocol": "123/2026", "sender_protocol_date": "2026-01-15", "classification": "VI.3", "channel": "pec",
			"reserved": true, "office_id": A.Office.ID, "info_office_ids": []int64{A.Office.ID}, "attachments_note": "Una fotografia",
			"emergency": map[string]string{"number": "E-2026-0001", "at": "2026-01-20T09:30:00+01:00"},
			"document":  map[string]string{"filename": "../../segnalazione.pdf", "content_base64": b64(pdfContent)},
			"attachments": []map[string]string{
				{"filename": "foto.png", "content_base64": b64(pngContent)},
				{"filename": "nota.txt", "content_base64": b64([]byte("nota a margine")), "media_type": "text/plain; charset=utf-8"},
			},
		})
		out := f.mustCreate(t, "A.admin", body, nil)
		rec := f.do(t, "GET", fmt.Sprintf("/api/v1/registrations/%d/%d", out.Year, out.Number), "", "A.registry", nil)
		for _, w := range []string{`"sender_protocol":"123/2026"`, `"sender_protocol_date":"2026-01-15"`, `"classification":"VI.3"`,
			`"channel":"pec"`, `"reserved":true`, fmt.Sprintf(`"office_id":%d`, A.Office.ID), `"attachments_description":"Una fotografia"`,
			`"attachment_count":2`, `"emergency":{"number":"E-2026-0001","at":"2026-01-20T08:30:00Z"}`, `"fiscal_code":"01234567890"`,
			`"filename":"segnalazione.pdf"`, `"role":"main"`, `"filename":"foto.png","media_type":"image/png"`,
			`"filename":"nota.txt","media_type":"text/plain; charset=utf-8"`, `"role":"attachment"`, `"kind":"assigned"`} {
			if !strings.Contains(rec.Body.String(), w) {
				t.Errorf("detail lacks %s: %s", w, rec.Body)
			}
		}
	})
	before := f.total(t, A)
	huge := bytes.Repeat([]byte("x"), 2<<20)
	f.run(t, []scenario{
		{name: "ErrOperator", method: "POST", url: "/api/v1/registrations", body: smallestBody("x"), token: "A.operator", status: 403,
			want: []string{`"code":"forbidden"`}},
		{name: "ErrManager", method: "POST", url: "/api/v1/registrations", body: smallestBody("x"), token: "A.manager", status: 403},
		{name: "ErrRecords", method: "POST", url: "/api/v1/registrations", body: smallestBody("x"), token: "A.records", status: 403},
		{name: "ErrNoToken", method: "POST", url: "/api/v1/registrations", body: smallestBody("x"), status: 401},
		{name: "ErrBadDirection", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 422,
			body: strings.Replace(smallestBody("x"), `"direction": "E"`, `"direction": "X"`, 1), want: []string{`"fields":{"direction":`}},
		{name: "ErrBadBase64", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 422,
			body: `{"direction": "E", "subject": "x", "correspondents": [{"name": "N"}], "document": {"filename": "a.pdf", "content_base64": "not base64!"}}`,
			want: []string{`"document":"Il contenuto del file \"a.pdf\" non è base64 valido`}},
		{name: "ErrBase64WithLineBreaks", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 422,
			body: fmt.Sprintf(`{"direction": "E", "subject": "x", "correspondents": [{"name": "N"}], "document": {"filename": "a.pdf", "content_base64": %q}}`,
				b64(pdfContent)[:8]+"\n"+b64(pdfContent)[8:]), want: []string{`"document":`}},
		{name: "ErrBase64URLAlphabet", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 422,
			body: `{"direction": "E", "subject": "x", "correspondents": [{"name": "N"}], "document": {"filename": "a.pdf", "content_base64": "-_-_"}}`,
			want: []string{`"document":`}},
		{name: "ErrBadAttachmentBase64", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 422,
			body: strings.Replace(smallestBody("x"), `}}`, `}, "attachments": [{"filename": "b.pdf", "content_base64": "QQ="}]}`, 1),
			want: []string{`"attachments":"Il contenuto del file \"b.pdf\"`}},
		{name: "ErrNoDocument", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 422,
			body: `{"direction": "E", "subject": "x", "correspondents": [{"name": "N"}]}`, want: []string{`"document":`}},
		{name: "ErrEmptyDocument", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 422,
			body: `{"direction": "E", "subject": "x", "correspondents": [{"name": "N"}], "document": {"filename": "a.pdf", "content_base64": ""}}`,
			want: []string{`è vuoto`}},
		{name: "ErrNoSubjectNoCorrespondent", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 422,
			body: fmt.Sprintf(`{"direction": "U", "subject": " ", "document": {"filename": "a.pdf", "content_base64": %q}}`, b64(pdfContent)),
			want: []string{`"subject":`, `"correspondents":`}},
		{name: "ErrBadDates", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 422,
			body: strings.Replace(smallestBody("x"), `}}`, `}, "sender_protocol_date": "15/01/2026", "emergency": {"number": "E-1", "at": "ieri"}}`, 1),
			want: []string{`"sender_protocol_date":`, `"emergency_at":`}},
		{name: "ErrUnknownClassification", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 422,
			body: strings.Replace(smallestBody("x"), `}}`, `}, "classification": "XCIX.9"}`, 1), want: []string{`"classification":`}},
		{name: "ErrUnknownOffice", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 422,
			body: strings.Replace(smallestBody("x"), `}}`, fmt.Sprintf(`}, "office_id": %d}`, f.env.B.Office.ID), 1), want: []string{`"offices":`}},
		{name: "ErrUnknownField", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 400,
			body: strings.Replace(smallestBody("x"), `}}`, `}, "numero": 7}`, 1)},
		{name: "ErrNotJSON", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 400, body: `direction=E`},
		{name: "ErrEmptyBody", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 400},
		{name: "ErrTrailingData", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 400,
			body: smallestBody("x") + `{}`},
		{name: "ErrTooManyAttachments", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 422,
			body: strings.Replace(smallestBody("x"), `}}`, `}, "attachments": [`+strings.Repeat(`{"filename": "a.txt", "content_base64": "QQ=="},`, 99)+
				`{"filename": "a.txt", "content_base64": "QQ=="}]}`, 1), want: []string{`"attachments":"Troppi allegati`}},
		{name: "ErrWrongMethod", method: "PUT", url: "/api/v1/registrations", token: "A.registry", status: 405,
			headers: map[string]string{"Allow": "GET, HEAD, POST"}},
	})
	t.Run("TooLarge", func(t *testing.T) {
		f.server.MaxUpload = 1 << 10
		f.handler = f.server.Handler()
		defer func() { f.server.MaxUpload = 0; f.handler = f.server.Handler() }()
		big := bytes.Repeat([]byte("y"), 1<<10+1)
		mp, h := multipartBody(t, mpPart{field: "metadata", content: []byte(`{"direction": "E", "subject": "x", "correspondents": [{"name": "N"}]}`)},
			mpPart{field: "document", filename: "grande.pdf", content: big})
		f.run(t, []scenario{
			{name: "FileJSON", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 413,
				body: fmt.Sprintf(`{"direction": "E", "subject": "x", "correspondents": [{"name": "N"}], "document": {"filename": "grande.pdf", "content_base64": %q}}`, b64(big)),
				want: []string{`"code":"too_large"`, `Il file \"grande.pdf\" supera la dimensione massima di 1 KB`}},
			{name: "FileMultipart", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 413, body: mp, header: h,
				want: []string{`"code":"too_large"`, `grande.pdf`}},
			{name: "AttachmentJSON", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 413,
				body: strings.Replace(smallestBody("x"), `}}`, fmt.Sprintf(`}, "attachments": [{"filename": "allegato.bin", "content_base64": %q}]}`, b64(big)), 1),
				want: []string{`allegato.bin`}},
			{name: "BodyJSON", method: "POST", url: "/api/v1/registrations", token: "A.registry", status: 413,
				body: fmt.Sprintf(`{"direction": "E", "subject": %q}`, huge), want: []string{`"code":"too_large"`, `La richiesta è troppo grande`}},
		})
		mp, h = multipartBody(t, mpPart{field: "metadata", content: []byte(`{"direction": "E", "subject": "x", "correspondents": [{"name": "N"}]}`)},
			mpPart{field: "document", filename: "a.pdf", content: pdfContent},
			mpPart{field: "attachments", filename: "b.bin", content: huge})
		if rec := f.do(t, "POST", "/api/v1/registrations", mp, "A.registry", h); rec.Code != 413 || !strings.Contains(rec.Body.String(), "b.bin") {
			t.Fatalf("multipart attachment too large: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("NothingRegistered", func(t *testing.T) {
		if n := f.total(t, A); n != before {
			t.Fatalf("A's register has %d entries after the refused requests, want %d", n, before)
		}
	})
}

func TestRegistrationCreate_Multipart(t *testing.T) {
	f := newRegistryFixture(t)
	A := f.env.A
	meta := []byte(fmt.Sprintf(`{"direction": "U", "subject": "Trasmissione del verbale", "correspondents": [{"name": "Regione Lazio", "ipa_code": "r_lazio"}],
		"classification": "I.6", "channel": "pec", "office_id": %d}`, A.Office.ID))
	t.Run("MetadataFirst", func(t *testing.T) {
		body, h := multipartBody(t, mpPart{field: "metadata", contentType: "application/json", content: meta},
			mpPart{field: "document", filename: "verbale.pdf", contentType: "application/octet-stream", content: pdfContent},
			mpPart{field: "attachments", filename: "foto.png", content: pngContent},
			mpPart{field: "attachments", filename: "C:\\Documenti\\nota.txt", contentType: "text/plain", content: []byte("nota")})
		out := f.mustCreate(t, "A.registry", body, h)
		if out.Number != 4 || out.Fingerprint != sum(pdfContent) || out.Subject != "Trasmissione del verbale" {
			t.Fatalf("%+v", out)
		}
		v := f.view(t, "A.operator", out.Year, out.Number)
		if len(v.Documents) != 3 {
			t.Fatalf("documents %+v", v.Documents)
		}
		want := map[string]string{"verbale.pdf": "application/pdf main", "foto.png": "image/png attachment", "nota.txt": "text/plain attachment"}
		for _, d := range v.Documents {
			if want[d.Filename] != d.MediaType+" "+d.Role {
				t.Errorf("document %s: %s %s, want %s", d.Filename, d.MediaType, d.Role, want[d.Filename])
			}
		}
	})
	t.Run("MetadataLast", func(t *testing.T) {
		body, h := multipartBody(t, mpPart{field: "document", filename: "verbale.pdf", content: pdfContent},
			mpPart{field: "metadata", content: meta})
		if out := f.mustCreate(t, "A.admin", body, h); out.Number != 5 {
			t.Fatalf("%+v", out)
		}
	})
	before := f.total(t, A)
	part := func(ps ...mpPart) (string, map[string]string) { return multipartBody(t, ps...) }
	noMeta, h1 := part(mpPart{field: "document", filename: "a.pdf", content: pdfContent})
	noDoc, h2 := part(mpPart{field: "metadata", content: meta})
	badMeta, h3 := part(mpPart{field: "metadata", content: []byte(`{"direction": "E", "oggetto": "x"}`)}, mpPart{field: "document", filename: "a.pdf", content: pdfContent})
	badDir, h4 := part(mpPart{field: "metadata", content: []byte(`{"direction": "Z", "subject": "x", "correspondents": [{"name": "N"}]}`)},
		mpPart{field: "document", filename: "a.pdf", content: pdfContent})
	twoDocs, h5 := part(mpPart{field: "metadata", content: meta}, mpPart{field: "document", filename: "a.pdf", content: pdfContent},
		mpPart{field: "document", filename: "b.pdf", content: pdfContent})
	unknown, h6 := part(mpPart{field: "metadata", content: meta}, mpPart{field: "documento", filename: "a.pdf", content: pdfContent})
	notFile, h7 := part(mpPart{field: "metadata", content: meta}, mpPart{field: "document", content: pdfContent})
	empty, h8 := part(mpPart{field: "metadata", content: meta}, mpPart{field: "document", filename: "vuoto.pdf"})
	forbidden, h9 := part(mpPart{field: "metadata", content: meta}, mpPart{field: "document", filename: "a.pdf", content: pdfContent})
	truncated, h10 := part(mpPart{field: "metadata", content: meta}, mpPart{field: "document", filename: "a.pdf", content: bytes.Repeat(pdfContent, 100)})
	truncated = truncated[:len(truncated)/2]
	f.run(t, []scenario{
		{name: "ErrNoMetadata", method: "POST", url: "/api/v1/registrations", token: "A.registry", body: noMeta, header: h1, status: 422,
			want: []string{`"metadata":`}},
		{name: "ErrNoDocument", method: "POST", url: "/api/v1/registrations", token: "A.registry", body: noDoc, header: h2, status: 422,
			want: []string{`"document":`}},
		{name: "ErrUnknownMetadataField", method: "POST", url: "/api/v1/registrations", token: "A.registry", body: badMeta, header: h3, status: 400},
		{name: "ErrBadDirection", method: "POST", url: "/api/v1/registrations", token: "A.registry", body: badDir, header: h4, status: 422,
			want: []string{`"direction":`}},
		{name: "ErrTwoDocuments", method: "POST", url: "/api/v1/registrations", token: "A.registry", body: twoDocs, header: h5, status: 422},
		{name: "ErrUnknownPart", method: "POST", url: "/api/v1/registrations", token: "A.registry", body: unknown, header: h6, status: 400,
			want: []string{`documento`}},
		{name: "ErrDocumentNotAFile", method: "POST", url: "/api/v1/registrations", token: "A.registry", body: notFile, header: h7, status: 422},
		{name: "ErrEmptyFile", method: "POST", url: "/api/v1/registrations", token: "A.registry", body: empty, header: h8, status: 422,
			want: []string{`vuoto.pdf`}},
		{name: "ErrBrokenMultipart", method: "POST", url: "/api/v1/registrations", token: "A.registry", body: "--x\r\nnonsense",
			header: map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, status: 400},
		{name: "ErrOperator", method: "POST", url: "/api/v1/registrations", token: "A.operator", body: forbidden, header: h9, status: 403},
		{name: "ErrTruncated", method: "POST", url: "/api/v1/registrations", token: "A.registry", body: truncated, header: h10, status: 400,
			want: []string{`incompleto`}},
	})
	if n := f.total(t, A); n != before {
		t.Fatalf("A's register has %d entries after the refused requests, want %d", n, before)
	}
}

// TestRegistrationCreate_Concurrent registers from several clients at once:
// every answer has its own number, without gaps.
func TestRegistrationCreate_Concurrent(t *testing.T) {
	f := newRegistryFixture(t)
	const n = 8
	numbers := make(chan int, n)
	errs := make(chan string, n)
	for i := range n {
		go func() {
			rec := f.do(t, "POST", "/api/v1/registrations", smallestBody(fmt.Sprintf("Istanza %d", i)), "A.registry", nil)
			var out registrationOut
			if rec.Code != 201 || json.Unmarshal(rec.Body.Bytes(), &out) != nil {
				errs <- fmt.Sprintf("%d %s", rec.Code, rec.Body)
				numbers <- 0
				return
			}
			numbers <- out.Number
		}()
	}
	seen := map[int]bool{}
	for range n {
		seen[<-numbers] = true
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for i := 4; i < 4+n; i++ {
		if !seen[i] {
			t.Errorf("number %d missing: %v", i, seen)
		}
	}
}
