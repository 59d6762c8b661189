//! Employee import from CSV, as regional HR (BKD/BKPSDM) exports it from the national personnel
//! system (SIASN/BKN): every row is validated, every problem names its column and says in plain
//! English what is wrong, and nothing is half-imported. The file is read as every import file is
//! (see `table`); this module holds the employee columns and their rules.
//!
//! [`parse_employees_csv`] is pure: text in, accepted records and rejected rows out.
//! [`import_employees`] adds the database: it also rejects NIPs that are already stored, then
//! writes the accepted rows in one transaction — all of them only when no row was rejected, or
//! the valid ones when the caller asked for a partial import.
//!
//! # The file
//!
//! UTF-8 (a leading byte-order mark is ignored), one header line, then one employee per line;
//! at most 100,000 employees. Fields are separated by commas, or by semicolons when the header
//! line has semicolons and no commas (as spreadsheets in the Indonesian locale save CSV); quote a
//! field that contains the separator. Column names are SIASN's camelCase field names where SIASN
//! has one (matched ignoring case); columns may come in any order, and every column below must be
//! present, even when its values are empty (only `kodeJabatan` may be left out). Values are
//! trimmed; word values ignore case, spaces, `_` and `-` (`PPPK Paruh Waktu` =
//! `pppk_paruh_waktu`). A line whose fields are all empty is skipped.
//!
//! | column | required | values | meaning |
//! |---|---|---|---|
//! | `nipBaru` | yes | 18 digits: birth date `YYYYMMDD`, appointment `YYYYMM`, sex `1`/`2`, sequence `001`–`999` | NIP; unique in the file and in the database |
//! | `nama` | yes | text, at most 200 characters | full name |
//! | `jenisPegawai` | yes | `PNS`, `CPNS`, `PPPK`, `PPPK Paruh Waktu` | employment type |
//! | `jenisJabatan` | yes | `JPT Utama`, `JPT Madya`, `JPT Pratama`, `Administrator`, `Pengawas`, `Fungsional`, `Pelaksana` | position kind |
//! | `eselon` | no | `I`, `II`, `III`, `IV`, optionally with a grade (`III.a`, `IV.b`); empty for non-structural positions | echelon; not allowed for `Fungsional` and `Pelaksana` |
//! | `unorId` | yes | a unit code of the importing region, e.g. `3216-BAPPEDA-PERENCANAAN-01` | organisational unit, imported first ([`super::units`]) and still active; the agency (OPD) is the unit's |
//! | `tmtCpns` | yes | `YYYY-MM-DD`, year and month equal to the NIP's appointment digits | CPNS (or PPPK) appointment date; service length counts from it |
//! | `layananPublik` | yes | `ya`, `tidak` | face-to-face public-service role (excluded from DWA) |
//! | `kategoriTugas` | yes | `perencanaan`, `keuangan`, `konseptor`, `penulisPidato`, `persetujuanDaring`, `entriData`, `analisisData`, `layananPublik`, `lainnya` | kind of work; `layananPublik` requires `layananPublik` = `ya` |
//! | `potensi` | yes | `tinggi`, `menengah`, `rendah` | talent potential (talent box X axis) |
//! | `skp` | no | `TAHUN:HASIL:PERILAKU` items separated by `;`, HASIL and PERILAKU each `diatas`, `sesuai`, `dibawah`; e.g. `2025:sesuai:sesuai;2026:diatas:sesuai` | SKP assessments (work result, work behaviour); one per year, not before the appointment year |
//! | `hukdis` | no | `TINGKAT:MULAI:SELESAI` items separated by `;`, TINGKAT `ringan`, `sedang`, `berat`, dates `YYYY-MM-DD`; SELESAI may be empty for `ringan`; e.g. `sedang:2026-01-01:2026-06-30` | disciplinary penalties (PP 94/2021) |
//! | `alpa12Bulan` | yes | whole number 0–365 | unexcused absence days in the last 12 months |
//! | `nipAtasan` | no | empty or a valid NIP other than the row's own | direct supervisor (atasan langsung) |
//! | `kodeJabatan` | no (the column may be left out) | empty, or 1–100 of `A–Z a–z 0–9 - _ .`, e.g. `JF-ANALIS-KEBIJAKAN-MUDA` | the position's code in the national position reference; the region's catalogue of positions ([`super::positions`]) says whether it qualifies, and the plugin is given both (a code the catalogue does not hold yet is "unlisted") |
//!
//! A problem with the whole file — not UTF-8, empty, a missing, unknown or repeated column, more
//! than 100,000 rows — rejects every row; it is reported with `field` set to the column or to
//! [`FILE_FIELD`](super::FILE_FIELD). A line with the wrong number of fields is rejected with
//! `field` = [`ROW_FIELD`](super::ROW_FIELD).

use super::employee_fields::{
    parse_absence, parse_date, parse_employment_type, parse_hukdis, parse_nip_field, parse_position_kind,
    parse_potential, parse_skp, parse_supervisor, parse_task_category, parse_unit,
};
use super::fields::{parse_echelon, parse_name, parse_yes_no};
use super::table::{self, Column, Parsed, ParsedRow, Row};
use super::{ImportOutcome, ImportReport};
use dwa_sdk::nip::Nip;
use dwa_sdk::{Date, EmploymentType, Penalty, PositionKind, Potential, SkpAssessment, TaskCategory};
use dwa_store::{EmployeeRecord, Store, StoreError, UnitRow};
use std::collections::{HashMap, HashSet};

/// The columns, in the order the module documentation lists them (an index into [`COLUMNS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Col {
    NipBaru,
    Nama,
    JenisPegawai,
    JenisJabatan,
    Eselon,
    UnorId,
    TmtCpns,
    LayananPublik,
    KategoriTugas,
    Potensi,
    Skp,
    Hukdis,
    Alpa12Bulan,
    NipAtasan,
    KodeJabatan,
}

/// The header names, by [`Col`]; every column but `kodeJabatan` must be present.
pub(crate) const COLUMNS: [Column; 15] = [
    table::required("nipBaru"),
    table::required("nama"),
    table::required("jenisPegawai"),
    table::required("jenisJabatan"),
    table::required("eselon"),
    table::required("unorId"),
    table::required("tmtCpns"),
    table::required("layananPublik"),
    table::required("kategoriTugas"),
    table::required("potensi"),
    table::required("skp"),
    table::required("hukdis"),
    table::required("alpa12Bulan"),
    table::required("nipAtasan"),
    table::optional("kodeJabatan"),
];

impl Col {
    fn name(self) -> &'static str {
        COLUMNS[self as usize].name
    }
}

/// The column names, in documentation order: the header of a valid file.
pub fn columns() -> Vec<&'static str> {
    table::names(&COLUMNS)
}

/// Parse and validate a CSV file given as bytes: invalid UTF-8 rejects the whole file.
pub fn parse_employees_csv_bytes(bytes: &[u8], region: &str, known_units: &HashMap<String, UnitRow>) -> ImportReport {
    parse_rows(bytes, region, known_units, &HashSet::new()).finish()
}

/// Parse and validate a CSV file of employees for `region`; `known_units` maps unit codes to
/// units (of any region: a unit of another region gets a clearer message than an unknown one).
pub fn parse_employees_csv(text: &str, region: &str, known_units: &HashMap<String, UnitRow>) -> ImportReport {
    parse_rows(text.as_bytes(), region, known_units, &HashSet::new()).finish()
}

/// Validate `csv` against the database's units and employees and write the valid employees of
/// `region`: all of them only if no row is rejected, or (with `partial`) the valid ones, in one
/// transaction either way. A NIP that is already stored rejects its row, and so does a unit
/// that is no longer active.
///
/// A concurrent import of the same NIP between the check and the write makes the write fail
/// with [`StoreError::Conflict`], and nothing is written.
pub async fn import_employees(
    store: &Store,
    region: &str,
    csv: &[u8],
    partial: bool,
) -> Result<ImportOutcome, StoreError> {
    let units: HashMap<String, UnitRow> = store
        .units(None)
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();
    let inactive = store.inactive_units().await?;
    let mut parsed = parse_rows(csv, region, &units, &inactive);
    reject_stored_nips(store, &mut parsed).await?;
    let report = parsed.finish();
    let write = !report.accepted.is_empty() && (partial || report.rejected.is_empty());
    if write {
        store.insert_employees(&report.accepted).await?;
    }
    Ok(ImportOutcome {
        imported: if write { report.accepted.len() } else { 0 },
        rejected: report.rejected,
        written: write,
    })
}

/// Add an "already exists" problem to every row whose NIP is in the database (checked for
/// rejected rows too, so one report lists everything to fix).
async fn reject_stored_nips(store: &Store, parsed: &mut Parsed<EmployeeRecord>) -> Result<(), StoreError> {
    let nips: Vec<&str> = parsed.rows.iter().filter_map(|r| r.valid_key.as_deref()).collect();
    let existing = store.existing_nips(&nips).await?;
    for row in &mut parsed.rows {
        if let Some(nip) = row.valid_key.clone().filter(|n| existing.contains(n)) {
            row.problem(Col::NipBaru.name(), super::ImportProblem::EmployeeExists(nip));
        }
    }
    Ok(())
}

/// Read the file, parse every row, then mark duplicate NIPs.
fn parse_rows(
    bytes: &[u8],
    region: &str,
    known_units: &HashMap<String, UnitRow>,
    inactive: &HashSet<String>,
) -> Parsed<EmployeeRecord> {
    let units = Units { known_units, inactive };
    let mut parsed = table::read(bytes, &COLUMNS, super::FileKind::Employees, |row| {
        parse_row(row, region, &units)
    });
    let others: [(super::FileKind, &[Column]); 2] = [
        (super::FileKind::Units, &super::units::COLUMNS),
        (super::FileKind::Positions, &super::positions::COLUMNS),
    ];
    table::wrong_file(&mut parsed, bytes, super::FileKind::Employees, &others);
    parsed.mark_duplicates(Col::NipBaru.name(), |nip, lines| super::ImportProblem::Duplicate {
        kind: super::FileKind::Employees,
        key: nip.to_owned(),
        lines: lines.to_owned(),
    });
    parsed
}

/// The units an employee may be imported into.
struct Units<'a> {
    known_units: &'a HashMap<String, UnitRow>,
    inactive: &'a HashSet<String>,
}

/// Validate one data row: each field on its own, then the fields against each other.
fn parse_row(row: &Row<'_>, region: &str, units: &Units<'_>) -> ParsedRow<EmployeeRecord> {
    let get = |col: Col| row.get(col as usize);
    let nip_text = Some(get(Col::NipBaru).to_owned()).filter(|n| !n.is_empty());
    let mut parsed = ParsedRow::new(row.line, nip_text, None);
    if let Some((field, problem)) = row.width_problem() {
        parsed.problem(field, problem);
        return parsed;
    }
    let unit = parse_unit(get(Col::UnorId), region, units.known_units, units.inactive);
    let p = &mut parsed;
    let fields = Fields {
        nip: p.field(Col::NipBaru.name(), parse_nip_field(get(Col::NipBaru))),
        name: p.field(Col::Nama.name(), parse_name(get(Col::Nama))),
        employment_type: p.field(Col::JenisPegawai.name(), parse_employment_type(get(Col::JenisPegawai))),
        position_kind: p.field(Col::JenisJabatan.name(), parse_position_kind(get(Col::JenisJabatan))),
        echelon: p.field(Col::Eselon.name(), parse_echelon(get(Col::Eselon))),
        unit: p.field(Col::UnorId.name(), unit),
        appointed_on: p.field(Col::TmtCpns.name(), parse_date(get(Col::TmtCpns))),
        public_service: p.field(Col::LayananPublik.name(), parse_yes_no(get(Col::LayananPublik))),
        task_category: p.field(Col::KategoriTugas.name(), parse_task_category(get(Col::KategoriTugas))),
        potential: p.field(Col::Potensi.name(), parse_potential(get(Col::Potensi))),
        ratings: p.field(Col::Skp.name(), parse_skp(get(Col::Skp))),
        penalties: p.field(Col::Hukdis.name(), parse_hukdis(get(Col::Hukdis))),
        absence: p.field(Col::Alpa12Bulan.name(), parse_absence(get(Col::Alpa12Bulan))),
        supervisor: p.field(Col::NipAtasan.name(), parse_supervisor(get(Col::NipAtasan))),
        position_code: p.field(Col::KodeJabatan.name(), parse_position_code(get(Col::KodeJabatan))),
    };
    parsed.valid_key = fields.nip.as_ref().map(|_| get(Col::NipBaru).to_owned());
    for (col, problem) in cross_check(&fields, get(Col::NipBaru)) {
        parsed.problem(col.name(), problem);
    }
    if parsed.problems.is_empty() {
        parsed.record = fields.into_record(get(Col::NipBaru), region);
    }
    parsed
}

/// Each column's parsed value; `None` where the field was invalid (its problem is recorded).
struct Fields {
    nip: Option<Nip>,
    name: Option<String>,
    employment_type: Option<EmploymentType>,
    position_kind: Option<PositionKind>,
    echelon: Option<Option<u8>>,
    unit: Option<UnitRow>,
    appointed_on: Option<Date>,
    public_service: Option<bool>,
    task_category: Option<TaskCategory>,
    potential: Option<Potential>,
    ratings: Option<Vec<SkpAssessment>>,
    penalties: Option<Vec<Penalty>>,
    absence: Option<u32>,
    supervisor: Option<Option<String>>,
    position_code: Option<Option<String>>,
}

impl Fields {
    /// The record, when every field is valid.
    fn into_record(self, nip: &str, region: &str) -> Option<EmployeeRecord> {
        self.nip?;
        let unit = self.unit?;
        Some(EmployeeRecord {
            nip: nip.to_owned(),
            name: self.name?,
            employment_type: self.employment_type?,
            region: region.to_owned(),
            agency: unit.agency,
            unit: unit.code,
            position_kind: self.position_kind?,
            echelon: self.echelon?,
            public_service: self.public_service?,
            task_category: self.task_category?,
            appointed_on: self.appointed_on?,
            potential: self.potential?,
            unexcused_absence_days: self.absence?,
            supervisor_nip: self.supervisor?,
            ratings: self.ratings?,
            penalties: self.penalties?,
            position_code: self.position_code?,
            // The catalogue decides this when the employee is read.
            position_status: Default::default(),
        })
    }
}

/// An optional position code: empty for none, otherwise a code as the catalogue's file takes it.
fn parse_position_code(text: &str) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    super::positions::parse_code(text).map(Some)
}

/// Rules that tie fields together, checked only where both fields are valid on their own.
fn cross_check(f: &Fields, nip_text: &str) -> Vec<(Col, super::ImportProblem)> {
    let mut problems = Vec::new();
    if let (Some(nip), Some(date)) = (&f.nip, &f.appointed_on)
        && (nip.appointed_year, nip.appointed_month) != (date.year, date.month)
    {
        problems.push((
            Col::TmtCpns,
            super::ImportProblem::AppointmentNotNip {
                date: *date,
                year: nip.appointed_year,
                month: nip.appointed_month,
            },
        ));
    }
    if let (Some(Some(echelon)), Some(kind @ (PositionKind::Fungsional | PositionKind::Pelaksana))) =
        (f.echelon, f.position_kind)
    {
        problems.push((
            Col::Eselon,
            super::ImportProblem::EchelonWithoutPost {
                echelon,
                kind: format!("{kind:?}"),
            },
        ));
    }
    if f.task_category == Some(TaskCategory::PublicService) && f.public_service == Some(false) {
        problems.push((Col::KategoriTugas, super::ImportProblem::PublicServiceTask));
    }
    if let (Some(ratings), Some(date)) = (&f.ratings, &f.appointed_on) {
        for r in ratings.iter().filter(|r| r.year < date.year) {
            problems.push((
                Col::Skp,
                super::ImportProblem::SkpBeforeAppointment {
                    skp: r.year,
                    appointed: date.year,
                },
            ));
        }
    }
    if let Some(Some(supervisor)) = &f.supervisor
        && supervisor == nip_text
    {
        problems.push((Col::NipAtasan, super::ImportProblem::OwnSupervisor));
    }
    problems
}
