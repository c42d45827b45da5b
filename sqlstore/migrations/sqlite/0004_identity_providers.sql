-- The tenants' SPID/CIE identity providers (OpenID Connect or SAML 2.0). The
-- protocol settings are a JSON object read by package identity; they hold the
-- client secret or the private key, so the table must not be exported.

CREATE TABLE identity_providers (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    id          TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('oidc', 'saml')),
    label       TEXT    NOT NULL,
    config      TEXT    NOT NULL CHECK (json_valid(config)),
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
