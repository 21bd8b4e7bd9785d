-- Row-level security: the second lock behind the institution_id filter that
-- every query carries. db.Read/db.Write set vigil.institution for the
-- transaction; '*' is the system scope used by commands and sign-in.
-- FORCE makes the policies bind the table owner too; a superuser still
-- bypasses them, so production connects as an ordinary role (docs/security.md).
CREATE FUNCTION vigil_scope_ok(inst TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
  SELECT COALESCE(current_setting('vigil.institution', true), '') IN (inst, '*')
$$;

ALTER TABLE institutions ENABLE ROW LEVEL SECURITY;
ALTER TABLE institutions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON institutions USING (vigil_scope_ok(id));

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON users USING (vigil_scope_ok(institution_id));

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON sessions USING (vigil_scope_ok(institution_id));

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON audit_log USING (vigil_scope_ok(institution_id));

ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON audit_heads USING (vigil_scope_ok(institution_id));

ALTER TABLE audit_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_checkpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON audit_checkpoints USING (vigil_scope_ok(institution_id));
