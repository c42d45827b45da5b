-- The titolario is editable per tenant without breaking what is classified:
-- codes never change and entries are never deleted, only deactivated; every
-- change keeps the old value.
ALTER TABLE classifications ADD COLUMN active INTEGER NOT NULL DEFAULT 1;

CREATE TRIGGER classifications_code_immutable
BEFORE UPDATE OF tenant_id, code, parent_code ON classifications
BEGIN
    SELECT RAISE(ABORT, 'classifications: codes never change');
END;
CREATE TRIGGER classifications_no_delete
BEFORE DELETE ON classifications
BEGIN
    SELECT RAISE(ABORT, 'classifications: entries are deactivated, never deleted');
END;

CREATE TABLE classification_changes (
    id          INTEGER PRIMARY KEY,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    code        TEXT    NOT NULL,
    at          TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    field       TEXT    NOT NULL,
    old_value   TEXT    NOT NULL DEFAULT '',
    new_value   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX classification_changes_code ON classification_changes (tenant_id, code, id);
