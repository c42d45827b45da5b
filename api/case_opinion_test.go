// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

func TestCaseOpinions(t *testing.T) {
	f := newFixture(t)
	cases := f.server.Cases.(*sqlstore.CaseService)
	f.server.CaseOpinions, f.server.Blobs = cases, f.env.DB.Blobs
	A := f.env.A
	sys := A.As(procedo.SystemActor)
	tec := &procedo.OrgUnit{Code: "TEC", Name: "Ufficio Tecnico", Email: "tecnico@a.test"}
	if err := sqlstore.NewOrgUnitService(f.env.DB).CreateOrgUnit(sys, tec); err != nil {
		t.Fatal(err)
	}
	users := sqlstore.NewUserService(f.env.DB)
	tecUser := &procedo.User{Username: "tecnico", FullName: "Tea Tecnico", Roles: []procedo.Role{procedo.RoleOperator}, OrgUnitID: &tec.ID}
	if err := users.CreateUser(sys, tecUser, testkit.Password); err != nil {
		t.Fatal(err)
	}
	tok, err := users.CreateToken(A.AsUser(A.Admin), tecUser.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	f.tokens["A.tecnico"] = tok
	id := f.Read.Case.ID
	url := fmt.Sprintf("/api/v1/cases/%d/opinions", id)
	internal := fmt.Sprintf(`{"office_id":%d,"question":"La documentazione è completa?","days":10,"document_ids":[%d]}`, tec.ID, delega(t, f.Read).ID)
	count := func(table string) int {
		n, err := testkit.Count(f.env.DB, table)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	regs := count("registrations")
	f.run(t, []scenario{
		{name: "ListEmpty", url: url, token: "A.operator", status: 200, want: []string{`{"items":[]}`}},
		{name: "ErrListOtherTenant", url: url, token: "B.manager", status: 404},
		{name: "ErrListRegistry", url: url, token: "A.registry", status: 404},
		{name: "ErrListNoToken", url: url, status: 401},
		{name: "ErrRequestAdmin", method: "POST", url: url, body: internal, token: "A.admin", status: 403},
		{name: "ErrRequestRegistry", method: "POST", url: url, body: internal, token: "A.registry", status: 404},
		{name: "ErrRequestOfficeAsked", method: "POST", url: url, body: internal, token: "A.tecnico", status: 404},
		{name: "ErrRequestOtherTenant", method: "POST", url: url, body: internal, token: "B.operator", status: 404},
		{name: "ErrRequestOtherTenantManager", method: "POST", url: url, body: internal, token: "B.manager", status: 404},
		{name: "ErrRequestNoToken", method: "POST", url: url, body: internal, status: 401},
		{name: "ErrRequestEmpty", method: "POST", url: url, body: `{}`, token: "A.operator", status: 422,
			want: []string{`"recipient":`, `"question":`}},
		{name: "ErrRequestDays", method: "POST", url: url, body: fmt.Sprintf(`{"office_id":%d,"question":"x","days":91}`, tec.ID), token: "A.operator",
			status: 422, want: []string{`"days":"Il termine per il parere va da 1 a 90 giorni."`}},
		{name: "ErrRequestOfficeOfB", method: "POST", url: url, body: fmt.Sprintf(`{"office_id":%d,"question":"x"}`, f.env.B.Office.ID),
			token: "A.operator", status: 422, want: []string{`"org_unit_id":`}},
		{name: "ErrRequestSuspend", method: "POST", url: url, body: fmt.Sprintf(`{"office_id":%d,"question":"x","suspend":true}`, tec.ID),
			token: "A.operator", status: 422, want: []string{`"suspend":`}},
		{name: "ErrRequestUnknownField", method: "POST", url: url, body: `{"ufficio":1}`, token: "A.operator", status: 400},
		{name: "ErrRequestNotFound", method: "POST", url: "/api/v1/cases/999999/opinions", body: internal, token: "A.operator", status: 404},
	})
	if got := count("registrations"); got != regs {
		t.Fatalf("refused requests registered: %d, want %d", got, regs)
	}
	f.run(t, []scenario{
		{name: "RequestInternal", method: "POST", url: url, body: internal, token: "A.operator", status: 201,
			want: []string{`"recipient":"internal"`, fmt.Sprintf(`"office":{"id":%d,"name":"Ufficio Tecnico"}`, tec.ID), `"external":null`,
				`"days":10`, `"status":"requested"`, `"status_label":"Richiesto"`, `"suspends":false`, `"answer":null`, `"request":{"registration_id":`}},
		{name: "RequestExternal", method: "POST", url: url, token: "A.manager", status: 201,
			body: `{"external_name":"ASL Lecce","external_email":"protocollo@pec.asl.example.it","question":"Parere igienico-sanitario"}`,
			want: []string{`"recipient":"external"`, `"office":null`, `"external":{"name":"ASL Lecce","email":"protocollo@pec.asl.example.it"}`, `"days":20`}},
		{name: "List", url: url, token: "A.operator", status: 200, want: []string{`"recipient":"internal"`, `"recipient":"external"`}},
	})
	if got := count("registrations"); got != regs+2 {
		t.Fatalf("registrations %d, want %d", got, regs+2)
	}
	ops, err := cases.FindCaseOpinions(A.AsUser(A.Operator), id)
	if err != nil || len(ops) != 2 {
		t.Fatalf("%v %v", ops, err)
	}
	in, ex := fmt.Sprintf("/api/v1/opinions/%d/answer", ops[0].ID), fmt.Sprintf("/api/v1/opinions/%d/answer", ops[1].ID)
	pdf := base64.StdEncoding.EncodeToString([]byte("%PDF-1.4\n% parere ASL\n"))
	f.run(t, []scenario{
		{name: "ErrAnswerRequestingOffice", method: "POST", url: in, body: `{"outcome":"favourable"}`, token: "A.operator", status: 403},
		{name: "ErrAnswerAdmin", method: "POST", url: in, body: `{"outcome":"favourable"}`, token: "A.admin", status: 403},
		{name: "ErrAnswerRegistryInternal", method: "POST", url: in, body: `{"outcome":"favourable"}`, token: "A.registry", status: 404},
		{name: "ErrAnswerOtherTenant", method: "POST", url: in, body: `{"outcome":"favourable"}`, token: "B.operator", status: 404},
		{name: "ErrAnswerOtherTenantRegistry", method: "POST", url: ex, body: `{"outcome":"favourable"}`, token: "B.registry", status: 404},
		{name: "ErrAnswerOfficeAskedExternal", method: "POST", url: ex, body: `{"outcome":"favourable"}`, token: "A.tecnico", status: 404},
		{name: "ErrAnswerNoToken", method: "POST", url: in, body: `{"outcome":"favourable"}`, status: 401},
		{name: "ErrAnswerNotFound", method: "POST", url: "/api/v1/opinions/999999/answer", body: `{"outcome":"favourable"}`, token: "A.tecnico", status: 404},
		{name: "ErrAnswerBadID", method: "POST", url: "/api/v1/opinions/abc/answer", body: `{"outcome":"favourable"}`, token: "A.tecnico", status: 404},
		{name: "ErrAnswerOutcome", method: "POST", url: in, body: `{"outcome":"forse"}`, token: "A.tecnico", status: 422, want: []string{`"outcome":`}},
		{name: "ErrAnswerNoMotivation", method: "POST", url: in, body: `{"outcome":"unfavourable"}`, token: "A.tecnico", status: 422,
			want: []string{`"text":`}},
		{name: "ErrAnswerBadFile", method: "POST", url: ex, body: `{"outcome":"favourable","file":{"filename":"p.pdf","content_base64":"%%%"}}`,
			token: "A.registry", status: 422, want: []string{`"file":`}},
		{name: "ErrAnswerEmptyBody", method: "POST", url: in, token: "A.tecnico", status: 400},
		{name: "AnswerInternal", method: "POST", url: in, body: `{"outcome":"conditional","text":"Manca la planimetria aggiornata."}`, token: "A.tecnico",
			status: 200, want: []string{`"status":"given"`, `"status_label":"Reso"`, `"outcome":"conditional"`,
				`"outcome_label":"Favorevole con prescrizioni"`, `"text":"Manca la planimetria aggiornata."`, `"answered_by":"Tea Tecnico"`,
				`"file_document_id":null`}},
		{name: "ErrAnswerTwice", method: "POST", url: in, body: `{"outcome":"favourable"}`, token: "A.tecnico", status: 409},
		{name: "AnswerExternalByRegistry", method: "POST", url: ex, token: "A.registry", status: 200,
			body:    `{"outcome":"favourable","sender_protocol":"n. 4521 del 14/03/2026","file":{"filename":"parere-asl.pdf","content_base64":"` + pdf + `"}}`,
			want:    []string{`"status":"given"`, `"sender_protocol":"n. 4521 del 14/03/2026"`, `"file_document_id":`},
			notWant: []string{`"file_document_id":null`}},
	})
	reg, err := sqlstore.NewRegistrationService(f.env.DB).FindRegistrationByID(A.AsUser(A.Registry), *mustOpinion(t, cases, A, ops[1].ID).AnswerRegistrationID)
	if err != nil || reg.Direction != procedo.DirectionIncoming || !strings.Contains(reg.Subject, "Parere") {
		t.Fatalf("answer registration %+v %v", reg, err)
	}
}

func mustOpinion(t *testing.T, cases *sqlstore.CaseService, c *testkit.Comune, id int64) *procedo.CaseOpinion {
	t.Helper()
	file, err := cases.FindOpinionByID(c.AsUser(c.Operator), id)
	if err != nil {
		t.Fatal(err)
	}
	return file.Opinion
}
