-- Tokens expire and can be revoked (issue 18: a token lived forever, and one deleted by hand
-- still answered for a minute).
--
-- 1. Every token has a short id, shown in lists and named by `dwa token revoke` and
--    `DELETE /api/tokens/{id}`: the first 16 hex digits of its sha256 (64 bits: unique among
--    millions of tokens; it says nothing usable about the token itself). Existing tokens get
--    theirs from the stored hash.
-- 2. `expires_at` (Unix seconds): after it the token answers 401 "expired". New tokens always
--    have one (90 days unless chosen at creation). Tokens created before this migration keep
--    NULL, which means "created_at + 90 days" (the default lifetime, counted from creation;
--    computed by the host, since date arithmetic is not portable between SQLite and
--    PostgreSQL): an upgraded deployment's tokens older than 90 days stop working at once —
--    create new ones with `dwa token create` (the CLI needs only the database).
-- 3. `revoked_at` (Unix seconds) and `revoked_by`: a revoked token answers 401 "revoked" on
--    every replica at once (announced on the `dwa_tokens` channel on PostgreSQL).
-- 4. `label` and `created_by`: what the token is for and who made it (optional; shown in lists).
-- 5. `token_audit`: every revocation, by whom and when (the token's id, never the token).
-- 6. `web_sessions.token_id`: the token a browser session was signed in with, if any, so that
--    revoking the token ends those sessions too (NULL: signed in with a one-time code).
--
-- Portable between SQLite and PostgreSQL: ADD COLUMN, substr, BIGINT times as in 0010.

ALTER TABLE api_tokens ADD COLUMN id TEXT NOT NULL DEFAULT '';
UPDATE api_tokens SET id = substr(token_sha256, 1, 16);
CREATE UNIQUE INDEX api_tokens_id ON api_tokens (id);
CREATE INDEX api_tokens_region ON api_tokens (region);

ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN revoked_at BIGINT;
ALTER TABLE api_tokens ADD COLUMN revoked_by TEXT;
ALTER TABLE api_tokens ADD COLUMN label TEXT;
ALTER TABLE api_tokens ADD COLUMN created_by TEXT;

CREATE TABLE token_audit (
    id TEXT PRIMARY KEY,
    token_id TEXT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX token_audit_token ON token_audit (token_id);

ALTER TABLE web_sessions ADD COLUMN token_id TEXT;
CREATE INDEX web_sessions_token ON web_sessions (token_id);
