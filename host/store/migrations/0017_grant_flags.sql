-- A policy version activated mid-quarter may no longer allow a grant already made (issue 19):
-- the grant is flagged, with the rules that flagged it and their reasons, and handled as the
-- region's manifest says (`on_policy_change`: kept to the quarter's end, or revised at once).
-- A later version that allows it again (a rollback) removes the flag.

CREATE TABLE grant_flags (
    application_id TEXT PRIMARY KEY,
    nip TEXT NOT NULL,
    unit TEXT NOT NULL,
    quarter TEXT NOT NULL,
    region TEXT NOT NULL,
    plugin_name TEXT NOT NULL,
    plugin_version TEXT NOT NULL,
    allowed_days BIGINT NOT NULL,
    granted_days BIGINT NOT NULL,
    handling TEXT NOT NULL,
    reasons TEXT NOT NULL,
    flagged_at TEXT NOT NULL
);
CREATE INDEX grant_flags_region ON grant_flags (region, quarter);
