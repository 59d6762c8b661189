-- Activations scheduled for a date (e.g. the next quarter's start).

CREATE TABLE policy_schedule (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    version_id TEXT NOT NULL REFERENCES policy_versions (id),
    effective_from TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    done_at TEXT
);
CREATE INDEX policy_schedule_due ON policy_schedule (effective_from);
