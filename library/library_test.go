// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package library_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/procedo/procedo"
	"github.com/procedo/procedo/library"
)

func TestModels(t *testing.T) {
	defs, err := library.Models()
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) < 12 {
		t.Fatalf("%d standard models, want at least 12", len(defs))
	}
	def, err := library.Model("accesso-documentale")
	if err != nil {
		t.Fatal(err)
	}
	if def.TermDays != 30 || def.OfficeCode == "" || len(def.Form.Fields()) < 5 {
		t.Errorf("unexpected model: %+v", def)
	}
	// The library covers the legal regimes the issue lists.
	var scia, assent, refusal, fee, noDecision, suspension, groups, conditions, address bool
	for _, d := range defs {
		t.Run(d.ID, func(t *testing.T) {
			if len(d.LegalReferences) == 0 || d.Description == "" || d.Remedies == "" || d.Classification == "" || d.ModelVersion == "" {
				t.Errorf("%s: legal references, description, remedies, classification and version are expected", d.ID)
			}
			if d.Provenance == nil || d.Provenance.Licence == "" {
				t.Errorf("%s: provenance with a licence is expected", d.ID)
			}
			if d.Workflow == nil {
				t.Errorf("%s: a workflow is expected", d.ID)
			}
		})
		scia = scia || d.SCIA != nil
		assent = assent || d.Silence == procedo.SilenceAssent
		refusal = refusal || d.Silence == procedo.SilenceRefusal
		fee = fee || len(d.Payments) > 0
		suspension = suspension || d.SuspensionAllowed
		decides := false
		for _, tr := range d.Flow().Transitions {
			if tr.Document == procedo.DocDecision {
				decides = true
			}
		}
		noDecision = noDecision || !decides
		for _, f := range d.Form.Fields() {
			groups = groups || f.Type == procedo.FieldGroup
			conditions = conditions || f.VisibleIf != nil
			address = address || f.Type == procedo.FieldAddress
		}
	}
	for name, ok := range map[string]bool{"SCIA": scia, "silenzio-assenso": assent, "silenzio-rigetto": refusal, "fee": fee,
		"no formal decision": noDecision, "suspension": suspension, "repeatable group": groups, "conditional field": conditions,
		"address": address} {
		if !ok {
			t.Errorf("no standard model with %s", name)
		}
	}
}

// TestModels_Classification checks every model's titolario code against the
// 2005 titolario for Comuni.
func TestModels_Classification(t *testing.T) {
	b, err := os.ReadFile("../sqlstore/data/titolario_comuni_2005.csv")
	if err != nil {
		t.Skip("titolario not found:", err)
	}
	defs, err := library.Models()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range defs {
		if !bytes.Contains(b, []byte(","+d.Classification+",")) {
			t.Errorf("%s: classification %s is not in the titolario", d.ID, d.Classification)
		}
	}
}

func TestParse_Strict(t *testing.T) {
	for _, tc := range []struct{ name, yaml string }{
		{"UnknownField", "id: x\ntitle: X\nterm_days: 30\noffice: A\nbogus: 1\n"},
		{"BadTerm", "id: x\ntitle: X\nterm_days: 0\noffice: A\n"},
		{"LongTitle", "id: x\ntitle: Questo titolo è decisamente troppo lungo per una scheda di servizio comunale\nterm_days: 30\noffice: A\n"},
		{"NotYAML", "id: [\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := library.Parse(tc.name, []byte(tc.yaml)); err == nil {
				t.Fatal("want error")
			}
		})
	}
}

const validModel = `id: prova
version: "1.0"
title: Prova
office: SEGR
term_days: 30
form:
  sections:
    - title: Dati
      fields:
        - name: nome
          label: Nome
          type: text
`

// TestParseModels_Problems checks that every problem is reported with its line
// and path, in the FILE:LINE: PATH: message form of `procedo model validate`.
func TestParseModels_Problems(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  string
		want []string // prefixes of the problems, in order
	}{
		{"Valid", validModel, nil},
		{"UnknownFieldWithSuggestion", strings.Replace(validModel, "term_days: 30", "term_day: 30", 1),
			[]string{`f.yaml:5: term_day: campo sconosciuto "term_day" (forse "term_days"?)`}},
		{"WrongTypes", strings.Replace(strings.Replace(validModel, "term_days: 30", "term_days: trenta", 1), "type: text", "type: text\n          required: si", 1),
			[]string{"f.yaml:5: term_days: atteso un numero intero", "f.yaml:13: form.sections[0].fields[0].required: atteso true oppure false"}},
		{"UnquotedVersion", strings.Replace(validModel, `version: "1.0"`, "version: 1.0", 1),
			[]string{`f.yaml:2: version: atteso un testo: scrivi il valore tra virgolette`}},
		{"EveryRuleProblem", strings.Replace(strings.Replace(validModel, "type: text", "type: testo", 1), "term_days: 30", "term_days: 0", 1),
			[]string{"f.yaml:5: term_days: il termine", "f.yaml:12: form.sections[0].fields[0].type: tipo di campo sconosciuto"}},
		{"MissingFieldAtParent", "id: prova\ntitle: Prova\nterm_days: 30\nform:\n  sections: []\n",
			[]string{"f.yaml:1: office: l'ufficio responsabile è obbligatorio"}},
		{"Syntax", "id: prova\ntitle: [Prova\n", []string{"f.yaml:"}},
		{"Empty", "", []string{"f.yaml:1: il file è vuoto"}},
		{"WorkflowProblems", validModel + `workflow:
  states:
    - {name: submitted, label: Presentata, phase: istruttoria}
    - {name: accepted, label: Accolta, phase: decisoria}
    - {name: limbo, label: Limbo, phase: istruttoria}
  transitions:
    - {name: accept, label: Accogli, from: submitted, to: accepted, roles: [operator], document: decision}
`, []string{
			"f.yaml:17: workflow.states[2].name: nessuna transizione esce da questo stato",
			"f.yaml:19: workflow.transitions[0].clock: un'azione che conclude la pratica deve fermare il termine",
		}},
		{"FeeFormulaProblems", validModel + `payments:
  - description: Canone
    amount: 0
    variable: true
    causale: Canone
    note: al metro quadrato
    formula:
      amount_per_unit: 1.20
      unit_field: nome
      days_from_field: inizio
      minimum: 20
      extra: 1
`, []string{
			`f.yaml:24: payments[0].formula.extra: campo sconosciuto "extra"`,
		}},
		{"FeeFormulaFields", validModel + `payments:
  - description: Canone
    amount: 0
    variable: true
    causale: Canone
    note: al metro quadrato
    formula:
      amount_per_unit: 1.20
      unit_field: nome
      days_from_field: inizio
      minimum: 20
`, []string{
			`f.yaml:21: payments[0].formula.unit_field: il campo "nome" è di tipo text: serve un campo di tipo number`,
			`f.yaml:22: payments[0].formula.days_from_field: il campo "inizio" non esiste nel modulo`,
			`f.yaml:19: payments[0].formula.days_to_field: indica il nome del campo del modulo con l'ultimo giorno`,
		}},
		{"PackageRefusedWhole", "package:\n  title: P\nmodels:\n  - " + strings.ReplaceAll(strings.TrimSpace(validModel), "\n", "\n    ") +
			"\n  - " + strings.ReplaceAll(strings.TrimSpace(strings.Replace(validModel, "title: Prova", "title: ''", 1)), "\n", "\n    ") + "\n",
			[]string{"f.yaml:16: models[1].id: identificativo \"prova\" già usato da models[0]", "f.yaml:18: models[1].title: il titolo è obbligatorio"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defs, err := library.ParseModels("f.yaml", []byte(tc.src))
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if len(defs) != 1 {
					t.Fatalf("%d models", len(defs))
				}
				return
			}
			var ps procedo.ModelProblems
			if !errors.As(err, &ps) {
				t.Fatalf("err = %v, want ModelProblems", err)
			}
			if defs != nil {
				t.Error("models returned with problems")
			}
			if procedo.ErrorCode(err) != procedo.EINVALID {
				t.Errorf("code %s", procedo.ErrorCode(err))
			}
			if len(ps) < len(tc.want) {
				t.Fatalf("problems:\n%v\nwant:\n%s", err, strings.Join(tc.want, "\n"))
			}
			for _, w := range tc.want {
				found := false
				for _, p := range ps {
					if strings.HasPrefix(p.String(), w) {
						found = true
					}
				}
				if !found {
					t.Errorf("missing %q in:\n%v", w, err)
				}
			}
		})
	}
}

// TestFormatModels_RoundTrip writes every standard model and the library as a
// package, and reads them back unchanged.
func TestFormatModels_RoundTrip(t *testing.T) {
	defs, err := library.Models()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range defs {
		b, err := library.FormatModels(d)
		if err != nil {
			t.Fatal(err)
		}
		back, err := library.Parse(d.ID, b)
		if err != nil {
			t.Fatalf("%s: %v\n%s", d.ID, err, b)
		}
		if !reflect.DeepEqual(back, d) {
			t.Errorf("%s: round trip differs: %v", d.ID, procedo.DiffDefinitions(d, back))
		}
	}
	pkg, err := library.FormatModels(defs...)
	if err != nil {
		t.Fatal(err)
	}
	back, err := library.ParseModels("library.yaml", pkg)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(defs) {
		t.Fatalf("%d models back, want %d", len(back), len(defs))
	}
}

// TestSchema validates every standard model, and a package of them, against
// the JSON Schema, checks that the schema rejects mistakes, and that its
// properties are exactly the fields of the Go types.
func TestSchema(t *testing.T) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(library.Schema()))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("procedure.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("procedure.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	instance := func(t *testing.T, src []byte) any {
		t.Helper()
		j, err := yaml.YAMLToJSON(src)
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var defs []*procedo.ProcedureDefinition
	for _, name := range library.Files() {
		src, err := library.Source(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(instance(t, src)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		d, err := library.Parse(name, src)
		if err != nil {
			t.Fatal(err)
		}
		defs = append(defs, d)
	}
	pkg, err := library.FormatModels(defs...)
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(instance(t, pkg)); err != nil {
		t.Errorf("package: %v", err)
	}
	for name, bad := range map[string]string{
		"UnknownField":  strings.Replace(validModel, "term_days", "term_day", 1),
		"BadFieldType":  strings.Replace(validModel, "type: text", "type: testo", 1),
		"MissingOffice": strings.Replace(validModel, "office: SEGR\n", "", 1),
	} {
		if err := sch.Validate(instance(t, []byte(bad))); err == nil {
			t.Errorf("%s: the schema accepts a bad model", name)
		}
	}

	var schema struct {
		Defs map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(library.Schema(), &schema); err != nil {
		t.Fatal(err)
	}
	for def, typ := range map[string]reflect.Type{
		"model": reflect.TypeFor[procedo.ProcedureDefinition](), "field": reflect.TypeFor[procedo.FormField](),
		"section": reflect.TypeFor[procedo.FormSection](), "form": reflect.TypeFor[procedo.Form](),
		"state": reflect.TypeFor[procedo.WorkflowState](), "transition": reflect.TypeFor[procedo.Transition](),
		"workflow": reflect.TypeFor[procedo.ProcedureWorkflow](), "payment": reflect.TypeFor[procedo.Payment](),
		"document": reflect.TypeFor[procedo.DocumentTemplate](), "condition": reflect.TypeFor[procedo.Condition](),
		"option": reflect.TypeFor[procedo.FieldOption](), "link": reflect.TypeFor[procedo.Link](),
		"fee_formula": reflect.TypeFor[procedo.FeeFormula](),
	} {
		var fields []string
		for i := 0; i < typ.NumField(); i++ {
			if name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ","); name != "-" {
				fields = append(fields, name)
			}
		}
		var props []string
		for p := range schema.Defs[def].Properties {
			props = append(props, p)
		}
		sort.Strings(fields)
		sort.Strings(props)
		if !reflect.DeepEqual(fields, props) {
			t.Errorf("schema $defs/%s has properties %v, the Go type %s has %v", def, props, typ, fields)
		}
	}
}

// TestWorkflowBPMN exports every standard workflow and validates it against
// the OMG BPMN 2.0 XSD with xmllint, and checks the diagram covers every node
// and flow.
func TestWorkflowBPMN(t *testing.T) {
	defs, err := library.Models()
	if err != nil {
		t.Fatal(err)
	}
	defs = append(defs, &procedo.ProcedureDefinition{ID: "senza-flusso", Title: "Senza flusso", OfficeCode: "X", TermDays: 30})
	xsd := filepath.Join("..", "..", "shared", "standards", "bpmn", "BPMN20.xsd")
	_, xmllintErr := exec.LookPath("xmllint")
	_, xsdErr := os.Stat(xsd)
	dir := t.TempDir()
	for _, d := range defs {
		b, err := library.WorkflowBPMN(d)
		if err != nil {
			t.Fatal(err)
		}
		g := d.Graph()
		if n := bytes.Count(b, []byte("<bpmndi:BPMNShape ")); n != len(g.Nodes) {
			t.Errorf("%s: %d shapes for %d nodes", d.ID, n, len(g.Nodes))
		}
		if n := bytes.Count(b, []byte("<bpmndi:BPMNEdge ")); n != len(g.Edges) || n != bytes.Count(b, []byte("<bpmn:sequenceFlow ")) {
			t.Errorf("%s: %d edges for %d flows", d.ID, n, len(g.Edges))
		}
		file := filepath.Join(dir, d.ID+".bpmn")
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if xmllintErr != nil || xsdErr != nil {
			continue
		}
		out, err := exec.Command("xmllint", "--noout", "--nonet", "--schema", xsd, file).CombinedOutput()
		if err != nil {
			t.Errorf("%s: xmllint: %v\n%s", d.ID, err, out)
		}
	}
	if xmllintErr != nil || xsdErr != nil {
		t.Skip("xmllint or the BPMN XSD is not available: schema validation skipped")
	}
}
