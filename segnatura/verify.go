// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package segnatura

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"unicode"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/procedo/procedo"
)

const excC14NNS = "http://www.w3.org/2001/10/xml-exc-c14n#" // InclusiveNamespaces

// maxKeyInfoCerts bounds the certificates read from ds:KeyInfo.
const maxKeyInfoCerts = 8

// Verify checks the ds:Signature of a segnatura: that it is the only one and
// the last child of SegnaturaInformatica, that SignedInfo is signed by the key
// of the first certificate in KeyInfo with RSA or ECDSA and SHA-256 or
// stronger, that its references cover the whole segnatura (enveloped) and, when
// present, the XAdES signed properties, whose SigningCertificate must name that
// certificate.
//
// Without roots, Verify proves only integrity: the segnatura is as the holder
// of the embedded certificate signed it, and anyone can make a certificate;
// the certificate's validity period is not checked, so old segnature still
// verify. With roots, the certificate must also chain, now, to one of them
// (further certificates in KeyInfo serve as intermediates; a root may be the
// signing certificate itself).
//
// Errors are EINVALID: errors.Is(err, ErrInvalidSignature) when the signature
// is missing or broken, errors.Is(err, ErrUntrustedCertificate) when it is
// intact but not trusted; ETOOLARGE past MaxSize.
func Verify(xml []byte, roots ...*x509.Certificate) (err error) {
	defer procedo.Wrap(&err, "segnatura.Verify")
	v, err := verifyBytes(xml)
	if err != nil {
		return err
	}
	if len(roots) == 0 {
		return nil
	}
	return checkTrust(v, roots)
}

// verified is the outcome of a successful verify.
type verified struct {
	content *etree.Element      // the segnatura without its signature, re-read from the digested bytes
	cert    *x509.Certificate   // signing certificate (first X509Certificate in KeyInfo)
	chain   []*x509.Certificate // further certificates in KeyInfo
}

func verifyBytes(b []byte) (*verified, error) {
	doc, err := readDocument(b)
	if err != nil {
		return nil, err
	}
	root := doc.Root()
	if err := checkRoot(root); err != nil {
		return nil, err
	}
	return verify(root)
}

// sigInvalid is the error for a signature that does not verify; cause is for logs.
func sigInvalid(cause error) error {
	return &procedo.Error{
		Code:    procedo.EINVALID,
		Message: "La firma della segnatura non è valida.",
		Err:     fmt.Errorf("%w: %w", ErrInvalidSignature, cause),
	}
}

// verify checks the signature of root (see Verify) and returns what it signed.
// Everything it trusts after checking SignatureValue (references, transforms,
// digests, signed properties) is re-read from the canonical bytes that were
// verified, never from the received tree, so that no difference between what
// was signed and what is read can slip in.
func verify(root *etree.Element) (*verified, error) {
	sigs := findAll(root, dsNS, signature)
	switch {
	case len(sigs) == 0:
		return nil, &procedo.Error{Code: procedo.EINVALID, Message: "La segnatura non è firmata.",
			Err: fmt.Errorf("%w: no ds:Signature", ErrInvalidSignature)}
	case len(sigs) > 1:
		return nil, sigInvalid(errors.New("more than one ds:Signature"))
	case sigs[0].Parent() != root:
		return nil, sigInvalid(errors.New("ds:Signature is not a child of the root"))
	}
	sig := sigs[0]
	si, err := onlyChild(sig, dsNS, "SignedInfo", true)
	if err != nil {
		return nil, sigInvalid(err)
	}
	sv, err := onlyChild(sig, dsNS, "SignatureValue", true)
	if err != nil {
		return nil, sigInvalid(err)
	}
	ki, err := onlyChild(sig, dsNS, "KeyInfo", false)
	if err != nil {
		return nil, sigInvalid(err)
	}
	v := &verified{}
	if v.cert, v.chain, err = keyInfoCerts(ki); err != nil {
		return nil, sigInvalid(err)
	}

	// SignedInfo, canonicalised as it says, then verified.
	cm, err := onlyChild(si, dsNS, "CanonicalizationMethod", true)
	if err != nil {
		return nil, sigInvalid(err)
	}
	c, err := canonicalizer(cm, true)
	if err != nil {
		return nil, sigInvalid(err)
	}
	siBytes, err := canonicalInPlace(si, c)
	if err != nil {
		return nil, sigInvalid(err)
	}
	vsi, err := parseCanonical(siBytes)
	if err != nil {
		return nil, sigInvalid(err)
	}
	sm, err := onlyChild(vsi, dsNS, "SignatureMethod", true)
	if err != nil {
		return nil, sigInvalid(err)
	}
	value, err := decodeBase64(sv.Text())
	if err != nil {
		return nil, sigInvalid(fmt.Errorf("SignatureValue: %w", err))
	}
	algo, value, err := signatureAlgorithm(sm.SelectAttrValue("Algorithm", ""), v.cert, value)
	if err != nil {
		return nil, sigInvalid(err)
	}
	if err := v.cert.CheckSignature(algo, siBytes, value); err != nil {
		return nil, sigInvalid(err)
	}

	// The references of the verified SignedInfo.
	var content []byte
	var props *etree.Element
	docRefs, propRefs := 0, 0
	for _, ref := range vsi.ChildElements() {
		if !isNS(ref, dsNS, "Reference") {
			continue
		}
		uri := ref.SelectAttr("URI")
		if uri == nil {
			return nil, sigInvalid(errors.New("ds:Reference without URI"))
		}
		switch {
		case uri.Value == "":
			docRefs++
			if content, err = digestDocument(root, sig, ref); err != nil {
				return nil, sigInvalid(err)
			}
		case strings.HasPrefix(uri.Value, "#"):
			propRefs++
			if props, err = digestProperties(sig, ref, uri.Value[1:]); err != nil {
				return nil, sigInvalid(err)
			}
		default:
			return nil, sigInvalid(fmt.Errorf("unsupported reference URI %q", uri.Value))
		}
	}
	if docRefs != 1 || propRefs > 1 {
		return nil, sigInvalid(fmt.Errorf("%d references to the document and %d to signed properties", docRefs, propRefs))
	}
	if props != nil {
		if err := checkSigningCertificate(props, v.cert); err != nil {
			return nil, sigInvalid(err)
		}
	}
	if v.content, err = parseCanonical(content); err != nil {
		return nil, sigInvalid(err)
	}
	return v, nil
}

// digestDocument checks the reference to the whole document (URI=""), which
// must carry the enveloped-signature transform, and returns the digested bytes.
func digestDocument(root, sig, ref *etree.Element) ([]byte, error) {
	// Without a canonicalisation transform, XML-DSig converts the node set with
	// Canonical XML 1.0.
	c := dsig.MakeC14N10RecCanonicalizer()
	enveloped := false
	for _, t := range transforms(ref) {
		if t.SelectAttrValue("Algorithm", "") == string(dsig.EnvelopedSignatureAltorithmId) {
			enveloped = true
			continue
		}
		var err error
		if c, err = canonicalizer(t, false); err != nil {
			return nil, err
		}
	}
	if !enveloped {
		return nil, errors.New("document reference without the enveloped-signature transform")
	}
	cp := root.Copy()
	cp.RemoveChildAt(sig.Index())
	b, err := c.Canonicalize(cp)
	if err != nil {
		return nil, err
	}
	return b, checkDigest(ref, b)
}

// digestProperties checks a same-document reference, which procedo accepts
// only to the xades:SignedProperties inside the signature, and returns them
// re-read from the digested bytes.
func digestProperties(sig, ref *etree.Element, id string) (*etree.Element, error) {
	var targets []*etree.Element
	for _, e := range findAll(sig, "", "") {
		if a := e.SelectAttr("Id"); a != nil && a.Value == id {
			targets = append(targets, e)
		}
	}
	if len(targets) != 1 || !isNS(targets[0], xadesNS, "SignedProperties") {
		return nil, fmt.Errorf("reference #%s is not to the signed properties", id)
	}
	c := dsig.MakeC14N10RecCanonicalizer()
	for _, t := range transforms(ref) {
		var err error
		if c, err = canonicalizer(t, false); err != nil {
			return nil, err
		}
	}
	b, err := canonicalInPlace(targets[0], c)
	if err != nil {
		return nil, err
	}
	if err := checkDigest(ref, b); err != nil {
		return nil, err
	}
	return parseCanonical(b)
}

// checkSigningCertificate checks that the XAdES SigningCertificateV2 (or the
// older SigningCertificate) names cert by digest.
func checkSigningCertificate(props *etree.Element, cert *x509.Certificate) error {
	for _, ssp := range props.ChildElements() {
		if !isNS(ssp, xadesNS, "SignedSignatureProperties") {
			continue
		}
		found := false
		for _, sc := range ssp.ChildElements() {
			if !isNS(sc, xadesNS, "SigningCertificateV2") && !isNS(sc, xadesNS, "SigningCertificate") {
				continue
			}
			found = true
			for _, c := range sc.ChildElements() {
				if !isNS(c, xadesNS, "Cert") {
					continue
				}
				cd, err := onlyChild(c, xadesNS, "CertDigest", true)
				if err != nil {
					return err
				}
				if checkDigest(cd, cert.Raw) == nil {
					return nil
				}
			}
		}
		if found {
			return errors.New("the XAdES signing certificate is not the one in KeyInfo")
		}
	}
	return errors.New("XAdES signed properties without a signing certificate")
}

// checkDigest compares the ds:DigestMethod/ds:DigestValue children of e with
// the digest of b. SHA-1 is refused.
func checkDigest(e *etree.Element, b []byte) error {
	dm, err := onlyChild(e, dsNS, "DigestMethod", true)
	if err != nil {
		return err
	}
	dv, err := onlyChild(e, dsNS, "DigestValue", true)
	if err != nil {
		return err
	}
	var h crypto.Hash
	switch alg := dm.SelectAttrValue("Algorithm", ""); alg {
	case "http://www.w3.org/2001/04/xmldsig-more#sha224":
		h = crypto.SHA224
	case algSHA256:
		h = crypto.SHA256
	case "http://www.w3.org/2001/04/xmldsig-more#sha384":
		h = crypto.SHA384
	case "http://www.w3.org/2001/04/xmlenc#sha512":
		h = crypto.SHA512
	default:
		return fmt.Errorf("unsupported digest algorithm %q", alg)
	}
	want, err := decodeBase64(dv.Text())
	if err != nil {
		return fmt.Errorf("DigestValue: %w", err)
	}
	d := h.New()
	d.Write(b)
	if !bytes.Equal(d.Sum(nil), want) {
		return errors.New("digest mismatch")
	}
	return nil
}

// signatureAlgorithm maps an XML-DSig SignatureMethod to x509's, refusing SHA-1
// and methods that do not fit cert's key, and converts an ECDSA value from
// r||s (RFC 4050) to the ASN.1 that x509 checks.
func signatureAlgorithm(method string, cert *x509.Certificate, value []byte) (x509.SignatureAlgorithm, []byte, error) {
	rsaAlgs := map[string]x509.SignatureAlgorithm{
		dsig.RSASHA256SignatureMethod: x509.SHA256WithRSA,
		dsig.RSASHA384SignatureMethod: x509.SHA384WithRSA,
		dsig.RSASHA512SignatureMethod: x509.SHA512WithRSA,
	}
	ecAlgs := map[string]x509.SignatureAlgorithm{
		dsig.ECDSASHA256SignatureMethod: x509.ECDSAWithSHA256,
		dsig.ECDSASHA384SignatureMethod: x509.ECDSAWithSHA384,
		dsig.ECDSASHA512SignatureMethod: x509.ECDSAWithSHA512,
	}
	if a, ok := rsaAlgs[method]; ok {
		return a, value, nil
	}
	a, ok := ecAlgs[method]
	if !ok {
		return 0, nil, fmt.Errorf("unsupported signature method %q", method)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return 0, nil, errors.New("ECDSA signature with a non-ECDSA certificate")
	}
	size := (pub.Curve.Params().BitSize + 7) / 8
	if len(value) != 2*size {
		return 0, nil, errors.New("ECDSA signature of the wrong length")
	}
	der, err := asn1.Marshal(ecdsaSig{new(big.Int).SetBytes(value[:size]), new(big.Int).SetBytes(value[size:])})
	return a, der, err
}

// canonicalizer returns the canonicaliser an Algorithm attribute names.
// Comments are kept only where asked and allowed: same-document references
// ("" and "#id") exclude them whatever the transform says (XML-DSig 4.4.3.3).
func canonicalizer(e *etree.Element, comments bool) (dsig.Canonicalizer, error) {
	prefixes := ""
	for _, c := range e.ChildElements() {
		if isNS(c, excC14NNS, "InclusiveNamespaces") {
			prefixes = c.SelectAttrValue("PrefixList", "")
		}
	}
	switch alg := dsig.AlgorithmID(e.SelectAttrValue("Algorithm", "")); alg {
	case dsig.CanonicalXML10ExclusiveAlgorithmId:
		return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(prefixes), nil
	case dsig.CanonicalXML10ExclusiveWithCommentsAlgorithmId:
		if comments {
			return dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList(prefixes), nil
		}
		return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(prefixes), nil
	case dsig.CanonicalXML11AlgorithmId:
		return dsig.MakeC14N11Canonicalizer(), nil
	case dsig.CanonicalXML11WithCommentsAlgorithmId:
		if comments {
			return dsig.MakeC14N11WithCommentsCanonicalizer(), nil
		}
		return dsig.MakeC14N11Canonicalizer(), nil
	case dsig.CanonicalXML10RecAlgorithmId:
		return dsig.MakeC14N10RecCanonicalizer(), nil
	case dsig.CanonicalXML10WithCommentsAlgorithmId:
		if comments {
			return dsig.MakeC14N10WithCommentsCanonicalizer(), nil
		}
		return dsig.MakeC14N10RecCanonicalizer(), nil
	default:
		return nil, fmt.Errorf("unsupported transform or canonicalization %q", alg)
	}
}

// transforms returns the ds:Transform elements of a reference.
func transforms(ref *etree.Element) []*etree.Element {
	var out []*etree.Element
	for _, ts := range ref.ChildElements() {
		if isNS(ts, dsNS, "Transforms") {
			for _, t := range ts.ChildElements() {
				if isNS(t, dsNS, "Transform") {
					out = append(out, t)
				}
			}
		}
	}
	return out
}

// keyInfoCerts returns the certificates of ds:KeyInfo/ds:X509Data in order.
func keyInfoCerts(ki *etree.Element) (*x509.Certificate, []*x509.Certificate, error) {
	if ki == nil {
		return nil, nil, errors.New("no ds:KeyInfo")
	}
	var certs []*x509.Certificate
	for _, xd := range ki.ChildElements() {
		if !isNS(xd, dsNS, "X509Data") {
			continue
		}
		for _, xc := range xd.ChildElements() {
			if !isNS(xc, dsNS, "X509Certificate") {
				continue
			}
			if len(certs) == maxKeyInfoCerts {
				return nil, nil, errors.New("too many certificates in ds:KeyInfo")
			}
			der, err := decodeBase64(xc.Text())
			if err != nil {
				return nil, nil, fmt.Errorf("X509Certificate: %w", err)
			}
			c, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, nil, err
			}
			certs = append(certs, c)
		}
	}
	if len(certs) == 0 {
		return nil, nil, errors.New("no X509Certificate in ds:KeyInfo")
	}
	return certs[0], certs[1:], nil
}

// checkTrust checks that v's certificate chains to one of roots, now.
func checkTrust(v *verified, roots []*x509.Certificate) error {
	pool, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, r := range roots {
		if r != nil {
			pool.AddCert(r)
		}
	}
	for _, c := range v.chain {
		inter.AddCert(c)
	}
	_, err := v.cert.Verify(x509.VerifyOptions{
		Roots:         pool,
		Intermediates: inter,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return &procedo.Error{
			Code:    procedo.EINVALID,
			Message: "Il certificato che ha firmato la segnatura non è attendibile.",
			Err:     fmt.Errorf("%w: %w", ErrUntrustedCertificate, err),
		}
	}
	return nil
}

// onlyChild returns the only child ns:tag of e; nil when there is none and it
// is not required; an error when there are several.
func onlyChild(e *etree.Element, ns, tag string, required bool) (*etree.Element, error) {
	var found *etree.Element
	for _, c := range e.ChildElements() {
		if isNS(c, ns, tag) {
			if found != nil {
				return nil, fmt.Errorf("more than one %s in %s", tag, e.Tag)
			}
			found = c
		}
	}
	if found == nil && required {
		return nil, fmt.Errorf("no %s in %s", tag, e.Tag)
	}
	return found, nil
}

// findAll returns the elements ns:tag in the subtree of e, e included, in
// document order; an empty tag matches every element. It walks with an
// explicit stack, so depth costs no recursion.
func findAll(e *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	stack := []*etree.Element{e}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if tag == "" || isNS(n, ns, tag) {
			out = append(out, n)
		}
		cs := n.ChildElements()
		for i := len(cs) - 1; i >= 0; i-- {
			stack = append(stack, cs[i])
		}
	}
	return out
}

// parseCanonical reads canonical XML produced here back into a tree.
func parseCanonical(b []byte) (*etree.Element, error) {
	doc := etree.NewDocument()
	doc.ReadSettings.MaxDepth = maxDepth + 1
	if err := doc.ReadFromBytes(b); err != nil {
		return nil, err
	}
	if doc.Root() == nil {
		return nil, errors.New("empty canonical form")
	}
	return doc.Root(), nil
}

// decodeBase64 decodes base64 that may be wrapped over several lines, as
// xs:base64Binary allows.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.Strict().DecodeString(s)
}
