-- An imported document whose registration was annulled may be imported again:
-- the annulment releases its sender identity (released_at), and uniqueness holds
-- only among identities not released. The row itself stays, as the
-- registration does; only released_at may ever be set, once.
ALTER TABLE registration_imports ADD COLUMN released_at TIMESTAMPTZ;
DO $$
DECLARE c TEXT;
BEGIN
    SELECT conname INTO c FROM pg_constraint
    WHERE conrelid = 'registration_imports'::regclass AND contype = 'u';
    EXECUTE format('ALTER TABLE registration_imports DROP CONSTRAINT %I', c);
END;
$$;
CREATE UNIQUE INDEX registration_imports_sender ON registration_imports
    (tenant_id, sender_ipa, sender_aoo, sender_register, sender_number, sender_date) WHERE released_at IS NULL;
CREATE OR REPLACE FUNCTION registration_imports_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.released_at IS NULL AND NEW.released_at IS NOT NULL
        AND (NEW.registration_id, NEW.tenant_id, NEW.sender_ipa, NEW.sender_aoo, NEW.sender_register, NEW.sender_number, NEW.sender_date)
            = (OLD.registration_id, OLD.tenant_id, OLD.sender_ipa, OLD.sender_aoo, OLD.sender_register, OLD.sender_number, OLD.sender_date) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'registration_imports: the sender of a registration never changes';
END;
$$;
