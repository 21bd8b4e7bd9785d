-- Audit entries cost one B-tree page each, not three (audit/audit.go):
-- Append no longer moves audit_heads with every entry (the table stays, and
-- rows written by older versions are still checked as lower bounds), and
-- the object index goes. The audit browse page's filters on object, action
-- and actor walk a chain backwards along its primary key instead, as the
-- action and actor filters already did.
DROP INDEX IF EXISTS audit_log_object;
