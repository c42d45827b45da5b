// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package main

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

// The demo opens sample cases so that every worklist of its first Comune
// shows something: new, waiting for the applicant, near the due date,
// overdue, and a decided one.
func TestDemoSampleCases(t *testing.T) {
	s := startDemo(t, "--sample-cases=true")
	b := newBrowser(t, s.URL, "localhost")
	login := b.get("/ufficio/accedi")
	csrf := csrfOf(t, login.Body)
	r := b.post("/ufficio/accedi", url.Values{"csrf_token": {csrf}, "username": {"dirigente"}, "password": {DemoPassword}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("login: %d", r.Status)
	}
	count := regexp.MustCompile(`: ([0-9]+) pratich[ea], pagina`)
	for _, view := range []string{"nuove", "in-attesa", "in-scadenza", "scadute"} {
		r := b.get("/ufficio?vista=" + view)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d", view, r.Status)
		}
		if m := count.FindStringSubmatch(r.Body); m == nil || m[1] == "0" {
			t.Errorf("view %s has no sample case", view)
		}
	}
	r = b.get("/ufficio?stato=chiuse")
	if r.Status != http.StatusOK || !regexp.MustCompile(`Spese di rappresentanza`).MatchString(r.Body) {
		t.Errorf("the decided sample case is missing: %d", r.Status)
	}
}
