// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Fees of an application. A model's Payment is paid with the application when
// its amount is fixed, or when it is variable and has a FeeFormula: then the
// amount is computed from the form's values, never typed by the applicant.
// A variable fee without a formula is asked for by the office later, on the
// case (CasePaymentService). Amounts are int64 euro cents; the formula is
// computed exactly (math/big), rounded once to the cent, half up.

// FeeFormula computes a fee from an application: AmountPerUnit euro × the
// number typed in UnitField, × the days from DaysFromField to DaysToField
// (both days counted) when those are set; never less than Minimum euro. The
// fields it names must be required, always visible, top-level fields of the
// form: a number field and two date fields.
type FeeFormula struct {
	AmountPerUnit float64 `json:"amount_per_unit"`           // euro per unit (per unit and day with days); > 0, at most 4 decimals
	UnitField     string  `json:"unit_field"`                // name of a number field of the form, e.g. "superficie"
	UnitLabel     string  `json:"unit_label,omitempty"`      // the unit as people read it, e.g. "m²"; ≤ 20 characters
	DaysFromField string  `json:"days_from_field,omitempty"` // name of a date field: the first day counted
	DaysToField   string  `json:"days_to_field,omitempty"`   // name of a date field: the last day counted
	Minimum       float64 `json:"minimum,omitempty"`         // euro; the fee is at least this much; at most 2 decimals
}

// PerDay reports whether the formula counts days.
func (f *FeeFormula) PerDay() bool { return f.DaysFromField != "" || f.DaysToField != "" }

// Label describes the formula in Italian, e.g. "1,20 € per m² al giorno,
// minimo 20,00 €".
func (f *FeeFormula) Label() string {
	unit := f.UnitLabel
	if unit == "" {
		unit = "unità"
	}
	s := FormatRate(f.AmountPerUnit) + " per " + unit
	if f.PerDay() {
		s += " al giorno"
	}
	if f.Minimum > 0 {
		s += ", minimo " + FormatEuro(f.Minimum)
	}
	return s
}

// FormatRate formats a unit amount in euro in Italian with 2 to 4 decimals,
// e.g. 1.2 → "1,20 €", 0.0516 → "0,0516 €".
func FormatRate(v float64) string {
	s := strconv.FormatFloat(math.Round(v*1e4)/1e4, 'f', 4, 64)
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0"
	}
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "." + whole[i:]
	}
	return whole + "," + frac + " €"
}

// decimalPlaces reports whether v has at most n decimals (within float error).
func decimalPlaces(v float64, n int) bool {
	p := math.Pow10(n)
	return math.Abs(v*p-math.Round(v*p)) <= 1e-6
}

// problems returns the problems of the formula of a payment of a model with
// form, keyed by path under "formula." ("formula.unit_field").
func (f *FeeFormula) problems(form *Form) FieldErrors {
	fe := FieldErrors{}
	if f.AmountPerUnit <= 0 || f.AmountPerUnit > 1e6 || !decimalPlaces(f.AmountPerUnit, 4) || math.IsNaN(f.AmountPerUnit) {
		fe.Add("formula.amount_per_unit", "importo unitario non valido: euro maggiore di zero, al massimo 1.000.000, con al massimo quattro decimali")
	}
	if f.Minimum < 0 || f.Minimum > 1e7 || !decimalPlaces(f.Minimum, 2) || math.IsNaN(f.Minimum) {
		fe.Add("formula.minimum", "minimo non valido: euro con al massimo due decimali")
	}
	if utf8.RuneCountInString(f.UnitLabel) > 20 || !printable(f.UnitLabel) {
		fe.Add("formula.unit_label", "unità non valida: al massimo 20 caratteri, ad esempio m²")
	}
	field := func(key, name string, want FieldType, what string) {
		path := "formula." + key
		if name == "" {
			fe.Add(path, "indica il nome del campo del modulo "+what)
			return
		}
		fl, ok := form.Field(name)
		switch {
		case !ok:
			fe.Add(path, fmt.Sprintf("il campo %q non esiste nel modulo (servono campi di primo livello, non dentro un gruppo)", name))
		case fl.Type != want:
			fe.Add(path, fmt.Sprintf("il campo %q è di tipo %s: serve un campo di tipo %s", name, fl.Type, want))
		case !fl.Required || fl.VisibleIf != nil:
			fe.Add(path, fmt.Sprintf("il campo %q deve essere obbligatorio e sempre visibile (required: true, senza visible_if): senza il suo valore l'importo non si calcola", name))
		}
	}
	field("unit_field", f.UnitField, FieldNumber, "con la quantità (un campo number)")
	if f.PerDay() {
		field("days_from_field", f.DaysFromField, FieldDate, "con il primo giorno (un campo date)")
		field("days_to_field", f.DaysToField, FieldDate, "con l'ultimo giorno (un campo date)")
		if f.DaysFromField != "" && f.DaysFromField == f.DaysToField {
			fe.Add("formula.days_to_field", "il primo e l'ultimo giorno devono essere due campi diversi")
		}
	}
	return fe
}

// FeeAmount is a fee computed from an application's values.
type FeeAmount struct {
	Cents       int64  // what is due; 0 when nothing is
	Explanation string // the computation in Italian, e.g. "12 m² × 5 giorni × 1,20 € = 72,00 €"
}

// quantityRE is a number as the applicant types it: digits, and a decimal
// part after a comma or a point.
var quantityRE = regexp.MustCompile(`^[0-9]{1,9}(?:[.,][0-9]{1,6})?$`)

// Compute computes the fee of f from values (typed or cleaned form values).
// EINVALID FieldErrors keyed by the form field when a value the formula needs
// is missing or not valid (the message says so in Italian), when the last day
// precedes the first, or when the amount exceeds MaxPaymentAmount.
func (f *FeeFormula) Compute(values map[string]string) (FeeAmount, error) {
	fe := FieldErrors{}
	q := strings.TrimSpace(values[f.UnitField])
	qty := new(big.Rat)
	switch {
	case q == "":
		fe.Add(f.UnitField, "Indica la quantità: serve per calcolare l'importo.")
	case !quantityRE.MatchString(q):
		fe.Add(f.UnitField, "Inserisci un numero, ad esempio 12 o 12,5: serve per calcolare l'importo.")
	default:
		qty.SetString(strings.Replace(q, ",", ".", 1))
	}
	days := int64(1)
	if f.PerDay() {
		var from, to time.Time
		for _, d := range []struct {
			field string
			t     *time.Time
		}{{f.DaysFromField, &from}, {f.DaysToField, &to}} {
			v := strings.TrimSpace(values[d.field])
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				fe.Add(d.field, "Inserisci una data valida: serve per calcolare l'importo.")
			}
			*d.t = t
		}
		if len(fe) == 0 {
			days = int64(to.Sub(from).Hours()/24) + 1
			if days < 1 {
				fe.Add(f.DaysToField, "L'ultimo giorno non può precedere il primo.")
			}
		}
	}
	if err := fe.Err(); err != nil {
		return FeeAmount{}, err
	}
	rate, _ := new(big.Rat).SetString(strconv.FormatFloat(f.AmountPerUnit, 'f', -1, 64))
	total := new(big.Rat).Mul(rate, qty)
	total.Mul(total, new(big.Rat).SetInt64(days))
	cents := roundCents(total)
	if !cents.IsInt64() || cents.Int64() > MaxPaymentAmount {
		return FeeAmount{}, FieldErrors{f.UnitField: "L'importo calcolato supera il massimo pagabile con pagoPA: controlla i dati."}
	}
	out := FeeAmount{Cents: cents.Int64()}
	unit := ""
	if f.UnitLabel != "" {
		unit = " " + f.UnitLabel
	}
	expl := formatQuantity(q) + unit
	if f.PerDay() {
		expl += " × " + FormatDays(int(days))
	}
	expl += " × " + FormatRate(f.AmountPerUnit) + " = " + FormatEuroCents(out.Cents)
	if min, _ := EuroToCents(f.Minimum); out.Cents < min {
		expl += ", meno del minimo: si paga il minimo di " + FormatEuroCents(min)
		out.Cents = min
	}
	out.Explanation = expl
	return out, nil
}

// roundCents returns euro as cents, rounded half up (euro ≥ 0).
func roundCents(euro *big.Rat) *big.Int {
	x := new(big.Rat).Mul(euro, big.NewRat(100, 1))
	num := new(big.Int).Mul(x.Num(), big.NewInt(2))
	num.Add(num, x.Denom())
	return num.Quo(num, new(big.Int).Mul(x.Denom(), big.NewInt(2)))
}

// formatQuantity writes a typed number in Italian: "12.50" → "12,5".
func formatQuantity(q string) string {
	q = strings.Replace(q, ".", ",", 1)
	if strings.Contains(q, ",") {
		q = strings.TrimRight(strings.TrimRight(q, "0"), ",")
	}
	if t := strings.TrimLeft(q, "0"); t != q {
		if t == "" || t[0] == ',' {
			t = "0" + t
		}
		q = t
	}
	return q
}

// FormatEuroCents formats cents as FormatEuro does: 7200 → "72,00 €".
func FormatEuroCents(cents int64) string {
	s := strconv.FormatInt(cents/100, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return fmt.Sprintf("%s,%02d €", s, cents%100)
}

// AtApplication reports whether the fee is paid with the application: a
// fixed amount, or a variable one with a formula. Other variable fees are
// asked for by the office later.
func (p Payment) AtApplication() bool {
	return p.Formula != nil || (!p.Variable && p.Amount > 0)
}

// ApplicationFees returns the fees of def paid with the application (see
// Payment.AtApplication), in model order.
func (d *ProcedureDefinition) ApplicationFees() []Payment {
	var out []Payment
	for _, p := range d.Payments {
		if p.AtApplication() {
			out = append(out, p)
		}
	}
	return out
}

// DraftFee is one fee of an application being filled: the model's payment,
// what is due now, and the pagoPA notice that pays it.
type DraftFee struct {
	Payment     Payment
	Due         int64          // cents due with the application; 0 for fees asked later by the office, not yet computable, or with nothing due
	Computation string         // how Due was computed (fees with a formula)
	Problem     string         // why a fee with a formula cannot be computed yet (values missing or wrong); "" otherwise
	Notice      *PaymentNotice // the notice for Due, unpaid or paid; nil if not issued yet
	// Conflict is a notice already paid for this fee for another amount:
	// the values changed after paying. It is never changed; the
	// application cannot be submitted until the amounts agree again.
	Conflict *PaymentNotice
}

// Later reports whether the fee is asked for later by the office.
func (f DraftFee) Later() bool { return !f.Payment.AtApplication() }

// Payable reports whether a notice should exist for the fee now: it is due
// with the application, computable, not zero and not in conflict.
func (f DraftFee) Payable() bool {
	return f.Payment.AtApplication() && f.Problem == "" && f.Due > 0 && f.Conflict == nil
}

// Paid reports whether the fee needs nothing more from the applicant: paid
// for the amount due, or nothing due at all with the application.
func (f DraftFee) Paid() bool {
	switch {
	case f.Later():
		return true
	case f.Problem != "" || f.Conflict != nil:
		return false
	case f.Due == 0:
		return true
	}
	return f.Notice != nil && f.Notice.Status == PaymentPaid
}

// DraftFees pairs each fee of def with what values make due and with the
// application's notices (those not cancelled), in model order. A notice
// belongs to the fee with its causale; a fixed fee takes a notice of its
// amount (a paid one first); a fee with a formula takes a paid notice if any
// (Notice when its amount is still the one due, Conflict otherwise), else an
// unpaid notice of the amount due. Unpaid notices of a formula's fee for
// another amount are stale (see StaleNotices).
func DraftFees(def *ProcedureDefinition, values map[string]string, notices []*PaymentNotice) []DraftFee {
	used := make([]bool, len(notices))
	take := func(causale string, ok func(n *PaymentNotice) bool) *PaymentNotice {
		for _, status := range []PaymentStatus{PaymentPaid, PaymentUnpaid} {
			for i, n := range notices {
				if !used[i] && n.Status == status && n.Causale == causale && ok(n) {
					used[i] = true
					return n
				}
			}
		}
		return nil
	}
	var out []DraftFee
	for _, p := range def.Payments {
		f := DraftFee{Payment: p}
		causale := strings.TrimSpace(p.Causale)
		switch {
		case p.Formula != nil:
			amount, err := p.Formula.Compute(values)
			if err != nil {
				f.Problem = ErrorMessage(err)
				if msgs := FieldErrorsOf(err); len(msgs) > 0 {
					keys := make([]string, 0, len(msgs))
					for k := range msgs {
						keys = append(keys, k)
					}
					slices.Sort(keys)
					f.Problem = "Per calcolare l'importo completa il modulo: " + msgs[keys[0]]
				}
				break
			}
			f.Due, f.Computation = amount.Cents, amount.Explanation
			if paid := take(causale, func(n *PaymentNotice) bool { return n.Status == PaymentPaid }); paid != nil {
				if paid.Amount == f.Due {
					f.Notice = paid
				} else {
					f.Conflict = paid
				}
				break
			}
			if f.Due > 0 {
				f.Notice = take(causale, func(n *PaymentNotice) bool { return n.Amount == f.Due })
			}
		case p.AtApplication():
			f.Due = p.AmountCents()
			f.Notice = take(causale, func(n *PaymentNotice) bool { return n.Amount == f.Due })
		}
		out = append(out, f)
	}
	return out
}

// StaleNotices returns the unpaid notices, among notices, of the fees of def
// with a formula that are no longer the notice of their fee for values: the
// amount changed (or cannot be computed now). They must be cancelled before
// anyone pays them; a new notice is issued for the new amount.
func StaleNotices(def *ProcedureDefinition, values map[string]string, notices []*PaymentNotice) []*PaymentNotice {
	current := map[int64]bool{}
	formula := map[string]bool{}
	for _, f := range DraftFees(def, values, notices) {
		if f.Notice != nil {
			current[f.Notice.ID] = true
		}
		if f.Payment.Formula != nil {
			formula[strings.TrimSpace(f.Payment.Causale)] = true
		}
	}
	var out []*PaymentNotice
	for _, n := range notices {
		if n.Status == PaymentUnpaid && formula[n.Causale] && !current[n.ID] {
			out = append(out, n)
		}
	}
	return out
}

// FeesError returns the error that stops the submission of an application
// with fees: FieldErrors{"payments": …} naming the fees not yet paid and
// the fees paid for an amount the values no longer give; nil when every fee
// due with the application is paid.
func FeesError(fees []DraftFee) error {
	var unpaid, conflicts []string
	for _, f := range fees {
		switch {
		case f.Paid():
		case f.Conflict != nil:
			conflicts = append(conflicts, fmt.Sprintf("hai già pagato %s per «%s», ma con i dati attuali l'importo è %s (%s)",
				FormatEuroCents(f.Conflict.Amount), f.Payment.Description, FormatEuroCents(f.Due), f.Computation))
		case f.Problem != "":
			unpaid = append(unpaid, f.Payment.Description+" (importo da calcolare: completa il modulo)")
		default:
			unpaid = append(unpaid, f.Payment.Description+" ("+FormatEuroCents(f.Due)+")")
		}
	}
	var parts []string
	if len(unpaid) > 0 {
		parts = append(parts, "Prima di inviare la domanda devi pagare con pagoPA: "+strings.Join(unpaid, "; ")+".")
	}
	if len(conflicts) > 0 {
		parts = append(parts, "Attenzione: "+strings.Join(conflicts, "; ")+
			". Un pagamento eseguito non si modifica: riporta i dati a quelli per cui hai pagato, oppure contatta l'ufficio prima di inviare la domanda.")
	}
	if len(parts) == 0 {
		return nil
	}
	return FieldErrors{"payments": strings.Join(parts, " ")}
}
