-- The case engine (L. 241/1990): the legal clock of each case as events, the
-- documents issued on cases, decision drafts for approval, deadline alerts sent
-- once, full-text search of cases, and the denormalised clock columns
-- and indexes the worklists filter and sort on (tenant_id first).

ALTER TABLE cases ADD COLUMN regime TEXT NOT NULL DEFAULT 'none';
ALTER TABLE cases ADD COLUMN clock_state TEXT NOT NULL DEFAULT 'running';
ALTER TABLE cases ADD COLUMN waiting TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN waiting_until TEXT;
ALTER TABLE cases ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN silence_formed_on TEXT;
ALTER TABLE cases ADD COLUMN attestation_document_id INTEGER REFERENCES documents (id);
ALTER TABLE cases ADD COLUMN effective_on TEXT;
ALTER TABLE cases ADD COLUMN substitute_requested_at TEXT;
ALTER TABLE cases ADD COLUMN substitute_due_date TEXT;
ALTER TABLE cases ADD COLUMN awaiting_approval INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN retention_years INTEGER;

UPDATE cases SET clock_state = 'stopped' WHERE closed_at IS NOT NULL;
UPDATE cases SET regime = COALESCE((
    SELECT CASE
        WHEN json_extract(v.definition, '$.scia') IS NOT NULL THEN 'scia'
        WHEN json_extract(v.definition, '$.silence') IN ('silenzio-assenso', 'silenzio-rigetto') THEN json_extract(v.definition, '$.silence')
        ELSE 'none' END
    FROM procedure_versions v WHERE v.id = cases.procedure_version_id), 'none');
UPDATE cases SET effective_on = start_date WHERE regime = 'scia';

-- Worklists (open cases): new = status and responsible; mine = responsible, by
-- due date; waiting, expiring, overdue = clock state and due date; newest
-- first = id; each also per office (operators see their office). Every index
-- starts with tenant_id and holds what its count needs (index-only counts).
CREATE INDEX cases_open ON cases (tenant_id, id) WHERE closed_at IS NULL;
CREATE INDEX cases_open_office ON cases (tenant_id, org_unit_id, id) WHERE closed_at IS NULL;
CREATE INDEX cases_open_status ON cases (tenant_id, status, responsible_user_id, id) WHERE closed_at IS NULL;
CREATE INDEX cases_open_office_status ON cases (tenant_id, org_unit_id, status, responsible_user_id, id) WHERE closed_at IS NULL;
CREATE INDEX cases_open_responsible ON cases (tenant_id, responsible_user_id, due_date, id) WHERE closed_at IS NULL;
CREATE INDEX cases_open_office_responsible ON cases (tenant_id, org_unit_id, responsible_user_id, due_date, id) WHERE closed_at IS NULL;
CREATE INDEX cases_open_clock ON cases (tenant_id, clock_state, due_date, id) WHERE closed_at IS NULL;
CREATE INDEX cases_open_office_clock ON cases (tenant_id, org_unit_id, clock_state, due_date, id) WHERE closed_at IS NULL;
CREATE INDEX cases_open_approval ON cases (tenant_id, awaiting_approval, org_unit_id, id) WHERE closed_at IS NULL AND awaiting_approval = TRUE;
CREATE INDEX cases_waiting_until ON cases (tenant_id, waiting_until) WHERE waiting_until IS NOT NULL;

CREATE TABLE case_clock_events (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    kind        TEXT    NOT NULL CHECK (kind IN ('start', 'suspend', 'resume', 'interrupt', 'extend')),
    day         TEXT    NOT NULL,
    days        INTEGER NOT NULL DEFAULT 0,
    cause       TEXT    NOT NULL DEFAULT '',
    reason      TEXT    NOT NULL DEFAULT '',
    transition  TEXT    NOT NULL DEFAULT '',
    actor       TEXT    NOT NULL,
    actor_name  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX case_clock_events_case ON case_clock_events (tenant_id, case_id, id);

-- Documents issued on a case or received in answer; for_applicant = shown in
-- the citizen area.
CREATE TABLE case_documents (
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id),
    case_id          INTEGER NOT NULL REFERENCES cases (id),
    document_id      INTEGER NOT NULL REFERENCES documents (id),
    doc_key          TEXT    NOT NULL DEFAULT '',
    for_applicant    INTEGER NOT NULL DEFAULT 1,
    registration_id  INTEGER REFERENCES registrations (id),
    created_at       TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, case_id, document_id)
);
CREATE INDEX case_documents_document ON case_documents (tenant_id, document_id);
INSERT INTO case_documents (tenant_id, case_id, document_id, doc_key, for_applicant, registration_id, created_at)
    SELECT tenant_id, id, decision_document_id, 'decision', 1, decision_registration_id, updated_at
    FROM cases WHERE decision_document_id IS NOT NULL;

CREATE TABLE decision_drafts (
    id             INTEGER PRIMARY KEY,
    tenant_id      INTEGER NOT NULL REFERENCES tenants (id),
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    transition     TEXT    NOT NULL,
    reason         TEXT    NOT NULL DEFAULT '',
    text           TEXT    NOT NULL DEFAULT '',
    status         TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'returned')),
    author_id      INTEGER NOT NULL REFERENCES users (id),
    author_name    TEXT    NOT NULL,
    reviewer_name  TEXT    NOT NULL DEFAULT '',
    note           TEXT    NOT NULL DEFAULT '',
    created_at     TEXT    NOT NULL,
    reviewed_at    TEXT
);
CREATE INDEX decision_drafts_case ON decision_drafts (tenant_id, case_id, id);

-- Deadline reminders and overdue alerts already sent: one per case, kind,
-- threshold and due date, so a job that runs twice sends nothing twice.
CREATE TABLE case_alerts (
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    kind       TEXT    NOT NULL,
    threshold  INTEGER NOT NULL,
    due_date   TEXT    NOT NULL,
    sent_at    TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, case_id, kind, threshold, due_date)
);

-- Full-text index of cases (rowid = case id): subject, applicant's name and
-- codice fiscale, with prefix indexes for search as you type.
CREATE VIRTUAL TABLE cases_fts USING fts5(words, content = '', tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
INSERT INTO cases_fts (rowid, words) SELECT id, subject || ' ' || applicant_name || ' ' || applicant_fiscal_code FROM cases;
