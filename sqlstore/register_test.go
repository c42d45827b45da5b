// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
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

// TestRegistrationService_SearchMatchesScan checks that the planned searches
// (the full-text index driving the scan, id bounds derived from dates and
// years, the time-ordered index) return exactly what a plain scan of every
// registration, filtered here in Go, returns: same rows, same order, same total.
// Two tenants register alternately across a year boundary, several entries
// sharing a time, so ids and times of the tenants interleave; some entries are
// reclassified and some annulled afterwards.
func TestRegistrationService_SearchMatchesScan(t *testing.T) {
	env := testkit.NewEnv(t)
	regs := sqlstore.NewRegistrationService(env.DB)
	var mu sync.Mutex
	now := time.Date(2025, 12, 29, 9, 0, 0, 0, procedo.Rome)
	env.DB.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	records := map[*testkit.Comune]*procedo.User{}
	for _, c := range []*testkit.Comune{env.A, env.B} {
		u := &procedo.User{Username: "archivio", Roles: []procedo.Role{procedo.RoleRecords}}
		if err := sqlstore.NewUserService(env.DB).CreateUser(c.As(procedo.SystemActor), u, testkit.Password); err != nil {
			t.Fatal(err)
		}
		records[c] = u
	}
	for _, c := range []*testkit.Comune{env.A, env.B} { // a third level under VI.3
		if err := sqlstore.NewClassificationService(env.DB).CreateClassification(c.AsUser(c.Admin),
			&procedo.Classification{Code: "VI.3.1", ParentCode: "VI", Title: "Permessi di costruire"}); err != nil {
			t.Fatal(err)
		}
	}
	words := []string{"autorizzazione", "scarico", "cantiere", "mensa", "tributi", "ricorso"}
	names := []string{"Mario Rossi", "Lucia Verdi", "Soprintendenza", "Ditta Edil Sud"}
	classes := []string{"I.6", "VI.1", "VI.3", "VI.3.1", "XI.2", ""}
	dirs := []procedo.Direction{procedo.DirectionIncoming, procedo.DirectionOutgoing}
	rnd := rand.New(rand.NewPCG(3, 4))
	stored := map[*testkit.Comune][]*procedo.Registration{}
	for i := range 240 {
		c := env.A
		if i%3 == 2 {
			c = env.B
		}
		subject := make([]string, 1+rnd.IntN(3))
		for j := range subject {
			subject[j] = words[rnd.IntN(len(words))]
		}
		in := &procedo.RegistrationInput{Direction: dirs[rnd.IntN(2)], Subject: strings.Join(subject, " "),
			Correspondents: []procedo.Correspondent{{Name: names[rnd.IntN(len(names))]}}, Classification: classes[rnd.IntN(len(classes))]}
		r, err := regs.RegisterEntry(c.AsUser(c.Registry), in)
		if err != nil {
			t.Fatal(err)
		}
		if i%5 == 0 { // corrected classification: the index follows
			cls := classes[rnd.IntN(len(classes))]
			if cls != r.Classification {
				if r, err = regs.CorrectRegistration(c.AsUser(c.Registry), r.ID, procedo.RegistrationCorrection{Classification: &cls,
					Reason: "Classificazione errata"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if i%7 == 0 {
			if r, err = regs.AnnulRegistration(c.AsUser(records[c]), r.ID, "Registrata per errore", "Autorizzazione n. 1"); err != nil {
				t.Fatal(err)
			}
		}
		stored[c] = append(stored[c], r)
		if i%2 == 1 { // entries in pairs share their time
			mu.Lock()
			now = now.Add(5 * time.Hour)
			mu.Unlock()
		}
	}
	// scan is the meaning of each filter field, applied to one registration.
	hasWords := func(r *procedo.Registration, q string) bool {
		have := strings.Fields(strings.ToLower(r.Subject + " " + r.Correspondents[0].Name))
		for _, w := range strings.Fields(strings.ToLower(q)) {
			if !slices.Contains(have, w) {
				return false
			}
		}
		return true
	}
	scan := func(r *procedo.Registration, f procedo.RegistrationFilter) bool {
		d := procedo.DateOf(r.RegisteredAt)
		cls := ""
		if f.Classification != nil {
			cls = *f.Classification
		}
		return (f.Year == nil || r.Year == *f.Year) && (f.Number == nil || r.Number == *f.Number) &&
			(f.Direction == nil || r.Direction == *f.Direction) && (f.From == nil || !d.Before(*f.From)) &&
			(f.To == nil || !f.To.Before(d)) && hasWords(r, f.Query) && hasWords(r, f.Correspondent) &&
			(cls == "" || r.Classification == cls || strings.HasPrefix(r.Classification, cls+".")) &&
			(f.Annulled == nil || r.Annulled() == *f.Annulled)
	}
	date := func(y int, m time.Month, d int) *procedo.Date { v := procedo.NewDate(y, m, d); return &v }
	year := func(y int) *int { return &y }
	out, in := procedo.DirectionOutgoing, procedo.DirectionIncoming
	filters := []struct {
		name string
		f    procedo.RegistrationFilter
	}{
		{"All", procedo.RegistrationFilter{}},
		{"Word", procedo.RegistrationFilter{Query: "autorizzazione"}},
		{"TwoWords", procedo.RegistrationFilter{Query: "scarico mensa"}},
		{"NoMatch", procedo.RegistrationFilter{Query: "fognatura"}},
		{"WordClassification", procedo.RegistrationFilter{Query: "cantiere", Classification: ptr("VI")}},
		{"WordDirection", procedo.RegistrationFilter{Query: "tributi", Direction: &out}},
		{"WordAcrossNewYear", procedo.RegistrationFilter{Query: "ricorso", From: date(2025, 12, 31), To: date(2026, 1, 4)}},
		{"WordFrom", procedo.RegistrationFilter{Query: "mensa", From: date(2026, 1, 10)}},
		{"WordTo", procedo.RegistrationFilter{Query: "mensa", To: date(2026, 1, 2)}},
		{"WordOneDay", procedo.RegistrationFilter{Query: "scarico", From: date(2026, 1, 5), To: date(2026, 1, 5)}},
		{"WordFuture", procedo.RegistrationFilter{Query: "scarico", From: date(2027, 1, 1)}},
		{"WordPast", procedo.RegistrationFilter{Query: "scarico", To: date(2024, 1, 1)}},
		{"WordYear2025", procedo.RegistrationFilter{Query: "autorizzazione", Year: year(2025)}},
		{"WordYear2026", procedo.RegistrationFilter{Query: "autorizzazione", Year: year(2026)}},
		{"WordYearAndRange", procedo.RegistrationFilter{Query: "cantiere", Year: year(2026), To: date(2026, 1, 8)}},
		{"Year2025", procedo.RegistrationFilter{Year: year(2025)}},
		{"Year2026Outgoing", procedo.RegistrationFilter{Year: year(2026), Direction: &out}},
		{"Year2024", procedo.RegistrationFilter{Year: year(2024)}},
		{"Number", procedo.RegistrationFilter{Year: year(2026), Number: year(5)}},
		{"RangeIncoming", procedo.RegistrationFilter{From: date(2026, 1, 3), To: date(2026, 1, 9), Direction: &in}},
		{"Correspondent", procedo.RegistrationFilter{Correspondent: "Rossi", Direction: &in}},
		{"CorrespondentAndWord", procedo.RegistrationFilter{Correspondent: "soprintendenza", Query: "ricorso"}},
		{"CorrespondentRange", procedo.RegistrationFilter{Correspondent: "verdi", From: date(2026, 1, 1)}},
		{"Classification", procedo.RegistrationFilter{Classification: ptr("VI.3")}},
		{"ClassificationTitle", procedo.RegistrationFilter{Classification: ptr("VI")}},
		{"ClassificationLeaf", procedo.RegistrationFilter{Classification: ptr("VI.3.1")}},
		{"ClassificationUnknown", procedo.RegistrationFilter{Classification: ptr("XIV.9")}},
		{"ClassificationWordYear", procedo.RegistrationFilter{Classification: ptr("VI.3"), Query: "scarico", Year: year(2026)}},
		{"ClassificationRange", procedo.RegistrationFilter{Classification: ptr("I"), From: date(2026, 1, 2), To: date(2026, 1, 12)}},
		{"ClassificationCorrespondent", procedo.RegistrationFilter{Classification: ptr("XI.2"), Correspondent: "lucia"}},
		{"NumberAndClassification", procedo.RegistrationFilter{Year: year(2025), Number: year(3), Classification: ptr("VI")}},
		{"Annulled", procedo.RegistrationFilter{Annulled: ptr(true)}},
		{"NotAnnulledWord", procedo.RegistrationFilter{Annulled: ptr(false), Query: "tributi"}},
	}
	for _, w := range words { // the number's oggetto has some of them
		filters = append(filters, struct {
			name string
			f    procedo.RegistrationFilter
		}{"NumberAndWord/" + w, procedo.RegistrationFilter{Year: year(2026), Number: year(7), Query: w}})
	}
	for _, c := range []*testkit.Comune{env.A, env.B} {
		ctx := c.AsUser(c.Registry)
		for _, tc := range filters {
			t.Run(c.Tenant.Slug+"/"+tc.name, func(t *testing.T) {
				var want []int64
				for i := len(stored[c]) - 1; i >= 0; i-- { // newest first
					if r := stored[c][i]; scan(r, tc.f) {
						want = append(want, r.ID)
					}
				}
				f := tc.f
				f.Limit = 500
				list, total, err := regs.FindRegistrations(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, r := range list {
					got = append(got, r.ID)
				}
				if total != len(want) || !slices.Equal(got, want) {
					t.Fatalf("total %d, ids %v; the scan finds %d, ids %v", total, got, len(want), want)
				}
				f.Limit, f.Offset = 4, 3
				page, _, err := regs.FindRegistrations(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				got = got[:0]
				for _, r := range page {
					got = append(got, r.ID)
				}
				if w := want[min(3, len(want)):min(7, len(want))]; !slices.Equal(got, w) {
					t.Fatalf("page 2 of 4: %v, want %v", got, w)
				}
			})
		}
	}
}

// TestRegistrationService_ImportOnce checks that an entry of another AOO is
// registered once per tenant: again, in other letter case, or by concurrent
// imports, it is ECONFLICT and takes no number.
func TestRegistrationService_ImportOnce(t *testing.T) {
	env := testkit.NewEnv(t)
	regs := sqlstore.NewRegistrationService(env.DB)
	A, B := env.A, env.B
	imported := func(number int, ipa, aoo string) *procedo.RegistrationInput {
		in := incoming("Trasmissione del parere")
		in.Channel = "interoperabilita"
		in.SenderProtocol = procedo.FormatProtocolNumber(number)
		in.SenderProtocolDate = procedo.NewDate(2026, 3, 2)
		in.Sender = &procedo.SenderEntry{IPACode: ipa, AOOCode: aoo, Register: "PG", Number: number, Date: procedo.NewDate(2026, 3, 2)}
		return in
	}
	first, err := regs.RegisterEntry(A.AsUser(A.Registry), imported(7, "r_veneto", "AOO_GIUNTA"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   *procedo.RegistrationInput
	}{
		{"Again", imported(7, "r_veneto", "AOO_GIUNTA")},
		{"OtherCase", imported(7, "R_VENETO", "aoo_giunta")},
	} {
		t.Run("Err"+tc.name, func(t *testing.T) {
			_, err := regs.RegisterEntry(A.AsUser(A.Registry), tc.in)
			if procedo.ErrorCode(err) != procedo.ECONFLICT || !strings.Contains(procedo.ErrorMessage(err), first.NumberString()) {
				t.Fatalf("%v", err)
			}
		})
	}
	t.Run("ErrNotIncoming", func(t *testing.T) {
		in := imported(8, "r_veneto", "AOO_GIUNTA")
		in.Direction, in.SenderProtocol = procedo.DirectionOutgoing, ""
		if _, err := regs.RegisterEntry(A.AsUser(A.Registry), in); procedo.FieldErrorsOf(err)["sender_protocol"] == "" {
			t.Fatalf("%v", err)
		}
	})
	t.Run("OtherEntryOrTenant", func(t *testing.T) {
		for _, tc := range []struct {
			c  *testkit.Comune
			in *procedo.RegistrationInput
		}{
			{A, imported(8, "r_veneto", "AOO_GIUNTA")},
			{A, imported(7, "r_veneto", "AOO_CONSIGLIO")},
			{B, imported(7, "r_veneto", "AOO_GIUNTA")},
		} {
			if _, err := regs.RegisterEntry(tc.c.AsUser(tc.c.Registry), tc.in); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		_, before, err := regs.FindRegistrations(A.AsUser(A.Registry), procedo.RegistrationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = regs.RegisterEntry(A.AsUser(A.Registry), imported(9, "r_veneto", "AOO_GIUNTA"))
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case procedo.ErrorCode(err) != procedo.ECONFLICT:
				t.Fatalf("%v", err)
			}
		}
		list, after, err := regs.FindRegistrations(A.AsUser(A.Registry), procedo.RegistrationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if ok != 1 || after != before+1 {
			t.Fatalf("%d imports succeeded, %d entries added; want 1 and 1", ok, after-before)
		}
		for i := 1; i < len(list); i++ { // newest first, gap-free
			if list[i-1].Number != list[i].Number+1 {
				t.Fatalf("numbers %d then %d", list[i-1].Number, list[i].Number)
			}
		}
	})
	// Once its registration is annulled, the same document may be imported
	// again, once; the annulled entry keeps its sender, which nobody can
	// change or release twice.
	t.Run("AgainAfterAnnulment", func(t *testing.T) {
		records := &procedo.User{ID: A.Registry.ID, TenantID: A.Tenant.ID, Username: "archivista", FullName: "Archivista",
			Roles: []procedo.Role{procedo.RoleRecords}}
		if _, err := regs.AnnulRegistration(A.AsUser(records), first.ID, "Registrato con il documento sbagliato", "Provvedimento n. 3/2026"); err != nil {
			t.Fatal(err)
		}
		again, err := regs.RegisterEntry(A.AsUser(A.Registry), imported(7, "r_veneto", "AOO_GIUNTA"))
		if err != nil {
			t.Fatalf("import after annulment: %v", err)
		}
		_, err = regs.RegisterEntry(A.AsUser(A.Registry), imported(7, "r_veneto", "AOO_GIUNTA"))
		if procedo.ErrorCode(err) != procedo.ECONFLICT || !strings.Contains(procedo.ErrorMessage(err), again.NumberString()) {
			t.Fatalf("third import: %v", err)
		}
		for _, q := range []string{
			`UPDATE registration_imports SET sender_number = 70 WHERE registration_id = ?`,
			`UPDATE registration_imports SET released_at = NULL WHERE registration_id = ?`,
			`DELETE FROM registration_imports WHERE registration_id = ?`,
		} {
			if err := testkit.Exec(env.DB, q, first.ID); err == nil {
				t.Errorf("%s: allowed", q)
			}
		}
	})
}

// TestRegistrationService_ReassignRegistration checks that the registry desk
// gives a registration returned by its office to another office, keeping the
// returned assignment, and that nobody else can, nor on an entry that was not
// returned.
func TestRegistrationService_ReassignRegistration(t *testing.T) {
	env := testkit.NewEnv(t)
	regs := sqlstore.NewRegistrationService(env.DB)
	A, B := env.A, env.B
	sys := A.As(procedo.SystemActor)
	offices := map[string]*procedo.OrgUnit{}
	users := map[string]*procedo.User{}
	for _, code := range []string{"TEC", "TRIB"} {
		o := &procedo.OrgUnit{Code: code, Name: "Ufficio " + code}
		if err := sqlstore.NewOrgUnitService(env.DB).CreateOrgUnit(sys, o); err != nil {
			t.Fatal(err)
		}
		u := &procedo.User{Username: strings.ToLower(code), Roles: []procedo.Role{procedo.RoleOperator}, OrgUnitID: &o.ID}
		if err := sqlstore.NewUserService(env.DB).CreateUser(sys, u, testkit.Password); err != nil {
			t.Fatal(err)
		}
		offices[code], users[code] = o, u
	}
	records := &procedo.User{Username: "archivio", Roles: []procedo.Role{procedo.RoleRecords}}
	if err := sqlstore.NewUserService(env.DB).CreateUser(sys, records, testkit.Password); err != nil {
		t.Fatal(err)
	}
	desk := A.AsUser(A.Registry)
	register := func(office *int64) *procedo.Registration {
		in := incoming("Richiesta di occupazione di suolo pubblico")
		in.ActionOffice = office
		in.InfoOffices = []int64{offices["TRIB"].ID}
		r, err := regs.RegisterEntry(desk, in)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	returnIt := func(r *procedo.Registration, u *procedo.User, office int64) {
		t.Helper()
		list, err := regs.FindAssignments(A.AsUser(u), r.ID, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.OrgUnitID == office && x.Status == procedo.AssignmentPending {
				if err := regs.ReturnAssignment(A.AsUser(u), x.ID, "Non è di nostra competenza"); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		t.Fatalf("no pending assignment of office %d in %+v", office, list)
	}
	r := register(&A.Office.ID)
	t.Run("ErrNotReturned", func(t *testing.T) {
		if err := regs.ReassignRegistration(desk, r.ID, offices["TEC"].ID, ""); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("%v", err)
		}
	})
	returnIt(r, A.Operator, A.Office.ID)
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		id     int64
		office int64
		code   string
		field  string
	}{
		{"ErrOperator", A.AsUser(A.Operator), r.ID, offices["TEC"].ID, procedo.EFORBIDDEN, ""},
		{"ErrRecords", A.AsUser(records), r.ID, offices["TEC"].ID, procedo.EFORBIDDEN, ""},
		{"ErrOtherTenant", B.AsUser(B.Registry), r.ID, B.Office.ID, procedo.ENOTFOUND, ""},
		{"ErrOtherTenantsOffice", desk, r.ID, B.Office.ID, procedo.EINVALID, "office"},
		{"ErrUnknownOffice", desk, r.ID, 999999, procedo.EINVALID, "office"},
		{"ErrOfficeThatReturnedIt", desk, r.ID, A.Office.ID, procedo.EINVALID, "office"},
		{"ErrOfficeInformed", desk, r.ID, offices["TRIB"].ID, procedo.EINVALID, "office"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := regs.ReassignRegistration(tc.ctx, tc.id, tc.office, "")
			if procedo.ErrorCode(err) != tc.code || tc.field != "" && procedo.FieldErrorsOf(err)[tc.field] == "" {
				t.Fatalf("%v", err)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		if err := regs.ReassignRegistration(desk, r.ID, offices["TEC"].ID, "Competenza dell'ufficio tecnico"); err != nil {
			t.Fatal(err)
		}
		got, err := regs.FindRegistrationByID(desk, r.ID)
		if err != nil || got.OrgUnitID == nil || *got.OrgUnitID != offices["TEC"].ID {
			t.Fatalf("office for action %v: %v", got.OrgUnitID, err)
		}
		list, err := regs.FindAssignments(desk, r.ID, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		status := map[int64]string{}
		for _, x := range list {
			status[x.OrgUnitID] = x.Kind + "/" + x.Status
		}
		if len(list) != 3 || status[A.Office.ID] != "competenza/returned" || status[offices["TEC"].ID] != "competenza/pending" ||
			status[offices["TRIB"].ID] != "conoscenza/pending" {
			t.Fatalf("assignments %v", status)
		}
		history, err := regs.FindRegistrationHistory(desk, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := history[len(history)-1]
		if last.Kind != "assigned" || last.Field != procedo.AssignmentAction || last.NewValue != fmt.Sprint(offices["TEC"].ID) ||
			last.Reason != "Competenza dell'ufficio tecnico" || last.ActorName == "" {
			t.Fatalf("history %+v", last)
		}
		// Pending again: nothing to reassign until the new office answers.
		if err := regs.ReassignRegistration(desk, r.ID, offices["TRIB"].ID, ""); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("reassigned a pending entry: %v", err)
		}
		inbox, err := regs.FindAssignments(A.AsUser(users["TEC"]), 0, &offices["TEC"].ID, procedo.AssignmentPending)
		if err != nil || len(inbox) != 1 || inbox[0].RegistrationID != r.ID {
			t.Fatalf("the new office's inbox %v %v", inbox, err)
		}
		if err := regs.AcceptAssignment(A.AsUser(users["TEC"]), inbox[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := regs.ReassignRegistration(desk, r.ID, offices["TRIB"].ID, ""); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("reassigned an accepted entry: %v", err)
		}
	})
	t.Run("ErrNeverAssigned", func(t *testing.T) {
		if err := regs.ReassignRegistration(desk, register(nil).ID, offices["TEC"].ID, ""); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("%v", err)
		}
	})
	t.Run("ErrAnnulled", func(t *testing.T) {
		r := register(&A.Office.ID)
		returnIt(r, A.Operator, A.Office.ID)
		if _, err := regs.AnnulRegistration(A.AsUser(records), r.ID, "Doppia registrazione", "Autorizzazione n. 3"); err != nil {
			t.Fatal(err)
		}
		if err := regs.ReassignRegistration(desk, r.ID, offices["TEC"].ID, ""); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("%v", err)
		}
	})
}
