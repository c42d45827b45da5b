// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/library"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// publishModel publishes standard model id in comune c, handled by the
// fixture's office, after edit.
func publishModel(t *testing.T, env *testkit.Env, c *testkit.Comune, id string, edit ...func(*procedo.ProcedureDefinition)) *procedo.ProcedureVersion {
	t.Helper()
	def, err := library.Model(id)
	if err != nil {
		t.Fatal(err)
	}
	def.OfficeCode, def.DecisionOffice = c.Office.Code, ""
	for _, e := range edit {
		e(def)
	}
	v, err := sqlstore.NewProcedureService(env.DB).PublishProcedure(c.As(procedo.SystemActor), def)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// putPDF stores a small PDF in comune c's blobs and returns it as a draft file of field.
func putPDF(t *testing.T, db *sqlstore.DB, c *testkit.Comune, field, name string) procedo.DraftFile {
	t.Helper()
	content := []byte("%PDF-1.4\n% " + name + "\n")
	info, err := db.Blobs.Put(context.Background(), c.Tenant.ID, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	return procedo.DraftFile{Field: field, Filename: name, MediaType: "application/pdf", SHA256: info.SHA256, Size: info.Size}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if procedo.ErrorCode(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func TestDraftService_Lifecycle(t *testing.T) {
	env := testkit.NewEnv(t)
	drafts := sqlstore.NewDraftService(env.DB, sqlstore.NewPaymentService(env.DB))
	A := env.A
	mario := A.AsCitizen(testkit.Mario)

	d := &procedo.ApplicationDraft{ProcedureVersionID: A.Version.ID, PrivacyAcceptedAt: &time.Time{}}
	if err := drafts.CreateDraft(mario, d); err != nil {
		t.Fatal(err)
	}
	// Owner, names and the prefilled e-mail come from the identity.
	if d.ID == 0 || d.FiscalCode != testkit.Mario.FiscalCode || d.Applicant.GivenName != "Mario" || d.Step != procedo.StepApplicant ||
		d.Values["email"] != testkit.Mario.Email || d.Applicant.Email != testkit.Mario.Email || d.PrivacyAcceptedAt == nil ||
		d.ExpiresAt.Sub(d.UpdatedAt) != procedo.DefaultDraftTTL || d.ProcedureKey != "accesso-documentale" {
		t.Fatalf("created %+v", d)
	}

	t.Run("Isolation", func(t *testing.T) {
		for name, ctx := range map[string]context.Context{
			"another citizen":           A.AsCitizen(testkit.Lucia),
			"the same citizen in B":     env.B.AsCitizen(testkit.Mario),
			"an operator":               A.AsUser(A.Operator),
			"the registry desk of A":    A.AsUser(A.Registry),
			"the administrator of A":    A.AsUser(A.Admin),
			"the registry desk of B":    env.B.AsUser(env.B.Registry),
			"an anonymous visitor of A": A.As(nil),
		} {
			t.Run(name, func(t *testing.T) {
				_, err := drafts.FindDraftByID(ctx, d.ID)
				wantCode(t, err, procedo.ENOTFOUND)
				_, err = drafts.UpdateDraft(ctx, d.ID, procedo.DraftUpdate{Values: map[string]string{"oggetto": "intrusione"}})
				wantCode(t, err, procedo.ENOTFOUND)
				_, err = drafts.SubmitDraft(ctx, d.ID)
				wantCode(t, err, procedo.ENOTFOUND)
				wantCode(t, drafts.DeleteDraft(ctx, d.ID), procedo.ENOTFOUND)
				if list, n, err := drafts.FindDrafts(ctx, procedo.DraftFilter{}); err != nil || n != 0 || len(list) != 0 {
					t.Fatalf("FindDrafts: %d %v", n, err)
				}
			})
		}
		got, err := drafts.FindDraftByID(mario, d.ID)
		if err != nil || got.Values["oggetto"] != "" {
			t.Fatalf("changed by others: %+v %v", got, err)
		}
	})

	t.Run("Update", func(t *testing.T) {
		step := "sezione-2"
		got, err := drafts.UpdateDraft(mario, d.ID, procedo.DraftUpdate{Step: &step,
			Applicant: &procedo.DraftApplicant{GivenName: "Falso", Email: "mario@example.it", Phone: "+39 333 1234567"},
			Values:    map[string]string{"oggetto": "Permesso 12/2024", "modalita": "volare"}})
		if err != nil {
			t.Fatal(err)
		}
		// Values are kept as typed (checked at each step and at submission);
		// names stay those of the identity.
		if got.Step != step || got.Values["oggetto"] != "Permesso 12/2024" || got.Values["modalita"] != "volare" ||
			got.Applicant.GivenName != "Mario" || got.Applicant.Phone != "+39 333 1234567" || !got.UpdatedAt.After(d.CreatedAt.Add(-time.Second)) {
			t.Fatalf("updated %+v", got)
		}
		_, err = drafts.UpdateDraft(mario, d.ID, procedo.DraftUpdate{Values: map[string]string{"sconosciuto": "x"}})
		if fe := procedo.FieldErrorsOf(err); fe["sconosciuto"] == "" {
			t.Fatalf("unknown key: %v", err)
		}
		bad := "sezione-99"
		_, err = drafts.UpdateDraft(mario, d.ID, procedo.DraftUpdate{Step: &bad})
		wantCode(t, err, procedo.EINVALID)
		// "" removes a value.
		got, err = drafts.UpdateDraft(mario, d.ID, procedo.DraftUpdate{Values: map[string]string{"modalita": ""}})
		if err != nil || got.Values["modalita"] != "" {
			t.Fatalf("remove: %v %v", got.Values, err)
		}
		list, n, err := drafts.FindDrafts(mario, procedo.DraftFilter{})
		if err != nil || n != 1 || list[0].ID != d.ID || list[0].ProcedureTitle == "" {
			t.Fatalf("FindDrafts: %d %v", n, err)
		}
	})

	t.Run("Files", func(t *testing.T) {
		f := putPDF(t, env.DB, A, "documentazione", "delega.pdf")
		got, err := drafts.AttachDraftFile(mario, d.ID, f)
		if err != nil || len(got.Files) != 1 || got.Files[0].SHA256 != f.SHA256 {
			t.Fatalf("attach: %+v %v", got, err)
		}
		// A second file replaces the first.
		f2 := putPDF(t, env.DB, A, "documentazione", "delega-firmata.pdf")
		if got, err = drafts.AttachDraftFile(mario, d.ID, f2); err != nil || len(got.Files) != 1 || got.Files[0].Filename != "delega-firmata.pdf" {
			t.Fatalf("replace: %+v %v", got, err)
		}
		bad := f2
		bad.Field = "oggetto"
		_, err = drafts.AttachDraftFile(mario, d.ID, bad)
		wantCode(t, err, procedo.EINVALID)
		bad = f2
		bad.MediaType = "application/x-msdownload"
		_, err = drafts.AttachDraftFile(mario, d.ID, bad)
		wantCode(t, err, procedo.EINVALID)
		bad = f2
		bad.SHA256 = "0000000000000000000000000000000000000000000000000000000000000000"
		if _, err = drafts.AttachDraftFile(mario, d.ID, bad); err == nil {
			t.Fatal("attached a file that is not stored")
		}
		// Another tenant's content is not this tenant's.
		other := putPDF(t, env.DB, env.B, "documentazione", "altro.pdf")
		if _, err = drafts.AttachDraftFile(mario, d.ID, other); err == nil {
			t.Fatal("attached a file of another tenant")
		}
	})

	t.Run("Submit", func(t *testing.T) {
		before := countRows(t, env.DB, "registrations")
		_, err := drafts.SubmitDraft(mario, d.ID)
		fe := procedo.FieldErrorsOf(err)
		if fe["modalita"] == "" || fe["consegna"] == "" || fe["motivazione"] == "" {
			t.Fatalf("incomplete draft: %v", err)
		}
		if countRows(t, env.DB, "registrations") != before {
			t.Fatal("a refused submission registered something")
		}
		company := procedo.DraftApplicant{Email: "mario@example.it", Phone: "+39 333 1234567", ForCompany: true,
			CompanyVAT: "IT 01199250158", CompanyName: "Rossi Costruzioni srl"}
		_, err = drafts.UpdateDraft(mario, d.ID, procedo.DraftUpdate{Applicant: &company, Values: testkit.ValidForm()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = drafts.SubmitDraft(mario, d.ID)
		if fe := procedo.FieldErrorsOf(err); fe["applicant.legal_representative"] == "" {
			t.Fatalf("company without the declaration: %v", err)
		}
		company.LegalRepresentative = true
		if _, err = drafts.UpdateDraft(mario, d.ID, procedo.DraftUpdate{Applicant: &company}); err != nil {
			t.Fatal(err)
		}
		r, err := drafts.SubmitDraft(mario, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Application.Documents) != 2 || r.Case.ApplicantFiscalCode != testkit.Mario.FiscalCode || r.Case.ApplicantEmail != "mario@example.it" {
			t.Fatalf("receipt %+v %+v", r.Application, r.Case)
		}
		if len(r.Registration.Correspondents) != 2 || r.Registration.Correspondents[1].FiscalCode != "01199250158" {
			t.Errorf("correspondents %+v", r.Registration.Correspondents)
		}
		got, err := sqlstore.NewApplicationService(env.DB).FindReceipt(mario, r.Application.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c := got.Application.Company; c == nil || c.VATNumber != "01199250158" || c.Name != "Rossi Costruzioni srl" || got.Application.Phone != "+39 333 1234567" {
			t.Fatalf("company %+v phone %q", c, got.Application.Phone)
		}
		// The draft is gone with the submission: a second one finds nothing.
		_, err = drafts.FindDraftByID(mario, d.ID)
		wantCode(t, err, procedo.ENOTFOUND)
		_, err = drafts.SubmitDraft(mario, d.ID)
		wantCode(t, err, procedo.ENOTFOUND)
	})

	t.Run("Delete", func(t *testing.T) {
		d := &procedo.ApplicationDraft{ProcedureVersionID: A.Version.ID}
		if err := drafts.CreateDraft(mario, d); err != nil {
			t.Fatal(err)
		}
		if d.Step != procedo.StepPrivacy || d.PrivacyAcceptedAt != nil {
			t.Fatalf("without privacy: %+v", d)
		}
		if err := drafts.DeleteDraft(mario, d.ID); err != nil {
			t.Fatal(err)
		}
		_, err := drafts.FindDraftByID(mario, d.ID)
		wantCode(t, err, procedo.ENOTFOUND)
	})
}

// TestDraftService_SubmitOnce submits the same draft from two requests at
// once: one application, the other request refused, nothing half-written.
func TestDraftService_SubmitOnce(t *testing.T) {
	env := testkit.NewEnv(t)
	drafts := sqlstore.NewDraftService(env.DB, sqlstore.NewPaymentService(env.DB))
	mario := env.A.AsCitizen(testkit.Mario)
	d := &procedo.ApplicationDraft{ProcedureVersionID: env.A.Version.ID, PrivacyAcceptedAt: &time.Time{}, Values: testkit.ValidForm()}
	if err := drafts.CreateDraft(mario, d); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = drafts.SubmitDraft(mario, d.ID)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch procedo.ErrorCode(err) {
		case "":
			ok++
		case procedo.ECONFLICT, procedo.ENOTFOUND:
		default:
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok != 1 || countRows(t, env.DB, "cases") != 1 || countRows(t, env.DB, "applications") != 1 || countRows(t, env.DB, "registrations") != 1 {
		t.Fatalf("%d submissions succeeded; cases %d, registrations %d", ok, countRows(t, env.DB, "cases"), countRows(t, env.DB, "registrations"))
	}
}

func TestDraftService_Expiry(t *testing.T) {
	env := paymentEnv(t)
	db := env.DB
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	drafts := sqlstore.NewDraftService(db, sqlstore.NewPaymentService(db))
	drafts.TTL = 7 * 24 * time.Hour
	v := publishModel(t, env, env.A, "occupazione-suolo-pubblico")
	mario := env.A.AsCitizen(testkit.Mario)
	old := &procedo.ApplicationDraft{ProcedureVersionID: v.ID}
	if err := drafts.CreateDraft(mario, old); err != nil {
		t.Fatal(err)
	}
	notices, err := drafts.PrepareDraftPayments(mario, old.ID)
	if err != nil || len(notices) != 1 {
		t.Fatalf("notices %v %v", notices, err)
	}
	now = now.Add(5 * 24 * time.Hour)
	fresh := &procedo.ApplicationDraft{ProcedureVersionID: env.B.Version.ID}
	if err := drafts.CreateDraft(env.B.AsCitizen(testkit.Lucia), fresh); err != nil {
		t.Fatal(err)
	}
	// Saving pushes the expiry forward.
	now = now.Add(1 * time.Hour)
	if got, err := drafts.UpdateDraft(env.B.AsCitizen(testkit.Lucia), fresh.ID, procedo.DraftUpdate{AcceptPrivacy: true}); err != nil ||
		!got.ExpiresAt.Equal(now.Add(7*24*time.Hour)) || got.PrivacyAcceptedAt == nil {
		t.Fatalf("update: %+v %v", got, err)
	}
	now = now.Add(2*24*time.Hour + time.Minute) // old has expired, fresh has not
	_, err = drafts.FindDraftByID(mario, old.ID)
	wantCode(t, err, procedo.ENOTFOUND)

	_, err = drafts.PurgeExpiredDrafts(env.A.AsUser(env.A.Admin))
	wantCode(t, err, procedo.EFORBIDDEN)
	n, err := drafts.PurgeExpiredDrafts(context.Background())
	wantCode(t, err, procedo.EFORBIDDEN)
	n, err = drafts.PurgeExpiredDrafts(procedo.NewContextWithActor(context.Background(), procedo.SystemActor))
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v", n, err)
	}
	if c := countRows(t, db, "application_drafts"); c != 1 {
		t.Fatalf("%d drafts left", c)
	}
	if _, err := drafts.FindDraftByID(env.B.AsCitizen(testkit.Lucia), fresh.ID); err != nil {
		t.Fatal(err)
	}
	// The expired draft's unpaid notice is withdrawn.
	got, err := sqlstore.NewPaymentService(db).FindNotice(env.A.As(procedo.SystemActor), notices[0].ID)
	if err != nil || got.Status != procedo.PaymentCancelled {
		t.Fatalf("notice %+v %v", got, err)
	}
	if n, err := drafts.PurgeExpiredDrafts(procedo.NewContextWithActor(context.Background(), procedo.SystemActor)); err != nil || n != 0 {
		t.Fatalf("second purge %d %v", n, err)
	}
	// The daily job is enqueued once per day, however many replicas ask.
	for range 3 {
		if err := db.ScheduleDraftPurge(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if jobs := countRows(t, db, "jobs"); jobs != 1 {
		t.Fatalf("%d jobs", jobs)
	}
}

// occupazione returns valid values of the occupazione-suolo-pubblico form.
func occupazione() map[string]string {
	return map[string]string{"email": "mario.rossi@example.it", "telefono": "+39 333 1234567", "per_conto": "no",
		"luogo.via": "Via Roma", "luogo.civico": "3", "luogo.cap": "73030", "luogo.comune": "Castro (LE)", "motivo": "trasloco",
		"descrizione": "Furgone per il trasloco", "data_inizio": "2026-04-10", "data_fine": "2026-04-10", "superficie": "12"}
}

func TestDraftService_Fees(t *testing.T) {
	env := paymentEnv(t)
	drafts := sqlstore.NewDraftService(env.DB, sqlstore.NewPaymentService(env.DB))
	payments := sqlstore.NewPaymentService(env.DB)
	v := publishModel(t, env, env.A, "occupazione-suolo-pubblico")
	mario := env.A.AsCitizen(testkit.Mario)

	t.Run("SubmitApplicationRefusesUnpaidFees", func(t *testing.T) {
		_, err := sqlstore.NewApplicationService(env.DB).SubmitApplication(mario, v.ID, occupazione(),
			[]*procedo.Upload{putPDF(t, env.DB, env.A, "planimetria", "planimetria.pdf").Upload()})
		fe := procedo.FieldErrorsOf(err)
		if fe["payments"] == "" || !bytes.Contains([]byte(fe["payments"]), []byte("Imposta di bollo sulla domanda (16,00 €)")) {
			t.Fatalf("got %v", err)
		}
		if countRows(t, env.DB, "cases") != 0 {
			t.Fatal("an unpaid application opened a case")
		}
	})

	d := &procedo.ApplicationDraft{ProcedureVersionID: v.ID, PrivacyAcceptedAt: &time.Time{}, Values: occupazione()}
	if err := drafts.CreateDraft(mario, d); err != nil {
		t.Fatal(err)
	}
	if _, err := drafts.AttachDraftFile(mario, d.ID, putPDF(t, env.DB, env.A, "planimetria", "planimetria.pdf")); err != nil {
		t.Fatal(err)
	}
	_, err := drafts.SubmitDraft(mario, d.ID)
	if fe := procedo.FieldErrorsOf(err); fe["payments"] == "" || len(fe) != 1 {
		t.Fatalf("unpaid: %v", err)
	}
	// The notices of the fixed fee and of the canone computed from the
	// form (12 m² for one day: the minimum), issued once.
	notices, err := drafts.PrepareDraftPayments(mario, d.ID)
	if err != nil || len(notices) != 2 || notices[0].Amount != 1600 || notices[0].PayerFiscalCode != testkit.Mario.FiscalCode ||
		notices[0].Causale != "Imposta di bollo - domanda di occupazione suolo pubblico" || *notices[0].ApplicationDraftID != d.ID {
		t.Fatalf("notices %+v %v", notices, err)
	}
	if c := notices[1]; c.Amount != 2000 || c.Description != "Canone unico patrimoniale" ||
		c.Computation != "12 m² × 1 giorno × 1,20 € = 14,40 €, meno del minimo: si paga il minimo di 20,00 €" {
		t.Fatalf("canone %+v", c)
	}
	again, err := drafts.PrepareDraftPayments(mario, d.ID)
	if err != nil || len(again) != 2 || again[0].ID != notices[0].ID || again[1].ID != notices[1].ID {
		t.Fatalf("second prepare %+v %v", again, err)
	}
	_, err = drafts.PrepareDraftPayments(env.A.AsCitizen(testkit.Lucia), d.ID)
	wantCode(t, err, procedo.ENOTFOUND)
	// Still unpaid: refused, nothing stored.
	_, err = drafts.SubmitDraft(mario, d.ID)
	if fe := procedo.FieldErrorsOf(err); fe["payments"] == "" {
		t.Fatalf("unpaid after the notice: %v", err)
	}
	if _, err := payments.MarkPaid(env.A.As(procedo.SystemActor), notices[0].NoticeNumber.String(), "demo", "DEMO-1"); err != nil {
		t.Fatal(err)
	}
	// The bollo alone is not enough: the canone is due too.
	_, err = drafts.SubmitDraft(mario, d.ID)
	if fe := procedo.FieldErrorsOf(err); !strings.Contains(fe["payments"], "Canone unico patrimoniale (20,00 €)") {
		t.Fatalf("canone unpaid: %v", err)
	}
	if _, err := payments.MarkPaid(env.A.As(procedo.SystemActor), notices[1].NoticeNumber.String(), "demo", "DEMO-2"); err != nil {
		t.Fatal(err)
	}
	r, err := drafts.SubmitDraft(mario, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Payments) != 2 || r.Payments[0].Status != procedo.PaymentPaid || r.Payments[0].CaseID == nil || *r.Payments[0].CaseID != r.Case.ID {
		t.Fatalf("receipt payments %+v", r.Payments)
	}
	got, err := sqlstore.NewApplicationService(env.DB).FindReceipt(mario, r.Application.ID)
	if err != nil || len(got.Payments) != 2 || got.Payments[0].ID != notices[0].ID || got.Payments[1].Computation != notices[1].Computation {
		t.Fatalf("receipt %+v %v", got, err)
	}
	if b := got.PrintDocument(); !bytes.Contains([]byte(b.Sections[len(b.Sections)-1].Heading), []byte("Pagamenti")) {
		t.Errorf("the printed receipt lacks the payment: %+v", b.Sections)
	}
}

func TestDraftService_RefusesClosedServices(t *testing.T) {
	env := testkit.NewEnv(t)
	drafts := sqlstore.NewDraftService(env.DB, sqlstore.NewPaymentService(env.DB))
	apps := sqlstore.NewApplicationService(env.DB)
	mario := env.A.AsCitizen(testkit.Mario)
	for name, edit := range map[string]func(*procedo.ProcedureDefinition){
		"inactive": func(d *procedo.ProcedureDefinition) {
			d.Status, d.StatusReason = procedo.ServiceInactive, "in manutenzione fino a lunedì"
		},
		"online service not yet available": func(d *procedo.ProcedureDefinition) {
			d.OnlineService = &procedo.OnlineService{Available: false, Activation: "dal 1° giugno 2026"}
		},
	} {
		t.Run(name, func(t *testing.T) {
			v := publishModel(t, env, env.A, "segnalazione-reclamo", edit, func(d *procedo.ProcedureDefinition) { d.ID = "chiuso-" + name[:3] })
			err := drafts.CreateDraft(mario, &procedo.ApplicationDraft{ProcedureVersionID: v.ID})
			wantCode(t, err, procedo.ECONFLICT)
			_, err = apps.SubmitApplication(mario, v.ID, map[string]string{"email": "mario.rossi@example.it", "tipo": "suggerimento",
				"oggetto": "Orari", "descrizione": "Aprite il sabato."}, nil)
			wantCode(t, err, procedo.ECONFLICT)
			if msg := procedo.ErrorMessage(err); !bytes.Contains([]byte(msg), []byte("servizio online")) {
				t.Errorf("message %q", msg)
			}
		})
	}
	if countRows(t, env.DB, "application_drafts") != 0 || countRows(t, env.DB, "cases") != 0 {
		t.Fatal("a closed service accepted something")
	}
}

// TestDraftService_Integrator: a user with role registry (an integrator's
// token) fills and submits a draft on behalf of an applicant; only that user
// sees it.
func TestDraftService_Integrator(t *testing.T) {
	env := testkit.NewEnv(t)
	drafts := sqlstore.NewDraftService(env.DB, sqlstore.NewPaymentService(env.DB))
	A := env.A
	reg := A.AsUser(A.Registry)
	in := &procedo.ApplicationDraft{ProcedureVersionID: A.Version.ID, FiscalCode: "vrdlcu85t45f205s", PrivacyAcceptedAt: &time.Time{},
		Applicant: procedo.DraftApplicant{GivenName: "Lucia", FamilyName: "Verdi", Email: "lucia.verdi@example.it"}, Values: testkit.ValidForm()}

	wantCode(t, drafts.CreateDraft(A.AsUser(A.Operator), &procedo.ApplicationDraft{ProcedureVersionID: A.Version.ID}), procedo.EFORBIDDEN)
	wantCode(t, drafts.CreateDraft(A.As(nil), &procedo.ApplicationDraft{ProcedureVersionID: A.Version.ID}), procedo.EUNAUTHORIZED)
	bad := *in
	bad.FiscalCode, bad.Applicant.GivenName = "RSSMRA80A01H501X", ""
	err := drafts.CreateDraft(reg, &bad)
	if fe := procedo.FieldErrorsOf(err); fe["applicant.fiscal_code"] == "" || fe["applicant.given_name"] == "" {
		t.Fatalf("bad applicant: %v", err)
	}
	wantCode(t, drafts.CreateDraft(env.B.AsUser(env.B.Registry), &procedo.ApplicationDraft{ProcedureVersionID: A.Version.ID,
		FiscalCode: "VRDLCU85T45F205S", Applicant: in.Applicant}), procedo.ENOTFOUND)

	if err := drafts.CreateDraft(reg, in); err != nil {
		t.Fatal(err)
	}
	if in.FiscalCode != "VRDLCU85T45F205S" || in.CreatedBy == nil || *in.CreatedBy != A.Registry.ID {
		t.Fatalf("created %+v", in)
	}
	// Lucia herself does not see the integrator's draft; another registry user neither.
	_, err = drafts.FindDraftByID(A.AsCitizen(testkit.Lucia), in.ID)
	wantCode(t, err, procedo.ENOTFOUND)
	other := &procedo.User{Username: "protocollo2", FullName: "Altro protocollo", Roles: []procedo.Role{procedo.RoleRegistry}}
	if err := sqlstore.NewUserService(env.DB).CreateUser(A.As(procedo.SystemActor), other, testkit.Password); err != nil {
		t.Fatal(err)
	}
	_, err = drafts.FindDraftByID(A.AsUser(other), in.ID)
	wantCode(t, err, procedo.ENOTFOUND)

	r, err := drafts.SubmitDraft(reg, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Case.ApplicantFiscalCode != "VRDLCU85T45F205S" || r.Case.ApplicantName != "Lucia Verdi" || r.Application.Applicant.Provider != "api:protocollo" {
		t.Fatalf("case %+v applicant %+v", r.Case, r.Application.Applicant)
	}
	// The applicant follows the case as her own.
	if _, err := sqlstore.NewCaseService(env.DB).FindCaseByID(A.AsCitizen(testkit.Lucia), r.Case.ID); err != nil {
		t.Fatal(err)
	}
}
