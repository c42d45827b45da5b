-- Procedure versions: the YAML source of a version, at most one draft per
-- procedure type, and published versions immutable in the database too
-- (invariant 6: a case runs on the version it started with).

ALTER TABLE procedure_versions ADD COLUMN source TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX procedure_versions_one_draft ON procedure_versions (procedure_type_id) WHERE status = 'draft';
CREATE INDEX cases_procedure_version ON cases (tenant_id, procedure_version_id);

CREATE TRIGGER procedure_versions_immutable
BEFORE UPDATE OF tenant_id, procedure_type_id, version, definition, source, published_at, created_at ON procedure_versions
WHEN OLD.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'procedure_versions: published versions are immutable');
END;
CREATE TRIGGER procedure_versions_status
BEFORE UPDATE OF status ON procedure_versions
WHEN OLD.status <> 'draft' AND NEW.status <> OLD.status AND NOT (OLD.status = 'published' AND NEW.status = 'retired')
BEGIN
    SELECT RAISE(ABORT, 'procedure_versions: a published version can only be retired');
END;
CREATE TRIGGER procedure_versions_no_delete
BEFORE DELETE ON procedure_versions
WHEN OLD.status <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'procedure_versions: only drafts can be deleted');
END;
