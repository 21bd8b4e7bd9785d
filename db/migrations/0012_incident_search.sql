-- Full-text search of incidents (issue 5). The index itself is dialect
-- specific: see 0012_incident_search.sqlite.sql (FTS5) and
-- 0012_incident_search.postgres.sql (a GIN index over a tsvector). Both cover
-- the institution's own (narrative) records, origin 'manual'; imported rows
-- (UCDP GED, ACLED) stay out of it, so that a 1,000,000-row import does not
-- pay for indexing words, and are matched by their short fields instead
-- (incident.ListEvents).

-- Withdrawal (issue 5, editing): a record entered in error or no longer
-- upheld is withdrawn, never deleted: it keeps its row, is marked with when
-- and why, leaves the counts, and its page says so.
ALTER TABLE events ADD COLUMN withdrawn_at TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN withdrawn_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE acts ADD COLUMN withdrawn_at TEXT NOT NULL DEFAULT '';
ALTER TABLE acts ADD COLUMN withdrawn_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN withdrawn_at TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN withdrawn_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN withdrawn_at TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN withdrawn_reason TEXT NOT NULL DEFAULT '';
