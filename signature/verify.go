// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package signature

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // only to match ESS signing-certificate v1 hashes, which are SHA-1 by definition
	"crypto/x509"
	"encoding/asn1"
	"math/big"
	"time"

	_ "crypto/sha256" // register SHA-256 for crypto.Hash
	_ "crypto/sha512" // register SHA-384 and SHA-512 for crypto.Hash
)

// Algorithm identifiers accepted for signatures (AgID rules on qualified
// signatures: SHA-256 or stronger; RSA or ECDSA).
var (
	oidSHA1        = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
	oidSHA256      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidRSA         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSASHA256   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidRSASHA384   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidRSASHA512   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidRSAPSS      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidECPublicKey = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidECDSASHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSASHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSASHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
)

// hashFor maps a digest algorithm OID to an allowed hash; SHA-1, MD5 and
// unknown digests are refused.
func hashFor(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	switch {
	case oid.Equal(oidSHA256):
		return crypto.SHA256, true
	case oid.Equal(oidSHA384):
		return crypto.SHA384, true
	case oid.Equal(oidSHA512):
		return crypto.SHA512, true
	}
	return 0, false
}

func hashName(h crypto.Hash) string {
	switch h {
	case crypto.SHA256:
		return "SHA-256"
	case crypto.SHA384:
		return "SHA-384"
	case crypto.SHA512:
		return "SHA-512"
	}
	return h.String()
}

// digest hashes the concatenation of parts.
func digest(h crypto.Hash, parts ...[]byte) []byte {
	w := h.New()
	for _, p := range parts {
		w.Write(p)
	}
	return w.Sum(nil)
}

// attribute is one CMS Attribute: a type and a SET of values.
type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue
}

// signedAttrs holds the attributes verification needs.
type signedAttrs struct {
	contentType   asn1.ObjectIdentifier
	messageDigest []byte
	signingTime   time.Time
	certV1        []byte // ESS SigningCertificate value, DER
	certV2        []byte // ESS SigningCertificateV2 value, DER
}

// parseSignedAttrs reads the signed attributes; content-type, message-digest
// and signing-time must have exactly one value and appear at most once.
func parseSignedAttrs(raw []byte, idx int) (*signedAttrs, *Error) {
	var a signedAttrs
	seen := map[string]bool{}
	rest := raw
	for n := 0; len(rest) > 0; n++ {
		if n >= maxAttributes {
			return nil, errorf(ErrMalformed, idx, "more than %d signed attributes", maxAttributes)
		}
		var at attribute
		var err error
		if rest, err = asn1.Unmarshal(rest, &at); err != nil {
			return nil, errorf(ErrMalformed, idx, "signed attribute: %v", err)
		}
		if at.Values.Class != asn1.ClassUniversal || at.Values.Tag != asn1.TagSet {
			return nil, errorf(ErrMalformed, idx, "attribute %v: values are not a SET", at.Type)
		}
		key := at.Type.String()
		known := at.Type.Equal(oidAttrContentType) || at.Type.Equal(oidAttrMessageDigest) ||
			at.Type.Equal(oidAttrSigningTime) || at.Type.Equal(oidAttrSigningCertV1) || at.Type.Equal(oidAttrSigningCertV2)
		if !known {
			continue
		}
		if seen[key] {
			return nil, errorf(ErrMissingAttribute, idx, "attribute %v appears twice", at.Type)
		}
		seen[key] = true
		var v asn1.RawValue
		vrest, err := asn1.Unmarshal(at.Values.Bytes, &v)
		if err != nil || len(vrest) > 0 {
			return nil, errorf(ErrMissingAttribute, idx, "attribute %v must have exactly one value", at.Type)
		}
		switch {
		case at.Type.Equal(oidAttrContentType):
			if _, err := asn1.Unmarshal(v.FullBytes, &a.contentType); err != nil {
				return nil, errorf(ErrMissingAttribute, idx, "content-type: %v", err)
			}
		case at.Type.Equal(oidAttrMessageDigest):
			if _, err := asn1.Unmarshal(v.FullBytes, &a.messageDigest); err != nil {
				return nil, errorf(ErrMissingAttribute, idx, "message-digest: %v", err)
			}
		case at.Type.Equal(oidAttrSigningTime):
			if _, err := asn1.Unmarshal(v.FullBytes, &a.signingTime); err != nil {
				return nil, errorf(ErrMissingAttribute, idx, "signing-time: %v", err)
			}
		case at.Type.Equal(oidAttrSigningCertV1):
			a.certV1 = v.FullBytes
		case at.Type.Equal(oidAttrSigningCertV2):
			a.certV2 = v.FullBytes
		}
	}
	return &a, nil
}

// ESS (RFC 2634, RFC 5035) structures naming the signer's certificate.

// signingCertificate is SigningCertificate and SigningCertificateV2; the
// policies that may follow the certificate list are not used.
type signingCertificate struct {
	Certs asn1.RawValue // SEQUENCE OF ESSCertID(v2): only the first is read
}
type essCertIDv2 struct {
	HashAlgorithm algorithmIdentifier `asn1:"optional"` // DEFAULT id-sha256
	CertHash      []byte
	IssuerSerial  asn1.RawValue `asn1:"optional"`
}

type essCertID struct {
	CertHash     []byte
	IssuerSerial asn1.RawValue `asn1:"optional"`
}

type essIssuerSerial struct {
	Issuer asn1.RawValue // GeneralNames
	Serial *big.Int
}

// checkESS verifies that the first ESS certificate identifier (the signer's,
// RFC 5035 §5.4) names cert.
func checkESS(a *signedAttrs, cert *x509.Certificate, idx int) (bool, *Error) {
	if a.certV2 != nil {
		var sc signingCertificate
		if _, err := asn1.Unmarshal(a.certV2, &sc); err != nil || len(sc.Certs.Bytes) == 0 {
			return false, errorf(ErrMissingAttribute, idx, "signing-certificate-v2: %v", err)
		}
		var id essCertIDv2
		if _, err := asn1.Unmarshal(sc.Certs.Bytes, &id); err != nil {
			return false, errorf(ErrMissingAttribute, idx, "ESSCertIDv2: %v", err)
		}
		h := crypto.SHA256
		if len(id.HashAlgorithm.Algorithm) > 0 {
			var ok bool
			if h, ok = hashFor(id.HashAlgorithm.Algorithm); !ok {
				return false, errorf(ErrUnsupportedAlgorithm, idx, "ESSCertIDv2 hash %v", id.HashAlgorithm.Algorithm)
			}
		}
		if !bytes.Equal(digest(h, cert.Raw), id.CertHash) {
			return false, errorf(ErrCertificateMismatch, idx, "signing-certificate-v2 hash does not match the signer certificate")
		}
		if e := checkIssuerSerial(id.IssuerSerial, cert, idx); e != nil {
			return false, e
		}
	}
	if a.certV1 != nil {
		var sc signingCertificate
		if _, err := asn1.Unmarshal(a.certV1, &sc); err != nil || len(sc.Certs.Bytes) == 0 {
			return false, errorf(ErrMissingAttribute, idx, "signing-certificate: %v", err)
		}
		var id essCertID
		if _, err := asn1.Unmarshal(sc.Certs.Bytes, &id); err != nil {
			return false, errorf(ErrMissingAttribute, idx, "ESSCertID: %v", err)
		}
		sum := sha1.Sum(cert.Raw) //nolint:gosec // ESS v1 is defined with SHA-1; it only identifies the certificate
		if !bytes.Equal(sum[:], id.CertHash) {
			return false, errorf(ErrCertificateMismatch, idx, "signing-certificate hash does not match the signer certificate")
		}
		if e := checkIssuerSerial(id.IssuerSerial, cert, idx); e != nil {
			return false, e
		}
	}
	return a.certV1 != nil || a.certV2 != nil, nil
}

func checkIssuerSerial(raw asn1.RawValue, cert *x509.Certificate, idx int) *Error {
	if len(raw.FullBytes) == 0 {
		return nil
	}
	var is essIssuerSerial
	if _, err := asn1.Unmarshal(raw.FullBytes, &is); err != nil || is.Serial == nil {
		return errorf(ErrMissingAttribute, idx, "IssuerSerial: %v", err)
	}
	if is.Serial.Cmp(cert.SerialNumber) != 0 {
		return errorf(ErrCertificateMismatch, idx, "IssuerSerial serial %v is not the certificate's %v", is.Serial, cert.SerialNumber)
	}
	// GeneralNames: accept when one directoryName [4] is the issuer.
	rest := is.Issuer.Bytes
	for n := 0; len(rest) > 0 && n < 16; n++ {
		var gn asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &gn); err != nil {
			return errorf(ErrMissingAttribute, idx, "IssuerSerial names: %v", err)
		}
		if gn.Class == asn1.ClassContextSpecific && gn.Tag == 4 && bytes.Equal(gn.Bytes, cert.RawIssuer) {
			return nil
		}
	}
	return errorf(ErrCertificateMismatch, idx, "IssuerSerial issuer is not the certificate's issuer")
}

// findCertificate returns the certificate a SignerIdentifier names.
func findCertificate(sid asn1.RawValue, certs []*x509.Certificate) *x509.Certificate {
	switch {
	case sid.Class == asn1.ClassUniversal && sid.Tag == asn1.TagSequence:
		var ias issuerAndSerial
		if _, err := asn1.Unmarshal(sid.FullBytes, &ias); err != nil {
			return nil
		}
		var serial *big.Int
		if _, err := asn1.Unmarshal(ias.Serial.FullBytes, &serial); err != nil {
			return nil
		}
		for _, c := range certs {
			if c.SerialNumber.Cmp(serial) == 0 && bytes.Equal(c.RawIssuer, ias.Issuer.FullBytes) {
				return c
			}
		}
	case sid.Class == asn1.ClassContextSpecific && sid.Tag == 0:
		for _, c := range certs {
			if len(c.SubjectKeyId) > 0 && bytes.Equal(c.SubjectKeyId, sid.Bytes) {
				return c
			}
		}
	}
	return nil
}

type pssParameters struct {
	Hash         algorithmIdentifier `asn1:"explicit,optional,tag:0"`
	MGF          algorithmIdentifier `asn1:"explicit,optional,tag:1"`
	SaltLength   int                 `asn1:"explicit,optional,default:20,tag:2"`
	TrailerField int                 `asn1:"explicit,optional,default:1,tag:3"`
}

// checkSignature verifies sig over the concatenation of signed with the
// signer's public key, as the signature algorithm says. It returns the
// algorithm's name for the report.
func checkSignature(pub any, alg algorithmIdentifier, digestHash crypto.Hash, sig []byte, idx int, signed ...[]byte) (string, *Error) {
	bad := func(format string, args ...any) (string, *Error) {
		return "", errorf(ErrBadSignature, idx, format, args...)
	}
	o := alg.Algorithm
	switch {
	case o.Equal(oidRSA), o.Equal(oidRSASHA256), o.Equal(oidRSASHA384), o.Equal(oidRSASHA512):
		h := digestHash
		switch {
		case o.Equal(oidRSASHA256):
			h = crypto.SHA256
		case o.Equal(oidRSASHA384):
			h = crypto.SHA384
		case o.Equal(oidRSASHA512):
			h = crypto.SHA512
		}
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return bad("RSA signature, %T key", pub)
		}
		if err := rsa.VerifyPKCS1v15(k, h, digest(h, signed...), sig); err != nil {
			return bad("RSA PKCS#1 v1.5: %v", err)
		}
		return "RSA", nil
	case o.Equal(oidRSAPSS):
		var p pssParameters
		if rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &p); err != nil || len(rest) > 0 {
			return "", errorf(ErrUnsupportedAlgorithm, idx, "RSA-PSS parameters: %v", err)
		}
		h, ok := hashFor(p.Hash.Algorithm)
		if !ok {
			return "", errorf(ErrUnsupportedAlgorithm, idx, "RSA-PSS hash %v", p.Hash.Algorithm)
		}
		var mgfHash algorithmIdentifier
		if !p.MGF.Algorithm.Equal(oidMGF1) {
			return "", errorf(ErrUnsupportedAlgorithm, idx, "RSA-PSS mask %v", p.MGF.Algorithm)
		}
		if _, err := asn1.Unmarshal(p.MGF.Parameters.FullBytes, &mgfHash); err != nil || !mgfHash.Algorithm.Equal(p.Hash.Algorithm) {
			return "", errorf(ErrUnsupportedAlgorithm, idx, "RSA-PSS MGF1 hash differs from the message hash")
		}
		if p.TrailerField != 1 || p.SaltLength < 0 {
			return "", errorf(ErrUnsupportedAlgorithm, idx, "RSA-PSS trailer %d salt %d", p.TrailerField, p.SaltLength)
		}
		k, ok := pub.(*rsa.PublicKey)
		if !ok {
			return bad("RSA-PSS signature, %T key", pub)
		}
		salt := p.SaltLength
		if salt == 0 {
			salt = rsa.PSSSaltLengthAuto // Go reads 0 as "auto"; an empty salt still verifies
		}
		if err := rsa.VerifyPSS(k, h, digest(h, signed...), sig, &rsa.PSSOptions{SaltLength: salt, Hash: h}); err != nil {
			return bad("RSA-PSS: %v", err)
		}
		return "RSA-PSS", nil
	case o.Equal(oidECPublicKey), o.Equal(oidECDSASHA256), o.Equal(oidECDSASHA384), o.Equal(oidECDSASHA512):
		h := digestHash
		switch {
		case o.Equal(oidECDSASHA256):
			h = crypto.SHA256
		case o.Equal(oidECDSASHA384):
			h = crypto.SHA384
		case o.Equal(oidECDSASHA512):
			h = crypto.SHA512
		}
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return bad("ECDSA signature, %T key", pub)
		}
		if !ecdsa.VerifyASN1(k, digest(h, signed...), sig) {
			return bad("ECDSA signature does not verify")
		}
		return "ECDSA", nil
	}
	return "", errorf(ErrUnsupportedAlgorithm, idx, "signature algorithm %v", o)
}

// signedContent is what the signers of one SignedData signed, in parts (a
// PDF's two byte ranges), with its digest computed once per hash function
// however many signers share it.
type signedContent struct {
	parts   [][]byte
	digests map[crypto.Hash][]byte
}

func newContent(parts ...[]byte) *signedContent {
	return &signedContent{parts: parts, digests: map[crypto.Hash][]byte{}}
}

func (c *signedContent) digest(h crypto.Hash) []byte {
	d, ok := c.digests[h]
	if !ok {
		d = digest(h, c.parts...)
		c.digests[h] = d
	}
	return d
}

// verifySigner checks one SignerInfo over the content and describes its
// signer. Integrity failures return an error and no signer.
func verifySigner(si *rawSignerInfo, sd *signedData, content *signedContent, idx int, opts Options) (*Signer, *Error) {
	cert := findCertificate(si.SID, sd.certs)
	if cert == nil {
		return nil, errorf(ErrCertificateMissing, idx, "no certificate matches the signer identifier")
	}
	h, ok := hashFor(si.DigestAlgorithm.Algorithm)
	if !ok {
		return nil, errorf(ErrUnsupportedAlgorithm, idx, "digest algorithm %v", si.DigestAlgorithm.Algorithm)
	}
	s := &Signer{DigestAlgorithm: hashName(h)}
	var signed [][]byte
	if len(si.SignedAttrs.FullBytes) > 0 {
		a, e := parseSignedAttrs(si.SignedAttrs.Bytes, idx)
		if e != nil {
			return nil, e
		}
		if a.contentType == nil || !a.contentType.Equal(sd.contentType) {
			return nil, errorf(ErrMissingAttribute, idx, "content-type attribute %v, content %v", a.contentType, sd.contentType)
		}
		if a.messageDigest == nil {
			return nil, errorf(ErrMissingAttribute, idx, "no message-digest attribute")
		}
		if !bytes.Equal(content.digest(h), a.messageDigest) {
			return nil, errorf(ErrContentModified, idx, "message digest mismatch")
		}
		bound, e := checkESS(a, cert, idx)
		if e != nil {
			return nil, e
		}
		s.CertificateBound = bound
		s.SigningTime = a.signingTime
		// The signature covers the DER SET OF the attributes: the [0]
		// IMPLICIT tag becomes the universal SET tag.
		der := append([]byte(nil), si.SignedAttrs.FullBytes...)
		der[0] = 0x31
		signed = [][]byte{der}
	} else {
		// Plain PKCS#7: the signature covers the content itself.
		if !sd.contentType.Equal(oidData) {
			return nil, errorf(ErrMissingAttribute, idx, "content type %v without signed attributes", sd.contentType)
		}
		signed = content.parts
	}
	name, e := checkSignature(cert.PublicKey, si.SignatureAlgorithm, h, si.Signature, idx, signed...)
	if e != nil {
		return nil, e
	}
	s.SignatureAlgorithm = name
	describe(s, cert, sd.certs, opts)
	return s, nil
}

// describe fills the certificate facts and the validity and trust checks.
func describe(s *Signer, cert *x509.Certificate, pool []*x509.Certificate, opts Options) {
	s.Certificate = cert
	readSubject(s, cert)
	s.CheckedAt = s.SigningTime
	if s.CheckedAt.IsZero() {
		s.CheckedAt = opts.now()
	}
	s.ValidAtSigning = !s.CheckedAt.Before(cert.NotBefore) && !s.CheckedAt.After(cert.NotAfter)
	if opts.Roots == nil {
		s.Trust = TrustNotChecked
		return
	}
	inter := x509.NewCertPool()
	if opts.Intermediates != nil {
		inter = opts.Intermediates.Clone()
	}
	for _, c := range pool {
		if c != cert {
			inter.AddCert(c)
		}
	}
	_, err := cert.Verify(x509.VerifyOptions{
		Roots:         opts.Roots,
		Intermediates: inter,
		CurrentTime:   s.CheckedAt,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		s.Trust = Untrusted
		s.TrustDetail = err.Error()
		return
	}
	s.Trust = Trusted
}

// statusError returns the first certificate problem among signers: not valid
// at signing time, or not trusted when roots were given.
func statusError(signers []Signer) *Error {
	for i := range signers {
		if !signers[i].ValidAtSigning {
			s := &signers[i]
			return errorf(ErrCertificateExpired, i, "%s: checked at %s, valid %s to %s", s.CommonName,
				s.CheckedAt.UTC().Format(time.RFC3339), s.NotBefore.UTC().Format(time.RFC3339), s.NotAfter.UTC().Format(time.RFC3339))
		}
	}
	for i := range signers {
		if signers[i].Trust == Untrusted {
			return errorf(ErrUntrusted, i, "%s: %s", signers[i].CommonName, signers[i].TrustDetail)
		}
	}
	return nil
}
