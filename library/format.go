// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package library

import (
	"encoding/json"

	"github.com/goccy/go-yaml"

	"github.com/procedo/procedo"
)

// FormatModels writes defs as YAML in the model format: one model as it is,
// several as a package with a "models" list. Fields keep the order of
// procedo.ProcedureDefinition; long texts use block style.
func FormatModels(defs ...*procedo.ProcedureDefinition) ([]byte, error) {
	var v any
	if len(defs) == 1 {
		v = defs[0]
	} else {
		v = packageFile{Package: &Package{Title: "Pacchetto di modelli di procedimento"}, Models: defs}
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var ordered any
	if err := yaml.UnmarshalWithOptions(j, &ordered, yaml.UseOrderedMap()); err != nil {
		return nil, err
	}
	out, err := yaml.MarshalWithOptions(ordered, yaml.Indent(2), yaml.IndentSequence(true), yaml.UseLiteralStyleIfMultiline(true))
	if err != nil {
		return nil, err
	}
	head := "# Modello di procedimento procedo: schema in /schemas/procedure.schema.json\n"
	if len(defs) != 1 {
		head = "# Pacchetto di modelli di procedimento procedo: schema in /schemas/procedure.schema.json\n"
	}
	return append([]byte(head), out...), nil
}
