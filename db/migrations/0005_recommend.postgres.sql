-- Full-text search on PostgreSQL: a GIN index over the 'english' text
-- search configuration (Snowball stemmer) of the folded text.
CREATE INDEX recommendations_tsv ON recommendations USING GIN (to_tsvector('english', search_text));

-- Shared UN texts (owner '') are visible to every tenant; an institution's
-- own recommendations only to it.
ALTER TABLE recommendations ENABLE ROW LEVEL SECURITY;
ALTER TABLE recommendations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON recommendations USING (owner_institution = '' OR vigil_scope_ok(owner_institution));

ALTER TABLE rec_actions ENABLE ROW LEVEL SECURITY;
ALTER TABLE rec_actions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON rec_actions USING (vigil_scope_ok(institution_id));
ALTER TABLE rec_assessments ENABLE ROW LEVEL SECURITY;
ALTER TABLE rec_assessments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON rec_assessments USING (vigil_scope_ok(institution_id));
ALTER TABLE rec_risk_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE rec_risk_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON rec_risk_links USING (vigil_scope_ok(institution_id));
