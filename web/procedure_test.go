// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/identity"
	"github.com/procedo/procedo/library"
	"github.com/procedo/procedo/pdf"
	"github.com/procedo/procedo/sqlstore"
	"github.com/procedo/procedo/testkit"
	"github.com/procedo/procedo/web"
)

// newModelHandler wires the web UI with the model codec, on the fixture
// database, in demo mode.
func newModelHandler(env *testkit.Env) http.Handler {
	db := env.DB
	h := &web.Handler{Tenants: sqlstore.NewTenantService(db), Users: sqlstore.NewUserService(db), Sessions: sqlstore.NewSessionService(db),
		OrgUnits: sqlstore.NewOrgUnitService(db), Procedures: sqlstore.NewProcedureService(db), Applications: sqlstore.NewApplicationService(db),
		Cases: sqlstore.NewCaseService(db), Documents: sqlstore.NewDocumentService(db), Registrations: sqlstore.NewRegistrationService(db),
		Outbox: sqlstore.NewOutboxService(db), Audit: sqlstore.NewAuditService(db), Blobs: db.Blobs, Renderer: &pdf.Renderer{}, Demo: true,
		Models: library.Codec{}, StandardModels: library.StandardPackage}
	h.DailyRegisters, h.Classifications, h.Segnatura = sqlstore.NewDailyRegisterService(db), sqlstore.NewClassificationService(db), testSegnatura(db)
	h.IdentityFor = web.StaticIdentity(&identity.Demo{Enabled: true, FormURL: "/accedi/demo/modulo"})
	wireDrafts(h, db, true)
	h.Init()
	return h.Routes()
}

// publishAt publishes standard model id in comune c with the fixture's office.
func publishAt(t *testing.T, env *testkit.Env, c *testkit.Comune, id string) *procedo.ProcedureVersion {
	t.Helper()
	def, err := library.Model(id)
	if err != nil {
		t.Fatal(err)
	}
	def.OfficeCode, def.DecisionOffice = c.Office.Code, ""
	v, err := sqlstore.NewProcedureService(env.DB).PublishProcedure(c.As(procedo.SystemActor), def)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestProcedurePages(t *testing.T) {
	env := testkit.NewEnv(t)
	h := newModelHandler(env)
	publishAt(t, env, env.A, "segnalazione-reclamo")
	publishAt(t, env, env.A, "mensa-scolastica")
	anon := newDesk(t, env, h, actor{name: "anonimo", comune: env.A})

	t.Run("Catalogue", func(t *testing.T) {
		doc := want(t, anon.get("/servizi"), http.StatusOK)
		wantText(t, doc, "main", "3 servizi", "Scuola e servizi educativi", "Accesso agli atti e trasparenza")
		doc = want(t, anon.get("/servizi?q=mensa"), http.StatusOK)
		if n := doc.Find("main .card-title a").Length(); n != 1 {
			t.Errorf("search for mensa: %d results", n)
		}
		wantText(t, doc, "main .card-title", "Iscrizione alla mensa scolastica")
		doc = want(t, anon.get("/servizi?categoria="+url.QueryEscape("Accesso agli atti e trasparenza")), http.StatusOK)
		wantText(t, doc, "main", "1 servizio in «Accesso agli atti e trasparenza»")
		if doc.Find(`[aria-current="page"]`).Text() == "" {
			t.Error("the selected category is not marked")
		}
		doc = want(t, anon.get("/servizi?q=astronave"), http.StatusOK)
		wantText(t, doc, "main", "Nessun servizio corrisponde")
	})
	t.Run("SheetList", func(t *testing.T) {
		doc := want(t, anon.get("/amministrazione-trasparente/attivita-e-procedimenti/tipologie-di-procedimento"), http.StatusOK)
		wantText(t, doc, "main table", "Iscrizione alla mensa scolastica", "Ufficio Segreteria", "30 giorni", "Silenzio-rigetto")
	})
	t.Run("Sheet", func(t *testing.T) {
		doc := want(t, anon.get("/amministrazione-trasparente/attivita-e-procedimenti/tipologie-di-procedimento/mensa-scolastica"), http.StatusOK)
		for _, h := range []string{"a) Descrizione", "b) Unità organizzativa", "c) Ufficio del procedimento", "d) Documenti", "e) Come avere",
			"f) Termine", "g) Dichiarazione", "h) Strumenti", "i) Servizio online", "l) Pagamenti", "m) Titolare del potere sostitutivo"} {
			if !strings.Contains(doc.Find("main h2").Text(), h) {
				t.Errorf("sheet lacks section %q", h)
			}
		}
		svg := doc.Find("main figure svg")
		if svg.Length() != 1 || svg.AttrOr("role", "") != "img" || svg.Find("title").Text() == "" {
			t.Fatal("no accessible SVG diagram")
		}
		if svg.Find("rect").Length() == 0 || svg.Find("polyline").Length() == 0 {
			t.Error("the diagram has no states or flows")
		}
		wantText(t, doc, "main section ol", "Presentata", "Azione 1, «Accogli l'iscrizione»: porta a «Iscrizione accolta»", "conclude il procedimento")
		if doc.Find("[style]").Length() > 0 {
			t.Error("inline style attribute (refused by the CSP)")
		}
		want(t, anon.get("/amministrazione-trasparente/attivita-e-procedimenti/tipologie-di-procedimento/nessuno"), http.StatusNotFound)
	})
	t.Run("Schema", func(t *testing.T) {
		rec := anon.get("/schemas/procedure.schema.json")
		var schema map[string]any
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &schema) != nil || schema["$defs"] == nil {
			t.Fatalf("schema: %d %.200s", rec.Code, rec.Body.String())
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/schema+json" {
			t.Errorf("Content-Type %q", ct)
		}
	})
}

// TestApplicationForm_ModelFields fills forms with an address, conditions
// (inside a step and across steps) and a repeatable group, step by step,
// through the same validation as the API.
func TestApplicationForm_ModelFields(t *testing.T) {
	env := testkit.NewEnv(t)
	h := newModelHandler(env)
	publishAt(t, env, env.A, "segnalazione-reclamo")
	publishAt(t, env, env.A, "mensa-scolastica")
	mario := newDesk(t, env, h, actor{"Mario", env.A, nil, testkit.Mario})
	me := url.Values{"applicant.email": {"mario.rossi@example.it"}, "applicant.for_company": {"no"}}

	draft := startApplication(t, mario, "segnalazione-reclamo")
	step(t, mario, draft, "richiedente", me, "avanti", "sezione-1")
	step(t, mario, draft, "sezione-1", url.Values{"email": {"mario.rossi@example.it"}}, "avanti", "sezione-2")
	doc := want(t, mario.get(draft+"/sezione-2"), http.StatusOK)
	for _, name := range []string{"luogo.via", "luogo.civico", "luogo.cap", "luogo.comune"} {
		if doc.Find(`input[name="`+name+`"]`).Length() != 1 {
			t.Errorf("no input %s", name)
		}
	}
	wantText(t, doc, "main", "Compila solo se hai risposto «Problema nel territorio")
	if doc.Find(`label[for="f-luogo.comune"]`).Length() != 1 {
		t.Error("address inputs need labels")
	}
	form := url.Values{"tipo": {"territorio"}, "oggetto": {"Lampione spento"},
		"descrizione": {"Il lampione davanti al civico 3 è spento da una settimana."}, "luogo.via": {"Via Roma"}, "luogo.civico": {"3"},
		"luogo.cap": {"73030"}, "luogo.comune": {"Castro"}}
	doc = stepErrors(t, mario, draft, "sezione-2", form)
	wantText(t, doc, "#errori", "Dove si trova il problema – Comune", "Più Comuni hanno questo nome")
	form.Set("luogo.comune", "Castro (LE)")
	step(t, mario, draft, "sezione-2", form, "avanti", "allegati")
	step(t, mario, draft, "allegati", nil, "avanti", "riepilogo")
	doc = want(t, mario.get(draft+"/riepilogo"), http.StatusOK)
	wantText(t, doc, "main", "Via Roma, 3, 73030, Castro (LE)")
	location(t, mario.post(draft+"/invia", nil), "/pratiche/", true)

	// A hidden field is not required: without "territorio" no address is needed.
	draft = startApplication(t, mario, "segnalazione-reclamo")
	step(t, mario, draft, "richiedente", me, "avanti", "sezione-1")
	step(t, mario, draft, "sezione-1", url.Values{"email": {"mario.rossi@example.it"}}, "avanti", "sezione-2")
	step(t, mario, draft, "sezione-2", url.Values{"tipo": {"suggerimento"}, "oggetto": {"Orari"}, "descrizione": {"Aprite il sabato."}},
		"avanti", "allegati")
	location(t, mario.post(draft+"/invia", nil), "/pratiche/", true)

	// A repeatable group, and a file asked for only after an answer given
	// in an earlier step.
	draft = startApplication(t, mario, "mensa-scolastica")
	step(t, mario, draft, "richiedente", me, "avanti", "sezione-1")
	step(t, mario, draft, "sezione-1", url.Values{"email": {"mario.rossi@example.it"}, "telefono": {"333 1234567"}}, "avanti", "sezione-2")
	doc = want(t, mario.get(draft+"/sezione-2"), http.StatusOK)
	if doc.Find(`input[name="alunni.0.nome"]`).Length() != 1 || doc.Find(`input[name="alunni.1.nome"]`).Length() != 1 {
		t.Error("the group should show one item and a spare one")
	}
	pupil := url.Values{"alunni.0.nome": {"Luca Rossi"}, "alunni.0.codice_fiscale": {"RSSLCU15A01H501X"}, "alunni.0.scuola": {"primaria"},
		"alunni.0.classe": {"2B"}}
	doc = stepErrors(t, mario, draft, "sezione-2", pupil)
	wantText(t, doc, "#errori", "Alunni da iscrivere 1 – Codice fiscale")
	pupil.Set("alunni.0.codice_fiscale", testkit.Lucia.FiscalCode)
	step(t, mario, draft, "sezione-2", pupil, "avanti", "sezione-3")
	doc = want(t, mario.get(draft+"/sezione-3"), http.StatusOK)
	if doc.Find(`input[name="alunni.0.nome"]`).Length() != 0 {
		t.Error("another step's fields on this step")
	}
	diet := url.Values{"dieta_speciale": {"no"}, "addebito": {"si"}}
	doc = stepErrors(t, mario, draft, "sezione-3", diet)
	wantText(t, doc, "#errori", "IBAN del conto")
	diet.Set("iban", "IT60 X054 2811 1010 0000 0123 456")
	step(t, mario, draft, "sezione-3", diet, "avanti", "allegati")
	doc = want(t, mario.get(draft+"/allegati"), http.StatusOK)
	if doc.Find(`input[name="certificato_dieta"]`).Length() != 0 {
		t.Error("the diet certificate is asked for without a special diet")
	}
	diet.Set("dieta_speciale", "si")
	step(t, mario, draft, "sezione-3", diet, "avanti", "allegati")
	doc = want(t, mario.get(draft+"/allegati"), http.StatusOK)
	if doc.Find(`input[name="certificato_dieta"]`).Length() != 1 {
		t.Fatal("the diet certificate is not asked for after answering «Sì»")
	}
	doc = want(t, mario.postMultipart(draft+"/allegati", url.Values{"azione": {"avanti"}}), http.StatusUnprocessableEntity)
	wantText(t, doc, "#errori", "Allega il file richiesto")
	location(t, mario.postMultipart(draft+"/allegati", url.Values{"azione": {"avanti"}}, file{"certificato_dieta", "certificato.pdf", pdfFile}),
		draft+"/pagamento", false)
	// The fee is variable: the office asks for it later, nothing to pay now.
	doc = want(t, mario.get(draft+"/pagamento"), http.StatusOK)
	wantText(t, doc, "main", "Tariffa per pasto", "ora non devi pagare nulla")
	step(t, mario, draft, "pagamento", nil, "avanti", "riepilogo")
	doc = want(t, mario.get(draft+"/riepilogo"), http.StatusOK)
	wantText(t, doc, "main", "1. Luca Rossi, "+testkit.Lucia.FiscalCode)
	location(t, mario.post(draft+"/invia", nil), "/pratiche/", true)
}
