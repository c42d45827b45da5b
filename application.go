// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Application is what a citizen submits (istanza): form data and attachments for
// one procedure version. Submission registers it in the protocol and opens a case
// in one transaction.
type Application struct {
	ID                 int64
	TenantID           int64
	ProcedureVersionID int64
	Applicant          Citizen           // who applied
	Phone              string            // the applicant's phone, if given in the applicant step
	Company            *Company          // the company the applicant acts for as legal representative; nil for themselves
	Data               map[string]string // cleaned form values
	Documents          []*Document       // attachments, in form order
	SubmittedAt        time.Time         // = protocol registration time (L. 241 art. 18-bis)
	RegistrationID     int64
	CaseID             int64
}

// Receipt is what the applicant gets at once on submission (L. 241 art. 18-bis):
// protocol data, office and person responsible, legal term and due date.
type Receipt struct {
	Tenant       *Tenant
	Procedure    *ProcedureVersion
	Application  *Application
	Case         *Case
	Registration *Registration
	OrgUnit      *OrgUnit
	Payments     []*PaymentNotice // the pagoPA fees paid with the application, if any
}

// ApplicationSubmission is an application to submit with
// ApplicationService.SubmitApplication when it has more than form values:
// the applicant's phone and the company they act for (from the applicant
// step of a draft).
type ApplicationSubmission struct {
	Phone   string
	Company *Company
}

// ApplicationService accepts citizens' applications in the tenant of ctx.
type ApplicationService interface {
	// SubmitApplication validates data against the version's form, then in one
	// transaction stores the application and its documents (uploads must already
	// be durable in the BlobStore), registers it in the protocol as incoming,
	// opens the case with its legal term, and queues the receipt e-mail. Only a
	// citizen may call it. EINVALID with FieldErrors for bad input, and for a
	// procedure with fixed fees (they are paid through a draft: see
	// DraftService.SubmitDraft); ECONFLICT when the procedure does not accept
	// applications (AcceptsApplications); nothing is stored on any error.
	SubmitApplication(ctx context.Context, versionID int64, data map[string]string, uploads []*Upload) (*Receipt, error)
	// FindReceipt returns the receipt of an application the actor may see, or ENOTFOUND.
	FindReceipt(ctx context.Context, applicationID int64) (*Receipt, error)
	// FindApplicationStatus returns the receipt of an application and the
	// history of its case, for whoever may view the case and for the
	// integrator who submitted it on the applicant's behalf; ENOTFOUND
	// otherwise (also for other tenants' applications).
	FindApplicationStatus(ctx context.Context, applicationID int64) (*Receipt, []*CaseEvent, error)
}

// ApplicationPrintDocument describes the application form as submitted (the
// istanza): it becomes the main document of the incoming registration.
func ApplicationPrintDocument(t *Tenant, v *ProcedureVersion, applicant Citizen, extra ApplicationSubmission, data map[string]string, files []*Upload, at time.Time) *PrintDocument {
	d := &PrintDocument{
		Issuer:   t.Name,
		Title:    "Istanza presentata online",
		Subtitle: v.Definition.Title,
		Demo:     t.Demo,
		Footer:   "Istanza presentata tramite procedo il " + at.In(Rome).Format("02/01/2006 alle 15:04:05"),
	}
	d.Sections = append(d.Sections, PrintSection{Heading: "Richiedente", Fields: []PrintField{
		{"Nome e cognome", applicant.FullName()},
		{"Codice fiscale", applicant.FiscalCode},
		{"Identità verificata con", applicant.Provider},
	}})
	if extra.Phone != "" || applicant.Email != "" {
		sec := PrintSection{Heading: "Recapiti"}
		if applicant.Email != "" {
			sec.Fields = append(sec.Fields, PrintField{"E-mail", applicant.Email})
		}
		if extra.Phone != "" {
			sec.Fields = append(sec.Fields, PrintField{"Telefono", extra.Phone})
		}
		d.Sections = append(d.Sections, sec)
	}
	if c := extra.Company; c != nil {
		d.Sections = append(d.Sections, PrintSection{Heading: "Per conto di", Fields: []PrintField{
			{"Impresa", c.Name},
			{"Partita IVA", c.VATNumber},
			{"In qualità di", "Legale rappresentante (dichiarato dal richiedente)"},
		}})
	}
	for _, s := range v.Definition.Form.Sections {
		sec := PrintSection{Heading: s.Title}
		for _, f := range s.Fields {
			if f.Type == FieldFile {
				continue
			}
			sec.Fields = append(sec.Fields, PrintField{f.Label, DisplayValue(f, data[f.Name])})
		}
		if len(sec.Fields) > 0 {
			d.Sections = append(d.Sections, sec)
		}
	}
	if len(files) > 0 {
		sec := PrintSection{Heading: "Allegati"}
		for _, u := range files {
			label := u.Field
			if f, ok := v.Definition.Form.Field(u.Field); ok {
				label = f.Label
			}
			sec.Fields = append(sec.Fields, PrintField{label, u.Filename + " — SHA-256 " + u.SHA256})
		}
		d.Sections = append(d.Sections, sec)
	}
	return d
}

// DisplayValue returns a stored form value as people read it (choice label,
// "Sì"/"No", Italian date).
func DisplayValue(f FormField, v string) string {
	switch f.Type {
	case FieldChoice:
		for _, o := range f.Options {
			if o.Value == v {
				return o.Label
			}
		}
	case FieldYesNo:
		switch v {
		case "si":
			return "Sì"
		case "no":
			return "No"
		}
	case FieldDate:
		if d, err := ParseDate(v); err == nil {
			return d.Italian()
		}
	}
	if v == "" {
		return "—"
	}
	return v
}

// ResponsibleLabel names the person responsible for the case: the assigned
// person, or the head of the office until one is assigned (L. 241/1990 art. 5 c.2).
func (r *Receipt) ResponsibleLabel() string {
	if r.Case.ResponsibleName != "" {
		return r.Case.ResponsibleName
	}
	if r.OrgUnit != nil && r.OrgUnit.Head != "" {
		return r.OrgUnit.Head + " (responsabile dell'ufficio, fino all'assegnazione)"
	}
	return "Responsabile dell'ufficio " + r.Case.OrgUnitName
}

// PrintDocument describes the receipt (L. 241/1990 art. 18-bis).
func (r *Receipt) PrintDocument() *PrintDocument {
	reg, c, def := r.Registration, r.Case, &r.Procedure.Definition
	lines := []string{}
	if r.OrgUnit != nil {
		lines = append(lines, r.OrgUnit.Name)
		if r.OrgUnit.Email != "" {
			lines = append(lines, r.OrgUnit.Email)
		}
	}
	d := &PrintDocument{
		Issuer:      r.Tenant.Name,
		IssuerLines: lines,
		Title:       "Ricevuta di presentazione dell'istanza",
		Subtitle:    def.Title,
		Demo:        r.Tenant.Demo,
		Footer:      "Ricevuta rilasciata ai sensi dell'art. 18-bis della L. 241/1990 — protocollo " + reg.Signature(),
		Sections: []PrintSection{
			{Heading: "Protocollo", Fields: []PrintField{
				{"Numero di protocollo", reg.NumberString() + "/" + itoa(reg.Year)},
				{"Registro", reg.RegisterCode},
				{"Data e ora di registrazione", reg.RegisteredAt.In(Rome).Format("02/01/2006 15:04:05")},
				{"Impronta (SHA-256)", reg.Fingerprint},
			}},
			{Heading: "Pratica", Fields: []PrintField{
				{"Numero pratica", itoa64(c.ID)},
				{"Richiedente", c.ApplicantName + " (" + c.ApplicantFiscalCode + ")"},
				{"Oggetto", c.Subject},
				{"Ufficio competente", c.OrgUnitName},
				{"Responsabile del procedimento", r.ResponsibleLabel()},
			}},
			{Heading: "Termini", Fields: []PrintField{
				{"Termine di conclusione", FormatDays(c.TermDays) + " dalla presentazione"},
				{"Data di scadenza", c.DueDate.Italian()},
			}, Paragraphs: []string{def.SilenceLabel()}},
		},
	}
	if a := r.Application; a != nil && a.Company != nil {
		d.Sections = append(d.Sections[:2], append([]PrintSection{{Heading: "Per conto di", Fields: []PrintField{
			{"Impresa", a.Company.Name + " (partita IVA " + a.Company.VATNumber + ")"},
			{"In qualità di", "Legale rappresentante"},
		}}}, d.Sections[2:]...)...)
	}
	if len(r.Payments) > 0 {
		sec := PrintSection{Heading: "Pagamenti pagoPA"}
		for _, n := range r.Payments {
			sec.Fields = append(sec.Fields, PrintField{n.Causale, n.PaymentLine()})
		}
		d.Sections = append(d.Sections, sec)
	}
	return d
}

// PaymentLine describes a notice in one line: amount, codice avviso and
// status, e.g. "16,00 € – codice avviso 3010 … – pagato il 02/03/2026".
func (n *PaymentNotice) PaymentLine() string {
	s := FormatCents(n.Amount) + " – codice avviso " + n.NoticeNumber.Grouped() + " – IUV " + n.IUV + " – "
	if n.Status == PaymentPaid && n.PaidAt != nil {
		return s + "pagato il " + n.PaidAt.In(Rome).Format("02/01/2006 alle 15:04")
	}
	return s + strings.ToLower(n.Status.Label())
}

// Mail returns the subject and body of the receipt e-mail.
func (r *Receipt) Mail(baseURL string) (subject, body string) {
	reg, c := r.Registration, r.Case
	subject = "Ricevuta: " + r.Procedure.Definition.Title + " — protocollo " + reg.NumberString() + "/" + itoa(reg.Year)
	body = "Gentile " + c.ApplicantName + ",\n\n" +
		"la tua istanza «" + r.Procedure.Definition.Title + "» è stata ricevuta da " + r.Tenant.Name + ".\n\n" +
		"Protocollo: " + reg.Signature() + "\n" +
		"Pratica n. " + itoa64(c.ID) + "\n" +
		"Ufficio competente: " + c.OrgUnitName + "\n" +
		"Responsabile del procedimento: " + r.ResponsibleLabel() + "\n" +
		"Termine di conclusione: " + FormatDays(c.TermDays) + ", entro il " + c.DueDate.Italian() + "\n\n" +
		r.Procedure.Definition.SilenceLabel() + "\n\n" +
		paymentsMail(r.Payments) +
		"Puoi seguire la pratica nell'area «Le mie pratiche»: " + baseURL + "/pratiche/" + itoa64(c.ID) + "\n\n" +
		"In allegato la ricevuta in PDF.\n\n" + r.Tenant.Name + "\n"
	if r.Tenant.Demo {
		body += "\nDEMO — messaggio di prova senza valore legale.\n"
	}
	return subject, body
}

// paymentsMail lists paid fees for the receipt e-mail.
func paymentsMail(ns []*PaymentNotice) string {
	if len(ns) == 0 {
		return ""
	}
	s := "Pagamenti pagoPA:\n"
	for _, n := range ns {
		s += "- " + n.Causale + ": " + n.PaymentLine() + "\n"
	}
	return s + "\n"
}

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
