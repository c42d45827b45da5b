// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package web

import (
	"strconv"
	"strings"

	"github.com/procedo/procedo"
)

// addressPart is one input of an address field.
type addressPart struct {
	Key, Label, Class, Autocomplete, Inputmode, Hint string
}

// addressParts lists the inputs of the address field name (keys name.via…).
func addressParts(name string) []addressPart {
	return []addressPart{
		{Key: name + ".via", Label: "Via o piazza", Class: "col-md-8", Autocomplete: "address-line1"},
		{Key: name + ".civico", Label: "Numero civico", Class: "col-md-4", Autocomplete: "off"},
		{Key: name + ".cap", Label: "CAP", Class: "col-md-4", Autocomplete: "postal-code", Inputmode: "numeric"},
		{Key: name + ".comune", Label: "Comune", Class: "col-md-8", Autocomplete: "address-level2",
			Hint: "Scrivi il nome del Comune; se più Comuni hanno lo stesso nome aggiungi la provincia, ad esempio Castro (LE)."},
	}
}

// groupRow is one item of a repeatable group, with its fields renamed to
// their keys (name.0.sub).
type groupRow struct {
	Legend string
	Fields []fieldView
}

// groupRows returns the items to draw for a group: the filled ones (at least
// min_items) plus one empty, at most max_items. Without scripts there is no
// "add" button: the spare item is there to be filled.
func groupRows(fv fieldView) []groupRow {
	f := fv.F
	filled := 0
	for i := 0; i < f.Items(); i++ {
		prefix := f.Name + "." + strconv.Itoa(i) + "."
		for k, v := range fv.Values {
			if strings.HasPrefix(k, prefix) && strings.TrimSpace(v) != "" {
				filled = i + 1
			}
		}
		for k := range fv.Errors {
			if strings.HasPrefix(k, prefix) {
				filled = max(filled, i+1)
			}
		}
	}
	n := min(max(filled, f.MinItems)+1, f.Items())
	rows := make([]groupRow, n)
	for i := range rows {
		rows[i].Legend = f.Label + ": elemento " + strconv.Itoa(i+1)
		for _, sub := range f.Fields {
			sub.Name = f.Name + "." + strconv.Itoa(i) + "." + sub.Name
			rows[i].Fields = append(rows[i].Fields, fieldView{F: sub, Value: fv.Values[sub.Name], Error: fv.Errors[sub.Name],
				Values: fv.Values, Errors: fv.Errors})
		}
	}
	return rows
}

// formForDisplay returns a copy of form whose conditional fields say, in their
// hint, when to fill them: without scripts every field is shown.
func formForDisplay(form procedo.Form) procedo.Form {
	out := procedo.Form{}
	labels := map[string]procedo.FormField{}
	for _, s := range form.Sections {
		sec := procedo.FormSection{Title: s.Title}
		for _, f := range s.Fields {
			if c := f.VisibleIf; c != nil {
				ctl := labels[c.Field]
				values := c.In
				if c.Equals != "" {
					values = []string{c.Equals}
				}
				shown := make([]string, len(values))
				for i, v := range values {
					shown[i] = "«" + procedo.DisplayValue(ctl, v) + "»"
				}
				cond := "Compila solo se hai risposto " + strings.Join(shown, " o ") + " a «" + ctl.Label + "»."
				if f.Hint != "" {
					f.Hint = cond + " " + f.Hint
				} else {
					f.Hint = cond
				}
			}
			labels[f.Name] = f
			sec.Fields = append(sec.Fields, f)
		}
		out.Sections = append(out.Sections, sec)
	}
	return out
}

// formErrorList lists the errors of a form submission in form order, with the
// label of each input, for the summary at the top of the form.
func formErrorList(form procedo.Form, fe procedo.FieldErrors) []fieldError {
	var out []fieldError
	seen := map[string]bool{}
	add := func(key, label string) {
		if msg, ok := fe[key]; ok && !seen[key] {
			out = append(out, fieldError{key, label, msg})
			seen[key] = true
		}
	}
	for _, f := range form.Fields() {
		add(f.Name, f.Label)
		switch f.Type {
		case procedo.FieldAddress:
			for _, p := range addressParts(f.Name) {
				add(p.Key, f.Label+" – "+p.Label)
			}
		case procedo.FieldGroup:
			for i := 0; i < f.Items(); i++ {
				for _, sub := range f.Fields {
					key := f.Name + "." + strconv.Itoa(i) + "." + sub.Name
					add(key, f.Label+" "+strconv.Itoa(i+1)+" – "+sub.Label)
					if sub.Type == procedo.FieldAddress {
						for _, p := range addressParts(key) {
							add(p.Key, f.Label+" "+strconv.Itoa(i+1)+" – "+sub.Label+" – "+p.Label)
						}
					}
				}
			}
		}
	}
	return out
}

// serviceActive refuses applications to a service that does not accept them
// online (Modello Comuni "stato del servizio"; art. 35 c.1 i): the rule the
// store applies again, checked here to answer before any form is shown.
func serviceActive(v *procedo.ProcedureVersion) error {
	return procedo.AcceptsApplications(v)
}

func init() {
	funcs["addressParts"] = addressParts
	funcs["groupRows"] = groupRows
}
