// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package signature

import (
	"encoding/base64"
	"errors"
	"testing"
)

// The fuzz targets run their seed corpus as normal tests; `go test -fuzz`
// explores further. Both must never panic, and every error must be an *Error
// with an Italian message.

func checkError(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Message() == "" {
		t.Fatalf("error %v is not an *Error", err)
	}
}

func FuzzInspectCAdES(f *testing.F) {
	p := pki(f)
	der := buildCMS(f, testPDF, signOpts{}, p.rsa)
	for _, b := range [][]byte{
		der,
		buildCMS(f, testPDF, signOpts{pss: true, essV1: true}, p.rsa),
		buildCMS(f, testPDF, signOpts{hash: 0, ski: true}, p.ec),
		buildCMS(f, testPDF, signOpts{noAttrs: true}, p.ec),
		buildCMS(f, buildCMS(f, testPDF, signOpts{}, p.ec), signOpts{}, p.rsa),
		buildCMS(f, testPDF, signOpts{}, p.rsa, p.ec),
		buildCMS(f, testPDF, signOpts{detached: true}, p.ec),
		buildCMS(f, testPDF, signOpts{}, p.expired),
		toBER(f, buildCMS(f, testPDF, signOpts{}, p.ec), 8),
		[]byte(base64.StdEncoding.EncodeToString(der)),
		[]byte("-----BEGIN PKCS7-----\nMIIB\n-----END PKCS7-----\n"),
		[]byte("garbage"),
		{},
		{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80},
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := InspectCAdES(b, Options{Now: t0, Filename: "a.pdf.p7m", Roots: pool(p.root.cert)})
		switch {
		case err == nil:
			if res == nil || res.Content == nil || len(res.Signers) == 0 || res.Depth < 1 || res.Depth > MaxDepth || res.Filename == "" {
				t.Fatalf("incomplete result %+v", res)
			}
		case res != nil:
			if !errors.Is(err, ErrCertificateExpired) && !errors.Is(err, ErrUntrusted) {
				t.Fatalf("result with %v", err)
			}
			checkError(t, err)
		default:
			checkError(t, err)
		}
	})
}

func FuzzDetectPAdES(f *testing.F) {
	p := pki(f)
	one := appendSignature(f, basePDF(), 5, p.rsa, pdfSig{holeSize: 4096})
	for _, b := range [][]byte{
		basePDF(),
		one,
		appendSignature(f, basePDF(), 5, p.ec, pdfSig{contentsFirst: true, holeSize: 4096}),
		appendSignature(f, one, 6, p.ec, pdfSig{docTimeStamp: true, holeSize: 4096}),
		append(appendSignature(f, basePDF(), 5, p.ec, pdfSig{holeSize: 4096}), "7 0 obj << >> endobj\n%%EOF\n"...),
		[]byte("%PDF-1.4\n<< /Type /Sig /ByteRange [0 10 20 5] /Contents <00> >>"),
		[]byte("%PDF-1.4\n<< /ByteRange [0 1 2 3] /Contents (\\"),
		[]byte("%PDF-"),
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := DetectPAdES(b, Options{Roots: pool(p.root.cert)})
		if err != nil {
			checkError(t, err)
			return
		}
		for _, s := range res.Signatures {
			r := s.ByteRange
			if r[0] < 0 || r[1] < 0 || r[0]+r[1] > r[2] || r[2]+r[3] > int64(len(b)) {
				t.Fatalf("byte range %v outside %d bytes", r, len(b))
			}
			if s.Err != nil {
				checkError(t, s.Err)
			} else if s.Signer == nil {
				t.Fatal("verified without a signer")
			}
		}
	})
}
