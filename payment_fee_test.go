// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo_test

import (
	"strings"
	"testing"

	"github.com/procedo/procedo"
)

// feeDef is a model whose canone is computed from the form: 1,20 € per m²
// per day, at least 20 €, beside a fixed bollo.
func feeDef() *procedo.ProcedureDefinition {
	d := reviewDef()
	d.Form = procedo.Form{Sections: []procedo.FormSection{{Title: "Occupazione", Fields: []procedo.FormField{
		{Name: "superficie", Label: "Superficie", Type: procedo.FieldNumber, Required: true},
		{Name: "data_inizio", Label: "Primo giorno", Type: procedo.FieldDate, Required: true},
		{Name: "data_fine", Label: "Ultimo giorno", Type: procedo.FieldDate, Required: true},
		{Name: "note", Label: "Note", Type: procedo.FieldText},
		{Name: "per_conto", Label: "Per conto", Type: procedo.FieldYesNo},
		{Name: "metri_impresa", Label: "Metri", Type: procedo.FieldNumber, Required: true, VisibleIf: &procedo.Condition{Field: "per_conto", Equals: "si"}},
		{Name: "mezzi", Label: "Mezzi", Type: procedo.FieldGroup, Fields: []procedo.FormField{{Name: "peso", Label: "Peso", Type: procedo.FieldNumber}}},
	}}}}
	d.Payments = []procedo.Payment{
		{Description: "Imposta di bollo", Amount: 16, Causale: "Bollo"},
		{Description: "Canone", Variable: true, Causale: "Canone occupazione", Note: "Tariffa al m² al giorno.",
			Formula: &procedo.FeeFormula{AmountPerUnit: 1.2, UnitField: "superficie", UnitLabel: "m²",
				DaysFromField: "data_inizio", DaysToField: "data_fine", Minimum: 20}},
	}
	return d
}

func TestFeeFormula_Validate(t *testing.T) {
	formula := func(d *procedo.ProcedureDefinition) *procedo.FeeFormula { return d.Payments[1].Formula }
	for _, tc := range []struct {
		name   string
		change func(d *procedo.ProcedureDefinition)
		want   string // error key; "" for valid
		msg    string // part of the message
	}{
		{"OK", func(*procedo.ProcedureDefinition) {}, "", ""},
		{"NoDays", func(d *procedo.ProcedureDefinition) { formula(d).DaysFromField, formula(d).DaysToField = "", "" }, "", ""},
		{"RateWithFourDecimals", func(d *procedo.ProcedureDefinition) { formula(d).AmountPerUnit = 0.0516 }, "", ""},
		{"ZeroRate", func(d *procedo.ProcedureDefinition) { formula(d).AmountPerUnit = 0 }, "payments[1].formula.amount_per_unit", "maggiore di zero"},
		{"RateTooPrecise", func(d *procedo.ProcedureDefinition) { formula(d).AmountPerUnit = 1.23456 }, "payments[1].formula.amount_per_unit", "quattro decimali"},
		{"NegativeMinimum", func(d *procedo.ProcedureDefinition) { formula(d).Minimum = -1 }, "payments[1].formula.minimum", "minimo"},
		{"MinimumCents", func(d *procedo.ProcedureDefinition) { formula(d).Minimum = 20.001 }, "payments[1].formula.minimum", "due decimali"},
		{"MissingUnitField", func(d *procedo.ProcedureDefinition) { formula(d).UnitField = "" }, "payments[1].formula.unit_field", "indica il nome"},
		{"UnknownUnitField", func(d *procedo.ProcedureDefinition) { formula(d).UnitField = "metri" }, "payments[1].formula.unit_field", `"metri" non esiste`},
		{"FieldInGroup", func(d *procedo.ProcedureDefinition) { formula(d).UnitField = "peso" }, "payments[1].formula.unit_field", "non esiste"},
		{"UnitFieldNotNumber", func(d *procedo.ProcedureDefinition) { formula(d).UnitField = "note" }, "payments[1].formula.unit_field",
			`"note" è di tipo text: serve un campo di tipo number`},
		{"UnitFieldOptional", func(d *procedo.ProcedureDefinition) { d.Form.Sections[0].Fields[0].Required = false },
			"payments[1].formula.unit_field", "obbligatorio e sempre visibile"},
		{"UnitFieldConditional", func(d *procedo.ProcedureDefinition) { formula(d).UnitField = "metri_impresa" },
			"payments[1].formula.unit_field", "sempre visibile"},
		{"DaysFieldNotDate", func(d *procedo.ProcedureDefinition) { formula(d).DaysFromField = "superficie" },
			"payments[1].formula.days_from_field", "serve un campo di tipo date"},
		{"OnlyOneDay", func(d *procedo.ProcedureDefinition) { formula(d).DaysToField = "" }, "payments[1].formula.days_to_field", "ultimo giorno"},
		{"SameDayField", func(d *procedo.ProcedureDefinition) { formula(d).DaysToField = "data_inizio" }, "payments[1].formula.days_to_field", "diversi"},
		{"LongUnit", func(d *procedo.ProcedureDefinition) { formula(d).UnitLabel = strings.Repeat("m", 21) }, "payments[1].formula.unit_label", "20 caratteri"},
		{"NotVariable", func(d *procedo.ProcedureDefinition) { d.Payments[1].Variable = false }, "payments[1].variable", "variable: true"},
		{"AmountWithFormula", func(d *procedo.ProcedureDefinition) { d.Payments[1].Amount = 10 }, "payments[1].amount", "togli amount"},
		{"DuplicateCausale", func(d *procedo.ProcedureDefinition) { d.Payments[1].Causale = " Bollo" }, "payments[1].causale", "payments[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := feeDef()
			tc.change(d)
			fe := procedo.FieldErrorsOf(d.Validate())
			if tc.want == "" {
				if fe != nil {
					t.Fatalf("unexpected errors: %v", fe)
				}
				return
			}
			if msg, ok := fe[tc.want]; !ok || !strings.Contains(msg, tc.msg) {
				t.Errorf("errors %v, want one for %s containing %q", fe, tc.want, tc.msg)
			}
		})
	}
}

func TestFeeFormula_Compute(t *testing.T) {
	f := feeDef().Payments[1].Formula
	for _, tc := range []struct {
		name     string
		values   map[string]string
		cents    int64
		expl     string
		errField string
	}{
		{"FiveDays", map[string]string{"superficie": "12", "data_inizio": "2026-04-10", "data_fine": "2026-04-14"}, 7200,
			"12 m² × 5 giorni × 1,20 € = 72,00 €", ""},
		{"DecimalComma", map[string]string{"superficie": " 12,5 ", "data_inizio": "2026-04-10", "data_fine": "2026-04-12"}, 4500,
			"12,5 m² × 3 giorni × 1,20 € = 45,00 €", ""},
		{"DecimalPoint", map[string]string{"superficie": "012.50", "data_inizio": "2026-04-10", "data_fine": "2026-04-12"}, 4500,
			"12,5 m² × 3 giorni", ""},
		{"Minimum", map[string]string{"superficie": "12", "data_inizio": "2026-04-10", "data_fine": "2026-04-10"}, 2000,
			"12 m² × 1 giorno × 1,20 € = 14,40 €, meno del minimo: si paga il minimo di 20,00 €", ""},
		{"AcrossMonths", map[string]string{"superficie": "100", "data_inizio": "2026-02-27", "data_fine": "2026-03-02"}, 48000,
			"100 m² × 4 giorni × 1,20 € = 480,00 €", ""},
		{"MissingQuantity", map[string]string{"data_inizio": "2026-04-10", "data_fine": "2026-04-14"}, 0, "", "superficie"},
		{"NotANumber", map[string]string{"superficie": "1e3", "data_inizio": "2026-04-10", "data_fine": "2026-04-14"}, 0, "", "superficie"},
		{"Negative", map[string]string{"superficie": "-3", "data_inizio": "2026-04-10", "data_fine": "2026-04-14"}, 0, "", "superficie"},
		{"BadDate", map[string]string{"superficie": "3", "data_inizio": "10/04/2026", "data_fine": "2026-04-14"}, 0, "", "data_inizio"},
		{"EndBeforeStart", map[string]string{"superficie": "3", "data_inizio": "2026-04-14", "data_fine": "2026-04-10"}, 0, "", "data_fine"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.Compute(tc.values)
			if tc.errField != "" {
				if fe := procedo.FieldErrorsOf(err); fe[tc.errField] == "" {
					t.Fatalf("got %+v %v, want an error on %s", got, err, tc.errField)
				}
				return
			}
			if err != nil || got.Cents != tc.cents || !strings.HasPrefix(got.Explanation, tc.expl) {
				t.Fatalf("got %+v %v, want %d %q", got, err, tc.cents, tc.expl)
			}
		})
	}
	t.Run("RoundsHalfUpOnce", func(t *testing.T) {
		g := &procedo.FeeFormula{AmountPerUnit: 0.0516, UnitField: "q", UnitLabel: "m²"}
		// 0,0516 × 12,5 = 0,645 exactly: 0,65 €, not the 0,64 € a float gives.
		got, err := g.Compute(map[string]string{"q": "12,5"})
		if err != nil || got.Cents != 65 || got.Explanation != "12,5 m² × 0,0516 € = 0,65 €" {
			t.Fatalf("got %+v %v", got, err)
		}
	})
	t.Run("TooLarge", func(t *testing.T) {
		g := &procedo.FeeFormula{AmountPerUnit: 1e6, UnitField: "q", DaysFromField: "a", DaysToField: "b"}
		_, err := g.Compute(map[string]string{"q": "999999999", "a": "2000-01-01", "b": "2099-12-31"})
		if fe := procedo.FieldErrorsOf(err); !strings.Contains(fe["q"], "massimo") {
			t.Fatalf("got %v", err)
		}
	})
	if got := f.Label(); got != "1,20 € per m² al giorno, minimo 20,00 €" {
		t.Errorf("label %q", got)
	}
	if got := feeDef().Payments[1].AmountLabel(); got != "1,20 € per m² al giorno, minimo 20,00 €" {
		t.Errorf("amount label %q", got)
	}
}

func TestDraftFees(t *testing.T) {
	def := feeDef()
	values := map[string]string{"superficie": "12", "data_inizio": "2026-04-10", "data_fine": "2026-04-14"}
	notice := func(id int64, causale string, cents int64, s procedo.PaymentStatus) *procedo.PaymentNotice {
		return &procedo.PaymentNotice{ID: id, Causale: causale, Amount: cents, Status: s}
	}
	bollo := notice(1, "Bollo", 1600, procedo.PaymentPaid)

	t.Run("Computed", func(t *testing.T) {
		fees := procedo.DraftFees(def, values, []*procedo.PaymentNotice{bollo})
		if len(fees) != 2 || fees[0].Notice != bollo || !fees[0].Paid() || fees[1].Due != 7200 || fees[1].Notice != nil ||
			fees[1].Computation != "12 m² × 5 giorni × 1,20 € = 72,00 €" || !fees[1].Payable() || fees[1].Paid() {
			t.Fatalf("fees %+v", fees)
		}
		msg := procedo.FieldErrorsOf(procedo.FeesError(fees))["payments"]
		if !strings.Contains(msg, "Canone (72,00 €)") || strings.Contains(msg, "Imposta di bollo") {
			t.Errorf("message %q", msg)
		}
	})
	t.Run("Paid", func(t *testing.T) {
		canone := notice(2, "Canone occupazione", 7200, procedo.PaymentPaid)
		fees := procedo.DraftFees(def, values, []*procedo.PaymentNotice{canone, bollo})
		if fees[1].Notice != canone || procedo.FeesError(fees) != nil {
			t.Fatalf("fees %+v", fees)
		}
	})
	t.Run("StaleUnpaid", func(t *testing.T) {
		old := notice(2, "Canone occupazione", 4800, procedo.PaymentUnpaid)
		fresh := notice(3, "Canone occupazione", 7200, procedo.PaymentUnpaid)
		notices := []*procedo.PaymentNotice{bollo, old, fresh}
		fees := procedo.DraftFees(def, values, notices)
		if fees[1].Notice != fresh {
			t.Fatalf("fees %+v", fees)
		}
		if stale := procedo.StaleNotices(def, values, notices); len(stale) != 1 || stale[0] != old {
			t.Fatalf("stale %v", stale)
		}
		// Values that cannot be computed make every unpaid notice stale;
		// the fixed fee's notice is never stale.
		unpaidBollo := notice(4, "Bollo", 1600, procedo.PaymentUnpaid)
		stale := procedo.StaleNotices(def, map[string]string{"superficie": "x"}, []*procedo.PaymentNotice{unpaidBollo, old, fresh})
		if len(stale) != 2 || stale[0] != old || stale[1] != fresh {
			t.Fatalf("stale %v", stale)
		}
	})
	t.Run("Conflict", func(t *testing.T) {
		paid := notice(2, "Canone occupazione", 4800, procedo.PaymentPaid)
		fees := procedo.DraftFees(def, values, []*procedo.PaymentNotice{bollo, paid})
		if fees[1].Conflict != paid || fees[1].Notice != nil || fees[1].Payable() || fees[1].Paid() {
			t.Fatalf("fees %+v", fees)
		}
		msg := procedo.FieldErrorsOf(procedo.FeesError(fees))["payments"]
		if !strings.Contains(msg, "hai già pagato 48,00 € per «Canone», ma con i dati attuali l'importo è 72,00 €") ||
			!strings.Contains(msg, "Un pagamento eseguito non si modifica") {
			t.Errorf("message %q", msg)
		}
		// Back to the values paid for: no conflict.
		back := map[string]string{"superficie": "10", "data_inizio": "2026-04-10", "data_fine": "2026-04-13"}
		if fees := procedo.DraftFees(def, back, []*procedo.PaymentNotice{bollo, paid}); procedo.FeesError(fees) != nil {
			t.Fatalf("fees %+v", fees)
		}
	})
	t.Run("NotComputable", func(t *testing.T) {
		fees := procedo.DraftFees(def, map[string]string{"superficie": "12"}, []*procedo.PaymentNotice{bollo})
		if !strings.Contains(fees[1].Problem, "Inserisci una data valida") || fees[1].Payable() {
			t.Fatalf("fees %+v", fees)
		}
		if msg := procedo.FieldErrorsOf(procedo.FeesError(fees))["payments"]; !strings.Contains(msg, "Canone (importo da calcolare") {
			t.Errorf("message %q", msg)
		}
	})
	t.Run("Later", func(t *testing.T) {
		def := feeDef()
		def.Payments[1].Formula = nil
		fees := procedo.DraftFees(def, values, []*procedo.PaymentNotice{bollo})
		if !fees[1].Later() || !fees[1].Paid() || procedo.FeesError(fees) != nil || len(def.ApplicationFees()) != 1 {
			t.Fatalf("fees %+v", fees)
		}
	})
}

func TestParseEuro(t *testing.T) {
	for in, want := range map[string]int64{
		"72": 7200, "72,5": 7250, "72,50": 7250, "0,01": 1, "1.234,56": 123456, "€ 1.234,56": 123456, "1234,56 €": 123456,
		"1234.5": 123450, "1.234": 123400, "1.234.567": 123456700, " 16,00 ": 1600, "999.999.999,99": 99999999999,
	} {
		if got, err := procedo.ParseEuro(in); err != nil || got != want {
			t.Errorf("ParseEuro(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "-5", "72,505", "1,234.56", "12.34.56", "1.23,4", "1e3", "1.000.000.000,00", "99999999999999999999", ",5", "72,"} {
		if got, err := procedo.ParseEuro(in); procedo.ErrorCode(err) != procedo.EINVALID {
			t.Errorf("ParseEuro(%q) = %d, %v; want EINVALID", in, got, err)
		}
	}
}

// FuzzParseEuro: any input gives cents within the pagoPA limits or EINVALID,
// and the cents written back in Italian parse to the same amount.
func FuzzParseEuro(f *testing.F) {
	for _, s := range []string{"72,50", "1.234,56", "1234.5", "€ 16", "0", "-1", "1e9", "999.999.999,99", "١٢"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cents, err := procedo.ParseEuro(s)
		if err != nil {
			if procedo.ErrorCode(err) != procedo.EINVALID {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if cents < 0 || cents > procedo.MaxPaymentAmount {
			t.Fatalf("%q: %d cents", s, cents)
		}
		back, err := procedo.ParseEuro(strings.TrimSuffix(procedo.FormatEuroCents(cents), " €"))
		if err != nil || back != cents {
			t.Fatalf("%q: %d, written %q, read %d %v", s, cents, procedo.FormatEuroCents(cents), back, err)
		}
	})
}

func TestCasePaymentRequest_Validate(t *testing.T) {
	ok := procedo.CasePaymentRequest{Description: " Canone di occupazione ", Amount: 7200, Causale: "Canone occupazione"}
	ok.Normalize()
	if err := ok.Validate(); err != nil || ok.Description != "Canone di occupazione" {
		t.Fatalf("%+v %v", ok, err)
	}
	for name, r := range map[string]procedo.CasePaymentRequest{
		"description": {Amount: 100, Causale: "x"},
		"amount":      {Description: "x", Causale: "x"},
		"causale":     {Description: "x", Amount: 100, Causale: strings.Repeat("c", 141)},
	} {
		if fe := procedo.FieldErrorsOf(r.Validate()); fe[name] == "" {
			t.Errorf("%s: %v", name, fe)
		}
	}
	if fe := procedo.FieldErrorsOf((&procedo.CasePaymentRequest{Description: "a\x00", Amount: procedo.MaxPaymentAmount + 1, Causale: "b\n"}).Validate()); len(fe) != 3 {
		t.Errorf("control characters and amount: %v", fe)
	}
}
