-- The tenants' SPID/CIE identity providers (OpenID Connect or SAML 2.0). The
-- protocol settings are a JSON object read by package identity; they hold the
-- client secret or the private key, so the table must not be exported. config
-- is TEXT, not JSONB, so that both databases return it byte for byte.

CREATE TABLE identity_providers (
    tenant_id   BIGINT      NOT NULL REFERENCES tenants (id),
    id          TEXT        NOT NULL,
    kind        TEXT        NOT NULL CHECK (kind IN ('oidc', 'saml')),
    label       TEXT        NOT NULL,
    config      TEXT        NOT NULL CHECK (config::jsonb IS NOT NULL),
    enabled     BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
