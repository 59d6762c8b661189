//! Who decides an application, so that nobody waits on an approver who does not exist.
//!
//! - As **supervisor**: the supervisor on record, when that NIP is someone on the staff list
//!   (and not the applicant); otherwise the region's **HR** decides in the supervisor's place.
//! - As **head of agency**: the head HR recorded for the applicant's agency; without one, the
//!   region's HR.
//!
//! The API and the pages ask [`may_decide`] and nothing else. HR sees the applications waiting
//! longer than the region's limit and the staff without a supervisor ([`attention`]).
//! (A fallback to the head of the unit above comes with the unit hierarchy of issue 20.)

use crate::{ApplicationState, WorkflowError, application_status};
use dwa_policy::PolicySet;
use dwa_sdk::{Approver, Date, Quarter};
use dwa_store::{EmployeeRecord, LiveApplication, StaffMember, Store};
use serde::Serialize;

/// Days an application may wait for an approval before HR's page lists it, unless the
/// region's manifest sets `approval_waiting_days`.
pub const DEFAULT_WAITING_DAYS: i64 = 5;

/// The most rows each of HR's lists shows.
const LISTED: u32 = 200;

/// Who decides an applicant's application.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Approvers {
    /// The supervisor on record, when it names someone on the staff list other than the
    /// applicant; `None`: the region's HR decides in their place.
    pub supervisor: Option<String>,
    /// The head of the applicant's agency, when recorded; `None`: the region's HR.
    pub head_of_agency: Option<String>,
}

/// Who asks to decide.
#[derive(Clone, Copy, Debug)]
pub struct Decider<'a> {
    /// Their NIP, if their role has one.
    pub nip: Option<&'a str>,
    /// Whether they are HR of the applicant's region.
    pub region_hr: bool,
}

/// The approvers of `employee`'s applications.
pub async fn approvers_of(store: &Store, employee: &EmployeeRecord) -> Result<Approvers, WorkflowError> {
    let supervisor = match employee.supervisor_nip.as_deref().filter(|s| !s.is_empty()) {
        Some(s) if s != employee.nip && store.is_staff(s).await? => Some(s.to_owned()),
        _ => None,
    };
    Ok(Approvers {
        supervisor,
        head_of_agency: store.agency_head(&employee.region, &employee.agency).await?,
    })
}

/// Whether `who` may decide `employee`'s application as `approver` (never their own).
pub fn may_decide(approvers: &Approvers, employee: &EmployeeRecord, approver: Approver, who: Decider<'_>) -> bool {
    if who.nip == Some(employee.nip.as_str()) {
        return false;
    }
    let on_record = match approver {
        Approver::Supervisor => approvers.supervisor.as_deref(),
        Approver::HeadOfAgency => approvers.head_of_agency.as_deref(),
    };
    match on_record {
        Some(nip) => who.nip == Some(nip),
        None => who.region_hr,
    }
}

/// An application waiting for an approval longer than the region's limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Waiting {
    /// The application and applicant.
    #[serde(flatten)]
    pub application: LiveApplication,
    /// Whose approval it waits for.
    pub state: ApplicationState,
    /// Whole days since submission.
    pub days: i64,
    /// True when nobody is on record to decide and HR decides in their place.
    pub hr_decides: bool,
}

/// What HR must act on in a region for a quarter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Attention {
    /// The region's limit in days.
    pub waiting_days: i64,
    /// Applications awaiting the approval of a supervisor who is not on record: HR decides
    /// them in the supervisor's place, whatever their age.
    pub hr_decides: Vec<Waiting>,
    /// Applications waiting for an approval longer than the limit, oldest first.
    pub waiting: Vec<Waiting>,
    /// Staff without a supervisor on record (or whose supervisor is not on the staff list).
    pub without_supervisor: Vec<StaffMember>,
}

/// The region's limit on waiting for an approval (manifest `approval_waiting_days`).
pub fn waiting_days(policies: &PolicySet, region: &str) -> i64 {
    crate::quarter::manifest_param(policies, region, DEFAULT_WAITING_DAYS, |p| {
        p.integer_or("approval_waiting_days", DEFAULT_WAITING_DAYS, 0..=i64::MAX)
    })
}

/// What HR of `region` must act on for `quarter` as of `today`.
pub async fn attention(
    store: &Store,
    policies: &PolicySet,
    region: &str,
    quarter: Quarter,
    today: Date,
) -> Result<Attention, WorkflowError> {
    let limit = waiting_days(policies, region);
    // Submitted before the start of the day `limit` days ago, in West Java.
    let cutoff_day = Date::from_days_since_epoch(today.days_since_epoch() - limit);
    let cutoff = format!(
        "{:04}-{:02}-{:02}T00:00:00+07:00",
        cutoff_day.year, cutoff_day.month, cutoff_day.day
    );
    let cutoff = dwa_domain::clock::unix_of_rfc3339(&cutoff)
        .map(dwa_domain::clock::rfc3339_of_unix)
        .unwrap_or(cutoff);
    let waiting = awaiting(
        store,
        today,
        store.live_applications_before(region, quarter, &cutoff, LISTED).await?,
    )
    .await?;
    let hr_decides = awaiting(
        store,
        today,
        store
            .live_applications_without_supervisor(region, quarter, LISTED)
            .await?,
    )
    .await?
    .into_iter()
    .filter(|w| w.hr_decides)
    .collect();
    Ok(Attention {
        waiting_days: limit,
        hr_decides,
        waiting,
        without_supervisor: store.staff_without_supervisor(region, LISTED).await?,
    })
}

/// Those of `applications` that await an approval, with whose and for how long.
async fn awaiting(
    store: &Store,
    today: Date,
    applications: Vec<LiveApplication>,
) -> Result<Vec<Waiting>, WorkflowError> {
    let mut out = Vec::new();
    for application in applications {
        let stored = store.application(&application.id).await?;
        let latest = store.latest_decision(&application.id).await?;
        let state = application_status(store, &stored, &latest).await?.state;
        let approver = match state {
            ApplicationState::AwaitingSupervisor => Approver::Supervisor,
            ApplicationState::AwaitingHeadOfAgency => Approver::HeadOfAgency,
            _ => continue,
        };
        let employee = store.employee(&application.nip).await?;
        let approvers = approvers_of(store, &employee).await?;
        let hr_decides = match approver {
            Approver::Supervisor => approvers.supervisor.is_none(),
            Approver::HeadOfAgency => approvers.head_of_agency.is_none(),
        };
        let submitted_day =
            dwa_domain::clock::wall_clock_in_west_java(&application.submitted_at).map_or(today, |(day, _, _)| day);
        out.push(Waiting {
            days: today.days_since_epoch() - submitted_day.days_since_epoch(),
            application,
            state,
            hr_decides,
        });
    }
    Ok(out)
}
