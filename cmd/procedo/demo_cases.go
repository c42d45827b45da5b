// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
)

// demoSeedCase is a case the demo opens in the past and works up to today, so
// that every worklist of the demo has something in it.
type demoSeedCase struct {
	procedure string
	citizen   *procedo.Citizen
	daysAgo   int // submitted this many days before today
	values    map[string]string
	file      bool   // attach a sample PDF to the "documentazione" field
	assignTo  string // username of the responsible person, "" for none
	steps     []demoStep
}

// demoStep fires a transition some days after submission.
type demoStep struct {
	after      int // days after submission
	user       string
	transition string
	reason     string
}

var (
	demoMario = &procedo.Citizen{GivenName: "Mario", FamilyName: "Rossi", FiscalCode: "RSSMRA80A01H501U", Email: "mario.rossi@example.it", Provider: "demo"}
	demoLucia = &procedo.Citizen{GivenName: "Lucia", FamilyName: "Verdi", FiscalCode: "VRDLCU85T45F205S", Email: "lucia.verdi@example.it", Provider: "demo"}
)

func accessValues(email, subject, reason string) map[string]string {
	return map[string]string{"email": email, "oggetto": subject, "motivazione": reason, "modalita": "copia-semplice", "consegna": "email"}
}

// demoSeedCases are the cases of the first demo Comune: new, near its due date,
// overdue, waiting for the applicant, with the counterparties, and decided.
var demoSeedCases = []demoSeedCase{
	{procedure: "accesso-documentale", citizen: demoMario, daysAgo: 2, file: true,
		values: accessValues("mario.rossi@example.it", "Permesso di costruire n. 12/2024 e relativi elaborati grafici",
			"Sono proprietario dell'immobile confinante e devo verificare il rispetto delle distanze.")},
	{procedure: "accesso-documentale", citizen: demoLucia, daysAgo: 26, assignTo: "operatore",
		values: accessValues("lucia.verdi@example.it", "Verbale di sopralluogo del 3 marzo relativo al mio esercizio",
			"Il verbale è richiamato nella diffida che mi è stata notificata.")},
	{procedure: "accesso-documentale", citizen: demoMario, daysAgo: 41, assignTo: "operatore",
		values: accessValues("mario.rossi@example.it", "Graduatoria per l'assegnazione degli orti urbani 2026",
			"Ho partecipato al bando e voglio verificare il punteggio attribuito.")},
	{procedure: "accesso-documentale", citizen: demoLucia, daysAgo: 12, assignTo: "operatore",
		values: accessValues("lucia.verdi@example.it", "Atti del procedimento di esproprio per la rotatoria di via Roma",
			"Sono erede di uno dei proprietari espropriati."),
		steps: []demoStep{{after: 5, user: "operatore", transition: "request_integration",
			reason: "Per valutare l'interesse occorre la documentazione che attesta la qualità di erede (dichiarazione di successione o atto notorio)."}}},
	{procedure: "accesso-civico-generalizzato", citizen: demoMario, daysAgo: 9,
		values: map[string]string{"email": "mario.rossi@example.it", "oggetto": "Contratti di manutenzione del verde pubblico stipulati nel 2025", "formato": "elettronico"},
		steps:  []demoStep{{after: 3, user: "dirigente", transition: "notify_counterparties"}}},
	{procedure: "accesso-civico-generalizzato", citizen: demoLucia, daysAgo: 20, assignTo: "dirigente",
		values: map[string]string{"email": "lucia.verdi@example.it", "oggetto": "Spese di rappresentanza del Comune nel 2025", "formato": "elettronico"},
		steps: []demoStep{{after: 18, user: "dirigente", transition: "accept",
			reason: "I dati richiesti sono pubblicati e trasmessi in formato aperto."}}},
}

// seedDemoCases opens demoSeedCases in tenant t, each on the day it was
// submitted, moving the store's clock back for the purpose (the server does
// not run yet).
func seedDemoCases(ctx context.Context, db *sqlstore.DB, t *procedo.Tenant) (err error) {
	defer func(now func() time.Time) { db.Now = now }(db.Now)
	today := time.Now()
	at := func(daysAgo int) func() time.Time {
		d := today.AddDate(0, 0, -daysAgo)
		return func() time.Time { return d }
	}
	tctx := procedo.NewContextWithTenant(ctx, t)
	users, _, err := sqlstore.NewUserService(db).FindUsers(procedo.NewContextWithActor(tctx, procedo.SystemActor), procedo.UserFilter{})
	if err != nil {
		return err
	}
	byName := map[string]*procedo.User{}
	for _, u := range users {
		byName[u.Username] = u
	}
	as := func(username string) (context.Context, error) {
		u, ok := byName[username]
		if !ok {
			return nil, fmt.Errorf("demo user %q missing", username)
		}
		return procedo.NewContextWithActor(tctx, &procedo.Actor{Kind: procedo.ActorUser, User: u}), nil
	}
	procedures := sqlstore.NewProcedureService(db)
	apps := sqlstore.NewApplicationService(db)
	cases := sqlstore.NewCaseService(db)
	// Registrations are numbered in time order, so every action runs on its
	// day, oldest first.
	type action struct {
		daysAgo int
		run     func() error
	}
	var actions []action
	for _, dc := range demoSeedCases {
		caseID := new(int64)
		actions = append(actions, action{dc.daysAgo, func() error {
			cctx := procedo.NewContextWithActor(tctx, &procedo.Actor{Kind: procedo.ActorCitizen, Citizen: dc.citizen})
			v, err := procedures.FindPublishedProcedure(cctx, dc.procedure)
			if err != nil {
				return err
			}
			var uploads []*procedo.Upload
			if dc.file {
				content := []byte("%PDF-1.4\n% DEMO: delega senza valore legale\n")
				info, err := db.Blobs.Put(cctx, t.ID, bytes.NewReader(content))
				if err != nil {
					return err
				}
				uploads = append(uploads, &procedo.Upload{Field: "documentazione", Filename: "delega.pdf", MediaType: "application/pdf",
					SHA256: info.SHA256, Size: info.Size})
			}
			r, err := apps.SubmitApplication(cctx, v.ID, dc.values, uploads)
			if err != nil {
				return err
			}
			*caseID = r.Case.ID
			if dc.assignTo == "" {
				return nil
			}
			uctx, err := as("dirigente")
			if err != nil {
				return err
			}
			_, err = cases.AssignCase(uctx, *caseID, byName[dc.assignTo].ID)
			return err
		}})
		for _, s := range dc.steps {
			actions = append(actions, action{dc.daysAgo - s.after, func() error {
				uctx, err := as(s.user)
				if err != nil {
					return err
				}
				_, err = cases.TransitionCase(uctx, *caseID, s.transition, s.reason)
				return err
			}})
		}
	}
	slices.SortStableFunc(actions, func(a, b action) int { return b.daysAgo - a.daysAgo })
	for i, a := range actions {
		db.Now = at(a.daysAgo)
		if err := a.run(); err != nil {
			return fmt.Errorf("demo cases, action %d: %w", i+1, err)
		}
	}
	return nil
}
