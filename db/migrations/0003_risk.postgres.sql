-- Row-level security for the risk tables (see 0001_core.postgres.sql).

ALTER TABLE risk_frameworks ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_frameworks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON risk_frameworks USING (vigil_scope_ok(institution_id));

ALTER TABLE risk_factors ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_factors FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON risk_factors USING (vigil_scope_ok(institution_id));

ALTER TABLE risk_indicators ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_indicators FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON risk_indicators USING (vigil_scope_ok(institution_id));

ALTER TABLE risk_assessments ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_assessments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON risk_assessments USING (vigil_scope_ok(institution_id));

ALTER TABLE risk_ratings ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_ratings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON risk_ratings USING (vigil_scope_ok(institution_id));

ALTER TABLE risk_evidence ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_evidence FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON risk_evidence USING (vigil_scope_ok(institution_id));

ALTER TABLE risk_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_items FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON risk_items USING (vigil_scope_ok(institution_id));

ALTER TABLE risk_overrides ENABLE ROW LEVEL SECURITY;
ALTER TABLE risk_overrides FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON risk_overrides USING (vigil_scope_ok(institution_id));
