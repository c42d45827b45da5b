-- Searches within the worklists read a full-text index of the open cases only:
-- worklists show open cases, which are few next to every case ever handled, so
-- a common surname matches hundreds of open cases instead of tens of
-- thousands. The table holds what cases_fts holds (subject, applicant's name
-- and codice fiscale, as caseSearchText in Go), is contentless and, with
-- contentless_delete, lets a case leave it when it closes; the triggers keep it.
CREATE VIRTUAL TABLE cases_open_fts USING fts5(words, content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
INSERT INTO cases_open_fts (rowid, words)
SELECT id, subject || ' ' || applicant_name || ' ' || applicant_fiscal_code FROM cases WHERE closed_at IS NULL;

-- A match is checked against the worklists' filters in this index of the open
-- cases, keyed by id: small, it stays in memory, where the rows of cases
-- matched across the whole table would each be read from disk.
CREATE INDEX cases_open_probe ON cases (id, tenant_id, org_unit_id, responsible_user_id, status, clock_state, due_date,
    awaiting_approval, procedure_version_id) WHERE closed_at IS NULL;

CREATE TRIGGER cases_open_fts_insert AFTER INSERT ON cases WHEN NEW.closed_at IS NULL
BEGIN
    INSERT INTO cases_open_fts (rowid, words)
    VALUES (NEW.id, NEW.subject || ' ' || NEW.applicant_name || ' ' || NEW.applicant_fiscal_code);
END;

-- Closing a case takes it out; a change of the words (or a case reopened)
-- stores them again.
CREATE TRIGGER cases_open_fts_update AFTER UPDATE OF closed_at, subject, applicant_name, applicant_fiscal_code ON cases
WHEN OLD.closed_at IS NOT NEW.closed_at OR OLD.subject IS NOT NEW.subject OR OLD.applicant_name IS NOT NEW.applicant_name
    OR OLD.applicant_fiscal_code IS NOT NEW.applicant_fiscal_code
BEGIN
    DELETE FROM cases_open_fts WHERE rowid = OLD.id;
    INSERT INTO cases_open_fts (rowid, words)
    SELECT NEW.id, NEW.subject || ' ' || NEW.applicant_name || ' ' || NEW.applicant_fiscal_code WHERE NEW.closed_at IS NULL;
END;

CREATE TRIGGER cases_open_fts_delete AFTER DELETE ON cases
BEGIN
    DELETE FROM cases_open_fts WHERE rowid = OLD.id;
END;
