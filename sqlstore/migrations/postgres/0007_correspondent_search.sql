-- Searching correspondents by part of a name over millions of registrations:
-- a trigram index serves LOWER(correspondents) LIKE '%…%' and gives the planner
-- the statistics it needs to choose between it and the newest-first scan.
-- pg_trgm is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX registrations_correspondents_trgm ON registrations USING gin (LOWER(correspondents) gin_trgm_ops);
