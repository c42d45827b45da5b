// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package signature

import (
	"bytes"
	"encoding/asn1"
	"math"
	"sort"
	"time"
)

// PAdES lists the signatures found in a PDF.
type PAdES struct {
	// Signatures in file order (the first signature is usually the oldest).
	Signatures []PDFSignature
}

// Signed reports whether the PDF holds at least one signature.
func (p *PAdES) Signed() bool { return len(p.Signatures) > 0 }

// Valid reports whether the PDF holds signatures, every one verifies, and the
// last one covers the whole file (nothing was appended after it).
func (p *PAdES) Valid() bool {
	if len(p.Signatures) == 0 {
		return false
	}
	for _, s := range p.Signatures {
		if s.Err != nil {
			return false
		}
	}
	return p.Signatures[len(p.Signatures)-1].CoversWholeFile
}

// PDFSignature is one signature dictionary of a PDF.
type PDFSignature struct {
	// Type is "Sig", or "DocTimeStamp" for a document timestamp.
	Type string
	// SubFilter is the encoding: "ETSI.CAdES.detached" (PAdES),
	// "adbe.pkcs7.detached", "ETSI.RFC3161" (document timestamp).
	SubFilter string
	// Name, Reason, Location and ContactInfo are what the signing
	// application wrote; they are not signed by the certificate's owner
	// as such and are shown only as claims.
	Name, Reason, Location, ContactInfo string
	// ClaimedTime is /M, the signing time the application wrote.
	ClaimedTime time.Time
	// ByteRange is the signed part of the file: [offset length offset
	// length], around the /Contents hole.
	ByteRange [4]int64
	// CoversWholeFile: the byte range starts at 0 and ends at the end of
	// the file, so nothing (no incremental update) was added after this
	// signature. A later signature always leaves the earlier ones false.
	CoversWholeFile bool
	// Signer describes the certificate and the checks; nil when the CMS
	// could not be read. Its SigningTime is the signed attribute, else /M
	// (for a document timestamp: the TSA's time).
	Signer *Signer
	// Err is nil when the CMS signature verifies over ByteRange and the
	// certificate was valid (and, with Options.Roots, trusted) at the
	// signing time; else an *Error as InspectCAdES returns.
	Err error
}

var oidTSTInfo = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}

// Bounds on the work one PDF can cause.
const (
	// pdfSearchWindow bounds how far before /ByteRange DetectPAdES looks
	// for the start of the signature dictionary, not counting the hole.
	pdfSearchWindow = 64 << 10
	// maxPDFCandidates bounds the "/ByteRange" occurrences examined.
	maxPDFCandidates = 2 * MaxSigners
)

// DetectPAdES finds the signatures of a PDF (signature dictionaries with
// /ByteRange and /Contents: PAdES ETSI.CAdES.detached, adbe.pkcs7.detached,
// ETSI.RFC3161 document timestamps) and verifies each: the /Contents hole is
// exactly what ByteRange leaves out, the CMS in it is a detached signature of
// the bytes ByteRange covers, checked as InspectCAdES checks a signer, and
// whether the range reaches the end of the file (no update after it).
//
// A PDF without signatures gives an empty result and no error. The error is
// ErrTooLarge past MaxSize, ErrNotPDF when the bytes are not a PDF and
// ErrTooManySigners past MaxSigners; problems with one signature are in its
// Err. Signature dictionaries inside compressed object streams are not found
// (signing applications write them uncompressed, since /Contents must be
// patched in place). Trust and revocation as in InspectCAdES.
func DetectPAdES(pdf []byte, opts Options) (*PAdES, error) {
	if len(pdf) > MaxSize {
		return nil, errorf(ErrTooLarge, -1, "%d bytes, limit %d", len(pdf), MaxSize)
	}
	if i := bytes.Index(pdf[:min(len(pdf), 1024)], []byte("%PDF-")); i < 0 {
		return nil, errorf(ErrNotPDF, -1, "no %%PDF- header")
	}
	res := &PAdES{}
	seen := map[[4]int64]bool{}
	for from, candidates := 0, 0; ; candidates++ {
		i := bytes.Index(pdf[from:], []byte("/ByteRange"))
		if i < 0 {
			break
		}
		if candidates >= maxPDFCandidates {
			return nil, errorf(ErrTooManySigners, -1, "more than %d /ByteRange keys", maxPDFCandidates)
		}
		at := from + i
		from = at + len("/ByteRange")
		sig, ok, hole := readSignature(pdf, at, opts)
		if !ok || seen[sig.ByteRange] {
			continue
		}
		seen[sig.ByteRange] = true
		if len(res.Signatures) >= MaxSigners {
			return nil, errorf(ErrTooManySigners, -1, "more than %d signatures", MaxSigners)
		}
		res.Signatures = append(res.Signatures, sig)
		// Skip a verified hole: its hex digits hold no "/ByteRange".
		if end := int(sig.ByteRange[2]); hole && end > from {
			from = end
		}
	}
	sort.SliceStable(res.Signatures, func(a, b int) bool {
		ra, rb := res.Signatures[a].ByteRange, res.Signatures[b].ByteRange
		return ra[2]+ra[3] < rb[2]+rb[3]
	})
	return res, nil
}

// readSignature reads the signature dictionary holding the /ByteRange key at
// offset at. ok is false when this is no signature dictionary at all; hole is
// true when /Contents is exactly the ByteRange hole.
func readSignature(pdf []byte, at int, opts Options) (sig PDFSignature, ok, hole bool) {
	// The ByteRange array comes first, so the hole is known before looking
	// back for the dictionary's start.
	lx := &pdfLexer{b: pdf, pos: at + len("/ByteRange")}
	br, err := lx.value(0)
	if err != nil || br.Kind != pdfArray || len(br.Arr) != 4 {
		return sig, false, false
	}
	for i, v := range br.Arr {
		if v.Kind != pdfNumber || !v.Int || v.Num < 0 || v.Num > math.MaxInt32 {
			return sig, false, false
		}
		sig.ByteRange[i] = int64(v.Num)
	}
	r := sig.ByteRange
	n := int64(len(pdf))
	if r[0]+r[1] > r[2] || r[2]+r[3] > n || r[0]+r[1] >= n {
		return sig, false, false
	}
	holeStart, holeEnd := int(r[0]+r[1]), int(r[2])
	skipFrom, skipTo := holeStart, holeEnd
	if at >= holeStart && at < holeEnd {
		skipFrom, skipTo = 0, 0 // a bogus hole over its own key: found below as not the /Contents
	}
	tail := pdf[r[2]+r[3]:]
	sig.CoversWholeFile = r[0] == 0 && len(bytes.Trim(tail, "\r\n \t\x00")) == 0
	// A hole that looks like a hex string means a signature was meant here:
	// an unreadable dictionary around it is reported, not skipped.
	looksSigned := holeEnd-holeStart >= 2 && pdf[holeStart] == '<' && pdf[holeEnd-1] == '>'
	unreadable := func() (PDFSignature, bool, bool) {
		if !looksSigned {
			return sig, false, false
		}
		sig.Type = "Sig"
		sig.Err = errorf(ErrMalformed, -1, "unreadable signature dictionary")
		return sig, true, false
	}
	start := dictStart(pdf, at, skipFrom, skipTo)
	if start < 0 {
		return unreadable()
	}
	lx = &pdfLexer{b: pdf, pos: start}
	d, err := lx.value(0)
	if err != nil || d.Kind != pdfDict {
		return unreadable()
	}
	sig.Type = nameOf(d.Dict["Type"])
	sig.SubFilter = nameOf(d.Dict["SubFilter"])
	if sig.Type == "" {
		sig.Type = "Sig" // /Type is optional in a signature dictionary
	}
	if sig.Type != "Sig" && sig.Type != "DocTimeStamp" {
		return sig, false, false
	}
	sig.Name = textOf(d.Dict["Name"])
	sig.Reason = textOf(d.Dict["Reason"])
	sig.Location = textOf(d.Dict["Location"])
	sig.ContactInfo = textOf(d.Dict["ContactInfo"])
	if m, ok := d.Dict["M"]; ok && m.Kind == pdfString {
		sig.ClaimedTime, _ = pdfDate(string(m.Str))
	}
	contents, found := d.Dict["Contents"]
	if !found || contents.Kind != pdfString || contents.Off != holeStart || contents.End != holeEnd {
		sig.Err = errorf(ErrMalformed, -1, "/Contents is not the ByteRange hole")
		return sig, true, false
	}
	sig.Signer, sig.Err = verifyPDFSignature(pdf, &sig, contents.Str, opts)
	return sig, true, true
}

// dictStart finds the "<<" opening the dictionary that holds offset at,
// looking back at most pdfSearchWindow bytes and jumping over the hole.
func dictStart(pdf []byte, at, holeStart, holeEnd int) int {
	depth := 0
	budget := pdfSearchWindow
	for i := at - 1; i > 0 && budget > 0; i, budget = i-1, budget-1 {
		if i < holeEnd && i >= holeStart {
			i = holeStart // the loop's i-1 lands before the hole
			continue
		}
		switch {
		case pdf[i] == '>' && pdf[i-1] == '>':
			depth++
			i--
		case pdf[i] == '<' && pdf[i-1] == '<':
			if depth == 0 {
				return i - 1
			}
			depth--
			i--
		}
	}
	return -1
}

func nameOf(v pdfValue) string {
	if v.Kind != pdfName {
		return ""
	}
	return string(v.Str)
}

func textOf(v pdfValue) string {
	if v.Kind != pdfString {
		return ""
	}
	return pdfText(v.Str)
}

// verifyPDFSignature checks the CMS in /Contents against the byte ranges.
func verifyPDFSignature(pdf []byte, sig *PDFSignature, cms []byte, opts Options) (*Signer, error) {
	r := sig.ByteRange
	parts := [][]byte{pdf[r[0] : r[0]+r[1]], pdf[r[2] : r[2]+r[3]]}
	sd, err := parseSignedData(cms)
	if err != nil {
		return nil, err
	}
	if len(sd.signers) == 0 {
		return nil, errorf(ErrNoSigner, -1, "no SignerInfo")
	}
	var content *signedContent
	var tsTime time.Time
	switch {
	case sd.contentType.Equal(oidTSTInfo) && sd.attached:
		// Document timestamp: the TSA signed TSTInfo, whose message imprint
		// is the digest of the byte ranges.
		t, e := checkTimestampImprint(sd.content, parts)
		if e != nil {
			return nil, e
		}
		tsTime, content = t, newContent(sd.content)
	case sd.attached:
		return nil, errorf(ErrUnsupportedAlgorithm, -1, "attached content (adbe.pkcs7.sha1) is not supported")
	default:
		content = newContent(parts...)
	}
	var first *Signer
	var firstErr *Error
	for i := range sd.signers {
		s, e := verifySigner(&sd.signers[i], sd, content, i, withClaimedTime(opts, sig.ClaimedTime, tsTime))
		if e != nil {
			return nil, e
		}
		if !tsTime.IsZero() {
			s.SigningTime = tsTime
		} else if s.SigningTime.IsZero() {
			s.SigningTime = sig.ClaimedTime
		}
		if first == nil {
			first = s
		}
		if firstErr == nil {
			firstErr = statusError([]Signer{*s})
		}
	}
	if firstErr != nil {
		return first, firstErr
	}
	return first, nil
}

// withClaimedTime makes the checks of a signature without a signing-time
// attribute use the timestamp time, else /M, else Options.Now.
func withClaimedTime(opts Options, claimed, ts time.Time) Options {
	switch {
	case !ts.IsZero():
		opts.Now = ts
	case !claimed.IsZero():
		opts.Now = claimed
	}
	return opts
}

type tstInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint struct {
		HashAlgorithm algorithmIdentifier
		HashedMessage []byte
	}
	SerialNumber asn1.RawValue
	GenTime      time.Time `asn1:"generalized"`
}

// checkTimestampImprint verifies that a TSTInfo's message imprint is the
// digest of parts and returns its time.
func checkTimestampImprint(der []byte, parts [][]byte) (time.Time, *Error) {
	var t tstInfo
	if _, err := asn1.Unmarshal(der, &t); err != nil {
		return time.Time{}, errorf(ErrMalformed, -1, "TSTInfo: %v", err)
	}
	h, ok := hashFor(t.MessageImprint.HashAlgorithm.Algorithm)
	if !ok {
		return time.Time{}, errorf(ErrUnsupportedAlgorithm, -1, "timestamp imprint %v", t.MessageImprint.HashAlgorithm.Algorithm)
	}
	if !bytes.Equal(digest(h, parts...), t.MessageImprint.HashedMessage) {
		return time.Time{}, errorf(ErrContentModified, -1, "timestamp imprint mismatch")
	}
	return t.GenTime, nil
}
