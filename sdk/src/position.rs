//! The position gate: whether the employee's position (jabatan) qualifies, as the region's
//! catalogue of positions says (eligible, excluded, under review; unlisted when it is not in the
//! catalogue). A region turns it on with the parameter `position_gate = true`; it is off by
//! default, so a region without a catalogue decides as before.

use crate::baseline::codes;
use crate::types::{Employee, PositionStatus, Reason};

/// Whether the catalogue marks the employee's position as qualifying.
pub fn position_passes(employee: &Employee) -> bool {
    employee.position_status == PositionStatus::Eligible
}

/// The position gate with its reason.
pub fn position_gate(employee: &Employee) -> Reason {
    let code = if employee.position_code.is_empty() {
        "-"
    } else {
        employee.position_code.as_str()
    };
    match employee.position_status {
        PositionStatus::Eligible => Reason::pass(
            codes::POSITION,
            format!("Jabatan {code} termasuk jabatan yang dapat bekerja dari mana saja"),
            format!("Position {code} is listed as able to work from anywhere"),
        ),
        PositionStatus::Excluded => Reason::fail(
            codes::POSITION,
            format!("Jabatan {code} dikecualikan dari MKD dalam katalog jabatan daerah"),
            format!("Position {code} is excluded from the DWA in the region's position catalogue"),
        )
        .remedy(
            "Hanya jabatan yang ditetapkan memenuhi syarat dalam katalog yang dapat mengikuti MKD",
            "Only positions the catalogue marks as qualifying can take part",
        ),
        PositionStatus::UnderReview => Reason::fail(
            codes::POSITION,
            format!("Jabatan {code} masih ditinjau dalam katalog jabatan daerah"),
            format!("Position {code} is still under review in the region's position catalogue"),
        )
        .remedy(
            "Dapat mengajukan kembali setelah BKD/BKPSDM menetapkan jabatan ini memenuhi syarat",
            "May apply again once regional HR marks this position as qualifying",
        ),
        PositionStatus::Unlisted => Reason::fail(
            codes::POSITION,
            format!("Jabatan {code} belum tercantum dalam katalog jabatan daerah"),
            format!("Position {code} is not in the region's position catalogue"),
        )
        .remedy(
            "Minta BKD/BKPSDM menilai jabatan ini dan mencantumkannya dalam katalog",
            "Ask regional HR to assess this position and list it in the catalogue",
        ),
    }
}

#[cfg(test)]
mod tests {
    use crate::baseline::{codes, decide_baseline, evaluate_baseline};
    use crate::params::{ParamValue, Params};
    use crate::testing;
    use crate::types::{PositionStatus, Verdict};

    #[test]
    fn the_position_gate_is_off_by_default_and_passes_only_eligible_positions_when_on() {
        let (mut employee, application) = (testing::employee(), testing::application());
        employee.position_code = "JF-ANALIS-KEBIJAKAN".into();
        let off = Params::default();
        let on = Params::default().with("position_gate", ParamValue::Flag(true));
        for status in [
            PositionStatus::Eligible,
            PositionStatus::Excluded,
            PositionStatus::UnderReview,
            PositionStatus::Unlisted,
        ] {
            employee.position_status = status;
            let unchanged = evaluate_baseline(&employee, &application, &off, testing::today()).unwrap();
            assert!(unchanged.eligible, "{status:?}: off by default");
            assert!(unchanged.reason(codes::POSITION).is_none());
            let gated = evaluate_baseline(&employee, &application, &on, testing::today()).unwrap();
            let reason = gated.reason(codes::POSITION).expect("a position reason when on");
            let passes = status == PositionStatus::Eligible;
            assert_eq!((gated.eligible, reason.passed), (passes, passes), "{status:?}");
            assert_eq!(reason.remedy.is_some(), !passes, "{status:?}");
            assert!(reason.message.en.contains("JF-ANALIS-KEBIJAKAN"));
            let decided = decide_baseline(&employee, &application, &on, testing::today()).unwrap();
            assert_eq!(decided, Verdict::from(&gated), "{status:?}");
        }
    }
}
