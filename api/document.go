// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"encoding/base64"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/procedo/procedo"
)

// documentJSON is a document's metadata (schema Document in openapi.yaml).
type documentJSON struct {
	ID          int64                `json:"id"`
	Filename    string               `json:"filename"`
	MediaType   string               `json:"media_type"`
	Size        int64                `json:"size"`
	SHA256      string               `json:"sha256"`
	Kind        procedo.DocumentKind `json:"kind"`
	Description string               `json:"description"`
	CreatedAt   time.Time            `json:"created_at"`
}

func newDocumentJSON(d *procedo.Document) documentJSON {
	return documentJSON{ID: d.ID, Filename: d.Filename, MediaType: d.MediaType, Size: d.Size, SHA256: d.SHA256,
		Kind: d.Kind, Description: d.Description, CreatedAt: d.CreatedAt.UTC()}
}

// handleDocumentView serves GET /api/v1/documents/{id}: the metadata of a
// document the caller may read; 404 for any other.
func (s *Server) handleDocumentView(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Documento non trovato.")
	if err != nil {
		return err
	}
	d, err := s.Documents.FindDocumentByID(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newDocumentJSON(d))
}

// handleDocumentContent serves GET /api/v1/documents/{id}/content: the bytes
// of a document the caller may read, as an attachment, with its SHA-256 in
// Repr-Digest (RFC 9530) and Digest (RFC 3230). A download (not a HEAD) is
// recorded in the audit log before any byte is sent.
func (s *Server) handleDocumentContent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "Documento non trovato.")
	if err != nil {
		return err
	}
	ctx := r.Context()
	d, rc, err := s.Documents.OpenDocument(ctx, id)
	if err != nil {
		return err
	}
	defer rc.Close()
	if s.Audit != nil && r.Method != http.MethodHead {
		if err := s.Audit.RecordAudit(ctx, &procedo.AuditEvent{Action: "document.download", ObjectType: "document",
			ObjectID: strconv.FormatInt(d.ID, 10), RemoteAddr: r.RemoteAddr, Detail: "api"}); err != nil {
			return err
		}
	}
	h := w.Header()
	mediaType := d.MediaType
	if _, _, err := mime.ParseMediaType(mediaType); err != nil || mediaType == "" {
		mediaType = "application/octet-stream"
	}
	h.Set("Content-Type", mediaType)
	h.Set("Content-Disposition", contentDisposition(d.Filename, d.ID))
	h.Set("Content-Length", strconv.FormatInt(d.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	// Should a browser open it anyway, the content runs nothing.
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	if sum, err := hex.DecodeString(d.SHA256); err == nil && len(sum) == 32 {
		b64 := base64.StdEncoding.EncodeToString(sum)
		h.Set("Repr-Digest", "sha-256=:"+b64+":")
		h.Set("Digest", "sha-256="+b64)
		h.Set("ETag", `"`+d.SHA256+`"`)
	}
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	// Headers are sent: a failure now (client gone, storage error) can only cut
	// the body short, which Content-Length lets the client notice.
	if _, err := io.Copy(w, rc); err != nil {
		s.logger().WarnContext(ctx, "api document download interrupted", append(requestAttrs(ctx, r), "error", err)...)
	}
	return nil
}

// contentDisposition returns an attachment disposition with the document's
// file name, encoded for non-ASCII names (RFC 6266 / RFC 2231).
func contentDisposition(filename string, id int64) string {
	if filename == "" {
		filename = "documento-" + strconv.FormatInt(id, 10)
	}
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": filename}); v != "" {
		return v
	}
	return "attachment"
}
