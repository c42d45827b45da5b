-- Opinions (pareri, L. 241/1990 art. 16-17) asked on a case of another office
-- of the ente or of another administration: the request and the answer are
-- protocol registrations and documents of the case; the documents of the case
-- sent with the request; when the overdue alert was sent (once).

CREATE TABLE case_opinions (
    id                       INTEGER PRIMARY KEY,
    tenant_id                INTEGER NOT NULL REFERENCES tenants (id),
    case_id                  INTEGER NOT NULL REFERENCES cases (id),
    recipient                TEXT    NOT NULL CHECK (recipient IN ('internal', 'external')),
    org_unit_id              INTEGER REFERENCES org_units (id),
    external_name            TEXT    NOT NULL DEFAULT '',
    external_email           TEXT    NOT NULL DEFAULT '',
    question                 TEXT    NOT NULL,
    days                     INTEGER NOT NULL CHECK (days BETWEEN 1 AND 90),
    requested_on             TEXT    NOT NULL,
    due_date                 TEXT    NOT NULL,
    suspends                 INTEGER NOT NULL DEFAULT 0,
    transition               TEXT    NOT NULL DEFAULT '',
    request_registration_id  INTEGER NOT NULL REFERENCES registrations (id),
    request_document_id      INTEGER NOT NULL REFERENCES documents (id),
    requested_by             TEXT    NOT NULL,
    requested_by_name        TEXT    NOT NULL,
    created_at               TEXT    NOT NULL,
    status                   TEXT    NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'given')),
    outcome                  TEXT    NOT NULL DEFAULT '' CHECK (outcome IN ('', 'favourable', 'conditional', 'unfavourable')),
    answer                   TEXT    NOT NULL DEFAULT '',
    answer_document_id       INTEGER REFERENCES documents (id),
    answer_file_id           INTEGER REFERENCES documents (id),
    answer_registration_id   INTEGER REFERENCES registrations (id),
    sender_protocol          TEXT    NOT NULL DEFAULT '',
    answered_by_name         TEXT    NOT NULL DEFAULT '',
    answered_at              TEXT,
    overdue_alert_at         TEXT,
    CHECK ((recipient = 'internal') = (org_unit_id IS NOT NULL)),
    CHECK ((status = 'given') = (answered_at IS NOT NULL))
);
CREATE INDEX case_opinions_case ON case_opinions (tenant_id, case_id, id);
-- The recipient office's pending requests ("Da rendere"), by deadline.
CREATE INDEX case_opinions_office ON case_opinions (tenant_id, org_unit_id, status, due_date);
-- Pending requests by deadline: external answers to record, overdue alerts.
CREATE INDEX case_opinions_pending ON case_opinions (tenant_id, status, due_date);

CREATE TABLE case_opinion_documents (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    opinion_id   INTEGER NOT NULL REFERENCES case_opinions (id),
    document_id  INTEGER NOT NULL REFERENCES documents (id),
    position     INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, opinion_id, document_id)
);
