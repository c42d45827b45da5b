// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package procedo

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Fees asked for by the office on a case: a variable fee the model leaves to
// the office (the canone once the concession is decided, the cost of copies)
// becomes a pagoPA notice addressed to the applicant, sent as an outgoing
// registration with the notice's PDF and by e-mail, shown in "Le mie
// pratiche" with "Paga ora".

// Kinds of the case events of payments (see CaseEventTitle).
const (
	CaseEventPaymentRequest = "payment_request" // the office asked the applicant to pay a notice
	CaseEventPaymentPaid    = "payment_paid"    // a notice of the case was paid
)

// CasePaymentRequest is a fee the office asks the applicant of a case to pay.
type CasePaymentRequest struct {
	Description string // what it is for, e.g. "Canone per l'occupazione dal 10 al 14 aprile"; ≤ 200 characters
	Amount      int64  // euro cents, 1…MaxPaymentAmount
	Causale     string // the reason printed on the notice, ≤ 140 characters
	DueDate     Date   // pay by this day; zero for none
}

// Normalize trims the texts.
func (r *CasePaymentRequest) Normalize() {
	r.Description, r.Causale = strings.TrimSpace(r.Description), strings.TrimSpace(r.Causale)
}

// Validate checks a request as typed (after Normalize): FieldErrors keyed
// "description", "amount", "causale".
func (r *CasePaymentRequest) Validate() error {
	fe := FieldErrors{}
	switch {
	case r.Description == "":
		fe.Add("description", "Descrivi che cosa si paga.")
	case utf8.RuneCountInString(r.Description) > MaxNoticeDescription:
		fe.Add("description", "La descrizione è troppo lunga (massimo 200 caratteri).")
	case !printable(r.Description):
		fe.Add("description", "La descrizione contiene caratteri non ammessi.")
	}
	if r.Amount < 1 || r.Amount > MaxPaymentAmount {
		fe.Add("amount", "L'importo deve essere maggiore di zero e al massimo 999.999.999,99 euro.")
	}
	switch {
	case r.Causale == "":
		fe.Add("causale", "La causale è obbligatoria.")
	case utf8.RuneCountInString(r.Causale) > MaxCausaleLength:
		fe.Add("causale", "La causale è troppo lunga (massimo 140 caratteri).")
	case !printable(r.Causale):
		fe.Add("causale", "La causale contiene caratteri non ammessi.")
	}
	return fe.Err()
}

// euroRE is an amount in euro written in Italian: thousands separated by
// points, decimals after a comma ("1.234,56"); or plain digits with a decimal
// point ("1234.5").
var (
	euroItalianRE = regexp.MustCompile(`^(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]{1,2})?$`)
	euroPointRE   = regexp.MustCompile(`^[0-9]+\.[0-9]{1,2}$`)
)

// ParseEuro reads an amount in euro as people type it in Italy and returns
// it in cents: "72", "72,5", "72,50", "1.234,56", "€ 1.234,56", "1234.56"
// (a point followed by one or two digits is a decimal point). At most two
// decimals; no sign. EINVALID with an Italian message otherwise, or when the
// amount exceeds MaxPaymentAmount.
func ParseEuro(s string) (int64, error) {
	bad := Errorf(EINVALID, "Scrivi l'importo in euro con la virgola per i centesimi, ad esempio 72,50.")
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "€"), "€"))
	s = strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "\u00a0", "")
	if len(s) > 20 {
		return 0, bad
	}
	var whole, frac string
	switch {
	case euroPointRE.MatchString(s) && !strings.Contains(s, ","):
		whole, frac, _ = strings.Cut(s, ".")
	case euroItalianRE.MatchString(s):
		whole, frac, _ = strings.Cut(s, ",")
		whole = strings.ReplaceAll(whole, ".", "")
	default:
		return 0, bad
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > MaxPaymentAmount/100 {
		return 0, Errorf(EINVALID, "L'importo è troppo grande: al massimo 999.999.999,99 euro.")
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	cents := w*100 + f
	if cents > MaxPaymentAmount {
		return 0, Errorf(EINVALID, "L'importo è troppo grande: al massimo 999.999.999,99 euro.")
	}
	return cents, nil
}

// CanRequestCasePayment returns nil if a may ask the applicant of cas to pay
// a fee: operators and managers of the case's office (CanWorkCase).
func CanRequestCasePayment(a *Actor, cas *Case) error { return CanWorkCase(a, cas) }

// CasePaymentService is the fees of the cases of the tenant in ctx.
type CasePaymentService interface {
	// RequestCasePayment issues a pagoPA notice for r addressed to the
	// applicant of case caseID, and in one transaction stores the notice's
	// PDF as a document of the case, registers it as outgoing to the
	// applicant, queues the e-mail with the PDF, records the case event and
	// the audit entry. Operators and managers of the case's office
	// (CanRequestCasePayment): EFORBIDDEN for other staff who may see the
	// case, ENOTFOUND for anyone else and other tenants. EINVALID
	// (FieldErrors of CasePaymentRequest.Validate), ECONFLICT when the
	// tenant cannot issue notices (no codice fiscale).
	RequestCasePayment(ctx context.Context, caseID int64, r CasePaymentRequest) (*PaymentNotice, error)
	// FindCasePayments lists the notices of a case the actor may view (staff
	// who may view it, or its applicant), oldest first: those paid with the
	// application and those the office asked for, with their status.
	// ENOTFOUND for cases the actor may not view.
	FindCasePayments(ctx context.Context, caseID int64) ([]*PaymentNotice, error)
}

// PaymentRequestTitle is the title of the document and registration of a
// fee asked for on a case.
const PaymentRequestTitle = "Richiesta di pagamento pagoPA"

// CasePaymentMail returns the e-mail that sends notice n, asked for on cas
// and registered as reg, to the applicant (the PDF goes attached).
func CasePaymentMail(t *Tenant, cas *Case, n *PaymentNotice, reg *Registration, baseURL string) (subject, text string) {
	subject = "Pratica n. " + itoa64(cas.ID) + ": richiesta di pagamento"
	text = "Gentile " + cas.ApplicantName + ",\n\nl'ufficio " + cas.OrgUnitName + " ti chiede un pagamento per la tua pratica «" +
		cas.ProcedureTitle + "» (n. " + itoa64(cas.ID) + ").\n"
	if reg != nil {
		text += "Protocollo: " + reg.Signature() + "\n"
	}
	text += "\nPer: " + n.Description + "\nCausale: " + n.Causale + "\nImporto: " + FormatCents(n.Amount) +
		"\nCodice avviso: " + n.NoticeNumber.Grouped() + "\nCodice IUV: " + n.IUV + "\nCodice fiscale dell'ente: " + n.CreditorFiscalCode + "\n"
	if !n.DueDate.IsZero() {
		text += "Scadenza: " + n.DueDate.Italian() + "\n"
	}
	text += "\nPuoi pagare online dall'area «Le mie pratiche»: " + baseURL + "/pratiche/" + itoa64(cas.ID) +
		"\noppure con l'avviso allegato presso banche, uffici postali, tabaccherie e con le app aderenti a pagoPA.\n\n" + t.Name + "\n"
	if t.Demo {
		text += "\nDEMO — avviso di prova, non pagabile sul circuito pagoPA.\n"
	}
	return subject, text
}
