-- Searches by classification through the full-text index, annulled entries in
-- their own index, and the identity of documents imported from other AOOs.
--
-- 1. registrations_fts gets a second column, classes. A registration classified
--    C has the token clse<hex of C> and, for every prefix of C ending before a
--    dot, clsa<hex of that prefix>, letters upper-cased in ASCII only (SQLite's
--    upper()); so a filter on C, which also finds C's sub-classes, is two exact
--    terms (clse<C> OR clsa<C>) intersected with the words by FTS5 instead of a
--    check of every candidate row. search_sqlite.go writes the same tokens for
--    new entries; the view computes them here and in the trigger that follows
--    corrections of the classification.
CREATE VIEW registration_class_tokens AS
SELECT r.id, CASE WHEN r.classification = '' THEN '' ELSE 'clse' || lower(hex(upper(r.classification))) || coalesce((
    WITH RECURSIVE dot(i) AS (
        SELECT instr(r.classification, '.')
        UNION ALL
        SELECT i + instr(substr(r.classification, i + 1), '.') FROM dot WHERE instr(substr(r.classification, i + 1), '.') > 0
    )
    SELECT group_concat(' clsa' || lower(hex(upper(substr(r.classification, 1, i - 1)))), '') FROM dot WHERE i > 0), '') END AS tokens
FROM registrations r;

CREATE VIRTUAL TABLE registrations_fts_new USING fts5(words, classes, tokenize = 'unicode61 remove_diacritics 2');
INSERT INTO registrations_fts_new (rowid, words, classes)
SELECT f.rowid, f.words, t.tokens FROM registrations_fts f JOIN registration_class_tokens t ON t.id = f.rowid;
DROP TABLE registrations_fts;
ALTER TABLE registrations_fts_new RENAME TO registrations_fts;

CREATE TRIGGER registrations_fts_classes AFTER UPDATE OF classification ON registrations
BEGIN
    UPDATE registrations_fts SET classes = (SELECT tokens FROM registration_class_tokens WHERE id = NEW.id) WHERE rowid = NEW.id;
END;

-- 2. Annulments are rare: a search for annulled entries reads this index,
--    newest first, instead of every registration.
CREATE INDEX registrations_annulled ON registrations (tenant_id, registered_at) WHERE annulled_at IS NOT NULL;

-- 3. A document received from another AOO (segnatura import) is identified by
--    the sender's administration, AOO and register (IPA codes, lower case) and
--    its number and date there: the same one is registered only once per tenant.
CREATE TABLE registration_imports (
    registration_id  INTEGER PRIMARY KEY REFERENCES registrations (id),
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id),
    sender_ipa       TEXT    NOT NULL,
    sender_aoo       TEXT    NOT NULL,
    sender_register  TEXT    NOT NULL,
    sender_number    INTEGER NOT NULL,
    sender_date      TEXT    NOT NULL,
    UNIQUE (tenant_id, sender_ipa, sender_aoo, sender_register, sender_number, sender_date)
);
CREATE TRIGGER registration_imports_immutable_update BEFORE UPDATE ON registration_imports
BEGIN
    SELECT RAISE(ABORT, 'registration_imports: the sender of a registration never changes');
END;
CREATE TRIGGER registration_imports_immutable_delete BEFORE DELETE ON registration_imports
BEGIN
    SELECT RAISE(ABORT, 'registration_imports: the sender of a registration never changes');
END;
