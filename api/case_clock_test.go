// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
)

func TestCaseList_Worklists(t *testing.T) {
	f := newFixture(t)
	A := f.env.A
	// The operator takes Read: it leaves "new" and enters "mine".
	if _, err := sqlstore.NewCaseService(f.env.DB).AssignCase(A.AsUser(A.Operator), f.Read.Case.ID, A.Operator.ID); err != nil {
		t.Fatal(err)
	}
	f.run(t, []scenario{
		{name: "New", url: "/api/v1/cases?view=new", token: "A.operator", status: 200, want: []string{`"total":2`}},
		{name: "Mine", url: "/api/v1/cases?view=mine", token: "A.operator", status: 200,
			want: []string{`"total":1`, fmt.Sprintf(`"id":%d`, f.Read.Case.ID), fmt.Sprintf(`"responsible_user_id":%d`, A.Operator.ID),
				`"responsible":"Utente operatore"`, `"clock_state":"running"`, `"waiting":""`, `"late":false`, `"regime":"silenzio-rigetto"`}},
		{name: "MineOfManager", url: "/api/v1/cases?view=mine", token: "A.manager", status: 200, want: []string{`"total":0`}},
		{name: "All", url: "/api/v1/cases?view=all", token: "A.operator", status: 200, want: []string{`"total":3`}},
		{name: "Waiting", url: "/api/v1/cases?view=waiting", token: "A.operator", status: 200, want: []string{`"total":0`}},
		{name: "Search", url: "/api/v1/cases?q=Verdi", token: "A.operator", status: 200,
			want: []string{`"total":1`, fmt.Sprintf(`"id":%d`, f.Reject.Case.ID)}},
		{name: "SearchCaseNumber", url: fmt.Sprintf("/api/v1/cases?q=n.%d", f.Accept.Case.ID), token: "A.operator", status: 200,
			want: []string{`"total":1`, fmt.Sprintf(`"id":%d`, f.Accept.Case.ID)}},
		{name: "SortOldest", url: "/api/v1/cases?sort=oldest&per_page=1", token: "A.operator", status: 200,
			want: []string{`"total":3`, fmt.Sprintf(`"items":[{"id":%d,`, f.Read.Case.ID)}},
		{name: "SortNewest", url: "/api/v1/cases?sort=newest&per_page=1", token: "A.operator", status: 200,
			want: []string{fmt.Sprintf(`"items":[{"id":%d,`, f.Reject.Case.ID)}},
		{name: "Responsible", url: fmt.Sprintf("/api/v1/cases?responsible=%d", A.Operator.ID), token: "A.manager", status: 200,
			want: []string{`"total":1`}},
		{name: "Procedure", url: fmt.Sprintf("/api/v1/cases?procedure=%d", A.Version.ProcedureTypeID), token: "A.manager", status: 200,
			want: []string{`"total":3`}},
		{name: "OtherProcedure", url: "/api/v1/cases?procedure=999999", token: "A.manager", status: 200, want: []string{`"total":0`}},
		{name: "ErrBadView", url: "/api/v1/cases?view=urgenti", token: "A.operator", status: 422, want: []string{`"view":`}},
		{name: "ErrBadSort", url: "/api/v1/cases?sort=casuale", token: "A.operator", status: 422, want: []string{`"sort":`}},
		{name: "ErrBadIDs", url: "/api/v1/cases?responsible=io&procedure=x", token: "A.operator", status: 422,
			want: []string{`"responsible":`, `"procedure":`}},
		{name: "ErrLongSearch", url: "/api/v1/cases?q=" + strings.Repeat("a", 201), token: "A.operator", status: 422, want: []string{`"q":`}},
		{name: "OtherTenantSearch", url: "/api/v1/cases?q=Rossi", token: "B.manager", status: 200, want: []string{`"total":0`}},
	})
}

func TestCaseView_Clock(t *testing.T) {
	f := newFixture(t)
	url := fmt.Sprintf("/api/v1/cases/%d", f.Read.Case.ID)
	f.run(t, []scenario{
		{name: "Detail", url: url, token: "A.operator", status: 200,
			want: []string{`"clock_summary":"Scade il `, `"days_left":`, `"overdue":false`, `"waiting_label":""`, `"label":"Istanza presentata"`,
				`"awaiting_approval":false`, `"silence_formed_on":null`}},
		{name: "Clock", url: url + "/clock", token: "A.operator", status: 200,
			want: []string{fmt.Sprintf(`"case_id":%d`, f.Read.Case.ID), `"term_days":30`, `"state":"running"`, `"state_label":"Termine in corso"`,
				`"due_date":"` + f.Read.Case.DueDate.String() + `"`, `"start":"` + f.Read.Case.StartDate.String() + `"`, `"events":[]`,
				`"overdue":false`, `"summary":"Scade il `, `"explanation":["`, `"labels":[`, `"suspended_since":null`}},
		{name: "ClockAt", url: url + "/clock?at=" + f.Read.Case.DueDate.AddDays(3).String(), token: "A.manager", status: 200,
			want: []string{`"days_left":-3`, `"overdue":true`, `"summary":"Scaduto il `}},
		{name: "ClockManager", url: url + "/clock", token: "A.manager", status: 200},
		{name: "ClockAdmin", url: url + "/clock", token: "A.admin", status: 200},
		{name: "ErrClockBadDate", url: url + "/clock?at=ieri", token: "A.operator", status: 422, want: []string{`"at":`}},
		{name: "ErrClockRegistry", url: url + "/clock", token: "A.registry", status: 404},
		{name: "ErrClockNoToken", url: url + "/clock", status: 401},
		{name: "ErrClockNotFound", url: "/api/v1/cases/999999/clock", token: "A.operator", status: 404},
		{name: "ErrClockOtherTenant", url: url + "/clock", token: "B.manager", status: 404, notWant: []string{"Mario"}},
		{name: "ErrClockOtherTenantAdmin", url: url + "/clock", token: "B.admin", status: 404},
	})
	t.Run("Suspended", func(t *testing.T) {
		A := f.env.A
		if _, err := sqlstore.NewCaseService(f.env.DB).TransitionCase(A.AsUser(A.Operator), f.Accept.Case.ID, "request_integration",
			"Manca la delega."); err != nil {
			t.Fatal(err)
		}
		f.run(t, []scenario{
			{name: "Clock", url: fmt.Sprintf("/api/v1/cases/%d/clock", f.Accept.Case.ID), token: "A.operator", status: 200,
				want: []string{`"state":"suspended"`, `"kind":"suspend"`, `"cause":"integration"`, `"transition":"request_integration"`,
					`"waiting":"integration"`, `"suspended_since":"`}},
			{name: "Case", url: fmt.Sprintf("/api/v1/cases/%d", f.Accept.Case.ID), token: "A.operator", status: 200,
				want: []string{`"clock_state":"suspended"`, `"waiting":"integration"`, `"waiting_until":"`, `"clock_summary":"Termine sospeso dal `}},
			{name: "Waiting", url: "/api/v1/cases?view=waiting", token: "A.operator", status: 200, want: []string{`"total":1`}},
			// A second integration request is refused (art. 2 c.7), however it is asked.
			{name: "ErrSecondRequest", method: "POST", url: fmt.Sprintf("/api/v1/cases/%d/transitions/request_integration", f.Accept.Case.ID),
				body: `{"reason":"ancora"}`, token: "A.operator", status: 409},
		})
	})
}

func TestCaseTransition_Text(t *testing.T) {
	f := newFixture(t)
	tr := fmt.Sprintf("/api/v1/cases/%d/transitions/", f.Reject.Case.ID)
	f.run(t, []scenario{
		{name: "ErrTextTooLong", method: "POST", url: tr + "reject", token: "A.operator", status: 422,
			body: `{"reason":"x","text":"` + strings.Repeat("a", procedo.MaxDocumentTextLength+1) + `"}`, want: []string{`"text":`}},
		{name: "ErrTextWithoutDocument", method: "POST", url: tr + "record_withdrawal", token: "A.operator", status: 422,
			body: `{"reason":"rinuncia","text":"testo"}`, want: []string{`"text":`}},
		{name: "RejectWithText", method: "POST", url: tr + "reject", token: "A.operator", status: 200,
			body: `{"reason":"Documenti già pubblicati.","text":"Testo del diniego scritto dall'operatore."}`,
			want: []string{`"status":"rejected"`, `"late":false`, `"clock_state":"stopped"`}},
	})
}

func TestCaseAssignment(t *testing.T) {
	f := newFixture(t)
	A, B := f.env.A, f.env.B
	as := func(id int64) string { return fmt.Sprintf("/api/v1/cases/%d/assignment", id) }
	body := func(u int64) string { return fmt.Sprintf(`{"user_id":%d}`, u) }
	f.run(t, []scenario{
		{name: "ErrOperatorAssignsOthers", method: "POST", url: as(f.Read.Case.ID), body: body(A.Manager.ID), token: "A.operator", status: 403},
		{name: "ErrAdmin", method: "POST", url: as(f.Read.Case.ID), body: body(A.Admin.ID), token: "A.admin", status: 422,
			want: []string{`"user_id":`}},
		{name: "ErrAdminAssignsOperator", method: "POST", url: as(f.Read.Case.ID), body: body(A.Operator.ID), token: "A.admin", status: 403},
		{name: "ErrRegistry", method: "POST", url: as(f.Read.Case.ID), body: body(A.Operator.ID), token: "A.registry", status: 404},
		{name: "ErrOtherTenant", method: "POST", url: as(f.Read.Case.ID), body: body(B.Operator.ID), token: "B.manager", status: 404,
			notWant: []string{"Mario"}},
		{name: "ErrOtherTenantZero", method: "POST", url: as(f.Read.Case.ID), body: `{"user_id":0}`, token: "B.manager", status: 404},
		{name: "ErrAssigneeOfOtherTenant", method: "POST", url: as(f.Read.Case.ID), body: body(B.Operator.ID), token: "A.manager", status: 422,
			want: []string{`"user_id":`}},
		{name: "ErrMissingUser", method: "POST", url: as(f.Read.Case.ID), body: `{}`, token: "A.manager", status: 422, want: []string{`"user_id":`}},
		{name: "ErrBadBody", method: "POST", url: as(f.Read.Case.ID), body: `{"user":1}`, token: "A.manager", status: 400},
		{name: "ErrNoToken", method: "POST", url: as(f.Read.Case.ID), body: body(A.Operator.ID), status: 401},
		{name: "ErrNotFound", method: "POST", url: as(999999), body: body(A.Operator.ID), token: "A.manager", status: 404},
		{name: "Take", method: "POST", url: as(f.Read.Case.ID), body: body(A.Operator.ID), token: "A.operator", status: 200,
			want: []string{fmt.Sprintf(`"responsible_user_id":%d`, A.Operator.ID), `"responsible":"Utente operatore"`}},
		{name: "ErrTakenBySomeoneElse", method: "POST", url: as(f.Read.Case.ID), body: body(A.Manager.ID), token: "A.operator", status: 403},
		{name: "ManagerReassigns", method: "POST", url: as(f.Read.Case.ID), body: body(A.Manager.ID), token: "A.manager", status: 200,
			want: []string{fmt.Sprintf(`"responsible_user_id":%d`, A.Manager.ID)}},
		{name: "ErrOperatorTakesAssigned", method: "POST", url: as(f.Read.Case.ID), body: body(A.Operator.ID), token: "A.operator", status: 409},
		{name: "History", url: fmt.Sprintf("/api/v1/cases/%d", f.Read.Case.ID), token: "A.operator", status: 200,
			want: []string{`"kind":"assigned"`, `"label":"Assegnazione del responsabile"`}},
	})
}
