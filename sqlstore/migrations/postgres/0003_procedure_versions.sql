-- Procedure versions: the YAML source of a version, at most one draft per
-- procedure type, and published versions immutable in the database too
-- (invariant 6: a case runs on the version it started with).

ALTER TABLE procedure_versions ADD COLUMN source TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX procedure_versions_one_draft ON procedure_versions (procedure_type_id) WHERE status = 'draft';
CREATE INDEX cases_procedure_version ON cases (tenant_id, procedure_version_id);

CREATE FUNCTION procedure_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'procedure_versions: only drafts can be deleted';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' THEN
        IF (NEW.tenant_id, NEW.procedure_type_id, NEW.version, NEW.definition, NEW.source, NEW.published_at, NEW.created_at)
           IS DISTINCT FROM
           (OLD.tenant_id, OLD.procedure_type_id, OLD.version, OLD.definition, OLD.source, OLD.published_at, OLD.created_at) THEN
            RAISE EXCEPTION 'procedure_versions: published versions are immutable';
        END IF;
        IF NEW.status <> OLD.status AND NOT (OLD.status = 'published' AND NEW.status = 'retired') THEN
            RAISE EXCEPTION 'procedure_versions: a published version can only be retired';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER procedure_versions_immutable
BEFORE UPDATE OR DELETE ON procedure_versions
FOR EACH ROW EXECUTE FUNCTION procedure_versions_immutable();
