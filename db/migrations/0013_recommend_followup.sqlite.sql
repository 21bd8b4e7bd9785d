-- Change tokens for the SQLite search (recommend/index.go). The search
-- keeps in-process copies of the facet columns, of full-text matches and of
-- independent-assessment statuses, each tagged with the token it was built
-- under and dropped as soon as a read sees another one, so a search never
-- counts from data older than its own transaction. Triggers put a new
-- random token in rec_search_fts_config whenever a row changes: kind 'rec'
-- for recommendations, 'assess' for rec_assessments. The table holds no
-- institution's data, only random tokens, and starts empty.
--
-- Like the full-text index's own tables it is derived state, rebuilt by the
-- triggers, and a backup must not carry it (a restore writes the
-- recommendations, which makes new tokens): its name ends in _fts_config so
-- that db.Tables, and so the backup, leave it out as they leave out the
-- FTS5 shadow tables. PostgreSQL's search does not use it.
CREATE TABLE rec_search_fts_config (
    kind  TEXT NOT NULL,
    token TEXT NOT NULL
);
CREATE TRIGGER rec_search_rec_ai AFTER INSERT ON recommendations BEGIN
    UPDATE rec_search_fts_config SET token = lower(hex(randomblob(8))) WHERE kind = 'rec';
    INSERT INTO rec_search_fts_config (kind, token) SELECT 'rec', lower(hex(randomblob(8))) WHERE NOT EXISTS (SELECT 1 FROM rec_search_fts_config WHERE kind = 'rec');
END;
CREATE TRIGGER rec_search_rec_au AFTER UPDATE ON recommendations BEGIN
    UPDATE rec_search_fts_config SET token = lower(hex(randomblob(8))) WHERE kind = 'rec';
    INSERT INTO rec_search_fts_config (kind, token) SELECT 'rec', lower(hex(randomblob(8))) WHERE NOT EXISTS (SELECT 1 FROM rec_search_fts_config WHERE kind = 'rec');
END;
CREATE TRIGGER rec_search_rec_ad AFTER DELETE ON recommendations BEGIN
    UPDATE rec_search_fts_config SET token = lower(hex(randomblob(8))) WHERE kind = 'rec';
    INSERT INTO rec_search_fts_config (kind, token) SELECT 'rec', lower(hex(randomblob(8))) WHERE NOT EXISTS (SELECT 1 FROM rec_search_fts_config WHERE kind = 'rec');
END;
CREATE TRIGGER rec_search_assess_ai AFTER INSERT ON rec_assessments BEGIN
    UPDATE rec_search_fts_config SET token = lower(hex(randomblob(8))) WHERE kind = 'assess';
    INSERT INTO rec_search_fts_config (kind, token) SELECT 'assess', lower(hex(randomblob(8))) WHERE NOT EXISTS (SELECT 1 FROM rec_search_fts_config WHERE kind = 'assess');
END;
CREATE TRIGGER rec_search_assess_au AFTER UPDATE ON rec_assessments BEGIN
    UPDATE rec_search_fts_config SET token = lower(hex(randomblob(8))) WHERE kind = 'assess';
    INSERT INTO rec_search_fts_config (kind, token) SELECT 'assess', lower(hex(randomblob(8))) WHERE NOT EXISTS (SELECT 1 FROM rec_search_fts_config WHERE kind = 'assess');
END;
CREATE TRIGGER rec_search_assess_ad AFTER DELETE ON rec_assessments BEGIN
    UPDATE rec_search_fts_config SET token = lower(hex(randomblob(8))) WHERE kind = 'assess';
    INSERT INTO rec_search_fts_config (kind, token) SELECT 'assess', lower(hex(randomblob(8))) WHERE NOT EXISTS (SELECT 1 FROM rec_search_fts_config WHERE kind = 'assess');
END;
