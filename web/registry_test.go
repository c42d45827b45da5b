// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/segnatura"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// testSegnatura builds segnature as cmd/procedo wires them: package
// segnatura signing with the tenant's key.
func testSegnatura(db *sqlstore.DB) func(context.Context, *procedo.Registration, []*procedo.Document) ([]byte, error) {
	tenants, keys, classes := sqlstore.NewTenantService(db), sqlstore.NewSigningKeyService(db), sqlstore.NewClassificationService(db)
	return func(ctx context.Context, reg *procedo.Registration, docs []*procedo.Document) ([]byte, error) {
		_, aoo, err := tenants.FindRegister(ctx)
		if err != nil {
			return nil, err
		}
		list, err := classes.FindClassifications(ctx)
		if err != nil {
			return nil, err
		}
		in := &segnatura.Input{Tenant: procedo.TenantFromContext(ctx), AOO: aoo, Registration: reg, Reserved: reg.Reserved}
		for _, c := range list {
			if c.Code == reg.Classification {
				in.ClassificationTitle = c.Title
			}
		}
		for _, d := range docs {
			f := &segnatura.File{Name: d.Filename, MediaType: d.MediaType, SHA256: d.SHA256, Description: d.Description}
			if reg.DocumentID != nil && *reg.DocumentID == d.ID {
				in.Main = f
			} else {
				in.Attachments = append(in.Attachments, f)
			}
		}
		key, cert, err := keys.SigningKey(ctx)
		if err != nil {
			return nil, err
		}
		return segnatura.BuildSigned(in, key, cert)
	}
}

// desk is an actor with a session, making requests to the web UI.
type desk struct {
	t    *testing.T
	h    http.Handler
	who  actor
	sess *procedo.Session
}

func newDesk(t *testing.T, env *testkit.Env, h http.Handler, who actor) *desk {
	return &desk{t: t, h: h, who: who, sess: who.session(t, env.DB)}
}

func (d *desk) do(method, path string, body io.Reader, contentType string) *httptest.ResponseRecorder {
	d.t.Helper()
	req := httptest.NewRequest(method, path, body)
	req.Host = "a.test"
	if d.who.comune != nil && d.who.comune.Tenant.Slug == "comune-b" {
		req.Host = "b.test"
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if d.sess != nil {
		req.AddCookie(&http.Cookie{Name: "procedo_session", Value: d.sess.Token})
	} else {
		req.AddCookie(&http.Cookie{Name: "procedo_csrf", Value: anonCSRF})
	}
	rec := httptest.NewRecorder()
	d.h.ServeHTTP(rec, req)
	return rec
}

const anonCSRF = "anon-token-0123456789012345678901234567890"

func (d *desk) csrf() string {
	if d.sess != nil {
		return d.sess.CSRFToken
	}
	return anonCSRF
}

func (d *desk) get(path string) *httptest.ResponseRecorder {
	d.t.Helper()
	return d.do("GET", path, nil, "")
}

func (d *desk) post(path string, form url.Values) *httptest.ResponseRecorder {
	d.t.Helper()
	f := url.Values{"csrf_token": {d.csrf()}}
	for k, v := range form {
		f[k] = v
	}
	return d.do("POST", path, strings.NewReader(f.Encode()), "application/x-www-form-urlencoded")
}

// file is an uploaded file of a multipart form.
type file struct {
	field, name string
	content     []byte
}

func (d *desk) postMultipart(path string, form url.Values, files ...file) *httptest.ResponseRecorder {
	d.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", d.csrf())
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			d.t.Fatal(err)
		}
		_, _ = w.Write(f.content)
	}
	_ = mw.Close()
	return d.do("POST", path, &buf, mw.FormDataContentType())
}

// want checks the status and returns the parsed page.
func want(t *testing.T, rec *httptest.ResponseRecorder, status int) *goquery.Document {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d\n%.3000s", rec.Code, status, rec.Body.String())
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// wantText checks that the text of the elements matching sel contains each of texts.
func wantText(t *testing.T, doc *goquery.Document, sel string, texts ...string) {
	t.Helper()
	got := strings.Join(strings.Fields(doc.Find(sel).Text()), " ")
	for _, s := range texts {
		if !strings.Contains(got, s) {
			t.Errorf("%s: %q does not contain %q", sel, got, s)
		}
	}
}

// registryFixture is Comune A with a records manager, a second office and its
// operator, and an IPA code (the segnatura needs one).
type registryFixture struct {
	env              *testkit.Env
	h                http.Handler
	records, tecnico *procedo.User
	tec              *procedo.OrgUnit
}

func newRegistryFixture(t *testing.T) *registryFixture {
	t.Helper()
	env := testkit.NewEnv(t)
	A := env.A
	if err := testkit.Exec(env.DB, `UPDATE tenants SET ipa_code = 'c_a001' WHERE id = ?`, A.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	sys := A.As(procedo.SystemActor)
	f := &registryFixture{env: env, h: newHandler(env, false), tec: &procedo.OrgUnit{Code: "TEC", Name: "Ufficio Tecnico"}}
	if err := sqlstore.NewOrgUnitService(env.DB).CreateOrgUnit(sys, f.tec); err != nil {
		t.Fatal(err)
	}
	users := sqlstore.NewUserService(env.DB)
	f.records = &procedo.User{Username: "archivista", FullName: "Rita Archivista", Roles: []procedo.Role{procedo.RoleRecords}, OrgUnitID: &A.Office.ID}
	f.tecnico = &procedo.User{Username: "tecnico", FullName: "Tito Tecnico", Roles: []procedo.Role{procedo.RoleOperator}, OrgUnitID: &f.tec.ID}
	for _, u := range []*procedo.User{f.records, f.tecnico} {
		if err := users.CreateUser(sys, u, testkit.Password); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

var (
	mainPDF  = []byte("%PDF-1.4\n% domanda di accesso agli atti\n")
	annexPNG = []byte("\x89PNG\r\n\x1a\n planimetria")
)

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// validRegistration is a complete incoming registration as the desk types it.
func validRegistration(f *registryFixture) url.Values {
	return url.Values{
		"direction": {"E"}, "subject": {"Richieste di accesso agli atti del cantiere di via Roma"},
		"corr_name_1": {"Ditta Rossi S.r.l."}, "corr_cf_1": {"01234567890"}, "corr_email_1": {"pec@rossi.example.it"},
		"sender_protocol": {"123/2026"}, "sender_protocol_date": {"2026-01-10"}, "channel": {"pec"}, "classification": {"VI.3"},
		"action_office": {fmt.Sprint(f.env.A.Office.ID)}, "info_offices": {fmt.Sprint(f.tec.ID), fmt.Sprint(f.env.A.Office.ID)},
	}
}

// TestRegistryDesk walks the desk: register with files, see the detail,
// download, receipt, segnatura, search by a stemmed word, correct, the
// offices' answers, annul as records, daily register.
func TestRegistryDesk(t *testing.T) {
	f := newRegistryFixture(t)
	env, A := f.env, f.env.A
	reg := newDesk(t, env, f.h, actor{"protocollo A", A, A.Registry, nil})
	rec := newDesk(t, env, f.h, actor{"archivista A", A, f.records, nil})
	op := newDesk(t, env, f.h, actor{"operatore A", A, A.Operator, nil})
	tec := newDesk(t, env, f.h, actor{"tecnico A", A, f.tecnico, nil})

	// The form: titolario grouped by titolo, the emergency fieldset, file inputs.
	doc := want(t, reg.get("/ufficio/protocollo/nuova"), 200)
	if n := doc.Find(`select#f-classification optgroup`).Length(); n < 10 {
		t.Errorf("%d titoli in the classification picker", n)
	}
	if doc.Find(`select#f-classification optgroup option[value="VI.3"]`).Length() != 1 {
		t.Error("classe VI.3 missing from the picker")
	}
	wantText(t, doc, "form fieldset legend", "Registrazione di emergenza (art. 63 DPR 445/2000)", "Direzione", "Corrispondente 3")
	for _, sel := range []string{`form[enctype="multipart/form-data"] input[type=file][name=main]`, `input[type=file][name=attachments][multiple]`,
		`input[type=radio][name=direction][value=U]`, `input[type=checkbox][name=info_offices]`, `select#f-channel option[value=pec]`,
		`input[name=emergency_date][type=date]`, `label[for=f-corr_cf_2]`} {
		if doc.Find(sel).Length() == 0 {
			t.Errorf("no %s", sel)
		}
	}

	// Register with a main document and an attachment.
	res := reg.postMultipart("/ufficio/protocollo/nuova", validRegistration(f),
		file{"main", "domanda.pdf", mainPDF}, file{"attachments", "planimetria.png", annexPNG})
	want(t, res, http.StatusSeeOther)
	year := procedo.DateOf(time.Now()).Year
	detail := fmt.Sprintf("/ufficio/protocollo/%d/1", year)
	if loc := res.Header().Get("Location"); loc != detail {
		t.Fatalf("redirect to %q, want %q", loc, detail)
	}
	if c := res.Result().Cookies(); len(c) == 0 || c[0].Value != "registered" {
		t.Errorf("no flash: %v", c)
	}

	doc = want(t, reg.get(detail), 200)
	wantText(t, doc, "#numero-protocollo", fmt.Sprintf("0000001/%d", year))
	wantText(t, doc, "main dl", "Richieste di accesso agli atti del cantiere", "Ditta Rossi S.r.l.", "01234567890",
		"n. 123/2026 del 10/01/2026", sum(mainPDF), "planimetria.png", "PEC", "VI.3 – ", "Ufficio Segreteria")
	wantText(t, doc, "section[aria-labelledby=documenti] table", "domanda.pdf", sum(mainPDF), "planimetria.png", sum(annexPNG))
	wantText(t, doc, "section[aria-labelledby=assegnazioni] table", "Ufficio Segreteria", "Per competenza", "Ufficio Tecnico", "Per conoscenza")
	wantText(t, doc, "section[aria-labelledby=cronologia]", "Registrato al protocollo con il numero 0000001", "Assegnato per competenza a Ufficio Segreteria")
	if doc.Find("form[action$=correzione]").Length() != 1 || doc.Find("form[action$=annullamento]").Length() != 0 {
		t.Error("the registry desk sees the correction form and not the annulment")
	}
	link, _ := doc.Find(`section[aria-labelledby=documenti] a[href^="/documenti/"]`).First().Attr("href")
	if res := reg.get(link); res.Code != 200 || !bytes.Equal(res.Body.Bytes(), mainPDF) {
		t.Fatalf("download %s: %d %q", link, res.Code, res.Body.String())
	}

	// Receipt and segnatura.
	doc = want(t, reg.get(detail+"/ricevuta"), 200)
	wantText(t, doc, "#segnatura", fmt.Sprintf("Comune di Alfa – AOO AOO – PG 0000001/%d del ", year), " – E")
	if doc.Find("header nav").Length() != 1 || doc.Find(".it-header-wrapper").Length() != 0 {
		t.Error("the receipt is not on its print frame")
	}
	if doc.Find(`a[href$="/segnatura.xml"]`).Length() != 0 {
		t.Error("segnatura link on the receipt")
	}
	xml := reg.get(detail + "/segnatura.xml")
	if xml.Code != 200 || !strings.HasPrefix(xml.Header().Get("Content-Type"), "application/xml") {
		t.Fatalf("segnatura: %d %s", xml.Code, xml.Body.String())
	}
	if err := segnatura.Verify(xml.Body.Bytes()); err != nil {
		t.Fatalf("segnatura does not verify: %v", err)
	}
	p, err := segnatura.Parse(bytes.NewReader(xml.Body.Bytes()))
	if err != nil || p.Number != 1 || p.Main == nil || p.Main.SHA256 != sum(mainPDF) || len(p.Attachments) != 1 || p.ClassificationCode != "VI.3" {
		t.Fatalf("segnatura content: %+v %v", p, err)
	}

	// An outgoing letter to two recipients, typed in rows 1 and 3, with no file.
	res = reg.postMultipart("/ufficio/protocollo/nuova", url.Values{"direction": {"U"}, "subject": {"Comunicazione di avvio del procedimento"},
		"corr_name_1": {"Ditta Rossi S.r.l."}, "corr_name_3": {"Mario Rossi"}, "corr_cf_3": {"rssmra80a01h501u"}, "channel": {"posta"}})
	want(t, res, http.StatusSeeOther)
	doc = want(t, reg.get(res.Header().Get("Location")), 200)
	wantText(t, doc, "main dl", fmt.Sprintf("0000002/%d", year), "Destinatari", "Ditta Rossi S.r.l.", "Mario Rossi (C.F./P. IVA RSSMRA80A01H501U)",
		"Nessun documento informatico")
	if doc.Find(`a[href$="/segnatura.xml"]`).Length() != 0 {
		t.Error("segnatura offered without a main document")
	}

	// Search: a stemmed word of the oggetto, a correspondent, a filter that excludes it.
	second := fmt.Sprintf("/ufficio/protocollo/%d/2", year)
	for _, tc := range []struct {
		query string
		links []string // newest first
	}{
		{"", []string{second, detail}},
		{"oggetto=richiesta", []string{detail}}, // "Richieste" in the oggetto
		{"oggetto=fognatura", nil},
		{"corrispondente=mario", []string{second}},
		{"corrispondente=ROSSI", []string{second, detail}},
		{"direzione=E", []string{detail}},
		{"classificazione=VI", []string{detail}},
		{"anno=" + fmt.Sprint(year) + "&numero=0000002", []string{second}},
		{"ufficio=" + fmt.Sprint(f.tec.ID), []string{detail}},
		{"annullate=si", nil},
		{"dal=" + procedo.DateOf(time.Now()).String() + "&al=" + procedo.DateOf(time.Now()).String(), []string{second, detail}},
	} {
		doc = want(t, reg.get("/ufficio/protocollo?"+tc.query), 200)
		var links []string
		doc.Find("main table tbody tr th a").Each(func(_ int, a *goquery.Selection) { links = append(links, a.AttrOr("href", "")) })
		if strings.Join(links, " ") != strings.Join(tc.links, " ") {
			t.Errorf("%q: %v, want %v", tc.query, links, tc.links)
		}
	}
	want(t, reg.get("/ufficio/protocollo?anno=duemila&dal=ieri"), http.StatusUnprocessableEntity)

	// Correction: without changes, without a reason, then right.
	doc = want(t, reg.post(detail+"/correzione", url.Values{"classification": {"VI.3"}, "channel": {"pec"}, "reason": {"x"}}), 422)
	wantText(t, doc, "#errori", "Non hai cambiato nessun campo")
	doc = want(t, reg.post(detail+"/correzione", url.Values{"classification": {"I.6"}, "channel": {"pec"}}), 422)
	wantText(t, doc, "#f-corr-reason-errore", "motivo")
	if v, _ := doc.Find(`#f-corr-classification option[selected]`).Attr("value"); v != "I.6" {
		t.Errorf("typed classification not kept: %q", v)
	}
	want(t, reg.post(detail+"/correzione", url.Values{"classification": {"I.6"}, "channel": {"pec"}, "reason": {"Classificazione errata"}}), 303)
	doc = want(t, reg.get(detail), 200)
	wantText(t, doc, "main dl", "I.6 – ")
	wantText(t, doc, "section[aria-labelledby=cronologia]", "Corretto il campo classificazione: da «VI.3 – ", "Motivo: Classificazione errata")

	// The offices answer: the Segreteria accepts, the Tecnico returns it.
	doc = want(t, op.get("/ufficio/assegnazioni"), 200)
	if doc.Find("main section form[action$=accetta]").Length() != 1 {
		t.Fatalf("the Segreteria's inbox:\n%s", doc.Find("main").Text())
	}
	wantText(t, doc, "main section h2", fmt.Sprintf("Protocollo n. 0000001/%d – Per competenza", year))
	accept, _ := doc.Find("main section form[action$=accetta]").Attr("action")
	want(t, op.post(accept, nil), 303)
	if n := want(t, op.get("/ufficio/assegnazioni"), 200).Find("main section form").Length(); n != 0 {
		t.Errorf("accepted assignment still pending (%d forms)", n)
	}
	doc = want(t, tec.get("/ufficio/assegnazioni"), 200)
	back, _ := doc.Find("main section form[action$=restituisci]").Attr("action")
	doc = want(t, tec.post(back, url.Values{"reason": {" "}}), 422)
	wantText(t, doc, "main section .text-danger", "Indica perché")
	want(t, tec.post(back, url.Values{"reason": {"Non è di competenza dell'Ufficio Tecnico"}}), 303)
	wantText(t, want(t, reg.get(detail), 200), "section[aria-labelledby=assegnazioni] table", "Accettata", "Restituita al protocollo",
		"Non è di competenza dell'Ufficio Tecnico")

	// Annulment by the records manager: reason and act required.
	doc = want(t, rec.get(detail), 200)
	if doc.Find("form[action$=annullamento]").Length() != 1 {
		t.Fatal("no annulment form for records")
	}
	doc = want(t, rec.post(detail+"/annullamento", url.Values{"reason": {""}, "act": {""}}), 422)
	wantText(t, doc, "#f-annul-reason-errore", "motivo")
	wantText(t, doc, "#f-annul-act-errore", "art. 54")
	want(t, rec.post(detail+"/annullamento", url.Values{"reason": {"Registrato due volte"}, "act": {"Autorizzazione prot. 45/2026"}}), 303)
	doc = want(t, reg.get(detail), 200)
	wantText(t, doc, "#annullamento", "Rita Archivista", "Registrato due volte", "Autorizzazione prot. 45/2026")
	wantText(t, doc, "#numero-protocollo", fmt.Sprintf("0000001/%d", year))
	if doc.Find("form[action$=correzione], form[action$=annullamento], a[href$='segnatura.xml']").Length() != 0 {
		t.Error("an annulled registration still offers correction, annulment or segnatura")
	}
	if got := want(t, reg.get("/ufficio/protocollo?annullate=si"), 200).Find("main table tbody tr .badge.bg-danger").Length(); got != 1 {
		t.Errorf("annulled search: %d", got)
	}
	want(t, reg.get(detail+"/segnatura.xml"), http.StatusConflict)
	want(t, rec.post(detail+"/annullamento", url.Values{"reason": {"ancora"}, "act": {"x"}}), http.StatusConflict)

	// Daily register: records produces yesterday's, not today's.
	doc = want(t, rec.get("/ufficio/protocollo/giornalieri"), 200)
	if doc.Find("form input#f-day[type=date]").Length() != 1 {
		t.Fatal("no production form for records")
	}
	today := procedo.DateOf(time.Now())
	doc = want(t, rec.post("/ufficio/protocollo/giornalieri", url.Values{"day": {today.String()}}), 422)
	wantText(t, doc, "#f-day-errore", "giornata conclusa")
	want(t, rec.post("/ufficio/protocollo/giornalieri", url.Values{"day": {today.AddDays(-1).String()}}), 303)
	doc = want(t, reg.get("/ufficio/protocollo/giornalieri"), 200)
	wantText(t, doc, "main table tbody", today.AddDays(-1).Italian(), fmt.Sprintf("0000003/%d", year))
	if doc.Find("form[action='/ufficio/protocollo/giornalieri']").Length() != 0 {
		t.Error("the registry desk (not records) sees the production form")
	}
	pdfLink, _ := doc.Find(`main table a[href^="/documenti/"]`).First().Attr("href")
	if res := reg.get(pdfLink); res.Code != 200 || !bytes.HasPrefix(res.Body.Bytes(), []byte("%PDF")) {
		t.Errorf("daily register PDF: %d", res.Code)
	}
}

// TestRegistryNew_BadInput: errors come back on the form (422) with the
// values kept and nothing registered.
func TestRegistryNew_BadInput(t *testing.T) {
	f := newRegistryFixture(t)
	env, A := f.env, f.env.A
	reg := newDesk(t, env, f.h, actor{"protocollo A", A, A.Registry, nil})
	for _, tc := range []struct {
		name    string
		form    url.Values
		files   []file
		anchors []string // links of the error summary
		msgs    []string
	}{
		{"Empty", url.Values{"corr_cf_1": {"123"}}, nil,
			[]string{"#f-direction-E", "#f-subject", "#f-corr_name_1"}, []string{"obbligatorio", "nome"}},
		{"BadValues", url.Values{"direction": {"U"}, "subject": {"Oggetto"}, "corr_name_1": {"Ditta"}, "sender_protocol": {"9/2026"},
			"sender_protocol_date": {"31/02/2026"}, "channel": {"piccione"}, "emergency_number": {"E-1"}}, nil,
			[]string{"#f-sender_protocol", "#f-sender_protocol_date", "#f-channel", "#f-emergency_date"},
			[]string{"solo per i documenti in entrata", "sconosciuto", "data e ora"}},
		{"UnknownClassificationAndOffice", url.Values{"direction": {"I"}, "subject": {"Nota interna"}, "classification": {"XCIX.9"}}, nil,
			[]string{"#f-classification"}, []string{"XCIX.9"}},
		{"EmptyFileAndTooManyAttachments", url.Values{"direction": {"I"}, "subject": {"Nota interna"}},
			[]file{{"main", "vuoto.pdf", nil}, {"attachments", "1.pdf", mainPDF}, {"attachments", "2.pdf", mainPDF}, {"attachments", "3.pdf", mainPDF},
				{"attachments", "4.pdf", mainPDF}, {"attachments", "5.pdf", mainPDF}, {"attachments", "6.pdf", mainPDF}},
			[]string{"#f-main", "#f-attachments"}, []string{"vuoto", "al massimo 5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := want(t, reg.postMultipart("/ufficio/protocollo/nuova", tc.form, tc.files...), http.StatusUnprocessableEntity)
			if !strings.HasPrefix(doc.Find("title").Text(), "Errori") {
				t.Errorf("title %q", doc.Find("title").Text())
			}
			for _, a := range tc.anchors {
				if doc.Find(`#errori a[href="`+a+`"]`).Length() != 1 {
					t.Errorf("no error link to %s in %q", a, doc.Find("#errori").Text())
				}
				if doc.Find(a).Length() != 1 {
					t.Errorf("the error link %s points nowhere", a)
				}
			}
			wantText(t, doc, "#errori", tc.msgs...)
			wantText(t, doc, "main .alert-warning", "allega di nuovo")
			for name, vs := range tc.form {
				sel := `[name="` + name + `"]`
				el := doc.Find(sel)
				got, _ := el.Attr("value")
				switch {
				case el.Is("textarea"):
					got = el.Text()
				case el.Is("select"):
					got, _ = el.Find("option[selected]").Attr("value")
				case el.Is("input[type=radio]"):
					got, _ = doc.Find(sel + "[checked]").Attr("value")
				}
				if got != vs[0] && !(name == "classification" || name == "channel") { // unknown options cannot be selected
					t.Errorf("%s: shown %q, typed %q", name, got, vs[0])
				}
			}
		})
	}
	if n, err := testkit.Count(env.DB, "registrations"); err != nil || n != 0 {
		t.Fatalf("%d registrations after bad input (%v)", n, err)
	}
	if n, err := testkit.Count(env.DB, "documents"); err != nil || n != 0 {
		t.Fatalf("%d documents after bad input (%v)", n, err)
	}
}

// TestRegistryAuthorization: every registry and assignment route refuses the
// wrong role (403), anonymous visitors and citizens (401), and another
// tenant's users (404), and changes nothing when it refuses.
func TestRegistryAuthorization(t *testing.T) {
	f := newRegistryFixture(t)
	env, A, B := f.env, f.env.A, f.env.B
	reg := newDesk(t, env, f.h, actor{"protocollo A", A, A.Registry, nil})
	want(t, reg.postMultipart("/ufficio/protocollo/nuova", validRegistration(f), file{"main", "domanda.pdf", mainPDF}), 303)
	year := procedo.DateOf(time.Now()).Year
	x, err := sqlstore.NewRegistrationService(env.DB).FindAssignments(A.AsUser(A.Operator), 0, &A.Office.ID, procedo.AssignmentPending)
	if err != nil || len(x) != 1 {
		t.Fatalf("assignments %v %v", x, err)
	}
	recordsB := &procedo.User{Username: "archivista", FullName: "Archivista B", Roles: []procedo.Role{procedo.RoleRecords}}
	if err := sqlstore.NewUserService(env.DB).CreateUser(B.As(procedo.SystemActor), recordsB, testkit.Password); err != nil {
		t.Fatal(err)
	}

	anon := actor{name: "anonimo"}
	mario := actor{"Mario (A)", A, nil, testkit.Mario}
	regA := actor{"protocollo A", A, A.Registry, nil}
	recA := actor{"archivista A", A, f.records, nil}
	opA := actor{"operatore A", A, A.Operator, nil}
	mgrA := actor{"dirigente A", A, A.Manager, nil}
	adminA := actor{"admin A", A, A.Admin, nil}
	tecA := actor{"tecnico A", A, f.tecnico, nil}
	regB := actor{"protocollo B", B, B.Registry, nil}
	recB := actor{"archivista B", B, recordsB, nil}
	opB := actor{"operatore B", B, B.Operator, nil}
	mgrB := actor{"dirigente B", B, B.Manager, nil}

	d := fmt.Sprintf("/ufficio/protocollo/%d/1", year)
	acc := fmt.Sprintf("/ufficio/assegnazioni/%d/accetta", x[0].ID)
	ret := fmt.Sprintf("/ufficio/assegnazioni/%d/restituisci", x[0].ID)
	yesterday := procedo.DateOf(time.Now()).AddDays(-1).String()
	corr := url.Values{"classification": {"I.6"}, "channel": {"pec"}, "reason": {"prova"}}
	annul := url.Values{"reason": {"prova"}, "act": {"Decreto n. 1"}}
	newReg := url.Values{"direction": {"I"}, "subject": {"Nota interna"}}
	reason := url.Values{"reason": {"Non è nostra"}}
	reassign := url.Values{"office": {fmt.Sprint(f.tec.ID)}}
	for _, s := range []struct {
		method, path string
		form         url.Values
		who          actor
		status       int
	}{
		{"GET", "/ufficio/protocollo", nil, regA, 200},
		{"GET", "/ufficio/protocollo", nil, opA, 200},
		{"GET", "/ufficio/protocollo", nil, mario, 401},
		{"GET", "/ufficio/protocollo", nil, anon, 401},
		{"GET", "/ufficio/protocollo/nuova", nil, regA, 200},
		{"GET", "/ufficio/protocollo/nuova", nil, adminA, 200},
		{"GET", "/ufficio/protocollo/nuova", nil, opA, 403},
		{"GET", "/ufficio/protocollo/nuova", nil, recA, 403},
		{"GET", "/ufficio/protocollo/nuova", nil, mario, 401},
		{"POST", "/ufficio/protocollo/nuova", newReg, opA, 403},
		{"POST", "/ufficio/protocollo/nuova", newReg, recA, 403},
		{"POST", "/ufficio/protocollo/nuova", newReg, mgrA, 403},
		{"POST", "/ufficio/protocollo/nuova", newReg, mario, 401},
		{"POST", "/ufficio/protocollo/nuova", newReg, anon, 401},
		{"GET", d, nil, regA, 200},
		{"GET", d, nil, opA, 200},
		{"GET", d, nil, mario, 401},
		{"GET", d, nil, regB, 404},
		{"GET", d, nil, opB, 404},
		{"GET", "/ufficio/protocollo/2026/abc", nil, regA, 404},
		{"GET", d + "/ricevuta", nil, regA, 200},
		{"GET", d + "/ricevuta", nil, mario, 401},
		{"GET", d + "/ricevuta", nil, regB, 404},
		{"GET", d + "/ricevuta", nil, mgrB, 404},
		{"GET", d + "/segnatura.xml", nil, anon, 401},
		{"GET", d + "/segnatura.xml", nil, mario, 401},
		{"GET", d + "/segnatura.xml", nil, regB, 404},
		{"GET", d + "/segnatura.xml", nil, opA, 403},
		{"GET", d + "/segnatura.xml", nil, regA, 200},
		{"POST", d + "/correzione", corr, opA, 403},
		{"POST", d + "/correzione", corr, adminA, 403},
		{"POST", d + "/correzione", corr, mario, 401},
		{"POST", d + "/correzione", corr, regB, 404},
		{"POST", d + "/correzione", corr, opB, 404},
		{"POST", d + "/annullamento", annul, regA, 403},
		{"POST", d + "/annullamento", annul, adminA, 403},
		{"POST", d + "/annullamento", annul, mgrA, 403},
		{"POST", d + "/annullamento", annul, mario, 401},
		{"POST", d + "/annullamento", annul, recB, 404},
		{"POST", d + "/annullamento", annul, regB, 404},
		{"POST", d + "/riassegnazione", reassign, regA, 409}, // not sent back: nothing to reassign
		{"POST", d + "/riassegnazione", reassign, recA, 403},
		{"POST", d + "/riassegnazione", reassign, adminA, 403},
		{"POST", d + "/riassegnazione", reassign, opA, 403},
		{"POST", d + "/riassegnazione", reassign, mgrA, 403},
		{"POST", d + "/riassegnazione", reassign, mario, 401},
		{"POST", d + "/riassegnazione", reassign, anon, 401},
		{"POST", d + "/riassegnazione", reassign, regB, 404},
		{"POST", d + "/riassegnazione", reassign, opB, 404},
		{"GET", "/ufficio/protocollo/giornalieri", nil, regA, 200},
		{"GET", "/ufficio/protocollo/giornalieri", nil, recA, 200},
		{"GET", "/ufficio/protocollo/giornalieri", nil, opA, 403},
		{"GET", "/ufficio/protocollo/giornalieri", nil, mario, 401},
		{"POST", "/ufficio/protocollo/giornalieri", url.Values{"day": {yesterday}}, regA, 403},
		{"POST", "/ufficio/protocollo/giornalieri", url.Values{"day": {yesterday}}, adminA, 403},
		{"POST", "/ufficio/protocollo/giornalieri", url.Values{"day": {yesterday}}, mario, 401},
		{"GET", "/ufficio/assegnazioni", nil, opA, 200},
		{"GET", "/ufficio/assegnazioni", nil, mgrA, 200},
		{"GET", "/ufficio/assegnazioni", nil, regA, 403},
		{"GET", "/ufficio/assegnazioni", nil, mario, 401},
		{"POST", acc, nil, regA, 403},
		{"POST", acc, nil, tecA, 403},
		{"POST", acc, nil, mario, 401},
		{"POST", acc, nil, opB, 404},
		{"POST", acc, nil, mgrB, 404},
		{"POST", ret, reason, regA, 403},
		{"POST", ret, reason, tecA, 403},
		{"POST", ret, reason, anon, 401},
		{"POST", ret, reason, opB, 404},
		{"POST", "/ufficio/assegnazioni/abc/accetta", nil, opA, 404},
	} {
		t.Run(s.method+" "+s.path+" as "+s.who.name, func(t *testing.T) {
			dk := newDesk(t, env, f.h, s.who)
			var res *httptest.ResponseRecorder
			if s.method == "GET" {
				res = dk.get(s.path)
			} else {
				res = dk.post(s.path, s.form)
			}
			want(t, res, s.status)
		})
	}
	// Nothing was changed by the refused requests.
	regs := sqlstore.NewRegistrationService(env.DB)
	r, err := regs.FindRegistrationByNumber(A.AsUser(A.Registry), year, 1)
	if err != nil || r.Annulled() || r.Classification != "VI.3" {
		t.Fatalf("registration changed: %+v %v", r, err)
	}
	if n, _ := testkit.Count(env.DB, "registrations"); n != 1 {
		t.Fatalf("%d registrations", n)
	}
	if n, _ := testkit.Count(env.DB, "daily_registers"); n != 0 {
		t.Fatalf("%d daily registers", n)
	}
	if x, _ := regs.FindAssignments(A.AsUser(A.Operator), 0, &A.Office.ID, procedo.AssignmentPending); len(x) != 1 {
		t.Fatalf("assignment decided: %v", x)
	}
}

// TestRegistryReassign: an office sends a registration back; the desk sees
// why on the detail page and gives it to another office, and the returned
// assignment stays in the list and the history.
func TestRegistryReassign(t *testing.T) {
	f := newRegistryFixture(t)
	env, A := f.env, f.env.A
	sys := A.As(procedo.SystemActor)
	trib := &procedo.OrgUnit{Code: "TRIB", Name: "Ufficio Tributi"}
	if err := sqlstore.NewOrgUnitService(env.DB).CreateOrgUnit(sys, trib); err != nil {
		t.Fatal(err)
	}
	tributi := &procedo.User{Username: "tributi", FullName: "Teresa Tributi", Roles: []procedo.Role{procedo.RoleOperator}, OrgUnitID: &trib.ID}
	if err := sqlstore.NewUserService(env.DB).CreateUser(sys, tributi, testkit.Password); err != nil {
		t.Fatal(err)
	}
	reg := newDesk(t, env, f.h, actor{"protocollo A", A, A.Registry, nil})
	op := newDesk(t, env, f.h, actor{"operatore A", A, A.Operator, nil})
	tr := newDesk(t, env, f.h, actor{"tributi A", A, tributi, nil})
	want(t, reg.postMultipart("/ufficio/protocollo/nuova", validRegistration(f), file{"main", "domanda.pdf", mainPDF}), http.StatusSeeOther)
	detail := fmt.Sprintf("/ufficio/protocollo/%d/1", procedo.DateOf(time.Now()).Year)
	action := detail + "/riassegnazione"

	doc := want(t, reg.get(detail), 200)
	if doc.Find("#restituito, form[action$=riassegnazione]").Length() != 0 {
		t.Fatal("reassignment offered before the office sent the document back")
	}
	// The Segreteria, office for action, sends it back.
	doc = want(t, op.get("/ufficio/assegnazioni"), 200)
	back, _ := doc.Find("main section form[action$=restituisci]").Attr("action")
	want(t, op.post(back, url.Values{"reason": {"Riguarda i tributi locali"}}), http.StatusSeeOther)

	doc = want(t, op.get(detail), 200)
	wantText(t, doc, "#restituito", "Restituito al protocollo", "Ufficio Segreteria", "Riguarda i tributi locali", "Il protocollo lo assegnerà")
	if doc.Find("form[action$=riassegnazione]").Length() != 0 {
		t.Error("an operator is offered the reassignment")
	}
	doc = want(t, reg.get(detail), 200)
	wantText(t, doc, "#restituito", "Ufficio Segreteria", "Riguarda i tributi locali")
	form := doc.Find("section[aria-labelledby=riassegna] form[method=post][action$=riassegnazione]")
	if form.Length() != 1 || form.Find("input[name=csrf_token]").Length() != 1 || form.Find("label[for=f-reassign-office]").Length() != 1 ||
		form.Find("label[for=f-reassign-note]").Length() != 1 {
		t.Fatalf("reassignment form:\n%s", doc.Find("main").Text())
	}
	var offered []string
	form.Find("select#f-reassign-office option").Each(func(_ int, o *goquery.Selection) { offered = append(offered, o.AttrOr("value", "")) })
	if strings.Join(offered, " ") != " "+fmt.Sprint(trib.ID) { // the empty choice, then only the office that never had it
		t.Errorf("offices offered %q", offered)
	}

	// Errors come back on the form.
	doc = want(t, reg.post(action, url.Values{"office": {""}, "note": {"x"}}), http.StatusUnprocessableEntity)
	wantText(t, doc, "#errori", "Nuovo ufficio competente")
	wantText(t, doc, "#f-reassign-office-errore", "Scegli l'ufficio")
	if v, _ := doc.Find("#f-reassign-note").Html(); v != "x" {
		t.Errorf("note not kept: %q", v)
	}
	doc = want(t, reg.post(action, url.Values{"office": {fmt.Sprint(A.Office.ID)}}), http.StatusUnprocessableEntity)
	wantText(t, doc, "#f-reassign-office-errore", "Ufficio Segreteria ha già avuto questo documento")
	want(t, reg.post(action, url.Values{"office": {fmt.Sprint(env.B.Office.ID)}}), http.StatusUnprocessableEntity)

	res := reg.post(action, url.Values{"office": {fmt.Sprint(trib.ID)}, "note": {"Competenza dell'ufficio tributi"}})
	want(t, res, http.StatusSeeOther)
	if loc := res.Header().Get("Location"); loc != detail {
		t.Errorf("redirect to %q", loc)
	}
	if c := res.Result().Cookies(); len(c) == 0 || c[0].Value != "reg-reassigned" {
		t.Errorf("no flash: %v", c)
	}
	doc = want(t, reg.get(detail), 200)
	wantText(t, doc, "main dl", "Ufficio Tributi")
	wantText(t, doc, "section[aria-labelledby=assegnazioni] table", "Ufficio Segreteria", "Restituita al protocollo", "Riguarda i tributi locali",
		"Ufficio Tributi", "Da prendere in carico")
	wantText(t, doc, "section[aria-labelledby=cronologia]", "Restituito al protocollo da Ufficio Segreteria",
		"Assegnato per competenza a Ufficio Tributi", "Motivo: Competenza dell'ufficio tributi")
	if doc.Find("#restituito, form[action$=riassegnazione]").Length() != 0 {
		t.Error("reassignment still offered while the new office has it")
	}
	want(t, reg.post(action, url.Values{"office": {fmt.Sprint(f.tec.ID)}}), http.StatusConflict)

	// The Tributi find it among what they must take on.
	doc = want(t, tr.get("/ufficio/assegnazioni"), 200)
	if doc.Find("main section form[action$=accetta]").Length() != 1 {
		t.Fatalf("the Tributi's inbox:\n%s", doc.Find("main").Text())
	}
}
