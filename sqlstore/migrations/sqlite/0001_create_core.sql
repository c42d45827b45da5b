-- Core schema: tenants, offices, users, sessions, procedures, documents, the
-- protocol register, applications, cases, outbox, jobs, audit log.
-- Times are TEXT in RFC 3339 UTC with microseconds (fixed width, so they sort);
-- dates are TEXT YYYY-MM-DD; booleans are INTEGER 0/1.

CREATE TABLE tenants (
    id          INTEGER PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    ipa_code    TEXT    NOT NULL DEFAULT '',
    patron_day  TEXT    NOT NULL DEFAULT '',
    email       TEXT    NOT NULL DEFAULT '',
    demo        INTEGER NOT NULL DEFAULT 0,
    suspended   INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL
);

CREATE TABLE tenant_hosts (
    host       TEXT    PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id)
);

CREATE TABLE aoos (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    code       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    UNIQUE (tenant_id, code)
);

CREATE TABLE registers (
    id         INTEGER PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    aoo_id     INTEGER NOT NULL REFERENCES aoos (id),
    code       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    UNIQUE (tenant_id, code)
);

-- One row per (register, year): the last number given. Incremented with
-- UPDATE ... RETURNING in the registration's own transaction (no sequences:
-- they leave gaps).
CREATE TABLE register_counters (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    register_id  INTEGER NOT NULL REFERENCES registers (id),
    year         INTEGER NOT NULL,
    last_number  INTEGER NOT NULL,
    PRIMARY KEY (register_id, year)
);

CREATE TABLE classifications (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    code         TEXT    NOT NULL,
    parent_code  TEXT    NOT NULL DEFAULT '',
    title        TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    UNIQUE (tenant_id, code)
);

CREATE TABLE org_units (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    code        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    email       TEXT    NOT NULL DEFAULT '',
    phone       TEXT    NOT NULL DEFAULT '',
    head        TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    UNIQUE (tenant_id, code)
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL REFERENCES tenants (id),
    username       TEXT    NOT NULL,
    full_name      TEXT    NOT NULL DEFAULT '',
    email          TEXT    NOT NULL DEFAULT '',
    password_hash  TEXT    NOT NULL,
    roles          TEXT    NOT NULL,
    org_unit_id    INTEGER REFERENCES org_units (id),
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT    NOT NULL,
    UNIQUE (tenant_id, username)
);

-- Server-side sessions of operators and citizens. id is the SHA-256 of the
-- cookie value, so a database leak does not leak usable cookies.
CREATE TABLE sessions (
    id            TEXT    PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id),
    user_id       INTEGER REFERENCES users (id),
    citizen       TEXT,
    csrf_token    TEXT    NOT NULL,
    remote_addr   TEXT    NOT NULL DEFAULT '',
    created_at    TEXT    NOT NULL,
    expires_at    TEXT    NOT NULL,
    last_seen_at  TEXT    NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL REFERENCES tenants (id),
    user_id       INTEGER NOT NULL REFERENCES users (id),
    token_hash    TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL DEFAULT '',
    created_at    TEXT    NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);

CREATE TABLE procedure_types (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    key         TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    UNIQUE (tenant_id, key)
);

CREATE TABLE procedure_versions (
    id                 INTEGER PRIMARY KEY,
    tenant_id          INTEGER NOT NULL REFERENCES tenants (id),
    procedure_type_id  INTEGER NOT NULL REFERENCES procedure_types (id),
    version            INTEGER NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
    definition         TEXT    NOT NULL,
    published_at       TEXT,
    created_at         TEXT    NOT NULL,
    UNIQUE (procedure_type_id, version)
);

CREATE TABLE documents (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    sha256       TEXT    NOT NULL CHECK (length(sha256) = 64),
    filename     TEXT    NOT NULL,
    media_type   TEXT    NOT NULL,
    size         INTEGER NOT NULL CHECK (size >= 0),
    kind         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL
);
CREATE INDEX documents_tenant_sha ON documents (tenant_id, sha256);

CREATE TABLE registrations (
    id                INTEGER PRIMARY KEY,
    tenant_id         INTEGER NOT NULL REFERENCES tenants (id),
    register_id       INTEGER NOT NULL REFERENCES registers (id),
    year              INTEGER NOT NULL,
    number            INTEGER NOT NULL CHECK (number > 0),
    registered_at     TEXT    NOT NULL,
    direction         TEXT    NOT NULL CHECK (direction IN ('E', 'U', 'I')),
    subject           TEXT    NOT NULL,
    correspondents    TEXT    NOT NULL,
    document_id       INTEGER REFERENCES documents (id),
    fingerprint       TEXT    NOT NULL DEFAULT '',
    attachment_count  INTEGER NOT NULL DEFAULT 0,
    attachments       TEXT    NOT NULL DEFAULT '',
    org_unit_id       INTEGER REFERENCES org_units (id),
    classification    TEXT    NOT NULL DEFAULT '',
    channel           TEXT    NOT NULL DEFAULT '',
    prev_hash         TEXT    NOT NULL,
    chain_hash        TEXT    NOT NULL,
    annulled_at       TEXT,
    UNIQUE (register_id, year, number)
);
CREATE INDEX registrations_tenant ON registrations (tenant_id, year, number);

-- Invariant 2: the art. 53 fields are never updated in place, and no entry is
-- ever deleted.
CREATE TRIGGER registrations_immutable
BEFORE UPDATE OF tenant_id, register_id, year, number, registered_at, direction, subject,
    correspondents, document_id, fingerprint, attachment_count, prev_hash, chain_hash
ON registrations
BEGIN
    SELECT RAISE(ABORT, 'registrations: art. 53 fields are immutable');
END;
CREATE TRIGGER registrations_no_delete
BEFORE DELETE ON registrations
BEGIN
    SELECT RAISE(ABORT, 'registrations: entries are never deleted');
END;
CREATE TRIGGER documents_immutable
BEFORE UPDATE OF tenant_id, sha256, size ON documents
BEGIN
    SELECT RAISE(ABORT, 'documents: content fields are immutable');
END;

CREATE TABLE applications (
    id                     INTEGER PRIMARY KEY,
    tenant_id              INTEGER NOT NULL REFERENCES tenants (id),
    procedure_version_id   INTEGER NOT NULL REFERENCES procedure_versions (id),
    applicant_fiscal_code  TEXT    NOT NULL,
    applicant_given_name   TEXT    NOT NULL,
    applicant_family_name  TEXT    NOT NULL,
    applicant_email        TEXT    NOT NULL DEFAULT '',
    data                   TEXT    NOT NULL,
    submitted_at           TEXT    NOT NULL,
    registration_id        INTEGER NOT NULL REFERENCES registrations (id)
);

CREATE TABLE application_documents (
    tenant_id       INTEGER NOT NULL REFERENCES tenants (id),
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    document_id     INTEGER NOT NULL REFERENCES documents (id),
    field           TEXT    NOT NULL,
    position        INTEGER NOT NULL,
    PRIMARY KEY (application_id, document_id)
);

CREATE TABLE cases (
    id                        INTEGER PRIMARY KEY,
    tenant_id                 INTEGER NOT NULL REFERENCES tenants (id),
    procedure_version_id      INTEGER NOT NULL REFERENCES procedure_versions (id),
    application_id            INTEGER NOT NULL REFERENCES applications (id),
    org_unit_id               INTEGER NOT NULL REFERENCES org_units (id),
    responsible_user_id       INTEGER REFERENCES users (id),
    applicant_fiscal_code     TEXT    NOT NULL,
    applicant_name            TEXT    NOT NULL,
    applicant_email           TEXT    NOT NULL DEFAULT '',
    subject                   TEXT    NOT NULL,
    status                    TEXT    NOT NULL,
    start_date                TEXT    NOT NULL,
    term_days                 INTEGER NOT NULL,
    due_date                  TEXT    NOT NULL,
    registration_id           INTEGER NOT NULL REFERENCES registrations (id),
    decision_document_id      INTEGER REFERENCES documents (id),
    decision_registration_id  INTEGER REFERENCES registrations (id),
    decision_reason           TEXT    NOT NULL DEFAULT '',
    created_at                TEXT    NOT NULL,
    updated_at                TEXT    NOT NULL,
    closed_at                 TEXT
);
CREATE INDEX cases_worklist ON cases (tenant_id, org_unit_id, status, id);
CREATE INDEX cases_applicant ON cases (tenant_id, applicant_fiscal_code, id);

CREATE TABLE case_events (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id),
    case_id          INTEGER NOT NULL REFERENCES cases (id),
    at               TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    from_status      TEXT    NOT NULL DEFAULT '',
    to_status        TEXT    NOT NULL DEFAULT '',
    transition       TEXT    NOT NULL DEFAULT '',
    actor            TEXT    NOT NULL,
    actor_name       TEXT    NOT NULL,
    reason           TEXT    NOT NULL DEFAULT '',
    registration_id  INTEGER REFERENCES registrations (id),
    document_id      INTEGER REFERENCES documents (id)
);
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE TABLE mail_messages (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    to_addr      TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    attachments  TEXT    NOT NULL DEFAULT '[]',
    status       TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    sent_at      TEXT
);
CREATE INDEX mail_messages_tenant ON mail_messages (tenant_id, id);

CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    tenant_id     INTEGER NOT NULL DEFAULT 0,
    kind          TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    state         TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 10,
    run_at        TEXT    NOT NULL,
    locked_until  TEXT,
    last_error    TEXT    NOT NULL DEFAULT '',
    unique_key    TEXT    UNIQUE,
    created_at    TEXT    NOT NULL,
    finished_at   TEXT
);
CREATE INDEX jobs_due ON jobs (state, run_at);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL DEFAULT 0,
    at           TEXT    NOT NULL,
    actor        TEXT    NOT NULL,
    actor_name   TEXT    NOT NULL DEFAULT '',
    action       TEXT    NOT NULL,
    object_type  TEXT    NOT NULL DEFAULT '',
    object_id    TEXT    NOT NULL DEFAULT '',
    remote_addr  TEXT    NOT NULL DEFAULT '',
    detail       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);
CREATE INDEX audit_log_action ON audit_log (tenant_id, action, at);

-- Installation-wide secrets and settings (e.g. the CSRF key shared by replicas).
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
