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
	head := make([]byte, 512)
	n, _ := io.ReadFull(file, head)
	head = head[:n]
	media := sniff(head, fh.Filename)
	if len(f.Accept) > 0 && !contains(f.Accept, media) {
		return nil, procedo.FieldErrors{f.Name: "Il contenuto del file non corrisponde a un formato ammesso (PDF, JPEG, PNG o P7M)."}
	}
	info, err := h.Blobs.Put(r.Context(), procedo.TenantIDFromContext(r.Context()), io.MultiReader(bytes.NewReader(head), file))
	if err != nil {
		return nil, err
	}
	return &procedo.Upload{Field: f.Name, Filename: cleanFilename(fh.Filename), MediaType: media, SHA256: info.SHA256, Size: info.Size}, nil
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
	case strings.EqualFold(filepath.Ext(name), ".p7m") && len(head) > 0 && head[0] == 0x30:
		// DER SEQUENCE: a CAdES envelope; its signature is verified by the
		// signed-file checks of the front office.
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
