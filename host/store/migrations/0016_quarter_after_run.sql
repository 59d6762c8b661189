-- The quarter after the allocation run (issue 19): a late approval, a withdrawal and a plugin
-- failure for one person change the quarter one application at a time, and each person is told.
--
-- 1. `set_aside`: an application the rules failed for (a trap, a deadline, a refusal) during a
--    unit's allocation, with the failure naming the plugin and its version; the unit's other
--    applications were allocated. Replaced with the unit's allocation like `roster`.
-- 2. `application_events`: every transition of an application after submission (approved,
--    rejected, granted, waitlisted, withdrawn, moved, set aside, flagged), with who, when and
--    why — the application's history as every view reads it. One change writes its events at
--    one instant; `seq` keeps their order within it.
-- 3. `notifications`: what changed for a person, shown in the pages' header until read.
--
-- Portable between SQLite and PostgreSQL: TEXT ids and times (RFC 3339), BIGINT flags.

CREATE TABLE set_aside (
    unit TEXT NOT NULL,
    quarter TEXT NOT NULL,
    application_id TEXT NOT NULL,
    nip TEXT NOT NULL,
    failure TEXT NOT NULL,
    set_aside_at TEXT NOT NULL,
    PRIMARY KEY (unit, quarter, application_id)
);
CREATE INDEX set_aside_application ON set_aside (application_id);

CREATE TABLE application_events (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL,
    nip TEXT NOT NULL,
    at TEXT NOT NULL,
    seq BIGINT NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, at, seq);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    nip TEXT NOT NULL,
    application_id TEXT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX notifications_nip ON notifications (nip, at);
