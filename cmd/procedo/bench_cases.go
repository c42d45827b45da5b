// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/library"
	"github.com/procedo/procedo/sqlstore"
)

// benchCasesGenerate fills the database of PROCEDO_DB (tenant "bench") with
// synthetic cases of the standard procedures for the worklist benchmark.
func (m *Main) benchCasesGenerate(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("bench cases-generate")
	count := fs.Int("count", 1_000_000, "cases to add")
	if err := fs.Parse(args); err != nil {
		return err
	}
	defs, err := library.Models()
	if err != nil {
		return err
	}
	db, rctx, closeAll, err := m.benchStore(ctx, cfg, cfg.DB)
	if err != nil {
		return err
	}
	defer closeAll()
	start := time.Now()
	err = db.GenerateCases(procedo.NewContextWithActor(rctx, procedo.SystemActor), defs, *count, func(n int) {
		if n%100_000 == 0 || n == *count {
			fmt.Fprintf(m.Stdout, "%d cases (%.0f/s)\n", n, float64(n)/time.Since(start).Seconds())
		}
	})
	if err == nil && db.Dialect() == "postgres" {
		fmt.Fprintln(m.Stdout, "PostgreSQL: run VACUUM ANALYZE (or wait for autovacuum) before bench cases, so the planner has statistics")
	}
	return err
}

// benchCases measures the worklists and the case page on the database of
// PROCEDO_DB (filled by bench cases-generate) and prints their latency
// percentiles.
func (m *Main) benchCases(ctx context.Context, cfg Config, args []string) error {
	fs := m.flags("bench cases")
	rounds := fs.Int("rounds", 50, "times each query runs")
	office := fs.String("office", "TEC", "office of the operator whose worklists are measured")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, rctx, closeAll, err := m.benchStore(ctx, cfg, cfg.DB)
	if err != nil {
		return err
	}
	defer closeAll()
	tenant := procedo.TenantFromContext(rctx)
	sys := procedo.NewContextWithActor(rctx, procedo.SystemActor)
	as := func(username string) (context.Context, error) {
		list, _, err := sqlstore.NewUserService(db).FindUsers(sys, procedo.UserFilter{Username: &username})
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("bench cases: user %s not found: run bench cases-generate first", username)
		}
		return procedo.NewContextWithActor(procedo.NewContextWithTenant(ctx, tenant), &procedo.Actor{Kind: procedo.ActorUser, User: list[0]}), nil
	}
	opName, mgrName := sqlstore.BenchCaseStaff(*office)
	op, err := as(opName)
	if err != nil {
		return err
	}
	mgr, err := as(mgrName)
	if err != nil {
		return err
	}
	cases := sqlstore.NewCaseService(db)
	latest, total, err := cases.FindCases(mgr, procedo.CaseFilter{Limit: 1})
	if err != nil {
		return err
	}
	if len(latest) == 0 {
		return fmt.Errorf("bench cases: no cases: run bench cases-generate first")
	}
	open := true
	sample, _, err := cases.FindCases(op, procedo.CaseFilter{Open: &open, Limit: 1, Offset: 100})
	if err != nil || len(sample) == 0 {
		return fmt.Errorf("bench cases: no open cases in office %s: %v", *office, err)
	}
	cf, id := sample[0].ApplicantFiscalCode, fmt.Sprint(sample[0].ID)
	queries := []struct {
		name string
		ctx  context.Context
		f    procedo.CaseFilter
	}{
		{"operator: all open", op, procedo.CaseFilter{Open: &open}},
		{"operator: new", op, procedo.CaseFilter{View: procedo.CaseViewNew}},
		{"operator: mine", op, procedo.CaseFilter{View: procedo.CaseViewMine}},
		{"operator: waiting", op, procedo.CaseFilter{View: procedo.CaseViewWaiting}},
		{"operator: expiring", op, procedo.CaseFilter{View: procedo.CaseViewExpiring}},
		{"operator: overdue", op, procedo.CaseFilter{View: procedo.CaseViewOverdue}},
		{"operator: approval", op, procedo.CaseFilter{View: procedo.CaseViewApproval}},
		{"operator: mine by due", op, procedo.CaseFilter{View: procedo.CaseViewMine, Sort: procedo.CaseSortDue}},
		{"operator: page 20", op, procedo.CaseFilter{Open: &open, Offset: 19 * 50}},
		{"manager: new, all offices", mgr, procedo.CaseFilter{View: procedo.CaseViewNew}},
		{"manager: overdue, all", mgr, procedo.CaseFilter{View: procedo.CaseViewOverdue}},
		{"manager: expiring, office", mgr, procedo.CaseFilter{View: procedo.CaseViewExpiring, OrgUnitID: &sample[0].OrgUnitID}},
		{"search: surname", op, procedo.CaseFilter{Query: "bianchi", Open: &open}},
		{"search: name + word", op, procedo.CaseFilter{Query: "giulia dehors"}},
		{"search: surname, mine", op, procedo.CaseFilter{Query: "rossi", View: procedo.CaseViewMine}},
		{"search: typing, overdue", op, procedo.CaseFilter{Query: "ferr", View: procedo.CaseViewOverdue}},
		{"search: common word, new", op, procedo.CaseFilter{Query: "via", View: procedo.CaseViewNew}},
		{"search: manager, surname", mgr, procedo.CaseFilter{Query: "russo"}},
		{"search: codice fiscale", op, procedo.CaseFilter{Query: cf}},
		{"search: case number", op, procedo.CaseFilter{Query: id}},
	}
	fmt.Fprintf(m.Stdout, "database: %s with %d cases; %d rounds per query (first page of 50 with total count; badges = 6 counts)\n",
		db.Dialect(), total, *rounds)
	var all []time.Duration
	measure := func(name string, fn func(i int) (int, error)) error {
		var lat []time.Duration
		var n int
		for i := 0; i < *rounds; i++ {
			t0 := time.Now()
			c, err := fn(i)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			lat = append(lat, time.Since(t0))
			n = c
		}
		all = append(all, lat...)
		fmt.Fprintf(m.Stdout, "%-28s %8d  p50 %8v  p99 %8v\n", name, n, percentile(lat, 0.5).Round(time.Microsecond),
			percentile(lat, 0.99).Round(time.Microsecond))
		return nil
	}
	for _, q := range queries {
		if err := measure(q.name, func(int) (int, error) { _, n, err := cases.FindCases(q.ctx, q.f); return n, err }); err != nil {
			return err
		}
	}
	// The badges of the worklist tabs, also for a search (the worklist page
	// counts every view of what it searches).
	for _, b := range []struct {
		name  string
		ctx   context.Context
		query string
	}{{"badges: operator", op, ""}, {"badges: manager", mgr, ""}, {"badges: operator, surname", op, "bianchi"},
		{"badges: manager, common word", mgr, "via"}} {
		if err := measure(b.name, func(int) (int, error) {
			c, err := cases.CountCaseViews(b.ctx, procedo.CaseFilter{Query: b.query})
			return c[procedo.CaseViewOverdue], err
		}); err != nil {
			return err
		}
	}
	// The case page: the case, its history, its clock and its documents, for
	// cases picked at random over the whole database.
	rnd := rand.New(rand.NewPCG(1, 2))
	maxID := latest[0].ID
	if err := measure("case page (4 reads)", func(int) (int, error) {
		id := 1 + rnd.Int64N(maxID)
		if _, err := cases.FindCaseByID(mgr, id); procedo.ErrorCode(err) == procedo.ENOTFOUND {
			return 0, nil
		} else if err != nil {
			return 0, err
		}
		evs, err := cases.FindCaseEvents(mgr, id)
		if err != nil {
			return 0, err
		}
		if _, err := cases.FindCaseClock(mgr, id, procedo.Date{}); err != nil {
			return 0, err
		}
		docs, err := cases.FindCaseDocuments(mgr, id)
		return len(evs) + len(docs), err
	}); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "all: p99 %v (target < 50ms)\n", percentile(all, 0.99).Round(time.Microsecond))
	return nil
}
