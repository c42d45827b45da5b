// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/library"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// TestCaseSearch_MatchesScan checks that a search of cases by words, which
// reads the full-text index of every case or that of open cases, collects up
// to MaxCaseSearchCount+1 matches and pages them, finds what a plain scan of
// the cases listed without the words finds when they are filtered here: the
// same page in the same order and the same total (capped), for views, filters,
// sorts, pages and actors, and the same badge counts; and again after cases
// close and reopen (the index of open cases follows them).
func TestCaseSearch_MatchesScan(t *testing.T) {
	env := testkit.NewEnv(t)
	defs, err := library.Models()
	if err != nil {
		t.Fatal(err)
	}
	sys := env.A.As(procedo.SystemActor)
	if err := env.DB.GenerateCases(sys, defs[:6], 3000, nil); err != nil {
		t.Fatal(err)
	}
	// Another tenant's cases match the same words and must never show.
	if err := env.DB.GenerateCases(env.B.As(procedo.SystemActor), defs[:2], 300, nil); err != nil {
		t.Fatal(err)
	}
	cases := sqlstore.NewCaseService(env.DB)
	user := func(name string) context.Context {
		list, _, err := sqlstore.NewUserService(env.DB).FindUsers(sys, procedo.UserFilter{Username: &name})
		if err != nil || len(list) != 1 {
			t.Fatalf("user %s: %v %v", name, list, err)
		}
		return env.A.AsUser(list[0])
	}
	office := defs[0].OfficeCode
	opName, mgrName := sqlstore.BenchCaseStaff(office)
	op, mgr := user(opName), user(mgrName)
	ou, err := sqlstore.NewOrgUnitService(env.DB).FindOrgUnitByCode(sys, office)
	if err != nil {
		t.Fatal(err)
	}
	yes, no := true, false
	type combo struct {
		ctx context.Context
		f   procedo.CaseFilter
	}
	var combos []combo
	for _, q := range []string{"via", "rossi", "bianchi", "giulia dehors", "ferr", "ro", "suolo pubblico", "de luca", "xx sett", "nessunaparola"} {
		for _, c := range []combo{
			{op, procedo.CaseFilter{}},
			{op, procedo.CaseFilter{Open: &yes}},
			{op, procedo.CaseFilter{Open: &no, Sort: procedo.CaseSortOldest}},
			{op, procedo.CaseFilter{Sort: procedo.CaseSortDue, Offset: 50}},
			{op, procedo.CaseFilter{View: procedo.CaseViewNew}},
			{op, procedo.CaseFilter{View: procedo.CaseViewMine, Sort: procedo.CaseSortDue}},
			{op, procedo.CaseFilter{View: procedo.CaseViewOverdue}},
			{op, procedo.CaseFilter{View: procedo.CaseViewWaiting, Sort: procedo.CaseSortNewest}},
			{mgr, procedo.CaseFilter{}},
			{mgr, procedo.CaseFilter{Offset: 950, Limit: 100}},
			{mgr, procedo.CaseFilter{Offset: 1000}},
			{mgr, procedo.CaseFilter{Sort: procedo.CaseSortOldest, Offset: 990}},
			{mgr, procedo.CaseFilter{Sort: procedo.CaseSortDue, Offset: 980}},
			{mgr, procedo.CaseFilter{Open: &yes, Sort: procedo.CaseSortOldest}},
			{mgr, procedo.CaseFilter{View: procedo.CaseViewExpiring, Within: 60, OrgUnitID: &ou.ID}},
			{mgr, procedo.CaseFilter{View: procedo.CaseViewNew, Sort: procedo.CaseSortDue}},
			{mgr, procedo.CaseFilter{View: procedo.CaseViewApproval}},
			{sys, procedo.CaseFilter{Status: ptr(procedo.CaseSubmitted), Offset: 20}},
		} {
			c.f.Query = q
			combos = append(combos, c)
		}
	}
	check := func(t *testing.T) {
		t.Helper()
		for _, c := range combos {
			got, total, err := cases.FindCases(c.ctx, c.f)
			if err != nil {
				t.Fatalf("%+v: %v", c.f, err)
			}
			want := scanCases(t, cases, c.ctx, c.f)
			limit := c.f.Limit
			if limit == 0 {
				limit = 50
			}
			page := want[min(c.f.Offset, len(want)):min(c.f.Offset+limit, len(want))]
			if wantTotal := min(len(want), procedo.MaxCaseSearchCount+1); total != wantTotal || !equalIDs(caseIDs(got), caseIDs(page)) {
				t.Errorf("%q %+v: total %d, want %d; page %v, want %v", c.f.Query, c.f, total, wantTotal, caseIDs(got), caseIDs(page))
			}
			if c.f.View != "" || c.f.Offset != 0 {
				continue
			}
			counts, err := cases.CountCaseViews(c.ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range procedo.CaseViews {
				f := c.f
				f.View = v
				if n := min(len(scanCases(t, cases, c.ctx, f)), procedo.MaxCaseSearchCount+1); counts[v] != n {
					t.Errorf("%q %+v: view %s counts %d, want %d", c.f.Query, c.f, v, counts[v], n)
				}
			}
		}
	}
	t.Run("Generated", check)
	// Close open cases that match and reopen closed ones (beyond what open
	// searches count, and what PostgreSQL counts the badges of in one scan):
	// the index of open cases follows.
	var open, closed []int64
	for _, c := range scanCases(t, cases, sys, procedo.CaseFilter{Query: "via"}) {
		switch {
		case c.ClosedAt == nil && len(open) < 40:
			open = append(open, c.ID)
		case c.ClosedAt != nil && len(closed) < 2100:
			closed = append(closed, c.ID)
		}
	}
	if len(open) < 20 || len(closed) < 2100 {
		t.Fatalf("generated cases: %d open and %d closed match", len(open), len(closed))
	}
	exec := func(q string, ids []int64) {
		t.Helper()
		args := []any{}
		for _, id := range ids {
			args = append(args, id)
		}
		if err := env.DB.RawExec(context.Background(), fmt.Sprintf(q, strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")), args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE cases SET closed_at = '2026-01-02T10:00:00Z', clock_state = 'stopped' WHERE id IN (%s)`, open)
	exec(`UPDATE cases SET closed_at = NULL WHERE id IN (%s)`, closed)
	t.Run("ClosedAndReopened", check)
}

// scanCases lists every case f selects without its words, in f's order,
// and keeps those whose subject, applicant's name and codice fiscale hold the
// words (the last one as a prefix).
func scanCases(t *testing.T, cases *sqlstore.CaseService, ctx context.Context, f procedo.CaseFilter) []*procedo.Case {
	t.Helper()
	words := strings.Fields(strings.ToLower(f.Query))
	f.Query, f.Offset, f.Limit = "", 0, 500
	var out []*procedo.Case
	for {
		list, _, err := cases.FindCases(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list {
			if matchesWords(c.Subject+" "+c.ApplicantName+" "+c.ApplicantFiscalCode, words) {
				out = append(out, c)
			}
		}
		if len(list) < f.Limit {
			return out
		}
		f.Offset += f.Limit
	}
}

// matchesWords reports whether text holds every word as a whole word, the
// last as the start of one (the queries of the test have no stop words and
// no accents, whose folding differs between the databases).
func matchesWords(text string, words []string) bool {
	tokens := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		last := i == len(words)-1
		if !slices.ContainsFunc(tokens, func(tk string) bool { return tk == w || last && strings.HasPrefix(tk, w) }) {
			return false
		}
	}
	return true
}

func caseIDs(list []*procedo.Case) []int64 {
	out := make([]int64, len(list))
	for i, c := range list {
		out[i] = c.ID
	}
	return out
}
