// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package library owns the portable forms of procedure models: the YAML model
// and package format (parsing with line numbers, writing), its JSON Schema,
// the BPMN 2.0 export of workflows, and the standard models shipped with
// procedo, embedded in the binary. It must not touch the database: tenants
// receive models through procedo.ProcedureService.
package library

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/procedo/procedo"
)

//go:embed models/*.yaml
var modelsFS embed.FS

// Parse reads one YAML model strictly (unknown fields are errors) and
// validates it. The error lists every problem with its line
// (procedo.ModelProblems).
func Parse(name string, b []byte) (*procedo.ProcedureDefinition, error) {
	defs, err := ParseModels(name, b)
	if err != nil {
		return nil, err
	}
	if len(defs) != 1 {
		return nil, procedo.ModelProblems{{File: name, Line: 1, Message: "atteso un solo modello, trovato un pacchetto"}}
	}
	return defs[0], nil
}

// Files lists the file names of the standard models, sorted.
func Files() []string {
	entries, _ := fs.ReadDir(modelsFS, "models") // embedded: cannot fail
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// Source returns the YAML of the standard model file name.
func Source(name string) ([]byte, error) {
	b, err := fs.ReadFile(modelsFS, path.Join("models", name))
	if err != nil {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Modello %q non presente nella libreria.", name)
	}
	return b, nil
}

// Models returns every standard model, ordered by identifier.
func Models() ([]*procedo.ProcedureDefinition, error) {
	var out []*procedo.ProcedureDefinition
	for _, name := range Files() {
		b, err := Source(name)
		if err != nil {
			return nil, err
		}
		def, err := Parse(name, b)
		if err != nil {
			return nil, err
		}
		if want := strings.TrimSuffix(name, ".yaml"); def.ID != want {
			return nil, fmt.Errorf("%s: id %q must match the file name", name, def.ID)
		}
		out = append(out, def)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Model returns the standard model id, or ENOTFOUND.
func Model(id string) (*procedo.ProcedureDefinition, error) {
	b, err := Source(id + ".yaml")
	if err != nil {
		return nil, err
	}
	return Parse(id+".yaml", b)
}

// StandardPackage returns every standard model as one package file.
func StandardPackage() ([]byte, error) {
	defs, err := Models()
	if err != nil {
		return nil, err
	}
	return FormatModels(defs...)
}

// Codec implements procedo.ModelCodec with this package's functions.
type Codec struct{}

var _ procedo.ModelCodec = Codec{}

// ParseModels implements procedo.ModelCodec.
func (Codec) ParseModels(name string, src []byte) ([]*procedo.ProcedureDefinition, error) {
	return ParseModels(name, src)
}

// FormatModels implements procedo.ModelCodec.
func (Codec) FormatModels(defs ...*procedo.ProcedureDefinition) ([]byte, error) {
	return FormatModels(defs...)
}

// WorkflowBPMN implements procedo.ModelCodec.
func (Codec) WorkflowBPMN(def *procedo.ProcedureDefinition) ([]byte, error) { return WorkflowBPMN(def) }

// JSONSchema implements procedo.ModelCodec.
func (Codec) JSONSchema() []byte { return Schema() }
