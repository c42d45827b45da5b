// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/procedo/procedo/api"
)

var update = flag.Bool("update", false, "rewrite testdata/openapi.golden.json from openapi.yaml")

const golden = "testdata/openapi.golden.json"

// servedOpenAPI returns the document served at /api/v1/openapi.json. It needs
// no database: the route takes no token.
func servedOpenAPI(t *testing.T) []byte {
	t.Helper()
	rec := httptest.NewRecorder()
	(&api.Server{}).Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/openapi.json", nil))
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %v", rec.Code, rec.Header())
	}
	return rec.Body.Bytes()
}

// TestOpenAPI_Golden checks the served JSON against the reviewed golden file;
// run with -update after changing openapi.yaml.
func TestOpenAPI_Golden(t *testing.T) {
	got := servedOpenAPI(t)
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("served OpenAPI differs from %s; run go test ./api/ -run TestOpenAPI_Golden -update and review the diff", golden)
	}
}

type openAPIDoc struct {
	OpenAPI  string                                `json:"openapi"`
	Security []map[string][]string                 `json:"security"`
	Paths    map[string]map[string]json.RawMessage `json:"paths"`
}

type operation struct {
	OperationID string                     `json:"operationId"`
	Security    *[]map[string][]string     `json:"security"`
	Parameters  []map[string]any           `json:"parameters"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

func parseOpenAPI(t *testing.T) (openAPIDoc, map[string]any) {
	t.Helper()
	b := servedOpenAPI(t)
	var doc openAPIDoc
	var raw map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	return doc, raw
}

// TestOpenAPI_DocumentsEveryRoute checks that routes.go and openapi.yaml list
// the same endpoints.
func TestOpenAPI_DocumentsEveryRoute(t *testing.T) {
	doc, _ := parseOpenAPI(t)
	var routes, documented []string
	for _, p := range (&api.Server{}).RoutePatterns() {
		method, path, _ := strings.Cut(p, " ")
		routes = append(routes, method+" "+strings.TrimPrefix(path, "/api/v1"))
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(routes)
	sort.Strings(documented)
	for _, r := range routes {
		if !slices.Contains(documented, r) {
			t.Errorf("route %s is not in openapi.yaml", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routes, d) {
			t.Errorf("openapi.yaml documents %s, which routes.go does not serve", d)
		}
	}
}

// TestOpenAPI_WellFormed checks what a reader of the document relies on: the
// version, resolvable references, declared path parameters, unique operation
// ids, and the bearer scheme with its 401 answer on every protected operation.
func TestOpenAPI_WellFormed(t *testing.T) {
	doc, raw := parseOpenAPI(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	if len(doc.Security) != 1 || doc.Security[0]["bearer"] == nil {
		t.Errorf("global security %v", doc.Security)
	}
	scheme := lookup(raw, "#/components/securitySchemes/bearer")
	if m, _ := scheme.(map[string]any); m["type"] != "http" || m["scheme"] != "bearer" {
		t.Errorf("bearer scheme %v", scheme)
	}
	var refs []string
	collectRefs(raw, &refs)
	for _, ref := range refs {
		if lookup(raw, ref) == nil {
			t.Errorf("unresolved $ref %s", ref)
		}
	}
	ids := map[string]bool{}
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	for path, ops := range doc.Paths {
		for method, rawOp := range ops {
			var op operation
			if err := json.Unmarshal(rawOp, &op); err != nil {
				t.Fatal(err)
			}
			where := strings.ToUpper(method) + " " + path
			if op.OperationID == "" || ids[op.OperationID] {
				t.Errorf("%s: missing or repeated operationId %q", where, op.OperationID)
			}
			ids[op.OperationID] = true
			declared := map[string]bool{}
			for _, p := range op.Parameters {
				if ref, ok := p["$ref"].(string); ok {
					p, _ = lookup(raw, ref).(map[string]any)
				}
				if p["in"] == "path" {
					declared[p["name"].(string)] = true
					if p["required"] != true {
						t.Errorf("%s: path parameter %v not required", where, p["name"])
					}
				}
			}
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s: path parameter %s not declared", where, m[1])
				}
			}
			_, ok200 := op.Responses["200"]
			_, ok201 := op.Responses["201"]
			_, ok204 := op.Responses["204"]
			if !ok200 && !ok201 && !ok204 {
				t.Errorf("%s: no 200, 201 or 204 response", where)
			}
			public := op.Security != nil && len(*op.Security) == 0
			if _, ok := op.Responses["401"]; !ok && !public {
				t.Errorf("%s: protected but no 401 response", where)
			}
		}
	}
}

// lookup resolves a local JSON pointer such as "#/components/schemas/Case".
func lookup(doc map[string]any, ref string) any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")]
	}
	return cur
}

func collectRefs(v any, refs *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				*refs = append(*refs, s)
			}
			collectRefs(x, refs)
		}
	case []any:
		for _, x := range v {
			collectRefs(x, refs)
		}
	}
}
