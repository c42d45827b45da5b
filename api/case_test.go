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

func TestCaseList(t *testing.T) {
	f := newFixture(t)
	office := f.env.A.Office.ID
	f.run(t, []scenario{
		{name: "Operator", url: "/api/v1/cases", token: "A.operator", status: 200,
			want: []string{`"total":3`, `"page":1`, `"per_page":50`, `"status":"submitted"`, `"status_label":"Presentata"`,
				`"applicant":{"fiscal_code":"RSSMRA80A01H501U","name":"Mario Rossi"`, `"office":{"id":` + itoa(office) + `,"name":"Ufficio Segreteria"}`,
				`"decision":null`, `"closed_at":null`, `"transitions":[{"name":"accept","label":"Accogli","needs_reason":false,"allowed":true}`,
				`"procedure":"` + f.Read.Case.ProcedureTitle + `"`, `"start_date":"`, `"due_date":"`},
			notWant: []string{`"events"`}},
		{name: "Manager", url: "/api/v1/cases", token: "A.manager", status: 200, want: []string{`"total":3`}},
		{name: "AdminSeesButMayNotDecide", url: "/api/v1/cases", token: "A.admin", status: 200,
			want: []string{`"total":3`, `"allowed":false`}, notWant: []string{`"allowed":true`}},
		{name: "RegistrySeesNone", url: "/api/v1/cases", token: "A.registry", status: 200, want: []string{`"items":[]`, `"total":0`}},
		{name: "FilterStatus", url: "/api/v1/cases?status=accepted", token: "A.operator", status: 200, want: []string{`"items":[]`, `"total":0`}},
		{name: "FilterOpen", url: "/api/v1/cases?open=true&status=submitted", token: "A.operator", status: 200, want: []string{`"total":3`}},
		{name: "FilterClosed", url: "/api/v1/cases?open=false", token: "A.operator", status: 200, want: []string{`"total":0`}},
		{name: "FilterOffice", url: fmt.Sprintf("/api/v1/cases?office=%d", office), token: "A.manager", status: 200, want: []string{`"total":3`}},
		{name: "FilterOtherOffice", url: "/api/v1/cases?office=999999", token: "A.manager", status: 200, want: []string{`"total":0`}},
		{name: "Page", url: "/api/v1/cases?page=2&per_page=1", token: "A.operator", status: 200,
			want:    []string{`"total":3`, `"page":2`, `"per_page":1`, fmt.Sprintf(`"id":%d`, f.Accept.Case.ID)},
			notWant: []string{fmt.Sprintf(`{"id":%d,"procedure"`, f.Read.Case.ID)}},
		{name: "PageBeyondEnd", url: "/api/v1/cases?page=9", token: "A.operator", status: 200, want: []string{`"items":[]`, `"total":3`}},
		{name: "ErrBadStatus", url: "/api/v1/cases?status=open", token: "A.operator", status: 422,
			want: []string{`"code":"invalid"`, `"fields":{"status":`}},
		{name: "ErrBadOpen", url: "/api/v1/cases?open=yes", token: "A.operator", status: 422, want: []string{`"open":`}},
		{name: "ErrBadOffice", url: "/api/v1/cases?office=SEGR", token: "A.operator", status: 422, want: []string{`"office":`}},
		{name: "ErrBadPage", url: "/api/v1/cases?page=0&per_page=501", token: "A.operator", status: 422,
			want: []string{`"page":`, `"per_page":`}},
		{name: "ErrPageNotNumber", url: "/api/v1/cases?page=x", token: "A.operator", status: 422, want: []string{`"page":`}},
	})
}

func TestCaseView(t *testing.T) {
	f := newFixture(t)
	id := f.Read.Case.ID
	attachment := delega(t, f.Read)
	url := fmt.Sprintf("/api/v1/cases/%d", id)
	f.run(t, []scenario{
		{name: "Operator", url: url, token: "A.operator", status: 200,
			want: []string{fmt.Sprintf(`"id":%d`, id), fmt.Sprintf(`"registration_id":%d`, f.Read.Registration.ID),
				`"events":[{`, `"kind":"submitted"`, `"documents":[{`, `"filename":"delega.pdf"`, `"media_type":"application/pdf"`,
				`"sha256":"` + attachment.SHA256 + `"`, `"kind":"attachment"`, `"subject":"` + f.Read.Case.Subject + `"`}},
		{name: "Manager", url: url, token: "A.manager", status: 200, want: []string{`"events":[{`}},
		{name: "Admin", url: url, token: "A.admin", status: 200, want: []string{`"allowed":false`}},
		{name: "ErrRegistryCannotSee", url: url, token: "A.registry", status: 404, want: []string{`"code":"not_found"`}},
		{name: "ErrNotFound", url: "/api/v1/cases/999999", token: "A.operator", status: 404, want: []string{`"code":"not_found"`}},
		{name: "ErrNotANumber", url: "/api/v1/cases/abc", token: "A.operator", status: 404},
		{name: "ErrNegative", url: "/api/v1/cases/-1", token: "A.operator", status: 404},
	})
	t.Run("Fields", func(t *testing.T) {
		rec := f.do(t, "GET", url, "", "A.operator", nil)
		var got map[string]any
		decode(t, rec, &got)
		for _, k := range []string{"id", "procedure", "procedure_version_id", "status", "status_label", "subject", "applicant", "office",
			"responsible", "start_date", "term_days", "due_date", "registration_id", "decision", "created_at", "updated_at", "closed_at",
			"transitions", "events", "documents"} {
			if _, ok := got[k]; !ok {
				t.Errorf("no %q in %s", k, rec.Body)
			}
		}
		if got["start_date"] != f.Read.Case.StartDate.String() || got["due_date"] != f.Read.Case.DueDate.String() {
			t.Errorf("dates %v %v, want %v %v", got["start_date"], got["due_date"], f.Read.Case.StartDate, f.Read.Case.DueDate)
		}
		if s, _ := got["created_at"].(string); !strings.HasSuffix(s, "Z") || !strings.Contains(s, "T") {
			t.Errorf("created_at %q is not RFC 3339 UTC", s)
		}
	})
}

func TestCaseTransition(t *testing.T) {
	f := newFixture(t)
	tr := func(c *procedo.Receipt, name string) string {
		return fmt.Sprintf("/api/v1/cases/%d/transitions/%s", c.Case.ID, name)
	}
	f.run(t, []scenario{
		{name: "ErrRegistryCannotSee", method: "POST", url: tr(f.Accept, "accept"), token: "A.registry", status: 404},
		{name: "ErrAdminForbidden", method: "POST", url: tr(f.Accept, "accept"), token: "A.admin", status: 403,
			want: []string{`"code":"forbidden"`}},
		{name: "ErrUnknownTransition", method: "POST", url: tr(f.Accept, "approve"), token: "A.operator", status: 404},
		{name: "ErrMalformedJSON", method: "POST", url: tr(f.Reject, "reject"), body: `{"reason":`, token: "A.operator", status: 400,
			want: []string{`"code":"invalid"`}},
		{name: "ErrNotAnObject", method: "POST", url: tr(f.Reject, "reject"), body: `["no"]`, token: "A.operator", status: 400},
		{name: "ErrUnknownField", method: "POST", url: tr(f.Reject, "reject"), body: `{"reason":"x","motivo":"y"}`, token: "A.operator",
			status: 400, want: []string{`"code":"invalid"`}},
		{name: "ErrTrailingData", method: "POST", url: tr(f.Reject, "reject"), body: `{"reason":"x"} {}`, token: "A.operator", status: 400},
		{name: "ErrTooLarge", method: "POST", url: tr(f.Reject, "reject"), body: `{"reason":"` + strings.Repeat("a", 70<<10) + `"}`,
			token: "A.operator", status: 413, want: []string{`"code":"too_large"`}},
		{name: "ErrReasonTooLong", method: "POST", url: tr(f.Reject, "reject"), body: `{"reason":"` + strings.Repeat("a", 4001) + `"}`,
			token: "A.operator", status: 422, want: []string{`"fields":{"reason":`}},
		{name: "ErrRejectWithoutReason", method: "POST", url: tr(f.Reject, "reject"), token: "A.operator", status: 422,
			want: []string{`"code":"invalid"`, `"fields":{"reason":"Indica la motivazione."}`}},
		{name: "ErrRejectBlankReason", method: "POST", url: tr(f.Reject, "reject"), body: `{"reason":"   "}`, token: "A.operator", status: 422,
			want: []string{`"fields":{"reason":`}},
		{name: "Accept", method: "POST", url: tr(f.Accept, "accept"), token: "A.operator", status: 200,
			want:    []string{`"status":"accepted"`, `"status_label":"Accolta"`, `"decision":{"document_id":`, `"transitions":[]`},
			notWant: []string{`"closed_at":null`, `"decision":null`}},
		{name: "ErrAcceptTwice", method: "POST", url: tr(f.Accept, "accept"), token: "A.operator", status: 409,
			want: []string{`"code":"conflict"`}},
		{name: "ErrRejectAfterAccept", method: "POST", url: tr(f.Accept, "reject"), body: `{"reason":"ripensamento"}`, token: "A.manager",
			status: 409},
		{name: "Reject", method: "POST", url: tr(f.Reject, "reject"), body: `{"reason":"I documenti non sono detenuti dal Comune."}`,
			token: "A.manager", status: 200,
			want: []string{`"status":"rejected"`, `"reason":"I documenti non sono detenuti dal Comune."`}},
		{name: "ErrRejectTwice", method: "POST", url: tr(f.Reject, "reject"), body: `{"reason":"ancora"}`, token: "A.operator", status: 409},
		{name: "ListAccepted", url: "/api/v1/cases?status=accepted", token: "A.operator", status: 200,
			want: []string{`"total":1`, fmt.Sprintf(`"id":%d`, f.Accept.Case.ID)}},
		{name: "ListOpen", url: "/api/v1/cases?open=true", token: "A.operator", status: 200,
			want: []string{`"total":1`, fmt.Sprintf(`"id":%d`, f.Read.Case.ID)}},
		{name: "ViewDecided", url: fmt.Sprintf("/api/v1/cases/%d", f.Accept.Case.ID), token: "A.operator", status: 200,
			want: []string{`"kind":"transition"`, `"transition":"accept"`, `"kind":"decision"`, `"to_status":"accepted"`}},
	})
	t.Run("DecisionStored", func(t *testing.T) {
		c, err := sqlstore.NewCaseService(f.env.DB).FindCaseByID(f.env.A.AsUser(f.env.A.Manager), f.Accept.Case.ID)
		if err != nil || c.Status != procedo.CaseAccepted || c.DecisionDocumentID == nil || c.DecisionRegistrationID == nil {
			t.Fatalf("case %+v %v", c, err)
		}
		rec := f.do(t, "GET", fmt.Sprintf("/api/v1/documents/%d/content", *c.DecisionDocumentID), "", "A.operator", nil)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/pdf" || !strings.HasPrefix(rec.Body.String(), "%PDF") {
			t.Fatalf("decision content: %d %v", rec.Code, rec.Header())
		}
		rec = f.do(t, "GET", "/api/v1/registrations?direction=U", "", "A.registry", nil)
		var list struct {
			Items []struct {
				ID        int64  `json:"id"`
				Direction string `json:"direction"`
			} `json:"items"`
			Total int `json:"total"`
		}
		decode(t, rec, &list)
		if list.Total != 2 || len(list.Items) != 2 || list.Items[1].ID != *c.DecisionRegistrationID || list.Items[1].Direction != "U" {
			t.Fatalf("outgoing registrations %s, want the accept's (id %d) second", rec.Body, *c.DecisionRegistrationID)
		}
	})
}

func itoa(n int64) string { return fmt.Sprint(n) }

// delega returns the attachment MustSubmit uploads with r's application.
func delega(t *testing.T, r *procedo.Receipt) *procedo.Document {
	t.Helper()
	for _, d := range r.Application.Documents {
		if d.Filename == "delega.pdf" {
			return d
		}
	}
	t.Fatalf("no delega.pdf among %v", r.Application.Documents)
	return nil
}
