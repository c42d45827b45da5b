// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"bytes"
	"context"
	"io"

	"github.com/procedo/procedo"
)

// DocumentService implements procedo.DocumentService.
type DocumentService struct{ db *DB }

// NewDocumentService returns a DocumentService on db.
func NewDocumentService(db *DB) *DocumentService { return &DocumentService{db: db} }

var _ procedo.DocumentService = (*DocumentService)(nil)

const documentColumns = `d.id, d.tenant_id, d.sha256, d.filename, d.media_type, d.size, d.kind, d.description, d.created_at`

func scanDocument(row interface{ Scan(...any) error }) (*procedo.Document, error) {
	var d procedo.Document
	err := row.Scan(&d.ID, &d.TenantID, &d.SHA256, &d.Filename, &d.MediaType, &d.Size, &d.Kind, &d.Description, timeValue{&d.CreatedAt})
	return &d, err
}

// queryDocuments runs a query selecting documentColumns and scans every row.
func (db *DB) queryDocuments(ctx context.Context, q string, args ...any) ([]*procedo.Document, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*procedo.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// insertDocument stores the row of a document whose content is already durable.
func insertDocument(ctx context.Context, tx *Tx, d *procedo.Document) error {
	d.CreatedAt = tx.now
	id, err := tx.insert(ctx, `INSERT INTO documents (tenant_id, sha256, filename, media_type, size, kind, description, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.TenantID, d.SHA256, d.Filename, d.MediaType, d.Size, d.Kind, d.Description, tx.db.ts(tx.now))
	d.ID = id
	return err
}

// putBytes stores generated content (a rendered PDF) durably and returns its info.
func (db *DB) putBytes(ctx context.Context, tenantID int64, b []byte) (procedo.BlobInfo, error) {
	return db.Blobs.Put(ctx, tenantID, bytes.NewReader(b))
}

// checkUploads verifies that every upload is durable in the blob store with the
// size and hash the caller claims, so no row references missing content.
func (db *DB) checkUploads(ctx context.Context, tenantID int64, uploads []*procedo.Upload) error {
	for _, u := range uploads {
		info, err := db.Blobs.Stat(ctx, tenantID, u.SHA256)
		if err != nil {
			return err
		}
		if info.Size != u.Size {
			return procedo.Errorf(procedo.EINVALID, "Il file %q non è stato caricato correttamente: riprova.", u.Filename)
		}
	}
	return nil
}

// FindDocumentByID implements procedo.DocumentService. Registry, records,
// admin and manager roles read any document of the tenant; others read the
// documents of cases they may view.
func (s *DocumentService) FindDocumentByID(ctx context.Context, id int64) (_ *procedo.Document, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindDocumentByID(%d)", id)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	d, err := scanDocument(s.db.queryRow(ctx, `SELECT `+documentColumns+` FROM documents d WHERE d.tenant_id = ? AND d.id = ?`, tid, id))
	if err != nil {
		return nil, notFound(err, "Documento non trovato.")
	}
	a := procedo.ActorFromContext(ctx)
	if a != nil && a.User != nil && (a.User.HasRole(procedo.RoleRegistry) || a.User.HasRole(procedo.RoleRecords) ||
		a.User.HasRole(procedo.RoleAdmin) || a.User.HasRole(procedo.RoleManager)) {
		return d, nil
	}
	rows, err := s.db.query(ctx, `SELECT c.id FROM cases c WHERE c.tenant_id = ? AND (c.decision_document_id = ?
		OR c.application_id IN (SELECT application_id FROM application_documents WHERE tenant_id = ? AND document_id = ?)
		OR c.registration_id IN (SELECT id FROM registrations WHERE tenant_id = ? AND document_id = ?)
		OR c.id IN (SELECT case_id FROM case_documents WHERE tenant_id = ? AND document_id = ? AND (for_applicant = ? OR for_applicant = ?)))`,
		tid, id, tid, id, tid, id, tid, id, true, a == nil || a.User == nil) // staff: any; others: only documents addressed to the applicant
	if err != nil {
		return nil, err
	}
	var caseIDs []int64
	for rows.Next() {
		var cid int64
		if err := rows.Scan(&cid); err != nil {
			rows.Close()
			return nil, err
		}
		caseIDs = append(caseIDs, cid)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	// An office reads the documents of the registrations assigned to it.
	if a != nil && a.User != nil && a.User.OrgUnitID != nil {
		var n int
		if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM registrations r WHERE r.tenant_id = ?
			AND (r.document_id = ? OR r.id IN (SELECT registration_id FROM registration_documents WHERE tenant_id = ? AND document_id = ?))
			AND (r.org_unit_id = ? OR EXISTS (SELECT 1 FROM registration_assignments x WHERE x.registration_id = r.id AND x.org_unit_id = ?))`,
			tid, id, tid, id, *a.User.OrgUnitID, *a.User.OrgUnitID).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return d, nil
		}
	}
	cases := NewCaseService(s.db)
	for _, cid := range caseIDs {
		if _, err := cases.FindCaseByID(ctx, cid); err == nil {
			return d, nil
		} else if procedo.ErrorCode(err) != procedo.ENOTFOUND {
			return nil, err
		}
	}
	return nil, procedo.Errorf(procedo.ENOTFOUND, "Documento non trovato.")
}

// OpenDocument implements procedo.DocumentService.
func (s *DocumentService) OpenDocument(ctx context.Context, id int64) (_ *procedo.Document, _ io.ReadCloser, err error) {
	defer procedo.Wrap(&err, "sqlstore.OpenDocument(%d)", id)
	d, err := s.FindDocumentByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	rc, err := s.db.Blobs.Open(ctx, d.TenantID, d.SHA256)
	if err != nil {
		return nil, nil, err
	}
	return d, rc, nil
}
