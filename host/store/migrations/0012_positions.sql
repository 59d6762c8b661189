-- Which positions qualify for the dynamic working arrangement, as data (issue #10 item 5): per
-- region, a catalogue of positions (jabatan, by code and name from the national position
-- reference) each marked eligible, excluded or under review, with who changed it and when.
-- Regions identify qualifying positions step by step, so the catalogue starts empty and grows.

CREATE TABLE positions (
    region TEXT NOT NULL REFERENCES regions (code),
    -- The position's code in the national position reference (kode jabatan).
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    -- `eligible`, `excluded` or `under_review`.
    status TEXT NOT NULL CHECK (status IN ('eligible', 'excluded', 'under_review')),
    -- Why, in the words of whoever decided (may be empty).
    note TEXT NOT NULL DEFAULT '',
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    PRIMARY KEY (region, code)
);

-- Every change to an entry, oldest first: the catalogue's audit trail.
CREATE TABLE position_changes (
    region TEXT NOT NULL,
    code TEXT NOT NULL,
    -- NULL when the change added the entry.
    status_before TEXT,
    status_after TEXT NOT NULL,
    name TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    -- How: `import` (a CSV file) or `edit` (one entry, by the API).
    via TEXT NOT NULL
);
CREATE INDEX position_changes_entry ON position_changes (region, code);
