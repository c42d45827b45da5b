// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/procedo/procedo"
)

func ptr(f float64) *float64 { return &f }

// testForm exercises every field type, a condition and a repeatable group.
var testForm = procedo.Form{Sections: []procedo.FormSection{{Title: "Dati", Fields: []procedo.FormField{
	{Name: "email", Label: "E-mail", Type: procedo.FieldEmail, Required: true},
	{Name: "impresa", Label: "Per un'impresa?", Type: procedo.FieldYesNo, Required: true},
	{Name: "piva", Label: "Partita IVA", Type: procedo.FieldVATNumber, Required: true, VisibleIf: &procedo.Condition{Field: "impresa", Equals: "si"}},
	{Name: "iban", Label: "IBAN", Type: procedo.FieldIBAN},
	{Name: "mq", Label: "Superficie", Type: procedo.FieldNumber, Min: ptr(1), Max: ptr(100)},
	{Name: "codice", Label: "Codice", Type: procedo.FieldText, Pattern: "[A-Z]{2}[0-9]{3}", PatternMessage: "Due lettere e tre cifre."},
	{Name: "luogo", Label: "Luogo", Type: procedo.FieldAddress, Required: true},
	{Name: "figli", Label: "Figli", Type: procedo.FieldGroup, MinItems: 1, MaxItems: 3, Fields: []procedo.FormField{
		{Name: "nome", Label: "Nome", Type: procedo.FieldText, Required: true},
		{Name: "cf", Label: "Codice fiscale", Type: procedo.FieldFiscalCode, Required: true},
	}},
}}}}

func validValues() map[string]string {
	return map[string]string{
		"email": "mario@example.it", "impresa": "no", "luogo.via": "Via Roma", "luogo.civico": "1", "luogo.cap": "10011",
		"luogo.comune": "Agliè", "figli.0.nome": "Luca", "figli.0.cf": "RSSMRA80A01H501U",
	}
}

func TestForm_ValidateValues(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change map[string]string
		want   map[string]string // expected cleaned values (subset)
		errs   map[string]string // expected error keys → message prefix
	}{
		{name: "OK", want: map[string]string{"email": "mario@example.it", "luogo": "Via Roma 1, 10011 AGLIÈ (TO)",
			"luogo.comune_istat": "001001", "figli.0.nome": "Luca", "figli": "1. Luca, RSSMRA80A01H501U"}},
		{name: "HiddenFieldIgnored", change: map[string]string{"piva": "not a vat number"}, want: map[string]string{"piva": ""}},
		{name: "ConditionShowsField", change: map[string]string{"impresa": "si"}, errs: map[string]string{"piva": "Questo campo è obbligatorio"}},
		{name: "VATNumberValid", change: map[string]string{"impresa": "si", "piva": "IT 00743110157"}, want: map[string]string{"piva": "00743110157"}},
		{name: "VATNumberCheckDigit", change: map[string]string{"impresa": "si", "piva": "00743110158"}, errs: map[string]string{"piva": "La partita IVA non è valida"}},
		{name: "IBANValid", change: map[string]string{"iban": "it60 x054 2811 1010 0000 0123 456"}, want: map[string]string{"iban": "IT60X0542811101000000123456"}},
		{name: "IBANCheck", change: map[string]string{"iban": "IT61X0542811101000000123456"}, errs: map[string]string{"iban": "L'IBAN non è valido"}},
		{name: "NumberBelowMin", change: map[string]string{"mq": "0,5"}, errs: map[string]string{"mq": "Il numero deve essere almeno 1"}},
		{name: "NumberAboveMax", change: map[string]string{"mq": "101"}, errs: map[string]string{"mq": "Il numero non può superare 100"}},
		{name: "Pattern", change: map[string]string{"codice": "AB12"}, errs: map[string]string{"codice": "Due lettere e tre cifre."}},
		{name: "PatternOK", change: map[string]string{"codice": "AB123"}, want: map[string]string{"codice": "AB123"}},
		{name: "AddressMissing", change: map[string]string{"luogo.via": "", "luogo.civico": "", "luogo.cap": "", "luogo.comune": ""},
			errs: map[string]string{"luogo": "Inserisci l'indirizzo."}},
		{name: "AddressBadCAP", change: map[string]string{"luogo.cap": "1001"}, errs: map[string]string{"luogo.cap": "Il CAP è formato da 5 cifre"}},
		{name: "AddressUnknownComune", change: map[string]string{"luogo.comune": "Atlantide"}, errs: map[string]string{"luogo.comune": "Comune non trovato"}},
		{name: "AddressAmbiguousComune", change: map[string]string{"luogo.comune": "Castro"}, errs: map[string]string{"luogo.comune": "Più Comuni hanno questo nome"}},
		{name: "AddressComuneWithProvince", change: map[string]string{"luogo.comune": "castro (le)"}, want: map[string]string{"luogo.comune": "CASTRO (LE)"}},
		{name: "AddressComuneByCode", change: map[string]string{"luogo.comune": "058091"}, want: map[string]string{"luogo.comune": "ROMA (RM)"}},
		{name: "GroupMinItems", change: map[string]string{"figli.0.nome": "", "figli.0.cf": ""}, errs: map[string]string{"figli": "Compila almeno un elemento"}},
		{name: "GroupItemRequired", change: map[string]string{"figli.1.nome": "Anna"}, errs: map[string]string{"figli.1.cf": "Questo campo è obbligatorio"}},
		{name: "GroupCompacted", change: map[string]string{"figli.0.nome": "", "figli.0.cf": "", "figli.2.nome": "Anna", "figli.2.cf": "VRDLCU85T45F205S"},
			want: map[string]string{"figli.0.nome": "Anna", "figli.2.nome": "", "figli": "1. Anna, VRDLCU85T45F205S"}},
		{name: "GroupBeyondMaxIgnored", change: map[string]string{"figli.3.nome": "Quarto"}, want: map[string]string{"figli.3.nome": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			values := validValues()
			for k, v := range tc.change {
				values[k] = v
			}
			out, err := testForm.ValidateValues(values, nil)
			fe := procedo.FieldErrorsOf(err)
			if tc.errs == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				for k, v := range tc.want {
					if out[k] != v {
						t.Errorf("%s = %q, want %q", k, out[k], v)
					}
				}
				return
			}
			for k, msg := range tc.errs {
				if !strings.HasPrefix(fe[k], msg) {
					t.Errorf("error for %s = %q, want %q… (all: %v)", k, fe[k], msg, fe)
				}
			}
		})
	}
}

func TestForm_InputKeys(t *testing.T) {
	keys := testForm.InputKeys()
	for _, k := range []string{"email", "piva", "luogo.via", "luogo.comune", "figli.0.nome", "figli.2.cf"} {
		found := false
		for _, x := range keys {
			found = found || x == k
		}
		if !found {
			t.Errorf("InputKeys lacks %s: %v", k, keys)
		}
	}
	if len(keys) != 6+4+3*2 {
		t.Errorf("%d keys: %v", len(keys), keys)
	}
}

func TestForm_Validate(t *testing.T) {
	field := func(f procedo.FormField) procedo.Form {
		return procedo.Form{Sections: []procedo.FormSection{{Title: "S", Fields: []procedo.FormField{
			{Name: "scelta", Label: "Scelta", Type: procedo.FieldYesNo}, f}}}}
	}
	for _, tc := range []struct {
		name string
		form procedo.Form
		want []string // error keys
	}{
		{"OK", field(procedo.FormField{Name: "x", Label: "X", Type: procedo.FieldText, VisibleIf: &procedo.Condition{Field: "scelta", Equals: "si"}}), nil},
		{"BadName", field(procedo.FormField{Name: "X-1", Label: "X", Type: procedo.FieldText}), []string{"sections[0].fields[1].name"}},
		{"DuplicateName", field(procedo.FormField{Name: "scelta", Label: "X", Type: procedo.FieldText}), []string{"sections[0].fields[1].name"}},
		{"UnknownType", field(procedo.FormField{Name: "x", Label: "X", Type: "colour"}), []string{"sections[0].fields[1].type"}},
		{"ChoiceWithoutOptions", field(procedo.FormField{Name: "x", Label: "X", Type: procedo.FieldChoice}), []string{"sections[0].fields[1].options"}},
		{"BadPattern", field(procedo.FormField{Name: "x", Label: "X", Type: procedo.FieldText, Pattern: "[a-"}), []string{"sections[0].fields[1].pattern"}},
		{"MinOnText", field(procedo.FormField{Name: "x", Label: "X", Type: procedo.FieldText, Min: ptr(1)}), []string{"sections[0].fields[1].min"}},
		{"ConditionOnLaterField", field(procedo.FormField{Name: "x", Label: "X", Type: procedo.FieldText, VisibleIf: &procedo.Condition{Field: "dopo", Equals: "si"}}),
			[]string{"sections[0].fields[1].visible_if.field"}},
		{"ConditionWithoutValue", field(procedo.FormField{Name: "x", Label: "X", Type: procedo.FieldText, VisibleIf: &procedo.Condition{Field: "scelta"}}),
			[]string{"sections[0].fields[1].visible_if"}},
		{"EmptyGroup", field(procedo.FormField{Name: "g", Label: "G", Type: procedo.FieldGroup}), []string{"sections[0].fields[1].fields"}},
		{"FileInGroup", field(procedo.FormField{Name: "g", Label: "G", Type: procedo.FieldGroup, Fields: []procedo.FormField{{Name: "f", Label: "F", Type: procedo.FieldFile}}}),
			[]string{"sections[0].fields[1].fields[0].type"}},
		{"GroupBounds", field(procedo.FormField{Name: "g", Label: "G", Type: procedo.FieldGroup, MinItems: 4, MaxItems: 2,
			Fields: []procedo.FormField{{Name: "a", Label: "A", Type: procedo.FieldText}}}), []string{"sections[0].fields[1].max_items"}},
		{"PrefillOnNumber", field(procedo.FormField{Name: "x", Label: "X", Type: procedo.FieldNumber, Prefill: "email"}), []string{"sections[0].fields[1].prefill"}},
		{"AcceptOnText", field(procedo.FormField{Name: "x", Label: "X", Type: procedo.FieldText, Accept: []string{"application/pdf"}}), []string{"sections[0].fields[1].accept"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := procedo.FieldErrorsOf(tc.form.Validate())
			var got []string
			for k := range fe {
				got = append(got, k)
			}
			if len(tc.want) == 0 && len(got) == 0 {
				return
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("errors %v, want keys %v", fe, tc.want)
			}
		})
	}
}

func TestValidateVATNumber(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		ok             bool
	}{
		{"Valid", "00743110157", "00743110157", true},
		{"WithPrefixAndSpaces", "it 0074311 0157", "00743110157", true},
		{"WrongCheckDigit", "00743110150", "", false},
		{"TooShort", "0074311015", "", false},
		{"Letters", "0074311015A", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := procedo.ValidateVATNumber(tc.in)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("ValidateVATNumber(%q) = %q, %v", tc.in, got, err)
			}
		})
	}
}

func TestValidateIBAN(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{"Italian", "IT60X0542811101000000123456", true},
		{"German", "DE89 3704 0044 0532 0130 00", true},
		{"ItalianWrongLength", "IT60X054281110100000012345", false},
		{"WrongCheck", "DE88370400440532013000", false},
		{"Garbage", "12345", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := procedo.ValidateIBAN(tc.in); (err == nil) != tc.ok {
				t.Errorf("ValidateIBAN(%q) = %v", tc.in, err)
			}
		})
	}
}

func TestResolveMunicipality(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"ByName", "roma", []string{"058091"}},
		{"Accents", "AGLIE", []string{"001001"}},
		{"Apostrophe", "Sant’Angelo a Cupolo", []string{"062071"}},
		{"Ambiguous", "Castro", []string{"016065", "075096"}},
		{"Province", "Castro (BG)", []string{"016065"}},
		{"Code", "001001", []string{"001001"}},
		{"Unknown", "Atlantide", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, m := range procedo.ResolveMunicipality(tc.in) {
				got = append(got, m.Code)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ResolveMunicipality(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}
