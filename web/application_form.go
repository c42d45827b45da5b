// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/signature"
)

// fieldError is one line of the summary of errors of a form.
type fieldError struct{ Name, Label, Message string }

// storeUpload checks one file against its field (size, sniffed type) and stores
// it durably in the blob store.
func (h *Handler) storeUpload(r *http.Request, f procedo.FormField, fh *multipart.FileHeader) (*procedo.Upload, error) {
	if fh.Size > f.MaxFileSize() || fh.Size > h.MaxUpload {
		return nil, procedo.FieldErrors{f.Name: fmt.Sprintf("Il file supera la dimensione massima di %d MB.", min(f.MaxFileSize(), h.MaxUpload)>>20)}
	}
	file, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer file.Close()
	// The whole file is read (it is within the limits checked above) so that a
	// signed file can be verified before it is kept.
	data, err := io.ReadAll(io.LimitReader(file, min(f.MaxFileSize(), h.MaxUpload)+1))
	if err != nil {
		return nil, err
	}
	media := sniff(data[:min(len(data), 512)], fh.Filename)
	signed, err := signature.InspectUpload(data, fh.Filename, signature.Options{}, procedo.Rome)
	switch {
	case err != nil && len(f.Accept) > 0:
		// A citizen's file: a broken signature is refused, saying why.
		return nil, procedo.FieldErrors{f.Name: signature.Message(err)}
	case err != nil:
		// The registry desk registers what arrived, noting the problem.
		signed = &signature.Upload{Description: "Firma digitale NON valida: " + signature.Message(err)}
	}
	if !signed.Accepted(media, f.Accept) {
		return nil, procedo.FieldErrors{f.Name: "Il contenuto del file non corrisponde a un formato ammesso (" + f.AcceptLabel() + ")."}
	}
	info, err := h.Blobs.Put(r.Context(), procedo.TenantIDFromContext(r.Context()), bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return &procedo.Upload{Field: f.Name, Filename: cleanFilename(fh.Filename), MediaType: media, SHA256: info.SHA256, Size: info.Size,
		Signature: signed.Description, SignedType: signed.SignedType()}, nil
}

// sniff returns the media type of a file from its content, not from what the
// browser claims: a ".pdf" must start like a PDF.
func sniff(head []byte, name string) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case strings.EqualFold(filepath.Ext(name), ".p7m") || signature.LooksLikeCAdES(head):
		// A CAdES envelope (DER, BER or base64): storeUpload verifies it.
		return "application/pkcs7-mime"
	}
	return http.DetectContentType(head)
}

// cleanFilename keeps a safe display name: no paths, no control characters.
func cleanFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		return "allegato"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
