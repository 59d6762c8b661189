//! Quarterly reports for regional and provincial HR: participation per unit and region, the
//! breakdown of decisions by reason, and the estimated savings from days away. Each report is a
//! set of typed rows (serde) and, through [`to_csv`], CSV text with a header and a stable column
//! order.
//!
//! Every report covers one quarter and one region, or every region when `region` is `None`.
//! Counts come from the database ([`dwa_store`]); the unit costs of the savings estimate come
//! from each region's manifest parameters, which the caller passes in (see
//! [`UnitCosts::from_params`]), so this module knows nothing of plugins.

use dwa_sdk::{ParamValue, Params, Quarter};
use dwa_store::{DecisionCount, ReasonCount, Store, StoreError, UnitActivity};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Weeks in a quarter, for turning days away per week into days away per quarter.
pub const WEEKS_PER_QUARTER: f64 = 13.0;

/// Manifest parameter: rupiah saved on transport per person per day away.
pub const TRANSPORT_COST_PARAMETER: &str = "transport_cost_per_day";
/// Manifest parameter: rupiah saved on meals per person per day away.
pub const MEAL_COST_PARAMETER: &str = "meal_cost_per_day";
/// Manifest parameter: rupiah saved on electricity and water per person per day away.
pub const UTILITIES_COST_PARAMETER: &str = "utilities_cost_per_day";

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The savings estimate covers a region for which no unit costs were given.
    #[error(
        "no unit costs for region {region}: its manifest needs {TRANSPORT_COST_PARAMETER}, {MEAL_COST_PARAMETER} and {UTILITIES_COST_PARAMETER}"
    )]
    NoUnitCosts {
        /// Region code.
        region: String,
    },
    /// A unit-cost parameter is missing or not a non-negative number.
    #[error("manifest parameter `{parameter}` {problem}")]
    BadUnitCost {
        /// Parameter name.
        parameter: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

/// What one person's day away saves, in rupiah.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct UnitCosts {
    /// Transport.
    pub transport: f64,
    /// Meals.
    pub meals: f64,
    /// Electricity and water at the office.
    pub utilities: f64,
}

impl UnitCosts {
    /// Read the three cost parameters of a region's manifest; each must be set and be a
    /// non-negative number (a savings figure built on a default would look real and be wrong).
    pub fn from_params(params: &Params) -> Result<UnitCosts, ReportError> {
        let read = |parameter: &'static str| {
            let value = match params.get(parameter) {
                Some(ParamValue::Integer(v)) => *v as f64,
                Some(ParamValue::Number(v)) => *v,
                Some(other) => {
                    return Err(ReportError::BadUnitCost {
                        parameter,
                        problem: format!("must be a number of rupiah, found {other:?}"),
                    });
                }
                None => {
                    return Err(ReportError::BadUnitCost {
                        parameter,
                        problem: "is not set".into(),
                    });
                }
            };
            if value.is_finite() && value >= 0.0 {
                Ok(value)
            } else {
                Err(ReportError::BadUnitCost {
                    parameter,
                    problem: format!("must not be negative, found {value}"),
                })
            }
        };
        Ok(UnitCosts {
            transport: read(TRANSPORT_COST_PARAMETER)?,
            meals: read(MEAL_COST_PARAMETER)?,
            utilities: read(UTILITIES_COST_PARAMETER)?,
        })
    }
}

/// A report row that can be written as CSV.
pub trait CsvRow {
    /// Column names, in output order.
    const COLUMNS: &'static [&'static str];
    /// This row's values, one per column, in the same order.
    fn values(&self) -> Vec<String>;
}

/// CSV text: a header line with [`CsvRow::COLUMNS`], then one line per row (RFC 4180 quoting).
pub fn to_csv<R: CsvRow>(rows: &[R]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail, and every record has the header's length.
    writer.write_record(R::COLUMNS).expect("CSV to memory");
    for row in rows {
        writer.write_record(row.values()).expect("CSV to memory");
    }
    let bytes = writer.into_inner().expect("CSV to memory");
    String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8")
}

/// `part / whole`, or 0 when there is no whole.
fn fraction(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { part as f64 / whole as f64 }
}

/// A fraction for CSV: four decimals.
fn csv_fraction(value: f64) -> String {
    format!("{value:.4}")
}

/// Rupiah for CSV: whole rupiah.
fn csv_rupiah(value: f64) -> String {
    format!("{value:.0}")
}

// ---- participation ----

/// Participation of one unit, or of a region (then `unit` and `agency` are empty).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParticipationRow {
    /// The quarter.
    pub quarter: Quarter,
    /// Region code.
    pub region: String,
    /// Unit code; `None` on a region row.
    pub unit: Option<String>,
    /// Agency (OPD) code; `None` on a region row.
    pub agency: Option<String>,
    /// Employees.
    pub headcount: u64,
    /// Live applications for the quarter.
    pub applications: u64,
    /// Applications whose latest decision is eligible.
    pub eligible: u64,
    /// People granted at least one day away a week (roster).
    pub granted: u64,
    /// Days away per week, summed over the roster.
    pub remote_days: u64,
    /// applications / headcount.
    pub application_rate: f64,
    /// eligible / applications.
    pub eligible_rate: f64,
    /// granted / eligible.
    pub grant_rate: f64,
    /// granted / headcount: the share of staff working anywhere part of the week.
    pub participation_rate: f64,
    /// Average days away per week of those granted.
    pub average_remote_days: f64,
}

impl ParticipationRow {
    fn new(quarter: Quarter, region: &str, unit: Option<&UnitActivity>, counts: Counts) -> ParticipationRow {
        ParticipationRow {
            quarter,
            region: region.to_owned(),
            unit: unit.map(|u| u.unit.clone()),
            agency: unit.map(|u| u.agency.clone()),
            headcount: counts.headcount,
            applications: counts.applications,
            eligible: counts.eligible,
            granted: counts.granted,
            remote_days: counts.remote_days,
            application_rate: fraction(counts.applications, counts.headcount),
            eligible_rate: fraction(counts.eligible, counts.applications),
            grant_rate: fraction(counts.granted, counts.eligible),
            participation_rate: fraction(counts.granted, counts.headcount),
            average_remote_days: fraction(counts.remote_days, counts.granted),
        }
    }
}

impl CsvRow for ParticipationRow {
    const COLUMNS: &'static [&'static str] = &[
        "quarter",
        "region",
        "unit",
        "agency",
        "headcount",
        "applications",
        "eligible",
        "granted",
        "remote_days",
        "application_rate",
        "eligible_rate",
        "grant_rate",
        "participation_rate",
        "average_remote_days",
    ];

    fn values(&self) -> Vec<String> {
        vec![
            self.quarter.to_string(),
            self.region.clone(),
            self.unit.clone().unwrap_or_default(),
            self.agency.clone().unwrap_or_default(),
            self.headcount.to_string(),
            self.applications.to_string(),
            self.eligible.to_string(),
            self.granted.to_string(),
            self.remote_days.to_string(),
            csv_fraction(self.application_rate),
            csv_fraction(self.eligible_rate),
            csv_fraction(self.grant_rate),
            csv_fraction(self.participation_rate),
            csv_fraction(self.average_remote_days),
        ]
    }
}

/// Participation per unit and per region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParticipationReport {
    /// The quarter.
    pub quarter: Quarter,
    /// One row per unit, by unit code.
    pub units: Vec<ParticipationRow>,
    /// One row per region (the sum of its units), by region code.
    pub regions: Vec<ParticipationRow>,
}

/// The additive counts behind a participation row.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    headcount: u64,
    applications: u64,
    eligible: u64,
    granted: u64,
    remote_days: u64,
}

impl Counts {
    fn of(unit: &UnitActivity) -> Counts {
        Counts {
            headcount: unit.headcount,
            applications: unit.applications,
            eligible: unit.eligible,
            granted: unit.granted,
            remote_days: unit.remote_days,
        }
    }

    fn add(&mut self, other: Counts) {
        self.headcount += other.headcount;
        self.applications += other.applications;
        self.eligible += other.eligible;
        self.granted += other.granted;
        self.remote_days += other.remote_days;
    }
}

/// Participation in `quarter` of every unit of `region` (or of all regions), with region totals.
pub async fn participation(
    store: &Store,
    region: Option<&str>,
    quarter: Quarter,
) -> Result<ParticipationReport, ReportError> {
    let activity = store.unit_activity(region, quarter).await?;
    let mut by_region: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut units = Vec::with_capacity(activity.len());
    for unit in &activity {
        by_region.entry(&unit.region).or_default().add(Counts::of(unit));
        units.push(ParticipationRow::new(
            quarter,
            &unit.region,
            Some(unit),
            Counts::of(unit),
        ));
    }
    let regions = by_region
        .into_iter()
        .map(|(region, counts)| ParticipationRow::new(quarter, region, None, counts))
        .collect();
    Ok(ParticipationReport {
        quarter,
        units,
        regions,
    })
}

// ---- reasons ----

/// How one reason code fared in a region's latest decisions.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReasonRow {
    /// The quarter.
    pub quarter: Quarter,
    /// Region code (of the rules that decided).
    pub region: String,
    /// Reason code, e.g. `RATING`.
    pub code: String,
    /// Latest decisions in the region (one per live application).
    pub decisions: u64,
    /// Of which this reason passed.
    pub passed: u64,
    /// Of which this reason failed.
    pub failed: u64,
    /// failed / decisions: how often this gate kept people in the office.
    pub failed_rate: f64,
}

impl CsvRow for ReasonRow {
    const COLUMNS: &'static [&'static str] = &[
        "quarter",
        "region",
        "code",
        "decisions",
        "passed",
        "failed",
        "failed_rate",
    ];

    fn values(&self) -> Vec<String> {
        vec![
            self.quarter.to_string(),
            self.region.clone(),
            self.code.clone(),
            self.decisions.to_string(),
            self.passed.to_string(),
            self.failed.to_string(),
            csv_fraction(self.failed_rate),
        ]
    }
}

/// Decisions and the reasons behind them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReasonsReport {
    /// The quarter.
    pub quarter: Quarter,
    /// Latest decisions and eligible ones per region, by region code.
    pub decisions: Vec<DecisionCount>,
    /// One row per region and reason code, by region then code.
    pub rows: Vec<ReasonRow>,
}

/// Passed and failed counts per reason code over the latest decision of every live application
/// of `quarter` in `region` (or all regions).
pub async fn reasons(store: &Store, region: Option<&str>, quarter: Quarter) -> Result<ReasonsReport, ReportError> {
    let decisions = store.decision_counts(region, quarter).await?;
    let totals: HashMap<&str, u64> = decisions.iter().map(|d| (d.region.as_str(), d.decisions)).collect();
    let rows = store
        .reason_counts(region, quarter)
        .await?
        .into_iter()
        .map(
            |ReasonCount {
                 region,
                 code,
                 passed,
                 failed,
             }| {
                let decisions = totals.get(region.as_str()).copied().unwrap_or(passed + failed);
                ReasonRow {
                    quarter,
                    failed_rate: fraction(failed, decisions),
                    region,
                    code,
                    decisions,
                    passed,
                    failed,
                }
            },
        )
        .collect();
    Ok(ReasonsReport {
        quarter,
        decisions,
        rows,
    })
}

// ---- savings ----

/// Estimated savings of one unit, or of a region (then `unit` and `agency` are empty), in rupiah.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SavingsRow {
    /// The quarter.
    pub quarter: Quarter,
    /// Region code.
    pub region: String,
    /// Unit code; `None` on a region row.
    pub unit: Option<String>,
    /// Agency (OPD) code; `None` on a region row.
    pub agency: Option<String>,
    /// Days away per week, summed over the roster.
    pub remote_days_per_week: u64,
    /// Person-days away in the quarter: days per week × [`WEEKS_PER_QUARTER`].
    pub days_away: f64,
    /// Transport saved.
    pub transport: f64,
    /// Meals saved.
    pub meals: f64,
    /// Electricity and water saved.
    pub utilities: f64,
    /// All three.
    pub total: f64,
}

impl SavingsRow {
    fn new(
        quarter: Quarter,
        region: &str,
        unit: Option<&UnitActivity>,
        days_per_week: u64,
        costs: UnitCosts,
    ) -> SavingsRow {
        let days_away = days_per_week as f64 * WEEKS_PER_QUARTER;
        let (transport, meals, utilities) = (
            days_away * costs.transport,
            days_away * costs.meals,
            days_away * costs.utilities,
        );
        SavingsRow {
            quarter,
            region: region.to_owned(),
            unit: unit.map(|u| u.unit.clone()),
            agency: unit.map(|u| u.agency.clone()),
            remote_days_per_week: days_per_week,
            days_away,
            transport,
            meals,
            utilities,
            total: transport + meals + utilities,
        }
    }
}

impl CsvRow for SavingsRow {
    const COLUMNS: &'static [&'static str] = &[
        "quarter",
        "region",
        "unit",
        "agency",
        "remote_days_per_week",
        "days_away",
        "transport_rupiah",
        "meals_rupiah",
        "utilities_rupiah",
        "total_rupiah",
    ];

    fn values(&self) -> Vec<String> {
        vec![
            self.quarter.to_string(),
            self.region.clone(),
            self.unit.clone().unwrap_or_default(),
            self.agency.clone().unwrap_or_default(),
            self.remote_days_per_week.to_string(),
            format!("{:.0}", self.days_away),
            csv_rupiah(self.transport),
            csv_rupiah(self.meals),
            csv_rupiah(self.utilities),
            csv_rupiah(self.total),
        ]
    }
}

/// Savings over every region in the report, in rupiah.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct SavingsTotals {
    /// Days away per week, summed.
    pub remote_days_per_week: u64,
    /// Person-days away in the quarter.
    pub days_away: f64,
    /// Transport saved.
    pub transport: f64,
    /// Meals saved.
    pub meals: f64,
    /// Electricity and water saved.
    pub utilities: f64,
    /// All three.
    pub total: f64,
}

impl SavingsTotals {
    fn add(&mut self, row: &SavingsRow) {
        self.remote_days_per_week += row.remote_days_per_week;
        self.days_away += row.days_away;
        self.transport += row.transport;
        self.meals += row.meals;
        self.utilities += row.utilities;
        self.total += row.total;
    }
}

/// Estimated savings per unit and region, and overall.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SavingsReport {
    /// The quarter.
    pub quarter: Quarter,
    /// Weeks counted in the quarter.
    pub weeks: f64,
    /// One row per unit, by unit code.
    pub units: Vec<SavingsRow>,
    /// One row per region, by region code.
    pub regions: Vec<SavingsRow>,
    /// Every region together.
    pub total: SavingsTotals,
}

/// Estimated savings in `quarter` of every unit of `region` (or of all regions): the roster's
/// days away per week × [`WEEKS_PER_QUARTER`] × the region's unit costs. `costs` must have an
/// entry for every region reported (each region's from its manifest).
pub async fn savings(
    store: &Store,
    region: Option<&str>,
    quarter: Quarter,
    costs: &HashMap<String, UnitCosts>,
) -> Result<SavingsReport, ReportError> {
    let activity = store.unit_activity(region, quarter).await?;
    let costs_of = |region: &str| {
        costs.get(region).copied().ok_or_else(|| ReportError::NoUnitCosts {
            region: region.to_owned(),
        })
    };
    let mut days_by_region: BTreeMap<&str, u64> = BTreeMap::new();
    let mut units = Vec::with_capacity(activity.len());
    for unit in &activity {
        *days_by_region.entry(&unit.region).or_default() += unit.remote_days;
        units.push(SavingsRow::new(
            quarter,
            &unit.region,
            Some(unit),
            unit.remote_days,
            costs_of(&unit.region)?,
        ));
    }
    let mut total = SavingsTotals::default();
    let mut regions = Vec::with_capacity(days_by_region.len());
    for (region, days) in days_by_region {
        let row = SavingsRow::new(quarter, region, None, days, costs_of(region)?);
        total.add(&row);
        regions.push(row);
    }
    Ok(SavingsReport {
        quarter,
        weeks: WEEKS_PER_QUARTER,
        units,
        regions,
        total,
    })
}
