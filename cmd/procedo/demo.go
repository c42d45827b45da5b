// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/library"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/web"
)

// DemoPassword is the password of every DEMO operator. It is printed on the
// DEMO login page: the demo holds no real data.
const DemoPassword = "demo-procedo-2026"

// demoComune describes one DEMO tenant.
type demoComune struct {
	tenant  procedo.Tenant
	offices []procedo.OrgUnit
	users   []demoUser
}

type demoUser struct {
	username, name, office string
	roles                  []procedo.Role
}

var demoComuni = []demoComune{
	{
		tenant: procedo.Tenant{Slug: "procedo-alto", Name: "Comune di Procedo Alto", IPACode: "c_demo01", FiscalCode: "09876543217", PatronDay: "06-13",
			Email: "protocollo@procedo-alto.example.it", Hosts: []string{"localhost", "127.0.0.1", "procedo-alto.localhost"}, Demo: true},
		offices: []procedo.OrgUnit{
			{Code: "SEGR", Name: "Ufficio Segreteria e Affari generali", Email: "segreteria@procedo-alto.example.it", Phone: "0123 456 700", Head: "Dott.ssa Anna Bianchi"},
			{Code: "TEC", Name: "Ufficio Tecnico", Email: "tecnico@procedo-alto.example.it", Phone: "0123 456 720", Head: "Ing. Paolo Neri"},
			{Code: "PL", Name: "Polizia Locale", Email: "polizialocale@procedo-alto.example.it", Phone: "0123 456 740", Head: "Comm. Elena Russo"},
			{Code: "SUAP", Name: "Sportello Unico Attività Produttive", Email: "suap@procedo-alto.example.it", Phone: "0123 456 760", Head: "Dott. Marco Gallo"},
			{Code: "SOC", Name: "Servizi Sociali", Email: "sociali@procedo-alto.example.it", Phone: "0123 456 780", Head: "Dott.ssa Chiara Fontana"},
			{Code: "SCOL", Name: "Servizi Scolastici", Email: "scuola@procedo-alto.example.it", Phone: "0123 456 790", Head: "Dott. Andrea Marino"},
		},
		users: []demoUser{
			{"admin", "Giulia Amministratrice", "", []procedo.Role{procedo.RoleAdmin}},
			{"protocollo", "Marco Protocollo", "SEGR", []procedo.Role{procedo.RoleRegistry, procedo.RoleRecords}},
			{"operatore", "Sara Istruttrice", "SEGR", []procedo.Role{procedo.RoleOperator}},
			{"dirigente", "Anna Bianchi", "SEGR", []procedo.Role{procedo.RoleManager, procedo.RoleOperator}},
			{"tecnico", "Paolo Neri", "TEC", []procedo.Role{procedo.RoleOperator}},
		},
	},
	{
		tenant: procedo.Tenant{Slug: "valle-demo", Name: "Comune di Valle Demo", IPACode: "c_demo02", FiscalCode: "09876543225", PatronDay: "09-29",
			Email: "protocollo@valle-demo.example.it", Hosts: []string{"valle-demo.localhost"}, Demo: true},
		offices: []procedo.OrgUnit{
			{Code: "SEGR", Name: "Ufficio Servizi al cittadino", Email: "servizi@valle-demo.example.it", Phone: "0456 789 100", Head: "Dott. Luca Verdi"},
			{Code: "TEC", Name: "Area Tecnica", Email: "tecnico@valle-demo.example.it", Phone: "0456 789 120", Head: "Geom. Sara Conti"},
			{Code: "SOC", Name: "Servizi Sociali e Scolastici", Email: "sociali@valle-demo.example.it", Phone: "0456 789 140", Head: "Dott. Luca Verdi"},
		},
		users: []demoUser{
			{"admin", "Paola Amministratrice", "", []procedo.Role{procedo.RoleAdmin}},
			{"operatore", "Luca Verdi", "SEGR", []procedo.Role{procedo.RoleOperator, procedo.RoleManager}},
		},
	},
}

// runDemo implements `procedo demo`: the server on a demo dataset created in
// --data if empty.
func (m *Main) runDemo(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("demo")
	data := "data"
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address HOST:PORT")
	fs.StringVar(&data, "data", data, "folder of the demo database and documents")
	samples := true
	fs.BoolVar(&samples, "sample-cases", samples, "open sample cases in every worklist of the first demo Comune")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := os.MkdirAll(data, 0o750); err != nil {
		return err
	}
	if m.Getenv("PROCEDO_DB") == "" {
		cfg.DB = "sqlite:" + filepath.Join(data, "procedo.db")
	}
	if m.Getenv("PROCEDO_BLOBS") == "" {
		cfg.Blobs = "file:" + filepath.Join(data, "blobs")
	}
	if m.Getenv("PROCEDO_LOG_FORMAT") == "" {
		cfg.LogFormat = "text"
	}
	cfg.Demo = true
	if cfg.DefaultTenant == "" {
		cfg.DefaultTenant = demoComuni[0].tenant.Slug
	}
	return m.serve(ctx, cfg, func(ctx context.Context, app *App) error {
		creds, err := seedDemo(ctx, app.DB, samples)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		app.web.DemoCredentials = creds
		app.Logger.Info("demo ready: open http://localhost" + portOf(cfg.Addr) + "/ (operators at /ufficio, password " + DemoPassword + ")")
		return nil
	})
}

func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i:]
		}
	}
	return ""
}

// seedDemo creates the DEMO Comuni, offices, users, the standard procedure
// library and, in the first Comune if samples, cases in every worklist (seedDemoCases), unless the database already has tenants. It returns the demo
// credentials either way.
func seedDemo(ctx context.Context, db *sqlstore.DB, samples bool) ([]web.DemoCredential, error) {
	var creds []web.DemoCredential
	for _, dc := range demoComuni {
		for _, u := range dc.users {
			creds = append(creds, web.DemoCredential{Tenant: dc.tenant.Slug, Username: u.username, Password: DemoPassword, Role: u.name + " (" + roleLabels(u.roles) + ")"})
		}
	}
	tenants := sqlstore.NewTenantService(db)
	existing, err := tenants.FindTenants(ctx)
	if err != nil {
		return nil, err
	}
	if len(existing) > 0 {
		return creds, nil
	}
	defs, err := library.Models()
	if err != nil {
		return nil, err
	}
	for _, dc := range demoComuni {
		t := dc.tenant
		if err := tenants.CreateTenant(ctx, &t); err != nil {
			return nil, err
		}
		tctx := procedo.NewContextWithActor(procedo.NewContextWithTenant(ctx, &t), procedo.SystemActor)
		units := sqlstore.NewOrgUnitService(db)
		ids := map[string]int64{}
		for _, o := range dc.offices {
			o := o
			if err := units.CreateOrgUnit(tctx, &o); err != nil {
				return nil, err
			}
			ids[o.Code] = o.ID
		}
		for _, du := range dc.users {
			u := &procedo.User{Username: du.username, FullName: du.name, Roles: du.roles,
				Email: du.username + "@" + t.Slug + ".example.it"}
			if id, ok := ids[du.office]; ok {
				u.OrgUnitID = &id
			}
			if err := sqlstore.NewUserService(db).CreateUser(tctx, u, DemoPassword); err != nil {
				return nil, err
			}
		}
		for _, def := range defs {
			if _, ok := ids[def.OfficeCode]; !ok {
				continue // the model's office does not exist in this Comune
			}
			if _, err := sqlstore.NewProcedureService(db).PublishProcedure(tctx, def); err != nil {
				return nil, err
			}
		}
		if samples && dc.tenant.Slug == demoComuni[0].tenant.Slug {
			if err := seedDemoCases(ctx, db, &t); err != nil {
				return nil, err
			}
		}
	}
	return creds, nil
}

func roleLabels(roles []procedo.Role) string {
	s := ""
	for i, r := range roles {
		if i > 0 {
			s += ", "
		}
		s += r.Label()
	}
	return s
}
