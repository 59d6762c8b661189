//! A policy version activated mid-quarter, and the grants already made. Every activation of
//! a region's rules (an upload, a rollback, a scheduled activation, a file dropped in) re-runs
//! the rules on the region's granted applications of the current and the next quarter; a grant
//! the new rules no longer allow (not eligible any more, or fewer days) is **flagged** with the
//! rules and their reasons, and handled as the region's manifest says:
//!
//! - `on_policy_change = "keep"` (the default): the grant stands until the quarter's end, shown
//!   flagged to the employee, the supervisor and HR alike;
//! - `on_policy_change = "revise"`: the grant is cut at once to what the new rules allow (its
//!   place removed when they allow none).
//!
//! A later version that allows the grant again (a rollback) removes the flag. Each flag, with
//! its roster change, history and notifications, is one transaction.

use crate::WorkflowError;
use crate::applications::evaluate;
use dwa_policy::PolicySet;
use dwa_sdk::{Date, Quarter};
use dwa_store::{ApplicationEvent, GrantFlag, Placement, Store};
use serde_json::json;
use std::sync::Arc;

/// How a region handles a grant its new rules no longer allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handling {
    /// Kept to the quarter's end, flagged.
    Keep,
    /// Cut at once to what the rules allow.
    Revise,
}

impl Handling {
    fn code(self) -> &'static str {
        match self {
            Handling::Keep => "keep",
            Handling::Revise => "revise",
        }
    }
}

/// The region's choice (manifest parameter `on_policy_change`).
pub fn handling(policies: &PolicySet, region: &str) -> Handling {
    let revise = crate::quarter::manifest_param(policies, region, false, |p| {
        p.text_or("on_policy_change", "keep").map(|t| t == "revise")
    });
    if revise { Handling::Revise } else { Handling::Keep }
}

/// What reviewing a region's grants did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct GrantReview {
    /// Grants re-run.
    pub reviewed: usize,
    /// Newly flagged.
    pub flagged: Vec<String>,
    /// Flags removed (the rules allow the grant again).
    pub cleared: Vec<String>,
}

/// Re-run the rules now active for `region` on its grants of `today`'s quarter and the next,
/// flag (and handle) those they no longer allow, clear the flags of those they allow again.
pub async fn review_grants(
    store: &Store,
    policies: &Arc<PolicySet>,
    region: &str,
    today: Date,
    actor: &str,
) -> Result<GrantReview, WorkflowError> {
    let handling = handling(policies, region);
    let mut review = GrantReview::default();
    for quarter in [today.quarter(), today.quarter().next()] {
        for (unit, entry) in store.region_grants(region, quarter).await? {
            review.reviewed += 1;
            review_one(
                store,
                policies,
                region,
                quarter,
                today,
                &unit,
                entry,
                handling,
                actor,
                &mut review,
            )
            .await?;
        }
    }
    Ok(review)
}

#[allow(clippy::too_many_arguments)]
async fn review_one(
    store: &Store,
    policies: &Arc<PolicySet>,
    region: &str,
    quarter: Quarter,
    today: Date,
    unit: &str,
    entry: dwa_store::RosterEntry,
    handling: Handling,
    actor: &str,
    review: &mut GrantReview,
) -> Result<(), WorkflowError> {
    let stored = store.application(&entry.application_id).await?;
    let (record, last) = store
        .employee_with_review(&stored.nip, Some(quarter.previous()))
        .await?;
    let supervisor = record.supervisor_nip.clone();
    let decision = evaluate(policies, record.as_of(today, last), stored.application, today).await?;
    let allowed = if decision.eligibility.eligible {
        decision.eligibility.max_remote_days
    } else {
        0
    };
    let existing = store.grant_flag(&entry.application_id).await?;
    if allowed >= entry.remote_days {
        if existing.is_some() {
            let mut change = store.begin_quarter_change(unit, quarter).await?;
            change.clear_flag(&entry.application_id).await?;
            let detail = json!({ "quarter": quarter.to_string(), "plugin": decision.plugin.name, "version": decision.plugin.version });
            event(&mut change, &entry, actor, "unflagged", &detail).await?;
            change
                .notify(&entry.nip, Some(&entry.application_id), "unflagged", &detail)
                .await?;
            change.commit().await?;
            review.cleared.push(entry.application_id);
        }
        return Ok(());
    }
    if existing.as_ref().is_some_and(|f| {
        f.plugin_version == decision.plugin.version
            && f.plugin_name == decision.plugin.name
            && f.allowed_days == allowed
    }) {
        return Ok(()); // flagged by these rules already
    }
    let reasons: Vec<_> = decision
        .eligibility
        .reasons
        .iter()
        .filter(|r| !r.passed)
        .cloned()
        .collect();
    let flag = GrantFlag {
        application_id: entry.application_id.clone(),
        nip: entry.nip.clone(),
        unit: unit.to_owned(),
        quarter: quarter.to_string(),
        plugin_name: decision.plugin.name.clone(),
        plugin_version: decision.plugin.version.clone(),
        allowed_days: allowed,
        granted_days: entry.remote_days,
        handling: handling.code().into(),
        reasons: reasons.clone(),
        flagged_at: String::new(),
    };
    let detail = json!({
        "quarter": quarter.to_string(),
        "plugin": decision.plugin.name,
        "version": decision.plugin.version,
        "allowed_days": allowed,
        "remote_days": entry.remote_days,
        "handling": handling.code(),
        "reasons": reasons,
    });
    let mut change = store.begin_quarter_change(unit, quarter).await?;
    change.flag_grant(&flag, region).await?;
    event(&mut change, &entry, actor, "flagged", &detail).await?;
    change
        .notify(&entry.nip, Some(&entry.application_id), "flagged", &detail)
        .await?;
    if let Some(supervisor) = supervisor.filter(|s| !s.is_empty()) {
        let team = json!({ "quarter": quarter.to_string(), "applicant": entry.nip, "allowed_days": allowed });
        change
            .notify(&supervisor, Some(&entry.application_id), "team_flagged", &team)
            .await?;
    }
    if handling == Handling::Revise {
        if allowed == 0 {
            change.remove_place(&entry.application_id).await?;
        } else {
            let mut weekdays = entry.weekdays.clone();
            weekdays.truncate(allowed as usize);
            change
                .place(&Placement {
                    nip: entry.nip.clone(),
                    application_id: entry.application_id.clone(),
                    remote_days: allowed,
                    weekdays,
                    reasons: Vec::new(),
                })
                .await?;
        }
        event(&mut change, &entry, actor, "revised", &detail).await?;
    }
    change.commit().await?;
    review.flagged.push(entry.application_id);
    Ok(())
}

async fn event(
    change: &mut dwa_store::QuarterChange,
    entry: &dwa_store::RosterEntry,
    actor: &str,
    kind: &str,
    detail: &serde_json::Value,
) -> Result<(), WorkflowError> {
    change
        .event(&ApplicationEvent {
            application_id: entry.application_id.clone(),
            nip: entry.nip.clone(),
            at: String::new(),
            actor: actor.to_owned(),
            event: kind.to_owned(),
            detail: detail.clone(),
        })
        .await?;
    Ok(())
}

/// The flag on an application's grant, if any.
pub async fn flag_of(store: &Store, application_id: &str) -> Result<Option<GrantFlag>, WorkflowError> {
    Ok(store.grant_flag(application_id).await?)
}

/// A flag in words, for every page alike: which rules flagged the grant, what they allow, and
/// what happens to the grant.
pub fn flag_text(flag: &GrantFlag, indonesian: bool) -> String {
    let reasons: Vec<String> = flag
        .reasons
        .iter()
        .map(|r| {
            if indonesian {
                r.message.id.clone()
            } else {
                r.message.en.clone()
            }
        })
        .collect();
    let reasons = reasons.join("; ");
    match (indonesian, flag.handling.as_str()) {
        (true, "revise") => format!(
            "Ditandai: aturan baru ({} {}) hanya mengizinkan {} dari {} hari, dan hari Anda telah disesuaikan. {reasons}",
            flag.plugin_name, flag.plugin_version, flag.allowed_days, flag.granted_days
        ),
        (true, _) => format!(
            "Ditandai: aturan baru ({} {}) hanya mengizinkan {} dari {} hari; hari yang diberikan tetap berlaku \
             hingga akhir triwulan. {reasons}",
            flag.plugin_name, flag.plugin_version, flag.allowed_days, flag.granted_days
        ),
        (false, "revise") => format!(
            "Flagged: the new rules ({} {}) allow {} of {} days, and the days were revised. {reasons}",
            flag.plugin_name, flag.plugin_version, flag.allowed_days, flag.granted_days
        ),
        (false, _) => format!(
            "Flagged: the new rules ({} {}) allow {} of {} days; the days granted stand to the quarter's end. \
             {reasons}",
            flag.plugin_name, flag.plugin_version, flag.allowed_days, flag.granted_days
        ),
    }
}

/// The flagged grants of a region for a quarter.
pub async fn flags_of_region(store: &Store, region: &str, quarter: Quarter) -> Result<Vec<GrantFlag>, WorkflowError> {
    Ok(store.grant_flags(region, quarter).await?)
}
