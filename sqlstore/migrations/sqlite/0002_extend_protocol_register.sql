-- The full protocol register: art. 53 fields not stored before, annulment,
-- emergency numbers, documents and assignments of a registration, its history,
-- daily registers, signing keys and full-text search.

ALTER TABLE registrations ADD COLUMN sender_protocol TEXT NOT NULL DEFAULT '';
ALTER TABLE registrations ADD COLUMN sender_protocol_date TEXT;
ALTER TABLE registrations ADD COLUMN reserved INTEGER NOT NULL DEFAULT 0;
ALTER TABLE registrations ADD COLUMN emergency_number TEXT NOT NULL DEFAULT '';
ALTER TABLE registrations ADD COLUMN emergency_at TEXT;
ALTER TABLE registrations ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE registrations ADD COLUMN annulled_by TEXT NOT NULL DEFAULT '';
ALTER TABLE registrations ADD COLUMN annul_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE registrations ADD COLUMN annul_act TEXT NOT NULL DEFAULT '';
CREATE INDEX registrations_registered_at ON registrations (tenant_id, registered_at);
CREATE UNIQUE INDEX registrations_emergency ON registrations (tenant_id, emergency_number) WHERE emergency_number <> '';

-- Invariant 2, now with every art. 53 field; an annulment is final.
DROP TRIGGER registrations_immutable;
CREATE TRIGGER registrations_immutable
BEFORE UPDATE OF tenant_id, register_id, year, number, registered_at, direction, subject,
    correspondents, document_id, fingerprint, attachment_count, attachments, prev_hash, chain_hash,
    sender_protocol, sender_protocol_date, emergency_number, emergency_at, created_by
ON registrations
BEGIN
    SELECT RAISE(ABORT, 'registrations: art. 53 fields are immutable');
END;
CREATE TRIGGER registrations_annulment_final
BEFORE UPDATE OF annulled_at, annulled_by, annul_reason, annul_act ON registrations
WHEN OLD.annulled_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'registrations: an annulment is final');
END;

CREATE TABLE registration_documents (
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id),
    registration_id  INTEGER NOT NULL REFERENCES registrations (id),
    document_id      INTEGER NOT NULL REFERENCES documents (id),
    role             TEXT    NOT NULL CHECK (role IN ('main', 'attachment')),
    position         INTEGER NOT NULL,
    PRIMARY KEY (registration_id, document_id)
);

CREATE TABLE registration_assignments (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id),
    registration_id  INTEGER NOT NULL REFERENCES registrations (id),
    org_unit_id      INTEGER NOT NULL REFERENCES org_units (id),
    kind             TEXT    NOT NULL CHECK (kind IN ('competenza', 'conoscenza')),
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'accepted', 'returned')),
    reason           TEXT    NOT NULL DEFAULT '',
    created_at       TEXT    NOT NULL,
    decided_at       TEXT,
    decided_by       TEXT    NOT NULL DEFAULT '',
    UNIQUE (registration_id, org_unit_id)
);
CREATE INDEX registration_assignments_office ON registration_assignments (tenant_id, org_unit_id, status);

-- The history of a registration: creation, corrections (with the old value),
-- assignments, acceptance, returns, annulment. Append-only.
CREATE TABLE registration_events (
    id               INTEGER PRIMARY KEY,
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id),
    registration_id  INTEGER NOT NULL REFERENCES registrations (id),
    at               TEXT    NOT NULL,
    actor            TEXT    NOT NULL,
    actor_name       TEXT    NOT NULL DEFAULT '',
    kind             TEXT    NOT NULL,
    field            TEXT    NOT NULL DEFAULT '',
    old_value        TEXT    NOT NULL DEFAULT '',
    new_value        TEXT    NOT NULL DEFAULT '',
    reason           TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX registration_events_registration ON registration_events (registration_id, id);
CREATE INDEX registration_events_day ON registration_events (tenant_id, at);
CREATE TRIGGER registration_events_append_only_update BEFORE UPDATE ON registration_events
BEGIN
    SELECT RAISE(ABORT, 'registration_events: history is append-only');
END;
CREATE TRIGGER registration_events_append_only_delete BEFORE DELETE ON registration_events
BEGIN
    SELECT RAISE(ABORT, 'registration_events: history is append-only');
END;

CREATE TABLE daily_registers (
    id                 INTEGER PRIMARY KEY,
    tenant_id          INTEGER NOT NULL REFERENCES tenants (id),
    register_id        INTEGER NOT NULL REFERENCES registers (id),
    day                TEXT    NOT NULL,
    entries            INTEGER NOT NULL,
    changes            INTEGER NOT NULL,
    chain_head         TEXT    NOT NULL,
    json_document_id   INTEGER NOT NULL REFERENCES documents (id),
    pdf_document_id    INTEGER NOT NULL REFERENCES documents (id),
    registration_id    INTEGER NOT NULL REFERENCES registrations (id),
    conservation_due   TEXT    NOT NULL,
    created_at         TEXT    NOT NULL,
    UNIQUE (register_id, day)
);

-- Signing key and certificate of each tenant (segnatura, documents), PEM.
CREATE TABLE tenant_keys (
    tenant_id   INTEGER PRIMARY KEY REFERENCES tenants (id),
    key_pem     TEXT    NOT NULL,
    cert_pem    TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);

-- Full text over oggetto and correspondents. SQLite has no Italian stemmer, so
-- procedo stores the words already stemmed (Snowball Italian, the algorithm of
-- PostgreSQL's "italian" configuration) and stems the query the same way.
CREATE VIRTUAL TABLE registrations_fts USING fts5(words, tokenize = 'unicode61 remove_diacritics 2');
