// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package library

import _ "embed"

// schemaJSON is written by hand; TestSchema checks it against every standard
// model and against the fields of procedo.ProcedureDefinition.
//
//go:embed procedure.schema.json
var schemaJSON []byte

// Schema returns the JSON Schema (draft 2020-12) of the model and package
// format, served at /schemas/procedure.schema.json for editors.
func Schema() []byte { return schemaJSON }
