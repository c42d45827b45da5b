// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/procedo/procedo/testkit"
)

func TestDeadlinePage(t *testing.T) {
	env := testkit.NewEnv(t)
	h := newHandler(env, false)
	op := actor{"operatore A", env.A, env.A.Operator, nil}
	for _, tc := range []struct {
		name, query string
		who         actor
		status      int
		want        string
	}{
		{"Form", "", op, 200, "Calcola"},
		{"EasterMonday", "?dal=2026-03-07&giorni=30", op, 200, "Scadenza: 07/04/2026"},
		{"Suspension", "?dal=2026-01-10&giorni=30&sosp_dal_0=2026-01-20&sosp_al_0=2026-01-29", op, 200, "Scadenza: 19/02/2026"},
		{"PatronDay", "?dal=2026-05-14&giorni=30", op, 200, "Scadenza: 15/06/2026"}, // 13 June 2026 is a Saturday: patron day of the fixture
		{"BadInput", "?dal=ieri&giorni=0", op, 422, "Indica un termine"},
		{"BadSuspension", "?dal=2026-01-10&giorni=30&sosp_dal_0=2026-01-29&sosp_al_0=2026-01-20", op, 422, "la fine non prima"},
		{"Anonymous", "?dal=2026-01-10&giorni=30", actor{name: "anonimo"}, 401, ""},
		{"Citizen", "", actor{"Mario", env.A, nil, testkit.Mario}, 401, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/ufficio/scadenze"+tc.query, nil)
			req.Host = "a.test"
			if s := tc.who.session(t, env.DB); s != nil {
				req.AddCookie(&http.Cookie{Name: "procedo_session", Value: s.Token})
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
				t.Fatalf("%d\n%.2000s", rec.Code, rec.Body.String())
			}
		})
	}
}
