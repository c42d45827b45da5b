// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/procedo/procedo"
)

func TestProcedureDefinition_Validate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(d *procedo.ProcedureDefinition)
		want   string // error key; "" for valid
	}{
		{"OK", func(*procedo.ProcedureDefinition) {}, ""},
		{"BadID", func(d *procedo.ProcedureDefinition) { d.ID = "Prova!" }, "id"},
		{"BadVersion", func(d *procedo.ProcedureDefinition) { d.ModelVersion = "v1" }, "version"},
		{"LongTitle", func(d *procedo.ProcedureDefinition) { d.Title = strings.Repeat("x", 61) }, "title"},
		{"InactiveWithoutReason", func(d *procedo.ProcedureDefinition) { d.Status = procedo.ServiceInactive }, "status_reason"},
		{"ProvenanceLicence", func(d *procedo.ProcedureDefinition) {
			d.Provenance = &procedo.Provenance{Authority: "Comune di Esempio", Licence: "?"}
		}, "provenance.licence"},
		{"FormURL", func(d *procedo.ProcedureDefinition) { d.Forms = []procedo.Link{{Title: "Modulo", URL: "ftp://x"}} }, "forms[0].url"},
		{"PaymentCents", func(d *procedo.ProcedureDefinition) {
			d.Payments = []procedo.Payment{{Description: "Bollo", Amount: 16.005, Causale: "Bollo"}}
		}, "payments[0].amount"},
		{"VariablePaymentNeedsNote", func(d *procedo.ProcedureDefinition) {
			d.Payments = []procedo.Payment{{Description: "Canone", Variable: true, Causale: "Canone"}}
		}, "payments[0].note"},
		{"SCIATermMismatch", func(d *procedo.ProcedureDefinition) { d.SCIA = &procedo.SCIARule{ControlDays: 60} }, "term_days"},
		{"SCIAWithSilence", func(d *procedo.ProcedureDefinition) {
			d.SCIA, d.TermDays, d.Silence = &procedo.SCIARule{ControlDays: 30}, 30, procedo.SilenceAssent
		}, "silence"},
		{"Extension", func(d *procedo.ProcedureDefinition) { d.Extensions = []procedo.Extension{{Days: 0, Reason: "x"}} }, "extensions[0].days"},
		{"UnknownPlaceholder", func(d *procedo.ProcedureDefinition) {
			d.Decisions = map[string]string{"accolta": "Si accoglie {{nome_sbagliato}}."}
		},
			"decisions.accolta"},
		{"FieldPlaceholder", func(d *procedo.ProcedureDefinition) {
			d.Decisions = map[string]string{"accolta": "Per {{campo.nome}} di {{richiedente}}."}
		}, ""},
		{"UnknownFieldPlaceholder", func(d *procedo.ProcedureDefinition) { d.Decisions = map[string]string{"accolta": "{{campo.cognome}}"} },
			"decisions.accolta"},
		{"UnknownOutcome", func(d *procedo.ProcedureDefinition) { d.Decisions = map[string]string{"approvata": "x"} }, "decisions.approvata"},
		{"DocumentTemplate", func(d *procedo.ProcedureDefinition) {
			d.Documents = map[string]procedo.DocumentTemplate{"lettera": {Title: "Lettera"}}
		},
			"documents.lettera.text"},
		{"Classification", func(d *procedo.ProcedureDefinition) { d.Classification = "6.3" }, "classification"},
		{"DossierType", func(d *procedo.ProcedureDefinition) { d.DossierType = "scatola" }, "dossier_type"},
		{"Retention", func(d *procedo.ProcedureDefinition) { d.Retention = map[string]int{"accolta": -1} }, "retention.accolta"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := reviewDef()
			d.Form = procedo.Form{Sections: []procedo.FormSection{{Title: "S", Fields: []procedo.FormField{{Name: "nome", Label: "Nome", Type: procedo.FieldText}}}}}
			tc.change(d)
			fe := procedo.FieldErrorsOf(d.Validate())
			if tc.want == "" {
				if fe != nil {
					t.Fatalf("unexpected errors: %v", fe)
				}
				return
			}
			if _, ok := fe[tc.want]; !ok {
				t.Errorf("errors %v, want one for %s", fe, tc.want)
			}
		})
	}
}

func TestCompareModelVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1.0", "1.0", 0}, {"1", "1.0", 0}, {"1.10", "1.9", 1}, {"1.2", "2", -1}, {"", "1.0", -1}, {"0.1", "", 1}, {"", "", 0},
	} {
		if got := procedo.CompareModelVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareModelVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestDiffDefinitions(t *testing.T) {
	a := reviewDef()
	a.Form = procedo.Form{Sections: []procedo.FormSection{{Title: "S", Fields: []procedo.FormField{
		{Name: "nome", Label: "Nome", Type: procedo.FieldText},
		{Name: "email", Label: "E-mail", Type: procedo.FieldEmail},
	}}}}
	b := *a
	b.TermDays = 60
	b.Form = procedo.Form{Sections: []procedo.FormSection{{Title: "S", Fields: []procedo.FormField{
		{Name: "telefono", Label: "Telefono", Type: procedo.FieldPhone},
		{Name: "nome", Label: "Nome e cognome", Type: procedo.FieldText},
		{Name: "email", Label: "E-mail", Type: procedo.FieldEmail},
	}}}}
	got := map[string]procedo.Change{}
	for _, c := range procedo.DiffDefinitions(a, &b) {
		got[c.Path] = c
	}
	// Fields are matched by name: inserting one shows as an addition only.
	for path, kind := range map[string]string{
		"term_days": "modificato",
		`form.sections["S"].fields["nome"].label`:     "modificato",
		`form.sections["S"].fields["telefono"].name`:  "aggiunto",
		`form.sections["S"].fields["telefono"].label`: "aggiunto",
	} {
		if c, ok := got[path]; !ok || c.Kind() != kind {
			t.Errorf("%s: %+v, want %s (all: %v)", path, c, kind, got)
		}
	}
	if len(got) != 5 {
		t.Errorf("%d changes, want 5: %v", len(got), got)
	}
	if d := procedo.DiffDefinitions(a, a); len(d) != 0 {
		t.Errorf("no changes expected: %v", d)
	}
}

func TestProcedureDefinition_Localisation(t *testing.T) {
	d := reviewDef()
	d.Payments = []procedo.Payment{{Description: "Bollo", Amount: 16, Causale: "Bollo"}}
	d.Provenance = &procedo.Provenance{Authority: "Comune di Esempio", Licence: "CC-BY-4.0"}
	got := strings.Join(d.Localisation(&procedo.Tenant{Name: "Comune di Alfa"}, []*procedo.OrgUnit{{Code: "TEC", Name: "Tecnico"}}), "\n")
	for _, want := range []string{"«SEGR» non esiste", "Bollo» (16,00 €)", "festa del santo patrono", "Comune di Esempio"} {
		if !strings.Contains(got, want) {
			t.Errorf("localisation lacks %q:\n%s", want, got)
		}
	}
	got = strings.Join(d.Localisation(&procedo.Tenant{Name: "Comune di Esempio", PatronDay: "06-13"},
		[]*procedo.OrgUnit{{Code: "SEGR", Name: "Segreteria", Email: "s@x.it", Phone: "1"}}), "\n")
	if strings.Contains(got, "non esiste") || strings.Contains(got, "patrono") || strings.Contains(got, "scritto da") {
		t.Errorf("unexpected localisation:\n%s", got)
	}
}

func TestModelProblems(t *testing.T) {
	ps := procedo.ModelProblems{{File: "m.yaml", Line: 3, Path: "title", Message: "il titolo è obbligatorio"}, {File: "m.yaml", Line: 1, Message: "vuoto"}}
	if got := ps.Error(); got != "m.yaml:3: title: il titolo è obbligatorio\nm.yaml:1: vuoto" {
		t.Errorf("Error() = %q", got)
	}
	var err error = ps
	if procedo.ErrorCode(err) != procedo.EINVALID {
		t.Errorf("code %s", procedo.ErrorCode(err))
	}
	if fe := procedo.FieldErrorsOf(err); fe["title"] != "riga 3: il titolo è obbligatorio" {
		t.Errorf("field errors %v", fe)
	}
	var back procedo.ModelProblems
	if !errors.As(err, &back) || len(back) != 2 {
		t.Error("errors.As")
	}
}

func TestRenderTemplateText(t *testing.T) {
	got := procedo.RenderTemplateText("Gentile {{ richiedente }}, pratica {{numero_pratica}} ({{campo.nome}}) {{ignoto}}.",
		map[string]string{"richiedente": "Mario Rossi", "numero_pratica": "7", "campo.nome": "x"})
	if got != "Gentile Mario Rossi, pratica 7 (x) ." {
		t.Errorf("got %q", got)
	}
	if got := procedo.FormatEuro(1234.5); got != "1.234,50 €" {
		t.Errorf("FormatEuro = %q", got)
	}
}
