-- Full-text index of the institution's own incident records on SQLite: FTS5,
-- Porter stemmer over unicode61 tokens (diacritics removed), one row per
-- event, keyed by the event's id. Triggers keep it in step for records with
-- origin 'manual' only; the WHEN clause costs an imported row one comparison.
-- A restored backup refills it through the same triggers.
CREATE VIRTUAL TABLE events_fts USING fts5(event_id UNINDEXED, body, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TRIGGER events_fts_ai AFTER INSERT ON events WHEN new.origin = 'manual' BEGIN
    INSERT INTO events_fts(event_id, body) VALUES (new.id, new.title || ' ' || new.description || ' ' || new.place || ' ' || new.region || ' ' || new.admin2 || ' ' || new.side_a || ' ' || new.side_b);
END;
CREATE TRIGGER events_fts_ad AFTER DELETE ON events WHEN old.origin = 'manual' BEGIN
    DELETE FROM events_fts WHERE event_id = old.id;
END;
CREATE TRIGGER events_fts_au AFTER UPDATE ON events WHEN new.origin = 'manual' OR old.origin = 'manual' BEGIN
    DELETE FROM events_fts WHERE event_id = old.id;
    INSERT INTO events_fts(event_id, body) SELECT new.id, new.title || ' ' || new.description || ' ' || new.place || ' ' || new.region || ' ' || new.admin2 || ' ' || new.side_a || ' ' || new.side_b WHERE new.origin = 'manual';
END;
INSERT INTO events_fts(event_id, body)
    SELECT id, title || ' ' || description || ' ' || place || ' ' || region || ' ' || admin2 || ' ' || side_a || ' ' || side_b FROM events WHERE origin = 'manual';
