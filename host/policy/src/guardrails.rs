//! The province's guardrails, enforced on every plugin output: a decision or grant above the
//! ceiling is cut back to it, a roster below the office floor loses days away, and each
//! correction is returned as a [`Violation`] to be recorded.

use super::{PluginRef, Violation};
use dwa_sdk::allocator::away_capacity;
use dwa_sdk::manifest::Guardrails;
use dwa_sdk::{Eligibility, Grant, Reason, Verdict};

/// Reason code added to a decision the guardrails corrected.
pub const GUARDRAIL: &str = "PROVINCE_GUARDRAIL";

/// Cut a decision back to the ceiling on days anywhere.
pub fn enforce_eligibility(
    guardrails: &Guardrails,
    plugin: &PluginRef,
    eligibility: &mut Eligibility,
) -> Vec<Violation> {
    let Some(ceiling) = guardrails.max_remote_days else {
        return Vec::new();
    };
    if eligibility.max_remote_days <= ceiling {
        return Vec::new();
    }
    let detail = format!(
        "allowed {} days anywhere, above the province ceiling of {ceiling}; cut to {ceiling}",
        eligibility.max_remote_days
    );
    eligibility.max_remote_days = ceiling;
    eligibility.reasons.push(Reason::pass(
        GUARDRAIL,
        format!("Dibatasi ketentuan provinsi: paling banyak {ceiling} hari bekerja dari mana saja per minggu"),
        format!("Limited by the province: at most {ceiling} days anywhere a week"),
    ));
    vec![Violation {
        plugin: plugin.clone(),
        rule: "max_remote_days".into(),
        detail,
    }]
}

/// Cut a verdict back to the ceiling on days anywhere (the same rule as
/// [`enforce_eligibility`], for an outcome without reasons).
pub fn enforce_verdict(guardrails: &Guardrails, plugin: &PluginRef, verdict: &mut Verdict) -> Vec<Violation> {
    match guardrails.max_remote_days {
        Some(ceiling) if verdict.max_remote_days > ceiling => {
            let detail = format!(
                "allowed {} days anywhere, above the province ceiling of {ceiling}; cut to {ceiling}",
                verdict.max_remote_days
            );
            verdict.max_remote_days = ceiling;
            vec![Violation {
                plugin: plugin.clone(),
                rule: "max_remote_days".into(),
                detail,
            }]
        }
        _ => Vec::new(),
    }
}

/// Cut grants back to the ceiling, then drop days away (from the end of the plugin's list, its
/// lowest priority) until every weekday keeps the province's office floor.
pub fn enforce_grants(
    guardrails: &Guardrails,
    plugin: &PluginRef,
    headcount: u32,
    grants: &mut [Grant],
) -> Vec<Violation> {
    let mut violations = Vec::new();
    if let Some(ceiling) = guardrails.max_remote_days {
        for grant in grants.iter_mut().filter(|g| g.remote_days > ceiling) {
            violations.push(Violation {
                plugin: plugin.clone(),
                rule: "max_remote_days".into(),
                detail: format!(
                    "granted {} days to {}, above the ceiling of {ceiling}",
                    grant.remote_days, grant.nip
                ),
            });
            grant.weekdays.truncate(ceiling as usize);
            grant.remote_days = ceiling;
        }
    }
    if let Some(floor) = guardrails.min_office_share {
        let capacity = away_capacity(headcount, floor);
        for day in dwa_sdk::Weekday::ALL {
            let mut away = grants.iter().filter(|g| g.weekdays.contains(&day)).count() as u32;
            if away <= capacity {
                continue;
            }
            violations.push(Violation {
                plugin: plugin.clone(),
                rule: "min_office_share".into(),
                detail: format!(
                    "{away} of {headcount} away on {day:?}, above the {capacity} the office floor of {floor} allows"
                ),
            });
            for grant in grants.iter_mut().rev() {
                if away <= capacity {
                    break;
                }
                if let Some(pos) = grant.weekdays.iter().position(|d| *d == day) {
                    grant.weekdays.remove(pos);
                    grant.remote_days -= 1;
                    away -= 1;
                }
            }
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;
    use dwa_sdk::Weekday::*;

    fn reference() -> PluginRef {
        PluginRef {
            region: "3216".into(),
            name: "x".into(),
            version: "1".into(),
            sha256: "s".into(),
            manifest_sha256: "m".into(),
        }
    }

    fn grant(nip: &str, days: &[dwa_sdk::Weekday]) -> Grant {
        Grant {
            application_id: nip.into(),
            nip: nip.into(),
            remote_days: days.len() as u8,
            weekdays: days.to_vec(),
            reasons: Vec::new(),
        }
    }

    #[test]
    fn grants_are_cut_to_ceiling_and_floor() {
        let rails = Guardrails {
            max_remote_days: Some(2),
            min_office_share: Some(0.5),
        };
        let mut grants = vec![
            grant("a", &[Monday, Tuesday, Wednesday]),
            grant("b", &[Monday]),
            grant("c", &[Monday]),
        ];
        let violations = enforce_grants(&rails, &reference(), 4, &mut grants);
        assert_eq!(violations.len(), 2);
        assert_eq!(grants[0].weekdays, vec![Monday, Tuesday]);
        assert_eq!(grants[2].weekdays, Vec::<dwa_sdk::Weekday>::new());
        assert_eq!(grants.iter().filter(|g| g.weekdays.contains(&Monday)).count(), 2);
    }

    #[test]
    fn within_guardrails_nothing_changes() {
        let rails = Guardrails {
            max_remote_days: Some(4),
            min_office_share: Some(0.5),
        };
        let mut grants = vec![grant("a", &[Monday, Tuesday])];
        assert!(enforce_grants(&rails, &reference(), 4, &mut grants).is_empty());
        let mut e = Eligibility {
            eligible: true,
            max_remote_days: 4,
            approvals_required: vec![],
            priority: 0,
            reasons: vec![],
        };
        assert!(enforce_eligibility(&rails, &reference(), &mut e).is_empty());
        e.max_remote_days = 5;
        assert_eq!(enforce_eligibility(&rails, &reference(), &mut e).len(), 1);
        assert_eq!(e.max_remote_days, 4);
    }
}
