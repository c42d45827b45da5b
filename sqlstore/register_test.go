// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

func mustUpload(t testing.TB, db *sqlstore.DB, tid int64, name, content string) *procedo.Upload {
	t.Helper()
	info, err := db.Blobs.Put(context.Background(), tid, bytes.NewReader([]byte(content)))
	if err != nil {
		t.Fatal(err)
	}
	return &procedo.Upload{Filename: name, MediaType: "application/pdf", SHA256: info.SHA256, Size: info.Size}
}

func incoming(subject string) *procedo.RegistrationInput {
	return &procedo.RegistrationInput{Direction: procedo.DirectionIncoming, Subject: subject, Channel: "pec",
		Correspondents: []procedo.Correspondent{{Name: "Ditta Rossi S.r.l.", FiscalCode: "01234567890"}}}
}

func TestRegistrationService_RegisterEntry(t *testing.T) {
	env := testkit.NewEnv(t)
	regs := sqlstore.NewRegistrationService(env.DB)
	A := env.A
	ctx := A.AsUser(A.Registry)
	t.Run("OK", func(t *testing.T) {
		in := incoming("Richiesta di autorizzazione allo scarico")
		in.Main = mustUpload(t, env.DB, A.Tenant.ID, "domanda.pdf", "%PDF-1.4 domanda")
		in.Attachments = []*procedo.Upload{mustUpload(t, env.DB, A.Tenant.ID, "planimetria.pdf", "%PDF-1.4 planimetria")}
		in.ActionOffice = &A.Office.ID
		in.Classification = "VI.3"
		in.SenderProtocol = "123/2026"
		in.SenderProtocolDate = procedo.NewDate(2026, 11, 20)
		r, err := regs.RegisterEntry(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if r.Number < 1 || r.Fingerprint != in.Main.SHA256 || r.AttachmentCount != 1 || r.Attachments != "planimetria.pdf" ||
			r.ChainHash == "" || r.CreatedBy != "user:protocollo" {
			t.Fatalf("%+v", r)
		}
		got, err := regs.FindRegistrationByNumber(ctx, r.Year, r.Number)
		if err != nil || got.ChainHash != r.ChainHash || got.SenderProtocolDate != in.SenderProtocolDate || got.Classification != "VI.3" {
			t.Fatalf("%+v %v", got, err)
		}
		docs, err := regs.FindRegistrationDocuments(ctx, r.ID)
		if err != nil || len(docs) != 2 {
			t.Fatalf("docs %v %v", docs, err)
		}
		hist, err := regs.FindRegistrationHistory(ctx, r.ID)
		if err != nil || len(hist) != 2 || hist[0].Kind != "registered" || hist[1].Kind != "assigned" {
			t.Fatalf("history %v %v", hist, err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		if _, err := regs.RegisterEntry(A.AsUser(A.Operator), incoming("x")); procedo.ErrorCode(err) != procedo.EFORBIDDEN {
			t.Fatalf("%v", err)
		}
		if _, err := regs.RegisterEntry(A.AsCitizen(testkit.Mario), incoming("x")); procedo.ErrorCode(err) != procedo.EUNAUTHORIZED {
			t.Fatalf("%v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		in := &procedo.RegistrationInput{Direction: "X", Channel: "piccione", SenderProtocol: "1"}
		fe := procedo.FieldErrorsOf(func() error { _, err := regs.RegisterEntry(ctx, in); return err }())
		for _, f := range []string{"direction", "subject", "channel"} {
			if fe[f] == "" {
				t.Errorf("no error for %s: %v", f, fe)
			}
		}
		in = incoming("x")
		in.Classification = "XCIX.1"
		if _, err := regs.RegisterEntry(ctx, in); procedo.FieldErrorsOf(err)["classification"] == "" {
			t.Errorf("unknown classification accepted: %v", err)
		}
		in = incoming("x")
		in.ActionOffice = &env.B.Office.ID
		if _, err := regs.RegisterEntry(ctx, in); procedo.FieldErrorsOf(err)["offices"] == "" {
			t.Errorf("another tenant's office accepted: %v", err)
		}
	})
	t.Run("Emergency", func(t *testing.T) {
		in := incoming("Esposto consegnato durante l'interruzione del sistema")
		in.Emergency = &procedo.EmergencyEntry{Number: "E-2026-0001", At: time.Date(2026, 11, 24, 10, 30, 0, 0, procedo.Rome)}
		r, err := regs.RegisterEntry(ctx, in)
		if err != nil || r.EmergencyNumber != "E-2026-0001" {
			t.Fatalf("%+v %v", r, err)
		}
		if _, err := regs.RegisterEntry(ctx, in); procedo.FieldErrorsOf(err)["emergency_number"] == "" {
			t.Fatalf("emergency entry registered twice: %v", err)
		}
	})
}

func TestRegistrationService_GroupCommitGapFree(t *testing.T) {
	env := testkit.NewEnv(t)
	regs := sqlstore.NewRegistrationService(env.DB)
	const clients, each = 16, 12
	var wg sync.WaitGroup
	var mu sync.Mutex
	numbers := map[int64][]int{}
	errs := make(chan error, clients*each)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				cm := env.A
				if (c+i)%4 == 0 {
					cm = env.B
				}
				var n int
				if i%5 == 0 { // interleave with online applications, numbered in their own transactions
					r, err := sqlstore.NewApplicationService(env.DB).SubmitApplication(cm.AsCitizen(testkit.Lucia), cm.Version.ID, testkit.ValidForm(), nil)
					if err != nil {
						errs <- err
						return
					}
					n = r.Registration.Number
				} else {
					r, err := regs.RegisterEntry(cm.AsUser(cm.Registry), incoming(fmt.Sprintf("Documento %d-%d", c, i)))
					if err != nil {
						errs <- err
						return
					}
					n = r.Number
				}
				mu.Lock()
				numbers[cm.Tenant.ID] = append(numbers[cm.Tenant.ID], n)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := 0
	for tid, ns := range numbers {
		sort.Ints(ns)
		for i, n := range ns {
			if n != i+1 {
				t.Fatalf("tenant %d: numbers are not 1..%d: %v", tid, len(ns), ns)
			}
		}
		total += len(ns)
	}
	if total != clients*each {
		t.Fatalf("%d registrations", total)
	}
	problems, err := env.DB.Verify(context.Background(), "")
	if err != nil || len(problems) != 0 {
		t.Fatalf("verify: %v %v", problems, err)
	}
}

func TestRegistrationService_AnnulAndCorrect(t *testing.T) {
	env := testkit.NewEnv(t)
	regs := sqlstore.NewRegistrationService(env.DB)
	A := env.A
	r, err := regs.RegisterEntry(A.AsUser(A.Registry), incoming("Da annullare"))
	if err != nil {
		t.Fatal(err)
	}
	records := &procedo.User{ID: A.Registry.ID, TenantID: A.Tenant.ID, Username: "archivista", FullName: "Responsabile gestione documentale",
		Roles: []procedo.Role{procedo.RoleRecords}}
	t.Run("OnlyRecords", func(t *testing.T) {
		for _, u := range []*procedo.User{A.Registry, A.Admin, A.Manager} {
			if _, err := regs.AnnulRegistration(A.AsUser(u), r.ID, "errore", "Decreto n. 1"); procedo.ErrorCode(err) != procedo.EFORBIDDEN {
				t.Errorf("%s annulled: %v", u.Username, err)
			}
		}
		if _, err := regs.AnnulRegistration(env.B.AsUser(records), r.ID, "errore", "Decreto n. 1"); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Errorf("other tenant: %v", err)
		}
	})
	t.Run("NeedsReasonAndAct", func(t *testing.T) {
		_, err := regs.AnnulRegistration(A.AsUser(records), r.ID, "", "")
		if fe := procedo.FieldErrorsOf(err); fe["reason"] == "" || fe["act"] == "" {
			t.Fatalf("%v", err)
		}
	})
	t.Run("Correct", func(t *testing.T) {
		cls := "I.6"
		got, err := regs.CorrectRegistration(A.AsUser(A.Registry), r.ID, procedo.RegistrationCorrection{Classification: &cls, Reason: "classificazione errata"})
		if err != nil || got.Classification != "I.6" {
			t.Fatalf("%v %v", got, err)
		}
		hist, _ := regs.FindRegistrationHistory(A.AsUser(A.Registry), r.ID)
		last := hist[len(hist)-1]
		if last.Kind != "corrected" || last.Field != "classification" || last.OldValue != "" || last.NewValue != "I.6" || last.Actor != "user:protocollo" {
			t.Fatalf("%+v", last)
		}
	})
	t.Run("Annul", func(t *testing.T) {
		got, err := regs.AnnulRegistration(A.AsUser(records), r.ID, "Registrato due volte", "Autorizzazione prot. 45/2026")
		if err != nil || !got.Annulled() {
			t.Fatalf("%v %v", got, err)
		}
		again, err := regs.FindRegistrationByID(A.AsUser(A.Registry), r.ID)
		if err != nil || again.Number != r.Number || again.Subject != "Da annullare" || again.AnnulAct != "Autorizzazione prot. 45/2026" {
			t.Fatalf("annulled entry not readable: %+v %v", again, err)
		}
		if _, err := regs.AnnulRegistration(A.AsUser(records), r.ID, "x", "y"); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("annulled twice: %v", err)
		}
		if err := testkit.Exec(env.DB, `UPDATE registrations SET annulled_at = NULL WHERE id = ?`, r.ID); err == nil {
			t.Fatal("the database allowed undoing an annulment")
		}
		list, _, err := regs.FindRegistrations(A.AsUser(A.Registry), procedo.RegistrationFilter{Annulled: ptr(true)})
		if err != nil || len(list) != 1 {
			t.Fatalf("annulled filter: %v %v", list, err)
		}
	})
}

func TestRegistrationService_Search(t *testing.T) {
	env := testkit.NewEnv(t)
	regs := sqlstore.NewRegistrationService(env.DB)
	A := env.A
	ctx := A.AsUser(A.Registry)
	for _, s := range []struct {
		subject, who, cls string
		dir               procedo.Direction
	}{
		{"Richieste di accesso agli atti del cantiere", "Mario Bianchi", "I.6", procedo.DirectionIncoming},
		{"Autorizzazione paesaggistica per la villa comunale", "Soprintendenza", "VI.3", procedo.DirectionOutgoing},
		{"Convocazione della commissione edilizia", "Ufficio Tecnico", "VI.3", procedo.DirectionInternal},
	} {
		in := &procedo.RegistrationInput{Direction: s.dir, Subject: s.subject, Classification: s.cls,
			Correspondents: []procedo.Correspondent{{Name: s.who}}}
		if _, err := regs.RegisterEntry(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	today := procedo.DateOf(time.Now())
	tomorrow := today.AddDays(1)
	for _, tc := range []struct {
		name string
		f    procedo.RegistrationFilter
		want int
	}{
		{"StemSingularFindsPlural", procedo.RegistrationFilter{Query: "richiesta"}, 1},
		{"StemVerbForm", procedo.RegistrationFilter{Query: "autorizzazioni"}, 1},
		{"TwoWords", procedo.RegistrationFilter{Query: "commissione edilizia"}, 1},
		{"AdjectivePlural", procedo.RegistrationFilter{Query: "paesaggistiche"}, 1},
		{"NoMatch", procedo.RegistrationFilter{Query: "fognatura"}, 0},
		{"SymbolsOnly", procedo.RegistrationFilter{Query: `"*)(`}, 3},
		{"Correspondent", procedo.RegistrationFilter{Correspondent: "soprintendenza"}, 1},
		{"CorrespondentCase", procedo.RegistrationFilter{Correspondent: "SOPRINTENDENZA"}, 1},
		{"ClassificationWithSubclasses", procedo.RegistrationFilter{Classification: ptr("VI")}, 2},
		{"Classification", procedo.RegistrationFilter{Classification: ptr("VI.3")}, 2},
		{"Direction", procedo.RegistrationFilter{Direction: ptr(procedo.DirectionOutgoing)}, 1},
		{"Today", procedo.RegistrationFilter{From: &today, To: &today}, 3},
		{"Tomorrow", procedo.RegistrationFilter{From: &tomorrow}, 0},
		{"NotAnnulled", procedo.RegistrationFilter{Annulled: ptr(false)}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list, total, err := regs.FindRegistrations(ctx, tc.f)
			if err != nil || total != tc.want || len(list) != tc.want {
				t.Fatalf("got %d (%d listed), want %d: %v", total, len(list), tc.want, err)
			}
		})
	}
	t.Run("OtherTenantSeesNothing", func(t *testing.T) {
		_, total, err := regs.FindRegistrations(env.B.AsUser(env.B.Registry), procedo.RegistrationFilter{Query: "richiesta"})
		if err != nil || total != 0 {
			t.Fatalf("%d %v", total, err)
		}
	})
}

func TestRegistrationService_ReservedAndAssignments(t *testing.T) {
	env := testkit.NewEnv(t)
	regs := sqlstore.NewRegistrationService(env.DB)
	A := env.A
	other := &procedo.OrgUnit{Code: "TEC", Name: "Ufficio Tecnico"}
	if err := sqlstore.NewOrgUnitService(env.DB).CreateOrgUnit(A.As(procedo.SystemActor), other); err != nil {
		t.Fatal(err)
	}
	tecnico := &procedo.User{Username: "tecnico", Roles: []procedo.Role{procedo.RoleOperator}, OrgUnitID: &other.ID}
	if err := sqlstore.NewUserService(env.DB).CreateUser(A.As(procedo.SystemActor), tecnico, testkit.Password); err != nil {
		t.Fatal(err)
	}
	in := incoming("Segnalazione riservata")
	in.Reserved = true
	in.ActionOffice = &A.Office.ID
	r, err := regs.RegisterEntry(A.AsUser(A.Registry), in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := regs.FindRegistrationByID(A.AsUser(tecnico), r.ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
		t.Fatalf("another office read a reserved entry: %v", err)
	}
	if _, err := regs.FindRegistrationByID(A.AsUser(A.Operator), r.ID); err != nil {
		t.Fatalf("the assigned office cannot read it: %v", err)
	}
	pending, err := regs.FindAssignments(A.AsUser(A.Operator), 0, &A.Office.ID, procedo.AssignmentPending)
	if err != nil || len(pending) != 1 || pending[0].Registration == nil {
		t.Fatalf("%v %v", pending, err)
	}
	if err := regs.AcceptAssignment(A.AsUser(tecnico), pending[0].ID); procedo.ErrorCode(err) != procedo.EFORBIDDEN {
		t.Fatalf("another office accepted: %v", err)
	}
	if err := regs.ReturnAssignment(A.AsUser(A.Operator), pending[0].ID, ""); procedo.FieldErrorsOf(err)["reason"] == "" {
		t.Fatalf("return without reason: %v", err)
	}
	if err := regs.ReturnAssignment(A.AsUser(A.Operator), pending[0].ID, "Non è di competenza della Segreteria"); err != nil {
		t.Fatal(err)
	}
	if err := regs.AcceptAssignment(A.AsUser(A.Operator), pending[0].ID); procedo.ErrorCode(err) != procedo.ECONFLICT {
		t.Fatalf("decided twice: %v", err)
	}
	if err := regs.AcceptAssignment(env.B.AsUser(env.B.Operator), pending[0].ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
		t.Fatalf("other tenant: %v", err)
	}
}

func TestVerify_DetectsTampering(t *testing.T) {
	env := testkit.NewEnv(t)
	regs := sqlstore.NewRegistrationService(env.DB)
	A := env.A
	in := incoming("Documento originale")
	in.Main = mustUpload(t, env.DB, A.Tenant.ID, "originale.pdf", "%PDF-1.4 originale")
	r, err := regs.RegisterEntry(A.AsUser(A.Registry), in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := regs.RegisterEntry(A.AsUser(A.Registry), incoming("Secondo")); err != nil {
		t.Fatal(err)
	}
	if ps, err := env.DB.Verify(context.Background(), ""); err != nil || len(ps) != 0 {
		t.Fatalf("clean database: %v %v", ps, err)
	}
	t.Run("File", func(t *testing.T) {
		if err := testkit.TamperBlob(env.DB, A.Tenant.ID, in.Main.SHA256, []byte("%PDF-1.4 falsificato")); err != nil {
			t.Fatal(err)
		}
		ps, err := env.DB.Verify(context.Background(), "comune-a")
		if err != nil || len(ps) != 1 || ps[0].Kind != "document" {
			t.Fatalf("%v %v", ps, err)
		}
	})
	t.Run("Row", func(t *testing.T) {
		// An attacker with database access drops the trigger and edits the oggetto.
		if err := testkit.DisableImmutability(env.DB); err != nil {
			t.Fatal(err)
		}
		if err := testkit.Exec(env.DB, `UPDATE registrations SET subject = 'Documento modificato' WHERE id = ?`, r.ID); err != nil {
			t.Fatal(err)
		}
		ps, err := env.DB.Verify(context.Background(), "comune-a")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range ps {
			found = found || (p.Kind == "chain" && bytes.Contains([]byte(p.Detail), []byte("altered")))
		}
		if !found {
			t.Fatalf("row tampering not found: %v", ps)
		}
		if ps, _ := env.DB.Verify(context.Background(), "comune-b"); len(ps) != 0 {
			t.Fatalf("comune-b is clean: %v", ps)
		}
	})
}
