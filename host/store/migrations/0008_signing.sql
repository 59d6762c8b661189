-- Signed rules (ed25519): the public keys the provincial admin registers per region (several
-- during a key rotation), whether a region requires its rules to be signed, and the signature
-- kept with each stored version so that activations, rollbacks and replicas can check it.

CREATE TABLE region_keys (
    region TEXT NOT NULL REFERENCES regions (code),
    -- The first 16 hex digits of the sha256 of the key's 32 bytes (what a signature names).
    key_id TEXT NOT NULL,
    -- `dwa-ed25519 <64 hex digits>`.
    public_key TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL,
    PRIMARY KEY (region, key_id)
);

CREATE TABLE region_signing (
    region TEXT PRIMARY KEY REFERENCES regions (code),
    -- 1: an unsigned or wrongly signed candidate is refused.
    required BIGINT NOT NULL,
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL
);

-- The text of the version's `<manifest>.sig`, if it was signed.
ALTER TABLE policy_versions ADD COLUMN signature TEXT;
