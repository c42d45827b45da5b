// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"regexp"
	"slices"
	"strings"
)

// TemplatePlaceholders lists the placeholders a document template of a model
// may use, written {{name}}, with their meaning. A form value is written
// {{campo.NAME}} with NAME a top-level field of the form.
var TemplatePlaceholders = []struct{ Name, Meaning string }{
	{"ente", "nome dell'amministrazione"},
	{"ufficio", "ufficio responsabile"},
	{"responsabile", "responsabile del procedimento"},
	{"procedimento", "titolo del procedimento"},
	{"richiedente", "nome e cognome del richiedente"},
	{"codice_fiscale", "codice fiscale del richiedente"},
	{"oggetto", "oggetto della pratica"},
	{"numero_pratica", "numero della pratica"},
	{"data_presentazione", "data di presentazione dell'istanza"},
	{"protocollo", "segnatura di protocollo dell'istanza"},
	{"termine", "termine del procedimento, in giorni"},
	{"scadenza", "data di scadenza del termine"},
	{"motivazione", "motivazione indicata dall'operatore"},
	{"data", "data del documento"},
	{"rimedi", "rimedi amministrativi e giurisdizionali"},
	{"potere_sostitutivo", "titolare del potere sostitutivo"},
}

var placeholderRE = regexp.MustCompile(`\{\{\s*([a-z_]+(?:\.[a-z0-9_]+)?)\s*\}\}`)

// unknownPlaceholders returns the placeholders of text that def does not know.
func unknownPlaceholders(text string, def *ProcedureDefinition) []string {
	var bad []string
	for _, m := range placeholderRE.FindAllStringSubmatch(text, -1) {
		name := m[1]
		if field, ok := strings.CutPrefix(name, "campo."); ok {
			if _, found := def.Form.Field(field); found {
				continue
			}
		} else if slices.ContainsFunc(TemplatePlaceholders, func(p struct{ Name, Meaning string }) bool { return p.Name == name }) {
			continue
		}
		if !slices.Contains(bad, name) {
			bad = append(bad, name)
		}
	}
	return bad
}

// RenderTemplateText replaces the placeholders of text with vars (form values
// under "campo.NAME"); an unknown placeholder becomes an empty string.
func RenderTemplateText(text string, vars map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(text, func(s string) string {
		return vars[placeholderRE.FindStringSubmatch(s)[1]]
	})
}
