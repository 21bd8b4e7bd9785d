-- Full-text index of recommendations on SQLite: FTS5 with the Porter stemmer
-- over unicode61 tokens (diacritics removed), keyed by recommendations.num.
-- Triggers keep it in step, so restoring a backup rebuilds it row by row.
CREATE VIRTUAL TABLE recommendations_fts USING fts5(search_text, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TRIGGER recommendations_fts_ai AFTER INSERT ON recommendations BEGIN
    INSERT INTO recommendations_fts(rowid, search_text) VALUES (new.num, new.search_text);
END;
CREATE TRIGGER recommendations_fts_ad AFTER DELETE ON recommendations BEGIN
    DELETE FROM recommendations_fts WHERE rowid = old.num;
END;
CREATE TRIGGER recommendations_fts_au AFTER UPDATE OF search_text, num ON recommendations BEGIN
    DELETE FROM recommendations_fts WHERE rowid = old.num;
    INSERT INTO recommendations_fts(rowid, search_text) VALUES (new.num, new.search_text);
END;
