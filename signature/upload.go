// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package signature

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Upload is what InspectUpload found in a file someone uploads.
type Upload struct {
	// Envelope: the file is a CAdES envelope (.p7m) whose signatures verify;
	// ContentType is then the media type of the signed document inside.
	Envelope    bool
	ContentType string
	// Description says in Italian who signed and how, for the document's
	// description and the pages that list it; "" for an unsigned file.
	Description string
}

// InspectUpload checks a file uploaded as filename. A CAdES envelope (a .p7m
// name, or content that looks like one) must verify: otherwise the error's
// Message tells the user why it is refused. A PDF's PAdES signatures are
// detected and described, valid or not (an unsigned or badly signed PDF is
// still a PDF); other files pass as they are. loc is the time zone of the
// dates in Description.
func InspectUpload(data []byte, filename string, opts Options, loc *time.Location) (*Upload, error) {
	if opts.Filename == "" {
		opts.Filename = filename
	}
	head := data[:min(len(data), 512)]
	if strings.EqualFold(filepath.Ext(filename), ".p7m") || LooksLikeCAdES(head) && !bytes.HasPrefix(head, []byte("%PDF-")) {
		c, err := InspectCAdES(data, opts)
		if err != nil {
			return nil, err
		}
		return &Upload{Envelope: true, ContentType: c.MediaType,
			Description: "Firmato digitalmente (CAdES) da " + describeSigners(c.Signers, loc)}, nil
	}
	if !bytes.HasPrefix(head, []byte("%PDF-")) {
		return &Upload{}, nil
	}
	p, err := DetectPAdES(data, opts)
	if err != nil || !p.Signed() {
		return &Upload{ContentType: "application/pdf"}, nil
	}
	var parts []string
	for _, s := range p.Signatures {
		if s.Type == "DocTimeStamp" {
			continue
		}
		var b strings.Builder
		if s.Signer != nil {
			b.WriteString(describeSigners([]Signer{*s.Signer}, loc))
		} else {
			b.WriteString("firmatario non leggibile")
		}
		if s.Err != nil {
			b.WriteString(" — firma NON valida: " + Message(s.Err))
		}
		parts = append(parts, b.String())
	}
	if len(parts) == 0 {
		return &Upload{ContentType: "application/pdf"}, nil
	}
	d := "PDF firmato digitalmente (PAdES) da " + strings.Join(parts, "; ")
	if !p.Signatures[len(p.Signatures)-1].CoversWholeFile {
		d += " — il documento è stato modificato dopo l'ultima firma"
	}
	return &Upload{ContentType: "application/pdf", Description: d}, nil
}

// describeSigners writes "Mario Rossi (RSSMRA80A01H501U), 25/11/2026" for
// each signer, joined by commas.
func describeSigners(signers []Signer, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	parts := make([]string, 0, len(signers))
	for _, s := range signers {
		p := s.Name()
		if s.FiscalCode != "" {
			p += " (" + s.FiscalCode + ")"
		}
		if !s.SigningTime.IsZero() {
			p += ", " + s.SigningTime.In(loc).Format("02/01/2006")
		}
		if s.Trust == Untrusted {
			p += ", certificatore non riconosciuto"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}

// Accepted reports whether a file of sniffed type media, inspected as u, fits
// a field accepting the media types accept (none: any): a signed envelope
// fits when the field accepts envelopes or the type of the document inside
// (a domanda.pdf.p7m where a PDF is asked).
func (u *Upload) Accepted(media string, accept []string) bool {
	if len(accept) == 0 || slices.Contains(accept, media) {
		return true
	}
	return u != nil && u.Envelope && (slices.Contains(accept, "application/pkcs7-mime") || slices.Contains(accept, u.ContentType))
}

// SignedType is the media type of the document inside a verified envelope,
// or "" for a file that is not one.
func (u *Upload) SignedType() string {
	if u == nil || !u.Envelope {
		return ""
	}
	return u.ContentType
}
