-- Searches within the worklists read a full-text index of the open cases only:
-- worklists show open cases, which are few next to every case ever handled, so
-- a common surname matches hundreds of open cases instead of tens of
-- thousands. The index is on strip(search), the lexemes of the generated
-- column without positions (which searches of words and prefixes do not use),
-- rather than on the column itself: only a condition written on strip(search)
-- can use it (case_search_postgres.go writes it for open cases), where with
-- two indexes on the column the planner, misjudging prefix matches, keeps the
-- larger one. strip is cheap, so the condition stays a cheap filter on the rows
-- another index finds.
CREATE INDEX cases_open_search ON cases USING gin (strip(search)) WHERE closed_at IS NULL;

-- Statistics on the expression (PostgreSQL 14 or later), so that the planner
-- knows how many cases a word matches and reads a worklist's own index when
-- that is smaller.
CREATE STATISTICS cases_open_search_words ON (strip(search)) FROM cases;
