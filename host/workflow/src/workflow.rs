//! The quarterly workflow over the store and the active rules: evaluating applications and
//! allocating a unit's quota into a weekday roster. Data flows one way: workflow → policy/engine
//! → store.

pub mod access;
mod allocation;
mod applications;
pub mod approvers;
pub mod diff;
mod dry_run;
pub mod guards;
mod history;
pub mod import;
pub mod input;
pub mod notifications;
pub mod onboarding;
pub mod policy_change;
pub mod positions;
pub mod quarter;
pub mod reads;
mod replicas;
pub mod report;
mod rollback;
pub mod rules;
pub mod signing;
mod state;
pub mod tokens;
pub mod views;
mod what_if;

pub use allocation::{
    AllocationOptions, AllocationOutcome, Explanation, Move, RegionOutcome, SetAsideApplication, UnitOutcome,
    allocate_regions, allocate_unit, explain_decision, peak_memory_bytes, preview_unit,
};
pub use applications::{Draft, Replay, Submitted, record_review, replay, submit_application};
pub use dry_run::{DryRun, Flip, UnitFlips, dry_run, dry_run_loaded, load_candidate};
pub use dwa_store::GrantFlag;
pub use guards::{Guard, Scheduled, schedule_activation};
pub use history::{
    REPLICA_SYNC, STARTUP, activate_version, diff_summary, keep_last_good_guardrails, manifest_diff,
    record_policy_changes, run_due_activations, upload_version,
};
pub use input::Problem;
pub use quarter::{QuarterChanged, SYSTEM, decide_approval, withdraw};
pub use replicas::{RECONCILE_EVERY, ReplicaStatus, follow_other_replicas, follow_reporting, follow_with_reconcile};
pub use rollback::{RollbackTarget, rollback_target};
pub use state::{ApplicationState, ApplicationStatus, application_status, state_before_allocation};
pub use what_if::{region_cap, what_if};

// The rules' and the store's types the API and the pages name, so that they depend on neither
// crate: they reach both only through the workflow (DESIGN §3; scripts/check-layers.sh).
pub use dwa_policy::{Decision, PROVINCE, PluginRef, PolicySet, PolicyStatus, RulesError};
pub use dwa_store::{
    ApplicationEvent, AuditEntry, EmployeeRecord, Notification, PositionChange, PositionEntry, RegionKey, RegionRow,
    RegionSigning, RosterEntry, Store, StoreError, StoredApplication, StoredDecision, StoredToken, TeamMember,
    TokenFilter, TokenGrant, UnitRecord, VersionSummary, WebSession, code, unix_now, unix_rfc3339,
};

/// Why a workflow step failed.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The rules failed (unknown region, plugin trap, …).
    #[error(transparent)]
    Rules(#[from] RulesError),
    /// The database failed (or a row was missing or conflicting).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The request itself is invalid: names the field.
    #[error("{field}: {problem}")]
    Invalid {
        /// The offending field.
        field: String,
        /// What is wrong, as a code with its values (the pages translate it by variant).
        problem: input::Problem,
    },
    /// A guard refused the request (it names its field; the pages translate it by variant).
    #[error("{field}: {guard}", field = .0.field(), guard = .0)]
    Guard(#[from] Guard),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
}
