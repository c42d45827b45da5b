// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	_ "embed"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/procedo/procedo"
)

//go:embed data/titolario_comuni_2005.csv
var titolarioCSV []byte

// TenantService implements procedo.TenantService.
type TenantService struct{ db *DB }

// NewTenantService returns a TenantService on db.
func NewTenantService(db *DB) *TenantService { return &TenantService{db: db} }

var _ procedo.TenantService = (*TenantService)(nil)

// CreateTenant implements procedo.TenantService.
func (s *TenantService) CreateTenant(ctx context.Context, t *procedo.Tenant) (err error) {
	defer procedo.Wrap(&err, "sqlstore.CreateTenant(%q)", t.Slug)
	if err := t.Validate(); err != nil {
		return err
	}
	return s.db.transact(ctx, func(tx *Tx) error {
		t.CreatedAt = tx.now
		id, err := tx.insert(ctx, `INSERT INTO tenants (slug, name, ipa_code, fiscal_code, patron_day, email, demo, suspended, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.Slug, t.Name, t.IPACode, t.FiscalCode, t.PatronDay, t.Email, t.Demo, t.Suspended, s.db.ts(tx.now))
		if err != nil {
			if procedo.ErrorCode(err) == procedo.ECONFLICT {
				return procedo.FieldErrors{"slug": fmt.Sprintf("Esiste già un ente con slug %q.", t.Slug)}
			}
			return err
		}
		t.ID = id
		for _, h := range t.Hosts {
			if _, err := tx.exec(ctx, `INSERT INTO tenant_hosts (host, tenant_id) VALUES (?, ?)`, strings.ToLower(h), id); err != nil {
				if procedo.ErrorCode(err) == procedo.ECONFLICT {
					return procedo.FieldErrors{"hosts": fmt.Sprintf("L'host %q è già usato da un altro ente.", h)}
				}
				return err
			}
		}
		aooCode := t.IPACode
		if aooCode == "" {
			aooCode = "AOO"
		}
		aooID, err := tx.insert(ctx, `INSERT INTO aoos (tenant_id, code, name) VALUES (?, ?, ?)`, id, aooCode, "AOO "+t.Name)
		if err != nil {
			return err
		}
		if _, err := tx.insert(ctx, `INSERT INTO registers (tenant_id, aoo_id, code, name) VALUES (?, ?, ?, ?)`,
			id, aooID, "PG", "Protocollo generale"); err != nil {
			return err
		}
		return loadTitolario(ctx, tx, id)
	})
}

// loadTitolario inserts the 2005 titolario for Comuni into a new tenant.
func loadTitolario(ctx context.Context, tx *Tx, tenantID int64) error {
	records, err := csv.NewReader(bytes.NewReader(titolarioCSV)).ReadAll()
	if err != nil {
		return fmt.Errorf("titolario: %w", err)
	}
	for i, r := range records[1:] { // livello, titolo_romano, titolo_numero, classe_numero, codice, denominazione
		parent := ""
		if r[0] == "classe" {
			parent = r[1]
		}
		if _, err := tx.exec(ctx, `INSERT INTO classifications (tenant_id, code, parent_code, title, position) VALUES (?, ?, ?, ?, ?)`,
			tenantID, r[4], parent, r[5], i+1); err != nil {
			return err
		}
	}
	return nil
}

const tenantColumns = `t.id, t.slug, t.name, t.ipa_code, t.fiscal_code, t.patron_day, t.email, t.demo, t.suspended, t.created_at`

func scanTenant(row interface{ Scan(...any) error }) (*procedo.Tenant, error) {
	var t procedo.Tenant
	err := row.Scan(&t.ID, &t.Slug, &t.Name, &t.IPACode, &t.FiscalCode, &t.PatronDay, &t.Email, &t.Demo, &t.Suspended, timeValue{&t.CreatedAt})
	return &t, err
}

func (s *TenantService) loadHosts(ctx context.Context, t *procedo.Tenant) error {
	rows, err := s.db.query(ctx, `SELECT host FROM tenant_hosts WHERE tenant_id = ? ORDER BY host`, t.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	t.Hosts = nil
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return err
		}
		t.Hosts = append(t.Hosts, h)
	}
	return rows.Err()
}

// FindTenantByID implements procedo.TenantService.
func (s *TenantService) FindTenantByID(ctx context.Context, id int64) (_ *procedo.Tenant, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindTenantByID(%d)", id)
	t, err := scanTenant(s.db.queryRow(ctx, `SELECT `+tenantColumns+` FROM tenants t WHERE t.id = ?`, id))
	if err != nil {
		return nil, notFound(err, "Ente non trovato.")
	}
	return t, s.loadHosts(ctx, t)
}

// FindTenantBySlug implements procedo.TenantService.
func (s *TenantService) FindTenantBySlug(ctx context.Context, slug string) (_ *procedo.Tenant, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindTenantBySlug(%q)", slug)
	t, err := scanTenant(s.db.queryRow(ctx, `SELECT `+tenantColumns+` FROM tenants t WHERE t.slug = ?`, slug))
	if err != nil {
		return nil, notFound(err, "Ente non trovato.")
	}
	return t, s.loadHosts(ctx, t)
}

// FindTenantByHost implements procedo.TenantService.
func (s *TenantService) FindTenantByHost(ctx context.Context, host string) (_ *procedo.Tenant, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindTenantByHost(%q)", host)
	t, err := scanTenant(s.db.queryRow(ctx, `SELECT `+tenantColumns+` FROM tenants t
		JOIN tenant_hosts h ON h.tenant_id = t.id WHERE h.host = ?`, strings.ToLower(host)))
	if err != nil {
		return nil, notFound(err, "Ente non trovato.")
	}
	return t, s.loadHosts(ctx, t)
}

// FindTenants implements procedo.TenantService.
func (s *TenantService) FindTenants(ctx context.Context) (_ []*procedo.Tenant, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindTenants")
	rows, err := s.db.query(ctx, `SELECT `+tenantColumns+` FROM tenants t ORDER BY t.slug`)
	if err != nil {
		return nil, err
	}
	var out []*procedo.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, t)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, t := range out {
		if err := s.loadHosts(ctx, t); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FindRegister implements procedo.TenantService.
func (s *TenantService) FindRegister(ctx context.Context) (_ *procedo.Register, _ *procedo.AOO, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindRegister")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, nil, err
	}
	return findRegister(ctx, s.db.queryRow, tid)
}

// findRegister returns the ordinary register (PG) of a tenant and its AOO,
// through queryRow: the read pool (db.queryRow) or a transaction (tx.queryRow).
func findRegister(ctx context.Context, queryRow func(context.Context, string, ...any) *sql.Row, tid int64) (*procedo.Register, *procedo.AOO, error) {
	var r procedo.Register
	var a procedo.AOO
	err := queryRow(ctx, `SELECT r.id, r.tenant_id, r.aoo_id, r.code, r.name, a.code, a.name
		FROM registers r JOIN aoos a ON a.id = r.aoo_id WHERE r.tenant_id = ? AND r.code = 'PG'`, tid).
		Scan(&r.ID, &r.TenantID, &r.AOOID, &r.Code, &r.Name, &a.Code, &a.Name)
	if err != nil {
		return nil, nil, notFound(err, "Registro di protocollo non trovato.")
	}
	a.ID, a.TenantID = r.AOOID, r.TenantID
	return &r, &a, nil
}
