// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package signature

import (
	"bytes"
	"crypto"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
)

// basePDF is a minimal one-page PDF with a correct xref table.
func basePDF() []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
		"<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 720 Td (Domanda) Tj ET\nendstream",
	}
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// pdfSig varies appendSignature.
type pdfSig struct {
	contentsFirst bool // /Contents before /ByteRange in the dictionary
	subFilter     string
	docTimeStamp  bool
	holeSize      int // hex digits reserved; default 16384
	tamper        func(signed []byte)
	cmsOpts       signOpts
	m             string              // /M; default D:20260315103000+01'00'
	sign          func([]byte) []byte // makes the CMS instead of buildCMS
}

// appendSignature adds an incremental update with a signature dictionary
// (object obj) signed by k over the ByteRange, as signing applications do.
func appendSignature(tb testing.TB, pdf []byte, obj int, k testKey, o pdfSig) []byte {
	tb.Helper()
	if o.subFilter == "" {
		o.subFilter = "ETSI.CAdES.detached"
	}
	if o.holeSize == 0 {
		o.holeSize = 16384
	}
	if o.m == "" {
		o.m = "D:20260315103000+01'00'"
	}
	typ := "Sig"
	if o.docTimeStamp {
		typ, o.subFilter = "DocTimeStamp", "ETSI.RFC3161"
	}
	placeholder := "/ByteRange [0 ********** ********** **********]"
	contents := "/Contents <" + strings.Repeat("0", o.holeSize) + ">"
	fields := placeholder + " " + contents
	if o.contentsFirst {
		fields = contents + "\n" + placeholder
	}
	var b bytes.Buffer
	b.Write(pdf)
	off := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< /Type /%s /Filter /Adobe.PPKLite /SubFilter /%s /Name (Mario Rossi) /Reason (Domanda \\(firmata\\)) /Location (Roma) /M (%s) %s >>\nendobj\n",
		obj, typ, o.subFilter, o.m, fields)
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \ntrailer\n<< /Size %d /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n",
		obj, off, obj+1, bytes.LastIndex(pdf, []byte("xref\n")), xref)
	out := b.Bytes()
	holeStart := off + bytes.Index(out[off:], []byte("/Contents <")) + len("/Contents ")
	holeEnd := holeStart + o.holeSize + 2
	br := fmt.Sprintf("/ByteRange [0 %d %d %d]", holeStart, holeEnd, len(out)-holeEnd)
	br += strings.Repeat(" ", len(placeholder)-len(br))
	p := off + bytes.Index(out[off:], []byte(placeholder))
	copy(out[p:], br)
	signed := append(bytes.Clone(out[:holeStart]), out[holeEnd:]...)
	var cms []byte
	switch {
	case o.sign != nil:
		cms = o.sign(signed)
	case o.docTimeStamp:
		cms = timestampToken(tb, k, signed)
	default:
		co := o.cmsOpts
		co.detached = true
		cms = buildCMS(tb, signed, co, k)
	}
	h := hex.EncodeToString(cms)
	if len(h) > o.holeSize {
		tb.Fatalf("CMS of %d bytes does not fit", len(cms))
	}
	copy(out[holeStart+1:], h)
	if o.tamper != nil {
		o.tamper(out)
	}
	return out
}

// timestampToken builds an RFC 3161 token over data: TSTInfo signed by k.
func timestampToken(tb testing.TB, k testKey, data []byte) []byte {
	tb.Helper()
	tst := seq(mustMarshal(1), mustMarshal(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 1}),
		seq(algID(oidSHA256, derNull), tlv(0x04, digest(crypto.SHA256, data))),
		mustMarshal(big.NewInt(42)), mustMarshal(t0.Add(time.Hour), "generalized"))
	return buildCMS(tb, tst, signOpts{contentType: oidTSTInfo}, k)
}

func TestDetectPAdES(t *testing.T) {
	p := pki(t)
	t.Run("Unsigned", func(t *testing.T) {
		res, err := DetectPAdES(basePDF(), Options{})
		if err != nil || res.Signed() || res.Valid() {
			t.Fatalf("%v %+v", err, res)
		}
	})
	t.Run("Signed", func(t *testing.T) {
		for _, first := range []bool{false, true} {
			pdf := appendSignature(t, basePDF(), 5, p.rsa, pdfSig{contentsFirst: first, cmsOpts: signOpts{noTime: true}})
			res, err := DetectPAdES(pdf, Options{Roots: pool(p.root.cert)})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Signatures) != 1 {
				t.Fatalf("%d signatures", len(res.Signatures))
			}
			s := res.Signatures[0]
			if s.Err != nil || !s.CoversWholeFile || !res.Valid() {
				t.Fatalf("err %v, whole %v", s.Err, s.CoversWholeFile)
			}
			want := time.Date(2026, 3, 15, 9, 30, 0, 0, time.UTC)
			if s.Type != "Sig" || s.SubFilter != "ETSI.CAdES.detached" || s.Name != "Mario Rossi" || s.Reason != "Domanda (firmata)" || s.Location != "Roma" || !s.ClaimedTime.Equal(want) {
				t.Errorf("dictionary %+v", s)
			}
			if s.Signer == nil || s.Signer.FiscalCode != "RSSMRA80A01H501U" || !s.Signer.SigningTime.Equal(want) || s.Signer.Trust != Trusted {
				t.Errorf("signer %+v", s.Signer)
			}
			if s.ByteRange[0] != 0 || s.ByteRange[2]+s.ByteRange[3] != int64(len(pdf)) {
				t.Errorf("byte range %v", s.ByteRange)
			}
		}
	})
	t.Run("ECDSAPKCS7Detached", func(t *testing.T) {
		pdf := appendSignature(t, basePDF(), 5, p.ec, pdfSig{subFilter: "adbe.pkcs7.detached", cmsOpts: signOpts{hash: crypto.SHA384}})
		res, err := DetectPAdES(pdf, Options{})
		if err != nil || len(res.Signatures) != 1 || res.Signatures[0].Err != nil {
			t.Fatalf("%v %+v", err, res)
		}
		s := res.Signatures[0]
		if s.SubFilter != "adbe.pkcs7.detached" || s.Signer.SignatureAlgorithm != "ECDSA" || !s.Signer.SigningTime.Equal(t0) {
			t.Errorf("%+v %+v", s, s.Signer)
		}
	})
	t.Run("IncrementalUpdateAfter", func(t *testing.T) {
		pdf := appendSignature(t, basePDF(), 5, p.rsa, pdfSig{})
		pdf = append(pdf, "6 0 obj\n<< /Type /Annot /Subtype /Text /Contents (aggiunto dopo) >>\nendobj\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 7 /Root 1 0 R >>\n%%EOF\n"...)
		res, err := DetectPAdES(pdf, Options{})
		if err != nil || len(res.Signatures) != 1 {
			t.Fatalf("%v %+v", err, res)
		}
		if s := res.Signatures[0]; s.Err != nil || s.CoversWholeFile || res.Valid() {
			t.Errorf("err %v, whole %v, valid %v", s.Err, s.CoversWholeFile, res.Valid())
		}
	})
	t.Run("SignedTwice", func(t *testing.T) {
		pdf := appendSignature(t, basePDF(), 5, p.rsa, pdfSig{})
		pdf = appendSignature(t, pdf, 6, p.ec, pdfSig{})
		res, err := DetectPAdES(pdf, Options{})
		if err != nil || len(res.Signatures) != 2 {
			t.Fatalf("%v %+v", err, res)
		}
		a, b := res.Signatures[0], res.Signatures[1]
		if a.Err != nil || b.Err != nil || a.CoversWholeFile || !b.CoversWholeFile || !res.Valid() {
			t.Errorf("first %v %v, second %v %v", a.Err, a.CoversWholeFile, b.Err, b.CoversWholeFile)
		}
		if a.Signer.Surname != "Rossi" || b.Signer.Surname != "Bianchi" {
			t.Errorf("order %s, %s", a.Signer.Surname, b.Signer.Surname)
		}
	})
	t.Run("DocTimeStamp", func(t *testing.T) {
		pdf := appendSignature(t, basePDF(), 5, p.rsa, pdfSig{})
		pdf = appendSignature(t, pdf, 6, p.ec, pdfSig{docTimeStamp: true})
		res, err := DetectPAdES(pdf, Options{})
		if err != nil || len(res.Signatures) != 2 {
			t.Fatalf("%v %+v", err, res)
		}
		ts := res.Signatures[1]
		if ts.Err != nil || ts.Type != "DocTimeStamp" || !ts.Signer.SigningTime.Equal(t0.Add(time.Hour)) {
			t.Errorf("%v %+v", ts.Err, ts)
		}
		// The imprint must match the byte ranges.
		pdf[100] ^= 1
		res, _ = DetectPAdES(pdf, Options{})
		wantErr(t, res.Signatures[1].Err, ErrContentModified)
	})
	t.Run("Refused", func(t *testing.T) {
		tests := []struct {
			name string
			pdf  []byte
			want error
		}{
			{"Tampered", appendSignature(t, basePDF(), 5, p.rsa, pdfSig{tamper: func(b []byte) {
				i := bytes.Index(b, []byte("(Domanda)"))
				copy(b[i:], "(Dimanda)")
			}}), ErrContentModified},
			{"BadSignature", appendSignature(t, basePDF(), 5, p.rsa, pdfSig{cmsOpts: signOpts{cert: p.ec.cert}}), ErrBadSignature},
			{"Expired", appendSignature(t, basePDF(), 5, p.expired, pdfSig{cmsOpts: signOpts{noTime: true}}), ErrCertificateExpired},
			{"ContentsNotTheHole", appendSignature(t, basePDF(), 5, p.rsa, pdfSig{tamper: func(b []byte) {
				i := bytes.Index(b, []byte("/ByteRange [0 "))
				copy(b[i+len("/ByteRange [0 "):], "1") // shifts the hole's start off /Contents
			}}), ErrMalformed},
			{"GarbageContents", appendSignature(t, basePDF(), 5, p.rsa, pdfSig{tamper: func(b []byte) {
				i := bytes.Index(b, []byte("/Contents <")) + len("/Contents <")
				copy(b[i:], "abcdef")
			}}), ErrMalformed},
			{"NotHexContents", appendSignature(t, basePDF(), 5, p.rsa, pdfSig{tamper: func(b []byte) {
				i := bytes.Index(b, []byte("/Contents <")) + len("/Contents <")
				copy(b[i:], "zz")
			}}), ErrMalformed},
			{"UnreadableDictionary", appendSignature(t, basePDF(), 5, p.rsa, pdfSig{tamper: func(b []byte) {
				i := bytes.Index(b, []byte("/Reason (Domanda"))
				copy(b[i:], "/Reason <Dom")
			}}), ErrMalformed},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res, err := DetectPAdES(tc.pdf, Options{})
				if err != nil || len(res.Signatures) != 1 {
					t.Fatalf("%v %+v", err, res)
				}
				wantErr(t, res.Signatures[0].Err, tc.want)
				if res.Valid() {
					t.Error("valid")
				}
			})
		}
	})
	t.Run("NotPDF", func(t *testing.T) {
		_, err := DetectPAdES([]byte("GIF89a"), Options{})
		wantErr(t, err, ErrNotPDF)
		_, err = DetectPAdES(make([]byte, MaxSize+1), Options{})
		wantErr(t, err, ErrTooLarge)
	})
	t.Run("ManyByteRanges", func(t *testing.T) {
		pdf := append(basePDF(), bytes.Repeat([]byte("<< /ByteRange [0 1 2 3] >>\n"), 10*maxPDFCandidates)...)
		_, err := DetectPAdES(pdf, Options{})
		wantErr(t, err, ErrTooManySigners)
	})
}

func TestPDFDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"D:20260315103000+01'00'", time.Date(2026, 3, 15, 9, 30, 0, 0, time.UTC), true},
		{"D:20260315103000Z", time.Date(2026, 3, 15, 10, 30, 0, 0, time.UTC), true},
		{"D:20260315103000-05'30", time.Date(2026, 3, 15, 16, 0, 0, 0, time.UTC), true},
		{"D:2026", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"20260315", time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), true},
		{"D:20261315", time.Time{}, false},
		{"D:20", time.Time{}, false},
		{"D:2026031510300+", time.Time{}, false},
		{"", time.Time{}, false},
	}
	for _, tc := range tests {
		got, ok := pdfDate(tc.in)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("pdfDate(%q) = %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPDFText(t *testing.T) {
	if got := pdfText([]byte("\xfe\xff\x00C\x00i\x00t\x00t\x00\xe0")); got != "Città" {
		t.Errorf("UTF-16: %q", got)
	}
	if got := pdfText([]byte("Citt\xe0")); got != "Città" {
		t.Errorf("PDFDocEncoding: %q", got)
	}
}

func BenchmarkDetectPAdES(b *testing.B) {
	p := pki(b)
	big := append(basePDF(), '%')
	big = append(big, bytes.Repeat([]byte("0123456789abcdef"), (10<<20)/16)...) // 10 MB comment
	big = append(big, '\n')
	pdf := appendSignature(b, big, 5, p.rsa, pdfSig{})
	pdf = appendSignature(b, pdf, 6, p.ec, pdfSig{})
	b.SetBytes(int64(len(pdf)))
	for b.Loop() {
		res, err := DetectPAdES(pdf, Options{})
		if err != nil || !res.Valid() {
			b.Fatal(err)
		}
	}
}
