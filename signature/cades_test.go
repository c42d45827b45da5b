// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package signature

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"
)

var testPDF = []byte("%PDF-1.7\n% domanda di accesso agli atti\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func TestInspectCAdES(t *testing.T) {
	p := pki(t)
	t.Run("RSA", func(t *testing.T) {
		p7m := buildCMS(t, testPDF, signOpts{}, p.rsa)
		res, err := InspectCAdES(p7m, Options{Filename: "domanda.pdf.p7m"})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(res.Content, testPDF) || res.MediaType != "application/pdf" || res.Filename != "domanda.pdf" {
			t.Errorf("content %q, %s, %s", res.Content, res.MediaType, res.Filename)
		}
		if res.Depth != 1 || res.Encoding != "DER" || len(res.Signers) != 1 {
			t.Fatalf("depth %d, encoding %s, %d signers", res.Depth, res.Encoding, len(res.Signers))
		}
		s := res.Signers[0]
		checks := []struct{ name, got, want string }{
			{"CommonName", s.CommonName, "Mario Rossi"},
			{"GivenName", s.GivenName, "Mario"},
			{"Surname", s.Surname, "Rossi"},
			{"Name", s.Name(), "Mario Rossi"},
			{"SerialNumber", s.SerialNumber, "TINIT-RSSMRA80A01H501U"},
			{"FiscalCode", s.FiscalCode, "RSSMRA80A01H501U"},
			{"Organization", s.Organization, "Comune di Prova"},
			{"Issuer", s.Issuer, "Test Root CA qualificata"},
			{"IssuerOrganization", s.IssuerOrganization, "Certificatore di Prova S.p.A."},
			{"DigestAlgorithm", s.DigestAlgorithm, "SHA-256"},
			{"SignatureAlgorithm", s.SignatureAlgorithm, "RSA"},
			{"Trust", s.Trust.String(), "not checked"},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
			}
		}
		if !s.SigningTime.Equal(t0) || !s.CheckedAt.Equal(t0) || !s.ValidAtSigning {
			t.Errorf("signing time %v, checked at %v, valid %v", s.SigningTime, s.CheckedAt, s.ValidAtSigning)
		}
		if !s.NotBefore.Equal(p.rsa.cert.NotBefore) || !s.NotAfter.Equal(p.rsa.cert.NotAfter) {
			t.Errorf("validity %v..%v", s.NotBefore, s.NotAfter)
		}
		if !s.NonRepudiation || !s.Qualified || !s.QSCD || !s.CertificateBound || s.Level != 0 {
			t.Errorf("nonRepudiation %v qualified %v qscd %v bound %v level %d", s.NonRepudiation, s.Qualified, s.QSCD, s.CertificateBound, s.Level)
		}
		if s.Certificate == nil || !s.Certificate.Equal(p.rsa.cert) {
			t.Error("certificate not returned")
		}
	})
	t.Run("ECDSA", func(t *testing.T) {
		for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
			res, err := InspectCAdES(buildCMS(t, testPDF, signOpts{hash: h}, p.ec), Options{})
			if err != nil {
				t.Fatal(h, err)
			}
			s := res.Signers[0]
			if s.SignatureAlgorithm != "ECDSA" || s.DigestAlgorithm != hashName(h) || s.FiscalCode != "BNCNNA85M41F205X" {
				t.Errorf("%v: %s %s %s", h, s.SignatureAlgorithm, s.DigestAlgorithm, s.FiscalCode)
			}
		}
	})
	t.Run("RSAPSS", func(t *testing.T) {
		for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA512} {
			res, err := InspectCAdES(buildCMS(t, testPDF, signOpts{hash: h, pss: true}, p.rsa), Options{})
			if err != nil {
				t.Fatal(h, err)
			}
			if a := res.Signers[0].SignatureAlgorithm; a != "RSA-PSS" {
				t.Errorf("algorithm %s", a)
			}
		}
	})
	t.Run("ESSv1AndSubjectKeyIdentifier", func(t *testing.T) {
		res, err := InspectCAdES(buildCMS(t, testPDF, signOpts{essV1: true, ski: true}, p.ec), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Signers[0].CertificateBound {
			t.Error("ESS v1 not read")
		}
	})
	t.Run("PlainPKCS7", func(t *testing.T) {
		res, err := InspectCAdES(buildCMS(t, testPDF, signOpts{noAttrs: true}, p.rsa), Options{Now: t0})
		if err != nil {
			t.Fatal(err)
		}
		s := res.Signers[0]
		if s.CertificateBound || !s.SigningTime.IsZero() || !s.CheckedAt.Equal(t0) {
			t.Errorf("bound %v signing time %v checked at %v", s.CertificateBound, s.SigningTime, s.CheckedAt)
		}
	})
	t.Run("CoSigned", func(t *testing.T) {
		res, err := InspectCAdES(buildCMS(t, testPDF, signOpts{}, p.rsa, p.ec), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Signers) != 2 || res.Signers[0].Surname != "Rossi" || res.Signers[1].Surname != "Bianchi" {
			t.Errorf("signers %+v", res.Signers)
		}
	})
	t.Run("Base64AndPEM", func(t *testing.T) {
		der := buildCMS(t, testPDF, signOpts{}, p.rsa)
		b64 := base64.StdEncoding.EncodeToString(der)
		wrapped := ""
		for i := 0; i < len(b64); i += 76 {
			wrapped += b64[i:min(len(b64), i+76)] + "\r\n"
		}
		forms := map[string][]byte{
			"base64":   []byte(b64),
			"wrapped":  []byte(wrapped),
			"unpadded": []byte(strings.TrimRight(b64, "=")),
			"PEM":      pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: der}),
		}
		for name, in := range forms {
			res, err := InspectCAdES(in, Options{Filename: "x.pdf.p7m"})
			if err != nil {
				t.Fatal(name, err)
			}
			if res.Encoding != "base64" || !bytes.Equal(res.Content, testPDF) {
				t.Errorf("%s: encoding %s", name, res.Encoding)
			}
		}
	})
	t.Run("BER", func(t *testing.T) {
		big := bytes.Repeat(testPDF, 40)
		ber := toBER(t, buildCMS(t, big, signOpts{}, p.rsa), 100)
		res, err := InspectCAdES(ber, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Encoding != "BER" || !bytes.Equal(res.Content, big) {
			t.Errorf("encoding %s, %d bytes", res.Encoding, len(res.Content))
		}
	})
	t.Run("Nested", func(t *testing.T) {
		inner := buildCMS(t, testPDF, signOpts{}, p.rsa)
		outer := buildCMS(t, inner, signOpts{}, p.ec)
		res, err := InspectCAdES(outer, Options{Filename: "C:\\atti\\delibera.PDF.p7m.P7M"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Depth != 2 || len(res.Signers) != 2 || !bytes.Equal(res.Content, testPDF) || res.Filename != "delibera.PDF" {
			t.Fatalf("depth %d, %d signers, name %s", res.Depth, len(res.Signers), res.Filename)
		}
		if res.Signers[0].Level != 0 || res.Signers[0].Surname != "Bianchi" || res.Signers[1].Level != 1 || res.Signers[1].Surname != "Rossi" {
			t.Errorf("levels %+v", res.Signers)
		}
		// An inner envelope in base64 is opened too.
		outer = buildCMS(t, []byte(base64.StdEncoding.EncodeToString(inner)), signOpts{}, p.ec)
		if res, err := InspectCAdES(outer, Options{}); err != nil || res.Depth != 2 {
			t.Errorf("base64 inner: %v", err)
		}
	})
	t.Run("TooDeep", func(t *testing.T) {
		b := testPDF
		for range MaxDepth + 1 {
			b = buildCMS(t, b, signOpts{}, p.ec)
		}
		_, err := InspectCAdES(b, Options{})
		wantErr(t, err, ErrTooDeep)
	})
	t.Run("Trusted", func(t *testing.T) {
		res, err := InspectCAdES(buildCMS(t, testPDF, signOpts{}, p.rsa), Options{Roots: pool(p.root.cert)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Signers[0].Trust != Trusted {
			t.Errorf("trust %v: %s", res.Signers[0].Trust, res.Signers[0].TrustDetail)
		}
	})
	t.Run("UntrustedRoot", func(t *testing.T) {
		res, err := InspectCAdES(buildCMS(t, testPDF, signOpts{}, p.rsa), Options{Roots: pool(p.otherRoot.cert)})
		wantErr(t, err, ErrUntrusted)
		if res == nil || res.Signers[0].Trust != Untrusted || res.Signers[0].FiscalCode != "RSSMRA80A01H501U" || res.Content == nil {
			t.Errorf("result with the error: %+v", res)
		}
		res, err = InspectCAdES(buildCMS(t, testPDF, signOpts{}, p.stranger), Options{Roots: pool(p.root.cert)})
		wantErr(t, err, ErrUntrusted)
		if res == nil || res.Signers[0].CommonName != "Ignoto" || res.Signers[0].Name() != "Ignoto" {
			t.Errorf("result with the error: %+v", res)
		}
	})
	t.Run("ExpiredCertificate", func(t *testing.T) {
		res, err := InspectCAdES(buildCMS(t, testPDF, signOpts{}, p.expired), Options{})
		wantErr(t, err, ErrCertificateExpired)
		if res == nil || res.Signers[0].ValidAtSigning || res.Signers[0].Surname != "Verdi" {
			t.Errorf("result with the error: %+v", res)
		}
		// Signed while valid: accepted (the claim is the signer's).
		res, err = InspectCAdES(buildCMS(t, testPDF, signOpts{signingTime: time.Date(2020, 6, 1, 0, 0, 0, 0, time.UTC)}, p.expired), Options{Roots: pool(p.root.cert)})
		if err != nil || res.Signers[0].Trust != Trusted {
			t.Errorf("signed while valid: %v", err)
		}
		// No signing time: checked at Options.Now.
		_, err = InspectCAdES(buildCMS(t, testPDF, signOpts{noTime: true}, p.expired), Options{Now: t0})
		wantErr(t, err, ErrCertificateExpired)
	})
}

func TestInspectCAdES_Refused(t *testing.T) {
	p := pki(t)
	good := buildCMS(t, testPDF, signOpts{}, p.rsa)
	tampered := bytes.Clone(good)
	i := bytes.Index(tampered, []byte("accesso"))
	copy(tampered[i:], "ACCESSO")
	badSig := bytes.Clone(good)
	badSig[len(badSig)-10] ^= 0x01 // inside the RSA signature value, the last field
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"TamperedContent", tampered, ErrContentModified},
		{"WrongDigest", buildCMS(t, testPDF, signOpts{digestOf: []byte("altro")}, p.rsa), ErrContentModified},
		{"BadSignature", badSig, ErrBadSignature},
		{"WrongCertificate", buildCMS(t, testPDF, signOpts{cert: p.ec.cert}, p.rsa), ErrBadSignature},
		{"WrongCertificateSameKeyType", buildCMS(t, testPDF, signOpts{cert: p.stranger.cert, noESS: true}, p.expired), ErrBadSignature},
		{"ESSNamesAnother", buildCMS(t, testPDF, signOpts{essCert: p.ec.cert}, p.rsa), ErrCertificateMismatch},
		{"ESSv1NamesAnother", buildCMS(t, testPDF, signOpts{essV1: true, essCert: p.ec.cert}, p.rsa), ErrCertificateMismatch},
		{"NoContentType", buildCMS(t, testPDF, signOpts{noContentType: true}, p.rsa), ErrMissingAttribute},
		{"SHA1", buildCMS(t, testPDF, signOpts{hash: crypto.SHA1}, p.rsa), ErrUnsupportedAlgorithm},
		{"Detached", buildCMS(t, testPDF, signOpts{detached: true}, p.rsa), ErrDetached},
		{"NoCertificate", noCerts(buildCMS(t, testPDF, signOpts{}, p.rsa), p.rsa.cert), ErrCertificateMissing},
		{"Garbage", []byte("questo non è un file firmato"), ErrMalformed},
		{"Empty", nil, ErrMalformed},
		{"Truncated", good[:len(good)/2], ErrMalformed},
		{"PDF", testPDF, ErrMalformed},
		{"TooLarge", make([]byte, MaxSize+1), ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := InspectCAdES(tc.in, Options{})
			wantErr(t, err, tc.want)
			if res != nil {
				t.Errorf("a result with %v", err)
			}
		})
	}
}

func TestMessage(t *testing.T) {
	p := pki(t)
	b := buildCMS(t, testPDF, signOpts{digestOf: []byte("x")}, p.rsa)
	_, err := InspectCAdES(b, Options{})
	if got, want := Message(err), "La firma digitale non è valida: il contenuto è stato modificato dopo la firma."; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Signer != 0 || !strings.Contains(e.Error(), "digest") {
		t.Errorf("error %#v", err)
	}
	if Message(errors.New("x")) == "" {
		t.Error("no generic message")
	}
	for kind := range messages {
		if m := (&Error{Kind: kind}).Message(); m == "" || strings.Contains(m, "signature") {
			t.Errorf("%v: message %q", kind, m)
		}
	}
}

func TestFiscalCodeFromSerial(t *testing.T) {
	tests := []struct{ in, want string }{
		{"TINIT-RSSMRA80A01H501U", "RSSMRA80A01H501U"},
		{"IT:RSSMRA80A01H501U", "RSSMRA80A01H501U"},
		{" tinit-rssmra80a01h501u ", "RSSMRA80A01H501U"},
		{"TINIT-12345678901", "12345678901"},
		{"VATIT-12345678901", ""},
		{"TINIT-RSSMRA80A01H501", ""},
		{"TINIT-RSSMRA80A01H50-U", ""},
		{"RSSMRA80A01H501U", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := FiscalCodeFromSerial(tc.in); got != tc.want {
			t.Errorf("FiscalCodeFromSerial(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSniffAndName(t *testing.T) {
	odt := append([]byte("PK\x03\x04"), make([]byte, 26)...)
	odt = append(odt, "mimetypeapplication/vnd.oasis.opendocument.textPK\x03\x04"...)
	tests := []struct {
		name    string
		content []byte
		file    string
		media   string
		want    string
	}{
		{"PDF", testPDF, "domanda.pdf.p7m", "application/pdf", "domanda.pdf"},
		{"NoName", testPDF, "", "application/pdf", "documento.pdf"},
		{"NoInnerExt", testPDF, "domanda.p7m", "application/pdf", "domanda.pdf"},
		{"WrongExt", testPDF, "foto.jpg.p7m", "application/pdf", "foto.jpg.pdf"},
		{"XML", []byte("\xef\xbb\xbf<?xml version=\"1.0\"?><a/>"), "fattura.xml.p7m", "application/xml", "fattura.xml"},
		{"ODT", odt, "relazione.odt.p7m", "application/vnd.oasis.opendocument.text", "relazione.odt"},
		{"DOCX", append([]byte("PK\x03\x04...[Content_Types].xml...word/document.xml"), 0), "a.p7m", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a.docx"},
		{"JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "foto.jpeg.p7m", "image/jpeg", "foto.jpeg"},
		{"Text", []byte("Dichiaro di essere residente a Roma."), "dich.txt.p7m", "text/plain; charset=utf-8", "dich.txt"},
		{"Binary", []byte{0x00, 0x01, 0xfe, 0x80, 0x81}, "dati.bin.p7m", "application/octet-stream", "dati.bin"},
		{"PathStripped", testPDF, "../../etc/passwd.p7m", "application/pdf", "passwd.pdf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := sniff(tc.content)
			if m != tc.media {
				t.Errorf("sniff = %q, want %q", m, tc.media)
			}
			if got := suggestName(tc.file, m); got != tc.want {
				t.Errorf("suggestName = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLooksLikeCAdES(t *testing.T) {
	p := pki(t)
	der := buildCMS(t, testPDF, signOpts{}, p.ec)
	yes := [][]byte{der, der[:40], toBER(t, der, 1000), []byte(base64.StdEncoding.EncodeToString(der)), pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: der})}
	for i, b := range yes {
		if !LooksLikeCAdES(b[:min(len(b), 512)]) {
			t.Errorf("case %d not recognised", i)
		}
	}
	for _, b := range [][]byte{nil, testPDF, p.ec.cert.Raw, []byte("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA")} {
		if LooksLikeCAdES(b) {
			t.Errorf("%q recognised", b[:min(len(b), 20)])
		}
	}
}

func TestToDER(t *testing.T) {
	p := pki(t)
	der := buildCMS(t, bytes.Repeat([]byte("abc"), 1000), signOpts{}, p.ec)
	for _, chunk := range []int{1, 7, 1000, 1 << 20} {
		got, rest, err := toDER(toBER(t, der, chunk))
		if err != nil || len(rest) != 0 || !bytes.Equal(got, der) {
			t.Errorf("chunk %d: %v, %d rest, equal %v", chunk, err, len(rest), bytes.Equal(got, der))
		}
	}
	if got, _, err := toDER(der); err != nil || !bytes.Equal(got, der) {
		t.Error("DER is not left unchanged")
	}
	// Deep nesting and broken lengths are refused, not recursed into.
	deep := bytes.Repeat([]byte{0x30, 0x80}, 1000)
	for _, b := range [][]byte{deep, {0x30, 0x85, 1, 1, 1, 1, 1}, {0x04, 0x80, 0, 0}, {0x30, 0x05, 0x04}, {0x1f}} {
		if _, _, err := toDER(b); err == nil {
			t.Errorf("% x accepted", b[:min(len(b), 8)])
		}
	}
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// noCerts hides cert in a DER SignedData: its SEQUENCE tag becomes [1] (an
// attribute certificate, same length), which the parser skips.
func noCerts(der []byte, cert *x509.Certificate) []byte {
	i := bytes.Index(der, cert.Raw)
	if i < 0 {
		panic("certificate not found")
	}
	out := bytes.Clone(der)
	out[i] = 0xa1
	return out
}

func wantErr(t *testing.T, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error %v, want %v", err, kind)
	}
	var e *Error
	if !errors.As(err, &e) || e.Message() == "" {
		t.Fatalf("error %T is not an *Error with a message", err)
	}
}

func BenchmarkInspectCAdES(b *testing.B) {
	p := pki(b)
	content := bytes.Repeat(testPDF, (10<<20)/len(testPDF)) // 10 MB
	p7m := buildCMS(b, content, signOpts{}, p.rsa, p.ec)
	b.SetBytes(int64(len(p7m)))
	for b.Loop() {
		if _, err := InspectCAdES(p7m, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInspectCAdES_BER(b *testing.B) {
	p := pki(b)
	content := bytes.Repeat(testPDF, (10<<20)/len(testPDF)) // 10 MB in 1000-byte chunks
	p7m := toBER(b, buildCMS(b, content, signOpts{}, p.rsa), 1000)
	b.SetBytes(int64(len(p7m)))
	for b.Loop() {
		if _, err := InspectCAdES(p7m, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
