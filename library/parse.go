// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package library

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/procedo/procedo"
)

// Package is the header of a package file: several models in one file, under
// "models", for moving them between administrations together.
type Package struct {
	Title       string `json:"title"`                 // e.g. "Libreria standard di procedo"
	Description string `json:"description,omitempty"` // what the package holds
	Version     string `json:"version,omitempty"`     // the package's own version
	Authority   string `json:"authority,omitempty"`   // who publishes it
}

// packageFile is the shape of a package file.
type packageFile struct {
	Package *Package                       `json:"package,omitempty"`
	Models  []*procedo.ProcedureDefinition `json:"models"`
}

// MaxModelSize bounds a model or package file (bytes).
const MaxModelSize = 4 << 20

// ParseModels reads a YAML (or JSON) file holding one model, or a package with
// a "models" list, and validates every model. On any problem it returns
// procedo.ModelProblems listing each with its line and path (paths of a
// package start with "models[i]."), and no model: a bad package is refused
// whole.
func ParseModels(name string, src []byte) ([]*procedo.ProcedureDefinition, error) {
	fail := func(line int, path, msg string) error {
		return procedo.ModelProblems{{File: name, Line: line, Path: path, Message: msg}}
	}
	if len(src) > MaxModelSize {
		return nil, fail(0, "", fmt.Sprintf("il file supera %d MB", MaxModelSize>>20))
	}
	file, err := parser.ParseBytes(src, 0)
	if err != nil {
		return nil, fail(errorLine(err), "", "YAML non valido: "+errorMessage(err))
	}
	var docs []ast.Node
	for _, d := range file.Docs {
		if d.Body != nil {
			docs = append(docs, d.Body)
		}
	}
	switch {
	case len(docs) == 0:
		return nil, fail(1, "", "il file è vuoto")
	case len(docs) > 1:
		return nil, fail(line(docs[1]), "", "il file contiene più documenti YAML: per più modelli usa un pacchetto con l'elenco models")
	}
	root := docs[0]
	w := &walker{file: name, lines: map[string]int{}}
	isPackage := false
	if m, ok := unwrap(root).(*ast.MappingNode); ok {
		for _, kv := range m.Values {
			if k := keyString(kv.Key); k == "models" || k == "package" {
				isPackage = true
			}
		}
	}
	var defs []*procedo.ProcedureDefinition
	if isPackage {
		w.check(root, "", reflect.TypeFor[packageFile]())
		if len(w.problems) == 0 {
			var pf packageFile
			if err := decodeJSON(src, &pf); err != nil {
				return nil, fail(1, "", "YAML non valido: "+errorMessage(err))
			}
			if len(pf.Models) == 0 {
				w.add(line(root), "models", "il pacchetto non contiene modelli")
			}
			for i, d := range pf.Models {
				if d == nil {
					w.add(w.lineOf(fmt.Sprintf("models[%d]", i)), fmt.Sprintf("models[%d]", i), "modello vuoto")
					continue
				}
				w.validate(d, fmt.Sprintf("models[%d].", i))
			}
			for k, msg := range procedo.PackageProblems(pf.Models) {
				w.add(w.lineOf(k), k, msg)
			}
			defs = pf.Models
		}
	} else {
		w.check(root, "", reflect.TypeFor[procedo.ProcedureDefinition]())
		if len(w.problems) == 0 {
			var d procedo.ProcedureDefinition
			if err := decodeJSON(src, &d); err != nil {
				return nil, fail(1, "", "YAML non valido: "+errorMessage(err))
			}
			w.validate(&d, "")
			defs = []*procedo.ProcedureDefinition{&d}
		}
	}
	if len(w.problems) > 0 {
		sort.SliceStable(w.problems, func(i, j int) bool { return w.problems[i].Line < w.problems[j].Line })
		return nil, w.problems
	}
	return defs, nil
}

// decodeJSON decodes YAML src into v through JSON, strictly (the walker has
// already reported unknown fields and wrong types with their lines).
func decodeJSON(src []byte, v any) error {
	j, err := yaml.YAMLToJSON(src)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func errorLine(err error) int {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		return ye.GetToken().Position.Line
	}
	return 0
}

func errorMessage(err error) string {
	var ye yaml.Error
	if errors.As(err, &ye) {
		return ye.GetMessage()
	}
	return err.Error()
}

// walker checks an AST against a Go type, remembering the line of every path.
type walker struct {
	file     string
	lines    map[string]int // path → line
	problems procedo.ModelProblems
}

func (w *walker) add(line int, path, msg string) {
	w.problems = append(w.problems, procedo.ModelProblem{File: w.file, Line: line, Path: path, Message: msg})
}

// validate runs def.Validate and reports its problems under prefix.
func (w *walker) validate(def *procedo.ProcedureDefinition, prefix string) {
	fe := procedo.FieldErrorsOf(def.Validate())
	for _, k := range sortedKeys(fe) {
		path := strings.TrimSuffix(prefix+k, ".")
		w.add(w.lineOf(path), path, fe[k])
	}
}

// lineOf returns the line of path, or of its nearest ancestor present in the
// file (a missing field is reported where its parent starts).
func (w *walker) lineOf(path string) int {
	for p := path; ; {
		if l, ok := w.lines[p]; ok {
			return l
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			if l, ok := w.lines[""]; ok {
				return l
			}
			return 1
		}
		p = p[:i]
	}
}

func sortedKeys(fe procedo.FieldErrors) []string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func line(n ast.Node) int {
	if n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// unwrap skips anchors and tags.
func unwrap(n ast.Node) ast.Node {
	for {
		switch x := n.(type) {
		case *ast.AnchorNode:
			n = x.Value
		case *ast.TagNode:
			n = x.Value
		default:
			return n
		}
	}
}

func keyString(k ast.MapKeyNode) string {
	switch x := k.(type) {
	case *ast.StringNode:
		return x.Value
	case *ast.MappingKeyNode:
		if x.Value != nil {
			return strings.TrimSpace(x.Value.String())
		}
	}
	return strings.TrimSpace(k.String())
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// jsonFields maps the JSON names of a struct's fields to their types.
func jsonFields(t reflect.Type) (map[string]reflect.Type, []string) {
	fields := map[string]reflect.Type{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
		names = append(names, name)
	}
	return fields, names
}

// check walks n at path against type t, recording lines and problems.
func (w *walker) check(n ast.Node, path string, t reflect.Type) {
	n = unwrap(n)
	if n == nil {
		return
	}
	if _, ok := w.lines[path]; !ok {
		w.lines[path] = line(n)
	}
	if _, ok := n.(*ast.AliasNode); ok {
		return // the anchored value was checked where it is defined
	}
	if _, ok := n.(*ast.NullNode); ok {
		return // null: the zero value
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := n.(*ast.MappingNode)
		if !ok {
			w.add(line(n), path, "atteso un oggetto (chiave: valore)")
			return
		}
		fields, names := jsonFields(t)
		seen := map[string]bool{}
		for _, kv := range m.Values {
			k := keyString(kv.Key)
			p := join(path, k)
			if seen[k] {
				w.add(line(kv.Key), p, "chiave ripetuta")
				continue
			}
			seen[k] = true
			ft, ok := fields[k]
			if !ok {
				msg := fmt.Sprintf("campo sconosciuto %q", k)
				if s := closest(k, names); s != "" {
					msg += fmt.Sprintf(" (forse %q?)", s)
				}
				w.add(line(kv.Key), p, msg)
				continue
			}
			w.lines[p] = line(kv.Key)
			w.check(kv.Value, p, ft)
		}
	case reflect.Map:
		m, ok := n.(*ast.MappingNode)
		if !ok {
			w.add(line(n), path, "atteso un oggetto (chiave: valore)")
			return
		}
		seen := map[string]bool{}
		for _, kv := range m.Values {
			k := keyString(kv.Key)
			p := join(path, k)
			if seen[k] {
				w.add(line(kv.Key), p, "chiave ripetuta")
				continue
			}
			seen[k] = true
			w.lines[p] = line(kv.Key)
			w.check(kv.Value, p, t.Elem())
		}
	case reflect.Slice:
		s, ok := n.(*ast.SequenceNode)
		if !ok {
			w.add(line(n), path, "atteso un elenco (righe che iniziano con -)")
			return
		}
		for i, v := range s.Values {
			w.check(v, path+"["+strconv.Itoa(i)+"]", t.Elem())
		}
	case reflect.String:
		switch n.(type) {
		case *ast.StringNode, *ast.LiteralNode:
		case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
			w.add(line(n), path, fmt.Sprintf("atteso un testo: scrivi il valore tra virgolette, ad esempio \"%s\"", n.String()))
		default:
			w.add(line(n), path, "atteso un testo")
		}
	case reflect.Int, reflect.Int64:
		if _, ok := n.(*ast.IntegerNode); !ok {
			w.add(line(n), path, "atteso un numero intero")
		}
	case reflect.Float64:
		switch n.(type) {
		case *ast.IntegerNode, *ast.FloatNode:
		default:
			w.add(line(n), path, "atteso un numero (con il punto per i decimali, ad esempio 16.50)")
		}
	case reflect.Bool:
		if _, ok := n.(*ast.BoolNode); !ok {
			w.add(line(n), path, "atteso true oppure false")
		}
	}
}

// closest returns the name within edit distance 2 of k, if any.
func closest(k string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := distance(k, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
