// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package api

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/procedo/procedo"
)

// The fees of a draft, for integrators: the same store function as the web's
// payment step issues the pagoPA notices of the fees due with the draft's
// current values (recomputed when the values change; a paid notice never
// changes); the notice prints as the same PDF; the payer pays through the
// payment provider (checkout), which confirms the payment server to server
// (notifications, as a pagoPA intermediary notifies the creditor). Nothing
// here marks a notice paid: only procedo.CompletePayment does, on the
// provider's verified word.

// draftPaymentJSON is a pagoPA notice of a draft (schema DraftPayment).
type draftPaymentJSON struct {
	noticeJSON
	StatusLabel        string            `json:"status_label"`
	Description        string            `json:"description"`
	Computation        string            `json:"computation"`
	CreditorFiscalCode string            `json:"creditor_fiscal_code"`
	PayerFiscalCode    string            `json:"payer_fiscal_code"`
	PayerName          string            `json:"payer_name"`
	Links              draftPaymentLinks `json:"links"`
}

// draftPaymentLinks are the API paths of a notice of a draft.
type draftPaymentLinks struct {
	PDF      string `json:"pdf"`                // the printable avviso di pagamento
	Checkout string `json:"checkout,omitempty"` // POST here to pay online; only while payable and a provider is configured
}

// draftFeeJSON is one fee of the draft's procedure with what is due now
// (schema DraftFee).
type draftFeeJSON struct {
	Description string `json:"description"`
	Causale     string `json:"causale"`
	DueCents    int64  `json:"due_cents"`   // due with the application; 0 for fees the office asks for later or not computable yet
	Computation string `json:"computation"` // how a fee with a formula was computed
	Problem     string `json:"problem"`     // why the amount cannot be computed yet
	Later       bool   `json:"later"`       // asked for by the office after the submission
	Paid        bool   `json:"paid"`        // nothing more is needed for this fee
	NoticeID    *int64 `json:"notice_id"`   // the notice that pays it
}

// draftPaymentsJSON answers the payments routes of a draft (schema
// DraftPayments).
type draftPaymentsJSON struct {
	Items    []draftPaymentJSON `json:"items"`
	Fees     []draftFeeJSON     `json:"fees"`
	Problems map[string]string  `json:"problems"` // {"payments": …} while the fees stop the submission
}

func (s *Server) newDraftPayments(d *procedo.ApplicationDraft, def *procedo.ProcedureDefinition, notices []*procedo.PaymentNotice) draftPaymentsJSON {
	out := draftPaymentsJSON{Items: []draftPaymentJSON{}, Fees: []draftFeeJSON{}, Problems: map[string]string{}}
	for _, n := range notices {
		base := fmt.Sprintf("%sdrafts/%d/payments/%d", Prefix, d.ID, n.ID)
		p := draftPaymentJSON{noticeJSON: noticeJSON{ID: n.ID, NoticeNumber: n.NoticeNumber.String(), IUV: n.IUV, Amount: n.Amount,
			Causale: n.Causale, Status: n.Status, PaidAt: n.PaidAt},
			StatusLabel: n.Status.Label(), Description: n.Description, Computation: n.Computation, CreditorFiscalCode: n.CreditorFiscalCode,
			PayerFiscalCode: n.PayerFiscalCode, PayerName: n.PayerName, Links: draftPaymentLinks{PDF: base + "/pdf"}}
		if n.Payable() && s.PaymentProvider != nil {
			p.Links.Checkout = base + "/checkout"
		}
		out.Items = append(out.Items, p)
	}
	fees := procedo.DraftFees(def, d.Values, notices)
	for _, f := range fees {
		j := draftFeeJSON{Description: f.Payment.Description, Causale: f.Payment.Causale, DueCents: f.Due, Computation: f.Computation,
			Problem: f.Problem, Later: f.Later(), Paid: f.Paid()}
		if f.Notice != nil {
			j.NoticeID = &f.Notice.ID
		}
		out.Fees = append(out.Fees, j)
	}
	if err := procedo.FeesError(fees); err != nil {
		out.Problems = procedo.FieldErrorsOf(err)
	}
	return out
}

// handleDraftPaymentList serves GET /api/v1/drafts/{id}/payments: the
// notices issued for the draft's fees (none is issued here) and its fees.
func (s *Server) handleDraftPaymentList(w http.ResponseWriter, r *http.Request) error {
	d, v, err := s.draftVersion(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.newDraftPayments(d, &v.Definition, d.Payments))
}

// handleDraftPaymentIssue serves POST /api/v1/drafts/{id}/payments: the
// notices of the fees due with the draft's current values are issued, once
// (DraftService.PrepareDraftPayments, as the web's payment step); 201 when
// a notice was issued, 200 when they were all there already.
func (s *Server) handleDraftPaymentIssue(w http.ResponseWriter, r *http.Request) error {
	d, v, err := s.draftVersion(r)
	if err != nil {
		return err
	}
	notices, err := s.Drafts.PrepareDraftPayments(r.Context(), d.ID)
	if err != nil {
		return err
	}
	status := http.StatusOK
	for _, n := range notices {
		if !slices.ContainsFunc(d.Payments, func(o *procedo.PaymentNotice) bool { return o.ID == n.ID }) {
			status = http.StatusCreated
		}
	}
	w.Header().Set("Location", fmt.Sprintf("%sdrafts/%d/payments", Prefix, d.ID))
	return writeJSON(w, status, s.newDraftPayments(d, &v.Definition, notices))
}

// draftNotice returns the draft {id} the caller owns and its notice {notice}
// (not cancelled).
func (s *Server) draftNotice(r *http.Request) (*procedo.ApplicationDraft, *procedo.PaymentNotice, error) {
	d, err := s.draft(r)
	if err != nil {
		return nil, nil, err
	}
	nid, err := pathID(r, "notice", "Avviso di pagamento non trovato.")
	if err != nil {
		return nil, nil, err
	}
	n, err := d.Notice(nid)
	if err != nil {
		return nil, nil, err
	}
	return d, n, nil
}

// handleDraftPaymentPDF serves GET /api/v1/drafts/{id}/payments/{notice}/pdf:
// the printable avviso di pagamento (codice avviso, IUV, QR code content),
// rendered as the web renders it.
func (s *Server) handleDraftPaymentPDF(w http.ResponseWriter, r *http.Request) error {
	_, n, err := s.draftNotice(r)
	if err != nil {
		return err
	}
	if s.Renderer == nil {
		return procedo.Errorf(procedo.ENOTFOUND, "Risorsa non trovata.")
	}
	t := procedo.TenantFromContext(r.Context())
	if t == nil {
		return procedo.Errorf(procedo.ENOTFOUND, "Ente non trovato.")
	}
	b, err := s.Renderer.RenderPDF(r.Context(), n.PrintDocument(t, ""))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", contentDisposition("avviso-pagopa-"+n.NoticeNumber.String()+".pdf", n.ID))
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b) // the client has gone if this fails
	return nil
}

// checkoutJSON is where to send the payer (schema PaymentCheckout).
type checkoutJSON struct {
	NoticeID    int64  `json:"notice_id"`
	Provider    string `json:"provider"`
	Label       string `json:"label"`
	CheckoutURL string `json:"checkout_url"` // absolute, or relative to this server
}

// handleDraftPaymentCheckout serves POST
// /api/v1/drafts/{id}/payments/{notice}/checkout: the payment provider's
// page where the payer pays the notice (as "Paga ora" on the web). The
// provider then confirms the payment to procedo by itself (notification);
// 409 for a notice that is no longer payable.
func (s *Server) handleDraftPaymentCheckout(w http.ResponseWriter, r *http.Request) error {
	_, n, err := s.draftNotice(r)
	if err != nil {
		return err
	}
	if s.PaymentProvider == nil {
		return procedo.Errorf(procedo.ENOTFOUND, "Il pagamento online non è disponibile: paga l'avviso con uno dei canali pagoPA.")
	}
	to, err := s.PaymentProvider.Start(r.Context(), n)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, checkoutJSON{NoticeID: n.ID, Provider: s.PaymentProvider.ID(), Label: s.PaymentProvider.Label(), CheckoutURL: to})
}

// handlePaymentNotification serves POST
// /api/v1/payments/{provider}/notifications: the payment provider's
// server-to-server confirmation of a payment (form values "ente", the
// creditor tenant's id, and the provider's own, e.g. the DEMO provider's
// signed "esito"). No bearer token: the provider's signature, verified by
// its Confirm inside procedo.CompletePayment, is the authority, and an
// outcome is bound to its tenant. Idempotent.
func (s *Server) handlePaymentNotification(w http.ResponseWriter, r *http.Request) error {
	p := s.PaymentProvider
	if p == nil || p.ID() != r.PathValue("provider") || s.Payments == nil || s.Tenants == nil {
		return procedo.Errorf(procedo.ENOTFOUND, "Risorsa non trovata.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		return badRequest("Notifica di pagamento non leggibile: invia un modulo application/x-www-form-urlencoded.", err)
	}
	invalid := procedo.Errorf(procedo.EINVALID, "Notifica di pagamento non valida: ente creditore sconosciuto.")
	tid, err := strconv.ParseInt(r.PostFormValue("ente"), 10, 64)
	if err != nil || tid <= 0 {
		return invalid
	}
	t, err := s.Tenants.FindTenantByID(r.Context(), tid)
	if procedo.ErrorCode(err) == procedo.ENOTFOUND {
		return invalid
	} else if err != nil {
		return err
	}
	ctx := procedo.NewContextWithActor(procedo.NewContextWithTenant(r.Context(), t), procedo.SystemActor)
	n, err := procedo.CompletePayment(ctx, p, s.Payments, r.WithContext(ctx))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		NoticeNumber string                `json:"notice_number"`
		Status       procedo.PaymentStatus `json:"status"`
	}{n.NoticeNumber.String(), n.Status})
}

// handleDraftDelete serves DELETE /api/v1/drafts/{id}: the integrator
// discards its draft (204); its unpaid notices are cancelled. 409 when a
// notice of it is paid: a paid fee must not vanish.
func (s *Server) handleDraftDelete(w http.ResponseWriter, r *http.Request) error {
	d, err := s.draft(r)
	if err != nil {
		return err
	}
	if err := s.Drafts.DeleteDraft(r.Context(), d.ID); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
