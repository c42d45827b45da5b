// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/procedo/procedo"
)

// ApplicationService implements procedo.ApplicationService.
type ApplicationService struct{ db *DB }

// NewApplicationService returns an ApplicationService on db (needs db.Blobs and
// db.Renderer).
func NewApplicationService(db *DB) *ApplicationService { return &ApplicationService{db: db} }

var _ procedo.ApplicationService = (*ApplicationService)(nil)

// SubmitApplication implements procedo.ApplicationService.
//
// Order of durability (DESIGN.md invariant 4): the attachments are already in
// the blob store; the application form is rendered to PDF and stored before the
// transaction; then one transaction stores documents, registration, application,
// case, history, outbox and audit. Only after it commits is a receipt returned.
func (s *ApplicationService) SubmitApplication(ctx context.Context, versionID int64, data map[string]string, uploads []*procedo.Upload) (_ *procedo.Receipt, err error) {
	defer procedo.Wrap(&err, "sqlstore.SubmitApplication(%d)", versionID)
	citizen := procedo.CitizenFromContext(ctx)
	if citizen == nil {
		return nil, procedo.Errorf(procedo.EUNAUTHORIZED, "Per presentare un'istanza devi accedere con la tua identità digitale.")
	}
	tenant := procedo.TenantFromContext(ctx)
	if tenant == nil {
		return nil, procedo.Errorf(procedo.EINTERNAL, "Ente non specificato.")
	}
	v, err := NewProcedureService(s.db).FindProcedureVersionByID(ctx, versionID)
	if err != nil {
		return nil, err
	}
	if v.Status != procedo.ProcedurePublished {
		return nil, procedo.Errorf(procedo.ECONFLICT, "Questo servizio non accetta più istanze.")
	}
	def := &v.Definition
	files := map[string]procedo.FileInfo{}
	for _, u := range uploads {
		if _, dup := files[u.Field]; dup {
			return nil, procedo.FieldErrors{u.Field: "Allega un solo file per questo campo."}
		}
		if f, ok := def.Form.Field(u.Field); !ok || f.Type != procedo.FieldFile {
			return nil, procedo.FieldErrors{u.Field: "Campo allegato sconosciuto."}
		}
		files[u.Field] = procedo.FileInfo{Filename: u.Filename, MediaType: u.MediaType, Size: u.Size}
	}
	clean, err := def.Form.ValidateValues(data, files)
	if err != nil {
		return nil, err
	}
	if err := s.db.checkUploads(ctx, tenant.ID, uploads); err != nil {
		return nil, err
	}
	ou, err := NewOrgUnitService(s.db).FindOrgUnitByCode(ctx, def.OfficeCode)
	if err != nil {
		return nil, err
	}
	applicant := *citizen
	if e := clean["email"]; e != "" {
		applicant.Email = e
	}
	submittedAt := s.db.Now()
	pdf, err := s.db.Renderer.RenderPDF(ctx, procedo.ApplicationPrintDocument(tenant, v, applicant, clean, uploads, submittedAt))
	if err != nil {
		return nil, err
	}
	main, err := s.db.putBytes(ctx, tenant.ID, pdf)
	if err != nil {
		return nil, err
	}
	dataJSON, err := json.Marshal(clean)
	if err != nil {
		return nil, err
	}

	app := &procedo.Application{TenantID: tenant.ID, ProcedureVersionID: v.ID, Applicant: applicant, Data: clean}
	cas := &procedo.Case{TenantID: tenant.ID, ProcedureVersionID: v.ID, ProcedureTitle: def.Title, OrgUnitID: ou.ID,
		OrgUnitName: ou.Name, ApplicantFiscalCode: applicant.FiscalCode, ApplicantName: applicant.FullName(),
		ApplicantEmail: applicant.Email, Subject: caseSubject(def, clean), Status: procedo.CaseSubmitted, TermDays: def.TermDays}
	reg := &procedo.Registration{TenantID: tenant.ID, Direction: procedo.DirectionIncoming,
		Subject:        "Istanza: " + def.Title + " — " + applicant.FullName(),
		Correspondents: []procedo.Correspondent{{Name: applicant.FullName(), FiscalCode: applicant.FiscalCode, Email: applicant.Email}},
		Fingerprint:    main.SHA256, AttachmentCount: len(uploads), Attachments: describeUploads(uploads),
		OrgUnitID: &ou.ID, Classification: def.Classification, Channel: "online"}

	err = s.db.transact(ctx, func(tx *Tx) error {
		mainDoc := &procedo.Document{TenantID: tenant.ID, SHA256: main.SHA256, Filename: "istanza.pdf", MediaType: "application/pdf",
			Size: main.Size, Kind: procedo.DocumentMain, Description: "Istanza: " + def.Title}
		if err := insertDocument(ctx, tx, mainDoc); err != nil {
			return err
		}
		reg.DocumentID = &mainDoc.ID
		if err := registerEntry(ctx, tx, reg); err != nil {
			return err
		}
		app.SubmittedAt = reg.RegisteredAt // L. 241 art. 18-bis: submission date = protocol date
		app.RegistrationID = reg.ID
		app.Documents = []*procedo.Document{mainDoc}
		id, err := tx.insert(ctx, `INSERT INTO applications (tenant_id, procedure_version_id, applicant_fiscal_code, applicant_given_name,
			applicant_family_name, applicant_email, data, submitted_at, registration_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tenant.ID, v.ID, applicant.FiscalCode, applicant.GivenName, applicant.FamilyName, applicant.Email, string(dataJSON),
			s.db.ts(app.SubmittedAt), reg.ID)
		if err != nil {
			return err
		}
		app.ID = id
		docs := append([]*procedo.Document{mainDoc}, nil...)
		for _, u := range uploads {
			d := &procedo.Document{TenantID: tenant.ID, SHA256: u.SHA256, Filename: u.Filename, MediaType: u.MediaType,
				Size: u.Size, Kind: procedo.DocumentAttachment, Description: fieldLabel(def, u.Field)}
			if err := insertDocument(ctx, tx, d); err != nil {
				return err
			}
			docs = append(docs, d)
			app.Documents = append(app.Documents, d)
		}
		for i, d := range docs {
			field := "istanza"
			if i > 0 {
				field = uploads[i-1].Field
			}
			if _, err := tx.exec(ctx, `INSERT INTO application_documents (tenant_id, application_id, document_id, field, position) VALUES (?, ?, ?, ?, ?)`,
				tenant.ID, app.ID, d.ID, field, i); err != nil {
				return err
			}
		}
		cas.ApplicationID, cas.RegistrationID = app.ID, reg.ID
		cas.StartDate = procedo.DateOf(reg.RegisteredAt)
		cas.DueDate = procedo.DueDate(cas.StartDate, cas.TermDays, procedo.Calendar{PatronDay: tenant.PatronDay})
		cas.CreatedAt, cas.UpdatedAt = tx.now, tx.now
		cas.ID, err = tx.insert(ctx, `INSERT INTO cases (tenant_id, procedure_version_id, application_id, org_unit_id, applicant_fiscal_code,
			applicant_name, applicant_email, subject, status, start_date, term_days, due_date, registration_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tenant.ID, v.ID, app.ID, ou.ID, cas.ApplicantFiscalCode, cas.ApplicantName, cas.ApplicantEmail, cas.Subject, cas.Status,
			cas.StartDate, cas.TermDays, cas.DueDate, reg.ID, s.db.ts(tx.now), s.db.ts(tx.now))
		if err != nil {
			return err
		}
		app.CaseID = cas.ID
		if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: "submitted", ToStatus: procedo.CaseSubmitted,
			RegistrationID: &reg.ID, DocumentID: &mainDoc.ID}); err != nil {
			return err
		}
		receipt := &procedo.Receipt{Tenant: tenant, Procedure: v, Application: app, Case: cas, Registration: reg, OrgUnit: ou}
		subject, body := receipt.Mail(s.db.BaseURL)
		if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: tenant.ID, To: applicant.Email, Subject: subject, Body: body,
			Attachments: []procedo.MailAttachmentRef{{Kind: "receipt", ID: app.ID, Filename: "ricevuta-" + reg.NumberString() + ".pdf"}}}); err != nil {
			return err
		}
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "application.submit", ObjectType: "case", ObjectID: itoa(cas.ID),
			Detail: reg.Signature()})
	})
	if err != nil {
		return nil, err
	}
	return &procedo.Receipt{Tenant: tenant, Procedure: v, Application: app, Case: cas, Registration: reg, OrgUnit: ou}, nil
}

// caseSubject is the oggetto of the case: the procedure title and, when the form
// has one, the "oggetto" field.
func caseSubject(def *procedo.ProcedureDefinition, data map[string]string) string {
	if o := strings.TrimSpace(data["oggetto"]); o != "" {
		return truncate(def.Title+": "+o, 500)
	}
	return def.Title
}

func fieldLabel(def *procedo.ProcedureDefinition, name string) string {
	if f, ok := def.Form.Field(name); ok {
		return f.Label
	}
	return name
}

func describeUploads(uploads []*procedo.Upload) string {
	parts := make([]string, len(uploads))
	for i, u := range uploads {
		parts[i] = u.Filename
	}
	return truncate(strings.Join(parts, "; "), 1000)
}

// FindReceipt implements procedo.ApplicationService.
func (s *ApplicationService) FindReceipt(ctx context.Context, applicationID int64) (_ *procedo.Receipt, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindReceipt(%d)", applicationID)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	var caseID int64
	if err := s.db.queryRow(ctx, `SELECT id FROM cases WHERE tenant_id = ? AND application_id = ?`, tid, applicationID).Scan(&caseID); err != nil {
		return nil, notFound(err, "Istanza non trovata.")
	}
	return findReceiptByCase(ctx, s.db, caseID)
}

// findReceiptByCase loads everything a receipt shows, checking the actor may view the case.
func findReceiptByCase(ctx context.Context, db *DB, caseID int64) (*procedo.Receipt, error) {
	cas, err := NewCaseService(db).FindCaseByID(ctx, caseID)
	if err != nil {
		return nil, err
	}
	v, err := NewProcedureService(db).FindProcedureVersionByID(ctx, cas.ProcedureVersionID)
	if err != nil {
		return nil, err
	}
	reg, err := scanRegistration(db.queryRow(ctx, `SELECT `+registrationColumns+registrationFrom+` WHERE r.tenant_id = ? AND r.id = ?`, cas.TenantID, cas.RegistrationID))
	if err != nil {
		return nil, err
	}
	ou, err := NewOrgUnitService(db).FindOrgUnitByID(ctx, cas.OrgUnitID)
	if err != nil {
		return nil, err
	}
	app := &procedo.Application{ID: cas.ApplicationID, TenantID: cas.TenantID, ProcedureVersionID: v.ID, RegistrationID: reg.ID, CaseID: cas.ID}
	var data string
	if err := db.queryRow(ctx, `SELECT applicant_fiscal_code, applicant_given_name, applicant_family_name, applicant_email, data, submitted_at
		FROM applications WHERE tenant_id = ? AND id = ?`, cas.TenantID, cas.ApplicationID).Scan(&app.Applicant.FiscalCode,
		&app.Applicant.GivenName, &app.Applicant.FamilyName, &app.Applicant.Email, &data, timeValue{&app.SubmittedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(data), &app.Data); err != nil {
		return nil, err
	}
	return &procedo.Receipt{Tenant: procedo.TenantFromContext(ctx), Procedure: v, Application: app, Case: cas, Registration: reg, OrgUnit: ou}, nil
}

// FindApplicationData returns the form values of the application of a case the
// actor may view.
func (s *ApplicationService) FindApplicationData(ctx context.Context, caseID int64) (map[string]string, error) {
	r, err := findReceiptByCase(ctx, s.db, caseID)
	if err != nil {
		return nil, err
	}
	return r.Application.Data, nil
}
