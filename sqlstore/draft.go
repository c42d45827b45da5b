// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// DraftService implements procedo.DraftService.
type DraftService struct {
	db       *DB
	payments *PaymentService
	apps     *ApplicationService

	// TTL is how long a draft is kept after its last save; set it before use.
	// NewDraftService sets procedo.DefaultDraftTTL.
	TTL time.Duration
}

// NewDraftService returns a DraftService on db that issues the notices of
// fees with payments (which chooses the layout of notice numbers).
func NewDraftService(db *DB, payments *PaymentService) *DraftService {
	return &DraftService{db: db, payments: payments, apps: NewApplicationService(db), TTL: procedo.DefaultDraftTTL}
}

var _ procedo.DraftService = (*DraftService)(nil)

const draftColumns = `d.id, d.tenant_id, d.procedure_version_id, t.key, v.definition, d.fiscal_code, d.created_by, d.step,
	d.privacy_accepted_at, d.applicant, d.form_values, d.files, d.revision, d.created_at, d.updated_at, d.expires_at`

const draftFrom = ` FROM application_drafts d JOIN procedure_versions v ON v.id = d.procedure_version_id
	JOIN procedure_types t ON t.id = v.procedure_type_id`

// scanDraft reads a row of draftColumns and returns the draft and its revision.
func scanDraft(row interface{ Scan(...any) error }) (*procedo.ApplicationDraft, int64, error) {
	var d procedo.ApplicationDraft
	var def, applicant, values, files string
	var rev int64
	if err := row.Scan(&d.ID, &d.TenantID, &d.ProcedureVersionID, &d.ProcedureKey, &def, &d.FiscalCode, &d.CreatedBy, &d.Step,
		nullTime{&d.PrivacyAcceptedAt}, &applicant, &values, &files, &rev, timeValue{&d.CreatedAt}, timeValue{&d.UpdatedAt},
		timeValue{&d.ExpiresAt}); err != nil {
		return nil, 0, err
	}
	var title struct {
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(def), &title); err != nil {
		return nil, 0, err
	}
	d.ProcedureTitle = title.Title
	if err := json.Unmarshal([]byte(applicant), &d.Applicant); err != nil {
		return nil, 0, err
	}
	v, err := procedo.DecodeDraftValues([]byte(values))
	if err != nil {
		return nil, 0, err
	}
	d.Values = v
	if err := json.Unmarshal([]byte(files), &d.Files); err != nil {
		return nil, 0, err
	}
	return &d, rev, nil
}

// ttl returns how long drafts are kept.
func (s *DraftService) ttl() time.Duration {
	if s.TTL > 0 {
		return s.TTL
	}
	return procedo.DefaultDraftTTL
}

var errDraftNotFound = procedo.Errorf(procedo.ENOTFOUND, "Bozza non trovata: potrebbe essere scaduta, già inviata o eliminata.")

// CreateDraft implements procedo.DraftService.
func (s *DraftService) CreateDraft(ctx context.Context, d *procedo.ApplicationDraft) (err error) {
	defer procedo.Wrap(&err, "sqlstore.CreateDraft")
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	a := procedo.ActorFromContext(ctx)
	if err := procedo.CanCreateDraft(a); err != nil {
		return err
	}
	v, err := NewProcedureService(s.db).FindProcedureVersionByID(ctx, d.ProcedureVersionID)
	if err != nil {
		return err
	}
	if err := procedo.AcceptsApplications(v); err != nil {
		return err
	}
	m := procedo.ApplicationDraft{TenantID: tid, ProcedureVersionID: v.ID, ProcedureKey: v.Key, ProcedureTitle: v.Definition.Title,
		Applicant: d.Applicant, Values: map[string]string{}}
	fe := procedo.FieldErrors{}
	if z := a.Citizen; z != nil {
		// The applicant is who logged in: codice fiscale and names come from
		// the digital identity, whatever the caller says.
		m.FiscalCode, m.Applicant.GivenName, m.Applicant.FamilyName = z.FiscalCode, z.GivenName, z.FamilyName
		if m.Applicant.Email == "" {
			m.Applicant.Email = z.Email
		}
		for _, f := range v.Definition.Form.Fields() {
			if x := prefill(f.Prefill, z); x != "" {
				m.Values[f.Name] = x
			}
		}
	} else {
		// An integrator names the applicant it acts for.
		m.CreatedBy = &a.User.ID
		cf, err := procedo.ValidateFiscalCode(d.FiscalCode)
		if err != nil {
			fe.Add("applicant.fiscal_code", procedo.ErrorMessage(err))
		}
		m.FiscalCode = cf
		if strings.TrimSpace(d.Applicant.GivenName) == "" {
			fe.Add("applicant.given_name", "Indica il nome del richiedente.")
		}
		if strings.TrimSpace(d.Applicant.FamilyName) == "" {
			fe.Add("applicant.family_name", "Indica il cognome del richiedente.")
		}
	}
	m.Applicant.Normalize()
	if err := m.Applicant.Validate(); err != nil {
		// At creation only what was given must be right: an empty e-mail is
		// asked for in the applicant step.
		for k, msg := range procedo.FieldErrorsOf(err) {
			if k != "applicant.email" || m.Applicant.Email != "" {
				fe.Add(k, msg)
			}
		}
	}
	if err := procedo.ValidateDraftValues(&v.Definition.Form, d.Values); err != nil {
		if fv := procedo.FieldErrorsOf(err); fv != nil {
			maps.Copy(fe, fv)
		} else {
			return err
		}
	}
	maps.Copy(m.Values, d.Values)
	for k, x := range m.Values {
		if x == "" {
			delete(m.Values, k)
		}
	}
	steps := procedo.DraftSteps(&v.Definition)
	m.Step = d.Step
	if m.Step == "" {
		m.Step = procedo.StepPrivacy
		if d.PrivacyAcceptedAt != nil {
			m.Step = procedo.StepApplicant
		}
	} else if procedo.FindDraftStep(steps, m.Step) < 0 {
		fe.Add("step", "Passo sconosciuto.")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	applicant, values, files, err := encodeDraft(&m)
	if err != nil {
		return err
	}
	err = s.db.transact(ctx, func(tx *Tx) error {
		m.CreatedAt, m.UpdatedAt, m.ExpiresAt = tx.now, tx.now, tx.now.Add(s.ttl())
		if d.PrivacyAcceptedAt != nil {
			at := tx.now
			m.PrivacyAcceptedAt = &at
		}
		id, err := tx.insert(ctx, `INSERT INTO application_drafts (tenant_id, procedure_version_id, fiscal_code, created_by, step,
			privacy_accepted_at, applicant, form_values, files, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tid, m.ProcedureVersionID, m.FiscalCode, m.CreatedBy, m.Step, s.db.nullTS(m.PrivacyAcceptedAt), applicant, values, files,
			s.db.ts(m.CreatedAt), s.db.ts(m.UpdatedAt), s.db.ts(m.ExpiresAt))
		if err != nil {
			return err
		}
		m.ID = id
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "draft.create", ObjectType: "application_draft", ObjectID: itoa(id),
			Detail: v.Key + " per " + m.FiscalCode})
	})
	if err != nil {
		return err
	}
	*d = m
	return nil
}

// prefill returns the value of a prefill source for citizen z.
func prefill(source string, z *procedo.Citizen) string {
	switch source {
	case "email":
		return z.Email
	case "fiscal_code":
		return z.FiscalCode
	case "given_name":
		return z.GivenName
	case "family_name":
		return z.FamilyName
	case "full_name":
		return z.FullName()
	}
	return ""
}

// encodeDraft returns the JSON columns of d.
func encodeDraft(d *procedo.ApplicationDraft) (applicant, values, files string, err error) {
	a, err := json.Marshal(d.Applicant)
	if err != nil {
		return "", "", "", err
	}
	v, err := procedo.EncodeDraftValues(d.Values)
	if err != nil {
		return "", "", "", err
	}
	if d.Files == nil {
		d.Files = []procedo.DraftFile{}
	}
	f, err := json.Marshal(d.Files)
	if err != nil {
		return "", "", "", err
	}
	return string(a), string(v), string(f), nil
}

// find returns a draft of tenant tid the actor of ctx owns and that has not
// expired, with its revision, or ENOTFOUND.
func (s *DraftService) find(ctx context.Context, db querier, tid, id int64) (*procedo.ApplicationDraft, int64, error) {
	rows, err := db.query(ctx, `SELECT `+draftColumns+draftFrom+` WHERE d.tenant_id = ? AND d.id = ? AND d.expires_at > ?`,
		tid, id, s.db.ts(s.db.Now()))
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, 0, err
		}
		return nil, 0, errDraftNotFound
	}
	d, rev, err := scanDraft(rows)
	if err != nil {
		return nil, 0, err
	}
	if !procedo.CanAccessDraft(procedo.ActorFromContext(ctx), d) {
		return nil, 0, errDraftNotFound
	}
	return d, rev, rows.Close()
}

// draftNotices returns the notices of draft id that are not cancelled; none
// once the draft is gone. Only notices issued since the draft was created
// count: SQLite may give a new draft the id of a deleted one, and the notices
// of that one (paid notices stay when a draft is deleted) are not the new
// draft's.
func draftNotices(ctx context.Context, db querier, tid, id int64) ([]*procedo.PaymentNotice, error) {
	return queryNotices(ctx, db, `SELECT `+noticeColumns+` FROM payment_notices
		WHERE tenant_id = ? AND application_draft_id = ? AND status <> 'cancelled'
		AND created_at >= (SELECT d.created_at FROM application_drafts d WHERE d.tenant_id = ? AND d.id = ?) ORDER BY id`, tid, id, tid, id)
}

// FindDraftByID implements procedo.DraftService.
func (s *DraftService) FindDraftByID(ctx context.Context, id int64) (_ *procedo.ApplicationDraft, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindDraftByID(%d)", id)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	d, _, err := s.find(ctx, s.db, tid, id)
	if err != nil {
		return nil, err
	}
	if d.Payments, err = draftNotices(ctx, s.db, tid, id); err != nil {
		return nil, err
	}
	return d, nil
}

// FindDrafts implements procedo.DraftService.
func (s *DraftService) FindDrafts(ctx context.Context, f procedo.DraftFilter) (_ []*procedo.ApplicationDraft, _ int, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindDrafts")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	where, args := []string{"d.tenant_id = ?", "d.expires_at > ?"}, []any{tid, s.db.ts(s.db.Now())}
	switch a := procedo.ActorFromContext(ctx); {
	case a != nil && a.Citizen != nil:
		where, args = append(where, "d.fiscal_code = ?", "d.created_by IS NULL"), append(args, a.Citizen.FiscalCode)
	case a != nil && a.User != nil && a.User.HasRole(procedo.RoleRegistry):
		where, args = append(where, "d.created_by = ?"), append(args, a.User.ID)
	default:
		return nil, 0, nil // no one else owns drafts
	}
	if f.ProcedureVersionID != nil {
		where, args = append(where, "d.procedure_version_id = ?"), append(args, *f.ProcedureVersionID)
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM application_drafts d WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := s.db.query(ctx, `SELECT `+draftColumns+draftFrom+` WHERE `+w+` ORDER BY d.updated_at DESC, d.id DESC LIMIT ? OFFSET ?`,
		append(args, clampLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*procedo.ApplicationDraft
	for rows.Next() {
		d, _, err := scanDraft(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, d)
	}
	return out, total, rows.Err()
}

// modify applies change to a draft the actor owns and saves it, pushing the
// expiry forward. The save is a compare-and-swap on the revision: a
// concurrent save (another tab) makes it read and apply change again.
func (s *DraftService) modify(ctx context.Context, id int64, action string,
	change func(d *procedo.ApplicationDraft, v *procedo.ProcedureVersion) error) (*procedo.ApplicationDraft, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	for attempt := 0; attempt < 3; attempt++ {
		d, rev, err := s.find(ctx, s.db, tid, id)
		if err != nil {
			return nil, err
		}
		v, err := NewProcedureService(s.db).FindProcedureVersionByID(ctx, d.ProcedureVersionID)
		if err != nil {
			return nil, err
		}
		before := slices.Clone(d.Files)
		if err := change(d, v); err != nil {
			return nil, err
		}
		dropped := droppedFiles(before, d.Files)
		applicant, values, files, err := encodeDraft(d)
		if err != nil {
			return nil, err
		}
		saved := false
		err = s.db.transact(ctx, func(tx *Tx) error {
			d.UpdatedAt, d.ExpiresAt = tx.now, tx.now.Add(s.ttl())
			res, err := tx.exec(ctx, `UPDATE application_drafts SET step = ?, privacy_accepted_at = ?, applicant = ?, form_values = ?,
				files = ?, revision = revision + 1, updated_at = ?, expires_at = ? WHERE tenant_id = ? AND id = ? AND revision = ?`,
				d.Step, s.db.nullTS(d.PrivacyAcceptedAt), applicant, values, files, s.db.ts(d.UpdatedAt), s.db.ts(d.ExpiresAt), tid, id, rev)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return err // another save came first: read again
			}
			saved = true
			// A file replaced or removed may leave its blob unreferenced.
			if err := recordBlobCandidates(ctx, tx, tid, dropped); err != nil {
				return err
			}
			// Unpaid notices of fees computed from values that changed are
			// cancelled with the change: nobody pays a stale amount.
			if err := cancelStaleDraftNotices(ctx, tx, tid, id, &v.Definition, d.Values); err != nil {
				return err
			}
			if action == "" {
				return nil
			}
			return recordAudit(ctx, tx, &procedo.AuditEvent{Action: action, ObjectType: "application_draft", ObjectID: itoa(id)})
		})
		if err != nil {
			return nil, err
		}
		if saved {
			if d.Payments, err = draftNotices(ctx, s.db, tid, id); err != nil {
				return nil, err
			}
			return d, nil
		}
	}
	return nil, &procedo.Error{Code: procedo.ECONFLICT, Message: "La bozza è stata modificata nel frattempo: riprova.",
		Err: errors.New("draft changed during three saves in a row")}
}

// UpdateDraft implements procedo.DraftService.
func (s *DraftService) UpdateDraft(ctx context.Context, id int64, u procedo.DraftUpdate) (_ *procedo.ApplicationDraft, err error) {
	defer procedo.Wrap(&err, "sqlstore.UpdateDraft(%d)", id)
	return s.modify(ctx, id, "", func(d *procedo.ApplicationDraft, v *procedo.ProcedureVersion) error {
		fe := procedo.FieldErrors{}
		if u.Step != nil {
			if procedo.FindDraftStep(procedo.DraftSteps(&v.Definition), *u.Step) < 0 {
				fe.Add("step", "Passo sconosciuto.")
			}
			d.Step = *u.Step
		}
		if u.AcceptPrivacy && d.PrivacyAcceptedAt == nil {
			now := s.db.Now().UTC()
			d.PrivacyAcceptedAt = &now
		}
		if a := u.Applicant; a != nil {
			next := *a
			if d.CreatedBy == nil {
				// A citizen's names come from the identity: keep them.
				next.GivenName, next.FamilyName = d.Applicant.GivenName, d.Applicant.FamilyName
			}
			next.Normalize()
			d.Applicant = next
		}
		if err := procedo.ValidateDraftValues(&v.Definition.Form, u.Values); err != nil {
			fv := procedo.FieldErrorsOf(err)
			if fv == nil {
				return err
			}
			maps.Copy(fe, fv)
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if u.ReplaceValues {
			d.Values = map[string]string{}
		}
		for k, x := range u.Values {
			if x == "" {
				delete(d.Values, k)
			} else {
				d.Values[k] = x
			}
		}
		return nil
	})
}

// AttachDraftFile implements procedo.DraftService.
func (s *DraftService) AttachDraftFile(ctx context.Context, id int64, f procedo.DraftFile) (_ *procedo.ApplicationDraft, err error) {
	defer procedo.Wrap(&err, "sqlstore.AttachDraftFile(%d, %q)", id, f.Field)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	return s.modify(ctx, id, "draft.file", func(d *procedo.ApplicationDraft, v *procedo.ProcedureVersion) error {
		fl, ok := v.Definition.Form.Field(f.Field)
		if !ok || fl.Type != procedo.FieldFile {
			return procedo.FieldErrors{"field": "Campo allegato sconosciuto per questo modulo."}
		}
		if f.Size <= 0 || f.Size > fl.MaxFileSize() {
			return procedo.FieldErrors{f.Field: fmt.Sprintf("Il file è vuoto o supera la dimensione massima di %d MB.", fl.MaxFileSize()>>20)}
		}
		if len(fl.Accept) > 0 && !slices.Contains(fl.Accept, f.MediaType) {
			return procedo.FieldErrors{f.Field: "Formato del file non accettato. Formati ammessi: " + fl.AcceptLabel() + "."}
		}
		if err := s.db.checkUploads(ctx, tid, []*procedo.Upload{{Field: f.Field, Filename: f.Filename, SHA256: f.SHA256, Size: f.Size}}); err != nil {
			return err
		}
		if f.UploadedAt.IsZero() {
			f.UploadedAt = s.db.Now().UTC()
		}
		kept := d.Files[:0]
		for _, x := range d.Files {
			if x.Field != f.Field {
				kept = append(kept, x)
			}
		}
		d.Files = append(kept, f)
		return nil
	})
}

// RemoveDraftFile implements procedo.DraftService.
func (s *DraftService) RemoveDraftFile(ctx context.Context, id int64, field string) (_ *procedo.ApplicationDraft, err error) {
	defer procedo.Wrap(&err, "sqlstore.RemoveDraftFile(%d, %q)", id, field)
	return s.modify(ctx, id, "", func(d *procedo.ApplicationDraft, _ *procedo.ProcedureVersion) error {
		kept := d.Files[:0]
		for _, x := range d.Files {
			if x.Field != field {
				kept = append(kept, x)
			}
		}
		d.Files = kept
		return nil
	})
}

// errDraftPaid refuses to delete a draft with a paid notice.
var errDraftPaid = procedo.Errorf(procedo.ECONFLICT, "Questa domanda ha un pagamento pagoPA già eseguito: non si può eliminare. "+
	"Completala e inviala, oppure contatta l'ufficio per la restituzione dell'importo.")

// DeleteDraft implements procedo.DraftService. The unpaid notices of the
// draft are cancelled first, in the transaction, so that a payment
// confirmed at the same moment either is seen (and the deletion refused)
// or finds its notice cancelled; a draft with a paid notice stays. The
// draft's files become candidates for the orphan-blob collector.
func (s *DraftService) DeleteDraft(ctx context.Context, id int64) (err error) {
	defer procedo.Wrap(&err, "sqlstore.DeleteDraft(%d)", id)
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	if _, _, err := s.find(ctx, s.db, tid, id); err != nil {
		return err
	}
	return s.db.transact(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE payment_notices SET status = 'cancelled', updated_at = ?
			WHERE tenant_id = ? AND application_draft_id = ? AND status = 'unpaid'`, s.db.ts(tx.now), tid, id); err != nil {
			return err
		}
		d, _, err := s.find(ctx, tx, tid, id)
		if err != nil {
			return err
		}
		notices, err := draftNotices(ctx, tx, tid, id)
		if err != nil {
			return err
		}
		for _, n := range notices {
			if n.Status == procedo.PaymentPaid {
				return errDraftPaid
			}
		}
		if err := recordBlobCandidates(ctx, tx, tid, blobShas(d.Files)); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `DELETE FROM application_drafts WHERE tenant_id = ? AND id = ?`, tid, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return errDraftNotFound
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "draft.delete", ObjectType: "application_draft", ObjectID: itoa(id)})
	})
}

// PrepareDraftPayments implements procedo.DraftService: the notices of the
// fees due with the application, fixed or computed from the draft's values
// (issueDraftNotices); an unpaid notice whose amount the values no longer
// give is cancelled and a new one issued.
//
// The draft's row is updated first in the transaction, so that two requests
// at once (a double click) issue the notices once: the second waits for the
// first's lock (PostgreSQL) or the single writer (SQLite), then finds them;
// the draft is read again under that lock, so the values are those saved.
func (s *DraftService) PrepareDraftPayments(ctx context.Context, id int64) (_ []*procedo.PaymentNotice, err error) {
	defer procedo.Wrap(&err, "sqlstore.PrepareDraftPayments(%d)", id)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	d, _, err := s.find(ctx, s.db, tid, id)
	if err != nil {
		return nil, err
	}
	v, err := NewProcedureService(s.db).FindProcedureVersionByID(ctx, d.ProcedureVersionID)
	if err != nil {
		return nil, err
	}
	var out []*procedo.PaymentNotice
	err = s.db.transact(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE application_drafts SET revision = revision + 1 WHERE tenant_id = ? AND id = ?`, tid, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return errDraftNotFound
		}
		d, _, err := s.find(ctx, tx, tid, id)
		if err != nil {
			return err
		}
		out, err = s.issueDraftNotices(ctx, tx, tid, d, &v.Definition)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SubmitDraft implements procedo.DraftService.
func (s *DraftService) SubmitDraft(ctx context.Context, id int64) (_ *procedo.Receipt, err error) {
	defer procedo.Wrap(&err, "sqlstore.SubmitDraft(%d)", id)
	d, err := s.FindDraftByID(ctx, id)
	if err != nil {
		return nil, err
	}
	v, err := NewProcedureService(s.db).FindProcedureVersionByID(ctx, d.ProcedureVersionID)
	if err != nil {
		return nil, err
	}
	if err := procedo.AcceptsApplications(v); err != nil {
		return nil, err
	}
	def := &v.Definition
	if fe := d.Problems(def); fe != nil {
		return nil, fe
	}
	provider := "api"
	if a := procedo.ActorFromContext(ctx); a != nil && a.Citizen != nil {
		provider = a.Citizen.Provider
	} else if a != nil && a.User != nil {
		provider = "api:" + a.User.Username
	}
	in := &submission{versionID: v.ID, data: d.Values, uploads: d.Uploads(&def.Form), applicant: d.Citizen(provider), draftID: d.ID,
		extra: procedo.ApplicationSubmission{Phone: d.Applicant.Phone}}
	if d.Applicant.ForCompany {
		in.extra.Company = &procedo.Company{VATNumber: d.Applicant.CompanyVAT, Name: d.Applicant.CompanyName}
	}
	return s.apps.submit(ctx, in)
}

// finishDraft ends, inside the transaction that stores the application of
// draft id (0: none), what the draft leaves: it deletes the draft (a draft
// already gone was submitted by a concurrent request: ECONFLICT, and the
// whole submission rolls back), checks again that the fees are paid, links
// the draft's paid notices to the case and cancels its unpaid ones. values
// are the draft's values, from which fees with a formula are computed. It
// returns the case's notices.
func (s *ApplicationService) finishDraft(ctx context.Context, tx *Tx, tid, id, caseID int64, def *procedo.ProcedureDefinition, values map[string]string) ([]*procedo.PaymentNotice, error) {
	if id == 0 {
		return nil, nil
	}
	notices, err := draftNotices(ctx, tx, tid, id) // read while the draft exists
	if err != nil {
		return nil, err
	}
	res, err := tx.exec(ctx, `DELETE FROM application_drafts WHERE tenant_id = ? AND id = ?`, tid, id)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n != 1 {
		return nil, procedo.Errorf(procedo.ECONFLICT, "Questa domanda è già stata inviata: la trovi in «Le mie pratiche».")
	}
	if len(def.ApplicationFees()) > 0 {
		if err := procedo.FeesError(procedo.DraftFees(def, values, notices)); err != nil {
			return nil, err
		}
	}
	for _, n := range notices {
		q := `UPDATE payment_notices SET case_id = ?, updated_at = ? WHERE tenant_id = ? AND id = ? AND status = 'paid'`
		args := []any{caseID, s.db.ts(tx.now), tid, n.ID}
		if n.Status != procedo.PaymentPaid {
			q, args = `UPDATE payment_notices SET status = 'cancelled', updated_at = ? WHERE tenant_id = ? AND id = ? AND status = 'unpaid'`,
				[]any{s.db.ts(tx.now), tid, n.ID}
		}
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return nil, err
		}
	}
	return queryNotices(ctx, tx, `SELECT `+noticeColumns+` FROM payment_notices WHERE tenant_id = ? AND case_id = ? ORDER BY id`, tid, caseID)
}

// purgeBatch bounds the drafts one purge transaction deletes.
const purgeBatch = 500

// PurgeExpiredDrafts implements procedo.DraftService.
func (s *DraftService) PurgeExpiredDrafts(ctx context.Context) (_ int, err error) {
	defer procedo.Wrap(&err, "sqlstore.PurgeExpiredDrafts")
	if a := procedo.ActorFromContext(ctx); a == nil || a.Kind != procedo.ActorSystem {
		return 0, procedo.Errorf(procedo.EFORBIDDEN, "Solo il sistema elimina le bozze scadute.")
	}
	total := 0
	for {
		n := 0
		err := s.db.transact(ctx, func(tx *Tx) error {
			rows, err := tx.query(ctx, `SELECT id, tenant_id, files FROM application_drafts WHERE expires_at <= ? ORDER BY id LIMIT ?`,
				s.db.ts(tx.now), purgeBatch)
			if err != nil {
				return err
			}
			type key struct {
				id, tid int64
				files   []procedo.DraftFile
			}
			var ids []key
			for rows.Next() {
				var k key
				var files string
				if err := rows.Scan(&k.id, &k.tid, &files); err != nil {
					rows.Close()
					return err
				}
				if err := json.Unmarshal([]byte(files), &k.files); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, k)
			}
			if err := rows.Close(); err != nil {
				return err
			}
			for _, k := range ids {
				if _, err := tx.exec(ctx, `UPDATE payment_notices SET status = 'cancelled', updated_at = ?
					WHERE tenant_id = ? AND application_draft_id = ? AND status = 'unpaid'`, s.db.ts(tx.now), k.tid, k.id); err != nil {
					return err
				}
				if _, err := tx.exec(ctx, `DELETE FROM application_drafts WHERE tenant_id = ? AND id = ? AND expires_at <= ?`,
					k.tid, k.id, s.db.ts(tx.now)); err != nil {
					return err
				}
				if err := recordBlobCandidates(ctx, tx, k.tid, blobShas(k.files)); err != nil {
					return err
				}
				if err := recordAudit(ctx, tx, &procedo.AuditEvent{TenantID: k.tid, Action: "draft.expire",
					ObjectType: "application_draft", ObjectID: itoa(k.id)}); err != nil {
					return err
				}
			}
			n = len(ids)
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < purgeBatch {
			return total, nil
		}
	}
}

// ScheduleDraftPurge enqueues today's purge of expired drafts (job
// procedo.JobPurgeDrafts), once a day across replicas: its unique key is the
// day in Europe/Rome.
func (db *DB) ScheduleDraftPurge(ctx context.Context) (err error) {
	defer procedo.Wrap(&err, "sqlstore.ScheduleDraftPurge")
	day := procedo.DateOf(db.Now())
	return db.transact(ctx, func(tx *Tx) error {
		return enqueueJob(ctx, tx, 0, procedo.JobPurgeDrafts, map[string]string{"day": day.String()}, "drafts-purge:"+day.String())
	})
}
