// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

// mustDailyRegister produces c's daily register of today, moving the clock of
// the store a day ahead (a daily register is made once the day is over).
func (f *fixture) mustDailyRegister(t *testing.T, c *testkit.Comune) *procedo.DailyRegister {
	t.Helper()
	f.env.DB.Now = func() time.Time { return time.Now().Add(24 * time.Hour) }
	d, err := sqlstore.NewDailyRegisterService(f.env.DB).ProduceDailyRegister(c.As(procedo.SystemActor), procedo.DateOf(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDailyRegisterView(t *testing.T) {
	f := newRegistryFixture(t)
	d := f.mustDailyRegister(t, f.env.A)
	reg, err := sqlstore.NewRegistrationService(f.env.DB).FindRegistrationByID(f.env.A.AsUser(f.env.A.Registry), d.RegistrationID)
	if err != nil {
		t.Fatal(err)
	}
	today := procedo.DateOf(time.Now())
	url := "/api/v1/daily-registers/" + today.String()
	want := []string{`"day":"` + today.String() + `"`, `"entries":3`, `"changes":0`, `"chain_head":"` + f.Reject.Registration.ChainHash + `"`,
		`"conservation_due":"` + d.ConservationDue.String() + `"`, fmt.Sprintf(`"json_document_id":%d`, d.JSONDocumentID),
		fmt.Sprintf(`"pdf_document_id":%d`, d.PDFDocumentID),
		fmt.Sprintf(`"registration":{"id":%d,"year":%d,"number":%d,"number_string":"%s"}`, reg.ID, reg.Year, reg.Number, reg.NumberString()),
		`"created_at":"`}
	f.run(t, []scenario{
		{name: "Registry", url: url, token: "A.registry", status: 200, want: want},
		{name: "Records", url: url, token: "A.records", status: 200, want: want},
		{name: "Admin", url: url, token: "A.admin", status: 200, want: want},
		{name: "ErrOperator", url: url, token: "A.operator", status: 403, want: []string{`"code":"forbidden"`}, notWant: []string{`"chain_head"`}},
		{name: "ErrManager", url: url, token: "A.manager", status: 403},
		{name: "ErrNoToken", url: url, status: 401},
		{name: "ErrOtherDay", url: "/api/v1/daily-registers/" + today.AddDays(-1).String(), token: "A.registry", status: 404,
			want: []string{`"code":"not_found"`}},
		{name: "ErrItalianDate", url: "/api/v1/daily-registers/" + today.Italian(), token: "A.registry", status: 404},
		{name: "ErrNoSuchDay", url: "/api/v1/daily-registers/2026-02-30", token: "A.registry", status: 404},
		{name: "ErrWrongMethod", method: "POST", url: url, token: "A.registry", status: 405, headers: map[string]string{"Allow": "GET"}},
		{name: "JSONDocument", url: fmt.Sprintf("/api/v1/documents/%d/content", d.JSONDocumentID), token: "A.registry", status: 200,
			want: []string{`registro giornaliero`, f.Reject.Registration.ChainHash}},
		{name: "PDFDocument", url: fmt.Sprintf("/api/v1/documents/%d/content", d.PDFDocumentID), token: "A.registry", status: 200,
			want: []string{`%PDF`}},
	})
}
