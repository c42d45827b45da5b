// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Change is one difference between two versions of a model.
type Change struct {
	Path string // e.g. `form.sections[0].fields["email"].label`
	Old  string // "" when added
	New  string // "" when removed
}

// Kind returns "aggiunto", "rimosso" or "modificato".
func (c Change) Kind() string {
	switch {
	case c.Old == "":
		return "aggiunto"
	case c.New == "":
		return "rimosso"
	}
	return "modificato"
}

// DiffDefinitions lists the differences from a to b, by path. Lists of named
// things (fields, states, options…) are matched by name, not position, so that
// inserting a field shows as one addition.
func DiffDefinitions(a, b *ProcedureDefinition) []Change {
	fa, fb := flattenDefinition(a), flattenDefinition(b)
	var out []Change
	for k, va := range fa {
		if vb, ok := fb[k]; !ok {
			out = append(out, Change{Path: k, Old: va})
		} else if va != vb {
			out = append(out, Change{Path: k, Old: va, New: vb})
		}
	}
	for k, vb := range fb {
		if _, ok := fa[k]; !ok {
			out = append(out, Change{Path: k, New: vb})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// flattenDefinition maps every leaf of d's JSON form to its printed value.
func flattenDefinition(d *ProcedureDefinition) map[string]string {
	out := map[string]string{}
	if d == nil {
		return out
	}
	b, err := json.Marshal(d)
	if err != nil {
		return out // a definition always marshals; nothing to compare otherwise
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return out
	}
	flatten("", v, out)
	return out
}

func flatten(path string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flatten(p, e, out)
		}
	case []any:
		keys := listKeys(x)
		for i, e := range x {
			k := "[" + strconv.Itoa(i) + "]"
			if keys != nil {
				k = "[" + strconv.Quote(keys[i]) + "]"
			}
			flatten(path+k, e, out)
		}
	case nil:
	case string:
		if x != "" {
			out[path] = x
		}
	case bool:
		if x {
			out[path] = "sì"
		}
	case float64:
		out[path] = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		out[path] = fmt.Sprint(x)
	}
}

// listKeys returns a unique identifying key for each element of a list of
// objects (name, value or title), or nil to compare by position.
func listKeys(list []any) []string {
	keys := make([]string, len(list))
	seen := map[string]bool{}
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil
		}
		var k string
		for _, field := range []string{"name", "value", "title", "description"} {
			if s, ok := m[field].(string); ok && s != "" {
				k = s
				if from, ok := m["from"].(string); ok && field == "name" {
					k = from + ":" + s // transitions: the same name may leave several states
				}
				break
			}
		}
		if k == "" || seen[k] {
			return nil
		}
		seen[k] = true
		keys[i] = k
	}
	return keys
}

// ImportAction is what importing one model does.
type ImportAction string

const (
	ImportCreate    ImportAction = "create"    // a new procedure type with a first draft
	ImportUpdate    ImportAction = "update"    // a new draft of an existing type
	ImportUnchanged ImportAction = "unchanged" // the tenant already has this version or a newer one
)

// Label returns the Italian description of the action.
func (a ImportAction) Label() string {
	switch a {
	case ImportCreate:
		return "Nuovo procedimento (bozza)"
	case ImportUpdate:
		return "Nuova versione (bozza)"
	case ImportUnchanged:
		return "Già presente (versione uguale o più recente): non importato"
	}
	return string(a)
}

// ImportPlan is what importing a package does, model by model.
type ImportPlan struct {
	Items []*ImportItem
}

// ImportItem is the plan for one model of a package.
type ImportItem struct {
	Definition *ProcedureDefinition
	Action     ImportAction
	Current    *ProcedureVersion // newest version already in the tenant; nil for ImportCreate
	Version    int               // number of the draft created (or to be created)
	Changes    []Change          // from Current to the imported model
	Localise   []string          // what an administrator must check or change before publishing
	Draft      *ProcedureVersion // the draft created; nil on a dry run
}

// Localisation lists what an administrator of tenant t (with offices units)
// must localise in def before publishing it: offices, contacts, amounts,
// local holiday, references to the authoring administration.
func (d *ProcedureDefinition) Localisation(t *Tenant, units []*OrgUnit) []string {
	var out []string
	find := func(code string) *OrgUnit {
		for _, u := range units {
			if u.Code == code {
				return u
			}
		}
		return nil
	}
	if ou := find(d.OfficeCode); ou == nil {
		out = append(out, fmt.Sprintf("L'ufficio responsabile «%s» non esiste nell'ente: crealo oppure indica in office il codice di un ufficio esistente.", d.OfficeCode))
	} else if ou.Email == "" || ou.Phone == "" {
		out = append(out, fmt.Sprintf("Completa telefono ed e-mail dell'ufficio %s: compaiono nella scheda del procedimento (art. 35, lett. c).", ou.Name))
	}
	if d.DecisionOffice != "" && find(d.DecisionOffice) == nil {
		out = append(out, fmt.Sprintf("L'ufficio che adotta il provvedimento «%s» non esiste nell'ente: crealo oppure cambia decision_office.", d.DecisionOffice))
	}
	for _, p := range d.Payments {
		out = append(out, fmt.Sprintf("Verifica l'importo «%s» (%s) secondo le tariffe dell'ente.", p.Description, p.AmountLabel()))
	}
	if t != nil && t.PatronDay == "" {
		out = append(out, "L'ente non ha indicato la festa del santo patrono: i termini non ne tengono conto.")
	}
	if d.SubstitutePower != "" {
		out = append(out, fmt.Sprintf("Verifica il titolare del potere sostitutivo («%s») e i suoi contatti.", d.SubstitutePower))
	}
	if d.OfficeHours != "" || len(d.Channels) > 0 {
		out = append(out, "Verifica orari e sedi degli sportelli indicati nel modello.")
	}
	if len(d.Forms) > 0 {
		out = append(out, "Verifica i link alla modulistica: puntano al sito dell'amministrazione autrice.")
	}
	if p := d.Provenance; p != nil && t != nil && p.Authority != t.Name {
		out = append(out, fmt.Sprintf("Il modello è stato scritto da %s (licenza %s): adatta i riferimenti a regolamenti locali.", p.Authority, p.Licence))
	}
	return out
}

// PackageProblems checks a package as a whole (beyond each model's Validate):
// no identifier twice. Keys are "models[i].id".
func PackageProblems(defs []*ProcedureDefinition) FieldErrors {
	fe := FieldErrors{}
	seen := map[string]int{}
	for i, d := range defs {
		if j, ok := seen[d.ID]; ok {
			fe.Add("models["+strconv.Itoa(i)+"].id", fmt.Sprintf("identificativo %q già usato da models[%d]", d.ID, j))
		}
		seen[d.ID] = i
	}
	return fe
}

// PrefixFieldErrors returns fe with prefix added to every key ("models[2]." …).
func PrefixFieldErrors(prefix string, fe FieldErrors) FieldErrors {
	out := FieldErrors{}
	for k, v := range fe {
		out[strings.TrimSuffix(prefix+k, ".")] = v
	}
	return out
}
