//! Deterministic synthetic data: the province's and Kabupaten Bekasi's agencies and units, and
//! employees with valid NIPs and realistic spreads of employment types, ratings, talent boxes,
//! penalties, absences and public-service roles, plus a quarter's applications and approvals.
//! The same seed and size always give the same data.

use crate::store::{EmployeeRecord, Store, StoreError, UnitRow};
use dwa_sdk::{
    Application, Approval, Approver, Date, EmploymentType, Expectation, LocationKind, Penalty, PenaltyLevel,
    PositionKind, Potential, Quarter, QuarterReview, SkpAssessment, TaskCategory,
};
use std::collections::HashSet;

/// A small deterministic PRNG (SplitMix64): reproducible without pulling in a RNG crate.
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// One of `items`, weighted.
    pub fn weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut pick = self.below(total as u64) as u32;
        for (item, weight) in items {
            if pick < *weight {
                return *item;
            }
            pick -= weight;
        }
        items[items.len() - 1].0
    }
}

/// An agency and its units: (agency code, agency name, public-service agency?, [(unit suffix, unit name)]).
type AgencySpec = (
    &'static str,
    &'static str,
    bool,
    &'static [(&'static str, &'static str)],
);

const PROVINCE_AGENCIES: &[AgencySpec] = &[
    (
        "BAPPEDA",
        "Badan Perencanaan Pembangunan Daerah",
        false,
        &[
            ("PERENCANAAN", "Bidang Perencanaan"),
            ("DATA", "Bidang Data dan Informasi"),
        ],
    ),
    (
        "BKD",
        "Badan Kepegawaian Daerah",
        false,
        &[
            ("MUTASI", "Bidang Mutasi"),
            ("PENGEMBANGAN", "Bidang Pengembangan Kompetensi"),
        ],
    ),
    (
        "BPKAD",
        "Badan Pengelolaan Keuangan dan Aset Daerah",
        false,
        &[("ANGGARAN", "Bidang Anggaran"), ("AKUNTANSI", "Bidang Akuntansi")],
    ),
    (
        "DISKOMINFO",
        "Dinas Komunikasi dan Informatika",
        false,
        &[
            ("APLIKASI", "Bidang Aplikasi Informatika"),
            ("STATISTIK", "Bidang Statistik"),
        ],
    ),
    (
        "BIROHUKUM",
        "Biro Hukum dan HAM",
        false,
        &[("PERUNDANGAN", "Bagian Perundang-undangan")],
    ),
    (
        "BAPENDA",
        "Badan Pendapatan Daerah",
        true,
        &[("SAMSAT", "UPTD Samsat Pelayanan")],
    ),
    (
        "RSUDALIHSAN",
        "RSUD Al Ihsan",
        true,
        &[("PELAYANAN", "Instalasi Rawat Jalan")],
    ),
];

const BEKASI_AGENCIES: &[AgencySpec] = &[
    (
        "BAPPEDA",
        "Badan Perencanaan Pembangunan Daerah",
        false,
        &[
            ("PERENCANAAN", "Bidang Perencanaan"),
            ("LITBANG", "Bidang Penelitian dan Pengembangan"),
        ],
    ),
    (
        "BKPSDM",
        "Badan Kepegawaian dan Pengembangan SDM",
        false,
        &[("MUTASI", "Bidang Mutasi"), ("DATA", "Bidang Data Kepegawaian")],
    ),
    (
        "BAPENDA",
        "Badan Pendapatan Daerah",
        false,
        &[("ANGGARAN", "Bidang Perencanaan Pendapatan")],
    ),
    (
        "DISKOMINFO",
        "Dinas Komunikasi, Informatika, Persandian dan Statistik",
        false,
        &[("APLIKASI", "Bidang Aplikasi")],
    ),
    (
        "SETDA",
        "Sekretariat Daerah",
        false,
        &[("HUKUM", "Bagian Hukum"), ("ORGANISASI", "Bagian Organisasi")],
    ),
    (
        "RSUD",
        "RSUD Kabupaten Bekasi",
        true,
        &[("PELAYANAN", "Instalasi Rawat Inap")],
    ),
    (
        "DISDUKCAPIL",
        "Dinas Kependudukan dan Pencatatan Sipil",
        true,
        &[("PELAYANAN", "Bidang Pelayanan Pendaftaran Penduduk")],
    ),
    (
        "DPMPTSP",
        "Dinas Penanaman Modal dan PTSP",
        true,
        &[("PERIZINAN", "Bidang Pelayanan Perizinan")],
    ),
];

/// Typical size of a work unit.
const TEAM_SIZE: usize = 18;

/// What `seed` wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeedSummary {
    /// Regions.
    pub regions: usize,
    /// Units.
    pub units: usize,
    /// Employees.
    pub employees: usize,
    /// Applications for the quarter.
    pub applications: usize,
    /// Reviews of the previous quarter.
    pub reviews: usize,
}

const FIRST_NAMES: &[&str] = &[
    "Siti", "Ahmad", "Dewi", "Budi", "Rina", "Agus", "Nur", "Dedi", "Wulan", "Asep", "Yanti", "Hendra", "Lina",
    "Ujang", "Fitri", "Rizky", "Euis", "Cecep", "Intan", "Iwan",
];
const LAST_NAMES: &[&str] = &[
    "Rahmawati",
    "Fauzi",
    "Lestari",
    "Santoso",
    "Kurniawan",
    "Hidayat",
    "Permana",
    "Suryani",
    "Nugraha",
    "Saputra",
    "Maulana",
    "Rusmana",
    "Gunawan",
    "Setiawan",
    "Anggraeni",
];

/// Generate and store `employees` synthetic employees (split about 55/45 between the province
/// and Bekasi), and applications for `quarter`. Fails if the database already has employees.
pub async fn seed(store: &Store, employees: usize, quarter: Quarter, seed: u64) -> Result<SeedSummary, StoreError> {
    if store.count("employees").await? > 0 {
        return Err(StoreError::Conflict(
            "the database already has employees; seed an empty database".into(),
        ));
    }
    let mut rng = SplitMix::new(seed);
    let mut summary = SeedSummary::default();
    let today = quarter.start();
    let mut units = Vec::new();
    // Work units (teams) of about 18 people: quotas are per unit, and real units are small.
    let base_units: usize = [PROVINCE_AGENCIES, BEKASI_AGENCIES]
        .iter()
        .flat_map(|a| a.iter())
        .map(|a| a.3.len())
        .sum();
    let teams = (employees / (base_units * TEAM_SIZE)).max(1);
    for (region, name, agencies) in [
        ("32", "Provinsi Jawa Barat", PROVINCE_AGENCIES),
        ("3216", "Kabupaten Bekasi", BEKASI_AGENCIES),
    ] {
        store.upsert_region(region, name).await?;
        summary.regions += 1;
        for (agency, _agency_name, public, agency_units) in agencies {
            for (suffix, unit_name) in *agency_units {
                for team in 1..=teams {
                    let unit = UnitRow {
                        code: format!("{region}-{agency}-{suffix}-{team:02}"),
                        region: region.into(),
                        agency: (*agency).into(),
                        name: format!("{unit_name}, Tim {team}"),
                    };
                    store.upsert_unit(&unit).await?;
                    units.push((unit, *public));
                }
            }
        }
    }
    summary.units = units.len();

    let mut nips = HashSet::new();
    let mut records: Vec<EmployeeRecord> = Vec::with_capacity(employees);
    for i in 0..employees {
        // Province units first, then Bekasi's, spread evenly.
        let (unit, public_agency) = &units[i % units.len()];
        records.push(synthetic_employee(&mut rng, unit, *public_agency, today, &mut nips));
    }
    // The first managerial employee of each unit supervises the others.
    let mut supervisors = std::collections::HashMap::new();
    for r in &records {
        if matches!(r.position_kind, PositionKind::Administrator | PositionKind::Pengawas) {
            supervisors.entry(r.unit.clone()).or_insert_with(|| r.nip.clone());
        }
    }
    for r in &mut records {
        r.supervisor_nip = supervisors.get(&r.unit).filter(|s| **s != r.nip).cloned();
    }
    for chunk in records.chunks(2_000) {
        store.insert_employees(chunk).await?;
    }
    summary.employees = records.len();
    // The most senior administrator of each agency heads it (the second approver some regions need).
    let mut heads: std::collections::BTreeMap<(String, String), &EmployeeRecord> = Default::default();
    for r in records
        .iter()
        .filter(|r| r.position_kind == PositionKind::Administrator)
    {
        heads
            .entry((r.region.clone(), r.agency.clone()))
            .and_modify(|h| {
                if r.appointed_on < h.appointed_on {
                    *h = r;
                }
            })
            .or_insert(r);
    }
    for ((region, agency), head) in &heads {
        store.set_agency_head(region, agency, &head.nip).await?;
    }

    for (i, r) in records.iter().enumerate() {
        if rng.chance(0.3) {
            let review = QuarterReview {
                quarter: quarter.previous(),
                granted_remote_days: rng.range(1, if r.region == "3216" { 2 } else { 3 }) as u8,
                kpi_achieved: rng.chance(0.85),
            };
            store.record_review(&r.nip, &review).await?;
            summary.reviews += 1;
        }
        let applies = if r.public_service {
            rng.chance(0.15)
        } else {
            rng.chance(0.7)
        };
        if !applies {
            continue;
        }
        let application = synthetic_application(&mut rng, r, quarter, i);
        store.insert_application(&r.nip, &application).await?;
        summary.applications += 1;
    }
    Ok(summary)
}

fn synthetic_employee(
    rng: &mut SplitMix,
    unit: &UnitRow,
    public_agency: bool,
    today: Date,
    nips: &mut HashSet<String>,
) -> EmployeeRecord {
    let employment_type = rng.weighted(&[
        (EmploymentType::Pns, 80),
        (EmploymentType::Cpns, 6),
        (EmploymentType::Pppk, 12),
        (EmploymentType::PppkParuhWaktu, 2),
    ]);
    let birth = Date::new(
        rng.range(1966, 2000) as u16,
        rng.range(1, 12) as u8,
        rng.range(1, 28) as u8,
    )
    .expect("valid day");
    // CPNS were appointed in the last year; others 1 to 30 years ago, never before age 19.
    let appointed = if employment_type == EmploymentType::Cpns {
        today.minus_months(rng.range(1, 14) as u32)
    } else {
        let months = rng.range(6, 360) as u32;
        let earliest = birth.plus_months(19 * 12);
        today.minus_months(months).max(earliest).min(today.minus_months(6))
    };
    let appointed = Date { day: 1, ..appointed };
    let sex = rng.range(1, 2);
    let nip = loop {
        let candidate = format!(
            "{:04}{:02}{:02}{:04}{:02}{}{:03}",
            birth.year,
            birth.month,
            birth.day,
            appointed.year,
            appointed.month,
            sex,
            rng.range(1, 999)
        );
        if nips.insert(candidate.clone()) {
            break candidate;
        }
    };
    let position_kind = rng.weighted(&[
        (PositionKind::Pelaksana, 50),
        (PositionKind::Fungsional, 38),
        (PositionKind::Pengawas, 8),
        (PositionKind::Administrator, 4),
    ]);
    let echelon = match position_kind {
        PositionKind::Administrator => Some(3),
        PositionKind::Pengawas => Some(4),
        _ => None,
    };
    let public_service = if public_agency {
        rng.chance(0.85)
    } else {
        rng.chance(0.08)
    };
    let task_category = if public_service {
        TaskCategory::PublicService
    } else {
        rng.weighted(&[
            (TaskCategory::Planning, 15),
            (TaskCategory::Finance, 15),
            (TaskCategory::Drafting, 12),
            (TaskCategory::SpeechWriting, 3),
            (TaskCategory::OnlineApproval, 10),
            (TaskCategory::DataEntry, 20),
            (TaskCategory::DataAnalysis, 15),
            (TaskCategory::Other, 10),
        ])
    };
    let expectation = |rng: &mut SplitMix| {
        rng.weighted(&[
            (Expectation::Above, 22),
            (Expectation::Meets, 66),
            (Expectation::Below, 12),
        ])
    };
    let ratings = if employment_type == EmploymentType::Cpns {
        Vec::new()
    } else {
        (2025..=2026)
            .map(|year| SkpAssessment {
                year,
                work_result: expectation(rng),
                work_behaviour: expectation(rng),
            })
            .collect()
    };
    let mut penalties = Vec::new();
    if rng.chance(0.07) {
        let level = rng.weighted(&[
            (PenaltyLevel::Light, 60),
            (PenaltyLevel::Moderate, 30),
            (PenaltyLevel::Severe, 10),
        ]);
        let start = today.minus_months(rng.range(1, 30) as u32);
        let end = match level {
            PenaltyLevel::Light => rng.chance(0.5).then(|| start.plus_months(1)),
            PenaltyLevel::Moderate => Some(start.plus_months([6, 9, 12][rng.below(3) as usize])),
            PenaltyLevel::Severe => Some(start.plus_months(12)),
        };
        penalties.push(Penalty { level, start, end });
    }
    EmployeeRecord {
        nip,
        name: format!(
            "{} {}",
            FIRST_NAMES[rng.below(FIRST_NAMES.len() as u64) as usize],
            LAST_NAMES[rng.below(LAST_NAMES.len() as u64) as usize]
        ),
        employment_type,
        region: unit.region.clone(),
        agency: unit.agency.clone(),
        unit: unit.code.clone(),
        position_kind,
        echelon,
        public_service,
        task_category,
        appointed_on: appointed,
        potential: rng.weighted(&[(Potential::High, 25), (Potential::Medium, 50), (Potential::Low, 25)]),
        unexcused_absence_days: rng.weighted(&[(0, 70), (1, 10), (2, 8), (3, 6), (5, 4), (9, 2)]),
        supervisor_nip: None,
        ratings,
        penalties,
    }
}

fn synthetic_application(rng: &mut SplitMix, r: &EmployeeRecord, quarter: Quarter, index: usize) -> Application {
    let bekasi = r.region == "3216";
    let requested = rng.range(1, if bekasi { 2 } else { 4 }) as u8;
    let baseline = rng.range(600, 850) as f64 / 10.0;
    let target = if rng.chance(0.05) {
        baseline
    } else {
        baseline + rng.range(20, 100) as f64 / 10.0
    };
    let supervisor = r.supervisor_nip.clone().unwrap_or_else(|| "196801011990031001".into());
    let mut approvals = Vec::new();
    // 90% approved, 5% rejected, 5% still pending.
    if let Some(approved) = rng.weighted(&[(Some(true), 90), (Some(false), 5), (None, 5)]) {
        approvals.push(Approval {
            approver: Approver::Supervisor,
            by_nip: supervisor,
            approved,
        });
    }
    if bekasi && requested >= 2 && rng.chance(0.9) {
        approvals.push(Approval {
            approver: Approver::HeadOfAgency,
            by_nip: "197001011995031001".into(),
            approved: rng.chance(0.9),
        });
    }
    Application {
        id: format!("app-{quarter}-{index:07}"),
        quarter,
        requested_remote_days: requested,
        location_kind: rng.weighted(&[
            (LocationKind::RegisteredHome, 70),
            (LocationKind::OtherOffice, 20),
            (LocationKind::OtherPlaceInProvince, 10),
        ]),
        work_plan: format!("Rencana kerja {quarter}: {:?}", r.task_category).to_lowercase(),
        kpi_baseline: baseline,
        kpi_target: target,
        approvals,
    }
}
