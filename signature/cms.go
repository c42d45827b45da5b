// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package signature

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"strings"
)

// CMS (RFC 5652) object identifiers.
var (
	oidData              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidAttrContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidAttrSigningCertV1 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	oidAttrSigningCertV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
)

// signedDataPrefix is the DER (and BER) start of a ContentInfo holding
// SignedData after the outer SEQUENCE header: OID 1.2.840.113549.1.7.2.
var signedDataPrefix = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}

type rawContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"optional,tag:0"` // [0] EXPLICIT: the SignedData is in Bytes
}

type rawSignedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContentInfo rawEncapContentInfo
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      asn1.RawValue
}

type rawEncapContentInfo struct {
	EContentType asn1.ObjectIdentifier
	EContent     asn1.RawValue `asn1:"optional,tag:0"` // [0] EXPLICIT OCTET STRING
}

type rawSignerInfo struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    algorithmIdentifier
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm algorithmIdentifier
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

// algorithmIdentifier is pkix.AlgorithmIdentifier; redeclared so that absent
// parameters and NULL parameters both parse.
type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial asn1.RawValue
}

// signedData is a parsed CMS SignedData.
type signedData struct {
	contentType asn1.ObjectIdentifier
	content     []byte // eContent; nil when detached
	attached    bool
	certs       []*x509.Certificate
	signers     []rawSignerInfo
	ber         bool // the input was BER and was rewritten
}

// looksLikeSignedData reports whether b starts like a DER or BER ContentInfo
// holding SignedData.
func looksLikeSignedData(b []byte) bool {
	if len(b) < 2 || b[0] != 0x30 {
		return false
	}
	i := 2
	switch l := b[1]; {
	case l == 0x80:
	case l > 0x80 && l <= 0x84:
		i += int(l & 0x7f)
	case l > 0x84:
		return false
	}
	return len(b) >= i+len(signedDataPrefix) && bytes.Equal(b[i:i+len(signedDataPrefix)], signedDataPrefix)
}

// LooksLikeCAdES reports whether the first bytes of a file (512 are enough)
// look like a CAdES envelope, in DER/BER or in base64 or PEM form, so that
// callers can route files that do not end in .p7m to InspectCAdES. It does not
// verify anything.
func LooksLikeCAdES(head []byte) bool {
	if looksLikeSignedData(head) {
		return true
	}
	t := bytes.TrimLeft(head, " \t\r\n")
	if bytes.HasPrefix(t, []byte("-----BEGIN ")) {
		if _, after, ok := bytes.Cut(t, []byte("\n")); ok {
			t = bytes.TrimLeft(after, " \t\r\n")
		}
	}
	// 24 characters decode to 18 bytes: the SEQUENCE header (at most 6) and
	// the 11 bytes of the OID. Line breaks may come after 64 or 76.
	if len(t) < 24 || t[0] != 'M' || t[1] != 'I' {
		return false
	}
	var dst [18]byte
	n, err := base64.StdEncoding.Decode(dst[:], t[:24])
	return err == nil && looksLikeSignedData(dst[:n])
}

// envelope returns the BER/DER bytes of b when b is a SignedData ContentInfo,
// raw or in base64/PEM form.
func envelope(b []byte) (der []byte, base64Form, ok bool) {
	if looksLikeSignedData(b) {
		return b, false, true
	}
	if len(b) > 1024 && !LooksLikeCAdES(b[:1024]) || len(b) <= 1024 && !LooksLikeCAdES(b) {
		return nil, false, false
	}
	dec, err := decodeBase64(b)
	if err != nil || !looksLikeSignedData(dec) {
		return nil, false, false
	}
	return dec, true, true
}

// decodeBase64 decodes base64 with any whitespace and optional PEM armour
// lines (-----BEGIN PKCS7----- and the like).
func decodeBase64(b []byte) ([]byte, error) {
	var clean strings.Builder
	clean.Grow(len(b))
	for line := range bytes.Lines(b) {
		if bytes.HasPrefix(bytes.TrimSpace(line), []byte("-----")) {
			continue
		}
		for _, c := range line {
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				clean.WriteByte(c)
			}
		}
	}
	s := clean.String()
	enc := base64.StdEncoding
	if !strings.HasSuffix(s, "=") && len(s)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	return enc.DecodeString(s)
}

// parseSignedData parses a ContentInfo holding SignedData, DER first and BER
// when DER fails.
func parseSignedData(b []byte) (*signedData, error) {
	sd, err := parseSignedDataDER(b)
	if err == nil {
		return sd, nil
	}
	der, rest, berr := toDER(b)
	if berr != nil || !onlyPadding(rest) {
		return nil, err
	}
	sd, err2 := parseSignedDataDER(der)
	if err2 != nil {
		return nil, err
	}
	sd.ber = true
	return sd, nil
}

// onlyPadding reports whether the bytes after the structure are nothing but
// zeros or white space, which some tools append.
func onlyPadding(b []byte) bool {
	for _, c := range b {
		if c != 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

func parseSignedDataDER(b []byte) (*signedData, error) {
	var ci rawContentInfo
	rest, err := asn1.Unmarshal(b, &ci)
	if err != nil {
		return nil, errorf(ErrMalformed, -1, "ContentInfo: %v", err)
	}
	if !onlyPadding(rest) {
		return nil, errorf(ErrMalformed, -1, "%d bytes after ContentInfo", len(rest))
	}
	if !ci.ContentType.Equal(oidSignedData) || len(ci.Content.FullBytes) == 0 {
		return nil, errorf(ErrMalformed, -1, "content type %v is not SignedData", ci.ContentType)
	}
	var raw rawSignedData
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &raw); err != nil || len(rest) > 0 {
		return nil, errorf(ErrMalformed, -1, "SignedData: %v", err)
	}
	sd := &signedData{contentType: raw.EncapContentInfo.EContentType}
	if wrap := raw.EncapContentInfo.EContent; len(wrap.FullBytes) > 0 {
		var ec asn1.RawValue
		if rest, err := asn1.Unmarshal(wrap.Bytes, &ec); err != nil || len(rest) > 0 {
			return nil, errorf(ErrMalformed, -1, "eContent: %v", err)
		}
		if ec.Class != asn1.ClassUniversal || ec.Tag != asn1.TagOctetString || ec.IsCompound {
			return nil, errorf(ErrMalformed, -1, "eContent is not a primitive OCTET STRING")
		}
		sd.content = ec.Bytes
		sd.attached = true
	}
	if len(raw.Certificates.FullBytes) > 0 {
		rest := raw.Certificates.Bytes
		for len(rest) > 0 {
			if len(sd.certs) >= maxCertificates {
				return nil, errorf(ErrMalformed, -1, "more than %d certificates", maxCertificates)
			}
			var c asn1.RawValue
			if rest, err = asn1.Unmarshal(rest, &c); err != nil {
				return nil, errorf(ErrMalformed, -1, "certificates: %v", err)
			}
			if c.Class != asn1.ClassUniversal || c.Tag != asn1.TagSequence {
				continue // attribute or other certificate formats: not signer certificates
			}
			// A certificate Go cannot parse cannot be the signer's either;
			// if it was, the signer lookup fails with ErrCertificateMissing.
			if cert, err := x509.ParseCertificate(c.FullBytes); err == nil {
				sd.certs = append(sd.certs, cert)
			}
		}
	}
	if raw.SignerInfos.Class != asn1.ClassUniversal || raw.SignerInfos.Tag != asn1.TagSet {
		return nil, errorf(ErrMalformed, -1, "signerInfos is not a SET")
	}
	rest = raw.SignerInfos.Bytes
	for len(rest) > 0 {
		if len(sd.signers) >= MaxSigners {
			return nil, errorf(ErrTooManySigners, -1, "more than %d signer infos", MaxSigners)
		}
		var si rawSignerInfo
		if rest, err = asn1.Unmarshal(rest, &si); err != nil {
			return nil, errorf(ErrMalformed, -1, "SignerInfo %d: %v", len(sd.signers), err)
		}
		sd.signers = append(sd.signers, si)
	}
	return sd, nil
}
