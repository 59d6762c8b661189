//! The guards every door shares (API, web pages, CLI): a rejection needs a note, a KPI target
//! must rise above its baseline, and a version is never scheduled for a date already past. A
//! guard refuses before anything is written, so a refusal changes nothing; it names the field,
//! and the pages render it from its code in their own language.

use super::WorkflowError;
use dwa_sdk::Date;
use dwa_store::{AuditEntry, Store, now_rfc3339};

/// A request a guard refuses.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Guard {
    /// A rejection without a note (or with only blanks): the applicant is owed a reason.
    #[error("a rejection needs a note saying why")]
    RejectionNeedsNote,
    /// A KPI target that does not rise above its baseline.
    #[error("the KPI target ({target}) must be above the baseline ({baseline})")]
    TargetNotAboveBaseline {
        /// The baseline given.
        baseline: f64,
        /// The target given.
        target: f64,
    },
    /// An activation scheduled for a day already past.
    #[error("{from} is in the past (today is {today} in West Java): choose today or a later date")]
    ActivationInPast {
        /// The date asked for.
        from: Date,
        /// The host's today.
        today: Date,
    },
}

impl Guard {
    /// The request field the guard names.
    pub fn field(&self) -> &'static str {
        match self {
            Guard::RejectionNeedsNote => "note",
            Guard::TargetNotAboveBaseline { .. } => "kpi_target",
            Guard::ActivationInPast { .. } => "from",
        }
    }
}

/// A rejection must carry a note that is not blank; an approval's note is optional.
pub fn check_decision_note(approved: bool, note: Option<&str>) -> Result<(), Guard> {
    if !approved && note.is_none_or(|n| n.trim().is_empty()) {
        return Err(Guard::RejectionNeedsNote);
    }
    Ok(())
}

/// A KPI target must rise above its baseline to be submitted (the plugin's gate says the same
/// for what-if questions; this refuses the submission itself).
pub fn check_kpi_target(baseline: f64, target: f64) -> Result<(), Guard> {
    // Anything but "greater", so a NaN is refused too.
    if target.partial_cmp(&baseline) != Some(std::cmp::Ordering::Greater) {
        return Err(Guard::TargetNotAboveBaseline { baseline, target });
    }
    Ok(())
}

/// A date an activation is asked for: past days are refused (activating now is a separate,
/// explicit choice), today means now.
pub fn check_activation_date(from: Date, today: Date) -> Result<(), Guard> {
    if from < today {
        return Err(Guard::ActivationInPast { from, today });
    }
    Ok(())
}

/// What [`schedule_or_activate`] did.
#[derive(Clone, Debug, serde::Serialize)]
pub enum Scheduled {
    /// Scheduled: the schedule's id and the first day.
    Later {
        /// The schedule's id.
        id: String,
        /// The first day the version applies.
        from: Date,
    },
    /// No date, or today: activate now (the caller does it, so it can record the change).
    Now,
}

/// The one implementation of "activate this version from a date" for the API, the web page and
/// `dwa policy activate --from`: the version must be the region's, a past date is refused, a
/// future one is scheduled and audited (`schedule`), and no date or today means activate now.
pub async fn schedule_activation(
    store: &Store,
    region: &str,
    version_id: &str,
    from: Option<Date>,
    today: Date,
    by: &str,
) -> Result<Scheduled, WorkflowError> {
    // The date first: a refusal reads nothing.
    if let Some(from) = from {
        super::input::check_date("from", from)?;
        check_activation_date(from, today)?;
    }
    let version = store.version(version_id).await?;
    if version.summary.region != region {
        return Err(WorkflowError::Invalid {
            field: "version".into(),
            problem: super::Problem::VersionOfOtherRegion {
                version: version_id.to_owned(),
                region: version.summary.region.clone(),
            },
        });
    }
    let Some(from) = from.filter(|from| *from > today) else {
        return Ok(Scheduled::Now);
    };
    let id = store.schedule_activation(region, version_id, from, by).await?;
    store
        .record_audit(&AuditEntry {
            region: Some(region.to_owned()),
            manifest_file: version.manifest_file,
            action: "schedule".into(),
            version_id: Some(version_id.to_owned()),
            actor: by.to_owned(),
            detail: format!("to be activated from {from}"),
            at: now_rfc3339(),
        })
        .await?;
    Ok(Scheduled::Later { id, from })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejection_needs_a_note_an_approval_does_not() {
        assert_eq!(check_decision_note(false, None), Err(Guard::RejectionNeedsNote));
        assert_eq!(check_decision_note(false, Some(" \t")), Err(Guard::RejectionNeedsNote));
        assert_eq!(check_decision_note(false, Some("rencana kerja kurang jelas")), Ok(()));
        assert_eq!(check_decision_note(true, None), Ok(()));
    }

    #[test]
    fn a_target_must_rise_above_the_baseline() {
        assert!(check_kpi_target(80.0, 80.0).is_err());
        assert!(check_kpi_target(80.0, 79.0).is_err());
        assert!(check_kpi_target(80.0, f64::NAN).is_err());
        assert_eq!(check_kpi_target(80.0, 80.5), Ok(()));
    }

    #[test]
    fn an_activation_date_may_be_today_or_later_never_past() {
        let today = Date::new(2026, 12, 7).unwrap();
        assert!(check_activation_date(Date::new(2026, 12, 6).unwrap(), today).is_err());
        assert_eq!(check_activation_date(today, today), Ok(()));
        assert_eq!(check_activation_date(Date::new(2027, 1, 1).unwrap(), today), Ok(()));
    }
}
