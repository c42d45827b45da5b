// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"context"
	"os"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

func TestMigrations_SameNamesOnBothDialects(t *testing.T) {
	lite, err := sqlstore.Migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := sqlstore.Migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	names := func(ms []sqlstore.Migration) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Name)
		}
		return out
	}
	if !slices.Equal(names(lite), names(pg)) {
		t.Fatalf("migration folders differ:\nsqlite:   %v\npostgres: %v", names(lite), names(pg))
	}
	if len(lite) == 0 {
		t.Fatal("no migrations")
	}
}

func TestMigrate_Idempotent(t *testing.T) {
	db := testkit.OpenDB(t)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, err := db.SchemaVersion(context.Background())
	if err != nil || v < 1 {
		t.Fatalf("version %d, %v", v, err)
	}
}

func TestTitolario_MatchesStandard(t *testing.T) {
	dir := os.Getenv("PROCEDO_STANDARDS")
	if dir == "" {
		dir = "../../shared/standards"
	}
	want, err := os.ReadFile(dir + "/titolario-comuni/titolario_comuni_2005.csv")
	if err != nil {
		t.Skipf("standards folder not found (%v): set PROCEDO_STANDARDS", err)
	}
	got, err := os.ReadFile("data/titolario_comuni_2005.csv")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatal("embedded titolario differs from the shared standard")
	}
}

func TestTenantService(t *testing.T) {
	env := testkit.NewEnv(t)
	ctx := context.Background()
	ts := sqlstore.NewTenantService(env.DB)
	t.Run("FindByHost", func(t *testing.T) {
		got, err := ts.FindTenantByHost(ctx, "B.TEST")
		if err != nil || got.ID != env.B.Tenant.ID {
			t.Fatalf("got %v, %v", got, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := ts.FindTenantBySlug(ctx, "nessuno"); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		err := ts.CreateTenant(ctx, &procedo.Tenant{Slug: "comune-a", Name: "Doppio"})
		if procedo.ErrorCode(err) != procedo.EINVALID {
			t.Fatalf("got %v", err)
		}
		err = ts.CreateTenant(ctx, &procedo.Tenant{Slug: "comune-c", Name: "C", Hosts: []string{"a.test"}})
		if procedo.ErrorCode(err) != procedo.EINVALID {
			t.Fatalf("got %v", err)
		}
		if _, err := ts.FindTenantBySlug(ctx, "comune-c"); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("half-created tenant left behind: %v", err)
		}
	})
	t.Run("Register", func(t *testing.T) {
		reg, _, err := ts.FindRegister(env.A.As(procedo.SystemActor))
		if err != nil || reg.Code != "PG" {
			t.Fatalf("got %v, %v", reg, err)
		}
	})
}

func TestUserService_Authenticate(t *testing.T) {
	env := testkit.NewEnv(t)
	users := sqlstore.NewUserService(env.DB)
	ctx := env.A.As(nil)
	t.Run("OK", func(t *testing.T) {
		u, err := users.Authenticate(ctx, "operatore", testkit.Password, "10.0.0.1")
		if err != nil || u.ID != env.A.Operator.ID {
			t.Fatalf("got %v, %v", u, err)
		}
	})
	t.Run("OtherTenant", func(t *testing.T) {
		// Comune B has its own "operatore": the same credentials give B's user, never A's.
		u, err := users.Authenticate(env.B.As(nil), "operatore", testkit.Password, "10.0.0.1")
		if err != nil || u.TenantID != env.B.Tenant.ID {
			t.Fatalf("got %v, %v", u, err)
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		if _, err := users.Authenticate(ctx, "operatore", "sbagliata", "10.0.0.2"); procedo.ErrorCode(err) != procedo.EUNAUTHORIZED {
			t.Fatalf("got %v", err)
		}
		if _, err := users.Authenticate(ctx, "nessuno", "sbagliata", "10.0.0.2"); procedo.ErrorCode(err) != procedo.EUNAUTHORIZED {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("RateLimited", func(t *testing.T) {
		for i := 0; i < 5; i++ {
			_, _ = users.Authenticate(ctx, "dirigente", "sbagliata", "10.0.0.3")
		}
		// Even the right password is refused now.
		if _, err := users.Authenticate(ctx, "dirigente", testkit.Password, "10.0.0.3"); procedo.ErrorCode(err) != procedo.ETOOMANY {
			t.Fatalf("got %v", err)
		}
		// The same username in the other tenant is not affected.
		if _, err := users.Authenticate(env.B.As(nil), "dirigente", testkit.Password, "10.0.0.3"); err != nil {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("Audit", func(t *testing.T) {
		evs, _, err := sqlstore.NewAuditService(env.DB).FindAuditEvents(env.A.AsUser(env.A.Admin), procedo.AuditFilter{Action: ptr("login.failed")})
		if err != nil || len(evs) < 6 {
			t.Fatalf("got %d events, %v", len(evs), err)
		}
	})
}

func TestUserService_CreateUser(t *testing.T) {
	env := testkit.NewEnv(t)
	users := sqlstore.NewUserService(env.DB)
	t.Run("ErrForbidden", func(t *testing.T) {
		err := users.CreateUser(env.A.AsUser(env.A.Operator), &procedo.User{Username: "nuovo", Roles: []procedo.Role{procedo.RoleAdmin}}, testkit.Password)
		if procedo.ErrorCode(err) != procedo.EFORBIDDEN {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		err := users.CreateUser(env.A.AsUser(env.A.Admin), &procedo.User{Username: "X!", Roles: nil}, "corta")
		fe := procedo.FieldErrorsOf(err)
		if fe["username"] == "" || fe["roles"] == "" || fe["password"] == "" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("OfficeOfOtherTenant", func(t *testing.T) {
		err := users.CreateUser(env.A.AsUser(env.A.Admin), &procedo.User{Username: "intruso", Roles: []procedo.Role{procedo.RoleOperator},
			OrgUnitID: &env.B.Office.ID}, testkit.Password)
		if procedo.FieldErrorsOf(err)["org_unit"] == "" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("Token", func(t *testing.T) {
		tok, err := users.CreateToken(env.A.AsUser(env.A.Admin), env.A.Operator.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		u, tn, err := users.FindUserByToken(context.Background(), tok)
		if err != nil || u.ID != env.A.Operator.ID || tn.ID != env.A.Tenant.ID {
			t.Fatalf("got %v %v %v", u, tn, err)
		}
		if _, err := users.CreateToken(env.A.AsUser(env.A.Admin), env.B.Operator.ID, "x"); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("token for another tenant's user: %v", err)
		}
		disabled := true
		if _, err := users.UpdateUser(env.A.AsUser(env.A.Admin), env.A.Operator.ID, procedo.UserUpdate{Disabled: &disabled}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := users.FindUserByToken(context.Background(), tok); procedo.ErrorCode(err) != procedo.EUNAUTHORIZED {
			t.Fatalf("disabled user's token still works: %v", err)
		}
	})
}

func TestApplicationService_SubmitApplication(t *testing.T) {
	env := testkit.NewEnv(t)
	apps := sqlstore.NewApplicationService(env.DB)
	t.Run("OK", func(t *testing.T) {
		r := testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
		if r.Registration.Number != 1 || r.Registration.NumberString() != "0000001" || r.Registration.Direction != "E" {
			t.Errorf("registration %+v", r.Registration)
		}
		if r.Case.TermDays != 30 || r.Case.DueDate.IsZero() || r.Case.Status != procedo.CaseSubmitted {
			t.Errorf("case %+v", r.Case)
		}
		want := procedo.DueDate(procedo.DateOf(r.Registration.RegisteredAt), 30, procedo.Calendar{PatronDay: "06-13"})
		if r.Case.DueDate != want {
			t.Errorf("due %v, want %v", r.Case.DueDate, want)
		}
		if len(r.Application.Documents) != 2 {
			t.Errorf("documents %d", len(r.Application.Documents))
		}
		if r.Registration.ChainHash != r.Registration.ComputeChainHash("") {
			t.Error("chain hash")
		}
		msgs, _, err := sqlstore.NewOutboxService(env.DB).FindMailMessages(env.A.As(procedo.SystemActor), procedo.MailFilter{})
		if err != nil || len(msgs) != 1 || msgs[0].To != "mario.rossi@example.it" {
			t.Fatalf("outbox %v %v", msgs, err)
		}
		r2 := testkit.MustSubmit(t, env.DB, env.A, testkit.Lucia)
		if r2.Registration.Number != 2 || r2.Registration.PrevHash != r.Registration.ChainHash {
			t.Errorf("second registration %+v", r2.Registration)
		}
		// Comune B numbers on its own.
		r3 := testkit.MustSubmit(t, env.DB, env.B, testkit.Mario)
		if r3.Registration.Number != 1 {
			t.Errorf("B's first number %d", r3.Registration.Number)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		ctx := env.A.AsCitizen(testkit.Mario)
		before := countRows(t, env.DB, "registrations")
		_, err := apps.SubmitApplication(ctx, env.A.Version.ID, map[string]string{"email": "non-una-mail", "modalita": "volare"}, nil)
		fe := procedo.FieldErrorsOf(err)
		if fe["email"] == "" || fe["oggetto"] == "" || fe["modalita"] == "" {
			t.Fatalf("got %v", err)
		}
		if countRows(t, env.DB, "registrations") != before {
			t.Fatal("a failed submission registered something")
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		_, err := apps.SubmitApplication(env.A.AsUser(env.A.Operator), env.A.Version.ID, testkit.ValidForm(), nil)
		if procedo.ErrorCode(err) != procedo.EUNAUTHORIZED {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("OtherTenantsProcedure", func(t *testing.T) {
		_, err := apps.SubmitApplication(env.A.AsCitizen(testkit.Mario), env.B.Version.ID, testkit.ValidForm(), nil)
		if procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("MissingBlob", func(t *testing.T) {
		_, err := apps.SubmitApplication(env.A.AsCitizen(testkit.Mario), env.A.Version.ID, testkit.ValidForm(), []*procedo.Upload{{
			Field: "documentazione", Filename: "x.pdf", MediaType: "application/pdf", Size: 10,
			SHA256: "0000000000000000000000000000000000000000000000000000000000000000"}})
		if err == nil {
			t.Fatal("accepted an upload that is not stored")
		}
	})
}

func TestRegistrations_GapFreeUnderConcurrency(t *testing.T) {
	env := testkit.NewEnv(t)
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	nums := make(chan int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := env.A
			if i%3 == 0 {
				c = env.B
			}
			ctx := c.AsCitizen(testkit.Mario)
			r, err := sqlstore.NewApplicationService(env.DB).SubmitApplication(ctx, c.Version.ID, testkit.ValidForm(), nil)
			if err != nil {
				errs <- err
				return
			}
			if c == env.A {
				nums <- r.Registration.Number
			}
		}()
	}
	wg.Wait()
	close(errs)
	close(nums)
	for err := range errs {
		t.Fatal(err)
	}
	var got []int
	for v := range nums {
		got = append(got, v)
	}
	sort.Ints(got)
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("numbers are not 1..%d without gaps: %v", len(got), got)
		}
	}
	// The chain links every entry to the previous one.
	regs, _, err := sqlstore.NewRegistrationService(env.DB).FindRegistrations(env.A.AsUser(env.A.Registry), procedo.RegistrationFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(regs)
	prev := ""
	for _, r := range regs {
		if r.PrevHash != prev || r.ChainHash != r.ComputeChainHash(prev) {
			t.Fatalf("chain broken at %d", r.Number)
		}
		prev = r.ChainHash
	}
}

func TestRegistrations_ImmutableInDatabase(t *testing.T) {
	env := testkit.NewEnv(t)
	testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	for _, q := range []string{
		`UPDATE registrations SET subject = 'modificato'`,
		`UPDATE registrations SET number = 99`,
		`DELETE FROM registrations`,
	} {
		if err := testkit.Exec(env.DB, q); err == nil {
			t.Errorf("%s: the database allowed it", q)
		}
	}
}

func TestCaseService(t *testing.T) {
	env := testkit.NewEnv(t)
	cases := sqlstore.NewCaseService(env.DB)
	r := testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	id := r.Case.ID
	t.Run("Worklist", func(t *testing.T) {
		open := true
		list, total, err := cases.FindCases(env.A.AsUser(env.A.Operator), procedo.CaseFilter{OrgUnitID: &env.A.Office.ID, Open: &open})
		if err != nil || total != 1 || list[0].ID != id || list[0].OrgUnitName != "Ufficio Segreteria" {
			t.Fatalf("got %v %d %v", list, total, err)
		}
	})
	t.Run("CitizenSeesOnlyOwn", func(t *testing.T) {
		if _, err := cases.FindCaseByID(env.A.AsCitizen(testkit.Lucia), id); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("got %v", err)
		}
		list, _, err := cases.FindCases(env.A.AsCitizen(testkit.Lucia), procedo.CaseFilter{})
		if err != nil || len(list) != 0 {
			t.Fatalf("got %v %v", list, err)
		}
	})
	t.Run("RegistryRoleSeesNoCases", func(t *testing.T) {
		if _, err := cases.FindCaseByID(env.A.AsUser(env.A.Registry), id); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		if _, err := cases.TransitionCase(env.A.AsUser(env.A.Admin), id, "accept", ""); procedo.ErrorCode(err) != procedo.EFORBIDDEN {
			t.Fatalf("admin decided: %v", err)
		}
		if _, err := cases.TransitionCase(env.A.AsCitizen(testkit.Mario), id, "accept", ""); procedo.ErrorCode(err) != procedo.EFORBIDDEN {
			t.Fatalf("citizen decided: %v", err)
		}
	})
	t.Run("RejectNeedsReason", func(t *testing.T) {
		_, err := cases.TransitionCase(env.A.AsUser(env.A.Operator), id, "reject", "  ")
		if procedo.FieldErrorsOf(err)["reason"] == "" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("Reject", func(t *testing.T) {
		c, err := cases.TransitionCase(env.A.AsUser(env.A.Operator), id, "reject", "I documenti richiesti non sono detenuti dal Comune.")
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != procedo.CaseRejected || c.DecisionDocumentID == nil || c.DecisionRegistrationID == nil || c.ClosedAt == nil {
			t.Fatalf("case %+v", c)
		}
		reg, err := sqlstore.NewRegistrationService(env.DB).FindRegistrationByID(env.A.AsCitizen(testkit.Mario), *c.DecisionRegistrationID)
		if err != nil || reg.Direction != procedo.DirectionOutgoing || reg.Number != 2 {
			t.Fatalf("decision registration %+v %v", reg, err)
		}
		doc, rc, err := sqlstore.NewDocumentService(env.DB).OpenDocument(env.A.AsCitizen(testkit.Mario), *c.DecisionDocumentID)
		if err != nil || doc.Kind != procedo.DocumentDecision {
			t.Fatalf("decision document %v %v", doc, err)
		}
		rc.Close()
		evs, err := cases.FindCaseEvents(env.A.AsCitizen(testkit.Mario), id)
		if err != nil || len(evs) != 2 || evs[1].ToStatus != procedo.CaseRejected {
			t.Fatalf("events %v %v", evs, err)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		if _, err := cases.TransitionCase(env.A.AsUser(env.A.Operator), id, "accept", ""); procedo.ErrorCode(err) != procedo.ECONFLICT {
			t.Fatalf("decided twice: %v", err)
		}
	})
}

// TestTenantIsolation proves DESIGN.md invariant 5 at the store: every user of
// Comune B gets "not found" for Comune A's case, document and registration.
func TestTenantIsolation(t *testing.T) {
	env := testkit.NewEnv(t)
	r := testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	for _, ctx := range []context.Context{
		env.B.AsUser(env.B.Admin), env.B.AsUser(env.B.Manager), env.B.AsUser(env.B.Operator), env.B.AsUser(env.B.Registry),
		env.B.AsCitizen(testkit.Mario), // the same person, in another Comune
	} {
		if _, err := sqlstore.NewCaseService(env.DB).FindCaseByID(ctx, r.Case.ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Errorf("case: %v", err)
		}
		if _, err := sqlstore.NewDocumentService(env.DB).FindDocumentByID(ctx, r.Application.Documents[0].ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Errorf("document: %v", err)
		}
		if _, err := sqlstore.NewRegistrationService(env.DB).FindRegistrationByID(ctx, r.Registration.ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Errorf("registration: %v", err)
		}
		if _, err := sqlstore.NewCaseService(env.DB).TransitionCase(ctx, r.Case.ID, "accept", ""); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Errorf("transition: %v", err)
		}
		if _, err := sqlstore.NewApplicationService(env.DB).FindReceipt(ctx, r.Application.ID); procedo.ErrorCode(err) != procedo.ENOTFOUND {
			t.Errorf("receipt: %v", err)
		}
	}
}

func countRows(t *testing.T, db *sqlstore.DB, table string) int {
	t.Helper()
	n, err := testkit.Count(db, table)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func ptr[T any](v T) *T { return &v }
