// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package signature

import (
	"bytes"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"
)

// CAdES is a verified .p7m file: its signers and the document they signed.
type CAdES struct {
	// Signers lists every signature, outermost envelope first (Signer.Level
	// 0), in file order within an envelope.
	Signers []Signer
	// Depth is the number of envelopes opened: 1 for doc.pdf.p7m, 2 for
	// doc.pdf.p7m.p7m (signed again over the first envelope).
	Depth int
	// Encoding of the outer envelope: "DER", "BER" or "base64".
	Encoding string
	// Content is the innermost signed document; it shares memory with the
	// input when the input was DER.
	Content []byte
	// MediaType is sniffed from Content ("application/pdf", …).
	MediaType string
	// Filename is the suggested name for Content: Options.Filename without
	// its .p7m suffixes, with an extension matching MediaType when it has
	// none ("documento.pdf" when no name was given).
	Filename string
}

// InspectCAdES verifies a CAdES-BES / PKCS#7 signed file (.p7m): DER, BER or
// base64/PEM, with the content attached, possibly signed again (nested
// envelopes, at most MaxDepth). Every signer of every envelope must verify:
// the message-digest attribute matches the content, the content-type
// attribute is present and right, the ESS signing-certificate(-v2) attribute,
// when present, names the signer's certificate, and the signature (RSA
// PKCS#1 v1.5, RSA-PSS or ECDSA with SHA-256/384/512) verifies with that
// certificate's key.
//
// Errors are *Error (errors.Is with the Err… sentinels; Message gives the
// Italian text). A broken, tampered or unreadable file returns a nil *CAdES.
// When every signature is intact but a certificate was not valid at its
// signing time (ErrCertificateExpired) or, with Options.Roots, does not chain
// to them (ErrUntrusted), InspectCAdES returns the complete *CAdES together
// with the error, so the UI can say who signed and why the file is refused.
//
// The signing time is the signer's claim (a CAdES-BES has no timestamp), and
// certificate revocation (CRL, OCSP) is not checked: both need network
// access and the trusted list, which this package does not do.
func InspectCAdES(data []byte, opts Options) (*CAdES, error) {
	if len(data) > MaxSize {
		return nil, errorf(ErrTooLarge, -1, "%d bytes, limit %d", len(data), MaxSize)
	}
	der, b64, ok := envelope(data)
	if !ok {
		return nil, errorf(ErrMalformed, -1, "not a CMS SignedData")
	}
	res := &CAdES{Encoding: "DER"}
	if b64 {
		res.Encoding = "base64"
	}
	for level := 0; ; level++ {
		if level >= MaxDepth {
			return nil, errorf(ErrTooDeep, -1, "more than %d envelopes", MaxDepth)
		}
		sd, err := parseSignedData(der)
		if err != nil {
			return nil, err
		}
		if level == 0 && sd.ber && !b64 {
			res.Encoding = "BER"
		}
		if !sd.attached {
			return nil, errorf(ErrDetached, -1, "envelope %d has no eContent", level)
		}
		if len(sd.signers) == 0 {
			return nil, errorf(ErrNoSigner, -1, "envelope %d has no SignerInfo", level)
		}
		if len(res.Signers)+len(sd.signers) > MaxSigners {
			return nil, errorf(ErrTooManySigners, -1, "more than %d signers", MaxSigners)
		}
		content := newContent(sd.content)
		for i := range sd.signers {
			s, e := verifySigner(&sd.signers[i], sd, content, len(res.Signers), opts)
			if e != nil {
				return nil, e
			}
			s.Level = level
			res.Signers = append(res.Signers, *s)
		}
		res.Depth = level + 1
		inner, _, nested := envelope(sd.content)
		if !nested {
			res.Content = sd.content
			break
		}
		der = inner
	}
	res.MediaType = sniff(res.Content)
	res.Filename = suggestName(opts.Filename, res.MediaType)
	if e := statusError(res.Signers); e != nil {
		return res, e
	}
	return res, nil
}

// sniff returns the media type of a signed document from its content.
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return sniffZip(b)
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return "image/tiff"
	}
	t := bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if bytes.HasPrefix(bytes.TrimLeft(t, " \t\r\n"), []byte("<?xml")) {
		return "application/xml"
	}
	head := b[:min(len(b), 512)]
	m := http.DetectContentType(head)
	if strings.HasPrefix(m, "text/plain") && !utf8.Valid(head[:len(head)-min(len(head), 3)]) {
		return "application/octet-stream"
	}
	return m
}

// sniffZip tells OpenDocument (its first entry, stored, is "mimetype") and
// Office Open XML files from other ZIP archives.
func sniffZip(b []byte) string {
	const hdr = 30
	if len(b) > hdr+8 && string(b[hdr:hdr+8]) == "mimetype" {
		rest := b[hdr+8 : min(len(b), hdr+8+80)]
		if i := bytes.Index(rest, []byte("PK")); i > 0 {
			rest = rest[:i]
		}
		if m := string(rest); strings.HasPrefix(m, "application/vnd.oasis.opendocument.") {
			return m
		}
	}
	head := b[:min(len(b), 8192)]
	if bytes.Contains(head, []byte("[Content_Types].xml")) || bytes.Contains(head, []byte("_rels/.rels")) {
		switch {
		case bytes.Contains(head, []byte("word/")):
			return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
		case bytes.Contains(head, []byte("xl/")):
			return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		case bytes.Contains(head, []byte("ppt/")):
			return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
		}
	}
	return "application/zip"
}

// extensions gives the preferred extension of the media types sniff returns
// (not package mime: it reads the machine's mime.types).
var extensions = map[string]string{
	"application/pdf": ".pdf",
	"application/xml": ".xml",
	"application/zip": ".zip",
	"image/tiff":      ".tif",
	"image/jpeg":      ".jpg",
	"image/png":       ".png",
	"image/gif":       ".gif",
	"text/plain":      ".txt",
	"text/html":       ".html",
	"application/vnd.oasis.opendocument.text":                                   ".odt",
	"application/vnd.oasis.opendocument.spreadsheet":                            ".ods",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document":   ".docx",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":         ".xlsx",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
}

// alias lists other extensions that fit a media type.
var alias = map[string]string{".jpeg": "image/jpeg", ".tiff": "image/tiff", ".htm": "text/html", ".text": "text/plain"}

// suggestName strips .p7m suffixes from name and makes sure the extension
// matches the media type.
func suggestName(name, media string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	for strings.EqualFold(path.Ext(name), ".p7m") {
		name = name[:len(name)-4]
	}
	if name == "" || name == "." || name == "/" {
		name = "documento"
	}
	base, _, _ := strings.Cut(media, ";")
	want, ok := extensions[base]
	if !ok {
		return name
	}
	ext := strings.ToLower(path.Ext(name))
	if ext == want {
		return name
	}
	if alias[ext] == base {
		return name
	}
	return name + want
}
