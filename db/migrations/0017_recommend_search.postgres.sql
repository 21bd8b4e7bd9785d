-- Recommendations search on PostgreSQL (package recommend), fourth step:
-- each recommendation's tsvector is stored beside its text and indexed,
-- instead of an index over the expression to_tsvector('english',
-- search_text). With the expression index, every row the index proposed
-- had its vector computed again from the text to confirm the match (for a
-- phrase, to check word positions, for all of them), which made a search
-- cost hundreds of milliseconds on 300,000 rows. A stored vector is
-- computed once, when the row is written, and the check reads it.
-- recommend/search.go matches on r.search_tsv. A generated column: the
-- backup leaves it out and the store fills it again on restore. No new
-- table, so no row-level security to add.
-- Long values (the texts, the vector) are moved out of the row (TOAST) from
-- 128 bytes on rather than about 2 kB, so the row itself stays small: a
-- search reads the short facet columns of every match and the vector only
-- to confirm a phrase. Set before the column is added, so that the table
-- is rewritten that way.
ALTER TABLE recommendations SET (toast_tuple_target = 128);
ALTER TABLE recommendations ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', search_text)) STORED;
CREATE INDEX recommendations_search_tsv ON recommendations USING GIN (search_tsv);
DROP INDEX recommendations_tsv;
