-- Correspondent search on SQLite goes through the full-text table, which already
-- holds the correspondents' words (migration 0002); the trigram index of this
-- migration exists only on PostgreSQL. Kept so both folders have the same names.
SELECT 1;
