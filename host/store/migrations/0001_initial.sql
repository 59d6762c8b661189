-- Initial schema. Portable between SQLite and PostgreSQL: TEXT ids and dates (ISO 8601),
-- BIGINT integers and flags (0/1: sqlx's Any driver cannot read SQLite booleans), DOUBLE PRECISION numbers.

CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE units (
    code TEXT PRIMARY KEY,
    region TEXT NOT NULL REFERENCES regions (code),
    agency TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE INDEX units_region ON units (region);

CREATE TABLE employees (
    nip TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    employment_type TEXT NOT NULL,
    region TEXT NOT NULL REFERENCES regions (code),
    agency TEXT NOT NULL,
    unit TEXT NOT NULL REFERENCES units (code),
    position_kind TEXT NOT NULL,
    echelon BIGINT,
    public_service BIGINT NOT NULL,
    task_category TEXT NOT NULL,
    appointed_on TEXT NOT NULL,
    potential TEXT NOT NULL,
    unexcused_absence_days BIGINT NOT NULL,
    supervisor_nip TEXT
);
CREATE INDEX employees_unit ON employees (unit);
CREATE INDEX employees_region ON employees (region);

CREATE TABLE ratings (
    nip TEXT NOT NULL REFERENCES employees (nip),
    year BIGINT NOT NULL,
    work_result TEXT NOT NULL,
    work_behaviour TEXT NOT NULL,
    PRIMARY KEY (nip, year)
);

CREATE TABLE penalties (
    nip TEXT NOT NULL REFERENCES employees (nip),
    level TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT,
    PRIMARY KEY (nip, start_date, level)
);

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    nip TEXT NOT NULL REFERENCES employees (nip),
    quarter TEXT NOT NULL,
    requested_remote_days BIGINT NOT NULL,
    location_kind TEXT NOT NULL,
    work_plan TEXT NOT NULL,
    kpi_baseline DOUBLE PRECISION NOT NULL,
    kpi_target DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL,
    submitted_at TEXT NOT NULL
);
CREATE UNIQUE INDEX applications_one_per_quarter ON applications (nip, quarter) WHERE status <> 'withdrawn';
CREATE INDEX applications_quarter ON applications (quarter);

CREATE TABLE approvals (
    application_id TEXT NOT NULL REFERENCES applications (id),
    approver TEXT NOT NULL,
    by_nip TEXT NOT NULL,
    approved BIGINT NOT NULL,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (application_id, approver)
);

CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL,
    nip TEXT NOT NULL,
    region TEXT NOT NULL,
    quarter TEXT NOT NULL,
    evaluated_on TEXT NOT NULL,
    plugin_name TEXT NOT NULL,
    plugin_version TEXT NOT NULL,
    plugin_sha256 TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    input_json TEXT NOT NULL,
    eligible BIGINT NOT NULL,
    max_remote_days BIGINT NOT NULL,
    priority BIGINT NOT NULL,
    outcome_json TEXT NOT NULL,
    fuel_used BIGINT NOT NULL,
    duration_us BIGINT NOT NULL,
    guest_output TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE INDEX decisions_application ON decisions (application_id, decided_at);
CREATE INDEX decisions_region_quarter ON decisions (region, quarter);

CREATE TABLE decision_reasons (
    decision_id TEXT NOT NULL REFERENCES decisions (id),
    code TEXT NOT NULL,
    passed BIGINT NOT NULL,
    PRIMARY KEY (decision_id, code)
);

CREATE TABLE reviews (
    nip TEXT NOT NULL REFERENCES employees (nip),
    quarter TEXT NOT NULL,
    granted_remote_days BIGINT NOT NULL,
    kpi_achieved BIGINT NOT NULL,
    reviewed_at TEXT NOT NULL,
    PRIMARY KEY (nip, quarter)
);

CREATE TABLE allocations (
    unit TEXT NOT NULL REFERENCES units (code),
    quarter TEXT NOT NULL,
    region TEXT NOT NULL,
    headcount BIGINT NOT NULL,
    plugin_name TEXT NOT NULL,
    plugin_version TEXT NOT NULL,
    plugin_sha256 TEXT NOT NULL,
    fuel_used BIGINT NOT NULL,
    allocated_at TEXT NOT NULL,
    PRIMARY KEY (unit, quarter)
);

CREATE TABLE roster (
    unit TEXT NOT NULL,
    quarter TEXT NOT NULL,
    nip TEXT NOT NULL REFERENCES employees (nip),
    application_id TEXT NOT NULL,
    remote_days BIGINT NOT NULL,
    weekdays TEXT NOT NULL,
    PRIMARY KEY (unit, quarter, nip),
    FOREIGN KEY (unit, quarter) REFERENCES allocations (unit, quarter)
);

CREATE TABLE guardrail_violations (
    id TEXT PRIMARY KEY,
    region TEXT NOT NULL,
    plugin_name TEXT NOT NULL,
    plugin_version TEXT NOT NULL,
    plugin_sha256 TEXT NOT NULL,
    rule TEXT NOT NULL,
    detail TEXT NOT NULL,
    occurred_at TEXT NOT NULL
);
