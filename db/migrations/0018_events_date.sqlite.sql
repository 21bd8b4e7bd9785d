-- Incidents (package incident): on SQLite the events' date index becomes one
-- key, institution_id || date_start, instead of the two columns
-- (institution_id, date_start). The order is the same; what changes is the
-- cost of building it. A bulk import drops this index and builds it again
-- after its last batch (incident/bulk.go), and SQLite's sorter compares a
-- key's first field quickly but, when it is equal, decodes both records to
-- compare the rest: with the institution first, every comparison took that
-- slow path (one institution per store, mostly). With one field it never
-- does. Building the index over 1,000,000 events went from some 3.5 s to
-- some 2.4 s of CPU, alone at the end of the import (docs/incident.md).
--
-- The queries that read an institution's events by institution and date
-- name the range of that key (incident/datekey.go), so that a small
-- institution's list still reads only its own rows. PostgreSQL keeps the
-- index of migration 0008: it builds indexes without this cost, and its
-- text comparisons follow the database's collation, which a range over a
-- concatenation would have to allow for.
DROP INDEX IF EXISTS events_date;
CREATE INDEX events_date ON events((institution_id || date_start));
