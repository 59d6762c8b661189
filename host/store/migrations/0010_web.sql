-- The web pages: one-time sign-in codes (links) issued by `dwa token create --link` or by HR,
-- browser sessions kept on the server (the cookie holds only a random id; the row holds its
-- sha256), and the note an approver writes with an approval. Times are Unix seconds.

CREATE TABLE signin_codes (
    code_sha256 TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    region TEXT NOT NULL,
    nip TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE web_sessions (
    session_sha256 TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    region TEXT NOT NULL,
    nip TEXT,
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);

CREATE TABLE approval_notes (
    application_id TEXT NOT NULL REFERENCES applications (id),
    approver TEXT NOT NULL,
    note TEXT NOT NULL,
    written_at TEXT NOT NULL,
    PRIMARY KEY (application_id, approver)
);
