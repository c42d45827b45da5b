// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"strings"
	"testing"

	"github.com/procedo/procedo/library"
)

func TestProcedures(t *testing.T) {
	f := newFixture(t)
	f.server.Models = library.Codec{}
	src, err := library.Source("segnalazione-reclamo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	model := string(src)
	pkg := func(ids ...string) string {
		var b strings.Builder
		b.WriteString("package:\n  title: Prova\nmodels:\n")
		for _, id := range ids {
			s, err := library.Source(id + ".yaml")
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(string(s)), "\n")
			first := true
			for _, l := range lines {
				if strings.HasPrefix(l, "#") {
					continue
				}
				if first {
					b.WriteString("  - " + l + "\n")
					first = false
				} else {
					b.WriteString("    " + l + "\n")
				}
			}
		}
		return b.String()
	}
	f.run(t, []scenario{
		{name: "List", url: "/api/v1/procedures", token: "A.operator", status: 200,
			want: []string{`"key":"accesso-documentale"`, `"version":1`, `"silence":"silenzio-rigetto"`}},
		{name: "ViewAsOperator", url: "/api/v1/procedures/accesso-documentale", token: "A.operator", status: 200,
			want: []string{`"key":"accesso-documentale"`, `"published":{`, `"draft":null`}, notWant: []string{`"cases"`}},
		{name: "ViewAsAdmin", url: "/api/v1/procedures/accesso-documentale", token: "A.admin", status: 200,
			want: []string{`"versions":[{`, `"cases":3`, `"open_cases":3`}},
		{name: "ViewOtherTenant", url: "/api/v1/procedures/accesso-documentale", token: "B.admin", status: 200,
			want: []string{`"cases":1`}},
		{name: "ViewUnknown", url: "/api/v1/procedures/nessuno", token: "A.admin", status: 404},
		{name: "Version", url: "/api/v1/procedures/accesso-documentale/versions/1", token: "A.operator", status: 200,
			want: []string{`"status":"published"`, `"definition":{"id":"accesso-documentale"`, `"workflow":{"states":[`}},
		{name: "VersionUnknown", url: "/api/v1/procedures/accesso-documentale/versions/9", token: "A.operator", status: 404},
		{name: "VersionBad", url: "/api/v1/procedures/accesso-documentale/versions/x", token: "A.operator", status: 404},
		{name: "BPMN", url: "/api/v1/procedures/accesso-documentale/versions/1/bpmn", token: "A.operator", status: 200,
			want:    []string{`<bpmn:definitions`, `<bpmndi:BPMNDiagram`, `name="Accogli"`},
			headers: map[string]string{"Content-Type": "application/xml", "Content-Disposition": "accesso-documentale-v1.bpmn"}},
		{name: "CreateForbidden", method: "POST", url: "/api/v1/procedures", body: model, token: "A.operator", status: 403},
		{name: "CreateInvalid", method: "POST", url: "/api/v1/procedures", body: strings.Replace(model, "term_days: 30", "term_days: 0", 1),
			token: "A.admin", status: 422, want: []string{`"fields":{"term_days":"riga `}},
		{name: "CreateNotYAML", method: "POST", url: "/api/v1/procedures", body: "id: [", token: "A.admin", status: 422,
			want: []string{`YAML non valido`}},
		{name: "Create", method: "POST", url: "/api/v1/procedures", body: model, token: "A.admin", status: 201,
			want:    []string{`"status":"draft"`, `"version":1`, `"definition":{"id":"segnalazione-reclamo"`},
			headers: map[string]string{"Location": "/api/v1/procedures/segnalazione-reclamo/versions/1"}},
		{name: "CreateJSONConflict", method: "POST", url: "/api/v1/procedures", body: model, token: "A.admin", status: 409},
		{name: "DraftHiddenFromOperator", url: "/api/v1/procedures/segnalazione-reclamo/versions/1", token: "A.operator", status: 404},
		{name: "DraftHiddenFromOtherTenant", url: "/api/v1/procedures/segnalazione-reclamo/versions/1", token: "B.admin", status: 404},
		{name: "DraftForAdmin", url: "/api/v1/procedures/segnalazione-reclamo", token: "A.admin", status: 200,
			want: []string{`"draft":{`, `"published":null`}},
		{name: "ImportDryRun", method: "POST", url: "/api/v1/procedures/import?dry_run=true", body: pkg("deroga-rumore", "passo-carrabile"),
			token: "A.admin", status: 200, want: []string{`"dry_run":true`, `"action":"create"`, `"draft":null`, `«TEC» non esiste`}},
		{name: "ImportBadDryRun", method: "POST", url: "/api/v1/procedures/import?dry_run=forse", body: pkg("deroga-rumore"),
			token: "A.admin", status: 422},
		{name: "ImportRefusedWhole", method: "POST", url: "/api/v1/procedures/import",
			body: pkg("deroga-rumore", "passo-carrabile", "deroga-rumore"), token: "A.admin", status: 422,
			want: []string{`"models[2].id":"riga `}},
		{name: "ImportForbidden", method: "POST", url: "/api/v1/procedures/import", body: pkg("deroga-rumore"), token: "A.manager", status: 403},
		{name: "Import", method: "POST", url: "/api/v1/procedures/import", body: pkg("deroga-rumore", "accesso-documentale"),
			token: "A.admin", status: 201, want: []string{`"dry_run":false`, `"key":"deroga-rumore","title":"Deroga ai limiti di rumore per attività temporanee","model_version":"1.0","action":"create","version":1`,
				`"action":"unchanged"`, `"draft":{"id":`}},
		{name: "ImportedDraftNotInOtherTenant", url: "/api/v1/procedures/deroga-rumore", token: "B.admin", status: 404},
	})
}
