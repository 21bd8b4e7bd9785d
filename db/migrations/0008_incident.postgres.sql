-- Row-level security for the incident tables (see 0001_core.postgres.sql).

ALTER TABLE units ENABLE ROW LEVEL SECURITY;
ALTER TABLE units FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON units USING (vigil_scope_ok(institution_id));

ALTER TABLE unit_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE unit_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON unit_links USING (vigil_scope_ok(institution_id));

ALTER TABLE unit_commanders ENABLE ROW LEVEL SECURITY;
ALTER TABLE unit_commanders FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON unit_commanders USING (vigil_scope_ok(institution_id));

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON events USING (vigil_scope_ok(institution_id));

ALTER TABLE acts ENABLE ROW LEVEL SECURITY;
ALTER TABLE acts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON acts USING (vigil_scope_ok(institution_id));

ALTER TABLE act_indicators ENABLE ROW LEVEL SECURITY;
ALTER TABLE act_indicators FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON act_indicators USING (vigil_scope_ok(institution_id));

ALTER TABLE involvements ENABLE ROW LEVEL SECURITY;
ALTER TABLE involvements FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON involvements USING (vigil_scope_ok(institution_id));

ALTER TABLE event_sources ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_sources FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON event_sources USING (vigil_scope_ok(institution_id));

ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE cases FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON cases USING (vigil_scope_ok(institution_id));

ALTER TABLE case_steps ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_steps FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON case_steps USING (vigil_scope_ok(institution_id));

ALTER TABLE case_reparations ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_reparations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON case_reparations USING (vigil_scope_ok(institution_id));

ALTER TABLE evidence ENABLE ROW LEVEL SECURITY;
ALTER TABLE evidence FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON evidence USING (vigil_scope_ok(institution_id));

ALTER TABLE custody ENABLE ROW LEVEL SECURITY;
ALTER TABLE custody FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON custody USING (vigil_scope_ok(institution_id));

ALTER TABLE blobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE blobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON blobs USING (vigil_scope_ok(institution_id));
