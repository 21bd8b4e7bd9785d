-- Row-level security for the institution-owned treaty tables (see
-- 0001_core.postgres.sql). The catalogue, participation and declarations are
-- reference data shared by the whole instance and carry no institution.

ALTER TABLE treaty_acceptances ENABLE ROW LEVEL SECURITY;
ALTER TABLE treaty_acceptances FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON treaty_acceptances USING (vigil_scope_ok(institution_id));

ALTER TABLE treaty_checklist ENABLE ROW LEVEL SECURITY;
ALTER TABLE treaty_checklist FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON treaty_checklist USING (vigil_scope_ok(institution_id));
