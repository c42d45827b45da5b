// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"fmt"
	"testing"
)

func TestRegistrationAnnulment(t *testing.T) {
	f := newRegistryFixture(t)
	out := f.mustCreate(t, "A.registry", smallestBody("Istanza registrata due volte"), nil)
	url := fmt.Sprintf("/api/v1/registrations/%d/%d/annulment", out.Year, out.Number)
	const body = `{"reason": "Registrata due volte", "act": "Determinazione n. 12 del 03/03/2026"}`
	f.run(t, []scenario{
		{name: "ErrRegistry", method: "POST", url: url, body: body, token: "A.registry", status: 403, want: []string{`"code":"forbidden"`}},
		{name: "ErrOperator", method: "POST", url: url, body: body, token: "A.operator", status: 403},
		{name: "ErrManager", method: "POST", url: url, body: body, token: "A.manager", status: 403},
		{name: "ErrAdmin", method: "POST", url: url, body: body, token: "A.admin", status: 403},
		{name: "ErrNoToken", method: "POST", url: url, body: body, status: 401},
		{name: "ErrNoFields", method: "POST", url: url, token: "A.records", status: 422, want: []string{`"reason":`, `"act":`}},
		{name: "ErrNoAct", method: "POST", url: url, body: `{"reason": "Registrata due volte", "act": "  "}`, token: "A.records", status: 422,
			want: []string{`"fields":{"act":`}},
		{name: "ErrNotJSON", method: "POST", url: url, body: `reason=x`, token: "A.records", status: 400},
		{name: "ErrUnknownField", method: "POST", url: url, body: `{"reason": "x", "act": "y", "motivo": "z"}`, token: "A.records", status: 400},
		{name: "ErrNotFound", method: "POST", url: fmt.Sprintf("/api/v1/registrations/%d/99/annulment", out.Year), body: body,
			token: "A.records", status: 404},
		{name: "ErrWrongMethod", url: url, token: "A.records", status: 405, headers: map[string]string{"Allow": "POST"}},
		{name: "NotYetAnnulled", url: fmt.Sprintf("/api/v1/registrations/%d/%d", out.Year, out.Number), token: "A.records", status: 200,
			want: []string{`"annulled_at":null`}},
		{name: "OK", method: "POST", url: url, body: body, token: "A.records", status: 200,
			want: []string{fmt.Sprintf(`"id":%d`, out.ID), `"number":4,`, `"subject":"Istanza registrata due volte"`, `"annulled_at":"`,
				`"annulled_by":"Utente archivio"`, `"annul_reason":"Registrata due volte"`, `"annul_act":"Determinazione n. 12 del 03/03/2026"`,
				`"chain_hash":"` + out.ChainHash + `"`}},
		{name: "ErrTwice", method: "POST", url: url, body: body, token: "A.records", status: 409, want: []string{`"code":"conflict"`}},
		{name: "StillReadable", url: fmt.Sprintf("/api/v1/registrations/%d/%d", out.Year, out.Number), token: "A.operator", status: 200,
			want: []string{`"subject":"Istanza registrata due volte"`, `"annul_act":"Determinazione n. 12 del 03/03/2026"`,
				`"kind":"annulled"`, `"reason":"Registrata due volte"`}},
		{name: "Listed", url: "/api/v1/registrations?annulled=true", token: "A.registry", status: 200,
			want: []string{`"total":1`, fmt.Sprintf(`"id":%d`, out.ID)}},
	})
}
