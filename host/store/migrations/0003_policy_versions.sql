-- Every version of a region's rules that went live (manifest text and plugin bytes, by their
-- sha256), and the audit trail of policy changes: activations, rejections, rollbacks.

CREATE TABLE policy_versions (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    plugin_sha256 TEXT NOT NULL,
    plugin_name TEXT NOT NULL,
    plugin_version TEXT NOT NULL,
    manifest_file TEXT NOT NULL,
    manifest_text TEXT NOT NULL,
    plugin_file TEXT NOT NULL,
    plugin_hex TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX policy_versions_content ON policy_versions (region, manifest_sha256, plugin_sha256);

CREATE TABLE policy_audit (
    id TEXT PRIMARY KEY,
    region TEXT,
    manifest_file TEXT NOT NULL,
    action TEXT NOT NULL,
    version_id TEXT,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX policy_audit_region ON policy_audit (region, at);
