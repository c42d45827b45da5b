// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Payments of fees with pagoPA. The rules of the codes are those of the
// "Specifiche attuative dei codici identificativi di versamento" (SACI, AgID;
// summary and text in ../shared/standards/pagopa): the Numero Avviso (codice
// avviso) and the IUV it contains (§2.2), the ISO 11649 creditor reference
// (Appendice 1), and the content of the QR code printed on the avviso di
// pagamento. Amounts are int64 euro cents everywhere: never floats.

// NoticeNumber is a pagoPA Numero Avviso (codice avviso): 18 digits
// <aux digit>[<application code>]<IUV> (SACI §2.2). The zero value is "no
// number"; any other value came from NewNoticeNumber or ParseNoticeNumber and
// is valid. Layouts by aux digit (Tabella 2):
//
//	0  0 + application code (2) + IUV base (13) + check (2)   IUV = base + check (15)
//	1  1 + IUV base (17)                                       IUV = base (17), no check digits
//	2  2 + IUV base (15) + check (2)                           IUV = base + check (17)
//	3  3 + codice segregazione (2) + IUV base (13) + check (2) IUV = segregazione + base + check (17)
//
// The check digits are the number formed by the 16 digits before them modulo
// 93, on two digits (00–92). SACI 3.x deprecates aux digits 0, 1 and 2 (kept
// for backward compatibility); procedo issues aux digit 3.
type NoticeNumber struct {
	digits string // 18 ASCII digits, or "" for the zero value
}

// noticeLength is the number of digits of a Numero Avviso.
const noticeLength = 18

// IUVBaseLength returns the length of the IUV base for an aux digit: 13 for 0
// and 3, 17 for 1, 15 for 2. EINVALID for any other aux digit.
func IUVBaseLength(auxDigit int) (int, error) {
	switch auxDigit {
	case 0, 3:
		return 13, nil
	case 1:
		return 17, nil
	case 2:
		return 15, nil
	}
	return 0, Errorf(EINVALID, "Aux digit %d non previsto: i valori ammessi sono 0, 1, 2 e 3.", auxDigit)
}

// NewNoticeNumber builds the Numero Avviso of an IUV base. code is the
// application code for aux digit 0, the codice segregazione for aux digit 3
// (two digits each), and must be empty for aux digits 1 and 2; iuvBase has
// IUVBaseLength(auxDigit) digits. The check digits (aux 0, 2, 3) are computed
// over aux digit, code and base. EINVALID with an Italian message for any other
// input.
func NewNoticeNumber(auxDigit int, code, iuvBase string) (NoticeNumber, error) {
	baseLen, err := IUVBaseLength(auxDigit)
	if err != nil {
		return NoticeNumber{}, err
	}
	switch auxDigit {
	case 0, 3:
		if len(code) != 2 || !allDigits(code) {
			what := "L'application code"
			if auxDigit == 3 {
				what = "Il codice segregazione"
			}
			return NoticeNumber{}, Errorf(EINVALID, "%s deve essere di 2 cifre.", what)
		}
	default:
		if code != "" {
			return NoticeNumber{}, Errorf(EINVALID, "Con aux digit %d il codice avviso non ha application code né codice segregazione.", auxDigit)
		}
	}
	if len(iuvBase) != baseLen || !allDigits(iuvBase) {
		return NoticeNumber{}, Errorf(EINVALID, "Con aux digit %d la base dello IUV deve essere di %d cifre.", auxDigit, baseLen)
	}
	digits := strconv.Itoa(auxDigit) + code + iuvBase
	if auxDigit != 1 {
		digits += noticeCheckDigits(digits)
	}
	return NoticeNumber{digits: digits}, nil
}

// ParseNoticeNumber parses a Numero Avviso as written or printed: 18 digits,
// possibly in groups separated by spaces ("3010 0000 0000 0001 44"). It checks
// the aux digit (0–3) and, for aux digits 0, 2 and 3, the check digits.
// EINVALID with an Italian message saying what is wrong.
func ParseNoticeNumber(s string) (NoticeNumber, error) {
	d := strings.ReplaceAll(s, " ", "")
	if d == "" {
		return NoticeNumber{}, Errorf(EINVALID, "Il codice avviso è obbligatorio.")
	}
	if !allDigits(d) {
		return NoticeNumber{}, Errorf(EINVALID, "Il codice avviso contiene caratteri non ammessi: sono ammesse solo cifre.")
	}
	if len(d) != noticeLength {
		return NoticeNumber{}, Errorf(EINVALID, "Il codice avviso è formato da 18 cifre.")
	}
	aux := int(d[0] - '0')
	if aux > 3 {
		return NoticeNumber{}, Errorf(EINVALID, "Il codice avviso non è valido: la prima cifra deve essere 0, 1, 2 o 3.")
	}
	if aux != 1 && noticeCheckDigits(d[:16]) != d[16:] {
		return NoticeNumber{}, Errorf(EINVALID, "Il codice avviso non è valido: controlla le cifre.")
	}
	return NoticeNumber{digits: d}, nil
}

// noticeCheckDigits returns the number formed by the digits of p modulo 93,
// on two digits. Callers pass the 16 digits before the check digits.
func noticeCheckDigits(p string) string {
	r := 0
	for i := 0; i < len(p); i++ {
		r = (r*10 + int(p[i]-'0')) % 93
	}
	return string([]byte{byte('0' + r/10), byte('0' + r%10)})
}

// String returns the 18 digits, or "" for the zero NoticeNumber.
func (n NoticeNumber) String() string { return n.digits }

// IsZero reports whether n is the zero NoticeNumber.
func (n NoticeNumber) IsZero() bool { return n.digits == "" }

// AuxDigit returns the aux digit (0–3), or -1 for the zero NoticeNumber.
func (n NoticeNumber) AuxDigit() int {
	if n.digits == "" {
		return -1
	}
	return int(n.digits[0] - '0')
}

// ApplicationCode returns the application code (aux digit 0), else "".
func (n NoticeNumber) ApplicationCode() string {
	if n.AuxDigit() != 0 {
		return ""
	}
	return n.digits[1:3]
}

// SegregationCode returns the codice segregazione (aux digit 3), else "".
func (n NoticeNumber) SegregationCode() string {
	if n.AuxDigit() != 3 {
		return ""
	}
	return n.digits[1:3]
}

// IUV returns the Identificativo Univoco di Versamento contained in n: 15
// digits for aux digit 0, 17 otherwise; "" for the zero NoticeNumber.
func (n NoticeNumber) IUV() string {
	switch n.AuxDigit() {
	case -1:
		return ""
	case 0:
		return n.digits[3:]
	}
	return n.digits[1:]
}

// IUVBase returns the IUV base: the IUV without codice segregazione and check digits.
func (n NoticeNumber) IUVBase() string {
	switch n.AuxDigit() {
	case 0, 3:
		return n.digits[3:16]
	case 1:
		return n.digits[1:]
	case 2:
		return n.digits[1:16]
	}
	return ""
}

// CheckDigits returns the two check digits, or "" for aux digit 1 (which has
// none) and the zero NoticeNumber.
func (n NoticeNumber) CheckDigits() string {
	switch n.AuxDigit() {
	case 0, 2, 3:
		return n.digits[16:]
	}
	return ""
}

// Grouped returns the number as printed on the avviso (AVVISO.CODICE): groups of
// 4 digits separated by spaces, 22 characters, e.g. "3010 0000 0000 0001 44".
func (n NoticeNumber) Grouped() string { return groupsOf4(n.digits) }

// MarshalText implements encoding.TextMarshaler: the 18 digits.
func (n NoticeNumber) MarshalText() ([]byte, error) { return []byte(n.digits), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseNoticeNumber; an
// empty text gives the zero NoticeNumber.
func (n *NoticeNumber) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*n = NoticeNumber{}
		return nil
	}
	v, err := ParseNoticeNumber(string(b))
	if err != nil {
		return err
	}
	*n = v
	return nil
}

// CreditorReference returns the ISO 11649 creditor reference of ref
// ("RF" + 2 check digits + ref; SACI Appendice 1), e.g. "w9" → "RF45w9". ref is
// 1 to 21 letters (either case) and digits, such as an IUV used for payments
// started at the ente (SACI §2.3 schema D). EINVALID for any other ref.
func CreditorReference(ref string) (string, error) {
	if !validRFReference(ref) {
		return "", Errorf(EINVALID, "Il riferimento deve avere da 1 a 21 lettere o cifre.")
	}
	r := mod97(ref + "RF00")
	c := 98 - r
	return "RF" + string([]byte{byte('0' + c/10), byte('0' + c%10)}) + ref, nil
}

// ValidateCreditorReference checks an ISO 11649 creditor reference, possibly
// written in groups separated by spaces, and returns it without spaces: the
// identifier "RF", two check digits (02–98) and a reference of 1 to 21 letters
// and digits whose ISO 7064 MOD 97-10 check holds. EINVALID otherwise.
func ValidateCreditorReference(s string) (string, error) {
	s = strings.ReplaceAll(s, " ", "")
	if len(s) < 5 || len(s) > 25 || !strings.HasPrefix(s, "RF") {
		return "", Errorf(EINVALID, "Il creditor reference inizia con RF ed è lungo da 5 a 25 caratteri.")
	}
	check, ref := s[2:4], s[4:]
	if !allDigits(check) || check < "02" || check > "98" || !validRFReference(ref) {
		return "", Errorf(EINVALID, "Il creditor reference contiene caratteri non ammessi.")
	}
	if mod97(ref+"RF"+check) != 1 {
		return "", Errorf(EINVALID, "Il creditor reference non è valido: controlla i caratteri.")
	}
	return s, nil
}

// FormatCreditorReference returns a creditor reference in groups of 4
// characters separated by spaces, as SACI §3 asks to present it.
func FormatCreditorReference(s string) string { return groupsOf4(strings.ReplaceAll(s, " ", "")) }

func validRFReference(ref string) bool {
	if len(ref) < 1 || len(ref) > 21 {
		return false
	}
	for i := 0; i < len(ref); i++ {
		if c := ref[i]; !isASCIIDigit(c) && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// mod97 returns s modulo 97, with letters converted as ISO 11649 says (A or a =
// 10 … Z or z = 35). s holds only ASCII letters and digits.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isASCIIDigit(c):
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			r = (r*100 + int(c-'A') + 10) % 97
		case c >= 'a' && c <= 'z':
			r = (r*100 + int(c-'a') + 10) % 97
		}
	}
	return r
}

// MaxPaymentAmount is the largest amount of one notice, in cents
// (999.999.999,99 €, the largest pagoPA amount).
const MaxPaymentAmount int64 = 99_999_999_999

// PaymentQRCode returns the content of the QR code of an avviso di pagamento
// (AVVISO.QRCODE): "PAGOPA|002|<codice avviso, 18 digits>|<codice fiscale
// dell'ente, 11 digits>|<importo in centesimi>". EINVALID for a zero number, a
// creditor fiscal code that is not 11 digits with a valid check digit, or an
// amount outside 1…MaxPaymentAmount cents.
func PaymentQRCode(number NoticeNumber, creditorFiscalCode string, cents int64) (string, error) {
	if number.IsZero() {
		return "", Errorf(EINVALID, "Il codice avviso è obbligatorio.")
	}
	cf, err := ValidateCreditorFiscalCode(creditorFiscalCode)
	if err != nil {
		return "", err
	}
	if cents < 1 || cents > MaxPaymentAmount {
		return "", Errorf(EINVALID, "Importo non valido.")
	}
	return "PAGOPA|002|" + number.String() + "|" + cf + "|" + strconv.FormatInt(cents, 10), nil
}

// ValidateCreditorFiscalCode checks the codice fiscale of an ente (the creditor
// of a notice): 11 digits whose last is the check digit of the partita IVA
// algorithm, which numeric codici fiscali share. Spaces are removed. It returns
// the 11 digits, or EINVALID.
func ValidateCreditorFiscalCode(s string) (string, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if len(s) != 11 || !allDigits(s) {
		return "", Errorf(EINVALID, "Il codice fiscale dell'ente è formato da 11 cifre.")
	}
	if _, err := ValidateVATNumber(s); err != nil {
		return "", Errorf(EINVALID, "Il codice fiscale dell'ente non è valido: controlla le cifre.")
	}
	return s, nil
}

// FormatCents formats an amount in euro cents in Italian, with the euro sign
// first: 123456 → "€ 1.234,56", 5 → "€ 0,05", -250 → "€ -2,50".
func FormatCents(cents int64) string {
	sign := ""
	u := uint64(cents)
	if cents < 0 {
		sign, u = "-", uint64(-(cents+1))+1 // no overflow for math.MinInt64
	}
	s := strconv.FormatUint(u/100, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	r := u % 100
	return "€ " + sign + s + "," + string([]byte{byte('0' + r/10), byte('0' + r%10)})
}

// EuroToCents converts an amount in euro (as written in procedure models) to
// cents, rounding to the nearest cent. EINVALID for NaN, infinities, negative
// amounts and amounts above MaxPaymentAmount.
func EuroToCents(euro float64) (int64, error) {
	if math.IsNaN(euro) || euro < 0 || euro*100 > float64(MaxPaymentAmount) {
		return 0, Errorf(EINVALID, "Importo non valido.")
	}
	return int64(math.Round(euro * 100)), nil
}

// PaymentStatus is the state of a payment notice.
type PaymentStatus string

const (
	PaymentUnpaid    PaymentStatus = "unpaid"    // issued, waiting for payment
	PaymentPaid      PaymentStatus = "paid"      // a provider confirmed the payment
	PaymentCancelled PaymentStatus = "cancelled" // withdrawn by the ente: no longer payable
)

// Label returns the Italian name of the status.
func (s PaymentStatus) Label() string {
	switch s {
	case PaymentUnpaid:
		return "Da pagare"
	case PaymentPaid:
		return "Pagato"
	case PaymentCancelled:
		return "Annullato"
	}
	return string(s)
}

// PaymentNotice is an avviso di pagamento pagoPA: one amount the ente asks a
// payer to pay, identified by its Numero Avviso (and the IUV inside it), which
// never repeats within a tenant.
type PaymentNotice struct {
	ID                 int64
	TenantID           int64
	CaseID             *int64        // the case the fee belongs to, once there is one
	ApplicationDraftID *int64        // the application draft the fee was asked for, if any
	NoticeNumber       NoticeNumber  // codice avviso; assigned by CreateNotice
	IUV                string        // = NoticeNumber.IUV(); assigned by CreateNotice
	CreditorFiscalCode string        // codice fiscale of the ente (11 digits); set by CreateNotice from the tenant
	Amount             int64         // euro cents, 1…MaxPaymentAmount
	Causale            string        // reason of the payment, printed on the notice (≤ 140 characters)
	PayerFiscalCode    string        // debtor's codice fiscale (16) or partita IVA (11); "" only when unknown (foreigners)
	PayerName          string        // debtor's full name or company name (≤ 70 characters)
	DueDate            Date          // pay by this day; zero for no due date
	Status             PaymentStatus //
	PaidAt             *time.Time    // when the payment was confirmed; nil unless paid
	Provider           string        // PaymentProvider.ID() that confirmed the payment; "" unless paid
	ProviderRef        string        // the provider's reference of the payment (e.g. receipt id); "" unless paid
	Description        string        // what the fee is for, as people read it (the model's fee, or the office's words); ≤ 200 characters
	Computation        string        // how the amount was computed from the application, e.g. "12 m² × 5 giorni × 1,20 € = 72,00 €"; "" if not computed
	RegistrationID     *int64        // the outgoing registration that sent the notice to the payer (fees asked for on a case); nil otherwise
	DocumentID         *int64        // the notice as a PDF document of the case (fees asked for on a case); nil otherwise
	CreatedAt          time.Time     //
	UpdatedAt          time.Time     //
}

// Limits of a notice's text fields, in characters (pagoPA causale; avviso
// DESTINATARIO.NOMECOMPLETO).
const (
	MaxCausaleLength     = 140
	MaxPayerNameLength   = 70
	MaxNoticeDescription = 200
	maxComputation       = 500
)

// Validate checks the fields the caller of CreateNotice supplies (amount,
// causale, payer, and the creditor fiscal code when already set); the store
// assigns number, IUV and status. It returns FieldErrors.
func (n *PaymentNotice) Validate() error {
	fe := FieldErrors{}
	if n.Amount < 1 || n.Amount > MaxPaymentAmount {
		fe.Add("amount", "L'importo deve essere maggiore di zero e al massimo 999.999.999,99 euro.")
	}
	if c := strings.TrimSpace(n.Causale); c == "" {
		fe.Add("causale", "La causale è obbligatoria.")
	} else if utf8.RuneCountInString(n.Causale) > MaxCausaleLength {
		fe.Add("causale", "La causale è troppo lunga (massimo 140 caratteri).")
	} else if !printable(n.Causale) {
		fe.Add("causale", "La causale contiene caratteri non ammessi.")
	}
	if strings.TrimSpace(n.PayerName) == "" {
		fe.Add("payer_name", "Il nome del debitore è obbligatorio.")
	} else if utf8.RuneCountInString(n.PayerName) > MaxPayerNameLength {
		fe.Add("payer_name", "Il nome del debitore è troppo lungo (massimo 70 caratteri).")
	} else if !printable(n.PayerName) {
		fe.Add("payer_name", "Il nome del debitore contiene caratteri non ammessi.")
	}
	switch cf := n.PayerFiscalCode; {
	case cf == "":
	case len(cf) == 11 && allDigits(cf):
		if _, err := ValidateVATNumber(cf); err != nil {
			fe.Add("payer_fiscal_code", "Il codice fiscale del debitore non è valido: controlla le cifre.")
		}
	default:
		if _, err := ValidateFiscalCode(cf); err != nil || NormalizeFiscalCode(cf) != cf {
			fe.Add("payer_fiscal_code", "Il codice fiscale del debitore non è valido.")
		}
	}
	if utf8.RuneCountInString(n.Description) > MaxNoticeDescription {
		fe.Add("description", "La descrizione è troppo lunga (massimo 200 caratteri).")
	} else if !printable(n.Description) {
		fe.Add("description", "La descrizione contiene caratteri non ammessi.")
	}
	if utf8.RuneCountInString(n.Computation) > maxComputation || !printable(n.Computation) {
		fe.Add("computation", "Il calcolo dell'importo è troppo lungo o contiene caratteri non ammessi.")
	}
	if n.CreditorFiscalCode != "" {
		if _, err := ValidateCreditorFiscalCode(n.CreditorFiscalCode); err != nil {
			fe.Add("creditor_fiscal_code", ErrorMessage(err))
		}
	}
	return fe.Err()
}

// printable reports whether s has no control characters.
func printable(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0
}

// QRCodeContent returns the content of the notice's QR code (see PaymentQRCode).
func (n *PaymentNotice) QRCodeContent() (string, error) {
	return PaymentQRCode(n.NoticeNumber, n.CreditorFiscalCode, n.Amount)
}

// Payable reports whether the notice can still be paid.
func (n *PaymentNotice) Payable() bool { return n.Status == PaymentUnpaid }

// PrintDocument describes the avviso di pagamento of n issued by tenant t, for
// the PDF Renderer: ente, causale, amount, due date, codice avviso in groups of
// 4, IUV, codice fiscale of the ente, the QR code content and how to pay.
// payURL, when not empty, is the page where the payer can pay online.
func (n *PaymentNotice) PrintDocument(t *Tenant, payURL string) *PrintDocument {
	due := "Nessuna scadenza"
	if !n.DueDate.IsZero() {
		due = "Entro il " + n.DueDate.Italian()
	}
	qr, err := n.QRCodeContent()
	if err != nil {
		qr = "—" // only for a notice that was never stored; CreateNotice guarantees a valid one
	}
	payer := n.PayerName
	if n.PayerFiscalCode != "" {
		payer += " (codice fiscale " + n.PayerFiscalCode + ")"
	}
	d := &PrintDocument{
		Issuer:   t.Name,
		Title:    "Avviso di pagamento pagoPA",
		Subtitle: n.Causale,
		Demo:     t.Demo,
		Footer:   "Avviso di pagamento pagoPA – codice avviso " + n.NoticeNumber.Grouped() + " – codice fiscale ente " + n.CreditorFiscalCode,
	}
	if t.Demo {
		d.Sections = append(d.Sections, PrintSection{Heading: "DEMO", Paragraphs: []string{
			"Avviso di prova generato da un ente DEMO: non è pagabile sul circuito pagoPA.",
		}})
	}
	how := PrintSection{Heading: "Come pagare", Paragraphs: []string{
		"Puoi pagare con pagoPA online, con l'app IO, con l'home banking o con le app di pagamento aderenti, " +
			"oppure di persona presso banche, sportelli ATM, uffici postali, tabaccherie, ricevitorie e supermercati aderenti a pagoPA.",
		"Per pagare indica il codice avviso e il codice fiscale dell'ente riportati in questo avviso.",
		"Dopo il pagamento ricevi la ricevuta dal prestatore di servizi di pagamento che hai scelto: conservala.",
	}}
	if payURL != "" {
		how.Fields = []PrintField{{"Paga online", payURL}}
	}
	amount := PrintSection{Heading: "Importo e scadenza", Fields: []PrintField{{"Oggetto del pagamento", n.Causale}}}
	if n.Description != "" && n.Description != n.Causale {
		amount.Fields = append(amount.Fields, PrintField{"Descrizione", n.Description})
	}
	amount.Fields = append(amount.Fields, PrintField{"Importo", FormatCents(n.Amount)})
	if n.Computation != "" {
		amount.Fields = append(amount.Fields, PrintField{"Calcolo dell'importo", n.Computation})
	}
	amount.Fields = append(amount.Fields, PrintField{"Scadenza", due})
	d.Sections = append(d.Sections,
		PrintSection{Heading: "Ente creditore", Fields: []PrintField{
			{"Ente", t.Name},
			{"Codice fiscale dell'ente", n.CreditorFiscalCode},
		}},
		PrintSection{Heading: "Destinatario dell'avviso", Fields: []PrintField{
			{"Debitore", payer},
		}},
		amount,
		PrintSection{Heading: "Dati per il pagamento", Fields: []PrintField{
			{"Codice avviso", n.NoticeNumber.Grouped()},
			{"Codice IUV", n.IUV},
			{"Codice fiscale dell'ente", n.CreditorFiscalCode},
			{"Contenuto del codice QR", qr},
		}},
		how,
	)
	return d
}

// PaymentNoticeFilter selects notices of the tenant in ctx. The store also
// applies what the actor may see (a citizen sees only the notices addressed to
// them).
type PaymentNoticeFilter struct {
	CaseID             *int64
	ApplicationDraftID *int64
	PayerFiscalCode    *string
	Status             *PaymentStatus
	Offset             int
	Limit              int // default 50, at most 500
}

// CanViewPaymentNotice reports whether a may read n: the system, an operator of
// n's tenant, or the citizen the notice is addressed to.
func CanViewPaymentNotice(a *Actor, n *PaymentNotice) bool {
	switch {
	case a == nil || n == nil:
		return false
	case a.Kind == ActorSystem:
		return true
	case a.Citizen != nil:
		return n.PayerFiscalCode != "" && a.Citizen.FiscalCode == n.PayerFiscalCode
	case a.User != nil:
		return a.User.TenantID == n.TenantID
	}
	return false
}

// CanCreatePaymentNotice returns nil if a may issue n: the system, an operator,
// manager or admin, or a citizen for a notice addressed to themselves (the fee
// of their own application). EUNAUTHORIZED for anonymous actors, EFORBIDDEN
// otherwise.
func CanCreatePaymentNotice(a *Actor, n *PaymentNotice) error {
	switch {
	case a == nil:
		return Errorf(EUNAUTHORIZED, "Accesso richiesto.")
	case a.Citizen != nil:
		if n.PayerFiscalCode != a.Citizen.FiscalCode {
			return Errorf(EFORBIDDEN, "Puoi generare avvisi di pagamento solo a tuo nome.")
		}
		return nil
	}
	return RequireRole(a, RoleOperator, RoleManager, RoleAdmin)
}

// CanRecordPayment returns nil if a may mark a notice paid or cancel it: the
// system (a payment provider's verified confirmation, jobs), or a manager or
// admin (manual reconciliation). Citizens never may: a payment is recorded only
// on the provider's word. EUNAUTHORIZED or EFORBIDDEN otherwise.
func CanRecordPayment(a *Actor) error {
	if a != nil && a.Citizen != nil {
		return Errorf(EFORBIDDEN, "Il pagamento è registrato dal sistema di pagamento.")
	}
	return RequireRole(a, RoleManager, RoleAdmin)
}

// PaymentService issues and tracks the payment notices of the tenant in ctx.
type PaymentService interface {
	// CreateNotice issues n: it assigns a new IUV from the tenant's counter (never
	// reused), the Numero Avviso, the tenant's codice fiscale as creditor, status
	// unpaid, and stores it. The caller sets Amount, Causale, payer, DueDate and
	// optionally CaseID or ApplicationDraftID. Callers: see
	// CanCreatePaymentNotice. EINVALID (FieldErrors), EUNAUTHORIZED, EFORBIDDEN,
	// ENOTFOUND (CaseID of another tenant), ECONFLICT if the tenant has no codice
	// fiscale configured.
	CreateNotice(ctx context.Context, n *PaymentNotice) error
	// FindNotice returns a notice the actor may see (CanViewPaymentNotice), or
	// ENOTFOUND (also for other tenants' notices).
	FindNotice(ctx context.Context, id int64) (*PaymentNotice, error)
	// FindNoticeByNumber is FindNotice by Numero Avviso (digits, spaces allowed).
	// EINVALID for a malformed number, ENOTFOUND as FindNotice.
	FindNoticeByNumber(ctx context.Context, number string) (*PaymentNotice, error)
	// FindNotices lists the notices the actor may see, newest first, and the total.
	FindNotices(ctx context.Context, f PaymentNoticeFilter) ([]*PaymentNotice, int, error)
	// MarkPaid records that provider confirmed the payment of the notice with
	// reference providerRef. Idempotent: a notice already paid with the same
	// provider and reference is returned unchanged. Callers: see
	// CanRecordPayment. EINVALID (malformed number, empty provider or
	// reference), ENOTFOUND, ECONFLICT (cancelled, or paid with another
	// reference).
	MarkPaid(ctx context.Context, number, provider, providerRef string) (*PaymentNotice, error)
	// CancelNotice withdraws an unpaid notice. Callers: see CanRecordPayment.
	// ENOTFOUND, ECONFLICT if it is paid. Cancelling a cancelled notice is a no-op.
	CancelNotice(ctx context.Context, id int64) (*PaymentNotice, error)
}

// PaymentProvider takes the payer to a payment channel and confirms what was
// paid: the DEMO provider now, a pagoPA intermediary later. A provider stores
// nothing: the caller records a confirmed payment with CompletePayment.
type PaymentProvider interface {
	// ID is the short stable name used in URLs and stored with payments, e.g. "demo".
	ID() string
	// Label is the Italian button label, e.g. "Paga con pagoPA".
	Label() string
	// Start begins the payment of an unpaid notice and returns the URL to send
	// the payer's browser to. ECONFLICT if the notice is not payable.
	Start(ctx context.Context, n *PaymentNotice) (redirectURL string, err error)
	// Confirm verifies the request that came back from the provider (a browser
	// return or a server-to-server notification) and returns the Numero Avviso
	// paid and the provider's reference of the payment. EINVALID for a request
	// it cannot verify, ECONFLICT for a payment the payer abandoned or the
	// provider refused.
	Confirm(ctx context.Context, r *http.Request) (noticeNumber string, providerRef string, err error)
}

// CompletePayment finishes a payment that came back from provider p: p.Confirm
// verifies the request, then the payment is recorded with payments.MarkPaid as
// the system actor (the provider's verified word is the authority, not the
// browser's actor), and the notice is returned as the actor of ctx may see it.
// Errors are those of Confirm and MarkPaid, and ENOTFOUND after recording when
// the actor of ctx may not see the notice (someone paid another's notice).
func CompletePayment(ctx context.Context, p PaymentProvider, payments PaymentService, r *http.Request) (_ *PaymentNotice, err error) {
	defer Wrap(&err, "CompletePayment(%s)", p.ID())
	number, ref, err := p.Confirm(ctx, r)
	if err != nil {
		return nil, err
	}
	n, err := payments.MarkPaid(NewContextWithActor(ctx, SystemActor), number, p.ID(), ref)
	if err != nil {
		return nil, err
	}
	return payments.FindNotice(ctx, n.ID)
}

// groupsOf4 returns s in groups of 4 characters separated by spaces.
func groupsOf4(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isASCIIDigit(s[i]) {
			return false
		}
	}
	return true
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }
