// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package testkit

import (
	"bytes"
	"context"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/library"
	"github.com/procedo/procedo/sqlstore"
)

// Password is the password of every fixture user.
const Password = "password-di-prova-123"

// Comune is one fixture tenant with an office, users and the accesso-documentale procedure.
type Comune struct {
	Tenant   *procedo.Tenant
	Office   *procedo.OrgUnit
	Admin    *procedo.User
	Operator *procedo.User
	Manager  *procedo.User
	Registry *procedo.User
	Version  *procedo.ProcedureVersion
}

// Env is a database with two fixture Comuni, so that isolation can be tested.
type Env struct {
	DB   *sqlstore.DB
	A, B *Comune
}

// NewEnv returns a migrated database holding Comune A (host a.test) and Comune B (host b.test).
func NewEnv(tb testing.TB) *Env {
	tb.Helper()
	db := OpenDB(tb)
	return &Env{DB: db, A: MustComune(tb, db, "comune-a", "Comune di Alfa", "a.test"), B: MustComune(tb, db, "comune-b", "Comune di Beta", "b.test")}
}

// MustComune creates a tenant with office SEGR, users (admin, operatore,
// dirigente, protocollo) and the accesso-documentale procedure.
func MustComune(tb testing.TB, db *sqlstore.DB, slug, name, host string) *Comune {
	tb.Helper()
	ctx := context.Background()
	c := &Comune{Tenant: &procedo.Tenant{Slug: slug, Name: name, Hosts: []string{host}, PatronDay: "06-13"}}
	if err := sqlstore.NewTenantService(db).CreateTenant(ctx, c.Tenant); err != nil {
		tb.Fatal(err)
	}
	sys := c.As(procedo.SystemActor)
	c.Office = &procedo.OrgUnit{Code: "SEGR", Name: "Ufficio Segreteria", Email: "segreteria@" + host, Head: "Dott.ssa Anna Bianchi"}
	if err := sqlstore.NewOrgUnitService(db).CreateOrgUnit(sys, c.Office); err != nil {
		tb.Fatal(err)
	}
	users := sqlstore.NewUserService(db)
	mk := func(username string, roles ...procedo.Role) *procedo.User {
		u := &procedo.User{Username: username, FullName: "Utente " + username, Roles: roles, OrgUnitID: &c.Office.ID}
		if err := users.CreateUser(sys, u, Password); err != nil {
			tb.Fatal(err)
		}
		return u
	}
	c.Admin = mk("admin", procedo.RoleAdmin)
	c.Operator = mk("operatore", procedo.RoleOperator)
	c.Manager = mk("dirigente", procedo.RoleManager, procedo.RoleOperator)
	c.Registry = mk("protocollo", procedo.RoleRegistry)
	def, err := library.Model("accesso-documentale")
	if err != nil {
		tb.Fatal(err)
	}
	if c.Version, err = sqlstore.NewProcedureService(db).PublishProcedure(sys, def); err != nil {
		tb.Fatal(err)
	}
	return c
}

// As returns a context for actor acting in this Comune.
func (c *Comune) As(a *procedo.Actor) context.Context {
	return procedo.NewContextWithActor(procedo.NewContextWithTenant(context.Background(), c.Tenant), a)
}

// AsUser returns a context for user u acting in this Comune.
func (c *Comune) AsUser(u *procedo.User) context.Context {
	return c.As(&procedo.Actor{Kind: procedo.ActorUser, User: u})
}

// AsCitizen returns a context for citizen z acting in this Comune.
func (c *Comune) AsCitizen(z *procedo.Citizen) context.Context {
	return c.As(&procedo.Actor{Kind: procedo.ActorCitizen, Citizen: z})
}

// Mario and Lucia are fixture citizens with valid codici fiscali.
var (
	Mario = &procedo.Citizen{FiscalCode: "RSSMRA80A01H501U", GivenName: "Mario", FamilyName: "Rossi", Email: "mario.rossi@example.it", Provider: "demo"}
	Lucia = &procedo.Citizen{FiscalCode: "VRDLCU85T45F205S", GivenName: "Lucia", FamilyName: "Verdi", Email: "lucia.verdi@example.it", Provider: "demo"}
)

// ValidForm returns values that pass the accesso-documentale form.
func ValidForm() map[string]string {
	return map[string]string{
		"email": "mario.rossi@example.it", "oggetto": "Permesso di costruire n. 12/2024",
		"motivazione": "Sono il confinante e devo verificare le distanze.", "modalita": "copia-semplice", "consegna": "email",
	}
}

// MustSubmit submits a valid application for citizen z with one PDF attachment.
func MustSubmit(tb testing.TB, db *sqlstore.DB, c *Comune, z *procedo.Citizen) *procedo.Receipt {
	tb.Helper()
	ctx := c.AsCitizen(z)
	content := []byte("%PDF-1.4\n% delega di prova\n")
	info, err := db.Blobs.Put(ctx, c.Tenant.ID, bytes.NewReader(content))
	if err != nil {
		tb.Fatal(err)
	}
	r, err := sqlstore.NewApplicationService(db).SubmitApplication(ctx, c.Version.ID, ValidForm(), []*procedo.Upload{{
		Field: "documentazione", Filename: "delega.pdf", MediaType: "application/pdf", SHA256: info.SHA256, Size: info.Size}})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}
