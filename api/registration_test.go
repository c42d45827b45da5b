// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"fmt"
	"testing"
)

func TestRegistration(t *testing.T) {
	f := newFixture(t)
	reg := f.Read.Registration
	year := reg.Year
	f.run(t, []scenario{
		{name: "List", url: "/api/v1/registrations", token: "A.registry", status: 200,
			want: []string{`"total":3`, `"page":1`, `"number":3`, `"number_string":"0000003"`, `"register":"PG"`, `"direction":"E"`,
				`"correspondents":[{"name":"Mario Rossi","fiscal_code":"RSSMRA80A01H501U"`, `"prev_hash":"`, `"chain_hash":"`,
				`"annulled_at":null`, `"channel":"online"`}},
		{name: "ListByOperator", url: "/api/v1/registrations", token: "A.operator", status: 200, want: []string{`"total":3`}},
		{name: "FilterNumber", url: fmt.Sprintf("/api/v1/registrations?year=%d&number=1", year), token: "A.registry", status: 200,
			want: []string{`"total":1`, fmt.Sprintf(`"id":%d`, reg.ID)}},
		{name: "FilterDirection", url: "/api/v1/registrations?direction=U", token: "A.registry", status: 200,
			want: []string{`"items":[]`, `"total":0`}},
		{name: "FilterOtherYear", url: fmt.Sprintf("/api/v1/registrations?year=%d", year-1), token: "A.registry", status: 200,
			want: []string{`"total":0`}},
		{name: "Page", url: "/api/v1/registrations?per_page=2&page=2", token: "A.registry", status: 200,
			want: []string{`"total":3`, `"number":1`}, notWant: []string{`"number":3`}},
		{name: "ErrBadDirection", url: "/api/v1/registrations?direction=X", token: "A.registry", status: 422,
			want: []string{`"fields":{"direction":`}},
		{name: "ErrBadYear", url: "/api/v1/registrations?year=duemila", token: "A.registry", status: 422, want: []string{`"year":`}},
		{name: "ErrBadNumber", url: "/api/v1/registrations?number=1a", token: "A.registry", status: 422, want: []string{`"number":`}},
		{name: "View", url: fmt.Sprintf("/api/v1/registrations/%d/1", year), token: "A.operator", status: 200,
			want: []string{fmt.Sprintf(`"id":%d`, reg.ID), fmt.Sprintf(`"year":%d`, year), `"number":1,`, `"number_string":"0000001"`,
				`"fingerprint":"` + reg.Fingerprint + `"`, `"chain_hash":"` + reg.ChainHash + `"`, `"prev_hash":""`,
				fmt.Sprintf(`"office_id":%d`, f.env.A.Office.ID), fmt.Sprintf(`"attachment_count":%d`, reg.AttachmentCount),
				`"classification":"` + reg.Classification + `"`, `"subject":"` + reg.Subject + `"`}},
		{name: "ViewZeroPadded", url: fmt.Sprintf("/api/v1/registrations/%d/0000002", year), token: "A.operator", status: 200,
			want: []string{`"number_string":"0000002"`}},
		{name: "ErrViewNotFound", url: fmt.Sprintf("/api/v1/registrations/%d/4", year), token: "A.operator", status: 404,
			want: []string{`"code":"not_found"`}},
		{name: "ErrViewOtherYear", url: fmt.Sprintf("/api/v1/registrations/%d/1", year+1), token: "A.operator", status: 404},
		{name: "ErrViewNotANumber", url: fmt.Sprintf("/api/v1/registrations/%d/uno", year), token: "A.operator", status: 404},
		{name: "ErrViewZero", url: fmt.Sprintf("/api/v1/registrations/%d/0", year), token: "A.operator", status: 404},
	})
}

func TestProcedureList(t *testing.T) {
	f := newFixture(t)
	v := f.env.A.Version
	f.run(t, []scenario{
		{name: "OK", url: "/api/v1/procedures", token: "A.registry", status: 200,
			want: []string{fmt.Sprintf(`"id":%d`, v.ID), `"key":"accesso-documentale"`, `"version":1`, `"title":"` + v.Definition.Title + `"`,
				fmt.Sprintf(`"term_days":%d`, v.Definition.TermDays), `"office":"SEGR"`, `"silence":"`, `"published_at":"`}},
		{name: "OtherTenantsOwn", url: "/api/v1/procedures", token: "B.operator", status: 200,
			want: []string{fmt.Sprintf(`"id":%d`, f.env.B.Version.ID)}, notWant: []string{fmt.Sprintf(`"id":%d,`, v.ID)}},
		{name: "ErrNoToken", url: "/api/v1/procedures", status: 401},
	})
}
