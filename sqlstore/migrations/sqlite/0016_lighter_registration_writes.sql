-- Less work for each registration, so that group commit keeps up with the disk
-- (issue 3: at least half the raw batched insert rate).
--
-- 1. The full-text table keeps only its index: no copy of the words (content='')
--    and no per-row sizes (columnsize=0; searches order by id, never by rank).
--    Nothing reads its columns; a correction of the classification, the only
--    change of an indexed value, removes the old entry with FTS5's 'delete'
--    command and the values Go computes again from the stored registration
--    (sqliteDialect.reindexRegistration), then adds the new one. The trigger and
--    the view of migration 0010 that did it from the stored copy go with it.
--    The table is created empty: in the same transaction, Go fills it from the
--    registrations (reindexAllRegistrations), with every word of the oggetto
--    and correspondents stemmed (the old table held the first 32 only).
DROP TRIGGER IF EXISTS registrations_fts_classes;
DROP TABLE IF EXISTS registrations_fts;
CREATE VIRTUAL TABLE registrations_fts USING fts5(words, classes, content = '', columnsize = 0,
    tokenize = 'unicode61 remove_diacritics 2');
DROP VIEW IF EXISTS registration_class_tokens;
-- Each group commit adds a small segment to the table; FTS5 merges a level once
-- it holds automerge segments. 16 (the most FTS5 allows) instead of 4 halves how
-- often an entry is rewritten by merges, at the price of a few more segments
-- for a search to read (at 1,000,000 entries, searches stay within a few ms).
INSERT INTO registrations_fts (registrations_fts, rank) VALUES ('automerge', 16);

-- 2. (tenant_id, year, number) repeated the unique key (register_id, year,
--    number): a search by number names the tenant's registers instead.
DROP INDEX IF EXISTS registrations_tenant;
