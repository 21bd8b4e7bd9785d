-- Full-text index of the institution's own incident records on SQLite: FTS5,
-- Porter stemmer over unicode61 tokens (diacritics removed), one row per
-- event with origin 'manual', keyed by the event's id. The incident package
-- keeps it in step when it creates or edits such an event (no trigger: even
-- a trigger whose WHEN clause skips imported rows cost a bulk import some
-- 2.7 microseconds a row), and rebuilds it when it finds it out of step
-- (after a restore, which copies the events but not this table).
CREATE VIRTUAL TABLE events_fts USING fts5(event_id UNINDEXED, body, tokenize = 'porter unicode61 remove_diacritics 2');
INSERT INTO events_fts(event_id, body)
    SELECT id, title || ' ' || description || ' ' || place || ' ' || region || ' ' || admin2 || ' ' || side_a || ' ' || side_b FROM events WHERE origin = 'manual';
