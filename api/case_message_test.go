// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

func TestCaseMessages(t *testing.T) {
	f := newFixture(t)
	A := f.env.A
	id := f.Read.Case.ID
	url := fmt.Sprintf("/api/v1/cases/%d/messages", id)
	if _, err := sqlstore.NewCaseService(f.env.DB).SendCaseMessage(A.AsCitizen(testkit.Mario), id, "Posso passare in ufficio?", nil); err != nil {
		t.Fatal(err)
	}
	regs := countAPIRows(t, f, "registrations")
	f.run(t, []scenario{
		{name: "List", url: url, token: "A.operator", status: 200,
			want: []string{`"items":[{"id":`, `"direction":"in"`, `"direction_label":"Dal richiedente"`, `"body":"Posso passare in ufficio?"`,
				`"author_name":"Mario Rossi"`, `"protocol":"`, `"document_id":`}},
		{name: "ListAdmin", url: url, token: "A.admin", status: 200, want: []string{`"direction":"in"`}},
		{name: "ListManager", url: url, token: "A.manager", status: 200},
		{name: "ErrListRegistry", url: url, token: "A.registry", status: 404},
		{name: "ErrListNoToken", url: url, status: 401},
		{name: "ErrListOtherTenant", url: url, token: "B.manager", status: 404, notWant: []string{"ufficio?"}},
		{name: "ErrListOtherTenantAdmin", url: url, token: "B.admin", status: 404},
		{name: "ErrListNotFound", url: "/api/v1/cases/999999/messages", token: "A.operator", status: 404},
		{name: "ErrReplyAdmin", method: "POST", url: url, body: `{"message":"Risposta dell'amministratore"}`, token: "A.admin", status: 403},
		{name: "ErrReplyRegistry", method: "POST", url: url, body: `{"message":"x"}`, token: "A.registry", status: 404},
		{name: "ErrReplyOtherTenant", method: "POST", url: url, body: `{"message":"x"}`, token: "B.operator", status: 404},
		{name: "ErrReplyOtherTenantManager", method: "POST", url: url, body: `{"message":"x"}`, token: "B.manager", status: 404},
		{name: "ErrReplyNoToken", method: "POST", url: url, body: `{"message":"x"}`, status: 401},
		{name: "ErrReplyEmpty", method: "POST", url: url, body: `{"message":"  "}`, token: "A.operator", status: 422, want: []string{`"message":`}},
		{name: "ErrReplyTooLong", method: "POST", url: url, body: `{"message":"` + strings.Repeat("a", procedo.MaxMessageLength+1) + `"}`,
			token: "A.operator", status: 422, want: []string{`"message":`}},
		{name: "ErrReplyUnknownField", method: "POST", url: url, body: `{"text":"x"}`, token: "A.operator", status: 400},
	})
	if got := countAPIRows(t, f, "registrations"); got != regs {
		t.Fatalf("refused replies registered: %d, want %d", got, regs)
	}
	mails := countAPIRows(t, f, "mail_messages")
	f.run(t, []scenario{
		{name: "Reply", method: "POST", url: url, body: `{"message":"Sì, dal lunedì al venerdì dalle 9 alle 12."}`, token: "A.operator", status: 201,
			want: []string{`"direction":"out"`, `"direction_label":"Dall'ufficio"`, `"author_name":"Utente operatore"`, fmt.Sprintf(`"case_id":%d`, id)}},
		{name: "ReplyManager", method: "POST", url: url, body: `{"message":"Confermo."}`, token: "A.manager", status: 201},
		{name: "ListAfter", url: url, token: "A.operator", status: 200, want: []string{`"direction":"in"`, `"body":"Sì, dal lunedì`, `"body":"Confermo."`}},
	})
	if got := countAPIRows(t, f, "registrations"); got != regs+2 {
		t.Fatalf("registrations %d, want %d", got, regs+2)
	}
	if got := countAPIRows(t, f, "mail_messages"); got != mails+2 {
		t.Fatalf("mails %d, want %d", got, mails+2)
	}
	msgs, err := sqlstore.NewCaseService(f.env.DB).FindCaseMessages(A.AsCitizen(testkit.Mario), id)
	if err != nil || len(msgs) != 3 || msgs[1].Direction != procedo.MessageFromOffice {
		t.Fatalf("the applicant sees %v %v", msgs, err)
	}
}

func TestCasePayments(t *testing.T) {
	f := newFixture(t)
	A := f.env.A
	if err := testkit.Exec(f.env.DB, `UPDATE tenants SET fiscal_code = ? WHERE id = ?`, "01199250158", A.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	id := f.Read.Case.ID
	payments := sqlstore.NewPaymentService(f.env.DB)
	n, err := payments.RequestCasePayment(A.AsUser(A.Operator), id, procedo.CasePaymentRequest{Description: "Diritti di copia", Amount: 1250,
		Causale: "Diritti di copia - accesso agli atti", DueDate: procedo.NewDate(2030, 1, 31)})
	if err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("/api/v1/cases/%d/payments", id)
	f.run(t, []scenario{
		{name: "List", url: url, token: "A.operator", status: 200,
			want: []string{fmt.Sprintf(`"items":[{"id":%d,"case_id":%d,"notice_number":"%s","iuv":"%s"`, n.ID, id, n.NoticeNumber, n.IUV),
				`"amount_cents":1250`, `"description":"Diritti di copia"`, `"status":"unpaid"`, `"status_label":"Da pagare"`, `"paid_at":null`,
				`"due_date":"2030-01-31"`, `"creditor_fiscal_code":"01199250158"`, fmt.Sprintf(`"registration_id":%d`, *n.RegistrationID),
				fmt.Sprintf(`"document_id":%d`, *n.DocumentID), `"payer_fiscal_code":"` + testkit.Mario.FiscalCode + `"`}},
		{name: "ListAdmin", url: url, token: "A.admin", status: 200, want: []string{`"status":"unpaid"`}},
		{name: "ListManager", url: url, token: "A.manager", status: 200},
		{name: "OtherCaseHasNone", url: fmt.Sprintf("/api/v1/cases/%d/payments", f.Accept.Case.ID), token: "A.operator", status: 200,
			want: []string{`"items":[]`}},
		{name: "ErrRegistry", url: url, token: "A.registry", status: 404},
		{name: "ErrNoToken", url: url, status: 401},
		{name: "ErrOtherTenant", url: url, token: "B.manager", status: 404, notWant: []string{n.NoticeNumber.String()}},
		{name: "ErrOtherTenantAdmin", url: url, token: "B.admin", status: 404},
		{name: "ErrOtherTenantOperator", url: url, token: "B.operator", status: 404},
		{name: "ErrNotFound", url: "/api/v1/cases/999999/payments", token: "A.operator", status: 404},
		{name: "ErrMethod", method: "POST", url: url, body: `{}`, token: "A.operator", status: 405},
	})
	if _, err := payments.MarkPaid(A.As(procedo.SystemActor), n.NoticeNumber.String(), "demo", "DEMO-1"); err != nil {
		t.Fatal(err)
	}
	f.run(t, []scenario{
		{name: "Paid", url: url, token: "A.operator", status: 200, want: []string{`"status":"paid"`, `"status_label":"Pagato"`, `"paid_at":"`}},
		{name: "History", url: fmt.Sprintf("/api/v1/cases/%d", id), token: "A.operator", status: 200,
			want: []string{`"kind":"payment_request"`, `"kind":"payment_paid"`}},
	})
}

func countAPIRows(t *testing.T, f *fixture, table string) int {
	t.Helper()
	n, err := testkit.Count(f.env.DB, table)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
