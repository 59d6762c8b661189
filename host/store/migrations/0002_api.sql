-- API access: bearer tokens (stored as sha256, never in clear) with a role scoped to a region
-- (and to a NIP for employees and supervisors), and the heads of agencies who give the second
-- approval some regions require.

CREATE TABLE api_tokens (
    token_sha256 TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    region TEXT NOT NULL,
    nip TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE agency_heads (
    region TEXT NOT NULL,
    agency TEXT NOT NULL,
    nip TEXT NOT NULL,
    PRIMARY KEY (region, agency)
);
