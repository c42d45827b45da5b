-- Internal notes of the staff on a case, and the messages between the
-- applicant and the office (each one a protocol registration).

CREATE TABLE case_notes (
    id           INTEGER PRIMARY KEY,
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    body         TEXT    NOT NULL,
    author_id    INTEGER NOT NULL REFERENCES users (id),
    author_name  TEXT    NOT NULL,
    created_at   TEXT    NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (tenant_id, case_id, id);

CREATE TABLE case_messages (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id),
    case_id          INTEGER NOT NULL REFERENCES cases (id),
    direction        TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    body             TEXT    NOT NULL,
    author_name      TEXT    NOT NULL,
    registration_id  INTEGER NOT NULL REFERENCES registrations (id),
    document_id      INTEGER NOT NULL REFERENCES documents (id),
    attachments      INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT    NOT NULL
);
CREATE INDEX case_messages_case ON case_messages (tenant_id, case_id, id);
