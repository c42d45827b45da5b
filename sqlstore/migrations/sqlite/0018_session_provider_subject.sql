-- Whose login at the identity provider a citizen's session is ("provider:key",
-- the key given by the provider, e.g. a hash of the SAML NameID), so that a
-- logout the identity provider starts finds and ends the tenant's sessions.
ALTER TABLE sessions ADD COLUMN provider_subject TEXT;
CREATE INDEX sessions_provider_subject ON sessions (tenant_id, provider_subject);
