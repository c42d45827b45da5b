-- The identity of documents imported from other AOOs. (The classification
-- tokens and the annulled index of this migration exist only on SQLite:
-- PostgreSQL's planner picks among its indexes from statistics.)
--
-- A document received from another AOO (segnatura import) is identified by
-- the sender's administration, AOO and register (IPA codes, lower case) and
-- its number and date there: the same one is registered only once per tenant.
CREATE TABLE registration_imports (
    registration_id  BIGINT PRIMARY KEY REFERENCES registrations (id),
    tenant_id        BIGINT NOT NULL REFERENCES tenants (id),
    sender_ipa       TEXT   NOT NULL,
    sender_aoo       TEXT   NOT NULL,
    sender_register  TEXT   NOT NULL,
    sender_number    BIGINT NOT NULL,
    sender_date      DATE   NOT NULL,
    UNIQUE (tenant_id, sender_ipa, sender_aoo, sender_register, sender_number, sender_date)
);
CREATE FUNCTION registration_imports_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'registration_imports: the sender of a registration never changes';
END;
$$;
CREATE TRIGGER registration_imports_immutable BEFORE UPDATE OR DELETE ON registration_imports
FOR EACH ROW EXECUTE FUNCTION registration_imports_immutable();
