// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package segnatura_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/segnatura"
)

// Fingerprints of made-up files (hex SHA-256, as procedo stores them).
const (
	sumMain = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	sumA1   = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"
	sumA2   = "fd61a03af4f77d870fc21e05e7e80678095c92d808cfb3b5c279ee04c74aca13"
)

// The tenant and AOO of every test segnatura.
var (
	tenant = &procedo.Tenant{ID: 1, Slug: "comune-demo", Name: "Comune di Procedo Alto", IPACode: "c_z999", Email: "protocollo@comune.procedoalto.it"}
	aoo    = &procedo.AOO{ID: 1, TenantID: 1, Code: "AOO_PA1", Name: "Area organizzativa omogenea unica"}
)

// testKey returns one RSA key and certificate for the whole run: generating
// RSA keys is slow.
var testKey = sync.OnceValues(func() (crypto.Signer, *x509.Certificate) {
	k, c, err := segnatura.NewSelfSigned("AOO_PA1 - Comune di Procedo Alto", "Comune di Procedo Alto")
	if err != nil {
		panic(err)
	}
	return k, c
})

// input returns a complete Input for a registration in direction dir, with
// correspondents cs; the options change it further.
func input(dir procedo.Direction, cs ...procedo.Correspondent) *segnatura.Input {
	return &segnatura.Input{
		Tenant: tenant,
		AOO:    aoo,
		Registration: &procedo.Registration{
			ID: 42, TenantID: 1, RegisterID: 1, RegisterCode: "PG", Year: 2026, Number: 42,
			RegisteredAt:   time.Date(2026, 11, 25, 10, 15, 30, 0, procedo.Rome),
			Direction:      dir,
			Subject:        "Richiesta di accesso agli atti",
			Correspondents: cs,
			Fingerprint:    sumMain,
			Classification: "I.6",
		},
		ClassificationTitle: "Attività informativa e partecipativa",
		Main:                &segnatura.File{Name: "istanza.pdf", MediaType: "application/pdf", SHA256: sumMain},
	}
}

var (
	mario  = procedo.Correspondent{Name: "Mario De Luca", FiscalCode: "DLCMRA80A01H501C", Email: "mario.deluca@example.it"}
	maria  = procedo.Correspondent{Name: "Maria Grazia Rossi", FiscalCode: "rssmgr85t41f205x"}
	ditta  = procedo.Correspondent{Name: "Edilizia Sàrl & Figli \"Srl\"", FiscalCode: "01234567890", Email: "pec@edilizia.example.it"}
	anon   = procedo.Correspondent{Name: "Associazione Amici del Borgo"}
	regEnt = procedo.Correspondent{Name: "Regione Lazio", IPACode: "r_lazio", FiscalCode: "80143490581", Email: "protocollo@regione.lazio.example.it"}
)

// cases are the segnature every schema, round-trip and fuzz test uses.
func cases() []struct {
	name string
	in   *segnatura.Input
} {
	type tc = struct {
		name string
		in   *segnatura.Input
	}
	withAttachments := input(procedo.DirectionOutgoing, ditta, regEnt)
	withAttachments.Attachments = []*segnatura.File{
		{Name: "planimetria.pdf", MediaType: "application/pdf", SHA256: sumA1, Description: "Planimetria dell'immobile", Signed: true},
		{Name: "relazione tecnica.docx.p7m", MediaType: "application/pkcs7-mime", SHA256: strings.ToUpper(sumA2)},
	}
	withAttachments.Main.Signed = true
	withAttachments.Main.Description = "Provvedimento di autorizzazione"
	withAttachments.Dossier = &segnatura.Dossier{Code: "2026-VI.3-17", Title: "Autorizzazione paesaggistica via Roma 1"}
	withAttachments.Reserved = true

	accented := input(procedo.DirectionIncoming, procedo.Correspondent{Name: "Niccolò Dell'Àcqua", FiscalCode: "DLLNCL90M10D612Y"})
	accented.Registration.Subject = "Istanza di autorizzazione: così è, perché «sì» & <no> \"citato\"\nseconda riga\r\nterza riga €"
	accented.ClassificationTitle = "Società partecipate & attività"
	accented.Registration.RegisteredAt = time.Date(2026, 7, 1, 23, 59, 59, 0, procedo.Rome) // summer time

	internal := input(procedo.DirectionInternal, procedo.Correspondent{Name: "Ufficio Tributi", Email: "tributi@comune.procedoalto.it"}, procedo.Correspondent{Name: "Ufficio Tecnico", IPACode: "UFF_TEC"})
	internal.Registration.Fingerprint = ""

	return []tc{
		{"E natural person", input(procedo.DirectionIncoming, mario)},
		{"E natural person lower-case code", input(procedo.DirectionIncoming, maria)},
		{"E legal person", input(procedo.DirectionIncoming, ditta)},
		{"E without fiscal code", input(procedo.DirectionIncoming, anon)},
		{"E administration", input(procedo.DirectionIncoming, regEnt)},
		{"U legal person and administration, attachments", withAttachments},
		{"U natural persons", input(procedo.DirectionOutgoing, mario, maria)},
		{"I without correspondents", input(procedo.DirectionInternal)},
		{"I offices", internal},
		{"E accented text", accented},
	}
}

// standards returns the path of rel in the shared standards folder:
// $PROCEDO_STANDARDS, else ../shared/standards beside the module root. It
// skips the test when the folder is missing, unless PROCEDO_TEST_XMLLINT=1.
func standards(tb testing.TB, rel string) string {
	tb.Helper()
	dir := os.Getenv("PROCEDO_STANDARDS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "standards") // tests run in segnatura/
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("PROCEDO_TEST_XMLLINT") == "1" {
			tb.Fatalf("PROCEDO_TEST_XMLLINT=1 but %s is missing (set PROCEDO_STANDARDS to the standards folder): %v", p, err)
		}
		tb.Skipf("%s not available (set PROCEDO_STANDARDS to the standards folder): %v", p, err)
	}
	return p
}

// validate checks doc against segnatura_protocollo.xsd 3.0.0 with xmllint
// (Debian libxml2-utils). The schema imports import_schemas/xmldsig-core-schema.xsd
// by a relative path, which the standards folder has, and --nonet keeps
// xmllint from fetching the DTD that schema names: everything is local.
func validate(t *testing.T, doc []byte) error {
	t.Helper()
	xsd := standards(t, "segnatura-protocollo/segnatura_protocollo.xsd")
	if _, err := os.Stat(filepath.Join(filepath.Dir(xsd), "import_schemas", "xmldsig-core-schema.xsd")); err != nil {
		t.Fatalf("the xmldsig schema imported by %s is missing: %v", xsd, err)
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("PROCEDO_TEST_XMLLINT") == "1" {
			t.Fatal("PROCEDO_TEST_XMLLINT=1 but xmllint is not installed (apt-get install libxml2-utils)")
		}
		t.Skip("xmllint not installed (apt-get install libxml2-utils); set PROCEDO_TEST_XMLLINT=1 to fail instead")
	}
	f := filepath.Join(t.TempDir(), "segnatura.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--nonet", "--noout", "--schema", xsd, f).CombinedOutput()
	if err != nil {
		return errors.New(string(out))
	}
	return nil
}

func mustBuildSigned(tb testing.TB, in *segnatura.Input) []byte {
	tb.Helper()
	key, cert := testKey()
	b, err := segnatura.BuildSigned(in, key, cert)
	if err != nil {
		tb.Fatalf("BuildSigned: %v", err)
	}
	return b
}

func TestBuildSigned_Schema(t *testing.T) {
	t.Parallel()
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := mustBuildSigned(t, tc.in)
			if err := segnatura.Verify(b); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if err := validate(t, b); err != nil {
				t.Fatalf("not valid against the XSD:\n%s\n%s", err, b)
			}
		})
	}
	t.Run("ECDSA", func(t *testing.T) {
		t.Parallel()
		key, cert := newECDSA(t)
		b, err := segnatura.BuildSigned(input(procedo.DirectionIncoming, mario), key, cert)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(dsig.ECDSASHA256SignatureMethod)) {
			t.Fatal("not signed with ECDSA-SHA256")
		}
		if err := segnatura.Verify(b, cert); err != nil {
			t.Fatal(err)
		}
		if err := validate(t, b); err != nil {
			t.Fatalf("not valid against the XSD:\n%s", err)
		}
	})
}

// TestBuild_UnsignedIsIncomplete documents why Build alone is not enough: the
// schema requires ds:Signature.
func TestBuild_UnsignedIsIncomplete(t *testing.T) {
	t.Parallel()
	b, err := segnatura.Build(input(procedo.DirectionIncoming, mario))
	if err != nil {
		t.Fatal(err)
	}
	err = validate(t, b)
	if err == nil || !strings.Contains(err.Error(), "Signature") {
		t.Fatalf("an unsigned segnatura should miss ds:Signature, xmllint says: %v", err)
	}
}

func TestBuild_Content(t *testing.T) {
	t.Parallel()
	in := cases()[5].in // U with attachments
	b, err := segnatura.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<?xml version="1.0" encoding="UTF-8"?>`,
		`<prot:SegnaturaInformatica xmlns:prot="http://www.agid.gov.it/protocollo/" prot:versione="3.0.0" prot:lang="it">`,
		`<prot:CodiceAmministrazione prot:descrizione="Comune di Procedo Alto">c_z999</prot:CodiceAmministrazione>`,
		`<prot:NumeroRegistrazione>0000042</prot:NumeroRegistrazione>`,
		`<prot:DataRegistrazione>2026-11-25</prot:DataRegistrazione>`,
		`<prot:OraRegistrazione>10:15:30+01:00</prot:OraRegistrazione>`,
		`<prot:CodiceFlat>I.6</prot:CodiceFlat>`,
		`<prot:Riservato>true</prot:Riservato>`,
		`<prot:PIVAoCF>01234567890</prot:PIVAoCF>`,
		`<prot:CodiceIPAAmministrazione>r_lazio</prot:CodiceIPAAmministrazione>`,
		// hex 9f86d0… is base64 n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=
		`<prot:Impronta prot:algoritmo="SHA-256">n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=</prot:Impronta>`,
		`<prot:UnDetached>true</prot:UnDetached>`,
		`prot:nomeFile="relazione tecnica.docx.p7m"`,
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("missing %s in\n%s", want, b)
		}
	}
	// Mittente is our AOO for U.
	m := b[bytes.Index(b, []byte("<prot:Mittente>")):bytes.Index(b, []byte("</prot:Mittente>"))]
	if !bytes.Contains(m, []byte("<prot:CodiceIPAAOO prot:descrizione=\"Area organizzativa omogenea unica\">AOO_PA1</prot:CodiceIPAAOO>")) {
		t.Errorf("Mittente is not our AOO:\n%s", m)
	}
}

func TestBuild_NaturalPersonNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		c          procedo.Correspondent
		given, fam string
	}{
		{"surname of two words", mario, "Mario", "De Luca"},
		{"two given names", maria, "Maria Grazia", "Rossi"},
		{"surname first", procedo.Correspondent{Name: "De Luca Mario", FiscalCode: mario.FiscalCode}, "Mario", "De Luca"},
		{"accents and apostrophe", procedo.Correspondent{Name: "Niccolò Dell'Àcqua", FiscalCode: "DLLNCL90M10D612Y"}, "Niccolò", "Dell'Àcqua"},
		{"code of someone else", procedo.Correspondent{Name: "Anna Maria Verdi", FiscalCode: mario.FiscalCode}, "Anna Maria", "Verdi"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := segnatura.Build(input(procedo.DirectionIncoming, tc.c))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"<prot:Nome>" + tc.given + "</prot:Nome>", "<prot:Cognome>" + tc.fam + "</prot:Cognome>"} {
				if !strings.Contains(string(b), want) {
					t.Errorf("want %q in\n%s", want, b)
				}
			}
		})
	}
}

func TestBuild_Errors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(in *segnatura.Input)
		want   string // in the message
	}{
		{"no input", func(in *segnatura.Input) { in.Registration = nil }, "registrazione"},
		{"no IPA code", func(in *segnatura.Input) { t := *in.Tenant; t.IPACode = ""; in.Tenant = &t }, "codice IPA dell'ente"},
		{"no AOO code", func(in *segnatura.Input) { a := *in.AOO; a.Code = "A O O"; in.AOO = &a }, "codice IPA dell'AOO"},
		{"bad register", func(in *segnatura.Input) { in.Registration.RegisterCode = "PROTOCOLLO GENERALE" }, "registro"},
		{"no number", func(in *segnatura.Input) { in.Registration.Number = 0 }, "numero"},
		{"no date", func(in *segnatura.Input) { in.Registration.RegisteredAt = time.Time{} }, "data"},
		{"year mismatch", func(in *segnatura.Input) { in.Registration.Year = 2025 }, "anno"},
		{"annulled", func(in *segnatura.Input) { now := time.Now(); in.Registration.AnnulledAt = &now }, "annullata"},
		{"empty subject", func(in *segnatura.Input) { in.Registration.Subject = "  " }, "oggetto"},
		{"control character", func(in *segnatura.Input) { in.Registration.Subject = "a\x00b" }, "oggetto"},
		{"invalid UTF-8", func(in *segnatura.Input) { in.Registration.Subject = "a\xffb" }, "oggetto"},
		{"no classification", func(in *segnatura.Input) { in.ClassificationTitle = "" }, "classificazione"},
		{"no classification code", func(in *segnatura.Input) { in.Registration.Classification = "" }, "classificazione"},
		{"two senders", func(in *segnatura.Input) { in.Registration.Correspondents = []procedo.Correspondent{mario, maria} }, "un mittente"},
		{"no recipient", func(in *segnatura.Input) {
			in.Registration.Direction = procedo.DirectionOutgoing
			in.Registration.Correspondents = nil
		}, "destinatario"},
		{"bad direction", func(in *segnatura.Input) { in.Registration.Direction = "X" }, "direzione"},
		{"bad fiscal code", func(in *segnatura.Input) { in.Registration.Correspondents[0].FiscalCode = "RSSMRA80A01" }, "codice fiscale"},
		{"bad e-mail", func(in *segnatura.Input) { in.Registration.Correspondents[0].Email = "Mario <mario@example.it>" }, "e-mail"},
		{"bad IPA of correspondent", func(in *segnatura.Input) { in.Registration.Correspondents[0].IPACode = "r lazio" }, "IPA"},
		{"no main", func(in *segnatura.Input) { in.Main = nil }, "documento principale"},
		{"fingerprint mismatch", func(in *segnatura.Input) { in.Main.SHA256 = sumA1 }, "non corrisponde"},
		{"bad hash", func(in *segnatura.Input) { in.Registration.Fingerprint = ""; in.Main.SHA256 = "abc" }, "impronta"},
		{"bad media type", func(in *segnatura.Input) { in.Main.MediaType = "" }, "MIME"},
		{"attachment without name", func(in *segnatura.Input) {
			in.Attachments = []*segnatura.File{{MediaType: "text/plain", SHA256: sumA1}}
		}, "nome del file"},
		{"nil attachment", func(in *segnatura.Input) { in.Attachments = []*segnatura.File{nil} }, "allegato"},
		{"dossier without code", func(in *segnatura.Input) { in.Dossier = &segnatura.Dossier{Title: "x"} }, "fascicolo"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := input(procedo.DirectionIncoming, mario)
			tc.change(in)
			_, err := segnatura.Build(in)
			if procedo.ErrorCode(err) != procedo.EINVALID {
				t.Fatalf("want EINVALID, got %v", err)
			}
			if msg := procedo.ErrorMessage(err); !strings.Contains(msg, tc.want) {
				t.Fatalf("message %q does not mention %q", msg, tc.want)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	key, cert := testKey()
	signed := mustBuildSigned(t, cases()[5].in)

	t.Run("OK", func(t *testing.T) {
		if err := segnatura.Verify(signed); err != nil {
			t.Fatal(err)
		}
		if err := segnatura.Verify(signed, cert); err != nil {
			t.Fatalf("with its own certificate as root: %v", err)
		}
	})
	t.Run("ErrUntrusted", func(t *testing.T) {
		_, other := newECDSA(t)
		err := segnatura.Verify(signed, other)
		if !errors.Is(err, segnatura.ErrUntrustedCertificate) || procedo.ErrorCode(err) != procedo.EINVALID {
			t.Fatalf("want ErrUntrustedCertificate, got %v", err)
		}
		if errors.Is(err, segnatura.ErrInvalidSignature) {
			t.Fatal("an intact signature is not ErrInvalidSignature")
		}
	})
	t.Run("ChainToCA", func(t *testing.T) {
		caKey, ca := newCA(t)
		leafKey, leaf := newLeaf(t, caKey, ca)
		b, err := segnatura.BuildSigned(input(procedo.DirectionIncoming, mario), leafKey, leaf)
		if err != nil {
			t.Fatal(err)
		}
		if err := segnatura.Verify(b, ca); err != nil {
			t.Fatalf("leaf issued by the root: %v", err)
		}
		if err := segnatura.Verify(b, cert); !errors.Is(err, segnatura.ErrUntrustedCertificate) {
			t.Fatalf("another root: %v", err)
		}
	})

	tamper := func(t *testing.T, b []byte, old, new string) []byte {
		t.Helper()
		if !bytes.Contains(b, []byte(old)) {
			t.Fatalf("%q not in the segnatura", old)
		}
		return bytes.Replace(b, []byte(old), []byte(new), 1)
	}
	for _, tc := range []struct{ name, old, new string }{
		{"one byte of Oggetto", "<prot:Oggetto>Richiesta", "<prot:Oggetto>Richiesto"},
		{"Oggetto with an entity", "<prot:Oggetto>Richiesta", "<prot:Oggetto>&#82;ichiesta di"},
		{"file name", `prot:nomeFile="planimetria.pdf"`, `prot:nomeFile="planimetria2.pdf"`},
		{"fingerprint", "n4bQgYhMfWWaL+qgxVrQFaO/", "n4bQgYhMfWWaL+qgxVrQFaO+"},
		{"added attachment", "</prot:Descrizione>", `<prot:Allegato prot:nomeFile="x" prot:mimeType="text/plain"><prot:Impronta>n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=</prot:Impronta></prot:Allegato></prot:Descrizione>`},
		{"signing time", "<xades:SigningTime>2", "<xades:SigningTime>1"},
		{"signature method", dsig.RSASHA256SignatureMethod, dsig.RSASHA512SignatureMethod},
	} {
		t.Run("ErrTampered "+tc.name, func(t *testing.T) {
			b := tamper(t, signed, tc.old, tc.new)
			err := segnatura.Verify(b)
			if !errors.Is(err, segnatura.ErrInvalidSignature) || procedo.ErrorCode(err) != procedo.EINVALID {
				t.Fatalf("want ErrInvalidSignature, got %v", err)
			}
			if _, err := segnatura.Parse(bytes.NewReader(b)); !errors.Is(err, segnatura.ErrInvalidSignature) {
				t.Fatalf("Parse: want ErrInvalidSignature, got %v", err)
			}
		})
	}
	t.Run("ErrOtherCertificate", func(t *testing.T) {
		_, other, err := segnatura.NewSelfSigned("altro", "Altro ente")
		if err != nil {
			t.Fatal(err)
		}
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(signed); err != nil {
			t.Fatal(err)
		}
		doc.FindElement("//ds:X509Certificate").SetText(base64.StdEncoding.EncodeToString(other.Raw))
		b, _ := doc.WriteToBytes()
		if err := segnatura.Verify(b); !errors.Is(err, segnatura.ErrInvalidSignature) {
			t.Fatalf("want ErrInvalidSignature, got %v", err)
		}
	})
	t.Run("ErrWrapped", func(t *testing.T) {
		// A second, forged Intestazione outside the signed tree cannot exist:
		// the reference covers the whole document. Moving the signature
		// elsewhere is refused too.
		b := tamper(t, signed, "</prot:Descrizione>", "</prot:Descrizione><prot:Extra/>")
		if err := segnatura.Verify(b); !errors.Is(err, segnatura.ErrInvalidSignature) {
			t.Fatalf("want ErrInvalidSignature, got %v", err)
		}
		i, j := bytes.Index(signed, []byte("<ds:Signature")), bytes.Index(signed, []byte("</ds:Signature>"))+len("</ds:Signature>")
		sig := signed[i:j]
		moved := append(append([]byte{}, signed[:i]...), signed[j:]...)
		moved = bytes.Replace(moved, []byte("<prot:Descrizione>"), append([]byte("<prot:Descrizione>"), sig...), 1)
		if err := segnatura.Verify(moved); !errors.Is(err, segnatura.ErrInvalidSignature) {
			t.Fatalf("signature moved inside Descrizione: want ErrInvalidSignature, got %v", err)
		}
		twice := bytes.Replace(signed, []byte("</prot:SegnaturaInformatica>"), append(append([]byte{}, sig...), "</prot:SegnaturaInformatica>"...), 1)
		if err := segnatura.Verify(twice); !errors.Is(err, segnatura.ErrInvalidSignature) {
			t.Fatalf("two signatures: want ErrInvalidSignature, got %v", err)
		}
	})
	t.Run("ErrUnsigned", func(t *testing.T) {
		b, err := segnatura.Build(input(procedo.DirectionIncoming, mario))
		if err != nil {
			t.Fatal(err)
		}
		err = segnatura.Verify(b)
		if !errors.Is(err, segnatura.ErrInvalidSignature) || !strings.Contains(procedo.ErrorMessage(err), "non è firmata") {
			t.Fatalf("want «non è firmata», got %v", err)
		}
	})
	t.Run("ErrSHA1", func(t *testing.T) {
		b := tamper(t, signed, `<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>`, `<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><ds:DigestValue>`)
		if err := segnatura.Verify(b); !errors.Is(err, segnatura.ErrInvalidSignature) {
			t.Fatalf("want ErrInvalidSignature, got %v", err)
		}
	})
	t.Run("Sign errors", func(t *testing.T) {
		unsigned, err := segnatura.Build(input(procedo.DirectionIncoming, mario))
		if err != nil {
			t.Fatal(err)
		}
		otherKey, _ := newECDSA(t)
		if _, err := segnatura.Sign(unsigned, otherKey, cert); procedo.ErrorCode(err) != procedo.EINTERNAL {
			t.Errorf("key of another certificate: want EINTERNAL, got %v", err)
		}
		if _, err := segnatura.Sign(unsigned, nil, nil); procedo.ErrorCode(err) != procedo.EINTERNAL {
			t.Errorf("no key: want EINTERNAL, got %v", err)
		}
		if _, err := segnatura.Sign(signed, key, cert); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Errorf("signed twice: want EINVALID, got %v", err)
		}
		if _, err := segnatura.Sign([]byte("<a/>"), key, cert); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Errorf("not a segnatura: want EINVALID, got %v", err)
		}
	})
}

// TestVerify_Interop checks our signatures with other implementations: the
// validator of goxmldsig (which checks the reference to the document) and,
// when installed, xmlsec1 (Debian xmlsec1), which checks every reference,
// the XAdES signed properties included.
func TestVerify_Interop(t *testing.T) {
	t.Parallel()
	_, cert := testKey()
	signed := mustBuildSigned(t, cases()[9].in)

	t.Run("goxmldsig", func(t *testing.T) {
		doc := etree.NewDocument()
		if err := doc.ReadFromBytes(signed); err != nil {
			t.Fatal(err)
		}
		v := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
		if _, err := v.Validate(doc.Root()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("xmlsec1", func(t *testing.T) {
		xmlsec, err := exec.LookPath("xmlsec1")
		if err != nil {
			t.Skip("xmlsec1 not installed (apt-get install xmlsec1)")
		}
		dir := t.TempDir()
		doc, pemFile := filepath.Join(dir, "s.xml"), filepath.Join(dir, "cert.pem")
		if err := os.WriteFile(doc, signed, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(xmlsec, "--verify", "--insecure", "--pubkey-cert-pem", pemFile,
			"--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties", doc).CombinedOutput()
		if err != nil {
			t.Fatalf("xmlsec1: %v\n%s", err, out)
		}
	})
}

func newECDSA(tb testing.TB) (crypto.Signer, *x509.Certificate) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "ECDSA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return key, cert
}

func newCA(tb testing.TB) (crypto.Signer, *x509.Certificate) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return key, ca
}

func newLeaf(tb testing.TB, caKey crypto.Signer, ca *x509.Certificate) (crypto.Signer, *x509.Certificate) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Sigillo AOO", Organization: []string{"Comune di Procedo Alto"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		tb.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return key, leaf
}
