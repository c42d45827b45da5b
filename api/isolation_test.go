// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"fmt"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
)

// TestTenantIsolation proves DESIGN.md invariant 5 through the API: every
// token of Comune B gets the same "not found" for Comune A's cases, documents
// and registrations as for objects that do not exist, and its transitions
// change nothing, whatever host the request names.
func TestTenantIsolation(t *testing.T) {
	f := newFixture(t)
	// A decided case gives A a decision document and an outgoing registration too.
	if rec := f.do(t, "POST", fmt.Sprintf("/api/v1/cases/%d/transitions/accept", f.Accept.Case.ID), "", "A.operator", nil); rec.Code != 200 {
		t.Fatalf("accept: %d %s", rec.Code, rec.Body)
	}
	decided, err := sqlstore.NewCaseService(f.env.DB).FindCaseByID(f.env.A.AsUser(f.env.A.Manager), f.Accept.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	notFoundCase := f.do(t, "GET", "/api/v1/cases/999999", "", "B.manager", nil).Body.String()
	attachment := delega(t, f.Read).ID
	year := f.Read.Registration.Year
	for _, role := range roles {
		token := "B." + role
		var scenarios []scenario
		for _, id := range []int64{f.Read.Case.ID, f.Accept.Case.ID} {
			scenarios = append(scenarios,
				scenario{name: fmt.Sprintf("Case%d", id), url: fmt.Sprintf("/api/v1/cases/%d", id), token: token, status: 404,
					want: []string{notFoundCase[:len(notFoundCase)-1]}},
				scenario{name: fmt.Sprintf("Accept%d", id), method: "POST", url: fmt.Sprintf("/api/v1/cases/%d/transitions/accept", id),
					token: token, status: 404, want: []string{`"code":"not_found"`}},
				scenario{name: fmt.Sprintf("Reject%d", id), method: "POST", url: fmt.Sprintf("/api/v1/cases/%d/transitions/reject", id),
					body: `{"reason":"tentativo da un altro ente"}`, token: token, status: 404},
			)
		}
		for _, id := range []int64{attachment, *decided.DecisionDocumentID} {
			scenarios = append(scenarios,
				scenario{name: fmt.Sprintf("Document%d", id), url: fmt.Sprintf("/api/v1/documents/%d", id), token: token, status: 404,
					want: []string{`"code":"not_found"`}},
				scenario{name: fmt.Sprintf("Content%d", id), url: fmt.Sprintf("/api/v1/documents/%d/content", id), token: token, status: 404,
					want: []string{`"code":"not_found"`}, notWant: []string{"%PDF"}},
			)
		}
		if role != "registry" {
			scenarios = append(scenarios, scenario{name: "CaseList", url: "/api/v1/cases", token: token, status: 200,
				want:    []string{`"total":1`, fmt.Sprintf(`"id":%d`, f.B.Case.ID)},
				notWant: []string{"RSSMRA80A01H501U", fmt.Sprintf(`{"id":%d,"procedure"`, f.Read.Case.ID), fmt.Sprintf(`{"id":%d,"procedure"`, f.Accept.Case.ID)}})
		}
		scenarios = append(scenarios,
			// By number B finds its own register: its entry 1, never A's.
			scenario{name: "RegistrationOwnNumber", url: fmt.Sprintf("/api/v1/registrations/%d/1", year), token: token, status: 200,
				want:    []string{fmt.Sprintf(`"id":%d,`, f.B.Registration.ID), `"chain_hash":"` + f.B.Registration.ChainHash + `"`},
				notWant: []string{fmt.Sprintf(`"id":%d,`, f.Read.Registration.ID), f.Read.Registration.ChainHash, "Mario Rossi"}},
			scenario{name: "RegistrationOnlyInA", url: fmt.Sprintf("/api/v1/registrations/%d/2", year), token: token, status: 404},
			scenario{name: "RegistrationDecisionOfA", url: fmt.Sprintf("/api/v1/registrations/%d/4", year), token: token, status: 404},
			scenario{name: "RegistrationList", url: "/api/v1/registrations", token: token, status: 200,
				want:    []string{`"total":1`, fmt.Sprintf(`"id":%d,`, f.B.Registration.ID)},
				notWant: []string{"Mario Rossi", f.Read.Registration.ChainHash}},
			scenario{name: "RegistrationFilterA", url: fmt.Sprintf("/api/v1/registrations?year=%d&number=3", year), token: token, status: 200,
				want: []string{`"items":[]`, `"total":0`}},
		)
		t.Run(role, func(t *testing.T) { f.run(t, scenarios) })
	}
	t.Run("NothingChanged", func(t *testing.T) {
		ctx := f.env.A.AsUser(f.env.A.Manager)
		c, err := sqlstore.NewCaseService(f.env.DB).FindCaseByID(ctx, f.Read.Case.ID)
		if err != nil || c.Status != procedo.CaseSubmitted {
			t.Fatalf("A's case after B's attempts: %+v %v", c, err)
		}
		evs, err := sqlstore.NewCaseService(f.env.DB).FindCaseEvents(ctx, f.Accept.Case.ID)
		if err != nil || len(evs) != 2 {
			t.Fatalf("events %v %v", evs, err)
		}
		_, total, err := sqlstore.NewRegistrationService(f.env.DB).FindRegistrations(ctx, procedo.RegistrationFilter{})
		if err != nil || total != 4 {
			t.Fatalf("A's register has %d entries, want 4: %v", total, err)
		}
	})
}
