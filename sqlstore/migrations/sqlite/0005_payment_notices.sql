-- Payments with pagoPA: the codice fiscale of each ente (the creditor of its
-- notices), the payment notices, and a counter per tenant from which IUVs are
-- made, so that an IUV is never given twice (SACI §2.1).

ALTER TABLE tenants ADD COLUMN fiscal_code TEXT NOT NULL DEFAULT '';

-- One row per tenant: the last IUV number given. Incremented with
-- INSERT ... ON CONFLICT DO UPDATE ... RETURNING in the notice's own
-- transaction, like register_counters: a rolled-back notice gives its number
-- back, a committed one keeps it for ever.
CREATE TABLE payment_counters (
    tenant_id    INTEGER PRIMARY KEY REFERENCES tenants (id),
    last_number  INTEGER NOT NULL
);

-- application_draft_id has no foreign key: drafts belong to the application
-- form flow, whose table may come in a later migration.
CREATE TABLE payment_notices (
    id                    INTEGER PRIMARY KEY,
    tenant_id             INTEGER NOT NULL REFERENCES tenants (id),
    case_id               INTEGER REFERENCES cases (id),
    application_draft_id  INTEGER,
    notice_number         TEXT    NOT NULL,
    iuv                   TEXT    NOT NULL,
    creditor_fiscal_code  TEXT    NOT NULL,
    amount_cents          INTEGER NOT NULL CHECK (amount_cents > 0),
    causale               TEXT    NOT NULL,
    payer_fiscal_code     TEXT    NOT NULL DEFAULT '',
    payer_name            TEXT    NOT NULL,
    due_date              TEXT,
    status                TEXT    NOT NULL CHECK (status IN ('unpaid', 'paid', 'cancelled')),
    paid_at               TEXT,
    provider              TEXT    NOT NULL DEFAULT '',
    provider_ref          TEXT    NOT NULL DEFAULT '',
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL,
    CHECK ((status = 'paid') = (paid_at IS NOT NULL)),
    UNIQUE (tenant_id, notice_number),
    UNIQUE (tenant_id, iuv)
);
CREATE INDEX payment_notices_draft ON payment_notices (tenant_id, application_draft_id);
CREATE INDEX payment_notices_case ON payment_notices (tenant_id, case_id);
CREATE INDEX payment_notices_payer ON payment_notices (tenant_id, payer_fiscal_code, id);
