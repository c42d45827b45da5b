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

func TestRegistrationList_Filters(t *testing.T) {
	f := newRegistryFixture(t)
	A := f.env.A
	regs := sqlstore.NewRegistrationService(f.env.DB)
	ctx := A.AsUser(A.Registry)
	var annulled *procedo.Registration
	for _, s := range []struct {
		subject, who, cls string
		dir               procedo.Direction
		office            bool
	}{
		{"Richieste di allacciamento alla fognatura", "Mario Bianchi", "VI.8", procedo.DirectionIncoming, true},
		{"Autorizzazione paesaggistica per la villa comunale", "Soprintendenza archeologia", "VI.3", procedo.DirectionOutgoing, false},
		{"Convocazione della commissione edilizia", "Ufficio Tecnico", "VI.3", procedo.DirectionInternal, false},
	} {
		in := &procedo.RegistrationInput{Direction: s.dir, Subject: s.subject, Classification: s.cls,
			Correspondents: []procedo.Correspondent{{Name: s.who}}}
		if s.office {
			in.ActionOffice = &A.Office.ID
		}
		r, err := regs.RegisterEntry(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		annulled = r
	}
	if rec := f.do(t, "POST", fmt.Sprintf("/api/v1/registrations/%d/%d/annulment", annulled.Year, annulled.Number),
		`{"reason": "Registrata per errore", "act": "Determina n. 1"}`, "A.records", nil); rec.Code != 200 {
		t.Fatalf("annul: %d %s", rec.Code, rec.Body)
	}
	today := procedo.DateOf(time.Now())
	list := "/api/v1/registrations?"
	f.run(t, []scenario{
		{name: "All", url: list, token: "A.registry", status: 200, want: []string{`"total":6`}},
		// The fixture's applications are "Richiesta di accesso …": both forms match.
		{name: "QueryStemming", url: list + "q=richiesta", token: "A.registry", status: 200,
			want: []string{`"total":4`, `"subject":"Richieste di allacciamento alla fognatura"`, `"subject":"Istanza: Richiesta di accesso`}},
		{name: "QueryStemmingPlural", url: list + "q=richieste+allacciamenti", token: "A.registry", status: 200,
			want: []string{`"total":1`, `"subject":"Richieste di allacciamento alla fognatura"`}},
		{name: "QueryTwoWords", url: list + "q=commissione+edilizia", token: "A.registry", status: 200,
			want: []string{`"total":1`, `Convocazione`}},
		{name: "QueryCorrespondentWords", url: list + "q=soprintendenza", token: "A.registry", status: 200, want: []string{`"total":1`}},
		{name: "QueryNoMatch", url: list + "q=acquedotto", token: "A.registry", status: 200, want: []string{`"total":0`, `"items":[]`}},
		{name: "QueryWithDirection", url: list + "q=fognatura&direction=U", token: "A.registry", status: 200, want: []string{`"total":0`}},
		{name: "Today", url: list + fmt.Sprintf("from=%s&to=%s", today, today), token: "A.registry", status: 200, want: []string{`"total":6`}},
		{name: "FromTomorrow", url: list + "from=" + today.AddDays(1).String(), token: "A.registry", status: 200, want: []string{`"total":0`}},
		{name: "ToYesterday", url: list + "to=" + today.AddDays(-1).String(), token: "A.registry", status: 200, want: []string{`"total":0`}},
		{name: "Correspondent", url: list + "correspondent=BIANCHI", token: "A.registry", status: 200,
			want: []string{`"total":1`, `Mario Bianchi`}},
		{name: "CorrespondentFiscalCode", url: list + "correspondent=RSSMRA80A01H501U", token: "A.registry", status: 200,
			want: []string{`"total":2`}},
		{name: "ClassificationWithSubclasses", url: list + "classification=VI", token: "A.registry", status: 200, want: []string{`"total":3`}},
		{name: "Classification", url: list + "classification=VI.8", token: "A.registry", status: 200, want: []string{`"total":1`, `fognatura`}},
		{name: "ClassificationOther", url: list + "classification=II", token: "A.registry", status: 200, want: []string{`"total":0`}},
		{name: "Office", url: list + fmt.Sprintf("office=%d", A.Office.ID), token: "A.registry", status: 200,
			want: []string{`fognatura`}, notWant: []string{`Convocazione`}},
		{name: "Annulled", url: list + "annulled=true", token: "A.registry", status: 200,
			want: []string{`"total":1`, `Convocazione`, `"annul_act":"Determina n. 1"`, `"annul_reason":"Registrata per errore"`}},
		{name: "NotAnnulled", url: list + "annulled=false", token: "A.registry", status: 200, want: []string{`"total":5`},
			notWant: []string{`Convocazione`}},
		{name: "Combined", url: list + "direction=U&classification=VI&q=paesaggistica&page=1&per_page=10", token: "A.registry", status: 200,
			want: []string{`"total":1`, `"per_page":10`}},
		{name: "ErrFrom", url: list + "from=2026-13-01", token: "A.registry", status: 422, want: []string{`"fields":{"from":`}},
		{name: "ErrToItalian", url: list + "to=01/02/2026", token: "A.registry", status: 422, want: []string{`"to":`}},
		{name: "ErrToBeforeFrom", url: list + "from=2026-02-02&to=2026-02-01", token: "A.registry", status: 422, want: []string{`"to":`}},
		{name: "ErrOffice", url: list + "office=segreteria", token: "A.registry", status: 422, want: []string{`"office":`}},
		{name: "ErrOfficeZero", url: list + "office=0", token: "A.registry", status: 422, want: []string{`"office":`}},
		{name: "ErrAnnulled", url: list + "annulled=forse", token: "A.registry", status: 422, want: []string{`"annulled":`}},
		{name: "ErrQueryTooLong", url: list + "q=" + strings.Repeat("a", 201), token: "A.registry", status: 422, want: []string{`"q":`}},
		{name: "ErrSeveral", url: list + "from=x&annulled=x&direction=x", token: "A.registry", status: 422,
			want: []string{`"from":`, `"annulled":`, `"direction":`}},
	})
}

func TestRegistrationView_DocumentsAndHistory(t *testing.T) {
	f := newRegistryFixture(t)
	reg := f.Read.Registration
	body := smallestBody("Istanza con allegato")
	body = strings.Replace(body, `}}`, fmt.Sprintf(`}, "attachments": [{"filename": "foto.png", "content_base64": %q}], "office_id": %d}`,
		b64(pngContent), f.env.A.Office.ID), 1)
	out := f.mustCreate(t, "A.registry", body, nil)
	f.run(t, []scenario{
		{name: "Created", url: fmt.Sprintf("/api/v1/registrations/%d/%d", out.Year, out.Number), token: "A.operator", status: 200,
			want: []string{`"documents":[{"id":`, `"filename":"istanza.pdf","media_type":"application/pdf","size":`,
				`"sha256":"` + sum(pdfContent) + `","role":"main"`, `"filename":"foto.png","media_type":"image/png"`,
				`"sha256":"` + sum(pngContent) + `","role":"attachment"`,
				`"history":[{"id":`, `"kind":"registered"`, `"actor_name":"Utente protocollo"`, `"new_value":"0000004"`,
				`"kind":"assigned"`, `"field":"competenza"`, `"attachments_description":"foto.png"`}},
		{name: "FromApplication", url: fmt.Sprintf("/api/v1/registrations/%d/%d", reg.Year, reg.Number), token: "A.registry", status: 200,
			want: []string{`"role":"main"`, `"filename":"istanza.pdf"`, `"kind":"registered"`, `"new_value":"0000001"`}},
	})
}
