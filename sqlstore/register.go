// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// RegistrationService implements procedo.RegistrationService.
type RegistrationService struct{ db *DB }

// NewRegistrationService returns a RegistrationService on db.
func NewRegistrationService(db *DB) *RegistrationService { return &RegistrationService{db: db} }

var _ procedo.RegistrationService = (*RegistrationService)(nil)

// registerEntry numbers and stores r in the ordinary register of its tenant,
// inside tx (DESIGN.md invariant 1): the counter row of (register, year) is
// incremented with an upsert … RETURNING, which on PostgreSQL locks the row
// until tx ends, so concurrent registrations are numbered one after the other
// and a rolled-back transaction gives its number back. The time is taken after
// the counter is locked, so times grow with numbers.
func registerEntry(ctx context.Context, tx *Tx, r *procedo.Registration) error {
	if err := r.Validate(); err != nil {
		return err
	}
	reg, _, err := findRegisterTx(ctx, tx, r.TenantID)
	if err != nil {
		return err
	}
	r.RegisterID, r.RegisterCode = reg.ID, reg.Code
	year := procedo.DateOf(tx.db.Now()).Year
	if err := tx.queryRow(ctx, `INSERT INTO register_counters (tenant_id, register_id, year, last_number) VALUES (?, ?, ?, 1)
		ON CONFLICT (register_id, year) DO UPDATE SET last_number = register_counters.last_number + 1
		RETURNING last_number`, r.TenantID, reg.ID, year).Scan(&r.Number); err != nil {
		return tx.db.dialect.mapError(err)
	}
	r.Year = year
	r.RegisteredAt = tx.db.Now().UTC().Truncate(time.Microsecond)
	if procedo.DateOf(r.RegisteredAt).Year != year {
		// Midnight of 31 December passed while waiting for the counter: retry in the new year.
		return procedo.Errorf(procedo.EUNAVAILABLE, "Cambio d'anno in corso: riprova.")
	}
	var prevAt time.Time
	err = tx.queryRow(ctx, `SELECT chain_hash, registered_at FROM registrations WHERE register_id = ?
		ORDER BY year DESC, number DESC LIMIT 1`, reg.ID).Scan(&r.PrevHash, timeValue{&prevAt})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if r.RegisteredAt.Before(prevAt) { // clocks of several replicas differ slightly
		r.RegisteredAt = prevAt
	}
	r.ChainHash = r.ComputeChainHash(r.PrevHash)
	corr, err := json.Marshal(r.Correspondents)
	if err != nil {
		return err
	}
	r.ID, err = tx.insert(ctx, `INSERT INTO registrations (tenant_id, register_id, year, number, registered_at, direction, subject,
		correspondents, document_id, fingerprint, attachment_count, attachments, org_unit_id, classification, channel, prev_hash, chain_hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.TenantID, reg.ID, r.Year, r.Number, tx.db.ts(r.RegisteredAt), r.Direction, r.Subject, string(corr), r.DocumentID,
		r.Fingerprint, r.AttachmentCount, r.Attachments, r.OrgUnitID, r.Classification, r.Channel, r.PrevHash, r.ChainHash)
	return err
}

func findRegisterTx(ctx context.Context, tx *Tx, tid int64) (*procedo.Register, *procedo.AOO, error) {
	var r procedo.Register
	var a procedo.AOO
	err := tx.queryRow(ctx, `SELECT r.id, r.tenant_id, r.aoo_id, r.code, r.name, a.code, a.name
		FROM registers r JOIN aoos a ON a.id = r.aoo_id WHERE r.tenant_id = ? AND r.code = 'PG'`, tid).
		Scan(&r.ID, &r.TenantID, &r.AOOID, &r.Code, &r.Name, &a.Code, &a.Name)
	if err != nil {
		return nil, nil, notFound(err, "Registro di protocollo non trovato.")
	}
	a.ID, a.TenantID = r.AOOID, r.TenantID
	return &r, &a, nil
}

const registrationColumns = `r.id, r.tenant_id, r.register_id, g.code, r.year, r.number, r.registered_at, r.direction, r.subject,
	r.correspondents, r.document_id, r.fingerprint, r.attachment_count, r.attachments, r.org_unit_id, r.classification, r.channel,
	r.prev_hash, r.chain_hash, r.annulled_at`

const registrationFrom = ` FROM registrations r JOIN registers g ON g.id = r.register_id`

func scanRegistration(row interface{ Scan(...any) error }) (*procedo.Registration, error) {
	var r procedo.Registration
	var corr string
	var doc, ou sql.NullInt64
	if err := row.Scan(&r.ID, &r.TenantID, &r.RegisterID, &r.RegisterCode, &r.Year, &r.Number, timeValue{&r.RegisteredAt},
		&r.Direction, &r.Subject, &corr, &doc, &r.Fingerprint, &r.AttachmentCount, &r.Attachments, &ou, &r.Classification,
		&r.Channel, &r.PrevHash, &r.ChainHash, nullTime{&r.AnnulledAt}); err != nil {
		return nil, err
	}
	if doc.Valid {
		r.DocumentID = &doc.Int64
	}
	if ou.Valid {
		r.OrgUnitID = &ou.Int64
	}
	return &r, json.Unmarshal([]byte(corr), &r.Correspondents)
}

// FindRegistrationByID implements procedo.RegistrationService. Staff of the
// tenant see every registration; a citizen sees those of their own cases.
func (s *RegistrationService) FindRegistrationByID(ctx context.Context, id int64) (_ *procedo.Registration, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindRegistrationByID(%d)", id)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + registrationColumns + registrationFrom + ` WHERE r.tenant_id = ? AND r.id = ?`
	args := []any{tid, id}
	switch a := procedo.ActorFromContext(ctx); {
	case a == nil:
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Registrazione non trovata.")
	case a.Citizen != nil:
		q += ` AND EXISTS (SELECT 1 FROM cases c WHERE c.tenant_id = r.tenant_id AND c.applicant_fiscal_code = ?
			AND (c.registration_id = r.id OR c.decision_registration_id = r.id))`
		args = append(args, a.Citizen.FiscalCode)
	}
	reg, err := scanRegistration(s.db.queryRow(ctx, q, args...))
	return reg, notFound(err, "Registrazione non trovata.")
}

// FindRegistrations implements procedo.RegistrationService.
func (s *RegistrationService) FindRegistrations(ctx context.Context, f procedo.RegistrationFilter) (_ []*procedo.Registration, _ int, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindRegistrations")
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.AllRoles...); err != nil {
		return nil, 0, err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	where, args := []string{"r.tenant_id = ?"}, []any{tid}
	if f.Year != nil {
		where, args = append(where, "r.year = ?"), append(args, *f.Year)
	}
	if f.Number != nil {
		where, args = append(where, "r.number = ?"), append(args, *f.Number)
	}
	if f.Direction != nil {
		where, args = append(where, "r.direction = ?"), append(args, string(*f.Direction))
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM registrations r WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.query(ctx, `SELECT `+registrationColumns+registrationFrom+` WHERE `+w+` ORDER BY r.year DESC, r.number DESC LIMIT ? OFFSET ?`,
		append(args, clampLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*procedo.Registration
	for rows.Next() {
		r, err := scanRegistration(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, rows.Err()
}
