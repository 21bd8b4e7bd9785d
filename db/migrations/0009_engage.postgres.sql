ALTER TABLE engage_partners ENABLE ROW LEVEL SECURITY;
ALTER TABLE engage_partners FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON engage_partners USING (vigil_scope_ok(institution_id));

ALTER TABLE engage_contacts ENABLE ROW LEVEL SECURITY;
ALTER TABLE engage_contacts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON engage_contacts USING (vigil_scope_ok(institution_id));

ALTER TABLE engage_activities ENABLE ROW LEVEL SECURITY;
ALTER TABLE engage_activities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON engage_activities USING (vigil_scope_ok(institution_id));

ALTER TABLE engage_activity_partners ENABLE ROW LEVEL SECURITY;
ALTER TABLE engage_activity_partners FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON engage_activity_partners USING (vigil_scope_ok(institution_id));

ALTER TABLE engage_activity_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE engage_activity_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON engage_activity_links USING (vigil_scope_ok(institution_id));

ALTER TABLE engage_activity_status ENABLE ROW LEVEL SECURITY;
ALTER TABLE engage_activity_status FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON engage_activity_status USING (vigil_scope_ok(institution_id));

ALTER TABLE exchange_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE exchange_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON exchange_keys USING (vigil_scope_ok(institution_id));

ALTER TABLE exchange_bundles ENABLE ROW LEVEL SECURITY;
ALTER TABLE exchange_bundles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON exchange_bundles USING (vigil_scope_ok(institution_id));

ALTER TABLE exchange_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE exchange_records FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON exchange_records USING (vigil_scope_ok(institution_id));

