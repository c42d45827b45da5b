-- What the citizen's identity provider needs for single logout (the OIDC ID
-- token sent back as id_token_hint; the SAML NameID and SessionIndex), kept
-- with the session it belongs to and deleted with it.
ALTER TABLE sessions ADD COLUMN provider_logout TEXT;
