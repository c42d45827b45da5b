// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/procedo/procedo"
)

// Data generator for the worklist benchmark (procedo bench cases-generate).

var (
	benchGiven   = []string{"Mario", "Lucia", "Giuseppe", "Anna", "Francesco", "Giulia", "Antonio", "Chiara", "Luca", "Sara", "Marco", "Elena", "Andrea", "Paola", "Stefano", "Laura", "Alessandro", "Francesca", "Roberto", "Silvia", "Davide", "Marta", "Paolo", "Valentina", "Matteo", "Federica", "Simone", "Alessia", "Giorgio", "Elisa"}
	benchFamily  = []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini", "Leone", "Longo", "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis", "D'Angelo", "Marchetti", "Parisi", "Villa", "Conte", "Ferraro", "Ferri", "Fabbri", "Bianco", "Marini", "Grasso", "Valentini"}
	benchStreets = []string{"via Roma", "via Garibaldi", "piazza Mazzini", "corso Italia", "via Dante", "via Verdi", "via Cavour", "piazza del Duomo", "via Manzoni", "viale della Repubblica", "via dei Mille", "via San Francesco", "largo Carducci", "via Matteotti", "via XX Settembre"}
	benchThings  = []string{"dehors", "cantiere", "ponteggio", "mercatino", "festa di quartiere", "concerto", "passo carrabile", "insegna", "recinzione", "autorimessa", "negozio", "bar", "laboratorio", "magazzino", "giardino"}
)

// benchCF returns a codice fiscale shaped string (its check character is not
// computed: the benchmark does not validate it).
func benchCF(rnd *rand.Rand, family, given string) string {
	letters := func(s string) string {
		s = strings.ToUpper(strings.NewReplacer(" ", "", "'", "").Replace(s))
		for len(s) < 3 {
			s += "X"
		}
		return s[:3]
	}
	const months = "ABCDEHLMPRST"
	return fmt.Sprintf("%s%s%02d%c%02d%c%03d%c", letters(family), letters(given), 40+rnd.IntN(60), months[rnd.IntN(12)], 1+rnd.IntN(28),
		'A'+rune(rnd.IntN(26)), 1+rnd.IntN(999), 'A'+rune(rnd.IntN(26)))
}

// benchStaff is the staff of one office created for the benchmark.
type benchStaff struct {
	office    *procedo.OrgUnit
	operators []*procedo.User
}

// BenchCaseStaff returns the username of an operator and of the manager of
// office code, as GenerateCases creates them.
func BenchCaseStaff(code string) (operator, manager string) {
	c := strings.ToLower(code)
	return "op-" + c + "-1", "dir-" + c
}

// GenerateCases adds n synthetic cases to the tenant in ctx (a data generator
// for benchmarks): it creates the offices of defs with four operators and a
// manager each, publishes defs, and stores cases spread over the last four
// years, most of the older ones closed, with their clock events, history and
// search words, their due dates computed by the legal-time engine. Cases share
// a pool of applications and registrations (the protocol is benchmarked by
// bench generate). progress, if set, is called after each transaction.
func (db *DB) GenerateCases(ctx context.Context, defs []*procedo.ProcedureDefinition, n int, progress func(int)) (err error) {
	defer procedo.Wrap(&err, "sqlstore.GenerateCases(%d)", n)
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	staff, versions, err := db.benchCaseSetup(ctx, defs)
	if err != nil {
		return err
	}
	apps, err := db.benchApplicationPool(ctx, versions[0].ID, 1000)
	if err != nil {
		return err
	}
	rnd := rand.New(rand.NewPCG(uint64(n), 7))
	today := procedo.DateOf(db.Now())
	cal := calendarOf(ctx)
	const chunk = 2000
	for done := 0; done < n; {
		size := min(chunk, n-done)
		gen := make([]benchCase, size)
		for i := range gen {
			v := versions[rnd.IntN(len(versions))]
			gen[i] = newBenchCase(rnd, tid, v, staff[v.Definition.OfficeCode], apps[(done+i)%len(apps)], today, cal, done+i)
		}
		if err := db.transact(ctx, func(tx *Tx) error { return insertBenchCases(ctx, tx, gen) }); err != nil {
			return err
		}
		done += size
		if progress != nil {
			progress(done)
		}
	}
	return nil
}

// benchCaseSetup creates the offices, staff and procedures of the benchmark,
// or finds them when a previous run created them.
func (db *DB) benchCaseSetup(ctx context.Context, defs []*procedo.ProcedureDefinition) (map[string]*benchStaff, []*procedo.ProcedureVersion, error) {
	ous, users, procs := NewOrgUnitService(db), NewUserService(db), NewProcedureService(db)
	staff := map[string]*benchStaff{}
	for _, def := range defs {
		code := def.OfficeCode
		if staff[code] != nil {
			continue
		}
		ou, err := ous.FindOrgUnitByCode(ctx, code)
		if procedo.ErrorCode(err) == procedo.ENOTFOUND {
			ou = &procedo.OrgUnit{Code: code, Name: "Ufficio " + code, Email: strings.ToLower(code) + "@bench.example.it", Head: "Dirigente " + code}
			err = ous.CreateOrgUnit(ctx, ou)
		}
		if err != nil {
			return nil, nil, err
		}
		s := &benchStaff{office: ou}
		op, mgr := BenchCaseStaff(code)
		names := []string{op, strings.TrimSuffix(op, "1") + "2", strings.TrimSuffix(op, "1") + "3", strings.TrimSuffix(op, "1") + "4", mgr}
		for i, name := range names {
			roles := []procedo.Role{procedo.RoleOperator}
			if i == len(names)-1 {
				roles = append(roles, procedo.RoleManager)
			}
			list, _, err := users.FindUsers(ctx, procedo.UserFilter{Username: &name})
			if err != nil {
				return nil, nil, err
			}
			u := &procedo.User{Username: name, FullName: benchGiven[i] + " " + benchFamily[len(staff)*5+i], Roles: roles, OrgUnitID: &ou.ID}
			if len(list) > 0 {
				u = list[0]
			} else if err := users.CreateUser(ctx, u, "password-del-benchmark"); err != nil {
				return nil, nil, err
			}
			s.operators = append(s.operators, u)
		}
		staff[code] = s
	}
	var versions []*procedo.ProcedureVersion
	for _, def := range defs {
		v, err := procs.FindPublishedProcedure(ctx, def.ID)
		if procedo.ErrorCode(err) == procedo.ENOTFOUND {
			v, err = procs.PublishProcedure(ctx, def)
		}
		if err != nil {
			return nil, nil, err
		}
		versions = append(versions, v)
	}
	return staff, versions, nil
}

// benchApplicationPool creates n applications with their registration and
// document, which generated cases share.
func (db *DB) benchApplicationPool(ctx context.Context, versionID int64, n int) ([]benchApp, error) {
	tid, _ := tenantID(ctx)
	var ids []benchApp
	err := db.transact(ctx, func(tx *Tx) error {
		regs := make([]*procedo.Registration, n)
		for i := range regs {
			regs[i] = &procedo.Registration{TenantID: tid, Direction: procedo.DirectionIncoming, Subject: fmt.Sprintf("Istanza di prova n. %d", i+1),
				Correspondents: []procedo.Correspondent{{Name: "Richiedente di prova"}}, Channel: "online", CreatedBy: "system",
				Fingerprint: fmt.Sprintf("%064x", i+1)}
		}
		if err := generateChunk(ctx, tx, regs, db.Now().Add(-time.Duration(n)*time.Minute)); err != nil {
			return err
		}
		for _, r := range regs {
			doc := &procedo.Document{TenantID: tid, SHA256: r.Fingerprint, Filename: "istanza.pdf", MediaType: "application/pdf", Size: 1000,
				Kind: procedo.DocumentMain, Description: "Istanza"}
			if err := insertDocument(ctx, tx, doc); err != nil {
				return err
			}
			id, err := tx.insert(ctx, `INSERT INTO applications (tenant_id, procedure_version_id, applicant_fiscal_code, applicant_given_name,
				applicant_family_name, applicant_email, data, submitted_at, registration_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				tid, versionID, "RSSMRA80A01H501U", "Mario", "Rossi", "", "{}", tx.db.ts(r.RegisteredAt), r.ID)
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `INSERT INTO application_documents (tenant_id, application_id, document_id, field, position) VALUES (?, ?, ?, ?, ?)`,
				tid, id, doc.ID, "istanza", 0); err != nil {
				return err
			}
			ids = append(ids, benchApp{id, r.ID})
		}
		return nil
	})
	return ids, err
}

// benchApp is a pooled application and its registration.
type benchApp struct{ id, registration int64 }

// benchCase is a generated case with its clock events and history.
type benchCase struct {
	cas    procedo.Case
	def    *procedo.ProcedureDefinition
	clock  []procedo.CaseClockEvent
	events []procedo.CaseEvent
}

// newBenchCase generates case number seq of version v.
func newBenchCase(rnd *rand.Rand, tid int64, v *procedo.ProcedureVersion, s *benchStaff, app benchApp, today procedo.Date, cal procedo.Calendar, seq int) benchCase {
	def := &v.Definition
	flow := def.Flow()
	age := rnd.IntN(4 * 365)
	start := today.AddDays(-age)
	given, family := benchGiven[rnd.IntN(len(benchGiven))], benchFamily[rnd.IntN(len(benchFamily))]
	c := procedo.Case{TenantID: tid, ProcedureVersionID: v.ID, ProcedureTitle: def.Title, ApplicationID: app.id, RegistrationID: app.registration, OrgUnitID: s.office.ID,
		ApplicantFiscalCode: benchCF(rnd, family, given), ApplicantName: given + " " + family,
		ApplicantEmail: strings.ToLower(given) + "." + strings.ToLower(strings.ReplaceAll(family, " ", "")) + "@example.it",
		Subject:        fmt.Sprintf("%s: %s, %s %d", def.Title, benchThings[rnd.IntN(len(benchThings))], benchStreets[rnd.IntN(len(benchStreets))], 1+rnd.IntN(120)),
		Status:         procedo.CaseSubmitted, StartDate: start, TermDays: def.TermDays, Regime: procedo.RegimeOf(def), ClockState: procedo.ClockRunning}
	if c.Regime == procedo.RegimeSCIA {
		c.EffectiveOn = start
	}
	// Unique creation times let the inserted rows be matched with their ids.
	c.CreatedAt = start.Time().Add(-4*time.Hour + time.Duration(rnd.IntN(8*3600))*time.Second + time.Duration(seq%1_000_000)*time.Microsecond).UTC()
	c.UpdatedAt = c.CreatedAt
	b := benchCase{def: def}
	b.events = append(b.events, procedo.CaseEvent{Kind: procedo.CaseEventSubmitted, ToStatus: procedo.CaseSubmitted, At: c.CreatedAt, ActorName: c.ApplicantName})
	assignee := s.operators[rnd.IntN(len(s.operators))]
	var working, waiting, final []procedo.CaseStatus
	for _, st := range flow.States {
		_, suspends := benchSuspension(flow, st.Name)
		switch {
		case st.Name.Closed():
			final = append(final, st.Name)
		case st.Name == procedo.CaseSubmitted:
		case suspends:
			waiting = append(waiting, st.Name)
		default:
			working = append(working, st.Name)
		}
	}
	// Most cases are decided within their term; a few linger.
	isOpen := rnd.Float64() < 0.01
	switch {
	case age <= def.TermDays:
		isOpen = rnd.Float64() < 0.9
	case age < 150:
		isOpen = rnd.Float64() < 0.12
	}
	if !isOpen && len(final) > 0 {
		c.Status = final[0]
		if r := rnd.Float64(); r > 0.7 && len(final) > 1 {
			c.Status = final[1+rnd.IntN(len(final)-1)]
		}
		closedOn := start.AddDays(min(age, 3+rnd.IntN(def.TermDays+15)))
		closed := closedOn.Time().UTC()
		c.ClosedAt, c.UpdatedAt, c.ClockState = &closed, closed, procedo.ClockStopped
		c.ResponsibleUserID = &assignee.ID
		years := def.RetentionFor(c.Status.Outcome())
		c.RetentionYears = &years
		c.DueDate = procedo.DueDate(start, c.TermDays, cal)
		c.Late = closedOn.After(c.DueDate)
		b.events = append(b.events, procedo.CaseEvent{Kind: procedo.CaseEventTransition, FromStatus: procedo.CaseSubmitted, ToStatus: c.Status,
			At: closed, ActorName: assignee.FullName})
		b.cas = c
		return b
	}
	switch r := rnd.Float64(); {
	case r < 0.2 && len(waiting) > 0:
		c.Status = waiting[rnd.IntN(len(waiting))]
	case r < 0.7 && len(working) > 0:
		c.Status = working[rnd.IntN(len(working))]
	}
	if c.Status != procedo.CaseSubmitted || rnd.Float64() < 0.3 {
		c.ResponsibleUserID = &assignee.ID
	}
	// The clock: a case waiting in a state reached by a suspension has an open
	// suspension; some others had one and resumed.
	cause, suspends := benchSuspension(flow, c.Status)
	switch {
	case suspends && age > 0:
		on := start.AddDays(1 + rnd.IntN(min(age, c.TermDays)))
		b.clock = append(b.clock, procedo.CaseClockEvent{Kind: procedo.ClockSuspend, Date: on, Cause: cause, Reason: "sospensione"})
		c.Waiting, c.WaitingUntil = cause, procedo.SuspensionDeadline(cause, on)
	case c.Status != procedo.CaseSubmitted && age > 10 && rnd.Float64() < 0.3:
		on := start.AddDays(1 + rnd.IntN(min(age-5, c.TermDays)))
		b.clock = append(b.clock, procedo.CaseClockEvent{Kind: procedo.ClockSuspend, Date: on, Cause: procedo.WaitingIntegration, Reason: "integrazioni"},
			procedo.CaseClockEvent{Kind: procedo.ClockResume, Date: on.AddDays(rnd.IntN(5)), Reason: "integrazioni ricevute"})
	}
	clk, err := procedo.ComputeCaseClock(&c, b.clock, cal, today)
	if err == nil {
		c.DueDate, c.ClockState = clk.Due, clk.State
	} else {
		c.DueDate = procedo.DueDate(start, c.TermDays, cal)
	}
	if c.ClockState != procedo.ClockSuspended {
		c.Waiting, c.WaitingUntil = "", procedo.Date{}
	}
	if c.Status != procedo.CaseSubmitted {
		b.events = append(b.events, procedo.CaseEvent{Kind: procedo.CaseEventTransition, FromStatus: procedo.CaseSubmitted, ToStatus: c.Status,
			At: c.CreatedAt.Add(24 * time.Hour), ActorName: assignee.FullName})
	}
	b.cas = c
	return b
}

// benchSuspension reports whether status is reached by a transition that
// suspends the clock, and for what.
func benchSuspension(flow *procedo.ProcedureWorkflow, status procedo.CaseStatus) (procedo.CaseWaiting, bool) {
	for _, t := range flow.Transitions {
		if t.To == status && t.Clock == procedo.ClockEffectSuspend {
			return procedo.WaitingFor(t), true
		}
	}
	return "", false
}

// insertBenchCases stores generated cases with multi-row inserts.
func insertBenchCases(ctx context.Context, tx *Tx, gen []benchCase) error {
	db := tx.db
	rows := make([][]any, len(gen))
	byCreated := make(map[int64]int, len(gen))
	for i := range gen {
		c := &gen[i].cas
		c.CreatedAt = c.CreatedAt.Truncate(time.Microsecond)
		byCreated[c.CreatedAt.UnixMicro()] = i
		rows[i] = []any{c.TenantID, c.ProcedureVersionID, c.ApplicationID, c.OrgUnitID, c.ResponsibleUserID, c.ApplicantFiscalCode, c.ApplicantName,
			c.ApplicantEmail, c.Subject, c.Status, c.StartDate, c.TermDays, c.DueDate, c.RegistrationID, db.ts(c.CreatedAt),
			db.ts(c.UpdatedAt), db.nullTS(c.ClosedAt), c.Regime, c.ClockState, c.Waiting, c.WaitingUntil, c.Late, c.EffectiveOn, c.RetentionYears}
	}
	cols := []string{"tenant_id", "procedure_version_id", "application_id", "org_unit_id", "responsible_user_id", "applicant_fiscal_code",
		"applicant_name", "applicant_email", "subject", "status", "start_date", "term_days", "due_date", "registration_id", "created_at",
		"updated_at", "closed_at", "regime", "clock_state", "waiting", "waiting_until", "late", "effective_on", "retention_years"}
	err := insertRows(ctx, tx, "cases", cols, rows, "id, created_at", func(scan func(...any) error) error {
		var id int64
		var at time.Time
		if err := scan(&id, timeValue{&at}); err != nil {
			return err
		}
		i, ok := byCreated[at.UnixMicro()]
		if !ok {
			return fmt.Errorf("generated case %d: unknown creation time %s", id, at)
		}
		gen[i].cas.ID = id
		return nil
	})
	if err != nil {
		return err
	}
	var events, clock [][]any
	indexed := make([]*procedo.Case, len(gen))
	for i, b := range gen {
		c := &b.cas
		indexed[i] = c
		for _, e := range b.events {
			events = append(events, []any{c.TenantID, c.ID, db.ts(e.At), e.Kind, e.FromStatus, e.ToStatus, "", "system", e.ActorName, ""})
		}
		for _, e := range b.clock {
			clock = append(clock, []any{c.TenantID, c.ID, e.Kind, e.Date, e.Days, e.Cause, e.Reason, "", "system", "sistema", db.ts(c.CreatedAt)})
		}
	}
	if err := insertRows(ctx, tx, "case_events", []string{"tenant_id", "case_id", "at", "kind", "from_status", "to_status", "transition", "actor",
		"actor_name", "reason"}, events, "", nil); err != nil {
		return err
	}
	if err := insertRows(ctx, tx, "case_clock_events", []string{"tenant_id", "case_id", "kind", "day", "days", "cause", "reason", "transition",
		"actor", "actor_name", "created_at"}, clock, "", nil); err != nil {
		return err
	}
	return db.dialect.(caseSearch).indexCases(ctx, tx, indexed)
}
