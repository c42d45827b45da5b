-- An imported document whose registration was annulled may be imported again:
-- the annulment releases its sender identity (released_at), and uniqueness holds
-- only among identities not released. The row itself stays, as the
-- registration does; only released_at may ever be set, once.
CREATE TABLE registration_imports_new (
    registration_id  INTEGER PRIMARY KEY REFERENCES registrations (id),
    tenant_id        INTEGER NOT NULL REFERENCES tenants (id),
    sender_ipa       TEXT    NOT NULL,
    sender_aoo       TEXT    NOT NULL,
    sender_register  TEXT    NOT NULL,
    sender_number    INTEGER NOT NULL,
    sender_date      TEXT    NOT NULL,
    released_at      TEXT
);
INSERT INTO registration_imports_new (registration_id, tenant_id, sender_ipa, sender_aoo, sender_register, sender_number, sender_date)
SELECT registration_id, tenant_id, sender_ipa, sender_aoo, sender_register, sender_number, sender_date FROM registration_imports;
DROP TABLE registration_imports;
ALTER TABLE registration_imports_new RENAME TO registration_imports;
CREATE UNIQUE INDEX registration_imports_sender ON registration_imports
    (tenant_id, sender_ipa, sender_aoo, sender_register, sender_number, sender_date) WHERE released_at IS NULL;
CREATE TRIGGER registration_imports_immutable_update BEFORE UPDATE ON registration_imports
WHEN NOT (OLD.released_at IS NULL AND NEW.released_at IS NOT NULL
    AND NEW.registration_id = OLD.registration_id AND NEW.tenant_id = OLD.tenant_id
    AND NEW.sender_ipa = OLD.sender_ipa AND NEW.sender_aoo = OLD.sender_aoo AND NEW.sender_register = OLD.sender_register
    AND NEW.sender_number = OLD.sender_number AND NEW.sender_date = OLD.sender_date)
BEGIN
    SELECT RAISE(ABORT, 'registration_imports: the sender of a registration never changes');
END;
CREATE TRIGGER registration_imports_immutable_delete BEFORE DELETE ON registration_imports
BEGIN
    SELECT RAISE(ABORT, 'registration_imports: the sender of a registration never changes');
END;
