-- Full-text index of the institution's own incident records on PostgreSQL:
-- a GIN index over the English tsvector of the searched fields, partial to
-- origin 'manual' (imported rows are matched by their short fields). The
-- expression must stay the same as incident.eventSearchPG for the planner
-- to use the index. No new table, so no row-level security to add.
CREATE INDEX events_tsv ON events USING GIN (to_tsvector('english', title || ' ' || description || ' ' || place || ' ' || region || ' ' || admin2 || ' ' || side_a || ' ' || side_b)) WHERE origin = 'manual';
