//! Where an application stands, in one word the API and the pages show: withdrawn, not
//! eligible, rejected by an approver, awaiting the supervisor or the head of agency, approved
//! (waiting for the unit's allocation), granted (with its days), waitlisted (the unit's quota
//! is full, with its figures), or set aside (the rules failed for it, named). Read from the
//! stored data every change writes in one transaction — the application, its approvals, its
//! latest decision, the unit's roster and its set-aside list (`quarter.rs`) — by this one
//! function, so no view can disagree with another. An approved application of an allocated
//! unit is never "not granted" by default: it has a place in the roster (granted or
//! waitlisted) or it is still waiting for the region's next allocation and says so.

use super::WorkflowError;
use dwa_sdk::{Approval, Approver, Reason, Verdict, Weekday};
use dwa_store::{Store, StoredApplication, StoredDecision};
use serde::Serialize;

/// The state of an application.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationState {
    /// Withdrawn by the applicant.
    Withdrawn,
    /// A gate failed: see the decision's reasons.
    NotEligible,
    /// An approver the rules require said no.
    Rejected,
    /// Eligible; the supervisor has not decided yet.
    AwaitingSupervisor,
    /// Eligible and approved by the supervisor; the head of agency has not decided yet.
    AwaitingHeadOfAgency,
    /// Eligible with every required approval; waiting for the unit's allocation.
    Approved,
    /// The unit's allocation granted days anywhere (see `remote_days` and `weekdays`).
    Granted,
    /// Eligible and approved, but the unit's quota is full (see `allocation_reasons` for the
    /// unit's figures): served in the region's order when days free up.
    Waitlisted,
    /// The rules failed for this application during its unit's allocation (see `failure`);
    /// the unit's other applications were allocated. Served again at the unit's next change.
    SetAside,
}

/// An application's state with what was granted, if anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ApplicationStatus {
    /// Where it stands.
    pub state: ApplicationState,
    /// Days anywhere a week granted (granted only).
    pub remote_days: Option<u8>,
    /// The weekdays away (granted only).
    #[schema(value_type = Option<Vec<String>>)]
    pub weekdays: Option<Vec<Weekday>>,
    /// Why the allocation granted fewer days than the decision allowed (e.g. `QUOTA_FULL`, with
    /// the unit's headcount, minimum office presence and days available); empty otherwise.
    #[schema(value_type = Vec<Object>)]
    pub allocation_reasons: Vec<Reason>,
    /// Why the rules failed for it, naming the plugin and its version (set aside only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// A granted application that rules activated since no longer allow: flagged, with the
    /// rules, the days they allow and their reasons (`policy_change.rs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub flag: Option<dwa_store::GrantFlag>,
}

/// The state of an application that `verdict` decided, with `approvals` recorded, up to its
/// allocation: `None` when it is eligible with every required approval (then the unit's
/// allocation says whether it was granted).
pub fn state_before_allocation(verdict: &Verdict, approvals: &[Approval]) -> Option<ApplicationState> {
    let said = |who: Approver| approvals.iter().find(|a| a.approver == who).map(|a| a.approved);
    if !verdict.eligible {
        // Rejected when an approver said no and nothing else failed.
        let rejected = [Approver::Supervisor, Approver::HeadOfAgency]
            .into_iter()
            .any(|who| said(who) == Some(false))
            && verdict.failed.iter().all(|code| code.ends_with("_APPROVAL"));
        return Some(if rejected {
            ApplicationState::Rejected
        } else {
            ApplicationState::NotEligible
        });
    }
    for who in &verdict.approvals_required {
        match said(*who) {
            Some(true) => {}
            Some(false) => return Some(ApplicationState::Rejected),
            None => {
                return Some(match who {
                    Approver::Supervisor => ApplicationState::AwaitingSupervisor,
                    Approver::HeadOfAgency => ApplicationState::AwaitingHeadOfAgency,
                });
            }
        }
    }
    None
}

/// The state of `stored` given its latest decision.
pub async fn application_status(
    store: &Store,
    stored: &StoredApplication,
    latest: &StoredDecision,
) -> Result<ApplicationStatus, WorkflowError> {
    let status = |state| ApplicationStatus {
        state,
        remote_days: None,
        weekdays: None,
        allocation_reasons: Vec::new(),
        failure: None,
        flag: None,
    };
    if stored.status == "withdrawn" {
        return Ok(status(ApplicationState::Withdrawn));
    }
    if let Some(state) = state_before_allocation(&latest.decision.verdict, &stored.application.approvals) {
        return Ok(status(state));
    }
    let quarter = stored.application.quarter;
    let flag = store.grant_flag(&stored.application.id).await?;
    // A grant rules activated since cut to nothing (`on_policy_change = "revise"`).
    if flag
        .as_ref()
        .is_some_and(|f| f.handling == "revise" && f.allowed_days == 0)
    {
        return Ok(ApplicationStatus {
            flag,
            ..status(ApplicationState::NotEligible)
        });
    }
    if let Some(entry) = store.roster_entry(&stored.nip, quarter).await?
        && entry.application_id == stored.application.id
    {
        return Ok(if entry.remote_days > 0 {
            ApplicationStatus {
                state: ApplicationState::Granted,
                remote_days: Some(entry.remote_days),
                weekdays: Some(entry.weekdays),
                allocation_reasons: entry.reasons,
                failure: None,
                flag,
            }
        } else {
            ApplicationStatus {
                allocation_reasons: entry.reasons,
                ..status(ApplicationState::Waitlisted)
            }
        });
    }
    if let Some(set_aside) = store.set_aside_of(&stored.application.id).await? {
        return Ok(ApplicationStatus {
            failure: Some(set_aside.failure),
            ..status(ApplicationState::SetAside)
        });
    }
    Ok(status(ApplicationState::Approved))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(eligible: bool, required: &[Approver], failed: &[&str]) -> Verdict {
        Verdict {
            eligible,
            max_remote_days: if eligible { 2 } else { 0 },
            approvals_required: required.to_vec(),
            priority: 0,
            failed: failed.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn said(approver: Approver, approved: bool) -> Approval {
        Approval {
            approver,
            by_nip: "197901012005011001".into(),
            approved,
        }
    }

    #[test]
    fn eligible_is_not_approved() {
        use ApplicationState::*;
        use Approver::*;
        let both = [Supervisor, HeadOfAgency];
        assert_eq!(
            state_before_allocation(&verdict(true, &both, &[]), &[]),
            Some(AwaitingSupervisor)
        );
        let supervisor_yes = [said(Supervisor, true)];
        assert_eq!(
            state_before_allocation(&verdict(true, &both, &[]), &supervisor_yes),
            Some(AwaitingHeadOfAgency)
        );
        let all_yes = [said(Supervisor, true), said(HeadOfAgency, true)];
        assert_eq!(state_before_allocation(&verdict(true, &both, &[]), &all_yes), None);
        assert_eq!(
            state_before_allocation(&verdict(true, &[Supervisor], &[]), &supervisor_yes),
            None
        );
        let no = [said(Supervisor, false)];
        assert_eq!(
            state_before_allocation(&verdict(false, &both, &["SUPERVISOR_APPROVAL"]), &no),
            Some(Rejected)
        );
        assert_eq!(
            state_before_allocation(&verdict(false, &both, &["SUPERVISOR_APPROVAL", "RATING"]), &no),
            Some(NotEligible),
            "another gate failed too: the reasons say what"
        );
        assert_eq!(
            state_before_allocation(&verdict(false, &both, &["RATING"]), &[]),
            Some(NotEligible)
        );
    }
}
