// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// DailyRegisterService implements procedo.DailyRegisterService.
type DailyRegisterService struct{ db *DB }

// NewDailyRegisterService returns a DailyRegisterService on db (needs Blobs and Renderer).
func NewDailyRegisterService(db *DB) *DailyRegisterService { return &DailyRegisterService{db: db} }

var _ procedo.DailyRegisterService = (*DailyRegisterService)(nil)

// dailyEntry is one registration in the daily register's JSON: every art. 53
// field and the register code.
type dailyEntry struct {
	Register           string                  `json:"codice_registro"`
	Number             string                  `json:"numero"`
	Year               int                     `json:"anno"`
	RegisteredAt       string                  `json:"data_ora_registrazione"`
	Direction          procedo.Direction       `json:"tipologia_flusso"`
	Subject            string                  `json:"oggetto"`
	Correspondents     []procedo.Correspondent `json:"corrispondenti"`
	SenderProtocol     string                  `json:"protocollo_mittente,omitempty"`
	SenderProtocolDate string                  `json:"data_protocollo_mittente,omitempty"`
	Fingerprint        string                  `json:"impronta_sha256,omitempty"`
	AttachmentCount    int                     `json:"numero_allegati"`
	Attachments        string                  `json:"descrizione_allegati,omitempty"`
	Classification     string                  `json:"classificazione,omitempty"`
	Channel            string                  `json:"mezzo,omitempty"`
	Reserved           bool                    `json:"riservato"`
	EmergencyNumber    string                  `json:"numero_emergenza,omitempty"`
	Annulled           bool                    `json:"annullata"`
	ChainHash          string                  `json:"hash_catena"`
}

// dailyChange is an annulment or correction made during the day.
type dailyChange struct {
	Register string `json:"codice_registro"`
	Number   string `json:"numero"`
	Year     int    `json:"anno"`
	At       string `json:"data_ora"`
	Kind     string `json:"tipo"`
	Field    string `json:"campo,omitempty"`
	OldValue string `json:"valore_precedente,omitempty"`
	NewValue string `json:"nuovo_valore,omitempty"`
	Reason   string `json:"motivo,omitempty"`
	Actor    string `json:"autore"`
}

type dailyDocument struct {
	Kind      string        `json:"tipo"`
	Tenant    string        `json:"amministrazione"`
	IPA       string        `json:"codice_ipa,omitempty"`
	AOO       string        `json:"codice_aoo"`
	Register  string        `json:"codice_registro"`
	Day       string        `json:"giorno"`
	Entries   []dailyEntry  `json:"registrazioni"`
	Changes   []dailyChange `json:"modifiche"`
	ChainHead string        `json:"testa_catena"`
}

// ProduceDailyRegister implements procedo.DailyRegisterService.
func (s *DailyRegisterService) ProduceDailyRegister(ctx context.Context, day procedo.Date) (_ *procedo.DailyRegister, err error) {
	defer procedo.Wrap(&err, "sqlstore.ProduceDailyRegister(%s)", day)
	a := procedo.ActorFromContext(ctx)
	if a == nil || (a.Kind != procedo.ActorSystem && (a.User == nil || !a.User.HasRole(procedo.RoleRecords))) {
		return nil, procedo.Errorf(procedo.EFORBIDDEN, "Il registro giornaliero è prodotto dal sistema o dal responsabile della gestione documentale.")
	}
	tenant := procedo.TenantFromContext(ctx)
	if tenant == nil {
		return nil, procedo.Errorf(procedo.EINTERNAL, "Ente non specificato.")
	}
	if !day.Before(procedo.DateOf(s.db.Now())) {
		return nil, procedo.Errorf(procedo.ECONFLICT, "Il registro giornaliero si produce a giornata conclusa.")
	}
	if d, err := s.FindDailyRegister(ctx, day); err == nil {
		return d, nil
	} else if procedo.ErrorCode(err) != procedo.ENOTFOUND {
		return nil, err
	}
	reg, aoo, err := findRegister(ctx, s.db.queryRow, tenant.ID)
	if err != nil {
		return nil, err
	}
	from, to := startOfDay(day), startOfDay(day.AddDays(1))
	doc := dailyDocument{Kind: "registro giornaliero di protocollo", Tenant: tenant.Name, IPA: tenant.IPACode, AOO: aoo.Code,
		Register: reg.Code, Day: day.String(), Entries: []dailyEntry{}, Changes: []dailyChange{}}
	rows, err := s.db.query(ctx, `SELECT `+registrationColumns+registrationFrom+` WHERE r.tenant_id = ? AND r.register_id = ?
		AND r.registered_at >= ? AND r.registered_at < ? ORDER BY r.year, r.number`, tenant.ID, reg.ID, s.db.ts(from), s.db.ts(to))
	if err != nil {
		return nil, err
	}
	var regs []*procedo.Registration
	for rows.Next() {
		r, err := scanRegistration(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		regs = append(regs, r)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for _, r := range regs {
		e := dailyEntry{Register: r.RegisterCode, Number: r.NumberString(), Year: r.Year, RegisteredAt: r.RegisteredAt.In(procedo.Rome).Format("2006-01-02T15:04:05.000000-07:00"),
			Direction: r.Direction, Subject: r.Subject, Correspondents: r.Correspondents, SenderProtocol: r.SenderProtocol,
			SenderProtocolDate: r.SenderProtocolDate.String(), Fingerprint: r.Fingerprint, AttachmentCount: r.AttachmentCount,
			Attachments: r.Attachments, Classification: r.Classification, Channel: r.Channel, Reserved: r.Reserved,
			EmergencyNumber: r.EmergencyNumber, Annulled: r.Annulled() && r.AnnulledAt.Before(to), ChainHash: r.ChainHash}
		doc.Entries = append(doc.Entries, e)
		doc.ChainHead = r.ChainHash
	}
	if doc.ChainHead == "" {
		// No entry that day: the head is the last entry before it.
		_ = s.db.queryRow(ctx, `SELECT chain_hash FROM registrations WHERE register_id = ? AND registered_at < ?
			ORDER BY year DESC, number DESC LIMIT 1`, reg.ID, s.db.ts(from)).Scan(&doc.ChainHead)
	}
	crows, err := s.db.query(ctx, `SELECT g.code, r.number, r.year, e.at, e.kind, e.field, e.old_value, e.new_value, e.reason, e.actor_name
		FROM registration_events e JOIN registrations r ON r.id = e.registration_id JOIN registers g ON g.id = r.register_id
		WHERE e.tenant_id = ? AND e.at >= ? AND e.at < ? AND e.kind IN ('annulled', 'corrected') ORDER BY e.id`,
		tenant.ID, s.db.ts(from), s.db.ts(to))
	if err != nil {
		return nil, err
	}
	for crows.Next() {
		var c dailyChange
		var n int
		var at time.Time
		if err := crows.Scan(&c.Register, &n, &c.Year, timeValue{&at}, &c.Kind, &c.Field, &c.OldValue, &c.NewValue, &c.Reason, &c.Actor); err != nil {
			crows.Close()
			return nil, err
		}
		c.Number = procedo.FormatProtocolNumber(n)
		c.At = at.In(procedo.Rome).Format("2006-01-02T15:04:05-07:00")
		doc.Changes = append(doc.Changes, c)
	}
	if err := crows.Close(); err != nil {
		return nil, err
	}
	body, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	pdf, err := s.db.Renderer.RenderPDF(ctx, dailyPrintDocument(tenant, &doc))
	if err != nil {
		return nil, err
	}
	jsonInfo, err := s.db.putBytes(ctx, tenant.ID, body)
	if err != nil {
		return nil, err
	}
	pdfInfo, err := s.db.putBytes(ctx, tenant.ID, pdf)
	if err != nil {
		return nil, err
	}
	out := &procedo.DailyRegister{TenantID: tenant.ID, Day: day, Entries: len(doc.Entries), Changes: len(doc.Changes), ChainHead: doc.ChainHead,
		ConservationDue: procedo.Calendar{PatronDay: tenant.PatronDay}.NextWorkingDay(day.AddDays(1))}
	err = s.db.transact(ctx, func(tx *Tx) error {
		name := "registro-giornaliero-" + day.String()
		jd := &procedo.Document{TenantID: tenant.ID, SHA256: jsonInfo.SHA256, Filename: name + ".json", MediaType: "application/json",
			Size: jsonInfo.Size, Kind: "daily_register", Description: "Registro giornaliero del " + day.Italian() + " (JSON)"}
		pd := &procedo.Document{TenantID: tenant.ID, SHA256: pdfInfo.SHA256, Filename: name + ".pdf", MediaType: "application/pdf",
			Size: pdfInfo.Size, Kind: "daily_register", Description: "Registro giornaliero del " + day.Italian() + " (PDF)"}
		for _, d := range []*procedo.Document{jd, pd} {
			if err := insertDocument(ctx, tx, d); err != nil {
				return err
			}
		}
		r := &procedo.Registration{TenantID: tenant.ID, Direction: procedo.DirectionInternal,
			Subject: "Registro giornaliero di protocollo del " + day.Italian(), Correspondents: []procedo.Correspondent{},
			DocumentID: &jd.ID, Fingerprint: jd.SHA256, AttachmentCount: 1, Attachments: pd.Filename, Classification: "I.6",
			Channel: "interno", CreatedBy: "system"}
		if err := registerEntry(ctx, tx, r); err != nil {
			return err
		}
		for i, d := range []*procedo.Document{jd, pd} {
			role := "main"
			if i > 0 {
				role = "attachment"
			}
			if _, err := tx.exec(ctx, `INSERT INTO registration_documents (tenant_id, registration_id, document_id, role, position) VALUES (?, ?, ?, ?, ?)`,
				tenant.ID, r.ID, d.ID, role, i); err != nil {
				return err
			}
		}
		out.JSONDocumentID, out.PDFDocumentID, out.RegistrationID, out.CreatedAt = jd.ID, pd.ID, r.ID, tx.now
		out.ID, err = tx.insert(ctx, `INSERT INTO daily_registers (tenant_id, register_id, day, entries, changes, chain_head, json_document_id,
			pdf_document_id, registration_id, conservation_due, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tenant.ID, reg.ID, day, out.Entries, out.Changes, out.ChainHead, jd.ID, pd.ID, r.ID, out.ConservationDue, s.db.ts(tx.now))
		return err
	})
	if procedo.ErrorCode(err) == procedo.ECONFLICT {
		// Another replica produced it meanwhile.
		return s.FindDailyRegister(ctx, day)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func dailyPrintDocument(t *procedo.Tenant, d *dailyDocument) *procedo.PrintDocument {
	p := &procedo.PrintDocument{Issuer: t.Name, IssuerLines: []string{"AOO " + d.AOO + " — registro " + d.Register},
		Title: "Registro giornaliero di protocollo", Subtitle: "Giorno " + d.Day, Demo: t.Demo,
		Footer: "Testa della catena: " + d.ChainHead}
	if len(d.Entries) == 0 {
		p.Sections = append(p.Sections, procedo.PrintSection{Heading: "Registrazioni", Paragraphs: []string{"Nessuna registrazione in questa giornata."}})
	}
	for _, e := range d.Entries {
		names := make([]string, len(e.Correspondents))
		for i, c := range e.Correspondents {
			names[i] = c.Name
		}
		status := ""
		if e.Annulled {
			status = " — ANNULLATA"
		}
		p.Sections = append(p.Sections, procedo.PrintSection{Heading: e.Number + "/" + fmt.Sprint(e.Year) + " (" + string(e.Direction) + ")" + status,
			Fields: []procedo.PrintField{{Label: "Data e ora", Value: e.RegisteredAt}, {Label: "Oggetto", Value: e.Subject},
				{Label: "Corrispondenti", Value: strings.Join(names, "; ")}, {Label: "Impronta", Value: e.Fingerprint},
				{Label: "Allegati", Value: fmt.Sprint(e.AttachmentCount) + " " + e.Attachments}, {Label: "Classificazione", Value: e.Classification}}})
	}
	if len(d.Changes) > 0 {
		sec := procedo.PrintSection{Heading: "Modifiche e annullamenti della giornata"}
		for _, c := range d.Changes {
			sec.Paragraphs = append(sec.Paragraphs, fmt.Sprintf("%s/%d — %s %s (%s → %s) %s, %s", c.Number, c.Year, c.Kind, c.Field, c.OldValue, c.NewValue, c.Reason, c.Actor))
		}
		p.Sections = append(p.Sections, sec)
	}
	return p
}

const dailyColumns = `id, tenant_id, day, entries, changes, chain_head, json_document_id, pdf_document_id, registration_id, conservation_due, created_at`

func scanDaily(row interface{ Scan(...any) error }) (*procedo.DailyRegister, error) {
	var d procedo.DailyRegister
	err := row.Scan(&d.ID, &d.TenantID, &d.Day, &d.Entries, &d.Changes, &d.ChainHead, &d.JSONDocumentID, &d.PDFDocumentID,
		&d.RegistrationID, &d.ConservationDue, timeValue{&d.CreatedAt})
	return &d, err
}

// FindDailyRegister implements procedo.DailyRegisterService.
func (s *DailyRegisterService) FindDailyRegister(ctx context.Context, day procedo.Date) (_ *procedo.DailyRegister, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindDailyRegister(%s)", day)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	d, err := scanDaily(s.db.queryRow(ctx, `SELECT `+dailyColumns+` FROM daily_registers WHERE tenant_id = ? AND day = ?`, tid, day))
	return d, notFound(err, "Registro giornaliero non trovato.")
}

// FindDailyRegisters implements procedo.DailyRegisterService.
func (s *DailyRegisterService) FindDailyRegisters(ctx context.Context, limit int) (_ []*procedo.DailyRegister, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindDailyRegisters")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.query(ctx, `SELECT `+dailyColumns+` FROM daily_registers WHERE tenant_id = ? ORDER BY day DESC LIMIT ?`, tid, clampLimit(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*procedo.DailyRegister
	for rows.Next() {
		d, err := scanDaily(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ScheduleDailyRegisters enqueues, once per tenant and day, the production of
// the daily register of every past day with activity that has none yet. The
// unique job key makes this safe to run from several replicas at once.
func (db *DB) ScheduleDailyRegisters(ctx context.Context) (err error) {
	defer procedo.Wrap(&err, "sqlstore.ScheduleDailyRegisters")
	today := startOfDay(procedo.DateOf(db.Now()))
	rows, err := db.query(ctx, `SELECT r.tenant_id, r.registered_at FROM registrations r
		WHERE r.registered_at < ? AND r.registered_at >= ? AND NOT EXISTS (
			SELECT 1 FROM daily_registers d WHERE d.tenant_id = r.tenant_id AND d.registration_id = r.id)
		ORDER BY r.tenant_id, r.registered_at`, db.ts(today), db.ts(today.AddDate(0, 0, -31)))
	if err != nil {
		return err
	}
	type key struct {
		tid int64
		day procedo.Date
	}
	seen := map[key]bool{}
	var todo []key
	for rows.Next() {
		var tid int64
		var at time.Time
		if err := rows.Scan(&tid, timeValue{&at}); err != nil {
			rows.Close()
			return err
		}
		k := key{tid, procedo.DateOf(at)}
		if !seen[k] {
			seen[k] = true
			todo = append(todo, k)
		}
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, k := range todo {
		var n int
		if err := db.queryRow(ctx, `SELECT COUNT(*) FROM daily_registers WHERE tenant_id = ? AND day = ?`, k.tid, k.day).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		if err := db.transact(ctx, func(tx *Tx) error {
			return enqueueJob(ctx, tx, k.tid, procedo.JobDailyRegister, map[string]string{"day": k.day.String()},
				fmt.Sprintf("daily:%d:%s", k.tid, k.day))
		}); err != nil {
			return err
		}
	}
	return nil
}
