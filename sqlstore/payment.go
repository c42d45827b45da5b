// SPDX-FileCopyrightText: 2026 procedo contributors
// SPDX-License-Identifier: EUPL-1.2

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/procedo/procedo"
)

// PaymentService implements procedo.PaymentService.
type PaymentService struct {
	db *DB

	// AuxDigit and Code choose the layout of the notice numbers issued (SACI
	// §2.2.2): by default aux digit 3 with codice segregazione "01". Code is the
	// codice segregazione (aux 3) or application code (aux 0) assigned to the
	// installation, and must be "" for aux digits 1 and 2. Set them before use.
	AuxDigit int
	Code     string
}

// NewPaymentService returns a PaymentService on db issuing aux digit 3 notice
// numbers with codice segregazione "01".
func NewPaymentService(db *DB) *PaymentService {
	return &PaymentService{db: db, AuxDigit: 3, Code: "01"}
}

var _ procedo.PaymentService = (*PaymentService)(nil)

// maxProviderField bounds the provider id and reference stored with a payment.
const maxProviderField = 200

// CreateNotice implements procedo.PaymentService.
//
// The IUV base is the tenant's counter, incremented in the notice's own
// transaction (as register_counters): it never repeats, and the unique keys on
// (tenant_id, iuv) and (tenant_id, notice_number) guard it a second time.
func (s *PaymentService) CreateNotice(ctx context.Context, n *procedo.PaymentNotice) (err error) {
	defer procedo.Wrap(&err, "sqlstore.CreateNotice")
	tid, err := tenantID(ctx)
	if err != nil {
		return err
	}
	m := procedo.PaymentNotice{
		CaseID: n.CaseID, ApplicationDraftID: n.ApplicationDraftID, Amount: n.Amount,
		Causale: strings.TrimSpace(n.Causale), PayerName: strings.TrimSpace(n.PayerName),
		PayerFiscalCode: procedo.NormalizeFiscalCode(n.PayerFiscalCode), DueDate: n.DueDate,
		Description: strings.TrimSpace(n.Description), Computation: strings.TrimSpace(n.Computation),
	}
	if err := procedo.CanCreatePaymentNotice(procedo.ActorFromContext(ctx), &m); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	err = s.db.transact(ctx, func(tx *Tx) error { return s.createNotice(ctx, tx, tid, &m) })
	if err != nil {
		return err
	}
	*n = m
	return nil
}

// createNotice stores m, already checked (permission and Validate), as a new
// notice of tenant tid inside tx: it takes the next IUV of the tenant's
// counter and fills number, IUV, creditor, status and times.
func (s *PaymentService) createNotice(ctx context.Context, tx *Tx, tid int64, n *procedo.PaymentNotice) error {
	num, cf, err := s.nextNoticeNumber(ctx, tx, tid)
	if err != nil {
		return err
	}
	n.NoticeNumber, n.CreditorFiscalCode = num, cf
	return insertNotice(ctx, tx, tid, n)
}

// nextNoticeNumber takes the next Numero Avviso of tenant tid inside tx and
// returns it with the tenant's codice fiscale (the creditor). ECONFLICT if
// the tenant has no codice fiscale or the numbering is exhausted.
func (s *PaymentService) nextNoticeNumber(ctx context.Context, tx *Tx, tid int64) (procedo.NoticeNumber, string, error) {
	baseLen, err := procedo.IUVBaseLength(s.AuxDigit)
	if err != nil {
		return procedo.NoticeNumber{}, "", &procedo.Error{Code: procedo.EINTERNAL, Message: "Configurazione dei pagamenti non valida.", Err: err}
	}
	var cf string
	if err := tx.queryRow(ctx, `SELECT fiscal_code FROM tenants WHERE id = ?`, tid).Scan(&cf); err != nil {
		return procedo.NoticeNumber{}, "", notFound(err, "Ente non trovato.")
	}
	if cf == "" {
		return procedo.NoticeNumber{}, "", procedo.Errorf(procedo.ECONFLICT, "L'ente non ha ancora configurato il proprio codice fiscale: non può emettere avvisi di pagamento pagoPA.")
	}
	var last int64
	if err := scanOne(tx.query(ctx, `INSERT INTO payment_counters (tenant_id, last_number) VALUES (?, 1)
			ON CONFLICT (tenant_id) DO UPDATE SET last_number = payment_counters.last_number + 1
			RETURNING last_number`, tid))(&last); err != nil {
		return procedo.NoticeNumber{}, "", tx.db.dialect.mapError(err)
	}
	base := fmt.Sprintf("%0*d", baseLen, last)
	if len(base) > baseLen {
		return procedo.NoticeNumber{}, "", procedo.Errorf(procedo.ECONFLICT, "Numerazione degli avvisi di pagamento esaurita: contatta l'assistenza.")
	}
	num, err := procedo.NewNoticeNumber(s.AuxDigit, s.Code, base)
	if err != nil {
		return procedo.NoticeNumber{}, "", &procedo.Error{Code: procedo.EINTERNAL, Message: "Configurazione dei pagamenti non valida.", Err: err}
	}
	return num, cf, nil
}

// insertNotice stores n, whose number and creditor are already assigned
// (nextNoticeNumber), as an unpaid notice of tenant tid inside tx, with its
// audit entry; it fills ID, IUV, status and times.
func insertNotice(ctx context.Context, tx *Tx, tid int64, n *procedo.PaymentNotice) error {
	m := *n
	if m.CaseID != nil {
		var one int
		if err := tx.queryRow(ctx, `SELECT 1 FROM cases WHERE id = ? AND tenant_id = ?`, *m.CaseID, tid).Scan(&one); err != nil {
			return notFound(err, "Pratica non trovata.")
		}
	}
	num := m.NoticeNumber
	m.TenantID, m.IUV = tid, num.IUV()
	m.Status, m.CreatedAt, m.UpdatedAt = procedo.PaymentUnpaid, tx.now, tx.now
	id, err := tx.insert(ctx, `INSERT INTO payment_notices (tenant_id, case_id, application_draft_id, notice_number, iuv,
			creditor_fiscal_code, amount_cents, causale, payer_fiscal_code, payer_name, due_date, status, description, computation,
			registration_id, document_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tid, m.CaseID, m.ApplicationDraftID, num.String(), m.IUV, m.CreditorFiscalCode, m.Amount, m.Causale, m.PayerFiscalCode, m.PayerName,
		m.DueDate, string(m.Status), m.Description, m.Computation, m.RegistrationID, m.DocumentID, tx.db.ts(tx.now), tx.db.ts(tx.now))
	if err != nil {
		return err
	}
	m.ID = id
	detail := "avviso " + num.String() + ", " + procedo.FormatCents(m.Amount)
	if m.Computation != "" {
		detail += " (" + m.Computation + ")"
	}
	if err := recordAudit(ctx, tx, &procedo.AuditEvent{Action: "payment.notice", ObjectType: "payment_notice",
		ObjectID: itoa(id), Detail: detail}); err != nil {
		return err
	}
	*n = m
	return nil
}

// querier runs a query on the read pool (*DB) or inside a transaction (*Tx).
type querier interface {
	query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// queryNotices returns the notices selected by q (which selects noticeColumns).
func queryNotices(ctx context.Context, db querier, q string, args ...any) ([]*procedo.PaymentNotice, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*procedo.PaymentNotice
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

const noticeColumns = `id, tenant_id, case_id, application_draft_id, notice_number, iuv, creditor_fiscal_code, amount_cents,
	causale, payer_fiscal_code, payer_name, due_date, status, paid_at, provider, provider_ref, description, computation,
	registration_id, document_id, created_at, updated_at`

func scanNotice(row interface{ Scan(...any) error }) (*procedo.PaymentNotice, error) {
	var n procedo.PaymentNotice
	var number, status string
	if err := row.Scan(&n.ID, &n.TenantID, &n.CaseID, &n.ApplicationDraftID, &number, &n.IUV, &n.CreditorFiscalCode, &n.Amount,
		&n.Causale, &n.PayerFiscalCode, &n.PayerName, &n.DueDate, &status, nullTime{&n.PaidAt}, &n.Provider, &n.ProviderRef,
		&n.Description, &n.Computation, &n.RegistrationID, &n.DocumentID, timeValue{&n.CreatedAt}, timeValue{&n.UpdatedAt}); err != nil {
		return nil, err
	}
	num, err := procedo.ParseNoticeNumber(number)
	if err != nil {
		return nil, fmt.Errorf("payment notice %d: stored number %q: %v", n.ID, number, err) // not EINVALID: the row is wrong
	}
	n.NoticeNumber, n.Status = num, procedo.PaymentStatus(status)
	return &n, nil
}

// FindNotice implements procedo.PaymentService.
func (s *PaymentService) FindNotice(ctx context.Context, id int64) (_ *procedo.PaymentNotice, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindNotice(%d)", id)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	n, err := scanNotice(s.db.queryRow(ctx, `SELECT `+noticeColumns+` FROM payment_notices WHERE tenant_id = ? AND id = ?`, tid, id))
	return visibleNotice(ctx, n, err)
}

// FindNoticeByNumber implements procedo.PaymentService.
func (s *PaymentService) FindNoticeByNumber(ctx context.Context, number string) (_ *procedo.PaymentNotice, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindNoticeByNumber(%q)", number)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	num, err := procedo.ParseNoticeNumber(number)
	if err != nil {
		return nil, err
	}
	n, err := scanNotice(s.db.queryRow(ctx, `SELECT `+noticeColumns+` FROM payment_notices WHERE tenant_id = ? AND notice_number = ?`, tid, num.String()))
	return visibleNotice(ctx, n, err)
}

// visibleNotice returns n if the actor of ctx may see it, else ENOTFOUND: a
// notice the actor may not see is reported exactly like a missing one.
func visibleNotice(ctx context.Context, n *procedo.PaymentNotice, err error) (*procedo.PaymentNotice, error) {
	if err != nil {
		return nil, notFound(err, "Avviso di pagamento non trovato.")
	}
	if !procedo.CanViewPaymentNotice(procedo.ActorFromContext(ctx), n) {
		return nil, procedo.Errorf(procedo.ENOTFOUND, "Avviso di pagamento non trovato.")
	}
	return n, nil
}

// visibleNotices returns the condition on payment_notices for what a may see
// (see procedo.CanViewPaymentNotice), or ok=false when it may see nothing.
func visibleNotices(a *procedo.Actor) (cond string, args []any, ok bool) {
	switch {
	case a == nil:
		return "", nil, false
	case a.Kind == procedo.ActorSystem, a.User != nil:
		return "1 = 1", nil, true // the query is already scoped to the tenant
	case a.Citizen != nil:
		return "payer_fiscal_code = ? AND payer_fiscal_code <> ''", []any{a.Citizen.FiscalCode}, true
	}
	return "", nil, false
}

// FindNotices implements procedo.PaymentService.
func (s *PaymentService) FindNotices(ctx context.Context, f procedo.PaymentNoticeFilter) (_ []*procedo.PaymentNotice, _ int, err error) {
	defer procedo.Wrap(&err, "sqlstore.FindNotices")
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, 0, err
	}
	cond, cargs, ok := visibleNotices(procedo.ActorFromContext(ctx))
	if !ok {
		return nil, 0, nil
	}
	where, args := []string{"tenant_id = ?", cond}, append([]any{tid}, cargs...)
	if f.CaseID != nil {
		where, args = append(where, "case_id = ?"), append(args, *f.CaseID)
	}
	if f.ApplicationDraftID != nil {
		where, args = append(where, "application_draft_id = ?"), append(args, *f.ApplicationDraftID)
	}
	if f.PayerFiscalCode != nil {
		where, args = append(where, "payer_fiscal_code = ?"), append(args, procedo.NormalizeFiscalCode(*f.PayerFiscalCode))
	}
	if f.Status != nil {
		where, args = append(where, "status = ?"), append(args, string(*f.Status))
	}
	w := strings.Join(where, " AND ")
	var total int
	if err := s.db.queryRow(ctx, `SELECT COUNT(*) FROM payment_notices WHERE `+w, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	out, err := queryNotices(ctx, s.db, `SELECT `+noticeColumns+` FROM payment_notices WHERE `+w+` ORDER BY id DESC LIMIT ? OFFSET ?`,
		append(args, clampLimit(f.Limit), max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// MarkPaid implements procedo.PaymentService.
func (s *PaymentService) MarkPaid(ctx context.Context, number, provider, providerRef string) (_ *procedo.PaymentNotice, err error) {
	defer procedo.Wrap(&err, "sqlstore.MarkPaid(%q)", number)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if err := procedo.CanRecordPayment(procedo.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	num, err := procedo.ParseNoticeNumber(number)
	if err != nil {
		return nil, err
	}
	fe := procedo.FieldErrors{}
	for field, v := range map[string]string{"provider": provider, "provider_ref": providerRef} {
		if strings.TrimSpace(v) == "" || len(v) > maxProviderField || !utf8.ValidString(v) {
			fe.Add(field, "Riferimento del pagamento mancante o non valido.")
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out *procedo.PaymentNotice
	err = s.db.transact(ctx, func(tx *Tx) error {
		n, err := s.changeStatus(ctx, tx, tid, `notice_number = ?`, num.String(), func(n *procedo.PaymentNotice) (bool, error) {
			switch n.Status {
			case procedo.PaymentPaid:
				if n.Provider == provider && n.ProviderRef == providerRef {
					return false, nil // the provider confirmed the same payment again
				}
				return false, procedo.Errorf(procedo.ECONFLICT, "L'avviso risulta già pagato.")
			case procedo.PaymentCancelled:
				return false, procedo.Errorf(procedo.ECONFLICT, "L'avviso è stato annullato dall'ente: non può essere pagato.")
			}
			now := tx.now
			n.Status, n.PaidAt, n.Provider, n.ProviderRef, n.UpdatedAt = procedo.PaymentPaid, &now, provider, providerRef, now
			return true, nil
		}, `status = 'paid', paid_at = ?, provider = ?, provider_ref = ?, updated_at = ?`, tx.db.ts(tx.now), provider, providerRef, tx.db.ts(tx.now))
		out = n
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CancelNotice implements procedo.PaymentService.
func (s *PaymentService) CancelNotice(ctx context.Context, id int64) (_ *procedo.PaymentNotice, err error) {
	defer procedo.Wrap(&err, "sqlstore.CancelNotice(%d)", id)
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, err
	}
	if err := procedo.CanRecordPayment(procedo.ActorFromContext(ctx)); err != nil {
		return nil, err
	}
	var out *procedo.PaymentNotice
	err = s.db.transact(ctx, func(tx *Tx) error {
		n, err := s.changeStatus(ctx, tx, tid, `id = ?`, id, func(n *procedo.PaymentNotice) (bool, error) {
			switch n.Status {
			case procedo.PaymentCancelled:
				return false, nil
			case procedo.PaymentPaid:
				return false, procedo.Errorf(procedo.ECONFLICT, "L'avviso è già stato pagato: non può essere annullato.")
			}
			n.Status, n.UpdatedAt = procedo.PaymentCancelled, tx.now
			return true, nil
		}, `status = 'cancelled', updated_at = ?`, tx.db.ts(tx.now))
		out = n
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// changeStatus moves one unpaid notice of tenant tid, selected by where/key, to
// another status inside tx. decide sees the current notice: it returns false
// for "nothing to do" (the notice is returned unchanged), an error to refuse, or
// true after updating n in memory; set and its args then update the row, only
// if it is still unpaid. A concurrent change between the read and the update
// (PostgreSQL, read committed) is seen on a second read and decided again.
func (s *PaymentService) changeStatus(ctx context.Context, tx *Tx, tid int64, where string, key any,
	decide func(n *procedo.PaymentNotice) (bool, error), set string, args ...any) (*procedo.PaymentNotice, error) {
	for attempt := 0; attempt < 2; attempt++ {
		n, err := scanNotice(tx.queryRow(ctx, `SELECT `+noticeColumns+` FROM payment_notices WHERE tenant_id = ? AND `+where, tid, key))
		if err != nil {
			return nil, notFound(err, "Avviso di pagamento non trovato.")
		}
		change, err := decide(n)
		if err != nil || !change {
			return n, err
		}
		res, err := tx.exec(ctx, `UPDATE payment_notices SET `+set+` WHERE id = ? AND status = 'unpaid'`, append(args, n.ID)...)
		if err != nil {
			return nil, err
		}
		if k, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if k == 1 {
			action := "payment.paid"
			detail := "avviso " + n.NoticeNumber.String() + ", " + procedo.FormatCents(n.Amount) + ", " + n.Provider + " " + n.ProviderRef
			if n.Status == procedo.PaymentCancelled {
				action, detail = "payment.cancel", "avviso "+n.NoticeNumber.String()
			}
			if err := recordAudit(ctx, tx, &procedo.AuditEvent{Action: action, ObjectType: "payment_notice",
				ObjectID: strconv.FormatInt(n.ID, 10), Detail: detail}); err != nil {
				return nil, err
			}
			return n, casePaymentEvent(ctx, tx, tid, n)
		}
	}
	return nil, &procedo.Error{Code: procedo.ECONFLICT, Message: "L'avviso è stato modificato nel frattempo: riprova.",
		Err: errors.New("payment notice changed twice during the update")}
}
