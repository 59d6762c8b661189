//! Plain reads of the quarter's data for the API and the pages: people (with the head of their
//! agency, on which who may see them is decided), units, rosters, a supervisor's team and an
//! agency head's applicants, decision counts, and the stored policy versions with their audit
//! trail. Each is the store's read behind the workflow's one door (DESIGN §3: the API and the
//! CLI call only the workflow), so a view that needs more than one read gets it assembled here,
//! once, and not differently per caller.

use crate::WorkflowError;
use dwa_sdk::Quarter;
use dwa_store::{
    AuditEntry, DecisionCount, EmployeeRecord, RosterEntry, Store, StoredApplication, StoredDecision, StoredVersion,
    TeamMember, UnitRow, VersionSummary,
};
use std::collections::HashMap;

/// One employee's record (404 when unknown).
pub async fn employee(store: &Store, nip: &str) -> Result<EmployeeRecord, WorkflowError> {
    Ok(store.employee(nip).await?)
}

/// An employee with the head of their agency, if recorded: who may see an employee's data is
/// decided on both (the agency's head sees everyone of it).
pub async fn employee_and_head(store: &Store, nip: &str) -> Result<(EmployeeRecord, Option<String>), WorkflowError> {
    let employee = store.employee(nip).await?;
    let head = store.agency_head(&employee.region, &employee.agency).await?;
    Ok((employee, head))
}

/// One stored application with its approvals (404 when unknown).
pub async fn application(store: &Store, id: &str) -> Result<StoredApplication, WorkflowError> {
    Ok(store.application(id).await?)
}

/// One stored decision (404 when unknown).
pub async fn decision(store: &Store, id: &str) -> Result<StoredDecision, WorkflowError> {
    Ok(store.decision(id).await?)
}

/// A person's live (not withdrawn) application for a quarter, if any.
pub async fn live_application_id(store: &Store, nip: &str, quarter: Quarter) -> Result<Option<String>, WorkflowError> {
    Ok(store.live_application_id(nip, quarter).await?)
}

/// The approvers' notes on an application: `(approver, note)`, by approver.
pub async fn approval_notes(store: &Store, id: &str) -> Result<Vec<(String, String)>, WorkflowError> {
    Ok(store.approval_notes(id).await?)
}

/// One unit (404 when unknown).
pub async fn unit(store: &Store, code: &str) -> Result<UnitRow, WorkflowError> {
    Ok(store.unit(code).await?)
}

/// A region's units, by code.
pub async fn units(store: &Store, region: &str) -> Result<Vec<UnitRow>, WorkflowError> {
    Ok(store.units(Some(region)).await?)
}

/// A unit's staff (their supervisors on record decide who sees whose roster line).
pub async fn unit_staff(store: &Store, unit: &str) -> Result<Vec<EmployeeRecord>, WorkflowError> {
    Ok(store.unit_employees(unit).await?)
}

/// How many people a unit has.
pub async fn unit_headcount(store: &Store, unit: &str) -> Result<u32, WorkflowError> {
    Ok(store.unit_headcount(unit).await?)
}

/// A unit's roster for a quarter: who works anywhere on which weekdays.
pub async fn roster(store: &Store, unit: &str, quarter: Quarter) -> Result<Vec<RosterEntry>, WorkflowError> {
    Ok(store.roster(unit, quarter).await?)
}

/// One person's place in their unit's roster for a quarter, if they have one.
pub async fn roster_entry(store: &Store, nip: &str, quarter: Quarter) -> Result<Option<RosterEntry>, WorkflowError> {
    Ok(store.roster_entry(nip, quarter).await?)
}

/// A supervisor's direct reports, by name, each with their live application for `quarter`.
pub async fn team(store: &Store, supervisor: &str, quarter: Quarter) -> Result<Vec<TeamMember>, WorkflowError> {
    Ok(store.team(supervisor, quarter).await?)
}

/// When `nip` heads their agency: everyone else of it with a live application for `quarter`,
/// the queue the head gives the head-of-agency approval from. Empty for anyone else (and for
/// a NIP not on the staff list, who heads nothing).
pub async fn headed_agency_applicants(
    store: &Store,
    nip: &str,
    quarter: Quarter,
) -> Result<Vec<TeamMember>, WorkflowError> {
    let Ok(me) = store.employee(nip).await else {
        return Ok(Vec::new());
    };
    if store.agency_head(&me.region, &me.agency).await?.as_deref() != Some(nip) {
        return Ok(Vec::new());
    }
    let mut applicants = store.agency_applicants(&me.region, &me.agency, quarter).await?;
    // The head's own application is decided by someone else.
    applicants.retain(|m| m.nip != nip);
    Ok(applicants)
}

/// The recorded head of each agency of a region, by agency code.
pub async fn agency_heads(store: &Store, region: &str) -> Result<HashMap<String, String>, WorkflowError> {
    Ok(store.agency_heads(region).await?)
}

/// Latest decisions and eligible ones per region for `quarter` (of `region`, or all), by region.
pub async fn decision_counts(
    store: &Store,
    region: Option<&str>,
    quarter: Quarter,
) -> Result<Vec<DecisionCount>, WorkflowError> {
    Ok(store.decision_counts(region, quarter).await?)
}

/// A region's stored policy versions, newest first.
pub async fn versions(store: &Store, region: &str) -> Result<Vec<VersionSummary>, WorkflowError> {
    Ok(store.versions(region).await?)
}

/// One stored policy version (404 when unknown).
pub async fn version(store: &Store, id: &str) -> Result<StoredVersion, WorkflowError> {
    Ok(store.version(id).await?)
}

/// A region's audit trail of policy changes, newest first.
pub async fn audit(store: &Store, region: &str) -> Result<Vec<AuditEntry>, WorkflowError> {
    Ok(store.audit(region).await?)
}

/// Whether the database answers a query (readiness): a failure is an answer here, not an error.
pub async fn database_answers(store: &Store) -> bool {
    store.count("regions").await.is_ok()
}
