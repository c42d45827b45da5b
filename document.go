// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"io"
	"time"
)

// DefaultMaxUpload is the default size limit of one uploaded file (20 MB).
const DefaultMaxUpload = 20 << 20

// DocumentKind says what a document is for.
type DocumentKind string

const (
	DocumentAttachment DocumentKind = "attachment" // a file attached by the applicant
	DocumentDecision   DocumentKind = "decision"   // the final act of a case (provvedimento)
	DocumentReceipt    DocumentKind = "receipt"    // a receipt issued by procedo
	DocumentMain       DocumentKind = "main"       // the main document of a registration
)

// Document is a file with its metadata. The content lives in a BlobStore under its
// SHA-256 (impronta); rows reference it by hash.
type Document struct {
	ID          int64
	TenantID    int64
	SHA256      string // hex SHA-256 of the content (impronta)
	Filename    string // original file name, sanitised
	MediaType   string // sniffed or declared media type
	Size        int64  // bytes
	Kind        DocumentKind
	Description string
	CreatedAt   time.Time
}

// Upload is a file whose content is already durable in the BlobStore, about to be
// referenced by a row. Field names the form field it was uploaded for.
type Upload struct {
	Field     string
	Filename  string
	MediaType string
	SHA256    string
	Size      int64
	Signature string // who signed it, in Italian, for a signed file (CAdES .p7m, PAdES PDF); "" otherwise
	// SignedType is, for a verified CAdES envelope, the media type of the
	// signed document inside (a domanda.pdf.p7m fits a field asking a PDF).
	SignedType string
}

// BlobInfo describes stored content.
type BlobInfo struct {
	SHA256 string // hex
	Size   int64
}

// BlobStore keeps document content, addressed by SHA-256, per tenant (keys
// "tenant/<id>/<sha256>"). Put returns only once the content is durable (synced
// to disk, or acknowledged by the object store), so a database row referencing it
// may commit. Storing the same content twice is harmless.
type BlobStore interface {
	// Put stores everything read from r and returns its hash and size.
	Put(ctx context.Context, tenantID int64, r io.Reader) (BlobInfo, error)
	// Open returns the content, or ENOTFOUND.
	Open(ctx context.Context, tenantID int64, sha256 string) (io.ReadCloser, error)
	// Stat returns the stored size, or ENOTFOUND.
	Stat(ctx context.Context, tenantID int64, sha256 string) (BlobInfo, error)
	// Delete removes content; a missing blob is not an error.
	Delete(ctx context.Context, tenantID int64, sha256 string) error
}

// DocumentService reads documents of the tenant in ctx.
type DocumentService interface {
	// FindDocumentByID returns a document the actor in ctx may read: the applicant
	// of a case it belongs to, or an operator who may view that case; ENOTFOUND
	// otherwise (also for other tenants' documents).
	FindDocumentByID(ctx context.Context, id int64) (*Document, error)
	// OpenDocument returns the document and its content, with the same checks.
	OpenDocument(ctx context.Context, id int64) (*Document, io.ReadCloser, error)
}

// PrintDocument is a document procedo issues (receipt, decision), described as
// plain content; a Renderer turns it into PDF. Keeping it plain keeps the wording in
// the domain and the typography in one place.
type PrintDocument struct {
	Issuer      string         // tenant name, printed as the header
	IssuerLines []string       // AOO, office, address lines under the header
	Title       string         // e.g. "Ricevuta di presentazione"
	Subtitle    string         // e.g. the procedure title
	Sections    []PrintSection //
	Footer      string         // printed at the bottom of every page
	Demo        bool           // print a visible "DEMO" mark: not a real act
}

// PrintSection is a titled block of label/value rows and paragraphs.
type PrintSection struct {
	Heading    string
	Fields     []PrintField
	Paragraphs []string
}

// PrintField is one "label: value" row.
type PrintField struct {
	Label string
	Value string
}

// Renderer renders a PrintDocument as PDF. It must be deterministic for the same
// input (no creation timestamps that change the bytes), so a hash identifies it.
type Renderer interface {
	RenderPDF(ctx context.Context, d *PrintDocument) ([]byte, error)
}
