//! Deterministic synthetic data: agencies and units of the province and its regencies and
//! cities (by default the province and Kabupaten Bekasi; with [`Regions::All`] all 28 regions of
//! West Java by their BPS codes), employees with valid NIPs and realistic spreads of employment
//! types, ratings, talent boxes, penalties, absences and public-service roles, plus a quarter's
//! applications and approvals. The same seed, size and regions always give the same data.
//!
//! Generation streams unit by unit on a blocking thread while the store writes the previous
//! batch with multi-row inserts in one transaction, so millions of employees take minutes and
//! bounded memory. Each unit's employees are written in NIP order, region by region and unit by
//! unit: the order in which the national allocation reads them back.

use dwa_sdk::{
    Application, Approval, Approver, Date, EmploymentType, Expectation, LocationKind, Penalty, PenaltyLevel,
    PositionKind, Potential, Quarter, QuarterReview, SkpAssessment, TaskCategory,
};
use dwa_store::{EmployeeRecord, Store, StoreError, UnitRow, bulk};
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

/// A regency's or city's agencies, for the regions generated beside the province and Bekasi.
const REGENCY_AGENCIES: &[AgencySpec] = &[
    (
        "BAPPEDA",
        "Badan Perencanaan Pembangunan Daerah",
        false,
        &[
            ("PERENCANAAN", "Bidang Perencanaan"),
            ("DATA", "Bidang Data dan Evaluasi"),
        ],
    ),
    (
        "BKPSDM",
        "Badan Kepegawaian dan Pengembangan SDM",
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
        "BAPENDA",
        "Badan Pendapatan Daerah",
        false,
        &[("PENDATAAN", "Bidang Pendataan dan Penetapan")],
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
        "SETDA",
        "Sekretariat Daerah",
        false,
        &[("HUKUM", "Bagian Hukum"), ("ORGANISASI", "Bagian Organisasi")],
    ),
    (
        "INSPEKTORAT",
        "Inspektorat Daerah",
        false,
        &[("PENGAWASAN", "Inspektur Pembantu Wilayah")],
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
    (
        "RSUD",
        "Rumah Sakit Umum Daerah",
        true,
        &[("PELAYANAN", "Instalasi Rawat Jalan")],
    ),
];

/// One region to seed: its BPS code and name, agencies, share of the employees, and how its
/// staff apply (the requests a region's rules allow, and whether 2 days need the head of agency).
struct RegionSpec {
    code: &'static str,
    name: &'static str,
    agencies: &'static [AgencySpec],
    /// Relative share of the employees (roughly the population, in 10,000s).
    weight: u32,
    /// Most days anywhere anyone asks for.
    max_requested_days: u8,
    /// Whether a request of 2 days or more also carries the head of agency's approval.
    head_of_agency: bool,
}

const fn region(code: &'static str, name: &'static str, weight: u32) -> RegionSpec {
    RegionSpec {
        code,
        name,
        agencies: REGENCY_AGENCIES,
        weight,
        max_requested_days: 4,
        head_of_agency: false,
    }
}

const PROVINCE: RegionSpec = RegionSpec {
    code: "32",
    name: "Provinsi Jawa Barat",
    agencies: PROVINCE_AGENCIES,
    weight: 400,
    max_requested_days: 4,
    head_of_agency: false,
};

const BEKASI: RegionSpec = RegionSpec {
    code: "3216",
    name: "Kabupaten Bekasi",
    agencies: BEKASI_AGENCIES,
    weight: 320,
    max_requested_days: 2,
    head_of_agency: true,
};

/// The pilot's two regions, with equal shares.
const PROVINCE_PILOT: RegionSpec = RegionSpec { weight: 1, ..PROVINCE };
const BEKASI_PILOT: RegionSpec = RegionSpec { weight: 1, ..BEKASI };

/// West Java: the province, its 18 regencies (kabupaten) and 9 cities (kota), by BPS code.
const WEST_JAVA: &[RegionSpec] = &[
    PROVINCE,
    region("3201", "Kabupaten Bogor", 550),
    region("3202", "Kabupaten Sukabumi", 280),
    region("3203", "Kabupaten Cianjur", 250),
    region("3204", "Kabupaten Bandung", 380),
    region("3205", "Kabupaten Garut", 270),
    region("3206", "Kabupaten Tasikmalaya", 190),
    region("3207", "Kabupaten Ciamis", 125),
    region("3208", "Kabupaten Kuningan", 120),
    region("3209", "Kabupaten Cirebon", 230),
    region("3210", "Kabupaten Majalengka", 130),
    region("3211", "Kabupaten Sumedang", 115),
    region("3212", "Kabupaten Indramayu", 190),
    region("3213", "Kabupaten Subang", 165),
    region("3214", "Kabupaten Purwakarta", 100),
    region("3215", "Kabupaten Karawang", 250),
    BEKASI,
    region("3217", "Kabupaten Bandung Barat", 180),
    region("3218", "Kabupaten Pangandaran", 43),
    region("3271", "Kota Bogor", 110),
    region("3272", "Kota Sukabumi", 36),
    region("3273", "Kota Bandung", 250),
    region("3274", "Kota Cirebon", 34),
    region("3275", "Kota Bekasi", 260),
    region("3276", "Kota Depok", 210),
    region("3277", "Kota Cimahi", 58),
    region("3278", "Kota Tasikmalaya", 73),
    region("3279", "Kota Banjar", 20),
];

/// Which regions to seed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Regions {
    /// The province (32) and Kabupaten Bekasi (3216), half the employees each.
    #[default]
    Pilot,
    /// All 28 regions of West Java, the employees shared roughly by population.
    All,
    /// Some of the 28, by BPS code, shared as in [`Regions::All`].
    Codes(Vec<String>),
}

impl std::str::FromStr for Regions {
    type Err = String;

    fn from_str(s: &str) -> Result<Regions, String> {
        match s {
            "pilot" => Ok(Regions::Pilot),
            "all" => Ok(Regions::All),
            list => {
                let codes: Vec<String> = list.split(',').map(|c| c.trim().to_owned()).collect();
                if let Some(unknown) = codes.iter().find(|c| !WEST_JAVA.iter().any(|r| r.code == c.as_str())) {
                    return Err(format!(
                        "`{unknown}`: say `pilot` (the province and Kabupaten Bekasi), `all` (the 28 regions of \
                         West Java) or BPS codes of West Java's regions separated by commas (32, 3201 … 3218, \
                         3271 … 3279)"
                    ));
                }
                Ok(Regions::Codes(codes))
            }
        }
    }
}

impl Regions {
    fn specs(&self) -> Vec<&'static RegionSpec> {
        match self {
            // Equal weights: the pilot has always been split evenly between its two regions.
            Regions::Pilot => vec![&PROVINCE_PILOT, &BEKASI_PILOT],
            Regions::All => WEST_JAVA.iter().collect(),
            Regions::Codes(codes) => WEST_JAVA.iter().filter(|r| codes.iter().any(|c| c == r.code)).collect(),
        }
    }

    /// BPS code and name of every region seeded.
    pub fn codes(&self) -> Vec<(&'static str, &'static str)> {
        self.specs().into_iter().map(|r| (r.code, r.name)).collect()
    }
}

/// What to seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedOptions {
    /// Number of employees, shared between the regions.
    pub employees: usize,
    /// Quarter the applications are for.
    pub quarter: Quarter,
    /// Random seed.
    pub seed: u64,
    /// Which regions.
    pub regions: Regions,
}

/// Employees per batch handed from the generator to the writer: big enough for efficient
/// multi-row inserts, small enough to keep memory flat.
const BATCH_EMPLOYEES: usize = 20_000;

/// Generate and store `employees` synthetic employees, half in the province and half in
/// Bekasi, and applications for `quarter`. Fails if the database already has employees.
pub async fn seed(store: &Store, employees: usize, quarter: Quarter, seed: u64) -> Result<SeedSummary, StoreError> {
    let options = SeedOptions {
        employees,
        quarter,
        seed,
        regions: Regions::Pilot,
    };
    seed_with(store, &options, &|_| {}).await
}

/// One batch of generated rows, whole units, in the order they are written.
#[derive(Default)]
struct Batch {
    units: Vec<UnitRow>,
    employees: Vec<EmployeeRecord>,
    /// `(nip, unit, review)`.
    reviews: Vec<(String, String, QuarterReview)>,
    /// `(nip, unit, application)`.
    applications: Vec<(String, String, Application)>,
}

/// Generate and store synthetic data as `options` say, in one transaction, calling `progress`
/// with the number of employees written after each batch. Fails if the database already has
/// employees.
pub async fn seed_with(
    store: &Store,
    options: &SeedOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<SeedSummary, StoreError> {
    if store.count("employees").await? > 0 {
        return Err(StoreError::Conflict(
            "the database already has employees; seed an empty database".into(),
        ));
    }
    let specs = options.regions.specs();
    for spec in &specs {
        store.upsert_region(spec.code, spec.name).await?;
    }
    // Generation is CPU work: it runs on a blocking thread, one batch ahead of the writer.
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Batch>(2);
    let generate_options = options.clone();
    let generator = tokio::task::spawn_blocking(move || generate(&generate_options, sender));
    let mut conn = store.bulk_connection().await?;
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let at = dwa_store::now_rfc3339();
    while let Some(batch) = batches.recv().await {
        bulk::insert_units(&mut tx, &batch.units).await?;
        bulk::insert_employees(&mut tx, &batch.employees).await?;
        bulk::insert_reviews(&mut tx, &batch.reviews, &at).await?;
        bulk::insert_applications(&mut tx, &batch.applications, &at).await?;
        progress(batch.employees.len());
    }
    let (heads, summary) = generator
        .await
        .map_err(|e| StoreError::Conflict(format!("the seed generator failed: {e}")))?;
    bulk::insert_agency_heads(&mut tx, &heads).await?;
    tx.commit().await?;
    bulk::checkpoint(&mut conn).await?;
    Ok(summary)
}

/// The generator: region by region, unit by unit, in batches of whole units. Returns the heads
/// of agencies and the counts. Stops early when the writer has gone (it failed).
fn generate(
    options: &SeedOptions,
    batches: tokio::sync::mpsc::Sender<Batch>,
) -> (Vec<(String, String, String)>, SeedSummary) {
    let specs = options.regions.specs();
    let total_weight: u64 = specs.iter().map(|r| r.weight as u64).sum();
    let shares: Vec<usize> = {
        let mut shares: Vec<usize> = specs
            .iter()
            .map(|r| (options.employees as u64 * r.weight as u64 / total_weight) as usize)
            .collect();
        let rest = options.employees - shares.iter().sum::<usize>();
        for share in shares.iter_mut().take(rest) {
            *share += 1;
        }
        shares
    };
    let today = options.quarter.start();
    let mut summary = SeedSummary {
        regions: specs.len(),
        ..Default::default()
    };
    let mut nips = HashSet::with_capacity(options.employees);
    let mut heads: Vec<(String, String, String)> = Vec::new();
    let mut index = 0usize;
    let mut batch = Batch::default();
    for (spec, &employees) in specs.iter().zip(&shares) {
        // One generator per region: a region's data does not depend on which others are seeded.
        let mut rng = SplitMix::new(options.seed ^ fnv1a(spec.code.as_bytes()));
        // Work units (teams) of about 18 people: quotas are per unit, and real units are small.
        let base_units: usize = spec.agencies.iter().map(|a| a.3.len()).sum();
        let teams = (employees / (base_units * TEAM_SIZE)).max(1);
        let mut units = Vec::with_capacity(base_units * teams);
        for (agency, _agency_name, public, agency_units) in spec.agencies {
            for (suffix, unit_name) in *agency_units {
                for team in 1..=teams {
                    let unit = UnitRow {
                        code: format!("{}-{agency}-{suffix}-{team:02}", spec.code),
                        region: spec.code.into(),
                        agency: (*agency).into(),
                        name: format!("{unit_name}, Tim {team}"),
                    };
                    units.push((unit, *public));
                }
            }
        }
        summary.units += units.len();
        // The most senior administrator of each agency heads it (the second approver some
        // regions need).
        let mut region_heads: std::collections::BTreeMap<&str, (Date, String)> = Default::default();
        let count = units.len();
        for (j, (unit, public_agency)) in units.into_iter().enumerate() {
            let size = employees / count + usize::from(j < employees % count);
            let mut staff: Vec<EmployeeRecord> = (0..size)
                .map(|_| synthetic_employee(&mut rng, &unit, public_agency, today, &mut nips))
                .collect();
            // The first managerial employee of each unit supervises the others.
            let supervisor = staff
                .iter()
                .find(|r| matches!(r.position_kind, PositionKind::Administrator | PositionKind::Pengawas))
                .map(|r| r.nip.clone());
            for r in &mut staff {
                r.supervisor_nip = supervisor.clone().filter(|s| *s != r.nip);
                if r.position_kind == PositionKind::Administrator {
                    let agency = spec.agencies.iter().find(|a| a.0 == r.agency).map_or("", |a| a.0);
                    let head = region_heads
                        .entry(agency)
                        .or_insert_with(|| (r.appointed_on, r.nip.clone()));
                    if r.appointed_on < head.0 {
                        *head = (r.appointed_on, r.nip.clone());
                    }
                }
            }
            staff.sort_by(|a, b| a.nip.cmp(&b.nip));
            for r in &staff {
                if rng.chance(0.3) {
                    batch.reviews.push((
                        r.nip.clone(),
                        r.unit.clone(),
                        QuarterReview {
                            quarter: options.quarter.previous(),
                            granted_remote_days: rng.range(1, spec.max_requested_days.min(3) as i64) as u8,
                            kpi_achieved: rng.chance(0.85),
                        },
                    ));
                    summary.reviews += 1;
                }
                let applies = if r.public_service {
                    rng.chance(0.15)
                } else {
                    rng.chance(0.7)
                };
                if applies {
                    let application = synthetic_application(&mut rng, spec, r, options.quarter, index);
                    batch.applications.push((r.nip.clone(), r.unit.clone(), application));
                    summary.applications += 1;
                }
                index += 1;
            }
            summary.employees += staff.len();
            batch.units.push(unit);
            batch.employees.extend(staff);
            if batch.employees.len() >= BATCH_EMPLOYEES && batches.blocking_send(std::mem::take(&mut batch)).is_err() {
                return (heads, summary);
            }
        }
        heads.extend(
            region_heads
                .into_iter()
                .map(|(agency, (_, nip))| (spec.code.to_owned(), agency.to_owned(), nip)),
        );
    }
    let _ = batches.blocking_send(batch);
    (heads, summary)
}

/// FNV-1a, to derive each region's random stream from the seed and its code.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ *b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn synthetic_employee(
    rng: &mut SplitMix,
    unit: &UnitRow,
    public_agency: bool,
    today: Date,
    nips: &mut HashSet<u64>,
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
    // The NIP as a number (18 digits fit in a u64): millions of them stay cheap to keep unique.
    let prefix = ((birth.year as u64 * 100 + birth.month as u64) * 100 + birth.day as u64) * 1_000_000
        + appointed.year as u64 * 100
        + appointed.month as u64;
    let nip = loop {
        let candidate = (prefix * 10 + sex as u64) * 1000 + rng.range(1, 999) as u64;
        if nips.insert(candidate) {
            break format!("{candidate:018}");
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
        // A synthetic employee holds no position of the national reference.
        position_code: None,
        position_status: Default::default(),
    }
}

fn synthetic_application(
    rng: &mut SplitMix,
    spec: &RegionSpec,
    r: &EmployeeRecord,
    quarter: Quarter,
    index: usize,
) -> Application {
    let requested = rng.range(1, spec.max_requested_days as i64) as u8;
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
    if spec.head_of_agency && requested >= 2 && rng.chance(0.9) {
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
