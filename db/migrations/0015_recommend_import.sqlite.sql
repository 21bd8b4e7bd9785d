-- Recommendations tracker, third step (package recommend): a lighter store
-- for the shared texts on SQLite, so that loading UPR Info's 42,000 rows
-- writes less. PostgreSQL is unchanged (its full-text index is a GIN index
-- over an expression, with no copy of the text).
--
-- 1. The full-text index stops keeping its own copy of the folded text.
-- Until now recommendations_fts held search_text a second time in its
-- shadow table recommendations_fts_content, beside recommendations.text and
-- recommendations.search_text. An external-content FTS5 table reads
-- search_text from recommendations itself (rowid = recommendations.num), so
-- only the index is stored. Same tokenizer, so MATCH finds exactly what it
-- found before and rowid still equals num. columnsize=0 leaves out the
-- per-row token counts, which only ranking (bm25) reads; the search orders
-- by num and never ranks.
--
-- An external-content index must be told the old text when a row changes
-- or goes: the triggers below hand it the old values with FTS5's 'delete'
-- command. (Deleting by rowid, as the triggers of 0005 did, would make FTS5
-- read the row that the statement has already changed.)
DROP TRIGGER recommendations_fts_ai;
DROP TRIGGER recommendations_fts_ad;
DROP TRIGGER recommendations_fts_au;
DROP TABLE recommendations_fts;
CREATE VIRTUAL TABLE recommendations_fts USING fts5(search_text, content = 'recommendations', content_rowid = 'num', columnsize = 0,
    tokenize = 'porter unicode61 remove_diacritics 2');
INSERT INTO recommendations_fts (recommendations_fts) VALUES ('rebuild');
CREATE TRIGGER recommendations_fts_ai AFTER INSERT ON recommendations BEGIN
    INSERT INTO recommendations_fts (rowid, search_text) VALUES (new.num, new.search_text);
END;
CREATE TRIGGER recommendations_fts_ad AFTER DELETE ON recommendations BEGIN
    INSERT INTO recommendations_fts (recommendations_fts, rowid, search_text) VALUES ('delete', old.num, old.search_text);
END;
CREATE TRIGGER recommendations_fts_au AFTER UPDATE OF search_text, num ON recommendations BEGIN
    INSERT INTO recommendations_fts (recommendations_fts, rowid, search_text) VALUES ('delete', old.num, old.search_text);
    INSERT INTO recommendations_fts (rowid, search_text) VALUES (new.num, new.search_text);
END;

-- 2. recommendation_themes becomes a WITHOUT ROWID table: its primary key
-- (recommendation, theme) is the table itself instead of a second b-tree
-- beside a rowid table nobody reads. Same columns, key and theme index; the
-- rows are copied over. The foreign key is now checked when the
-- transaction commits rather than after each statement (as PostgreSQL's
-- DEFERRABLE INITIALLY DEFERRED): a statement inserting many themes then
-- needs no statement journal to undo itself alone, and a transaction that
-- leaves a theme without its recommendation still fails, at COMMIT.
CREATE TABLE recommendation_themes_0015 (
    recommendation_id TEXT NOT NULL REFERENCES recommendations(id) DEFERRABLE INITIALLY DEFERRED,
    theme             TEXT NOT NULL,
    PRIMARY KEY (recommendation_id, theme)
) WITHOUT ROWID;
INSERT INTO recommendation_themes_0015 (recommendation_id, theme) SELECT recommendation_id, theme FROM recommendation_themes;
DROP TABLE recommendation_themes;
ALTER TABLE recommendation_themes_0015 RENAME TO recommendation_themes;
CREATE INDEX recommendation_themes_theme ON recommendation_themes(theme);
