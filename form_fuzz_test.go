// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/procedo/procedo"
)

// everyType is a form with one optional field of every type that takes a
// typed value, and a choice, so that one fuzzed string reaches each parser.
var everyType = procedo.Form{Sections: []procedo.FormSection{{Title: "Tutti i tipi", Fields: []procedo.FormField{
	{Name: "testo", Label: "Testo", Type: procedo.FieldText, MaxLength: 50},
	{Name: "lungo", Label: "Testo lungo", Type: procedo.FieldTextarea},
	{Name: "codice", Label: "Codice", Type: procedo.FieldText, Pattern: "[A-Z]{2}[0-9]{3}"},
	{Name: "email", Label: "E-mail", Type: procedo.FieldEmail},
	{Name: "telefono", Label: "Telefono", Type: procedo.FieldPhone},
	{Name: "data", Label: "Data", Type: procedo.FieldDate},
	{Name: "numero", Label: "Numero", Type: procedo.FieldNumber, Min: ptr(-10), Max: ptr(1e6)},
	{Name: "scelta", Label: "Scelta", Type: procedo.FieldChoice, Options: []procedo.FieldOption{{Value: "a", Label: "A"}, {Value: "b", Label: "B"}}},
	{Name: "sino", Label: "Sì o no", Type: procedo.FieldYesNo},
	{Name: "cf", Label: "Codice fiscale", Type: procedo.FieldFiscalCode},
	{Name: "piva", Label: "Partita IVA", Type: procedo.FieldVATNumber},
	{Name: "iban", Label: "IBAN", Type: procedo.FieldIBAN},
	{Name: "luogo", Label: "Luogo", Type: procedo.FieldAddress},
	{Name: "voci", Label: "Voci", Type: procedo.FieldGroup, MaxItems: 2, Fields: []procedo.FormField{
		{Name: "nome", Label: "Nome", Type: procedo.FieldText, Required: true},
		{Name: "importo", Label: "Importo", Type: procedo.FieldNumber},
	}},
}}}}

// FuzzValidateValues gives the same outside string to every field type (and
// to an address part and a group item): validation never panics, every error
// is an Italian message on a known key, and what it accepts it accepts again
// unchanged (cleaning is idempotent), so web and API store the same values.
func FuzzValidateValues(f *testing.F) {
	for _, s := range []string{"", " ", "mario@example.it", "+39 333 1234567", "2026-11-25", "31/12/2026", "12,5", "1e309", "NaN",
		"-0", "a", "si", "no", "RSSMRA80A01H501U", "rssmra80a01h501u", "IT01199250158", "01199250158", "IT60X0542811101000000123456",
		"Agliè", "10011", "AB123", "<script>alert(1)</script>", "\x00\xff", strings.Repeat("x", 5000), "via Roma\n1"} {
		f.Add(s)
	}
	keys := everyType.InputKeys()
	f.Fuzz(func(t *testing.T, s string) {
		values := map[string]string{}
		for _, k := range keys {
			values[k] = s
		}
		values["voci.0.nome"], values["voci.0.importo"] = s, s
		out, err := everyType.ValidateValues(values, nil)
		if err != nil {
			fe, ok := err.(procedo.FieldErrors)
			if !ok {
				t.Fatalf("error %T %v, want FieldErrors", err, err)
			}
			for k, msg := range fe {
				if msg == "" || !utf8.ValidString(msg) {
					t.Errorf("key %q: bad message %q", k, msg)
				}
			}
		}
		// One field at a time: a value accepted once is accepted again as cleaned.
		for _, k := range keys {
			one, err := everyType.ValidateValues(map[string]string{k: s}, nil)
			if err != nil {
				continue
			}
			again, err := everyType.ValidateValues(one, nil)
			if err != nil {
				t.Fatalf("key %q: %q cleaned to %q, then refused: %v", k, s, one[k], err)
			}
			if again[k] != one[k] {
				t.Fatalf("key %q: cleaning not idempotent: %q → %q → %q", k, s, one[k], again[k])
			}
		}
		_ = out
	})
}

// A signed envelope fits a field that asks for the document inside it.
func TestForm_SignedFiles(t *testing.T) {
	form := procedo.Form{Sections: []procedo.FormSection{{Title: "Allegati", Fields: []procedo.FormField{
		{Name: "domanda", Label: "Domanda firmata", Type: procedo.FieldFile, Required: true, Accept: []string{"application/pdf"}},
	}}}}
	ok := map[string]procedo.FileInfo{"domanda": {Filename: "domanda.pdf.p7m", MediaType: "application/pkcs7-mime", SignedType: "application/pdf", Size: 10}}
	if _, err := form.ValidateValues(nil, ok); err != nil {
		t.Errorf("a signed PDF for a PDF field: %v", err)
	}
	for name, fi := range map[string]procedo.FileInfo{
		"envelope of an image": {Filename: "foto.jpg.p7m", MediaType: "application/pkcs7-mime", SignedType: "image/jpeg", Size: 10},
		"unverified envelope":  {Filename: "domanda.pdf.p7m", MediaType: "application/pkcs7-mime", Size: 10},
	} {
		if _, err := form.ValidateValues(nil, map[string]procedo.FileInfo{"domanda": fi}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
