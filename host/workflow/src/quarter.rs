//! The quarter after its allocation run. Life goes on after HR allocates: a supervisor
//! approves late, someone withdraws, the rules fail for one person. Each such change is one
//! transaction (`dwa_store::QuarterChange`) that updates the application, the unit's roster,
//! the application's history and the notifications of everyone it touches together, so every
//! view — the employee's page, the supervisor's team week, HR's roster and CSV, the API, the
//! reports — reads the same quarter after it.
//!
//! # Filling the unit's remaining capacity
//!
//! When a change leaves an allocated unit with candidates that have no days (a late approval,
//! the waitlist after a withdrawal), they are served **in the region's order** — the order of
//! the region's plugin's own allocation of the unit's candidates, which the guardrails also
//! treat as its priority — and each gets, **without moving anyone already granted**:
//!
//! - as many days as the plugin gives them in that allocation (when the plugin gave none
//!   because the unit was full, the days the decision allows and they asked for, within the
//!   manifest's `max_remote_days`);
//! - on the plugin's weekdays where the unit still has room, else on the least loaded weekdays
//!   with room, where room is what the office floor allows: at least `min_office_share` of the
//!   unit in the office every weekday (the manifest's parameter, default 0.5, never below the
//!   province's guardrail);
//! - fewer days, or none (waitlisted), only when the unit is full, with the unit's figures
//!   (`QUOTA_FULL`).
//!
//! A region may instead leave late approvals for its next scheduled allocation: manifest
//! parameter `late_allocation = "next_run"` (default `"immediate"`); the application then waits
//! as approved, and says so.

use crate::WorkflowError;
use crate::allocation::{Pending, evaluate_unit};
use crate::applications::evaluate;
use dwa_policy::{Decision, PolicySet};
use dwa_sdk::allocator::{QUOTA_FULL, UnitFigures, away_capacity, quota_full_reason};
use dwa_sdk::{Approval, Date, Grant, Verdict, Weekday};
use dwa_store::{ApplicationEvent, Placement, QuarterChange, RosterEntry, Store};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// Who acts when the host itself changes a quarter (a waitlisted person served after a
/// withdrawal is served by the host, not by the one who withdrew).
pub const SYSTEM: &str = "system";

/// What a change to a live quarter did.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct QuarterChanged {
    /// The places written in the unit's roster (granted, or waitlisted with the unit's
    /// figures), in the order served.
    pub placed: Vec<Placement>,
}

/// How an allocated unit takes an application approved after its run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LateAllocation {
    /// At once, into the unit's remaining capacity.
    Immediate,
    /// At the region's next allocation run.
    NextRun,
}

/// A parameter of `region`'s active manifest, read with one of [`dwa_sdk::Params`]' typed
/// getters (the ranges and types the SDK's allocator uses); `default` when the region has no
/// active rules or the value is unset or invalid.
pub(crate) fn manifest_param<T>(
    policies: &PolicySet,
    region: &str,
    default: T,
    read: impl FnOnce(&dwa_sdk::Params) -> Result<T, dwa_sdk::PolicyError>,
) -> T {
    match policies.region(region) {
        Ok(r) => read(&r.manifest.parameters).unwrap_or(default),
        Err(_) => default,
    }
}

/// The region's choice (manifest parameter `late_allocation`).
pub fn late_allocation(policies: &PolicySet, region: &str) -> LateAllocation {
    let next = manifest_param(policies, region, false, |p| {
        p.text_or("late_allocation", "immediate").map(|t| t == "next_run")
    });
    if next {
        LateAllocation::NextRun
    } else {
        LateAllocation::Immediate
    }
}

/// The share of a unit that must be in the office every weekday in `region`: the manifest's
/// `min_office_share` (default 0.5, the standard allocator's), never below the province's
/// guardrail.
pub fn office_floor(policies: &PolicySet, region: &str) -> f64 {
    let manifest = manifest_param(policies, region, 0.5, |p| {
        p.number_or("min_office_share", 0.5, 0.0..=1.0)
    });
    manifest.max(policies.guardrails().min_office_share.unwrap_or(0.0))
}

/// The manifest's ceiling on days anywhere (`max_remote_days`, default 4, the standard
/// allocator's).
fn manifest_cap(policies: &PolicySet, region: &str) -> u8 {
    manifest_param(policies, region, 4, |p| {
        p.integer_or("max_remote_days", 4, 0..=5).map(|n| n as u8)
    })
}

/// The plugin's view of an allocated unit after a pending change: its allocation of every
/// candidate (in its order), the verdicts, the headcount, and what the fill needs.
struct UnitPlan {
    headcount: u32,
    floor: f64,
    cap: u8,
    fresh: Vec<Grant>,
    verdicts: HashMap<String, Verdict>,
    requested: HashMap<String, u8>,
}

/// Decide and allocate `unit` as it will be after `pending`, without writing anything.
async fn plan_unit(
    store: &Store,
    policies: &Arc<PolicySet>,
    unit: &str,
    region: &str,
    quarter: dwa_sdk::Quarter,
    today: Date,
    pending: Pending,
) -> Result<UnitPlan, WorkflowError> {
    let page = evaluate_unit(store, policies, unit, quarter, today, Some(pending)).await?;
    let allocation = page.allocations.into_iter().next();
    let headcount = allocation.as_ref().map_or(0, |a| a.headcount);
    Ok(UnitPlan {
        headcount,
        floor: office_floor(policies, region),
        cap: manifest_cap(policies, region),
        fresh: allocation.map(|a| a.allocation.grants).unwrap_or_default(),
        verdicts: page.verdicts,
        requested: page.requested,
    })
}

/// Serve the unit's candidates without days into its remaining capacity (see the module docs):
/// the places to write, in the order served. Pure: `roster` is the unit's roster as the
/// change's transaction sees it.
pub(crate) fn fill_remaining(
    headcount: u32,
    floor: f64,
    manifest_cap: u8,
    roster: &[RosterEntry],
    fresh: &[Grant],
    verdicts: &HashMap<String, Verdict>,
    requested: &HashMap<String, u8>,
) -> Vec<Placement> {
    let capacity = away_capacity(headcount, floor);
    let figures = UnitFigures {
        headcount,
        min_in_office: headcount - capacity,
        away_per_day: capacity,
        days_available: capacity * 5,
    };
    let mut away = [0u32; 5];
    for entry in roster {
        for day in &entry.weekdays {
            away[day.index()] += 1;
        }
    }
    let placed: HashMap<&str, &RosterEntry> = roster.iter().map(|e| (e.application_id.as_str(), e)).collect();
    let mut out = Vec::new();
    for grant in fresh {
        let current = placed.get(grant.application_id.as_str());
        if current.is_some_and(|e| e.remote_days > 0) {
            continue; // already granted: never moved
        }
        let allowed = verdicts
            .get(&grant.application_id)
            .map_or(0, |v| v.max_remote_days)
            .min(requested.get(&grant.application_id).copied().unwrap_or(0))
            .min(manifest_cap);
        let quota_cut = grant.reasons.iter().any(|r| r.code == QUOTA_FULL);
        let want = if grant.remote_days > 0 {
            grant.remote_days
        } else if quota_cut {
            allowed
        } else {
            0 // the plugin's own reason, not the quota
        };
        let mut days: Vec<Weekday> = grant
            .weekdays
            .iter()
            .copied()
            .filter(|d| away[d.index()] < capacity)
            .take(want as usize)
            .collect();
        let mut others: Vec<Weekday> = Weekday::ALL
            .into_iter()
            .filter(|d| !days.contains(d) && away[d.index()] < capacity)
            .collect();
        others.sort_by_key(|d| (away[d.index()], d.index()));
        days.extend(others.into_iter().take((want as usize).saturating_sub(days.len())));
        days.sort_by_key(|d| d.index());
        for day in &days {
            away[day.index()] += 1;
        }
        let granted = days.len() as u8;
        // Fewer days than allowed because the unit is full (now, or in the plugin's own
        // allocation) say so with the unit's figures; none for the plugin's own reason keep it.
        let reasons = if granted < want || (quota_cut && granted < allowed) {
            vec![quota_full_reason(figures, want.max(allowed), granted, false)]
        } else if granted == 0 {
            grant.reasons.clone()
        } else {
            Vec::new()
        };
        if current.is_some_and(|e| e.remote_days == 0 && granted == 0) {
            continue; // still waitlisted: nothing changed for them
        }
        out.push(Placement {
            nip: grant.nip.clone(),
            application_id: grant.application_id.clone(),
            remote_days: granted,
            weekdays: days,
            reasons,
        });
    }
    out
}

/// Write `placements` in the change, each with its history and a notification.
async fn write_placements(
    change: &mut QuarterChange,
    placements: &[Placement],
    quarter: dwa_sdk::Quarter,
    actor: &str,
) -> Result<(), WorkflowError> {
    for p in placements {
        change.place(p).await?;
        let kind = if p.remote_days > 0 { "granted" } else { "waitlisted" };
        let detail = json!({
            "quarter": quarter.to_string(),
            "remote_days": p.remote_days,
            "weekdays": p.weekdays,
            "reasons": p.reasons,
        });
        change
            .event(&ApplicationEvent {
                application_id: p.application_id.clone(),
                nip: p.nip.clone(),
                at: String::new(),
                actor: actor.to_owned(),
                event: kind.into(),
                detail: detail.clone(),
            })
            .await?;
        change.notify(&p.nip, Some(&p.application_id), kind, &detail).await?;
    }
    Ok(())
}

/// Serve the unit's candidates without days into its remaining capacity, inside `change`,
/// when the unit is allocated and a plan was made: the places written, in the order served.
async fn serve_waiting(
    change: &mut QuarterChange,
    plan: Option<UnitPlan>,
    quarter: dwa_sdk::Quarter,
) -> Result<Vec<Placement>, WorkflowError> {
    let Some(plan) = plan.filter(|_| change.allocated()) else {
        return Ok(Vec::new());
    };
    let roster = change.roster().await?;
    // The plan was made before this transaction: serve only applications still live now.
    let live = change.live_applications().await?;
    let fresh: Vec<Grant> = plan
        .fresh
        .into_iter()
        .filter(|g| live.contains(&g.application_id))
        .collect();
    let placed = fill_remaining(
        plan.headcount,
        plan.floor,
        plan.cap,
        &roster,
        &fresh,
        &plan.verdicts,
        &plan.requested,
    );
    write_placements(change, &placed, quarter, SYSTEM).await?;
    Ok(placed)
}

/// Whether a decision makes its application a candidate for the unit's allocation: eligible
/// with every required approval given.
fn is_candidate(eligibility: &dwa_sdk::Eligibility, approvals: &[Approval]) -> bool {
    eligibility.eligible
        && eligibility
            .approvals_required
            .iter()
            .all(|who| approvals.iter().any(|a| a.approver == *who && a.approved))
}

/// Record an approver's decision, with its note, re-evaluate the application with it, and —
/// when that completes an application of an allocated unit — serve it (and anyone waiting
/// before it) into the unit's remaining capacity, all in one transaction. A rejection needs a
/// note that is not blank ([`super::guards::check_decision_note`]); it is refused before
/// anything is read or written.
#[allow(clippy::too_many_arguments)]
pub async fn decide_approval(
    store: &Store,
    policies: &Arc<PolicySet>,
    application_id: &str,
    approval: Approval,
    note: Option<&str>,
    today: Date,
    actor: &str,
) -> Result<(String, Decision, QuarterChanged), WorkflowError> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    super::guards::check_decision_note(approval.approved, note)?;
    if let Some(note) = note {
        let rule = super::input::TextRule {
            optional: true,
            ..super::input::TextRule::WORK_PLAN
        };
        super::input::check_text("note", note, rule)?;
    }
    let stored = store.application(application_id).await?;
    if stored.status != "submitted" {
        return Err(WorkflowError::Conflict(format!(
            "application {application_id} is {}",
            stored.status
        )));
    }
    let latest = store.latest_decision(application_id).await?;
    if !latest.decision.verdict.approvals_required.contains(&approval.approver) {
        return Err(WorkflowError::Invalid {
            field: "approver".into(),
            problem: super::Problem::ApprovalNotNeeded(approval.approver),
        });
    }
    let mut application = stored.application;
    application.approvals.retain(|a| a.approver != approval.approver);
    application.approvals.push(approval.clone());
    let quarter = application.quarter;
    let (record, review) = store
        .employee_with_review(&stored.nip, Some(quarter.previous()))
        .await?;
    let (unit, region) = (record.unit.clone(), record.region.clone());
    let approvals = application.approvals.clone();
    let decision = evaluate(policies, record.as_of(today, review), application, today).await?;
    let serve = is_candidate(&decision.eligibility, &approvals)
        && late_allocation(policies, &region) == LateAllocation::Immediate
        && store.unit_allocated(&unit, quarter).await?;
    let plan = if serve {
        let pending = Pending::Approval(application_id.to_owned(), approval.clone());
        Some(plan_unit(store, policies, &unit, &region, quarter, today, pending).await?)
    } else {
        None
    };
    let mut change = store.begin_quarter_change(&unit, quarter).await?;
    if change.application_status(application_id).await? != "submitted" {
        return Err(WorkflowError::Conflict(format!(
            "application {application_id} was withdrawn"
        )));
    }
    let decision_id = change
        .record_approval(application_id, &approval, note, &decision)
        .await?;
    let kind = if approval.approved { "approved" } else { "rejected" };
    let detail = json!({
        "quarter": quarter.to_string(),
        "approver": dwa_store::code(&approval.approver),
        "by": approval.by_nip,
        "note": note,
    });
    change
        .event(&ApplicationEvent {
            application_id: application_id.to_owned(),
            nip: stored.nip.clone(),
            at: String::new(),
            actor: actor.to_owned(),
            event: kind.into(),
            detail: detail.clone(),
        })
        .await?;
    change.notify(&stored.nip, Some(application_id), kind, &detail).await?;
    let changed = QuarterChanged {
        placed: serve_waiting(&mut change, plan, quarter).await?,
    };
    change.commit().await?;
    Ok((decision_id, decision, changed))
}

/// Withdraw a live application: in one transaction it is marked withdrawn, its place in the
/// roster is freed, and the unit's waitlist is served into the freed capacity in the region's
/// order (each person served is told).
pub async fn withdraw(
    store: &Store,
    policies: &Arc<PolicySet>,
    application_id: &str,
    today: Date,
    actor: &str,
) -> Result<QuarterChanged, WorkflowError> {
    let stored = store.application(application_id).await?;
    let already = || WorkflowError::Conflict(format!("application {application_id} is already {}", stored.status));
    if stored.status != "submitted" {
        return Err(already());
    }
    let employee = store.employee(&stored.nip).await?;
    let quarter = stored.application.quarter;
    let serve = late_allocation(policies, &employee.region) == LateAllocation::Immediate
        && store.unit_allocated(&employee.unit, quarter).await?;
    let plan = if serve {
        let pending = Pending::Withdrawal(application_id.to_owned());
        // The rules failing for the unit must not keep someone from withdrawing: the waitlist
        // then waits for the next run.
        plan_unit(
            store,
            policies,
            &employee.unit,
            &employee.region,
            quarter,
            today,
            pending,
        )
        .await
        .ok()
    } else {
        None
    };
    let mut change = store.begin_quarter_change(&employee.unit, quarter).await?;
    if !change.withdraw(application_id).await? {
        return Err(already());
    }
    let detail = json!({ "quarter": quarter.to_string() });
    change
        .event(&ApplicationEvent {
            application_id: application_id.to_owned(),
            nip: stored.nip.clone(),
            at: String::new(),
            actor: actor.to_owned(),
            event: "withdrawn".into(),
            detail: detail.clone(),
        })
        .await?;
    if let Some(supervisor) = &employee.supervisor_nip {
        let detail = json!({ "quarter": quarter.to_string(), "applicant": stored.nip });
        change
            .notify(supervisor, Some(application_id), "team_withdrawn", &detail)
            .await?;
    }
    let changed = QuarterChanged {
        placed: serve_waiting(&mut change, plan, quarter).await?,
    };
    change.commit().await?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use dwa_sdk::Reason;
    use dwa_sdk::Weekday::*;

    fn verdict(max: u8) -> Verdict {
        Verdict {
            eligible: true,
            max_remote_days: max,
            approvals_required: vec![],
            priority: 0,
            failed: vec![],
        }
    }

    fn entry(id: &str, days: &[Weekday]) -> RosterEntry {
        RosterEntry {
            nip: id.into(),
            application_id: id.into(),
            remote_days: days.len() as u8,
            weekdays: days.to_vec(),
            reasons: vec![],
        }
    }

    fn grant(id: &str, days: &[Weekday], quota: bool) -> Grant {
        Grant {
            application_id: id.into(),
            nip: id.into(),
            remote_days: days.len() as u8,
            weekdays: days.to_vec(),
            reasons: if quota {
                vec![Reason::fail(QUOTA_FULL, "penuh", "full")]
            } else {
                vec![]
            },
        }
    }

    fn maps(ids: &[&str]) -> (HashMap<String, Verdict>, HashMap<String, u8>) {
        (
            ids.iter().map(|i| (i.to_string(), verdict(2))).collect(),
            ids.iter().map(|i| (i.to_string(), 2)).collect(),
        )
    }

    #[test]
    fn a_late_approval_fills_remaining_capacity_and_moves_nobody() {
        // 4 people, floor 0.5: 2 away a day. a and b are away Monday; the plugin, re-run,
        // would move b and give the newcomer Monday and Tuesday.
        let roster = [entry("a", &[Monday, Tuesday]), entry("b", &[Monday, Wednesday])];
        let fresh = [
            grant("a", &[Monday, Tuesday], false),
            grant("c", &[Monday, Tuesday], false),
            grant("b", &[Wednesday, Thursday], false),
        ];
        let (v, r) = maps(&["a", "b", "c"]);
        let placed = fill_remaining(4, 0.5, 4, &roster, &fresh, &v, &r);
        assert_eq!(placed.len(), 1, "only the newcomer is written: {placed:?}");
        assert_eq!(placed[0].application_id, "c");
        assert_eq!(
            placed[0].weekdays,
            vec![Tuesday, Thursday],
            "Monday is full; Tuesday kept"
        );
        assert!(placed[0].reasons.is_empty());
    }

    #[test]
    fn quota_full_only_when_it_is() {
        // 2 people, floor 0.5: 1 away a day; a is away Mon–Thu, so only Friday is left.
        let roster = [entry("a", &[Monday, Tuesday, Wednesday, Thursday])];
        let fresh = [grant("a", &[Monday, Tuesday], false), grant("c", &[], true)];
        let (v, r) = maps(&["a", "c"]);
        let placed = fill_remaining(2, 0.5, 4, &roster, &fresh, &v, &r);
        assert_eq!(placed[0].weekdays, vec![Friday]);
        assert_eq!(placed[0].reasons[0].code, QUOTA_FULL, "1 of 2 days: the quota cut it");
        let full = [entry("a", &[Monday, Tuesday, Wednesday, Thursday, Friday])];
        let placed = fill_remaining(2, 0.5, 4, &full, &fresh, &v, &r);
        assert_eq!(placed[0].remote_days, 0);
        assert_eq!(placed[0].reasons[0].code, QUOTA_FULL);
    }

    #[test]
    fn the_waitlist_is_served_in_the_plugins_order_and_a_plugin_refusal_stays() {
        let roster = [entry("w1", &[]), entry("w2", &[])];
        let fresh = [
            grant("w2", &[Monday], false),
            grant("w1", &[], true),
            Grant {
                reasons: vec![Reason::fail("NEW_STAFF", "baru", "new")],
                ..grant("x", &[], false)
            },
        ];
        let (v, r) = maps(&["w1", "w2", "x"]);
        // 2 people away a day at most (headcount 4), nobody away yet.
        let placed = fill_remaining(4, 0.5, 4, &roster, &fresh, &v, &r);
        assert_eq!(placed[0].application_id, "w2", "the plugin's order");
        assert_eq!(placed[0].weekdays, vec![Monday]);
        assert_eq!(placed[1].application_id, "w1");
        assert_eq!(placed[1].remote_days, 2, "quota cut in the re-run, room now");
        assert_eq!(placed[2].application_id, "x");
        assert_eq!(placed[2].remote_days, 0);
        assert_eq!(
            placed[2].reasons[0].code, "NEW_STAFF",
            "the plugin's reason, not the quota"
        );
    }
}
