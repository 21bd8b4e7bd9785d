ALTER TABLE incitement_assessments ENABLE ROW LEVEL SECURITY;
ALTER TABLE incitement_assessments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON incitement_assessments USING (vigil_scope_ok(institution_id));
