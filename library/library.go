// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

// Package library holds the standard procedure models shipped with procedo, as
// YAML files embedded in the binary, and parses them into procedure definitions.
// It must not touch the database: tenants receive models through
// procedo.ProcedureService.
package library

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/procedo/procedo"
)

//go:embed models/*.yaml
var modelsFS embed.FS

// Parse reads one YAML model strictly (unknown fields are errors) and validates it.
func Parse(name string, b []byte) (*procedo.ProcedureDefinition, error) {
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.DisallowUnknownFields()
	var def procedo.ProcedureDefinition
	if err := dec.Decode(&def); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := def.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &def, nil
}

// Models returns every standard model, ordered by identifier.
func Models() ([]*procedo.ProcedureDefinition, error) {
	entries, err := fs.ReadDir(modelsFS, "models")
	if err != nil {
		return nil, err
	}
	var out []*procedo.ProcedureDefinition
	for _, e := range entries {
		b, err := fs.ReadFile(modelsFS, path.Join("models", e.Name()))
		if err != nil {
			return nil, err
		}
		def, err := Parse(e.Name(), b)
		if err != nil {
			return nil, err
		}
		if want := strings.TrimSuffix(e.Name(), ".yaml"); def.ID != want {
			return nil, fmt.Errorf("%s: id %q must match the file name", e.Name(), def.ID)
		}
		out = append(out, def)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Model returns the standard model id, or ENOTFOUND.
func Model(id string) (*procedo.ProcedureDefinition, error) {
	b, err := fs.ReadFile(modelsFS, path.Join("models", id+".yaml"))
	if err != nil {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Modello %q non presente nella libreria.", id)
	}
	return Parse(id+".yaml", b)
}
