// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package segnatura

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"math/big"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"

	"github.com/procedo/procedo"
)

// Algorithm identifiers written by Sign (XML-DSig 1.1, RFC 6931) and the type
// of the XAdES reference to the signed properties (ETSI EN 319 132-1).
const (
	algSHA256            = "http://www.w3.org/2001/04/xmlenc#sha256"
	typeSignedProperties = "http://uri.etsi.org/01903#SignedProperties"
)

// Ids inside the ds:Signature. The segnatura itself has no Id attributes, so
// these cannot collide.
const (
	idSignature  = "segnatura-firma"
	idReference  = "segnatura-firma-documento"
	idProperties = "segnatura-firma-proprieta"
)

// BuildSigned returns Build(in) signed with Sign: the segnatura as it is sent.
func BuildSigned(in *Input, key crypto.Signer, cert *x509.Certificate) ([]byte, error) {
	b, err := Build(in)
	if err != nil {
		return nil, err
	}
	return Sign(b, key, cert)
}

// Sign adds to an unsigned segnatura (from Build) the ds:Signature the schema
// requires as the last child of SegnaturaInformatica: an enveloped XML
// signature with exclusive canonicalisation, SHA-256 digests and RSA-SHA256
// (ECDSA-SHA256 for an ECDSA key), cert in KeyInfo, and the XAdES baseline B
// signed properties (SigningTime, SigningCertificateV2) that Allegato 6 asks
// for. key must be cert's private key; in production it is the AOO's qualified
// electronic seal (Allegato 6, 2). Sign checks that its result verifies before
// returning it. EINVALID if xml is not an unsigned segnatura, EINTERNAL for a
// key problem.
func Sign(xml []byte, key crypto.Signer, cert *x509.Certificate) (b []byte, err error) {
	defer procedo.Wrap(&err, "segnatura.Sign")
	method, err := signatureMethod(key, cert)
	if err != nil {
		return nil, err
	}
	doc, err := readDocument(xml)
	if err != nil {
		return nil, err
	}
	root := doc.Root()
	if err := checkRoot(root); err != nil {
		return nil, err
	}
	if len(findAll(root, dsNS, signature)) > 0 {
		return nil, invalid("La segnatura è già firmata.")
	}
	if err := signRoot(root, key, cert, method, time.Now()); err != nil {
		return nil, err
	}
	b, err = write(doc)
	if err != nil {
		return nil, err
	}
	// A tree that does not survive writing and reading back (which should not
	// happen, see write) would reach the other AOO with a broken signature.
	if _, err := verifyBytes(b); err != nil {
		return nil, &procedo.Error{Code: procedo.EINTERNAL, Message: "La segnatura firmata non supera la verifica.", Err: err}
	}
	return b, nil
}

// signatureMethod returns the XML-DSig SignatureMethod for key, checking that
// cert holds its public key.
func signatureMethod(key crypto.Signer, cert *x509.Certificate) (string, error) {
	if key == nil || cert == nil {
		return "", procedo.Errorf(procedo.EINTERNAL, "Manca la chiave o il certificato per firmare la segnatura.")
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return "", procedo.Errorf(procedo.EINTERNAL, "La chiave di firma non corrisponde al certificato.")
	}
	switch k := key.Public().(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return "", procedo.Errorf(procedo.EINTERNAL, "La chiave RSA di firma deve avere almeno 2048 bit.")
		}
		return dsig.RSASHA256SignatureMethod, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return "", procedo.Errorf(procedo.EINTERNAL, "La chiave ECDSA di firma deve usare la curva P-256.")
		}
		return dsig.ECDSASHA256SignatureMethod, nil
	}
	return "", procedo.Errorf(procedo.EINTERNAL, "Tipo di chiave di firma non supportato: servono RSA o ECDSA P-256.")
}

// signRoot appends the ds:Signature to root (which has none).
func signRoot(root *etree.Element, key crypto.Signer, cert *x509.Certificate, method string, now time.Time) error {
	exc := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	// The enveloped-signature transform removes the ds:Signature before
	// digesting, so the digest of the tree as it is now is the one the verifier
	// computes.
	content, err := exc.Canonicalize(root.Copy())
	if err != nil {
		return err
	}
	docDigest := sha256.Sum256(content)

	sig := root.CreateElement("ds:" + signature)
	sig.CreateAttr("xmlns:ds", dsNS)
	sig.CreateAttr("Id", idSignature)
	si := sig.CreateElement("ds:SignedInfo")
	si.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", string(dsig.CanonicalXML10ExclusiveAlgorithmId))
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", method)

	ref := si.CreateElement("ds:Reference")
	ref.CreateAttr("Id", idReference)
	ref.CreateAttr("URI", "")
	tr := ref.CreateElement("ds:Transforms")
	tr.CreateElement("ds:Transform").CreateAttr("Algorithm", string(dsig.EnvelopedSignatureAltorithmId))
	tr.CreateElement("ds:Transform").CreateAttr("Algorithm", string(dsig.CanonicalXML10ExclusiveAlgorithmId))
	ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", algSHA256)
	ref.CreateElement("ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(docDigest[:]))

	pref := si.CreateElement("ds:Reference")
	pref.CreateAttr("Type", typeSignedProperties)
	pref.CreateAttr("URI", "#"+idProperties)
	pref.CreateElement("ds:Transforms").CreateElement("ds:Transform").CreateAttr("Algorithm", string(dsig.CanonicalXML10ExclusiveAlgorithmId))
	pref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", algSHA256)
	propsDigest := pref.CreateElement("ds:DigestValue")

	sigValue := sig.CreateElement("ds:SignatureValue")
	sig.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").
		SetText(base64.StdEncoding.EncodeToString(cert.Raw))

	props, err := qualifyingProperties(sig.CreateElement("ds:Object"), cert, now)
	if err != nil {
		return err
	}
	// Digests of the signed properties and of SignedInfo are taken in place,
	// with the namespaces in scope there, as the verifier will see them.
	b, err := canonicalInPlace(props, exc)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	propsDigest.SetText(base64.StdEncoding.EncodeToString(sum[:]))

	b, err = canonicalInPlace(si, exc)
	if err != nil {
		return err
	}
	sum = sha256.Sum256(b)
	raw, err := key.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		e := procedo.Errorf(procedo.EINTERNAL, "La firma della segnatura non è riuscita.")
		e.Err = err
		return e
	}
	if method == dsig.ECDSASHA256SignatureMethod {
		// crypto.Signer returns ASN.1; XML-DSig wants r and s concatenated (RFC 4050).
		if raw, err = ecdsaASN1ToRaw(raw, 32); err != nil {
			return err
		}
	}
	sigValue.SetText(base64.StdEncoding.EncodeToString(raw))
	return nil
}

// qualifyingProperties writes the XAdES baseline B signed properties into obj
// and returns the xades:SignedProperties element.
func qualifyingProperties(obj *etree.Element, cert *x509.Certificate, now time.Time) (*etree.Element, error) {
	qp := obj.CreateElement("xades:QualifyingProperties")
	qp.CreateAttr("xmlns:xades", xadesNS)
	qp.CreateAttr("Target", "#"+idSignature)
	sp := qp.CreateElement("xades:SignedProperties")
	sp.CreateAttr("Id", idProperties)
	ssp := sp.CreateElement("xades:SignedSignatureProperties")
	ssp.CreateElement("xades:SigningTime").SetText(now.UTC().Format(time.RFC3339))
	c := ssp.CreateElement("xades:SigningCertificateV2").CreateElement("xades:Cert")
	cd := c.CreateElement("xades:CertDigest")
	cd.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", algSHA256)
	sum := sha256.Sum256(cert.Raw)
	cd.CreateElement("ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(sum[:]))
	is, err := issuerSerialV2(cert)
	if err != nil {
		return nil, err
	}
	c.CreateElement("xades:IssuerSerialV2").SetText(base64.StdEncoding.EncodeToString(is))
	dof := sp.CreateElement("xades:SignedDataObjectProperties").CreateElement("xades:DataObjectFormat")
	dof.CreateAttr("ObjectReference", "#"+idReference)
	dof.CreateElement("xades:MimeType").SetText("text/xml")
	return sp, nil
}

// issuerSerialV2 returns the DER IssuerSerial of RFC 5035 (issuer as a
// GeneralNames holding one directoryName, and serial number) that XAdES
// SigningCertificateV2 carries base64-encoded.
func issuerSerialV2(cert *x509.Certificate) ([]byte, error) {
	dirName, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: cert.RawIssuer})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(struct {
		Issuer asn1.RawValue
		Serial *big.Int
	}{
		Issuer: asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: dirName},
		Serial: cert.SerialNumber,
	})
}

// canonicalInPlace canonicalises el with the namespaces in scope at its place
// in the tree, without changing the tree.
func canonicalInPlace(el *etree.Element, c dsig.Canonicalizer) ([]byte, error) {
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, err
	}
	det, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, err
	}
	return c.Canonicalize(det)
}

type ecdsaSig struct{ R, S *big.Int }

// ecdsaASN1ToRaw converts an ASN.1 ECDSA signature to r||s, each size bytes.
func ecdsaASN1ToRaw(der []byte, size int) ([]byte, error) {
	var s ecdsaSig
	if rest, err := asn1.Unmarshal(der, &s); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("bad ECDSA signature: %v", err)
	}
	out := make([]byte, 2*size)
	s.R.FillBytes(out[:size])
	s.S.FillBytes(out[size:])
	return out, nil
}

// NewSelfSigned returns an RSA 2048 key and a self-signed certificate for it,
// valid from an hour ago for two years, with commonName and org (e.g. the
// AOO's and the administration's names) as subject. It is for demos and tests:
// a real segnatura is sealed with the AOO's qualified electronic seal.
func NewSelfSigned(commonName, org string) (crypto.Signer, *x509.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial.Add(serial, big.NewInt(1)),
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{org}, Country: []string{"IT"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(2, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	return key, cert, nil
}
