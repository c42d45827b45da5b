// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package library_test

import (
	"testing"

	"github.com/procedo/procedo/library"
)

func TestModels(t *testing.T) {
	defs, err := library.Models()
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) == 0 {
		t.Fatal("no models")
	}
	def, err := library.Model("accesso-documentale")
	if err != nil {
		t.Fatal(err)
	}
	if def.TermDays != 30 || def.OfficeCode == "" || len(def.Form.Fields()) < 5 {
		t.Errorf("unexpected model: %+v", def)
	}
}

func TestParse_Strict(t *testing.T) {
	for _, tc := range []struct{ name, yaml string }{
		{"UnknownField", "id: x\ntitle: X\nterm_days: 30\noffice: A\nbogus: 1\n"},
		{"BadTerm", "id: x\ntitle: X\nterm_days: 0\noffice: A\n"},
		{"LongTitle", "id: x\ntitle: " + string(make([]byte, 0)) + "Questo titolo è decisamente troppo lungo per una scheda di servizio comunale\nterm_days: 30\noffice: A\n"},
		{"NotYAML", "id: [\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := library.Parse(tc.name, []byte(tc.yaml)); err == nil {
				t.Fatal("want error")
			}
		})
	}
}
