// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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
	return registerEntries(ctx, tx, []*procedo.Registration{r})
}

// registerEntries numbers and stores several registrations of one tenant in
// one statement per table kind: the group commit of RegisterEntry takes the
// numbers of a whole batch with a single counter update.
func registerEntries(ctx context.Context, tx *Tx, regs []*procedo.Registration) error {
	if len(regs) == 0 {
		return nil
	}
	tid := regs[0].TenantID
	for _, r := range regs {
		if r.TenantID != tid {
			return errors.New("registerEntries: mixed tenants")
		}
		if err := r.Validate(); err != nil {
			return err
		}
	}
	reg, err := cachedRegister(ctx, tx, tid)
	if err != nil {
		return err
	}
	year := procedo.DateOf(tx.db.Now()).Year
	var last int
	if err := scanOne(tx.queryPrepared(ctx, `INSERT INTO register_counters (tenant_id, register_id, year, last_number) VALUES (?, ?, ?, ?)
		ON CONFLICT (register_id, year) DO UPDATE SET last_number = register_counters.last_number + ?
		RETURNING last_number`, tid, reg.ID, year, len(regs), len(regs)))(&last); err != nil {
		return tx.db.dialect.mapError(err)
	}
	at := tx.db.Now().UTC().Truncate(time.Microsecond)
	if procedo.DateOf(at).Year != year {
		// Midnight of 31 December passed while waiting for the counter: retry in the new year.
		return procedo.Errorf(procedo.EUNAVAILABLE, "Cambio d'anno in corso: riprova.")
	}
	var prev string
	var prevAt time.Time
	err = scanOne(tx.queryPrepared(ctx, `SELECT chain_hash, registered_at FROM registrations WHERE register_id = ?
		ORDER BY year DESC, number DESC LIMIT 1`, reg.ID))(&prev, timeValue{&prevAt})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if at.Before(prevAt) { // clocks of several replicas differ slightly
		at = prevAt
	}
	first := last - len(regs) + 1
	cols := []string{"tenant_id", "register_id", "year", "number", "registered_at", "direction", "subject", "correspondents",
		"document_id", "fingerprint", "attachment_count", "attachments", "org_unit_id", "classification", "channel", "prev_hash",
		"chain_hash", "sender_protocol", "sender_protocol_date", "reserved", "emergency_number", "emergency_at", "created_by"}
	rows := make([][]any, len(regs))
	byNumber := map[int]*procedo.Registration{}
	for i, r := range regs {
		r.RegisterID, r.RegisterCode, r.Year, r.Number, r.RegisteredAt = reg.ID, reg.Code, year, first+i, at
		r.PrevHash = prev
		r.ChainHash = r.ComputeChainHash(prev)
		prev = r.ChainHash
		corr, err := json.Marshal(r.Correspondents)
		if err != nil {
			return err
		}
		rows[i] = []any{r.TenantID, reg.ID, r.Year, r.Number, tx.db.ts(r.RegisteredAt), r.Direction, r.Subject,
			string(corr), r.DocumentID, r.Fingerprint, r.AttachmentCount, r.Attachments, r.OrgUnitID, r.Classification, r.Channel,
			r.PrevHash, r.ChainHash, r.SenderProtocol, r.SenderProtocolDate, r.Reserved, r.EmergencyNumber,
			tx.db.nullTS(r.EmergencyAt), r.CreatedBy}
		byNumber[r.Number] = r
	}
	if tx.db.dialect.name() == "sqlite" && len(rows)*len(cols) <= maxParams {
		if err := insertConsecutive(ctx, tx, cols, regs, rows); err != nil {
			return tx.db.dialect.mapError(err)
		}
		return tx.db.dialect.indexRegistrations(ctx, tx, regs)
	}
	// One multi-row INSERT for the whole batch; RETURNING gives (number, id)
	// pairs, so the order of the returned rows does not matter.
	err = insertRows(ctx, tx, "registrations", cols, rows, "number, id", func(scan func(...any) error) error {
		var n int
		var id int64
		if err := scan(&n, &id); err != nil {
			return err
		}
		if r := byNumber[n]; r != nil {
			r.ID = id
		}
		return nil
	})
	if err != nil {
		return tx.db.dialect.mapError(err)
	}
	return tx.db.dialect.indexRegistrations(ctx, tx, regs)
}

// insertConsecutive inserts the rows of regs with one multi-row INSERT on
// SQLite, without RETURNING (for which SQLite collects the rows in a
// temporary table): an INTEGER PRIMARY KEY given no value is one more than the
// largest in the table, row after row in VALUES order, so the ids are the
// len(regs) values ending at the last inserted rowid. The last one is checked
// against its number, in case that rule ever did not hold.
func insertConsecutive(ctx context.Context, tx *Tx, cols []string, regs []*procedo.Registration, rows [][]any) error {
	q, args := multiRowInsert("registrations", cols, rows)
	res, err := tx.execPrepared(ctx, q, args...)
	if err != nil {
		return err
	}
	last, err := res.LastInsertId()
	if err != nil {
		return err
	}
	n := len(regs)
	var number int
	if err := scanOne(tx.queryPrepared(ctx, `SELECT number FROM registrations WHERE id = ?`, last))(&number); err != nil {
		return err
	}
	if number != regs[n-1].Number {
		return fmt.Errorf("registrations: row %d holds number %d, not %d: ids are not consecutive", last, number, regs[n-1].Number)
	}
	for i, r := range regs {
		r.ID = last - int64(n-1-i)
	}
	return nil
}

// multiRowInsert returns one INSERT of rows into table and its arguments.
func multiRowInsert(table string, cols []string, rows [][]any) (string, []any) {
	one := "(" + placeholders(len(cols)) + ")"
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	args := make([]any, 0, len(rows)*len(cols))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
		args = append(args, r...)
	}
	return b.String(), args
}

// maxParams bounds the parameters of one statement (SQLite's default limit is
// 32766, PostgreSQL's 65535).
const maxParams = 30000

// insertRows inserts rows into table with multi-row INSERT statements, chunked
// under maxParams; if returning is not empty, each returned row is passed to each.
func insertRows(ctx context.Context, tx *Tx, table string, cols []string, rows [][]any, returning string, each func(scan func(...any) error) error) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, maxParams/len(cols))
	for start := 0; start < len(rows); start += per {
		q, args := multiRowInsert(table, cols, rows[start:min(start+per, len(rows))])
		if returning == "" {
			if _, err := tx.execPrepared(ctx, q, args...); err != nil {
				return err
			}
			continue
		}
		res, err := tx.queryPrepared(ctx, q+" RETURNING "+returning, args...)
		if err != nil {
			return err
		}
		for res.Next() {
			if err := each(res.Scan); err != nil {
				res.Close()
				return err
			}
		}
		if err := res.Close(); err != nil {
			return err
		}
		if err := res.Err(); err != nil {
			return err
		}
	}
	return nil
}

// scanOne scans the first row of rows (sql.ErrNoRows if none) and closes them.
func scanOne(rows *sql.Rows, err error) func(dest ...any) error {
	return func(dest ...any) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return sql.ErrNoRows
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		return rows.Close()
	}
}

// cachedRegister returns the ordinary register of a tenant, which never changes
// once created, from memory after the first lookup.
func cachedRegister(ctx context.Context, tx *Tx, tid int64) (*procedo.Register, error) {
	if r, ok := tx.db.registers.Load(tid); ok {
		return r.(*procedo.Register), nil
	}
	r, _, err := findRegister(ctx, tx.queryRow, tid)
	if err != nil {
		return nil, err
	}
	tx.db.registers.Store(tid, r)
	return r, nil
}

const registrationColumns = `r.id, r.tenant_id, r.register_id, g.code, r.year, r.number, r.registered_at, r.direction, r.subject,
	r.correspondents, r.document_id, r.fingerprint, r.attachment_count, r.attachments, r.org_unit_id, r.classification, r.channel,
	r.prev_hash, r.chain_hash, r.annulled_at, r.sender_protocol, r.sender_protocol_date, r.reserved, r.emergency_number,
	r.emergency_at, r.created_by, r.annulled_by, r.annul_reason, r.annul_act`

const registrationFrom = ` FROM registrations r JOIN registers g ON g.id = r.register_id`

func scanRegistration(row interface{ Scan(...any) error }) (*procedo.Registration, error) {
	var r procedo.Registration
	var corr string
	var doc, ou sql.NullInt64
	if err := row.Scan(&r.ID, &r.TenantID, &r.RegisterID, &r.RegisterCode, &r.Year, &r.Number, timeValue{&r.RegisteredAt},
		&r.Direction, &r.Subject, &corr, &doc, &r.Fingerprint, &r.AttachmentCount, &r.Attachments, &ou, &r.Classification,
		&r.Channel, &r.PrevHash, &r.ChainHash, nullTime{&r.AnnulledAt}, &r.SenderProtocol, &r.SenderProtocolDate, &r.Reserved,
		&r.EmergencyNumber, nullTime{&r.EmergencyAt}, &r.CreatedBy, &r.AnnulledBy, &r.AnnulReason, &r.AnnulAct); err != nil {
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

// staffCanSee returns the condition limiting registrations r to those the actor
// may read: the registry desk, records and admins read all; other staff read
// what is not reserved or is assigned to their office; citizens only those of
// their own cases.
func staffCanSee(a *procedo.Actor) (string, []any, bool) {
	switch {
	case a == nil:
		return "", nil, false
	case a.Kind == procedo.ActorSystem:
		return "1 = 1", nil, true
	case a.Citizen != nil:
		return `EXISTS (SELECT 1 FROM cases c WHERE c.tenant_id = r.tenant_id AND c.applicant_fiscal_code = ?
			AND (c.registration_id = r.id OR c.decision_registration_id = r.id))`, []any{a.Citizen.FiscalCode}, true
	case a.User != nil:
		u := a.User
		if u.HasRole(procedo.RoleRegistry) || u.HasRole(procedo.RoleRecords) || u.HasRole(procedo.RoleAdmin) {
			return "1 = 1", nil, true
		}
		if u.OrgUnitID == nil {
			return "r.reserved = ?", []any{false}, true
		}
		return `(r.reserved = ? OR r.org_unit_id = ? OR EXISTS (SELECT 1 FROM registration_assignments x
			WHERE x.registration_id = r.id AND x.org_unit_id = ?))`, []any{false, *u.OrgUnitID, *u.OrgUnitID}, true
	}
	return "", nil, false
}

// FindRegistrationByID implements procedo.RegistrationService.
func (s *RegistrationService) FindRegistrationByID(ctx context.Context, id int64) (_ *procedo.Registration, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindRegistrationByID(%d)", id)
	return s.findOne(ctx, "r.id = ?", id)
}

// ordinaryRegister restricts registrations r to the ordinary register ("PG")
// of the tenant given as its argument, as an equality that the unique key
// (register_id, year, number) serves.
const ordinaryRegister = "r.register_id = (SELECT id FROM registers WHERE tenant_id = ? AND code = 'PG')"

// FindRegistrationByNumber implements procedo.RegistrationService.
func (s *RegistrationService) FindRegistrationByNumber(ctx context.Context, year, number int) (_ *procedo.Registration, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindRegistrationByNumber(%d, %d)", year, number)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	return s.findOne(ctx, ordinaryRegister+" AND r.year = ? AND r.number = ?", tid, year, number)
}

func (s *RegistrationService) findOne(ctx context.Context, cond string, args ...any) (*procedo.Registration, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	see, seeArgs, ok := staffCanSee(procedo.ActorFromContext(ctx))
	if !ok {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Registrazione non trovata.")
	}
	q := `SELECT ` + registrationColumns + registrationFrom + ` WHERE r.tenant_id = ? AND ` + cond + ` AND ` + see
	reg, err := scanRegistration(s.db.queryRow(ctx, q, append(append([]any{tid}, args...), seeArgs...)...))
	return reg, notFound(err, "Registrazione non trovata.")
}

// registrationSearch is how a dialect has a registration search read the rows
// (searchRegistrations in search_sqlite.go and search_postgres.go).
type registrationSearch struct {
	from  string   // FROM clause naming the registrations r and what drives the scan
	where []string // full-text and implied conditions, ANDed with the filter's
	args  []any    // arguments of where, in order
	order string   // ORDER BY for newest first that the driving index yields
}

// registrationTimeRange returns the range [lo, hi) of registration times that
// the dates and the year of f imply, and whether f has any. Newest first is id
// order, and within a tenant registration times never decrease with ids: a
// tenant has one register, registerEntries takes ids in number order under the
// counter lock and never dates an entry before the previous one, and triggers
// forbid changing a time. So the first row of the tenant at or after lo has the
// smallest id of those after lo, and ordering by (registered_at, id) is id order.
// A year's entries are dated in that year (Europe/Rome); the range extends one
// day past it because an entry numbered just before midnight of 31 December
// takes the previous entry's time if a replica's clock ran ahead.
func registrationTimeRange(f procedo.RegistrationFilter) (lo, hi time.Time, ok bool) {
	lo, hi = time.Unix(0, 0), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	if f.Year != nil {
		lo, hi, ok = startOfDay(procedo.NewDate(*f.Year, 1, 1)), startOfDay(procedo.NewDate(*f.Year+1, 1, 2)), true
	}
	if f.From != nil {
		if t := startOfDay(*f.From); t.After(lo) {
			lo = t
		}
		ok = true
	}
	if f.To != nil {
		if t := startOfDay(f.To.AddDays(1)); t.Before(hi) {
			hi = t
		}
		ok = true
	}
	return lo, hi, ok
}

// FindRegistrations implements procedo.RegistrationService.
func (s *RegistrationService) FindRegistrations(ctx context.Context, f procedo.RegistrationFilter) (_ []*procedo.Registration, _ int, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindRegistrations")
	a := procedo.ActorFromContext(ctx)
	if err := procedo.RequireRole(a, procedo.AllRoles...); err != nil {
		return nil, 0, err
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	see, seeArgs, _ := staffCanSee(a)
	where, args := []string{"r.tenant_id = ?", see}, append([]any{tid}, seeArgs...)
	add := func(cond string, v ...any) { where, args = append(where, cond), append(args, v...) }
	if f.Year != nil {
		add("r.year = ?", *f.Year)
	}
	if f.Number != nil {
		// A point lookup in the unique key (register_id, year, number) of the
		// ordinary register, once per year that has numbers when no year is given.
		add(ordinaryRegister+" AND r.number = ?", tid, *f.Number)
		if f.Year == nil {
			add("r.year IN (SELECT c.year FROM register_counters c WHERE c.register_id = (SELECT id FROM registers WHERE tenant_id = ? AND code = 'PG'))", tid)
		}
	}
	if f.Direction != nil {
		add("r.direction = ?", string(*f.Direction))
	}
	if f.From != nil {
		add("r.registered_at >= ?", s.db.ts(startOfDay(*f.From)))
	}
	if f.To != nil {
		add("r.registered_at < ?", s.db.ts(startOfDay(f.To.AddDays(1))))
	}
	search := s.db.dialect.searchRegistrations(tid, f)
	where, args = append(where, search.where...), append(args, search.args...)
	if c := strings.TrimSpace(f.Correspondent); c != "" {
		// The full-text index also holds the correspondents: the search narrows
		// the candidates, the LIKE keeps the match exact.
		add("LOWER(r.correspondents) LIKE ?", "%"+escapeLike(strings.ToLower(c))+"%")
	}
	if f.Classification != nil && *f.Classification != "" {
		add("(r.classification = ? OR r.classification LIKE ?)", *f.Classification, escapeLike(*f.Classification)+".%")
	}
	if f.OrgUnitID != nil {
		add("(r.org_unit_id = ? OR EXISTS (SELECT 1 FROM registration_assignments x WHERE x.registration_id = r.id AND x.org_unit_id = ?))",
			*f.OrgUnitID, *f.OrgUnitID)
	}
	if f.Annulled != nil {
		if *f.Annulled {
			add("r.annulled_at IS NOT NULL")
		} else {
			add("r.annulled_at IS NULL")
		}
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+search.from+` WHERE `+w+` LIMIT ?) x`,
		append(args, procedo.MaxSearchCount+1)...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.query(ctx, `SELECT `+registrationColumns+` FROM `+search.from+` JOIN registers g ON g.id = r.register_id
		WHERE `+w+` ORDER BY `+search.order+` LIMIT ? OFFSET ?`, append(args, clampLimit(f.Limit), max(f.Offset, 0))...)
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

func startOfDay(d procedo.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, procedo.Rome)
}

// escapeLike makes s literal in a LIKE pattern (no escape character is used:
// % and _ are replaced by the single-character wildcard, which is harmless).
func escapeLike(s string) string {
	return strings.NewReplacer("%", "_", "\\", "_").Replace(s)
}

// FindRegistrationDocuments implements procedo.RegistrationService.
func (s *RegistrationService) FindRegistrationDocuments(ctx context.Context, id int64) (_ []*procedo.Document, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindRegistrationDocuments(%d)", id)
	r, err := s.FindRegistrationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.db.queryDocuments(ctx, `SELECT `+documentColumns+` FROM documents d
		JOIN registration_documents x ON x.document_id = d.id WHERE x.tenant_id = ? AND x.registration_id = ?
		UNION
		SELECT `+documentColumns+` FROM documents d WHERE d.tenant_id = ? AND d.id = ?
		ORDER BY 1`, r.TenantID, r.ID, r.TenantID, nullID(r.DocumentID))
}

// FindRegistrationHistory implements procedo.RegistrationService.
func (s *RegistrationService) FindRegistrationHistory(ctx context.Context, id int64) (_ []*procedo.RegistrationEvent, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindRegistrationHistory(%d)", id)
	r, err := s.FindRegistrationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT id, at, actor, actor_name, kind, field, old_value, new_value, reason
		FROM registration_events WHERE tenant_id = ? AND registration_id = ? ORDER BY id`, r.TenantID, r.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// The first entry comes from the registration itself.
	first := &procedo.RegistrationEvent{At: r.RegisteredAt, Actor: r.CreatedBy, ActorName: strings.TrimPrefix(r.CreatedBy, "user:"),
		Kind: "registered", NewValue: r.NumberString()}
	if r.EmergencyNumber != "" && r.EmergencyAt != nil {
		first.Reason = "Registrazione di emergenza " + r.EmergencyNumber + " del " + r.EmergencyAt.In(procedo.Rome).Format("02/01/2006 15:04")
	}
	out := []*procedo.RegistrationEvent{first}
	for rows.Next() {
		var e procedo.RegistrationEvent
		if err := rows.Scan(&e.ID, timeValue{&e.At}, &e.Actor, &e.ActorName, &e.Kind, &e.Field, &e.OldValue, &e.NewValue, &e.Reason); err != nil {
			return nil, err
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}

// insertRegistrationEvent appends to the history of a registration.
func insertRegistrationEvent(ctx context.Context, tx *Tx, tid, regID int64, e *procedo.RegistrationEvent) error {
	a := procedo.ActorFromContext(ctx)
	e.At, e.Actor, e.ActorName = tx.now, a.Ref(), a.Name()
	_, err := tx.exec(ctx, `INSERT INTO registration_events (tenant_id, registration_id, at, actor, actor_name, kind, field, old_value, new_value, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, tid, regID, tx.db.ts(tx.now), e.Actor, e.ActorName, e.Kind, e.Field, truncate(e.OldValue, 2000),
		truncate(e.NewValue, 2000), truncate(e.Reason, 2000))
	return err
}

// AnnulRegistration implements procedo.RegistrationService.
func (s *RegistrationService) AnnulRegistration(ctx context.Context, id int64, reason, act string) (_ *procedo.Registration, err error) {
	defer procedo.Wrap(&err, "sqlstore.AnnulRegistration(%d)", id)
	a := procedo.ActorFromContext(ctx)
	r, err := s.FindRegistrationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if a == nil || a.User == nil || !a.User.HasRole(procedo.RoleRecords) {
		return nil, procedo.Errorf(procedo.EFORBIDDEN, "Solo il responsabile della gestione documentale può annullare una registrazione.")
	}
	fe := procedo.FieldErrors{}
	if reason = strings.TrimSpace(reason); reason == "" || len(reason) > 2000 {
		fe.Add("reason", "Indica il motivo dell'annullamento.")
	}
	if act = strings.TrimSpace(act); act == "" || len(act) > 300 {
		fe.Add("act", "Indica gli estremi del provvedimento che autorizza l'annullamento (art. 54 DPR 445/2000).")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	err = s.db.transact(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE registrations SET annulled_at = ?, annulled_by = ?, annul_reason = ?, annul_act = ?
			WHERE tenant_id = ? AND id = ? AND annulled_at IS NULL`, s.db.ts(tx.now), a.Name(), reason, act, r.TenantID, r.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return procedo.Errorf(procedo.ECONFLICT, "La registrazione è già annullata.")
		}
		r.AnnulledAt, r.AnnulledBy, r.AnnulReason, r.AnnulAct = &tx.now, a.Name(), reason, act
		// A document imported from another AOO may be imported again.
		if _, err := tx.exec(ctx, `UPDATE registration_imports SET released_at = ? WHERE tenant_id = ? AND registration_id = ? AND released_at IS NULL`,
			s.db.ts(tx.now), r.TenantID, r.ID); err != nil {
			return err
		}
		if err := insertRegistrationEvent(ctx, tx, r.TenantID, r.ID, &procedo.RegistrationEvent{Kind: "annulled", Reason: reason, NewValue: act}); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "registration.annul", ObjectType: "registration",
			ObjectID: fmt.Sprintf("%d/%d", r.Year, r.Number), Detail: act})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// CorrectRegistration implements procedo.RegistrationService.
func (s *RegistrationService) CorrectRegistration(ctx context.Context, id int64, c procedo.RegistrationCorrection) (_ *procedo.Registration, err error) {
	defer procedo.Wrap(&err, "sqlstore.CorrectRegistration(%d)", id)
	if err := procedo.RequireRole(procedo.ActorFromContext(ctx), procedo.RoleRegistry, procedo.RoleRecords); err != nil {
		return nil, err
	}
	r, err := s.FindRegistrationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Annulled() {
		return nil, procedo.Errorf(procedo.ECONFLICT, "Una registrazione annullata non si può correggere.")
	}
	if strings.TrimSpace(c.Reason) == "" {
		return nil, procedo.FieldErrors{"reason": "Indica il motivo della correzione."}
	}
	type change struct{ field, old, new string }
	var changes []change
	indexed := *r // as the full-text index has it
	if c.Classification != nil && *c.Classification != r.Classification {
		if err := s.checkClassification(ctx, r.TenantID, *c.Classification); err != nil {
			return nil, err
		}
		changes = append(changes, change{"classification", r.Classification, *c.Classification})
		r.Classification = *c.Classification
	}
	if c.Channel != nil && *c.Channel != r.Channel {
		if err := (&procedo.RegistrationInput{Direction: r.Direction, Subject: r.Subject, Correspondents: r.Correspondents, Channel: *c.Channel}).Validate(); err != nil {
			return nil, err
		}
		changes = append(changes, change{"channel", r.Channel, *c.Channel})
		r.Channel = *c.Channel
	}
	if c.Reserved != nil && *c.Reserved != r.Reserved {
		changes = append(changes, change{"reserved", fmt.Sprint(r.Reserved), fmt.Sprint(*c.Reserved)})
		r.Reserved = *c.Reserved
	}
	if len(changes) == 0 {
		return r, nil
	}
	err = s.db.transact(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE registrations SET classification = ?, channel = ?, reserved = ? WHERE tenant_id = ? AND id = ?`,
			r.Classification, r.Channel, r.Reserved, r.TenantID, r.ID); err != nil {
			return err
		}
		if err := tx.db.dialect.reindexRegistration(ctx, tx, &indexed, r); err != nil {
			return err
		}
		for _, ch := range changes {
			if err := insertRegistrationEvent(ctx, tx, r.TenantID, r.ID, &procedo.RegistrationEvent{Kind: "corrected", Field: ch.field,
				OldValue: ch.old, NewValue: ch.new, Reason: c.Reason}); err != nil {
				return err
			}
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "registration.correct", ObjectType: "registration",
			ObjectID: fmt.Sprintf("%d/%d", r.Year, r.Number)})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// checkClassification refuses a titolario code the tenant does not have.
func (s *RegistrationService) checkClassification(ctx context.Context, tid int64, code string) error {
	if code == "" {
		return nil
	}
	var active bool
	err := s.db.queryRow(ctx, `SELECT active FROM classifications WHERE tenant_id = ? AND code = ?`, tid, code).Scan(&active)
	if errors.Is(err, sql.ErrNoRows) {
		return procedo.FieldErrors{"classification": "Voce del titolario sconosciuta: " + code + "."}
	}
	if err != nil {
		return err
	}
	if !active {
		return procedo.FieldErrors{"classification": "La voce " + code + " del titolario non è più in uso: scegline un'altra."}
	}
	return nil
}

// FindAssignments implements procedo.RegistrationService.
func (s *RegistrationService) FindAssignments(ctx context.Context, registrationID int64, orgUnitID *int64, status string) (_ []*procedo.Assignment, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindAssignments")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	a := procedo.ActorFromContext(ctx)
	if err := procedo.RequireRole(a, procedo.AllRoles...); err != nil {
		return nil, err
	}
	where, args := []string{"x.tenant_id = ?"}, []any{tid}
	if registrationID > 0 {
		if _, err := s.FindRegistrationByID(ctx, registrationID); err != nil {
			return nil, err
		}
		where, args = append(where, "x.registration_id = ?"), append(args, registrationID)
	}
	if orgUnitID != nil {
		where, args = append(where, "x.org_unit_id = ?"), append(args, *orgUnitID)
	}
	if status != "" {
		where, args = append(where, "x.status = ?"), append(args, status)
	}
	rows, err := s.db.query(ctx, `SELECT x.id, x.registration_id, x.org_unit_id, o.name, x.kind, x.status, x.reason, x.created_at,
		x.decided_at, x.decided_by FROM registration_assignments x JOIN org_units o ON o.id = x.org_unit_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY x.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	var out []*procedo.Assignment
	for rows.Next() {
		var x procedo.Assignment
		if err := rows.Scan(&x.ID, &x.RegistrationID, &x.OrgUnitID, &x.OrgUnitName, &x.Kind, &x.Status, &x.Reason,
			timeValue{&x.CreatedAt}, nullTime{&x.DecidedAt}, &x.DecidedBy); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, &x)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if registrationID == 0 {
		for _, x := range out {
			if x.Registration, err = s.FindRegistrationByID(ctx, x.RegistrationID); err != nil && procedo.ErrorCode(err) != procedo.ENOTFOUND {
				return nil, err
			}
		}
	}
	return out, nil
}

// decideAssignment records an office's answer to an assignment.
func (s *RegistrationService) decideAssignment(ctx context.Context, id int64, status, reason string) error {
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	a := procedo.ActorFromContext(ctx)
	var x procedo.Assignment
	err = s.db.queryRow(ctx, `SELECT id, registration_id, org_unit_id, status FROM registration_assignments WHERE tenant_id = ? AND id = ?`, tid, id).
		Scan(&x.ID, &x.RegistrationID, &x.OrgUnitID, &x.Status)
	if err != nil {
		return notFound(err, "Assegnazione non trovata.")
	}
	if a == nil || a.User == nil || a.User.OrgUnitID == nil || *a.User.OrgUnitID != x.OrgUnitID ||
		!(a.User.HasRole(procedo.RoleOperator) || a.User.HasRole(procedo.RoleManager)) {
		return procedo.Errorf(procedo.EFORBIDDEN, "Solo l'ufficio assegnatario può rispondere a questa assegnazione.")
	}
	if x.Status != procedo.AssignmentPending {
		return procedo.Errorf(procedo.ECONFLICT, "L'assegnazione è già stata gestita.")
	}
	if status == procedo.AssignmentReturned && strings.TrimSpace(reason) == "" {
		return procedo.FieldErrors{"reason": "Indica perché restituisci il documento al protocollo."}
	}
	return s.db.transact(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE registration_assignments SET status = ?, reason = ?, decided_at = ?, decided_by = ?
			WHERE tenant_id = ? AND id = ? AND status = 'pending'`, status, strings.TrimSpace(reason), s.db.ts(tx.now), a.Name(), tid, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return procedo.Errorf(procedo.ECONFLICT, "L'assegnazione è già stata gestita.")
		}
		return insertRegistrationEvent(ctx, tx, tid, x.RegistrationID, &procedo.RegistrationEvent{Kind: status, Reason: reason,
			NewValue: fmt.Sprint(x.OrgUnitID)})
	})
}

// AcceptAssignment implements procedo.RegistrationService.
func (s *RegistrationService) AcceptAssignment(ctx context.Context, id int64) (err error) {
	defer procedo.Wrap(&err, "sqlstore.AcceptAssignment(%d)", id)
	return s.decideAssignment(ctx, id, procedo.AssignmentAccepted, "")
}

// ReturnAssignment implements procedo.RegistrationService.
func (s *RegistrationService) ReturnAssignment(ctx context.Context, id int64, reason string) (err error) {
	defer procedo.Wrap(&err, "sqlstore.ReturnAssignment(%d)", id)
	return s.decideAssignment(ctx, id, procedo.AssignmentReturned, reason)
}

// ReassignRegistration implements procedo.RegistrationService.
func (s *RegistrationService) ReassignRegistration(ctx context.Context, registrationID, orgUnitID int64, note string) (err error) {
	defer procedo.Wrap(&err, "sqlstore.ReassignRegistration(%d, %d)", registrationID, orgUnitID)
	a := procedo.ActorFromContext(ctx)
	if a == nil || a.User == nil || !a.User.HasRole(procedo.RoleRegistry) {
		return procedo.Errorf(procedo.EFORBIDDEN, "Solo il protocollo può riassegnare un documento.")
	}
	r, err := s.FindRegistrationByID(ctx, registrationID)
	if err != nil {
		return err
	}
	if r.Annulled() {
		return procedo.Errorf(procedo.ECONFLICT, "La registrazione è annullata: non si riassegna.")
	}
	if note = strings.TrimSpace(note); len(note) > 2000 {
		return procedo.FieldErrors{"note": "La nota è troppo lunga (massimo 2000 caratteri)."}
	}
	var office string
	err = s.db.queryRow(ctx, `SELECT name FROM org_units WHERE tenant_id = ? AND id = ?`, r.TenantID, orgUnitID).Scan(&office)
	if errors.Is(err, sql.ErrNoRows) {
		return procedo.FieldErrors{"office": "Scegli l'ufficio a cui assegnare il documento."}
	}
	if err != nil {
		return err
	}
	return s.db.transact(ctx, func(tx *Tx) error {
		// Changing the office for action first locks the registration: a
		// concurrent reassignment waits, then finds the new assignment pending.
		if _, err := tx.exec(ctx, `UPDATE registrations SET org_unit_id = ? WHERE tenant_id = ? AND id = ?`,
			orgUnitID, r.TenantID, r.ID); err != nil {
			return err
		}
		var status string
		err := tx.queryRow(ctx, `SELECT status FROM registration_assignments WHERE tenant_id = ? AND registration_id = ? AND kind = ?
			ORDER BY id DESC LIMIT 1`, r.TenantID, r.ID, procedo.AssignmentAction).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) || err == nil && status != procedo.AssignmentReturned {
			return procedo.Errorf(procedo.ECONFLICT, "L'ufficio competente non ha restituito il documento: non c'è nulla da riassegnare.")
		}
		if err != nil {
			return err
		}
		var had int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM registration_assignments WHERE tenant_id = ? AND registration_id = ? AND org_unit_id = ?`,
			r.TenantID, r.ID, orgUnitID).Scan(&had); err != nil {
			return err
		}
		if had > 0 {
			return procedo.FieldErrors{"office": office + " ha già avuto questo documento: scegli un altro ufficio."}
		}
		if _, err := tx.exec(ctx, `INSERT INTO registration_assignments (tenant_id, registration_id, org_unit_id, kind, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, r.TenantID, r.ID, orgUnitID, procedo.AssignmentAction, procedo.AssignmentPending, s.db.ts(tx.now)); err != nil {
			return err
		}
		if err := insertRegistrationEvent(ctx, tx, r.TenantID, r.ID, &procedo.RegistrationEvent{Kind: "assigned",
			Field: procedo.AssignmentAction, NewValue: fmt.Sprint(orgUnitID), Reason: note}); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "registration.reassign", ObjectType: "registration",
			ObjectID: fmt.Sprintf("%d/%d", r.Year, r.Number), Detail: office})
	})
}

// importKey returns the columns identifying e in registration_imports: IPA
// codes and register code in lower case, so that a sender writing them in
// another case is still the same sender.
func importKey(e *procedo.SenderEntry) []any {
	return []any{strings.ToLower(strings.TrimSpace(e.IPACode)), strings.ToLower(strings.TrimSpace(e.AOOCode)),
		strings.ToLower(strings.TrimSpace(e.Register)), e.Number, e.Date}
}

// insertRegistrationImports records, in the registrations' transaction, the
// sender's entry of each imported registration; the unique key of
// registration_imports refuses an entry already imported (ECONFLICT), even
// when two imports of it race.
func insertRegistrationImports(ctx context.Context, tx *Tx, group []*regRequest) error {
	var rows [][]any
	for _, r := range group {
		if e := r.in.Sender; e != nil {
			rows = append(rows, append([]any{r.reg.ID, r.reg.TenantID}, importKey(e)...))
		}
	}
	err := insertRows(ctx, tx, "registration_imports", []string{"registration_id", "tenant_id", "sender_ipa", "sender_aoo",
		"sender_register", "sender_number", "sender_date"}, rows, "", nil)
	return tx.db.dialect.mapError(err)
}

// checkNotImported refuses, before numbering, an entry of another AOO that the
// tenant has already registered (and not annulled since), naming our
// registration of it.
func (s *RegistrationService) checkNotImported(ctx context.Context, tid int64, e *procedo.SenderEntry) error {
	if e == nil {
		return nil
	}
	var year, number int
	err := s.db.queryRow(ctx, `SELECT r.year, r.number FROM registration_imports i JOIN registrations r ON r.id = i.registration_id
		WHERE i.tenant_id = ? AND i.sender_ipa = ? AND i.sender_aoo = ? AND i.sender_register = ? AND i.sender_number = ?
		AND i.sender_date = ? AND i.released_at IS NULL`, append([]any{tid}, importKey(e)...)...).Scan(&year, &number)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return alreadyImported(e, &procedo.Registration{Year: year, Number: number})
}

// alreadyImported is the ECONFLICT of a document registered twice; ours, when
// known, is our registration of it.
func alreadyImported(e *procedo.SenderEntry, ours *procedo.Registration) error {
	msg := fmt.Sprintf("Il documento protocollato dall'AOO %s (%s) con il n. %s del %s è già stato registrato", e.AOOCode, e.IPACode,
		procedo.FormatProtocolNumber(e.Number), e.Date.Italian())
	if ours != nil {
		msg += fmt.Sprintf(" con il protocollo n. %s/%d", ours.NumberString(), ours.Year)
	}
	return procedo.Errorf(procedo.ECONFLICT, "%s: non si protocolla due volte.", msg)
}
