// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/segnatura"
	"github.com/procedo/procedo/testkit"
)

// outgoingToB is the JSON body of an outgoing entry of Comune A to Comune B,
// with a main document and an attachment.
func outgoingToB(t *testing.T) string {
	return mustJSON(t, map[string]any{
		"direction": "U", "subject": "Trasmissione del permesso di costruire n. 12/2026", "classification": "VI.3", "channel": "pec",
		"correspondents": []map[string]string{{"name": "Comune di Beta", "ipa_code": ipaB, "email": "protocollo@b.test"}},
		"document":       map[string]string{"filename": "permesso.pdf", "content_base64": b64(pdfContent)},
		"attachments":    []map[string]string{{"filename": "planimetria.png", "content_base64": b64(pngContent)}},
	})
}

// validateSegnatura checks doc against the official XSD 3.0.0 with xmllint,
// as the segnatura package's tests do: the schema is in
// $PROCEDO_STANDARDS or ../shared/standards beside the module; without it or
// without xmllint the check is skipped, unless PROCEDO_TEST_XMLLINT=1.
func validateSegnatura(t *testing.T, doc []byte) {
	t.Helper()
	strict := os.Getenv("PROCEDO_TEST_XMLLINT") == "1"
	dir := os.Getenv("PROCEDO_STANDARDS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "standards") // tests run in api/
	}
	xsd := filepath.Join(dir, "segnatura-protocollo", "segnatura_protocollo.xsd")
	if _, err := os.Stat(xsd); err != nil {
		if strict {
			t.Fatalf("PROCEDO_TEST_XMLLINT=1 but %s is missing: %v", xsd, err)
		}
		t.Skipf("%s not available (set PROCEDO_STANDARDS): %v", xsd, err)
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if strict {
			t.Fatal("PROCEDO_TEST_XMLLINT=1 but xmllint is not installed (apt-get install libxml2-utils)")
		}
		t.Skip("xmllint not installed (apt-get install libxml2-utils)")
	}
	f := filepath.Join(t.TempDir(), "segnatura.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xmllint, "--nonet", "--noout", "--schema", xsd, f).CombinedOutput(); err != nil {
		t.Fatalf("the segnatura does not validate against %s: %v\n%s\n%s", xsd, err, out, doc)
	}
}

// mustSegnatura returns the segnatura of (year, number) as token.
func (f *fixture) mustSegnatura(t *testing.T, token string, year, number int) []byte {
	t.Helper()
	rec := f.do(t, "GET", fmt.Sprintf("/api/v1/registrations/%d/%d/segnatura.xml", year, number), "", token, nil)
	if rec.Code != 200 {
		t.Fatalf("segnatura: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

func TestRegistrationSegnatura(t *testing.T) {
	f := newRegistryFixture(t)
	out := f.mustCreate(t, "A.registry", outgoingToB(t), nil)
	url := fmt.Sprintf("/api/v1/registrations/%d/%d/segnatura.xml", out.Year, out.Number)
	rec := f.do(t, "GET", url, "", "A.registry", nil)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/xml") {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	xml := rec.Body.Bytes()
	for _, w := range []string{"<prot:SegnaturaInformatica", ipaA, ipaB, "<prot:NumeroRegistrazione>0000004<", "Edilizia privata",
		"<prot:CodiceFlat>VI.3<", `nomeFile="permesso.pdf"`, `nomeFile="planimetria.png"`, "Signature"} {
		if !bytes.Contains(xml, []byte(w)) {
			t.Errorf("segnatura lacks %s:\n%s", w, xml)
		}
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, fmt.Sprintf("segnatura-PG-%d-0000004.xml", out.Year)) {
		t.Errorf("Content-Disposition %q", cd)
	}
	t.Run("ValidatesAgainstXSD", func(t *testing.T) { validateSegnatura(t, xml) })
	t.Run("ParsesWithValidSignature", func(t *testing.T) {
		p, err := segnatura.Parse(bytes.NewReader(xml))
		if err != nil {
			t.Fatal(err)
		}
		if !p.Signed || p.Number != 4 || p.SenderIPA != ipaA || p.Main.SHA256 != sum(pdfContent) || len(p.Attachments) != 1 ||
			p.Attachments[0].SHA256 != sum(pngContent) || p.ClassificationTitle != "Edilizia privata" {
			t.Fatalf("%+v", p)
		}
	})
	// The fixture's online application, an incoming entry, has one too.
	t.Run("Incoming", func(t *testing.T) {
		validateSegnatura(t, f.mustSegnatura(t, "A.records", out.Year, 1))
	})

	unclassified := f.mustCreate(t, "A.registry", smallestBody("Senza classificazione"), nil)
	annulled := f.mustCreate(t, "A.registry", smallestBody("Da annullare"), nil)
	if rec := f.do(t, "POST", fmt.Sprintf("/api/v1/registrations/%d/%d/annulment", annulled.Year, annulled.Number),
		`{"reason": "Doppia registrazione", "act": "Determina n. 2"}`, "A.records", nil); rec.Code != 200 {
		t.Fatalf("annul: %d %s", rec.Code, rec.Body)
	}
	f.run(t, []scenario{
		{name: "Records", url: url, token: "A.records", status: 200, want: []string{"SegnaturaInformatica"}},
		{name: "Admin", url: url, token: "A.admin", status: 200, want: []string{"SegnaturaInformatica"}},
		{name: "ErrOperator", url: url, token: "A.operator", status: 403, want: []string{`"code":"forbidden"`}, notWant: []string{"Segnatura"}},
		{name: "ErrManager", url: url, token: "A.manager", status: 403},
		{name: "ErrNoToken", url: url, status: 401},
		{name: "ErrNotFound", url: fmt.Sprintf("/api/v1/registrations/%d/99/segnatura.xml", out.Year), token: "A.registry", status: 404},
		{name: "ErrUnclassified", url: fmt.Sprintf("/api/v1/registrations/%d/%d/segnatura.xml", unclassified.Year, unclassified.Number),
			token: "A.registry", status: 409, want: []string{`"code":"conflict"`, `classificazione`}},
		{name: "ErrAnnulled", url: fmt.Sprintf("/api/v1/registrations/%d/%d/segnatura.xml", annulled.Year, annulled.Number),
			token: "A.registry", status: 409, want: []string{`annullata`}},
		{name: "ErrWrongMethod", method: "POST", url: url, token: "A.registry", status: 405, headers: map[string]string{"Allow": "GET"}},
	})
}

// signatureRE finds the ds:Signature element of a segnatura.
var signatureRE = regexp.MustCompile(`(?s)<ds:Signature[ >].*</ds:Signature>`)

func TestRegistrationImport(t *testing.T) {
	f := newRegistryFixture(t)
	A, B := f.env.A, f.env.B
	out := f.mustCreate(t, "A.registry", outgoingToB(t), nil)
	xml := f.mustSegnatura(t, "A.registry", out.Year, out.Number)
	importBody := func(xml []byte, files ...mpPart) (string, map[string]string) {
		parts := []mpPart{{field: "segnatura", filename: "segnatura.xml", contentType: "application/xml", content: xml}}
		return multipartBody(t, append(parts, files...)...)
	}
	permesso := mpPart{field: "files", filename: "permesso.pdf", contentType: "application/pdf", content: pdfContent}
	planimetria := mpPart{field: "files", filename: "planimetria.png", content: pngContent}
	aBefore, bBefore := f.total(t, A), f.total(t, B)

	refused := func() []scenario {
		tampered := planimetria
		tampered.content = append(bytes.Clone(pngContent), '!')
		extra := mpPart{field: "files", filename: "altro.pdf", content: pdfContent}
		unsigned := signatureRE.ReplaceAll(xml, nil)
		altered := bytes.Replace(xml, []byte("Trasmissione del permesso"), []byte("Trasmissione del diniego"), 1)
		doctype := append([]byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>`), xml[bytes.IndexByte(xml, '\n'):]...)
		huge := append(bytes.Clone(xml), bytes.Repeat([]byte(" "), segnatura.MaxSize)...)
		var sc []scenario
		add := func(name, token string, status int, want []string, xml []byte, files ...mpPart) {
			body, h := importBody(xml, files...)
			sc = append(sc, scenario{name: name, method: "POST", url: "/api/v1/registrations/import", body: body, header: h, token: token,
				status: status, want: want})
		}
		add("ErrTampered", "B.registry", 422, []string{`"code":"invalid"`, `L'impronta SHA-256 del file \"planimetria.png\" non corrisponde`}, xml, permesso, tampered)
		add("ErrTamperedMain", "B.registry", 422, []string{`permesso.pdf`}, xml, mpPart{field: "files", filename: "permesso.pdf", content: pngContent}, planimetria)
		add("ErrMissingFile", "B.registry", 422, []string{`Manca il file \"planimetria.png\"`}, xml, permesso)
		add("ErrExtraFile", "B.registry", 422, []string{`Il file \"altro.pdf\" non è descritto`}, xml, permesso, planimetria, extra)
		add("ErrUnsigned", "B.registry", 422, []string{`non è firmata`}, unsigned, permesso, planimetria)
		add("ErrAlteredSegnatura", "B.registry", 422, []string{`"code":"invalid"`}, altered, permesso, planimetria)
		add("ErrDoctype", "B.registry", 422, []string{`"code":"invalid"`}, doctype, permesso, planimetria)
		add("ErrSegnaturaTooLarge", "B.registry", 413, []string{`"code":"too_large"`, `segnatura`}, huge, permesso, planimetria)
		add("ErrNotASegnatura", "B.registry", 422, []string{`SegnaturaInformatica`}, []byte(`<?xml version="1.0"?><nota>ciao</nota>`), permesso)
		// A's own outgoing entry is addressed to B, not to A.
		add("ErrNotAddressedToUs", "A.registry", 422, []string{`"code":"invalid"`, `non è indirizzata a questa AOO`, ipaA}, xml, permesso, planimetria)
		noSegnatura, h := multipartBody(t, permesso, planimetria)
		truncated, th := importBody(xml, permesso, planimetria)
		truncated = truncated[:len(truncated)-len(pngContent)/2]
		sc = append(sc, scenario{name: "ErrTruncated", method: "POST", url: "/api/v1/registrations/import", body: truncated, header: th,
			token: "B.registry", status: 400})
		sc = append(sc,
			scenario{name: "ErrNoSegnatura", method: "POST", url: "/api/v1/registrations/import", body: noSegnatura, header: h,
				token: "B.registry", status: 422, want: []string{`"segnatura":`}},
			scenario{name: "ErrNotMultipart", method: "POST", url: "/api/v1/registrations/import", body: `{"segnatura": "x"}`,
				token: "B.registry", status: 400},
		)
		for _, role := range []string{"operator", "manager", "records"} {
			add("ErrRole"+role, "B."+role, 403, []string{`"code":"forbidden"`}, xml, permesso, planimetria)
		}
		return sc
	}()
	f.run(t, refused)
	if a, b := f.total(t, A), f.total(t, B); a != aBefore || b != bBefore {
		t.Fatalf("after the refused imports A has %d entries (want %d), B %d (want %d)", a, aBefore, b, bBefore)
	}

	t.Run("RoundTrip", func(t *testing.T) {
		body, h := importBody(xml, planimetria, permesso) // any order
		rec := f.do(t, "POST", "/api/v1/registrations/import", body, "B.registry", h)
		if rec.Code != 201 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		today := procedo.DateOf(time.Now()).String()
		for _, w := range []string{`"number":2,`, `"direction":"E"`, `"subject":"Trasmissione del permesso di costruire n. 12/2026"`,
			`"correspondents":[{"name":"Comune di Alfa","ipa_code":"` + ipaA + `"}]`, `"sender_protocol":"0000004"`,
			`"sender_protocol_date":"` + today + `"`, `"channel":"interoperabilita"`, `"classification":"VI.3"`,
			`"fingerprint":"` + sum(pdfContent) + `"`, `"attachment_count":1`} {
			if !strings.Contains(rec.Body.String(), w) {
				t.Errorf("answer lacks %s: %s", w, rec.Body)
			}
		}
		var got registrationOut
		decode(t, rec, &got)
		if rec.Header().Get("Location") != fmt.Sprintf("/api/v1/registrations/%d/2", got.Year) {
			t.Errorf("Location %q", rec.Header().Get("Location"))
		}
		v := f.view(t, "B.registry", got.Year, got.Number)
		if len(v.Documents) != 2 {
			t.Fatalf("documents %+v", v.Documents)
		}
		for _, d := range v.Documents {
			if (d.Role == "main") != (d.SHA256 == sum(pdfContent) && d.Filename == "permesso.pdf" && d.MediaType == "application/pdf") ||
				(d.Role == "attachment") != (d.SHA256 == sum(pngContent) && d.Filename == "planimetria.png" && d.MediaType == "image/png") {
				t.Errorf("document %+v", d)
			}
		}
		if a := f.total(t, A); a != aBefore {
			t.Errorf("A's register changed: %d entries, want %d", a, aBefore)
		}
		// A's entry is untouched, and B's copy is B's own.
		if a := f.view(t, "A.registry", out.Year, out.Number); a.Subject != "Trasmissione del permesso di costruire n. 12/2026" || a.ID == got.ID {
			t.Errorf("A's entry %+v", a)
		}
	})
	t.Run("ErrDuplicate", func(t *testing.T) {
		before := f.total(t, B)
		body, h := importBody(xml, permesso, planimetria)
		rec := f.do(t, "POST", "/api/v1/registrations/import", body, "B.registry", h)
		if rec.Code != 409 || !strings.Contains(rec.Body.String(), `"code":"conflict"`) ||
			!strings.Contains(rec.Body.String(), fmt.Sprintf("n. %s del", procedo.FormatProtocolNumber(out.Number))) ||
			!strings.Contains(rec.Body.String(), fmt.Sprintf("protocollo n. 0000002/%d", out.Year)) {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		if n := f.total(t, B); n != before {
			t.Fatalf("B has %d entries after the refused duplicate, want %d", n, before)
		}
		// A is not B: the same entry may go to A's register if it were addressed to it.
		if n := f.total(t, A); n != aBefore {
			t.Fatalf("A has %d entries, want %d", n, aBefore)
		}
	})
	// gamma returns a segnatura of Comune di Gamma's entry number to Comune
	// di Beta, with destAOO as the Destinatario's CodiceIPAAOO ("" for none).
	gammaKey, gammaCert, err := segnatura.NewSelfSigned("AOO di prova", "Comune di Gamma")
	if err != nil {
		t.Fatal(err)
	}
	gamma := func(t *testing.T, number int, destAOO string) []byte {
		t.Helper()
		in := &segnatura.Input{
			Tenant: &procedo.Tenant{Name: "Comune di Gamma", IPACode: "c_g003"}, AOO: &procedo.AOO{Code: "AOO_G", Name: "AOO unica"},
			Registration: &procedo.Registration{RegisterCode: "REG", Year: 2026, Number: number, RegisteredAt: time.Date(2026, 3, 2, 10, 0, 0, 0, procedo.Rome),
				Direction: procedo.DirectionOutgoing, Subject: "Richiesta di parere",
				Correspondents: []procedo.Correspondent{{Name: "Comune di Beta", IPACode: ipaB}}, Fingerprint: sum(pdfContent)},
			ClassificationCode: "VI.3", ClassificationTitle: "Edilizia privata",
			Main: &segnatura.File{Name: "parere.pdf", MediaType: "application/pdf", SHA256: sum(pdfContent)},
		}
		raw, err := segnatura.Build(in)
		if err != nil {
			t.Fatal(err)
		}
		if destAOO != "" {
			ipa := []byte("<prot:CodiceIPAAmministrazione>" + ipaB + "</prot:CodiceIPAAmministrazione>")
			if !bytes.Contains(raw, ipa) {
				t.Fatalf("no Destinatario %s in\n%s", ipaB, raw)
			}
			raw = bytes.Replace(raw, ipa, append(ipa, "<prot:CodiceIPAAOO>"+destAOO+"</prot:CodiceIPAAOO>"...), 1)
		}
		signed, err := segnatura.Sign(raw, gammaKey, gammaCert)
		if err != nil {
			t.Fatal(err)
		}
		return signed
	}
	parere := mpPart{field: "files", filename: "parere.pdf", content: pdfContent}
	t.Run("RecipientAOO", func(t *testing.T) {
		ours := gamma(t, 101, "aoo") // B's AOO code is "AOO"; codes compare without case
		t.Run("ValidatesAgainstXSD", func(t *testing.T) { validateSegnatura(t, ours) })
		body, h := importBody(ours, parere)
		if rec := f.do(t, "POST", "/api/v1/registrations/import", body, "B.registry", h); rec.Code != 201 {
			t.Fatalf("addressed to our AOO: %d %s", rec.Code, rec.Body)
		}
		before := f.total(t, B)
		body, h = importBody(gamma(t, 102, "AOO_ALTRA"), parere)
		rec := f.do(t, "POST", "/api/v1/registrations/import", body, "B.registry", h)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), "non è indirizzata a questa AOO") {
			t.Fatalf("addressed to another AOO of B: %d %s", rec.Code, rec.Body)
		}
		if n := f.total(t, B); n != before {
			t.Fatalf("B has %d entries, want %d", n, before)
		}
	})
	t.Run("ErrNoIPACode", func(t *testing.T) {
		if err := testkit.Exec(f.env.DB, `UPDATE tenants SET ipa_code = '' WHERE id = ?`, B.Tenant.ID); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := testkit.Exec(f.env.DB, `UPDATE tenants SET ipa_code = ? WHERE id = ?`, ipaB, B.Tenant.ID); err != nil {
				t.Fatal(err)
			}
		}()
		body, h := importBody(gamma(t, 103, ""), parere)
		rec := f.do(t, "POST", "/api/v1/registrations/import", body, "B.registry", h)
		if rec.Code != 409 || !strings.Contains(rec.Body.String(), "codice IPA dell'ente non è configurato") {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("UnknownClassificationLeftOut", func(t *testing.T) {
		key, cert, err := segnatura.NewSelfSigned("AOO di prova", "Comune di Gamma")
		if err != nil {
			t.Fatal(err)
		}
		in := &segnatura.Input{
			Tenant: &procedo.Tenant{Name: "Comune di Gamma", IPACode: "c_g003"}, AOO: &procedo.AOO{Code: "AOO_G", Name: "AOO unica"},
			Registration: &procedo.Registration{RegisterCode: "REG", Year: 2026, Number: 77, RegisteredAt: time.Date(2026, 3, 2, 10, 0, 0, 0, procedo.Rome),
				Direction: procedo.DirectionOutgoing, Subject: "Comunicazione di avvio del procedimento",
				Correspondents: []procedo.Correspondent{{Name: "Comune di Beta", IPACode: ipaB}}, Fingerprint: sum(pdfContent)},
			ClassificationCode: "XX.1", ClassificationTitle: "Voce di un altro titolario",
			Main: &segnatura.File{Name: "avvio.pdf", MediaType: "application/pdf", SHA256: sum(pdfContent)},
		}
		other, err := segnatura.BuildSigned(in, key, cert)
		if err != nil {
			t.Fatal(err)
		}
		body, h := importBody(other, mpPart{field: "files", filename: "avvio.pdf", content: pdfContent})
		rec := f.do(t, "POST", "/api/v1/registrations/import", body, "B.admin", h)
		if rec.Code != 201 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		for _, w := range []string{`"classification":""`, `"sender_protocol":"0000077"`, `"sender_protocol_date":"2026-03-02"`,
			`"correspondents":[{"name":"Comune di Gamma","ipa_code":"c_g003"}]`} {
			if !strings.Contains(rec.Body.String(), w) {
				t.Errorf("answer lacks %s: %s", w, rec.Body)
			}
		}
	})
}
