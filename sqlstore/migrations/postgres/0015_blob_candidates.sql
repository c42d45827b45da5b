-- Blobs that may have become orphans: the files of an application draft that
-- was deleted, expired or had a file replaced. They are written in the
-- transaction that drops the draft's reference; a daily job deletes a blob
-- recorded here at least an hour ago only if, checked again, no document, no
-- registration and no draft references it. Other blobs are never collected.
CREATE TABLE blob_candidates (
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    sha256      TEXT    NOT NULL CHECK (length(sha256) = 64),
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, sha256)
);
CREATE INDEX blob_candidates_age ON blob_candidates (created_at);
