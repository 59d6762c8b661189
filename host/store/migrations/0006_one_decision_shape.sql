-- One stored decision shape, whoever decided: an HTTP submission or approval, `dwa eval`, or an
-- allocation of one unit, a region or every region. A `decision_runs` row holds what a batch of
-- decisions share (region, quarter, evaluation date, the plugin with its sha256s, when); a
-- `decisions` row is one verdict: eligibility, days, priority, approvals needed, the failed gate
-- codes in the plugin's order; its fuel is the run's. A decision's messages and remedies in both languages are
-- not stored: they are given again by re-running the evaluation on the stored data
-- (dwa_workflow::explain_decision), which also says whether the re-run reproduces the verdict.
-- At millions of decisions a run, the messages cost more to store than the evaluation did.

-- Run ids were microseconds since the epoch; they are now that times 1,000 plus a random part
-- (host/store/src/decisions.rs), so they stay ordered by time across the change.
UPDATE allocation_runs SET id = id * 1000;
UPDATE compact_decisions SET run_id = run_id * 1000;
ALTER TABLE allocation_runs RENAME TO decision_runs;
-- What made the run: `allocation`, `submission`, `approval`, `eval` or `migrated`.
ALTER TABLE decision_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'allocation';
-- The gate codes the run's plugin reported in full evaluations (a submission's own reasons, or
-- an allocation's first full evaluation), comma-separated: the reasons report counts a gate as
-- passed by a decision that does not list it as failed.
ALTER TABLE decision_runs ADD COLUMN reason_codes TEXT NOT NULL DEFAULT '';
-- What the plugin printed (only single-decision runs keep it), cleaned and bounded.
ALTER TABLE decision_runs ADD COLUMN guest_output TEXT NOT NULL DEFAULT '';

-- The decisions of earlier versions, in full: converted into the new shape when the store is
-- first opened (host/store/src/legacy.rs), then left empty.
ALTER TABLE decisions RENAME TO legacy_decisions;
ALTER TABLE decision_reasons RENAME TO legacy_decision_reasons;
DROP INDEX IF EXISTS decisions_application;
DROP INDEX IF EXISTS decisions_region_quarter;

ALTER TABLE compact_decisions RENAME TO decisions;
DROP INDEX IF EXISTS compact_decisions_application;
CREATE INDEX decisions_application ON decisions (application_id, run_id);
