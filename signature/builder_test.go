// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package signature

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // builds ESS v1 and SHA-1 test cases
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"sort"
	"sync"
	"testing"
	"time"
)

// Test material: a small PKI made with crypto/x509 and a minimal CMS
// SignedData encoder, so every test case is built, not stored.

var (
	oidAttrQCStatements = oidQCStatements
	t0                  = time.Date(2026, 3, 15, 9, 30, 0, 0, time.UTC) // "now" of the tests
)

type testKey struct {
	key  crypto.Signer
	cert *x509.Certificate
}

type testPKI struct {
	root, otherRoot testKey
	rsa, ec         testKey // Mario Rossi (RSA), Anna Bianchi (ECDSA P-384)
	expired         testKey // valid 2020-2021
	stranger        testKey // signed by otherRoot
}

var pkiOnce = sync.OnceValue(func() *testPKI {
	p := &testPKI{}
	p.root = newCA("Test Root CA qualificata", mustEC(elliptic.P256()))
	p.otherRoot = newCA("Altra CA", mustEC(elliptic.P256()))
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	p.rsa = newSigner(p.root, rk, "Mario Rossi", "Mario", "Rossi", "TINIT-RSSMRA80A01H501U", t0.AddDate(-1, 0, 0), t0.AddDate(2, 0, 0), 100)
	p.ec = newSigner(p.root, mustEC(elliptic.P384()), "Anna Bianchi", "Anna", "Bianchi", "IT:BNCNNA85M41F205X", t0.AddDate(-1, 0, 0), t0.AddDate(2, 0, 0), 101)
	p.expired = newSigner(p.root, mustEC(elliptic.P256()), "Luca Verdi", "Luca", "Verdi", "TINIT-VRDLCU70A01L219K",
		time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), 102)
	p.stranger = newSigner(p.otherRoot, mustEC(elliptic.P256()), "Ignoto", "", "", "", t0.AddDate(-1, 0, 0), t0.AddDate(1, 0, 0), 103)
	return p
})

func pki(tb testing.TB) *testPKI {
	tb.Helper()
	return pkiOnce()
}

func mustEC(c elliptic.Curve) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

func newCA(cn string, key crypto.Signer) testKey {
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"Certificatore di Prova S.p.A."}, Country: []string{"IT"}},
		NotBefore:             t0.AddDate(-10, 0, 0),
		NotAfter:              t0.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		panic(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return testKey{key: key, cert: c}
}

func newSigner(ca testKey, key crypto.Signer, cn, given, surname, serial string, from, to time.Time, sn int64) testKey {
	// qcStatements: QcCompliance and QcSSCD (ETSI EN 319 412-5).
	qc, err := asn1.Marshal([]struct{ ID asn1.ObjectIdentifier }{{oidQcCompliance}, {oidQcSSCD}})
	if err != nil {
		panic(err)
	}
	subject := pkix.Name{CommonName: cn, SerialNumber: serial, Organization: []string{"Comune di Prova"}, Country: []string{"IT"}}
	if given != "" {
		subject.ExtraNames = append(subject.ExtraNames,
			pkix.AttributeTypeAndValue{Type: oidGivenName, Value: given},
			pkix.AttributeTypeAndValue{Type: oidSurname, Value: surname})
	}
	tmpl := &x509.Certificate{
		SerialNumber:    big.NewInt(sn),
		Subject:         subject,
		NotBefore:       from,
		NotAfter:        to,
		KeyUsage:        x509.KeyUsageContentCommitment,
		SubjectKeyId:    []byte{0x5e, 0x1f, byte(sn)},
		ExtraExtensions: []pkix.Extension{{Id: oidAttrQCStatements, Value: qc}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		panic(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	return testKey{key: key, cert: c}
}

// DER building blocks.

func tlv(tag byte, parts ...[]byte) []byte {
	body := bytes.Join(parts, nil)
	return append(appendLength([]byte{tag}, len(body)), body...)
}

func seq(parts ...[]byte) []byte { return tlv(0x30, parts...) }

// derSet encodes a SET OF with its elements in DER order.
func derSet(parts ...[]byte) []byte {
	s := append([][]byte(nil), parts...)
	sort.Slice(s, func(i, j int) bool { return bytes.Compare(s[i], s[j]) < 0 })
	return tlv(0x31, s...)
}

func mustMarshal(v any, params ...string) []byte {
	var b []byte
	var err error
	if len(params) > 0 {
		b, err = asn1.MarshalWithParams(v, params[0])
	} else {
		b, err = asn1.Marshal(v)
	}
	if err != nil {
		panic(err)
	}
	return b
}

func algID(o asn1.ObjectIdentifier, params ...[]byte) []byte {
	return seq(append([][]byte{mustMarshal(o)}, params...)...)
}

var derNull = []byte{0x05, 0x00}

func hashOID(h crypto.Hash) asn1.ObjectIdentifier {
	switch h {
	case crypto.SHA1:
		return oidSHA1
	case crypto.SHA384:
		return oidSHA384
	case crypto.SHA512:
		return oidSHA512
	}
	return oidSHA256
}

// signOpts varies how buildCMS signs; the zero value makes a CAdES-BES with
// SHA-256, signing time t0 and signing-certificate-v2.
type signOpts struct {
	hash          crypto.Hash
	pss           bool
	noAttrs       bool // plain PKCS#7: no signed attributes
	noContentType bool
	noESS         bool
	essV1         bool              // ESS signing-certificate (v1, SHA-1) instead of v2
	essCert       *x509.Certificate // the certificate ESS names; default the signer's
	signingTime   time.Time         // default t0; set noTime to omit
	noTime        bool
	digestOf      []byte // message-digest over these bytes instead of the content
	detached      bool
	contentType   asn1.ObjectIdentifier // default id-data
	cert          *x509.Certificate     // certificate embedded and named; default the signer's
	extraCerts    []*x509.Certificate
	ski           bool // identify the signer by subject key identifier
}

func (o signOpts) h() crypto.Hash {
	if o.hash == 0 {
		return crypto.SHA256
	}
	return o.hash
}

// signerInfo builds one SignerInfo over content.
func signerInfo(tb testing.TB, k testKey, content []byte, o signOpts) []byte {
	tb.Helper()
	h := o.h()
	cert := k.cert
	if o.cert != nil {
		cert = o.cert
	}
	ct := o.contentType
	if ct == nil {
		ct = oidData
	}
	var sid []byte
	if o.ski {
		sid = tlv(0x80, cert.SubjectKeyId)
	} else {
		sid = seq(cert.RawIssuer, mustMarshal(cert.SerialNumber))
	}
	var signed, attrs []byte
	if o.noAttrs {
		signed = content
	} else {
		var list [][]byte
		if !o.noContentType {
			list = append(list, seq(mustMarshal(oidAttrContentType), derSet(mustMarshal(ct))))
		}
		md := content
		if o.digestOf != nil {
			md = o.digestOf
		}
		list = append(list, seq(mustMarshal(oidAttrMessageDigest), derSet(mustMarshal(digest(h, md)))))
		if !o.noTime {
			st := o.signingTime
			if st.IsZero() {
				st = t0
			}
			list = append(list, seq(mustMarshal(oidAttrSigningTime), derSet(mustMarshal(st.UTC(), "utc"))))
		}
		if !o.noESS {
			ec := cert
			if o.essCert != nil {
				ec = o.essCert
			}
			issuerSerial := seq(seq(tlv(0xa4, ec.RawIssuer)), mustMarshal(ec.SerialNumber))
			if o.essV1 {
				sum := sha1.Sum(ec.Raw) //nolint:gosec // ESS v1 is SHA-1
				list = append(list, seq(mustMarshal(oidAttrSigningCertV1), derSet(seq(seq(seq(tlv(0x04, sum[:]), issuerSerial))))))
			} else {
				list = append(list, seq(mustMarshal(oidAttrSigningCertV2), derSet(seq(seq(seq(tlv(0x04, digest(crypto.SHA256, ec.Raw)), issuerSerial))))))
			}
		}
		set := derSet(list...)
		signed = set
		attrs = append([]byte{0xa0}, set[1:]...)
	}
	sum := digest(h, signed)
	var sig, sigAlg []byte
	var err error
	switch key := k.key.(type) {
	case *rsa.PrivateKey:
		if o.pss {
			sig, err = rsa.SignPSS(rand.Reader, key, h, sum, &rsa.PSSOptions{SaltLength: h.Size(), Hash: h})
			hAlg := algID(hashOID(h), derNull)
			sigAlg = algID(oidRSAPSS, seq(tlv(0xa0, hAlg), tlv(0xa1, algID(oidMGF1, hAlg)), tlv(0xa2, mustMarshal(h.Size()))))
		} else {
			sig, err = rsa.SignPKCS1v15(rand.Reader, key, h, sum)
			sigAlg = algID(oidRSA, derNull)
		}
	case *ecdsa.PrivateKey:
		sig, err = ecdsa.SignASN1(rand.Reader, key, sum)
		o := map[crypto.Hash]asn1.ObjectIdentifier{crypto.SHA256: oidECDSASHA256, crypto.SHA384: oidECDSASHA384, crypto.SHA512: oidECDSASHA512}[h]
		if o == nil {
			o = oidECPublicKey
		}
		sigAlg = algID(o)
	}
	if err != nil {
		tb.Fatal(err)
	}
	version := 1
	if o.ski {
		version = 3
	}
	return seq(mustMarshal(version), sid, algID(hashOID(h), derNull), attrs, sigAlg, tlv(0x04, sig))
}

// buildCMS returns a DER ContentInfo with SignedData: one SignerInfo per key,
// all signing content with the same options.
func buildCMS(tb testing.TB, content []byte, o signOpts, keys ...testKey) []byte {
	tb.Helper()
	ct := o.contentType
	if ct == nil {
		ct = oidData
	}
	var infos, certs [][]byte
	for _, k := range keys {
		infos = append(infos, signerInfo(tb, k, content, o))
		c := k.cert
		if o.cert != nil {
			c = o.cert
		}
		certs = append(certs, c.Raw)
	}
	for _, c := range o.extraCerts {
		certs = append(certs, c.Raw)
	}
	encap := seq(mustMarshal(ct))
	if !o.detached {
		encap = seq(mustMarshal(ct), tlv(0xa0, tlv(0x04, content)))
	}
	sd := seq(mustMarshal(1), derSet(algID(hashOID(o.h()), derNull)), encap, tlv(0xa0, certs...), tlv(0x31, infos...))
	return seq(mustMarshal(oidSignedData), tlv(0xa0, sd))
}

// toBER rewrites DER as a streaming encoder would: every constructed element
// with an indefinite length, and OCTET STRINGs longer than chunk split into a
// constructed OCTET STRING of chunks. Certificates (elements equal to one of
// keep) stay DER, as they were issued.
func toBER(tb testing.TB, der []byte, chunk int, keep ...[]byte) []byte {
	tb.Helper()
	var out []byte
	for len(der) > 0 {
		h, err := readHeader(der)
		if err != nil {
			tb.Fatal(err)
		}
		body := der[h.size : h.size+h.length]
		kept := false
		for _, k := range keep {
			kept = kept || bytes.Equal(der[:h.size+h.length], k)
		}
		switch {
		case kept:
			out = append(out, der[:h.size+h.length]...)
		case h.constructed:
			out = append(out, h.tag...)
			out = append(out, 0x80)
			out = append(out, toBER(tb, body, chunk, keep...)...)
			out = append(out, 0, 0)
		case h.universal4 && len(body) > chunk:
			out = append(out, 0x24, 0x80)
			for i := 0; i < len(body); i += chunk {
				out = append(out, tlv(0x04, body[i:min(len(body), i+chunk)])...)
			}
			out = append(out, 0, 0)
		default:
			out = append(out, der[:h.size+h.length]...)
		}
		der = der[h.size+h.length:]
	}
	return out
}
