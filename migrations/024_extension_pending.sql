-- The pending 延期 requests that supervisors list (GET /api/extensions/pending): few at any
-- time among millions of cases, so a partial index finds them without a scan.
CREATE INDEX cases_extension_pending_idx ON cases (centre_code) WHERE extension_until IS NOT NULL;
