//! The standard allocator: grants patterns to one unit's candidates in a documented order while
//! every weekday keeps at least `min_office_share` of the unit in the office, spreads the days
//! away across the week, and tells anyone granted fewer days than they may have why
//! ([`QUOTA_FULL`], with the unit's figures).
//!
//! # The order candidates are served in
//!
//! Deterministic and explainable, never by application id (ids are random):
//!
//! 1. with the parameter `quarterly_rotation = true`: whoever was not granted any day last quarter
//!    because the unit was full ([`PreviousOutcome::UnitFull`]) comes first — "not in the first
//!    quarter, then in the second";
//! 2. higher priority (from the evaluation: the province's talent box, then months of service);
//! 3. longer service (months since CPNS appointment);
//! 4. NIP, ascending (older birth date first, as the NIP begins with it) — unique in a unit.

use crate::params::Params;
use crate::types::{AllocationRequest, Candidate, Grant, PolicyError, PreviousOutcome, Reason, Weekday};
use std::cmp::Reverse;
// A BTreeSet, not a HashSet: std's hasher seeds itself from WASI randomness, an import a plugin
// otherwise does not need.
use std::collections::BTreeSet;

/// Reason code: fewer days granted than the candidate may have, because the unit's quota is used
/// up; the message gives the unit's figures.
pub const QUOTA_FULL: &str = "QUOTA_FULL";

/// How many people of a unit of `headcount` may be away on one weekday.
pub fn away_capacity(headcount: u32, min_office_share: f64) -> u32 {
    // The small epsilon keeps 0.5 × 10 = 5 from rounding up to 6 through float error.
    let min_in_office = (min_office_share * headcount as f64 - 1e-9).ceil().max(0.0) as u32;
    headcount.saturating_sub(min_in_office)
}

/// Candidates in the order they are served (see the module docs); `rotation` puts those the
/// unit could not serve last quarter first.
pub fn service_order(candidates: &[Candidate], rotation: bool) -> Vec<&Candidate> {
    let mut order: Vec<&Candidate> = candidates.iter().collect();
    order.sort_by_key(|c| {
        let waited = rotation && c.previous_quarter == PreviousOutcome::UnitFull;
        (
            Reverse(waited),
            Reverse(c.priority),
            Reverse(c.service_months),
            c.nip.as_str(),
            c.application_id.as_str(),
        )
    });
    order
}

/// The unit's figures a [`QUOTA_FULL`] reason quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitFigures {
    /// Everyone in the unit.
    pub headcount: u32,
    /// People who must be in the office every weekday.
    pub min_in_office: u32,
    /// People who may be away on one weekday.
    pub away_per_day: u32,
    /// Days away the unit can grant in a week (`away_per_day` × 5).
    pub days_available: u32,
}

/// Why `granted` is less than `wanted` days: the unit's quota, with its figures.
pub fn quota_full_reason(figures: UnitFigures, wanted: u8, granted: u8, rotation: bool) -> Reason {
    let UnitFigures {
        headcount,
        min_in_office,
        days_available,
        ..
    } = figures;
    let reason = Reason::fail(
        QUOTA_FULL,
        format!(
            "Kuota unit penuh: dari {headcount} pegawai minimal {min_in_office} harus di kantor setiap hari, \
             sehingga tersedia {days_available} hari kerja dari mana saja per minggu dan semuanya telah terbagi; \
             diberikan {granted} dari {wanted} hari"
        ),
        format!(
            "The unit's quota is full: of {headcount} staff at least {min_in_office} must be in the office every \
             day, leaving {days_available} days anywhere a week, all allocated; granted {granted} of {wanted} days"
        ),
    );
    if rotation {
        reason.remedy(
            "Dengan rotasi triwulanan, Anda didahulukan pada triwulan berikutnya",
            "With the quarterly rotation, you are served first next quarter",
        )
    } else {
        reason.remedy(
            "Ajukan kembali pada triwulan berikutnya atau bila kuota unit bertambah",
            "Apply again next quarter or when the unit's quota grows",
        )
    }
}

/// Grant patterns and weekdays for one unit (parameters `min_office_share`, default 0.5,
/// `max_remote_days`, default 4, and `quarterly_rotation`, default false). Every candidate gets
/// a grant, possibly of 0 days when the unit's quota is used up; a grant of fewer days than the
/// candidate may have carries a [`QUOTA_FULL`] reason.
pub fn standard_allocation(request: &AllocationRequest, params: &Params) -> Result<Vec<Grant>, PolicyError> {
    let share = params.number_or("min_office_share", 0.5, 0.0..=1.0)?;
    let cap = params.integer_or("max_remote_days", 4, 0..=5)? as u8;
    let rotation = params.flag_or("quarterly_rotation", false)?;
    if request.candidates.len() as u64 > request.headcount as u64 {
        return Err(PolicyError::new(
            "BAD_INPUT",
            format!(
                "unit {} has {} candidates but a headcount of {}",
                request.unit,
                request.candidates.len(),
                request.headcount
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    if let Some(dup) = request.candidates.iter().find(|c| !seen.insert(c.nip.as_str())) {
        return Err(PolicyError::new(
            "BAD_INPUT",
            format!("NIP {} has more than one candidate application", dup.nip),
        ));
    }
    let capacity = away_capacity(request.headcount, share);
    let figures = UnitFigures {
        headcount: request.headcount,
        min_in_office: request.headcount - capacity,
        away_per_day: capacity,
        days_available: capacity * 5,
    };
    let mut away = [0u32; 5];
    let mut grants = Vec::with_capacity(request.candidates.len());
    for (rank, candidate) in service_order(&request.candidates, rotation).into_iter().enumerate() {
        let want = candidate.requested_remote_days.min(candidate.max_remote_days).min(cap) as usize;
        let mut open: Vec<usize> = (0..5).filter(|&d| away[d] < capacity).collect();
        // Least-loaded days first; the rotation by rank spreads ties across the week instead of
        // piling everyone onto Monday.
        open.sort_by_key(|&d| (away[d], (d + 5 - rank % 5) % 5));
        open.truncate(want);
        open.sort_unstable();
        for &d in &open {
            away[d] += 1;
        }
        let granted = open.len();
        grants.push(Grant {
            application_id: candidate.application_id.clone(),
            nip: candidate.nip.clone(),
            remote_days: granted as u8,
            weekdays: open.into_iter().map(|d| Weekday::ALL[d]).collect(),
            reasons: if granted < want {
                vec![quota_full_reason(figures, want as u8, granted as u8, rotation)]
            } else {
                Vec::new()
            },
        });
    }
    Ok(grants)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Quarter;
    use crate::params::ParamValue;

    fn candidate(i: usize, max: u8, priority: i32) -> Candidate {
        Candidate {
            application_id: format!("app-{i:03}"),
            nip: format!("nip-{i:03}"),
            requested_remote_days: max,
            max_remote_days: max,
            priority,
            service_months: 0,
            previous_quarter: crate::types::PreviousOutcome::None,
        }
    }

    #[test]
    fn capacity_rounds_towards_the_office() {
        assert_eq!(away_capacity(10, 0.5), 5);
        assert_eq!(away_capacity(9, 0.5), 4);
        assert_eq!(away_capacity(1, 0.5), 0);
        assert_eq!(away_capacity(10, 0.0), 10);
    }

    #[test]
    fn keeps_office_share_and_respects_eligibility() {
        let candidates: Vec<_> = (0..12).map(|i| candidate(i, [1, 3, 4][i % 3], i as i32)).collect();
        let request = AllocationRequest {
            unit: "U1".into(),
            quarter: Quarter { year: 2027, number: 1 },
            headcount: 15,
            candidates: candidates.clone(),
        };
        let params = Params::default().with("min_office_share", ParamValue::Number(0.5));
        let grants = standard_allocation(&request, &params).unwrap();
        let mut away = [0u32; 5];
        for g in &grants {
            let c = candidates
                .iter()
                .find(|c| c.application_id == g.application_id)
                .unwrap();
            assert!(g.remote_days <= c.max_remote_days);
            assert_eq!(g.weekdays.len(), g.remote_days as usize);
            for d in &g.weekdays {
                away[d.index()] += 1;
            }
        }
        for a in away {
            assert!(15 - a >= 8, "office share kept: {away:?}");
        }
        // Highest priority first is served in full.
        assert_eq!(grants[0].application_id, "app-011");
        assert_eq!(grants[0].remote_days, 4);
    }

    #[test]
    fn rejects_duplicate_and_oversized_requests() {
        let mut request = AllocationRequest {
            unit: "U1".into(),
            quarter: Quarter { year: 2027, number: 1 },
            headcount: 1,
            candidates: vec![candidate(1, 1, 1), candidate(2, 1, 1)],
        };
        assert!(standard_allocation(&request, &Params::default()).is_err());
        request.headcount = 5;
        request.candidates[1].nip = request.candidates[0].nip.clone();
        assert!(standard_allocation(&request, &Params::default()).is_err());
    }

    /// A unit of 4 (2 may be away a day) with three equal-priority 4-day candidates: only two
    /// can be served in full.
    fn full_unit(candidates: Vec<Candidate>) -> AllocationRequest {
        AllocationRequest {
            unit: "U1".into(),
            quarter: Quarter { year: 2027, number: 2 },
            headcount: 4,
            candidates,
        }
    }

    fn served(grants: &[Grant]) -> Vec<(&str, u8)> {
        grants.iter().map(|g| (g.nip.as_str(), g.remote_days)).collect()
    }

    #[test]
    fn ties_break_by_service_then_nip_never_by_application_id() {
        let mut a = candidate(1, 4, 5000);
        let mut b = candidate(2, 4, 5000);
        let mut c = candidate(3, 4, 5000);
        // Application ids in the opposite order of the NIPs: the ids must not matter.
        (a.application_id, b.application_id, c.application_id) = ("z".into(), "y".into(), "x".into());
        let params = Params::default();
        let grants = standard_allocation(&full_unit(vec![c.clone(), a.clone(), b.clone()]), &params).unwrap();
        assert_eq!(served(&grants), vec![("nip-001", 4), ("nip-002", 4), ("nip-003", 2)]);
        // Longer service wins before the NIP.
        c.service_months = 200;
        let grants = standard_allocation(&full_unit(vec![a.clone(), b.clone(), c.clone()]), &params).unwrap();
        assert_eq!(served(&grants), vec![("nip-003", 4), ("nip-001", 4), ("nip-002", 2)]);
        // Priority wins before service.
        a.priority = 5001;
        let grants = standard_allocation(&full_unit(vec![a, b, c]), &params).unwrap();
        assert_eq!(served(&grants)[0], ("nip-001", 4));
    }

    #[test]
    fn a_candidate_granted_less_than_allowed_gets_quota_full_with_the_units_figures() {
        let grants = standard_allocation(
            &full_unit(vec![candidate(1, 4, 1), candidate(2, 4, 1), candidate(3, 4, 1)]),
            &Params::default(),
        )
        .unwrap();
        assert!(
            grants[0].reasons.is_empty() && grants[1].reasons.is_empty(),
            "{grants:?}"
        );
        let reason = &grants[2].reasons[0];
        assert_eq!((reason.code.as_str(), reason.passed), (QUOTA_FULL, false));
        for figure in ["4 staff", "at least 2", "10 days anywhere", "granted 2 of 4"] {
            assert!(reason.message.en.contains(figure), "{figure}: {}", reason.message.en);
        }
        assert!(reason.message.id.contains("4 pegawai") && reason.remedy.is_some());
        // Asking for fewer days than the unit has left is no quota problem.
        let mut modest = candidate(3, 4, 1);
        modest.requested_remote_days = 2;
        let grants = standard_allocation(
            &full_unit(vec![candidate(1, 4, 1), candidate(2, 4, 1), modest]),
            &Params::default(),
        )
        .unwrap();
        assert_eq!(grants[2].remote_days, 2);
        assert!(grants[2].reasons.is_empty());
    }

    #[test]
    fn the_quarterly_rotation_serves_last_quarters_unserved_first_only_when_on() {
        // Q1: a full unit of 2 (1 may be away a day) and two 5-day candidates: nip-001 wins on
        // the NIP, nip-002 gets nothing.
        let q1 = AllocationRequest {
            headcount: 2,
            candidates: vec![candidate(1, 5, 1), candidate(2, 5, 1)],
            ..full_unit(vec![])
        };
        let params = Params::default()
            .with("max_remote_days", ParamValue::Integer(5))
            .with("quarterly_rotation", ParamValue::Flag(true));
        let grants = standard_allocation(&q1, &params).unwrap();
        assert_eq!(served(&grants), vec![("nip-001", 5), ("nip-002", 0)]);
        assert_eq!(grants[1].reasons[0].code, QUOTA_FULL);
        // Q2: nip-002 was not granted because the unit was full: served first.
        let mut q2 = q1.clone();
        q2.candidates[0].previous_quarter = PreviousOutcome::Granted(5);
        q2.candidates[1].previous_quarter = PreviousOutcome::UnitFull;
        let grants = standard_allocation(&q2, &params).unwrap();
        assert_eq!(served(&grants), vec![("nip-002", 5), ("nip-001", 0)]);
        // Without the option the order stays the same as in Q1.
        let off = params.clone().with("quarterly_rotation", ParamValue::Flag(false));
        assert_eq!(
            served(&standard_allocation(&q2, &off).unwrap()),
            vec![("nip-001", 5), ("nip-002", 0)]
        );
    }
}
