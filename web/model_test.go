// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/library"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
)

func TestModelAdmin(t *testing.T) {
	env := testkit.NewEnv(t)
	h := newModelHandler(env)
	admin := newDesk(t, env, h, actor{"admin A", env.A, env.A.Admin, nil})
	testkit.MustSubmit(t, env.DB, env.A, testkit.Mario)
	src, err := library.Source("segnalazione-reclamo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	model := string(src)

	t.Run("Authorization", func(t *testing.T) {
		for _, tc := range []struct {
			who    actor
			method string
			path   string
			status int
		}{
			{actor{"operatore A", env.A, env.A.Operator, nil}, "GET", "/ufficio/admin/procedimenti", 403},
			{actor{"dirigente A", env.A, env.A.Manager, nil}, "GET", "/ufficio/admin/procedimenti/accesso-documentale", 403},
			{actor{"Mario", env.A, nil, testkit.Mario}, "GET", "/ufficio/admin/procedimenti/nuovo", 401},
			{actor{name: "anonimo", comune: env.A}, "GET", "/ufficio/admin/procedimenti/accesso-documentale/versioni/1", 401},
			{actor{"admin B", env.B, env.B.Admin, nil}, "GET", "/ufficio/admin/procedimenti/accesso-documentale/versioni/1/bpmn", 200},
			{actor{"operatore A", env.A, env.A.Operator, nil}, "POST", "/ufficio/admin/procedimenti/importa", 403},
			{actor{"operatore A", env.A, env.A.Operator, nil}, "POST", "/ufficio/admin/procedimenti/accesso-documentale/bozza", 403},
		} {
			d := newDesk(t, env, h, tc.who)
			var rec = d.get(tc.path)
			if tc.method == "POST" {
				rec = d.post(tc.path, url.Values{})
			}
			if rec.Code != tc.status {
				t.Errorf("%s %s as %s: %d, want %d", tc.method, tc.path, tc.who.name, rec.Code, tc.status)
			}
		}
	})
	t.Run("List", func(t *testing.T) {
		doc := want(t, admin.get("/ufficio/admin/procedimenti"), http.StatusOK)
		wantText(t, doc, "main table", "Richiesta di accesso ai documenti amministrativi", "accesso-documentale")
	})
	t.Run("NewPreviewAndErrors", func(t *testing.T) {
		doc := want(t, admin.get("/ufficio/admin/procedimenti/nuovo"), http.StatusOK)
		if !strings.Contains(doc.Find("textarea#source").Text(), "id: nuovo-procedimento") {
			t.Error("no starter model")
		}
		bad := strings.Replace(model, "term_days: 30", "term_days: 0", 1)
		doc = want(t, admin.postMultipart("/ufficio/admin/procedimenti", url.Values{"source": {bad}, "azione": {"salva"}}), http.StatusUnprocessableEntity)
		wantText(t, doc, "#problemi", "term_days", "il termine deve essere tra 1 e 3650 giorni", "Riga ")
		if doc.Find("textarea#source").Text() != bad {
			t.Error("the editor lost the text")
		}
		doc = want(t, admin.postMultipart("/ufficio/admin/procedimenti", url.Values{"source": {model}, "azione": {"anteprima"}}), http.StatusOK)
		wantText(t, doc, "section[aria-labelledby=anteprima]", "Segnalazione, reclamo o suggerimento", "Modulo della domanda", "Descrizione testuale del flusso")
		if doc.Find("section[aria-labelledby=anteprima] fieldset[disabled] input").Length() == 0 || doc.Find("section[aria-labelledby=anteprima] svg").Length() != 1 {
			t.Error("preview lacks the form or the diagram")
		}
		if types, _ := sqlstore.NewProcedureService(env.DB).FindProcedureTypes(env.A.AsUser(env.A.Admin)); len(types) != 1 {
			t.Errorf("a preview stored something: %d types", len(types))
		}
	})
	t.Run("CreateEditPublish", func(t *testing.T) {
		rec := admin.postMultipart("/ufficio/admin/procedimenti", url.Values{"source": {model}, "azione": {"salva"}})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/ufficio/admin/procedimenti/segnalazione-reclamo/versioni/1" {
			t.Fatalf("create: %d %s\n%.1000s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
		}
		doc := want(t, admin.get("/ufficio/admin/procedimenti/segnalazione-reclamo/versioni/1"), http.StatusOK)
		wantText(t, doc, "main", "Stato: Bozza")
		changed := strings.Replace(model, "term_days: 30", "term_days: 20", 1)
		rec = admin.postMultipart("/ufficio/admin/procedimenti/segnalazione-reclamo/versioni/1", url.Values{"source": {changed}, "azione": {"salva"}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("save: %d\n%.1000s", rec.Code, rec.Body.String())
		}
		renamed := strings.Replace(changed, "id: segnalazione-reclamo", "id: altro-nome", 1)
		doc = want(t, admin.postMultipart("/ufficio/admin/procedimenti/segnalazione-reclamo/versioni/1", url.Values{"source": {renamed}, "azione": {"salva"}}),
			http.StatusUnprocessableEntity)
		wantText(t, doc, "#problemi", "L'identificativo di un procedimento non cambia")
		rec = admin.post("/ufficio/admin/procedimenti/segnalazione-reclamo/versioni/1/pubblica", nil)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("publish: %d\n%.1000s", rec.Code, rec.Body.String())
		}
		v, err := sqlstore.NewProcedureService(env.DB).FindPublishedProcedure(env.A.As(nil), "segnalazione-reclamo")
		if err != nil || v.Definition.TermDays != 20 {
			t.Fatalf("published: %+v %v", v, err)
		}
		doc = want(t, admin.get("/ufficio/admin/procedimenti/segnalazione-reclamo/versioni/1"), http.StatusOK)
		if doc.Find("textarea#source").Length() != 0 || doc.Find("pre code").Length() != 1 {
			t.Error("a published version is editable")
		}
		doc = want(t, admin.postMultipart("/ufficio/admin/procedimenti/segnalazione-reclamo/versioni/1", url.Values{"source": {model}, "azione": {"salva"}}),
			http.StatusConflict)
		_ = doc
		// A new draft from the published version; compare the two.
		rec = admin.post("/ufficio/admin/procedimenti/segnalazione-reclamo/bozza", nil)
		if rec.Code != http.StatusSeeOther || !strings.HasSuffix(rec.Header().Get("Location"), "/versioni/2") {
			t.Fatalf("new draft: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		three := strings.Replace(changed, "term_days: 20", "term_days: 25", 1)
		admin.postMultipart("/ufficio/admin/procedimenti/segnalazione-reclamo/versioni/2", url.Values{"source": {three}, "azione": {"salva"}})
		doc = want(t, admin.get("/ufficio/admin/procedimenti/segnalazione-reclamo/differenze?da=1&a=2"), http.StatusOK)
		wantText(t, doc, "main table", "term_days", "modificato", "20", "25")
		doc = want(t, admin.get("/ufficio/admin/procedimenti/segnalazione-reclamo"), http.StatusOK)
		wantText(t, doc, "main table", "Versione 1", "Pubblicata", "Versione 2", "Bozza")
		rec = admin.post("/ufficio/admin/procedimenti/segnalazione-reclamo/versioni/2/elimina", nil)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("delete: %d", rec.Code)
		}
	})
	t.Run("CasesPerVersion", func(t *testing.T) {
		doc := want(t, admin.get("/ufficio/admin/procedimenti/accesso-documentale"), http.StatusOK)
		row := doc.Find("main table tbody tr").First()
		if got := strings.Join(strings.Fields(row.Text()), " "); !strings.Contains(got, "Versione 1 Pubblicata 1.1") || !strings.Contains(got, " 1 1 ") {
			t.Errorf("row %q: one open case expected", got)
		}
		rec := admin.get("/ufficio/admin/procedimenti/accesso-documentale/versioni/1/bpmn")
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "<bpmndi:BPMNDiagram") {
			t.Errorf("bpmn: %d", rec.Code)
		}
	})
	t.Run("StandardLibrary", func(t *testing.T) {
		doc := want(t, admin.postMultipart("/ufficio/admin/procedimenti/importa", url.Values{"libreria": {"si"}}), http.StatusOK)
		defs, err := library.Models()
		if err != nil {
			t.Fatal(err)
		}
		if n := doc.Find("section[aria-labelledby=piano] .card").Length(); n != len(defs) {
			t.Errorf("%d models in the plan, want %d", n, len(defs))
		}
		wantText(t, doc, "section[aria-labelledby=piano]", "Già presente", "SCIA per aprire un negozio di vicinato")
	})
	t.Run("Import", func(t *testing.T) {
		pkg, err := library.FormatModels(mustModels(t, "deroga-rumore", "passo-carrabile")...)
		if err != nil {
			t.Fatal(err)
		}
		doc := want(t, admin.postMultipart("/ufficio/admin/procedimenti/importa", nil, file{"file", "pacchetto.yaml", pkg}), http.StatusOK)
		wantText(t, doc, "section[aria-labelledby=piano]", "Deroga ai limiti di rumore", "Nuovo procedimento (bozza)", "L'ufficio responsabile «TEC» non esiste")
		source, _ := doc.Find(`input[name="source"]`).Attr("value")
		if source != string(pkg) {
			t.Fatal("the package is not carried to the confirmation")
		}
		bad := strings.Replace(string(pkg), "term_days: 30", "term_days: -3", 1)
		doc = want(t, admin.postMultipart("/ufficio/admin/procedimenti/importa", url.Values{"source": {bad}}), http.StatusUnprocessableEntity)
		wantText(t, doc, "#problemi", "rifiutato", "models[0].term_days")
		rec := admin.postMultipart("/ufficio/admin/procedimenti/importa", url.Values{"source": {source}, "conferma": {"si"}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("confirm: %d\n%.1500s", rec.Code, rec.Body.String())
		}
		types, _ := sqlstore.NewProcedureService(env.DB).FindProcedureTypes(env.A.AsUser(env.A.Admin))
		drafts := 0
		for _, ty := range types {
			if ty.Draft != nil {
				drafts++
			}
		}
		if drafts != 2 {
			t.Errorf("%d drafts after the import", drafts)
		}
	})
}

func mustModels(t *testing.T, ids ...string) []*procedo.ProcedureDefinition {
	t.Helper()
	var out []*procedo.ProcedureDefinition
	for _, id := range ids {
		d, err := library.Model(id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}
