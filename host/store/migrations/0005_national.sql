-- National-scale allocation (`dwa allocate --all` over millions of employees): one row per
-- region's allocation run with the plugin that decided, and a compact record per decision
-- instead of the full input, outcome and bilingual reasons (a compact decision is explained by
-- re-running the full evaluation; see host/src/workflow/national.rs).

-- One region's quarter evaluated and allocated in bulk: everything its compact decisions share.
CREATE TABLE allocation_runs (
    id BIGINT PRIMARY KEY,
    region TEXT NOT NULL,
    quarter TEXT NOT NULL,
    evaluated_on TEXT NOT NULL,
    plugin_name TEXT NOT NULL,
    plugin_version TEXT NOT NULL,
    plugin_sha256 TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    units BIGINT NOT NULL,
    decisions BIGINT NOT NULL,
    eligible BIGINT NOT NULL,
    granted BIGINT NOT NULL,
    fuel_used BIGINT NOT NULL
);
CREATE INDEX allocation_runs_region_quarter ON allocation_runs (region, quarter);

-- One decision of a run: the verdict without messages. `approvals_required` lists approver
-- codes and `failed` the failed gate codes in the plugin's order, comma-separated (codes are
-- identifiers without commas). No foreign key to the run: the row is written in the run's own
-- transaction, and the check would cost a look-up per row at millions of rows.
CREATE TABLE compact_decisions (
    run_id BIGINT NOT NULL,
    application_id TEXT NOT NULL,
    nip TEXT NOT NULL,
    eligible BIGINT NOT NULL,
    max_remote_days BIGINT NOT NULL,
    priority BIGINT NOT NULL,
    approvals_required TEXT NOT NULL,
    failed TEXT NOT NULL
);
CREATE INDEX compact_decisions_application ON compact_decisions (application_id, run_id);
