// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/procedo/procedo"
)

// ProcedureService implements procedo.ProcedureService.
type ProcedureService struct{ db *DB }

// NewProcedureService returns a ProcedureService on db.
func NewProcedureService(db *DB) *ProcedureService { return &ProcedureService{db: db} }

var _ procedo.ProcedureService = (*ProcedureService)(nil)

const versionColumns = `v.id, v.tenant_id, v.procedure_type_id, t.key, v.version, v.status, v.definition, v.source, v.published_at, v.created_at`

const versionFrom = ` FROM procedure_versions v JOIN procedure_types t ON t.id = v.procedure_type_id`

func scanVersion(row interface{ Scan(...any) error }) (*procedo.ProcedureVersion, error) {
	var v procedo.ProcedureVersion
	var def string
	if err := row.Scan(&v.ID, &v.TenantID, &v.ProcedureTypeID, &v.Key, &v.Version, &v.Status, &def, &v.Source,
		nullTime{&v.PublishedAt}, timeValue{&v.CreatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(def), &v.Definition); err != nil {
		return nil, err
	}
	return &v, nil
}

func scanVersions(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) ([]*procedo.ProcedureVersion, error) {
	var out []*procedo.ProcedureVersion
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// newestPublished selects the newest published version of each type.
const newestPublished = `SELECT ` + versionColumns + versionFrom + `
	WHERE v.tenant_id = ? AND v.status = 'published' AND v.version = (
		SELECT MAX(v2.version) FROM procedure_versions v2
		WHERE v2.procedure_type_id = v.procedure_type_id AND v2.status = 'published')`

// isAdmin reports whether the actor of ctx may see and change drafts.
func isAdmin(ctx context.Context) bool {
	return procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin) == nil
}

// FindPublishedProcedures implements procedo.ProcedureService.
func (s *ProcedureService) FindPublishedProcedures(ctx context.Context) (_ []*procedo.ProcedureVersion, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindPublishedProcedures")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, newestPublished+` ORDER BY t.title`, tid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanVersions(rows)
}

// FindPublishedProcedure implements procedo.ProcedureService.
func (s *ProcedureService) FindPublishedProcedure(ctx context.Context, key string) (_ *procedo.ProcedureVersion, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindPublishedProcedure(%q)", key)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	v, err := scanVersion(s.db.queryRow(ctx, newestPublished+` AND t.key = ?`, tid, key))
	return v, notFound(err, "Servizio non trovato.")
}

// FindProcedureVersionByID implements procedo.ProcedureService.
func (s *ProcedureService) FindProcedureVersionByID(ctx context.Context, id int64) (_ *procedo.ProcedureVersion, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindProcedureVersionByID(%d)", id)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	v, err := scanVersion(s.db.queryRow(ctx, `SELECT `+versionColumns+versionFrom+` WHERE v.tenant_id = ? AND v.id = ?`, tid, id))
	if err != nil {
		return nil, notFound(err, "Procedimento non trovato.")
	}
	if v.Status == procedo.ProcedureDraft && !isAdmin(ctx) {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Procedimento non trovato.")
	}
	return v, nil
}

// FindProcedureVersion implements procedo.ProcedureService.
func (s *ProcedureService) FindProcedureVersion(ctx context.Context, key string, n int) (_ *procedo.ProcedureVersion, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindProcedureVersion(%q, %d)", key, n)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	v, err := scanVersion(s.db.queryRow(ctx, `SELECT `+versionColumns+versionFrom+` WHERE v.tenant_id = ? AND t.key = ? AND v.version = ?`, tid, key, n))
	if err != nil {
		return nil, notFound(err, "Versione del procedimento non trovata.")
	}
	if v.Status == procedo.ProcedureDraft && !isAdmin(ctx) {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Versione del procedimento non trovata.")
	}
	return v, nil
}

// FindProcedureTypes implements procedo.ProcedureService.
func (s *ProcedureService) FindProcedureTypes(ctx context.Context) (_ []*procedo.ProcedureType, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindProcedureTypes")
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin); err != nil {
		return nil, err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT t.id, t.tenant_id, t.key, t.title, t.created_at,
		(SELECT COUNT(*) FROM procedure_versions v WHERE v.procedure_type_id = t.id)
		FROM procedure_types t WHERE t.tenant_id = ? ORDER BY t.title, t.key`, tid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*procedo.ProcedureType
	byID := map[int64]*procedo.ProcedureType{}
	for rows.Next() {
		var t procedo.ProcedureType
		if err := rows.Scan(&t.ID, &t.TenantID, &t.Key, &t.Title, timeValue{&t.CreatedAt}, &t.VersionCount); err != nil {
			return nil, err
		}
		out = append(out, &t)
		byID[t.ID] = &t
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	vrows, err := s.db.query(ctx, newestPublished+` UNION ALL SELECT `+versionColumns+versionFrom+
		` WHERE v.tenant_id = ? AND v.status = 'draft'`, tid, tid)
	if err != nil {
		return nil, err
	}
	defer vrows.Close()
	versions, err := scanVersions(vrows)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		t := byID[v.ProcedureTypeID]
		if t == nil {
			continue
		}
		if v.Status == procedo.ProcedureDraft {
			t.Draft = v
		} else {
			t.Published = v
		}
	}
	return out, nil
}

// FindProcedureVersions implements procedo.ProcedureService.
func (s *ProcedureService) FindProcedureVersions(ctx context.Context, key string) (_ []*procedo.ProcedureVersion, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindProcedureVersions(%q)", key)
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin); err != nil {
		return nil, err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT `+versionColumns+versionFrom+` WHERE v.tenant_id = ? AND t.key = ? ORDER BY v.version`, tid, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	versions, err := scanVersions(rows)
	if err != nil {
		return nil, err
	}
	if len(versions) == 0 {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Procedimento non trovato.")
	}
	crows, err := s.db.query(ctx, `SELECT c.procedure_version_id, COUNT(*), COALESCE(SUM(CASE WHEN c.closed_at IS NULL THEN 1 ELSE 0 END), 0)
		FROM cases c WHERE c.tenant_id = ? AND c.procedure_version_id IN (SELECT v.id`+versionFrom+` WHERE v.tenant_id = ? AND t.key = ?)
		GROUP BY c.procedure_version_id`, tid, tid, key)
	if err != nil {
		return nil, err
	}
	defer crows.Close()
	for crows.Next() {
		var id int64
		var n, open int
		if err := crows.Scan(&id, &n, &open); err != nil {
			return nil, err
		}
		for _, v := range versions {
			if v.ID == id {
				v.Cases, v.OpenCases = n, open
			}
		}
	}
	return versions, crows.Err()
}

// PublishProcedure implements procedo.ProcedureService.
func (s *ProcedureService) PublishProcedure(ctx context.Context, def *procedo.ProcedureDefinition) (_ *procedo.ProcedureVersion, err error) {
	defer procedo.Wrap(&err, "sqlstore.PublishProcedure(%q)", def.ID)
	var out *procedo.ProcedureVersion
	err = s.write(ctx, def, func(tx *Tx, tid int64) error {
		if err := checkOffices(ctx, tx, tid, def); err != nil {
			return err
		}
		v, err := insertVersion(ctx, tx, tid, def, "", procedo.ProcedurePublished)
		if err != nil {
			return err
		}
		out = v
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "procedure.publish", ObjectType: "procedure", ObjectID: def.ID,
			Detail: fmt.Sprintf("versione %d", v.Version)})
	})
	return out, err
}

// CreateDraft implements procedo.ProcedureService.
func (s *ProcedureService) CreateDraft(ctx context.Context, def *procedo.ProcedureDefinition, source string) (_ *procedo.ProcedureVersion, err error) {
	defer procedo.Wrap(&err, "sqlstore.CreateDraft(%q)", def.ID)
	var out *procedo.ProcedureVersion
	err = s.write(ctx, def, func(tx *Tx, tid int64) error {
		v, err := insertVersion(ctx, tx, tid, def, source, procedo.ProcedureDraft)
		if err != nil {
			return err
		}
		out = v
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "procedure.draft", ObjectType: "procedure", ObjectID: def.ID,
			Detail: fmt.Sprintf("versione %d", v.Version)})
	})
	return out, err
}

// write checks the actor and def, then runs fn in a transaction.
func (s *ProcedureService) write(ctx context.Context, def *procedo.ProcedureDefinition, fn func(tx *Tx, tid int64) error) error {
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin); err != nil {
		return err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if def != nil {
		if err := def.Validate(); err != nil {
			return err
		}
	}
	return s.db.transact(ctx, func(tx *Tx) error { return fn(tx, tid) })
}

// checkOffices makes sure the offices a definition names exist in the tenant:
// a version is published only once localised.
func checkOffices(ctx context.Context, tx *Tx, tid int64, def *procedo.ProcedureDefinition) error {
	fe := procedo.FieldErrors{}
	for _, f := range []struct{ field, code string }{{"office", def.OfficeCode}, {"decision_office", def.DecisionOffice}} {
		if f.code == "" {
			continue
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM org_units WHERE tenant_id = ? AND code = ?`, tid, f.code).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			fe.Add(f.field, "L'ufficio "+f.code+" non esiste in questo ente: crealo o indica un ufficio esistente.")
		}
	}
	return fe.Err()
}

// insertVersion stores def as a new version (creating its type if needed).
// ECONFLICT while the type has a draft: versions are numbered in order and a
// draft must be published or deleted first.
func insertVersion(ctx context.Context, tx *Tx, tid int64, def *procedo.ProcedureDefinition, source string, status procedo.ProcedureStatus) (*procedo.ProcedureVersion, error) {
	body, err := json.Marshal(def)
	if err != nil {
		return nil, err
	}
	var typeID int64
	err = tx.queryRow(ctx, `SELECT id FROM procedure_types WHERE tenant_id = ? AND key = ?`, tid, def.ID).Scan(&typeID)
	if err != nil {
		if err = notFound(err, ""); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			return nil, err
		}
		if typeID, err = tx.insert(ctx, `INSERT INTO procedure_types (tenant_id, key, title, created_at) VALUES (?, ?, ?, ?)`,
			tid, def.ID, def.Title, tx.db.ts(tx.now)); err != nil {
			return nil, err
		}
	} else {
		var drafts int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM procedure_versions WHERE procedure_type_id = ? AND status = 'draft'`, typeID).Scan(&drafts); err != nil {
			return nil, err
		}
		if drafts > 0 {
			return nil, procedo.Errorf(procedo.ECONFLICT, "Il procedimento %s ha già una bozza: pubblicala o eliminala prima di crearne un'altra.", def.ID)
		}
		if status == procedo.ProcedurePublished {
			if _, err := tx.exec(ctx, `UPDATE procedure_types SET title = ? WHERE id = ?`, def.Title, typeID); err != nil {
				return nil, err
			}
		}
	}
	var version int
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM procedure_versions WHERE procedure_type_id = ?`, typeID).Scan(&version); err != nil {
		return nil, err
	}
	now := tx.now
	var published any
	v := &procedo.ProcedureVersion{TenantID: tid, ProcedureTypeID: typeID, Key: def.ID, Version: version, Status: status,
		Definition: *def, Source: source, CreatedAt: now}
	if status == procedo.ProcedurePublished {
		published = tx.db.ts(now)
		v.PublishedAt = &now
	}
	v.ID, err = tx.insert(ctx, `INSERT INTO procedure_versions (tenant_id, procedure_type_id, version, status, definition, source, published_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, tid, typeID, version, string(status), string(body), source, published, tx.db.ts(now))
	if err != nil {
		return nil, err
	}
	return v, nil
}

// draftForUpdate returns version id of the tenant if it is a draft.
func draftForUpdate(ctx context.Context, tx *Tx, tid, id int64) (*procedo.ProcedureVersion, error) {
	v, err := scanVersion(tx.queryRow(ctx, `SELECT `+versionColumns+versionFrom+` WHERE v.tenant_id = ? AND v.id = ?`, tid, id))
	if err != nil {
		return nil, notFound(err, "Versione del procedimento non trovata.")
	}
	if v.Status != procedo.ProcedureDraft {
		return nil, procedo.Errorf(procedo.ECONFLICT, "La versione %d è pubblicata e non si può modificare: crea una nuova bozza.", v.Version)
	}
	return v, nil
}

// UpdateDraft implements procedo.ProcedureService.
func (s *ProcedureService) UpdateDraft(ctx context.Context, id int64, def *procedo.ProcedureDefinition, source string) (_ *procedo.ProcedureVersion, err error) {
	defer procedo.Wrap(&err, "sqlstore.UpdateDraft(%d)", id)
	var out *procedo.ProcedureVersion
	err = s.write(ctx, def, func(tx *Tx, tid int64) error {
		v, err := draftForUpdate(ctx, tx, tid, id)
		if err != nil {
			return err
		}
		if def.ID != v.Key {
			return procedo.FieldErrors{"id": "L'identificativo di un procedimento non cambia tra le versioni: deve restare " + v.Key + "."}
		}
		body, err := json.Marshal(def)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE procedure_versions SET definition = ?, source = ? WHERE tenant_id = ? AND id = ? AND status = 'draft'`,
			string(body), source, tid, id); err != nil {
			return err
		}
		v.Definition, v.Source = *def, source
		out = v
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "procedure.draft.update", ObjectType: "procedure", ObjectID: v.Key,
			Detail: fmt.Sprintf("versione %d", v.Version)})
	})
	return out, err
}

// PublishDraft implements procedo.ProcedureService.
func (s *ProcedureService) PublishDraft(ctx context.Context, id int64) (_ *procedo.ProcedureVersion, err error) {
	defer procedo.Wrap(&err, "sqlstore.PublishDraft(%d)", id)
	var out *procedo.ProcedureVersion
	err = s.write(ctx, nil, func(tx *Tx, tid int64) error {
		v, err := draftForUpdate(ctx, tx, tid, id)
		if err != nil {
			return err
		}
		if err := v.Definition.Validate(); err != nil {
			return err
		}
		if err := checkOffices(ctx, tx, tid, &v.Definition); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE procedure_versions SET status = 'published', published_at = ? WHERE tenant_id = ? AND id = ? AND status = 'draft'`,
			tx.db.ts(tx.now), tid, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return procedo.Errorf(procedo.ECONFLICT, "La bozza è stata modificata da un'altra persona: ricarica la pagina.")
		}
		if _, err := tx.exec(ctx, `UPDATE procedure_types SET title = ? WHERE tenant_id = ? AND id = ?`, v.Definition.Title, tid, v.ProcedureTypeID); err != nil {
			return err
		}
		now := tx.now
		v.Status, v.PublishedAt = procedo.ProcedurePublished, &now
		out = v
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "procedure.publish", ObjectType: "procedure", ObjectID: v.Key,
			Detail: fmt.Sprintf("versione %d", v.Version)})
	})
	return out, err
}

// DeleteDraft implements procedo.ProcedureService.
func (s *ProcedureService) DeleteDraft(ctx context.Context, id int64) (err error) {
	defer procedo.Wrap(&err, "sqlstore.DeleteDraft(%d)", id)
	return s.write(ctx, nil, func(tx *Tx, tid int64) error {
		v, err := draftForUpdate(ctx, tx, tid, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM procedure_versions WHERE tenant_id = ? AND id = ? AND status = 'draft'`, tid, id); err != nil {
			return err
		}
		// A type whose only version was this draft goes too.
		if _, err := tx.exec(ctx, `DELETE FROM procedure_types WHERE tenant_id = ? AND id = ?
			AND NOT EXISTS (SELECT 1 FROM procedure_versions WHERE procedure_type_id = ?)`, tid, v.ProcedureTypeID, v.ProcedureTypeID); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "procedure.draft.delete", ObjectType: "procedure", ObjectID: v.Key,
			Detail: fmt.Sprintf("versione %d", v.Version)})
	})
}

// ImportProcedures implements procedo.ProcedureService.
func (s *ProcedureService) ImportProcedures(ctx context.Context, defs []*procedo.ProcedureDefinition, dryRun bool) (_ *procedo.ImportPlan, err error) {
	defer procedo.Wrap(&err, "sqlstore.ImportProcedures")
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleAdmin); err != nil {
		return nil, err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if len(defs) == 0 {
		return nil, procedo.FieldErrors{"models": "Il pacchetto non contiene modelli."}
	}
	fe := procedo.PackageProblems(defs)
	for i, d := range defs {
		if err := d.Validate(); err != nil {
			for k, v := range procedo.PrefixFieldErrors(fmt.Sprintf("models[%d].", i), procedo.FieldErrorsOf(err)) {
				fe.Add(k, v)
			}
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	units, err := NewOrgUnitService(s.db).FindOrgUnits(ctx)
	if err != nil {
		return nil, err
	}
	tenant := procedo.TenantFromContext(ctx)
	plan := &procedo.ImportPlan{}
	err = s.db.transact(ctx, func(tx *Tx) error {
		plan.Items = nil
		for i, d := range defs {
			item := &procedo.ImportItem{Definition: d, Action: procedo.ImportCreate, Version: 1, Localise: d.Localisation(tenant, units)}
			rows, err := tx.query(ctx, `SELECT `+versionColumns+versionFrom+` WHERE v.tenant_id = ? AND t.key = ? ORDER BY v.version DESC`, tid, d.ID)
			if err != nil {
				return err
			}
			existing, err := scanVersions(rows)
			rows.Close()
			if err != nil {
				return err
			}
			if len(existing) > 0 {
				cur := existing[0]
				item.Current, item.Version = cur, cur.Version+1
				item.Changes = procedo.DiffDefinitions(&cur.Definition, d)
				switch {
				case cur.Status == procedo.ProcedureDraft:
					fe.Add(fmt.Sprintf("models[%d].id", i), fmt.Sprintf("Il procedimento %s ha già una bozza (versione %d): pubblicala o eliminala, poi importa di nuovo.", d.ID, cur.Version))
				case len(item.Changes) == 0, d.ModelVersion != "" && procedo.CompareModelVersions(d.ModelVersion, cur.Definition.ModelVersion) <= 0:
					// The same model, or not newer than what the tenant has (and
					// may have localised): nothing to import.
					item.Action, item.Version = procedo.ImportUnchanged, cur.Version
				default:
					item.Action = procedo.ImportUpdate
				}
			}
			plan.Items = append(plan.Items, item)
			if dryRun || item.Action == procedo.ImportUnchanged || len(fe) > 0 {
				continue
			}
			v, err := insertVersion(ctx, tx, tid, d, "", procedo.ProcedureDraft)
			if err != nil {
				return err
			}
			item.Draft, item.Version = v, v.Version
			if err := recordAudit(ctx, tx, &procedo.AuditEvent{Action: "procedure.import", ObjectType: "procedure", ObjectID: d.ID,
				Detail: fmt.Sprintf("bozza versione %d (modello %s)", v.Version, d.ModelVersion)}); err != nil {
				return err
			}
		}
		return fe.Err()
	})
	if err != nil {
		return nil, err
	}
	return plan, nil
}
