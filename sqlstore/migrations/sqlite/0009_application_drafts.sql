-- Application drafts: an application being filled in steps is kept on the
-- server, saved at every step, so that the applicant can resume it from any
-- device; it expires (expires_at) and a daily job deletes it. The owner is the
-- applicant's codice fiscale, and for drafts created through the API also the
-- integrator (created_by). applicant, form_values and files are JSON objects
-- written and read only by sqlstore/draft.go; revision guards concurrent saves.

CREATE TABLE application_drafts (
    id                    INTEGER PRIMARY KEY,
    tenant_id             INTEGER NOT NULL REFERENCES tenants (id),
    procedure_version_id  INTEGER NOT NULL REFERENCES procedure_versions (id),
    fiscal_code           TEXT    NOT NULL,
    created_by            INTEGER REFERENCES users (id),
    step                  TEXT    NOT NULL,
    privacy_accepted_at   TEXT,
    applicant             TEXT    NOT NULL,
    form_values           TEXT    NOT NULL,
    files                 TEXT    NOT NULL,
    revision              INTEGER NOT NULL DEFAULT 0,
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL,
    expires_at            TEXT    NOT NULL
);
CREATE INDEX application_drafts_owner ON application_drafts (tenant_id, fiscal_code, updated_at);
CREATE INDEX application_drafts_expiry ON application_drafts (expires_at);

-- What the applicant step adds to a submitted application: the phone and the
-- company the applicant acts for as its legal representative; and the
-- integrator (user) who submitted it through the API on the applicant's behalf.
ALTER TABLE applications ADD COLUMN applicant_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN company_vat TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN company_name TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN submitted_by INTEGER REFERENCES users (id);
