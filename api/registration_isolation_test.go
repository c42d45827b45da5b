// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/sqlstore"
)

// TestTenantIsolation_Register extends TestTenantIsolation to the protocol
// register's routes: every token of Comune B gets "not found" for Comune A's
// entries, segnatura, annulment and daily register, and B's requests act on
// B's register only. B numbers from 1 too, so the checks look at content: B
// never sees A's subjects, hashes, IPA code or document ids.
func TestTenantIsolation_Register(t *testing.T) {
	f := newRegistryFixture(t)
	A, B := f.env.A, f.env.B
	out := f.mustCreate(t, "A.registry", outgoingToB(t), nil) // A's entry 4: B has only entry 1
	aDaily := f.mustDailyRegister(t, A)
	year, today := out.Year, procedo.DateOf(time.Now()).String()
	aSecrets := []string{"Trasmissione del permesso", out.ChainHash, f.Read.Registration.ChainHash, ipaA, "Mario Rossi",
		fmt.Sprintf(`"json_document_id":%d,`, aDaily.JSONDocumentID)}
	aBefore := f.total(t, A)

	for _, role := range []string{"admin", "operator", "manager", "registry", "records"} {
		token := "B." + role
		mayAct := map[bool]int{true: 200, false: 403}
		signer := role == "admin" || role == "registry" || role == "records"
		var sc []scenario
		for _, n := range []int{out.Number, 99} {
			sc = append(sc,
				scenario{name: fmt.Sprintf("View%d", n), url: fmt.Sprintf("/api/v1/registrations/%d/%d", year, n), token: token, status: 404,
					want: []string{`"code":"not_found"`}, notWant: aSecrets},
				scenario{name: fmt.Sprintf("Segnatura%d", n), url: fmt.Sprintf("/api/v1/registrations/%d/%d/segnatura.xml", year, n),
					token: token, status: 404, want: []string{`"code":"not_found"`}, notWant: aSecrets},
				scenario{name: fmt.Sprintf("Annul%d", n), method: "POST", url: fmt.Sprintf("/api/v1/registrations/%d/%d/annulment", year, n),
					body: `{"reason": "tentativo da un altro ente", "act": "nessuno"}`, token: token, status: 404, notWant: aSecrets},
			)
		}
		sc = append(sc,
			scenario{name: "DailyRegisterOfA", url: "/api/v1/daily-registers/" + today, token: token, status: 404, notWant: aSecrets},
			// Entry 1 exists in both registers: B gets its own, signed as B.
			scenario{name: "OwnSegnatura", url: fmt.Sprintf("/api/v1/registrations/%d/1/segnatura.xml", year), token: token,
				status: mayAct[signer], notWant: aSecrets},
			scenario{name: "OwnEntry", url: fmt.Sprintf("/api/v1/registrations/%d/1", year), token: token, status: 200,
				want:    []string{`"chain_hash":"` + f.B.Registration.ChainHash + `"`, `"documents":[{`},
				notWant: aSecrets},
			scenario{name: "ListWithFilters", url: "/api/v1/registrations?q=permesso&correspondent=beta&classification=VI&from=" + today,
				token: token, status: 200, want: []string{`"total":0`}, notWant: aSecrets},
		)
		if signer {
			sc = append(sc, scenario{name: "OwnSegnaturaIsB", url: fmt.Sprintf("/api/v1/registrations/%d/1/segnatura.xml", year), token: token,
				status: 200, want: []string{ipaB}})
		}
		t.Run(role, func(t *testing.T) { f.run(t, sc) })
	}

	t.Run("CreateGoesToOwnRegister", func(t *testing.T) {
		got := f.mustCreate(t, "B.registry", smallestBody("Istanza a Beta"), nil)
		if got.Number != 2 {
			t.Fatalf("B's new entry is number %d, want 2", got.Number)
		}
		if v := f.view(t, "A.registry", got.Year, 2); v.Subject == "Istanza a Beta" {
			t.Fatal("A sees B's entry")
		}
		// B's office is not A's: assigning A's office is refused.
		rec := f.do(t, "POST", "/api/v1/registrations", strings.Replace(smallestBody("x"), `}}`, fmt.Sprintf(`}, "office_id": %d}`, A.Office.ID), 1),
			"B.registry", nil)
		if rec.Code != 422 {
			t.Fatalf("A's office from B: %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("OwnDailyRegister", func(t *testing.T) {
		bDaily := f.mustDailyRegister(t, B)
		for _, token := range []string{"B.registry", "B.records", "B.admin"} {
			rec := f.do(t, "GET", "/api/v1/daily-registers/"+today, "", token, nil)
			body := rec.Body.String()
			if rec.Code != 200 || !strings.Contains(body, fmt.Sprintf(`"json_document_id":%d,`, bDaily.JSONDocumentID)) ||
				!strings.Contains(body, `"chain_head":"`+bDaily.ChainHead+`"`) {
				t.Fatalf("%s: %d %s", token, rec.Code, body)
			}
			for _, s := range aSecrets {
				if strings.Contains(body, s) {
					t.Fatalf("%s sees %s: %s", token, s, body)
				}
			}
		}
		for _, token := range []string{"B.operator", "B.manager"} {
			if rec := f.do(t, "GET", "/api/v1/daily-registers/"+today, "", token, nil); rec.Code != 403 {
				t.Fatalf("%s: %d %s", token, rec.Code, rec.Body)
			}
		}
	})
	t.Run("NothingChanged", func(t *testing.T) {
		a, err := sqlstore.NewRegistrationService(f.env.DB).FindRegistrationByID(A.AsUser(A.Registry), out.ID)
		if err != nil || a.Annulled() {
			t.Fatalf("A's entry after B's attempts: %+v %v", a, err)
		}
		if n := f.total(t, A); n != aBefore {
			t.Fatalf("A's register has %d entries, want %d", n, aBefore)
		}
	})
}
