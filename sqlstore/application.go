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
	return s.submit(ctx, &submission{versionID: versionID, data: data, uploads: uploads})
}

// submission is what submit stores: the form values and files of an
// application, and for one that comes from a draft, the draft and its
// applicant.
type submission struct {
	versionID int64
	data      map[string]string
	uploads   []*procedo.Upload
	// applicant applies; nil means the citizen of ctx. Set for drafts: the
	// draft's owner (a citizen, or the applicant an integrator acts for).
	applicant *procedo.Citizen
	extra     procedo.ApplicationSubmission
	// draftID is the draft submitted, 0 for none: its fees must be paid, and
	// it is deleted in the transaction that stores the application.
	draftID int64
}

// submit stores an application: see SubmitApplication and SubmitDraft.
func (s *ApplicationService) submit(ctx context.Context, in *submission) (_ *procedo.Receipt, err error) {
	versionID, data, uploads := in.versionID, in.data, in.uploads
	citizen := in.applicant
	if citizen == nil {
		citizen = procedo.CitizenFromContext(ctx)
	}
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
	if err := procedo.AcceptsApplications(v); err != nil {
		return nil, err
	}
	def := &v.Definition
	if fees := def.ApplicationFees(); len(fees) > 0 && in.draftID == 0 {
		// Fees are paid through a draft (its payment step or the API): an
		// application without one cannot have paid them.
		return nil, procedo.UnpaidFeesError(fees)
	}
	files := map[string]procedo.FileInfo{}
	for _, u := range uploads {
		if _, dup := files[u.Field]; dup {
			return nil, procedo.FieldErrors{u.Field: "Allega un solo file per questo campo."}
		}
		if f, ok := def.Form.Field(u.Field); !ok || f.Type != procedo.FieldFile {
			return nil, procedo.FieldErrors{u.Field: "Campo allegato sconosciuto."}
		}
		files[u.Field] = procedo.FileInfo{Filename: u.Filename, MediaType: u.MediaType, SignedType: u.SignedType, Size: u.Size}
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
	if e := clean["email"]; e != "" && (in.draftID == 0 || applicant.Email == "") {
		applicant.Email = e // a draft's applicant step gives the contact address
	}
	if in.draftID != 0 {
		if err := draftFeesPaid(ctx, s.db, tenant.ID, in.draftID, def, clean); err != nil {
			return nil, err // checked again in the transaction; this spares the work below
		}
	}
	submittedAt := s.db.Now()
	pdf, err := s.db.Renderer.RenderPDF(ctx, procedo.ApplicationPrintDocument(tenant, v, applicant, in.extra, clean, uploads, submittedAt))
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

	app := &procedo.Application{TenantID: tenant.ID, ProcedureVersionID: v.ID, Applicant: applicant, Data: clean,
		Phone: in.extra.Phone, Company: in.extra.Company}
	cas := &procedo.Case{TenantID: tenant.ID, ProcedureVersionID: v.ID, ProcedureTitle: def.Title, OrgUnitID: ou.ID,
		OrgUnitName: ou.Name, ApplicantFiscalCode: applicant.FiscalCode, ApplicantName: applicant.FullName(),
		ApplicantEmail: applicant.Email, Subject: caseSubject(def, clean), Status: procedo.CaseSubmitted, TermDays: def.TermDays}
	reg := &procedo.Registration{TenantID: tenant.ID, Direction: procedo.DirectionIncoming,
		Subject:        "Istanza: " + def.Title + " — " + applicant.FullName(),
		Correspondents: applicationCorrespondents(&applicant, in.extra.Company),
		Fingerprint:    main.SHA256, AttachmentCount: len(uploads), Attachments: describeUploads(uploads),
		OrgUnitID: &ou.ID, Classification: def.Classification, Channel: "online"}

	var rec *procedo.Receipt
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
		var companyVAT, companyName string
		if c := in.extra.Company; c != nil {
			companyVAT, companyName = c.VATNumber, c.Name
		}
		id, err := tx.insert(ctx, `INSERT INTO applications (tenant_id, procedure_version_id, applicant_fiscal_code, applicant_given_name,
			applicant_family_name, applicant_email, data, submitted_at, registration_id, applicant_phone, company_vat, company_name, submitted_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tenant.ID, v.ID, applicant.FiscalCode, applicant.GivenName, applicant.FamilyName, applicant.Email, string(dataJSON),
			s.db.ts(app.SubmittedAt), reg.ID, in.extra.Phone, companyVAT, companyName, submittedBy(ctx))
		if err != nil {
			return err
		}
		app.ID = id
		docs := append([]*procedo.Document{mainDoc}, nil...)
		for _, u := range uploads {
			d := &procedo.Document{TenantID: tenant.ID, SHA256: u.SHA256, Filename: u.Filename, MediaType: u.MediaType,
				Size: u.Size, Kind: procedo.DocumentAttachment, Description: describeAttachment(def, u)}
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
		if err := openCase(ctx, tx, cas, def, reg); err != nil {
			return err
		}
		app.CaseID = cas.ID
		if err := insertCaseEvent(ctx, tx, &procedo.CaseEvent{CaseID: cas.ID, Kind: "submitted", ToStatus: procedo.CaseSubmitted,
			RegistrationID: &reg.ID, DocumentID: &mainDoc.ID}); err != nil {
			return err
		}
		payments, err := s.finishDraft(ctx, tx, tenant.ID, in.draftID, cas.ID, def, clean)
		if err != nil {
			return err
		}
		receipt := &procedo.Receipt{Tenant: tenant, Procedure: v, Application: app, Case: cas, Registration: reg, OrgUnit: ou, Payments: payments}
		subject, body := receipt.Mail(s.db.BaseURL)
		if err := enqueueMail(ctx, tx, &procedo.MailMessage{TenantID: tenant.ID, To: applicant.Email, Subject: subject, Body: body,
			Attachments: []procedo.MailAttachmentRef{{Kind: "receipt", ID: app.ID, Filename: "ricevuta-" + reg.NumberString() + ".pdf"}}}); err != nil {
			return err
		}
		rec = receipt
		return recordAudit(ctx, tx, &procedo.AuditEvent{Action: "application.submit", ObjectType: "case", ObjectID: itoa(cas.ID),
			Detail: reg.Signature()})
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// submittedBy is the user who submits on the applicant's behalf (an
// integrator through the API), or nil when the applicant does.
func submittedBy(ctx context.Context) *int64 {
	if u := procedo.UserFromContext(ctx); u != nil {
		return &u.ID
	}
	return nil
}

// applicationCorrespondents are the senders of an application's
// registration: the applicant and the company they act for, if any.
func applicationCorrespondents(a *procedo.Citizen, c *procedo.Company) []procedo.Correspondent {
	out := []procedo.Correspondent{{Name: a.FullName(), FiscalCode: a.FiscalCode, Email: a.Email}}
	if c != nil {
		out = append(out, procedo.Correspondent{Name: c.Name, FiscalCode: c.VATNumber})
	}
	return out
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
	var data, companyVAT, companyName string
	if err := db.queryRow(ctx, `SELECT applicant_fiscal_code, applicant_given_name, applicant_family_name, applicant_email, data, submitted_at,
		applicant_phone, company_vat, company_name
		FROM applications WHERE tenant_id = ? AND id = ?`, cas.TenantID, cas.ApplicationID).Scan(&app.Applicant.FiscalCode,
		&app.Applicant.GivenName, &app.Applicant.FamilyName, &app.Applicant.Email, &data, timeValue{&app.SubmittedAt},
		&app.Phone, &companyVAT, &companyName); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(data), &app.Data); err != nil {
		return nil, err
	}
	if companyVAT != "" {
		app.Company = &procedo.Company{VATNumber: companyVAT, Name: companyName}
	}
	payments, err := queryNotices(ctx, db, `SELECT `+noticeColumns+` FROM payment_notices WHERE tenant_id = ? AND case_id = ? ORDER BY id`,
		cas.TenantID, cas.ID)
	if err != nil {
		return nil, err
	}
	return &procedo.Receipt{Tenant: procedo.TenantFromContext(ctx), Procedure: v, Application: app, Case: cas, Registration: reg,
		OrgUnit: ou, Payments: payments}, nil
}

// FindApplicationStatus implements procedo.ApplicationService.
func (s *ApplicationService) FindApplicationStatus(ctx context.Context, applicationID int64) (_ *procedo.Receipt, _ []*procedo.CaseEvent, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindApplicationStatus(%d)", applicationID)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, nil, err
	}
	var caseID int64
	var by *int64
	if err := s.db.queryRow(ctx, `SELECT c.id, a.submitted_by FROM applications a JOIN cases c ON c.tenant_id = a.tenant_id AND c.application_id = a.id
		WHERE a.tenant_id = ? AND a.id = ?`, tid, applicationID).Scan(&caseID, &by); err != nil {
		return nil, nil, notFound(err, "Domanda non trovata.")
	}
	read := ctx
	if u := procedo.UserFromContext(ctx); u != nil && by != nil && *by == u.ID && u.HasRole(procedo.RoleRegistry) {
		// The integrator who submitted it follows it, as the applicant would.
		read = procedo.NewContextWithActor(ctx, procedo.SystemActor)
	}
	rec, err := findReceiptByCase(read, s.db, caseID)
	if err != nil {
		return nil, nil, err
	}
	events, err := NewCaseService(s.db).FindCaseEvents(read, caseID)
	if err != nil {
		return nil, nil, err
	}
	return rec, events, nil
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

// describeAttachment is the description of an uploaded file: the label of its
// field and, for a signed file, who signed it.
func describeAttachment(def *procedo.ProcedureDefinition, u *procedo.Upload) string {
	return uploadDescription(fieldLabel(def, u.Field), u)
}

// uploadDescription is label followed, for a signed file, by who signed it.
func uploadDescription(label string, u *procedo.Upload) string {
	if u.Signature == "" {
		return label
	}
	return label + " — " + u.Signature
}
