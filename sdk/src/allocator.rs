//! The standard allocator: grants patterns to one unit's candidates in priority order while
//! every weekday keeps at least `min_office_share` of the unit in the office, and spreads the
//! days away across the week.

use crate::params::Params;
use crate::types::{AllocationRequest, Candidate, Grant, PolicyError, Weekday};
// A BTreeSet, not a HashSet: std's hasher seeds itself from WASI randomness, an import a plugin
// otherwise does not need.
use std::collections::BTreeSet;

/// How many people of a unit of `headcount` may be away on one weekday.
pub fn away_capacity(headcount: u32, min_office_share: f64) -> u32 {
    // The small epsilon keeps 0.5 × 10 = 5 from rounding up to 6 through float error.
    let min_in_office = (min_office_share * headcount as f64 - 1e-9).ceil().max(0.0) as u32;
    headcount.saturating_sub(min_in_office)
}

/// Candidates in the order they are served: priority high to low, then application id.
pub fn service_order(candidates: &[Candidate]) -> Vec<&Candidate> {
    let mut order: Vec<&Candidate> = candidates.iter().collect();
    order.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then_with(|| a.application_id.cmp(&b.application_id))
    });
    order
}

/// Grant patterns and weekdays for one unit (parameters `min_office_share`, default 0.5, and
/// `max_remote_days`, default 4). Every candidate gets a grant, possibly of 0 days when the
/// unit's quota is used up.
pub fn standard_allocation(request: &AllocationRequest, params: &Params) -> Result<Vec<Grant>, PolicyError> {
    let share = params.number_or("min_office_share", 0.5, 0.0..=1.0)?;
    let cap = params.integer_or("max_remote_days", 4, 0..=5)? as u8;
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
    let mut away = [0u32; 5];
    let mut grants = Vec::with_capacity(request.candidates.len());
    for (rank, candidate) in service_order(&request.candidates).into_iter().enumerate() {
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
        grants.push(Grant {
            application_id: candidate.application_id.clone(),
            nip: candidate.nip.clone(),
            remote_days: open.len() as u8,
            weekdays: open.into_iter().map(|d| Weekday::ALL[d]).collect(),
            reasons: Vec::new(),
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
}
