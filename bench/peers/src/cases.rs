//! Deterministic synthetic cases: the SDK's passing sample employee and application, changed
//! field by field with a seeded SplitMix64 so that every baseline gate passes in some cases and
//! fails in others, at its boundaries (11/12 months, 2/3 absence days, target equal to / above
//! the baseline, penalties just inside / outside the look-back window, every rating and talent
//! box, pending / rejected approvals, previous reviews lowering the pattern).

use crate::Case;
use dwa_sdk::testing;
use dwa_sdk::{
    Approval, Approver, Date, EmploymentType, Expectation, Penalty, PenaltyLevel, Potential, Quarter, QuarterReview,
    SkpAssessment, TaskCategory,
};

/// The seed of the benchmark's cases.
pub const SEED: u64 = 0x0D3A_2027_0032_0001;

/// A tiny SplitMix64 generator (Steele, Lea & Flood 2014): deterministic and good enough here.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One element of `items`, uniformly.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

fn shift(date: Date, days: i64) -> Date {
    Date::from_days_since_epoch(date.days_since_epoch() + days)
}

fn expectation(rng: &mut SplitMix64) -> Expectation {
    // Mostly good performers, so that enough cases get past the rating gate.
    match rng.below(10) {
        0..=4 => Expectation::Above,
        5..=7 => Expectation::Meets,
        _ => Expectation::Below,
    }
}

/// One penalty near the gate's boundaries, relative to `today` and the look-back window.
fn penalty(rng: &mut SplitMix64, today: Date, lookback_months: u32) -> Penalty {
    let window_start = today.minus_months(lookback_months);
    let level = rng.pick(&[PenaltyLevel::Light, PenaltyLevel::Moderate, PenaltyLevel::Severe]);
    let (start, end) = match rng.below(9) {
        // Ended the day before the window opens: forgiven.
        0 => (shift(window_start, -200), Some(shift(window_start, -1))),
        // Ended on the first day of the window: still counts for moderate and severe.
        1 => (shift(window_start, -200), Some(window_start)),
        // Ends today: still in force.
        2 => (shift(today, -90), Some(today)),
        // Ended yesterday.
        3 => (shift(today, -90), Some(shift(today, -1))),
        // No end date: in force for moderate and severe, over for light.
        4 => (shift(today, -rng.range(1, 900)), None),
        // Starts tomorrow: not yet in force, ignored.
        5 => (shift(today, 1), Some(shift(today, 180))),
        // Starts today.
        6 => (today, Some(shift(today, rng.range(0, 365)))),
        // Anywhere in the last three years.
        _ => {
            let start = shift(today, -rng.range(0, 1100));
            (start, Some(shift(start, rng.range(0, 400))))
        }
    };
    Penalty { level, start, end }
}

/// `n` deterministic cases from `seed`; `today` and `lookback_months` place the penalties
/// around the discipline gate's boundaries.
pub fn generate(n: usize, seed: u64, today: Date, lookback_months: u32) -> Vec<Case> {
    let mut rng = SplitMix64::new(seed);
    let (base_employee, base_application) = (testing::employee(), testing::application());
    let supervisor_nip = base_application.approvals[0].by_nip.clone();
    let tasks = [
        TaskCategory::Planning,
        TaskCategory::Finance,
        TaskCategory::Drafting,
        TaskCategory::SpeechWriting,
        TaskCategory::OnlineApproval,
        TaskCategory::DataEntry,
        TaskCategory::DataAnalysis,
        TaskCategory::Other,
    ];
    (0..n)
        .map(|i| {
            let (mut e, mut a) = (base_employee.clone(), base_application.clone());
            a.id = format!("app-{i:05}");

            // PUBLIC_SERVICE: the flag, the task category, or both.
            e.task_category = if rng.chance(5) {
                TaskCategory::PublicService
            } else {
                rng.pick(&tasks)
            };
            e.public_service = rng.chance(6);

            // EMPLOYMENT_TYPE.
            e.employment_type = match rng.below(100) {
                0..=7 => EmploymentType::Cpns,
                8..=19 => EmploymentType::Pppk,
                20..=27 => EmploymentType::PppkParuhWaktu,
                _ => EmploymentType::Pns,
            };

            // SERVICE_LENGTH: a quarter of the cases at 11 or 12 months.
            e.service_months = if rng.chance(24) {
                rng.pick(&[11, 12])
            } else {
                rng.range(0, 420) as u32
            };

            // DISCIPLINE: up to two penalties.
            e.penalties = match rng.below(100) {
                0..=64 => vec![],
                65..=89 => vec![penalty(&mut rng, today, lookback_months)],
                _ => vec![
                    penalty(&mut rng, today, lookback_months),
                    penalty(&mut rng, today, lookback_months),
                ],
            };

            // RATING and the performance axis of the talent box: none, one, or two assessments
            // (sometimes of the same year, where the last listed wins).
            e.ratings = match rng.below(100) {
                0..=5 => vec![],
                6..=69 => vec![SkpAssessment {
                    year: 2026,
                    work_result: expectation(&mut rng),
                    work_behaviour: expectation(&mut rng),
                }],
                _ => {
                    let years = rng.pick(&[(2025, 2026), (2026, 2025), (2026, 2026)]);
                    vec![
                        SkpAssessment {
                            year: years.0,
                            work_result: expectation(&mut rng),
                            work_behaviour: expectation(&mut rng),
                        },
                        SkpAssessment {
                            year: years.1,
                            work_result: expectation(&mut rng),
                            work_behaviour: expectation(&mut rng),
                        },
                    ]
                }
            };
            e.potential = rng.pick(&[Potential::High, Potential::Medium, Potential::Low]);

            // ABSENCE: a quarter of the cases at 2 or 3 days.
            e.unexcused_absence_days = if rng.chance(24) {
                rng.pick(&[2, 3])
            } else if rng.chance(85) {
                rng.range(0, 1) as u32
            } else {
                rng.range(0, 15) as u32
            };

            // PREVIOUS_REVIEW: none, achieved, or missed after a grant of 0..=4 days.
            e.previous_review = match rng.below(100) {
                0..=59 => None,
                60..=74 => Some(QuarterReview {
                    quarter: Quarter { year: 2026, number: 4 },
                    granted_remote_days: rng.range(0, 4) as u8,
                    kpi_achieved: true,
                }),
                _ => Some(QuarterReview {
                    quarter: Quarter { year: 2026, number: 4 },
                    granted_remote_days: rng.range(0, 4) as u8,
                    kpi_achieved: false,
                }),
            };

            // KPI_TARGET: equal to the baseline, below it, or above by at least half a point.
            a.kpi_baseline = rng.range(100, 180) as f64 / 2.0;
            a.kpi_target = match rng.below(100) {
                0..=9 => a.kpi_baseline,
                10..=14 => a.kpi_baseline - rng.range(1, 20) as f64 / 2.0,
                _ => a.kpi_baseline + rng.range(1, 40) as f64 / 2.0,
            };

            // SUPERVISOR_APPROVAL: approved, pending, rejected, or changed (the latest wins).
            let decision = |approved| Approval {
                approver: Approver::Supervisor,
                by_nip: supervisor_nip.clone(),
                approved,
            };
            a.approvals = match rng.below(100) {
                0..=9 => vec![],
                10..=17 => vec![decision(false)],
                18..=21 => vec![decision(false), decision(true)],
                22..=25 => vec![decision(true), decision(false)],
                _ => vec![decision(true)],
            };
            if rng.chance(10) {
                // The head of agency's decision plays no part in the baseline.
                a.approvals.push(Approval {
                    approver: Approver::HeadOfAgency,
                    by_nip: "196801011990031001".into(),
                    approved: rng.chance(50),
                });
            }
            a.requested_remote_days = rng.range(0, 5) as u8;
            Case {
                employee: e,
                application: a,
            }
        })
        .collect()
}
