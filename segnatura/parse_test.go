// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package segnatura_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/segnatura"
)

func TestParse_RoundTrip(t *testing.T) {
	t.Parallel()
	_, cert := testKey()
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := segnatura.Parse(bytes.NewReader(mustBuildSigned(t, tc.in)))
			if err != nil {
				t.Fatal(err)
			}
			if !got.Signed || !got.Certificate.Equal(cert) {
				t.Errorf("Signed %v, certificate %v", got.Signed, got.Certificate != nil)
			}
			got.Signed, got.Certificate = false, nil
			if want := expected(tc.in); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
				t.Errorf("sender %+v / %+v, recipients %+v / %+v", got.Sender, want.Sender, got.Recipients, want.Recipients)
			}
		})
	}
	t.Run("unsigned", func(t *testing.T) {
		t.Parallel()
		b, err := segnatura.Build(input(procedo.DirectionIncoming, mario))
		if err != nil {
			t.Fatal(err)
		}
		got, err := segnatura.Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if got.Signed || got.Certificate != nil || got.Number != 42 {
			t.Fatalf("%+v", got)
		}
	})
}

// expected returns what Parse should read from the segnatura of in.
func expected(in *segnatura.Input) *segnatura.Parsed {
	r := in.Registration
	us := procedo.Correspondent{Name: tenant.Name, IPACode: tenant.IPACode, Email: tenant.Email}
	norm := func(c procedo.Correspondent) procedo.Correspondent {
		c.FiscalCode = procedo.NormalizeFiscalCode(c.FiscalCode)
		return c
	}
	p := &segnatura.Parsed{
		SenderIPA: tenant.IPACode, SenderAOO: aoo.Code, Register: r.RegisterCode, Number: r.Number,
		Date:                r.RegisteredAt,
		Subject:             r.Subject,
		ClassificationCode:  r.Classification,
		ClassificationTitle: in.ClassificationTitle,
		Dossier:             in.Dossier,
		Reserved:            in.Reserved,
	}
	ourAOO := segnatura.Addressee{IPA: tenant.IPACode, AOO: aoo.Code}
	switch r.Direction {
	case procedo.DirectionIncoming:
		p.Sender, p.Recipients = norm(r.Correspondents[0]), []procedo.Correspondent{us}
		p.Addressees = []segnatura.Addressee{ourAOO}
	case procedo.DirectionOutgoing:
		p.Sender = us
		for _, c := range r.Correspondents {
			p.Recipients = append(p.Recipients, norm(c))
			if c.IPACode != "" { // an administration, without AOO
				p.Addressees = append(p.Addressees, segnatura.Addressee{IPA: c.IPACode})
			}
		}
	case procedo.DirectionInternal:
		// Offices are UOs of our AOO: Parse keeps the administration.
		p.Sender = us
		for range max(1, len(r.Correspondents)) {
			p.Recipients = append(p.Recipients, us)
		}
		for _, c := range r.Correspondents {
			p.Addressees = append(p.Addressees, segnatura.Addressee{IPA: tenant.IPACode, AOO: aoo.Code, UO: c.IPACode})
		}
		if len(r.Correspondents) == 0 {
			p.Addressees = []segnatura.Addressee{ourAOO}
		}
	}
	file := func(f *segnatura.File) *segnatura.File {
		g := *f
		g.SHA256 = strings.ToLower(g.SHA256)
		return &g
	}
	p.Main = file(in.Main)
	for _, f := range in.Attachments {
		p.Attachments = append(p.Attachments, file(f))
	}
	return p
}

// TestParse_Date checks the registration time, across time zones and forms.
func TestParse_Date(t *testing.T) {
	t.Parallel()
	b, err := segnatura.Build(input(procedo.DirectionIncoming, mario))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, date, clock string
		want              time.Time
	}{
		{"with offset", "2026-11-25", "10:15:30+01:00", time.Date(2026, 11, 25, 10, 15, 30, 0, procedo.Rome)},
		{"UTC", "2026-11-25", "09:15:30Z", time.Date(2026, 11, 25, 10, 15, 30, 0, procedo.Rome)},
		{"no offset is Italian time", "2026-07-01", "23:59:59", time.Date(2026, 7, 1, 23, 59, 59, 0, procedo.Rome)},
		{"fraction", "2026-11-25", "10:15:30.250+01:00", time.Date(2026, 11, 25, 10, 15, 30, 250e6, procedo.Rome)},
		{"no time", "2026-11-25", "", time.Date(2026, 11, 25, 0, 0, 0, 0, procedo.Rome)},
		{"date with offset", "2026-11-25-05:00", "", time.Date(2026, 11, 25, 6, 0, 0, 0, procedo.Rome)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := strings.Replace(string(b), "<prot:DataRegistrazione>2026-11-25</prot:DataRegistrazione>", "<prot:DataRegistrazione>"+tc.date+"</prot:DataRegistrazione>", 1)
			clock := ""
			if tc.clock != "" {
				clock = "<prot:OraRegistrazione>" + tc.clock + "</prot:OraRegistrazione>"
			}
			s = strings.Replace(s, "<prot:OraRegistrazione>10:15:30+01:00</prot:OraRegistrazione>", clock, 1)
			p, err := segnatura.Parse(strings.NewReader(s))
			if err != nil {
				t.Fatal(err)
			}
			if !p.Date.Equal(tc.want) || p.Date.Location() != procedo.Rome {
				t.Fatalf("got %v, want %v", p.Date, tc.want)
			}
		})
	}
}

// TestParse_Foreign reads a segnatura as another AOO may write it: another
// prefix, a CodicePath classification, an administration with UO as sender,
// a foreign administration, a person with title and postal address, remote
// location of the files, Riferimenti. Signed here, it must pass the schema.
func TestParse_Foreign(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("testdata", "esterna.xml"))
	if err != nil {
		t.Fatal(err)
	}
	key, cert := testKey()
	signed, err := segnatura.Sign(raw, key, cert)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate(t, signed); err != nil {
		t.Fatalf("testdata/esterna.xml, signed, is not valid:\n%s", err)
	}
	want := &segnatura.Parsed{
		SenderIPA: "r_veneto", SenderAOO: "AOO-GIUNTA", Register: "REG_UFF", Number: 1234567,
		Date:    time.Date(2026, 1, 31, 17, 5, 0, 0, procedo.Rome),
		Subject: "Trasmissione del parere sul piano comunale — adempimenti",
		Sender:  procedo.Correspondent{Name: "Regione del Veneto", IPACode: "r_veneto", FiscalCode: "80007580279", Email: "protocollo.generale@pec.regione.veneto.example.it"},
		Recipients: []procedo.Correspondent{
			{Name: "Comune di Procedo Alto", IPACode: "c_z999"},
			{Name: "Ambasciata d'Austria"},
			{Name: "Giulia Bianchi", FiscalCode: "BNCGLI75E45L736V", Email: "giulia.bianchi@example.it"},
		},
		Addressees:         []segnatura.Addressee{{IPA: "c_z999", AOO: "AOO_PA1"}},
		ClassificationCode: "VI.3.2", ClassificationTitle: "Pianificazione territoriale: pareri",
		Dossier: &segnatura.Dossier{Code: "2026/VI.3/0004", Title: "Piano degli interventi"},
		Main:    &segnatura.File{Name: "parere.pdf.p7m", MediaType: "application/pkcs7-mime", SHA256: sumMain, Description: "Parere firmato", Signed: true},
		Attachments: []*segnatura.File{
			{Name: "allegato A.pdf", MediaType: "application/pdf", SHA256: sumA1},
		},
	}
	for name, b := range map[string][]byte{
		"unsigned": raw,
		"signed":   signed,
		// Some senders write the attributes unqualified, against the schema.
		"unqualified attributes": bytes.ReplaceAll(raw, []byte(" p:nomeFile="), []byte(" nomeFile=")),
		"byte order mark":        append([]byte("\xef\xbb\xbf"), raw...),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := segnatura.Parse(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if got.Signed != (name == "signed") {
				t.Errorf("Signed = %v", got.Signed)
			}
			got.Signed, got.Certificate = false, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
				t.Errorf("sender %+v, recipients %+v, main %+v", got.Sender, got.Recipients, got.Main)
			}
		})
	}
}

// TestParsed_AddressedTo checks the recipient check of imports: our
// administration and AOO, or our administration without an AOO.
func TestParsed_AddressedTo(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("testdata", "esterna.xml"))
	if err != nil {
		t.Fatal(err)
	}
	noAOO := bytes.Replace(raw, []byte("<p:CodiceIPAAOO>AOO_PA1</p:CodiceIPAAOO>"), nil, 1)
	emptyAOO := bytes.Replace(raw, []byte(">AOO_PA1</p:CodiceIPAAOO>"), []byte("></p:CodiceIPAAOO>"), 1)
	badAOO := bytes.Replace(raw, []byte(">AOO_PA1</p:CodiceIPAAOO>"), []byte(">AOO PA1</p:CodiceIPAAOO>"), 1)
	for _, tc := range []struct {
		name     string
		doc      []byte
		ipa, aoo string
		want     bool
	}{
		{"OurAOO", raw, "c_z999", "AOO_PA1", true},
		{"CaseInsensitive", raw, "C_Z999", "aoo_pa1", true},
		{"OtherAOO", raw, "c_z999", "AOO_PA2", false},
		{"OtherAdministration", raw, "c_x000", "AOO_PA1", false},
		{"NoCodes", raw, "", "", false},
		{"NoAOONamed", noAOO, "c_z999", "QUALSIASI", true},
		{"EmptyAOO", emptyAOO, "c_z999", "QUALSIASI", true},
		{"NoAOONamedOtherAdministration", noAOO, "c_x000", "AOO_PA1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := segnatura.Parse(bytes.NewReader(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.AddressedTo(tc.ipa, tc.aoo); got != tc.want {
				t.Fatalf("AddressedTo(%q, %q) = %v with addressees %+v", tc.ipa, tc.aoo, got, p.Addressees)
			}
		})
	}
	if _, err := segnatura.Parse(bytes.NewReader(badAOO)); procedo.ErrorCode(err) != procedo.EINVALID || !strings.Contains(err.Error(), "CodiceIPAAOO") {
		t.Fatalf("an AOO code with a space: %v", err)
	}
}

// TestParse_ManyAttachments checks a large message end to end: nothing in
// signing, verifying or reading limits the number of elements.
func TestParse_ManyAttachments(t *testing.T) {
	t.Parallel()
	in := input(procedo.DirectionOutgoing, ditta)
	for i := range 2000 {
		in.Attachments = append(in.Attachments, &segnatura.File{
			Name: fmt.Sprintf("allegato-%04d.pdf", i), MediaType: "application/pdf", SHA256: sumA1,
			Description: "Documento allegato numero " + strconv.Itoa(i), Signed: i%2 == 0,
		})
	}
	b := mustBuildSigned(t, in)
	if len(b) < 500<<10 || len(b) > segnatura.MaxSize {
		t.Fatalf("%d bytes: the test wants a large segnatura within MaxSize", len(b))
	}
	p, err := segnatura.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Signed || len(p.Attachments) != 2000 || p.Attachments[1999].Name != "allegato-1999.pdf" {
		t.Fatalf("signed %v, %d attachments", p.Signed, len(p.Attachments))
	}
	if err := validate(t, b); err != nil {
		t.Fatalf("not valid against the XSD:\n%s", err)
	}
}

func TestParse_Errors(t *testing.T) {
	t.Parallel()
	unsigned, err := segnatura.Build(cases()[5].in)
	if err != nil {
		t.Fatal(err)
	}
	u := string(unsigned)
	repl := func(old, new string) string {
		if !strings.Contains(u, old) {
			t.Fatalf("%q not in the segnatura", old)
		}
		return strings.Replace(u, old, new, 1)
	}
	deep := "<a>" + strings.Repeat("<b>", 100) + strings.Repeat("</b>", 100) + "</a>"
	for _, tc := range []struct {
		name, doc string
		code      string
		want      string // in the message
	}{
		{"empty", "", procedo.EINVALID, "vuota"},
		{"not XML", "ciao", procedo.EINVALID, ""},
		{"too large", u + strings.Repeat(" ", segnatura.MaxSize), procedo.ETOOLARGE, "dimensione massima"},
		{"DOCTYPE", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>` + u[strings.Index(u, "<prot:Seg"):], procedo.EINVALID, "DOCTYPE"},
		{"undeclared entity", repl("Richiesta", "&e;"), procedo.EINVALID, "ben formato"},
		{"Latin-1", strings.Replace(u, `encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1), procedo.EINVALID, "UTF-8"},
		{"two roots", u + "<x/>", procedo.EINVALID, ""},
		{"text after root", u + "x", procedo.EINVALID, ""},
		{"too deep", repl("<prot:Oggetto>", "<prot:Extra>"+deep+"</prot:Extra><prot:Oggetto>"), procedo.EINVALID, "annidati"},
		{"duplicate attribute", repl(`prot:nomeFile="planimetria.pdf"`, `prot:nomeFile="planimetria.pdf" prot:nomeFile="x"`), procedo.EINVALID, "ripete"},
		{"other document", `<html><body/></html>`, procedo.EINVALID, "SegnaturaInformatica"},
		{"2013 format", `<Segnatura xmlns="http://www.digitPa.gov.it/protocollo/" versione="2013-01-23"/>`, procedo.EINVALID, "60/2013"},
		{"wrong version", repl(`prot:versione="3.0.0"`, `prot:versione="2.0"`), procedo.EINVALID, "versione"},
		{"no version", repl(`prot:versione="3.0.0"`, ``), procedo.EINVALID, "versione"},
		{"no Intestazione", strings.ReplaceAll(u, "prot:Intestazione>", "prot:Testata>"), procedo.EINVALID, "manca l'elemento Intestazione"},
		{"no Oggetto", repl("<prot:Oggetto>Richiesta di accesso agli atti</prot:Oggetto>", ""), procedo.EINVALID, "Intestazione/Oggetto"},
		{"empty Oggetto", repl("<prot:Oggetto>Richiesta di accesso agli atti</prot:Oggetto>", "<prot:Oggetto> </prot:Oggetto>"), procedo.EINVALID, "oggetto"},
		{"two Oggetto", repl("<prot:Oggetto>", "<prot:Oggetto>x</prot:Oggetto><prot:Oggetto>"), procedo.EINVALID, "ripetuto"},
		{"element in Oggetto", repl("<prot:Oggetto>", "<prot:Oggetto><prot:b/>"), procedo.EINVALID, "altri elementi"},
		{"short number", repl("<prot:NumeroRegistrazione>0000042", "<prot:NumeroRegistrazione>000042"), procedo.EINVALID, "7 cifre"},
		{"number with sign", repl("<prot:NumeroRegistrazione>0000042", "<prot:NumeroRegistrazione>-0000042"), procedo.EINVALID, "7 cifre"},
		{"number zero", repl("<prot:NumeroRegistrazione>0000042", "<prot:NumeroRegistrazione>0000000"), procedo.EINVALID, "zero"},
		{"huge number", repl("<prot:NumeroRegistrazione>0000042", "<prot:NumeroRegistrazione>99999999999999999999"), procedo.EINVALID, "troppo grande"},
		{"bad date", repl("2026-11-25<", "2026-02-30<"), procedo.EINVALID, "data di registrazione"},
		{"bad date form", repl("2026-11-25<", "25/11/2026<"), procedo.EINVALID, "data di registrazione"},
		{"bad time", repl("10:15:30+01:00", "25:15:30+01:00"), procedo.EINVALID, "data di registrazione"},
		{"bad offset", repl("10:15:30+01:00", "10:15:30+15:00"), procedo.EINVALID, "data di registrazione"},
		{"bad IPA code", repl(">c_z999<", ">c z999<"), procedo.EINVALID, "CodiceAmministrazione"},
		{"bad register", repl("<prot:CodiceRegistro>PG", "<prot:CodiceRegistro>P G"), procedo.EINVALID, "CodiceRegistro"},
		{"no classification code", repl("<prot:CodiceFlat>I.6</prot:CodiceFlat>", ""), procedo.EINVALID, "CodiceFlat oppure CodicePath"},
		{"bad Riservato", repl("<prot:Riservato>true", "<prot:Riservato>sì"), procedo.EINVALID, "true o false"},
		{"no Mittente", strings.ReplaceAll(u, "prot:Mittente>", "prot:Altro>"), procedo.EINVALID, "Descrizione/Mittente"},
		{"two subjects", repl("<prot:PersonaGiuridica>", "<prot:PersonaFisica><prot:Nome>a</prot:Nome><prot:Cognome>b</prot:Cognome></prot:PersonaFisica><prot:PersonaGiuridica>"), procedo.EINVALID, "una sola"},
		{"bad VAT", repl("<prot:PIVAoCF>01234567890", "<prot:PIVAoCF>IT01234567890"), procedo.EINVALID, "PIVAoCF"},
		{"bad e-mail", repl(">pec@edilizia.example.it<", ">pec at edilizia<"), procedo.EINVALID, "e-mail"},
		{"no hash", repl(`<prot:Impronta prot:algoritmo="SHA-256">n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=</prot:Impronta>`, ""), procedo.EINVALID, "Impronta"},
		{"hash not base64", repl("n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg"), procedo.EINVALID, "base64"},
		{"hash too short", repl("n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is"), procedo.EINVALID, "32 byte"},
		{"hash as hex", repl("n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=", sumMain), procedo.EINVALID, "32 byte"},
		{"SHA-1", repl(`prot:algoritmo="SHA-256">n4bQ`, `prot:algoritmo="SHA-1">n4bQ`), procedo.EINVALID, "SHA-256"},
		{"no file name", repl(`prot:nomeFile="planimetria.pdf"`, `prot:nomeFile=" "`), procedo.EINVALID, "nomeFile"},
		{"bad media type", repl(`prot:mimeType="application/pkcs7-mime"`, `prot:mimeType="pdf"`), procedo.EINVALID, "MIME"},
		{"no recipient", strings.ReplaceAll(u, "prot:Destinatario>", "prot:Copia>"), procedo.EINVALID, "Descrizione/Destinatario"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := segnatura.Parse(strings.NewReader(tc.doc))
			if err == nil {
				t.Fatalf("no error, parsed %+v", p)
			}
			if code := procedo.ErrorCode(err); code != tc.code {
				t.Fatalf("code %s, want %s: %v", code, tc.code, err)
			}
			msg := procedo.ErrorMessage(err)
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "errore interno") {
				t.Fatalf("message %q does not mention %q", msg, tc.want)
			}
		})
	}
}

// FuzzParse checks that Parse never panics nor returns inconsistent data,
// starting from the segnature the other tests build, signed and not.
func FuzzParse(f *testing.F) {
	for _, tc := range cases() {
		f.Add(mustBuildSigned(f, tc.in))
		b, err := segnatura.Build(tc.in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	if b, err := os.ReadFile(filepath.Join("testdata", "esterna.xml")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := segnatura.Parse(bytes.NewReader(b))
		if err != nil {
			if c := procedo.ErrorCode(err); c != procedo.EINVALID && c != procedo.ETOOLARGE {
				t.Fatalf("code %s: %v", c, err)
			}
			return
		}
		if p.Number < 1 || p.Main == nil || len(p.Main.SHA256) != 64 || len(p.Recipients) == 0 ||
			p.Date.IsZero() || p.SenderIPA == "" || p.Sender.Name == "" || p.ClassificationCode == "" {
			t.Fatalf("inconsistent result %+v", p)
		}
		if p.Signed != (p.Certificate != nil) {
			t.Fatalf("Signed %v with certificate %v", p.Signed, p.Certificate)
		}
		if len(p.Addressees) > len(p.Recipients) {
			t.Fatalf("%d addressees for %d recipients", len(p.Addressees), len(p.Recipients))
		}
		for _, a := range p.Addressees {
			if a.IPA == "" || !p.AddressedTo(a.IPA, "AOO") && a.AOO == "" || a.AOO != "" && !p.AddressedTo(a.IPA, a.AOO) {
				t.Fatalf("addressee %+v not recognised", a)
			}
		}
	})
}
