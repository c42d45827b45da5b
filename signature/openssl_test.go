// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package signature

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Interoperability with a real CMS implementation: OpenSSL signs, this
// package verifies; this package's test encoder signs, OpenSSL verifies.
// Skipped when openssl is not installed.

type opensslEnv struct {
	dir  string
	bin  string
	root string // root certificate file
}

func newOpenSSL(t *testing.T) *opensslEnv {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	e := &opensslEnv{dir: t.TempDir(), bin: bin}
	e.root = e.write(t, "root.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki(t).root.cert.Raw}))
	return e
}

func (e *opensslEnv) write(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// identity writes k's certificate and key and returns their files.
func (e *opensslEnv) identity(t *testing.T, name string, k testKey) (cert, key string) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k.key)
	if err != nil {
		t.Fatal(err)
	}
	cert = e.write(t, name+".crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.cert.Raw}))
	key = e.write(t, name+".key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	return cert, key
}

func (e *opensslEnv) run(t *testing.T, args ...string) []byte {
	t.Helper()
	var out, stderr bytes.Buffer
	cmd := exec.Command(e.bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, stderr.String())
	}
	return out.Bytes()
}

// sign runs openssl cms -sign over content with extra flags.
func (e *opensslEnv) sign(t *testing.T, k testKey, content []byte, flags ...string) []byte {
	t.Helper()
	cert, key := e.identity(t, "signer", k)
	in := e.write(t, "content.bin", content)
	out := filepath.Join(e.dir, "out.p7m")
	args := append([]string{"cms", "-sign", "-binary", "-in", in, "-signer", cert, "-inkey", key, "-out", out}, flags...)
	e.run(t, args...)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenSSLSignsWeVerify(t *testing.T) {
	e := newOpenSSL(t)
	p := pki(t)
	der := []string{"-nodetach", "-outform", "DER"}
	tests := []struct {
		name     string
		key      testKey
		flags    []string
		alg      string
		encoding string
		bound    bool
	}{
		{"RSA", p.rsa, append([]string{"-md", "sha256"}, der...), "RSA", "DER", false},
		{"CAdES", p.rsa, append([]string{"-md", "sha256", "-cades"}, der...), "RSA", "DER", true},
		{"Stream", p.rsa, append([]string{"-md", "sha256", "-cades", "-stream"}, der...), "RSA", "BER", true},
		{"PSS", p.rsa, append([]string{"-md", "sha512", "-keyopt", "rsa_padding_mode:pss", "-cades"}, der...), "RSA-PSS", "DER", true},
		{"ECDSA", p.ec, append([]string{"-md", "sha384", "-cades"}, der...), "ECDSA", "DER", true},
		{"PEM", p.ec, []string{"-md", "sha256", "-nodetach", "-outform", "PEM"}, "ECDSA", "base64", false},
	}
	content := bytes.Repeat(testPDF, 50)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p7m := e.sign(t, tc.key, content, tc.flags...)
			res, err := InspectCAdES(p7m, Options{Roots: pool(p.root.cert), Filename: "istanza.pdf.p7m"})
			if err != nil {
				t.Fatal(err)
			}
			s := res.Signers[0]
			if !bytes.Equal(res.Content, content) || res.Filename != "istanza.pdf" || res.Encoding != tc.encoding {
				t.Errorf("content %d bytes, name %s, encoding %s", len(res.Content), res.Filename, res.Encoding)
			}
			if s.SignatureAlgorithm != tc.alg || s.CertificateBound != tc.bound || s.Trust != Trusted || s.SigningTime.IsZero() || s.Certificate == nil || !s.Certificate.Equal(tc.key.cert) {
				t.Errorf("signer %+v", s)
			}
			// A changed byte in the content is caught.
			if tc.encoding == "DER" {
				bad := bytes.Clone(p7m)
				i := bytes.Index(bad, []byte("accesso"))
				bad[i] = 'A'
				_, err := InspectCAdES(bad, Options{})
				wantErr(t, err, ErrContentModified)
			}
		})
	}
	t.Run("Nested", func(t *testing.T) {
		inner := e.sign(t, p.rsa, content, append([]string{"-md", "sha256", "-cades"}, der...)...)
		outer := e.sign(t, p.ec, inner, append([]string{"-md", "sha256", "-cades"}, der...)...)
		res, err := InspectCAdES(outer, Options{})
		if err != nil || res.Depth != 2 || !bytes.Equal(res.Content, content) {
			t.Fatalf("%v %+v", err, res)
		}
	})
	t.Run("NoCerts", func(t *testing.T) {
		p7m := e.sign(t, p.rsa, content, append([]string{"-md", "sha256", "-nocerts"}, der...)...)
		_, err := InspectCAdES(p7m, Options{})
		wantErr(t, err, ErrCertificateMissing)
	})
	t.Run("PAdES", func(t *testing.T) {
		pdf := appendSignature(t, basePDF(), 5, p.rsa, pdfSig{sign: func(signed []byte) []byte {
			return e.sign(t, p.rsa, signed, "-md", "sha256", "-cades", "-outform", "DER")
		}})
		res, err := DetectPAdES(pdf, Options{Roots: pool(p.root.cert)})
		if err != nil || len(res.Signatures) != 1 {
			t.Fatalf("%v %+v", err, res)
		}
		if s := res.Signatures[0]; s.Err != nil || !res.Valid() || s.Signer.Trust != Trusted || !s.Signer.CertificateBound {
			t.Errorf("%v %+v", s.Err, s.Signer)
		}
	})
}

func TestWeSignOpenSSLVerifies(t *testing.T) {
	e := newOpenSSL(t)
	p := pki(t)
	// A streaming encoder writes BER around DER certificates and DER
	// signed attributes (OpenSSL verifies those as received).
	plain := buildCMS(t, testPDF, signOpts{}, p.rsa)
	sd, err := parseSignedData(plain)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string][]byte{
		"RSA":      buildCMS(t, testPDF, signOpts{}, p.rsa),
		"RSAPSS":   buildCMS(t, testPDF, signOpts{pss: true}, p.rsa),
		"ECDSA384": buildCMS(t, testPDF, signOpts{hash: crypto.SHA384}, p.ec),
		"ESSv1SKI": buildCMS(t, testPDF, signOpts{essV1: true, ski: true}, p.ec),
		"BER":      toBER(t, plain, 16, p.rsa.cert.Raw, sd.signers[0].SignedAttrs.FullBytes),
		"CoSigned": buildCMS(t, testPDF, signOpts{}, p.rsa, p.ec),
	}
	for name, p7m := range tests {
		t.Run(name, func(t *testing.T) {
			in := e.write(t, "ours.p7m", p7m)
			out := e.run(t, "cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-CAfile", e.root, "-purpose", "any",
				"-attime", "1773567000") // 2026-03-15, within the test certificates
			if !bytes.Equal(out, testPDF) {
				t.Errorf("openssl extracted %q", out)
			}
		})
	}
	// And openssl refuses what we refuse.
	in := e.write(t, "bad.p7m", buildCMS(t, testPDF, signOpts{digestOf: []byte("x")}, p.rsa))
	cmd := exec.Command(e.bin, "cms", "-verify", "-binary", "-inform", "DER", "-in", in, "-noverify")
	var ee *exec.ExitError
	if err := cmd.Run(); !errors.As(err, &ee) {
		t.Errorf("openssl accepted a wrong digest: %v", err)
	}
}
