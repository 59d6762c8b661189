//! Employee import from CSV, as regional HR (BKD/BKPSDM) exports it from the national personnel
//! system (SIASN/BKN): every row is validated, every problem names its column and says in plain
//! English what is wrong, and nothing is half-imported.
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
//! present, even when its values are empty. Values are trimmed; word values ignore case, spaces,
//! `_` and `-` (`PPPK Paruh Waktu` = `pppk_paruh_waktu`). A line whose fields are all empty is
//! skipped.
//!
//! | column | required | values | meaning |
//! |---|---|---|---|
//! | `nipBaru` | yes | 18 digits: birth date `YYYYMMDD`, appointment `YYYYMM`, sex `1`/`2`, sequence `001`–`999` | NIP; unique in the file and in the database |
//! | `nama` | yes | text, at most 200 characters | full name |
//! | `jenisPegawai` | yes | `PNS`, `CPNS`, `PPPK`, `PPPK Paruh Waktu` | employment type |
//! | `jenisJabatan` | yes | `JPT Utama`, `JPT Madya`, `JPT Pratama`, `Administrator`, `Pengawas`, `Fungsional`, `Pelaksana` | position kind |
//! | `eselon` | no | `I`, `II`, `III`, `IV`, optionally with a grade (`III.a`, `IV.b`); empty for non-structural positions | echelon; not allowed for `Fungsional` and `Pelaksana` |
//! | `unorId` | yes | a unit code of the importing region, e.g. `3216-BAPPEDA-PERENCANAAN-01` | organisational unit; the agency (OPD) is the unit's |
//! | `tmtCpns` | yes | `YYYY-MM-DD`, year and month equal to the NIP's appointment digits | CPNS (or PPPK) appointment date; service length counts from it |
//! | `layananPublik` | yes | `ya`, `tidak` | face-to-face public-service role (excluded from DWA) |
//! | `kategoriTugas` | yes | `perencanaan`, `keuangan`, `konseptor`, `penulisPidato`, `persetujuanDaring`, `entriData`, `analisisData`, `layananPublik`, `lainnya` | kind of work; `layananPublik` requires `layananPublik` = `ya` |
//! | `potensi` | yes | `tinggi`, `menengah`, `rendah` | talent potential (talent box X axis) |
//! | `skp` | no | `TAHUN:HASIL:PERILAKU` items separated by `;`, HASIL and PERILAKU each `diatas`, `sesuai`, `dibawah`; e.g. `2025:sesuai:sesuai;2026:diatas:sesuai` | SKP assessments (work result, work behaviour); one per year, not before the appointment year |
//! | `hukdis` | no | `TINGKAT:MULAI:SELESAI` items separated by `;`, TINGKAT `ringan`, `sedang`, `berat`, dates `YYYY-MM-DD`; SELESAI may be empty for `ringan`; e.g. `sedang:2026-01-01:2026-06-30` | disciplinary penalties (PP 94/2021) |
//! | `alpa12Bulan` | yes | whole number 0–365 | unexcused absence days in the last 12 months |
//! | `nipAtasan` | no | empty or a valid NIP other than the row's own | direct supervisor (atasan langsung) |
//!
//! A problem with the whole file — not UTF-8, empty, a missing, unknown or repeated column, more
//! than 100,000 rows — rejects every row; it is reported with `field` set to the column or to
//! [`FILE_FIELD`]. A line with the wrong number of fields is rejected with `field` =
//! [`ROW_FIELD`].

use dwa_sdk::nip::{Nip, parse_nip};
use dwa_sdk::{
    Date, EmploymentType, Expectation, Penalty, PenaltyLevel, PositionKind, Potential, SkpAssessment, TaskCategory,
};
use dwa_store::{EmployeeRecord, Store, StoreError, UnitRow};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Largest number of employees one file may hold.
pub const MAX_ROWS: usize = 100_000;

/// `field` of a problem with the whole file rather than one column.
pub const FILE_FIELD: &str = "file";

/// `field` of a problem with a whole line (wrong number of fields).
pub const ROW_FIELD: &str = "row";

/// Longest accepted name, in characters.
const MAX_NAME_CHARS: usize = 200;

/// One problem with one row (or with the file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// 1-based line in the file where the row starts; the header is line 1.
    pub line: usize,
    /// The row's `nipBaru` as written, when it has one.
    pub nip: Option<String>,
    /// The column at fault, or [`FILE_FIELD`] / [`ROW_FIELD`].
    pub field: String,
    /// What is wrong, in plain English.
    pub problem: String,
}

/// What parsing a file gave: the valid employees and every problem found.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ImportReport {
    /// Valid rows, in file order.
    pub accepted: Vec<EmployeeRecord>,
    /// Problems, by line (a row with several problems appears several times).
    pub rejected: Vec<RejectedRow>,
}

/// What [`import_employees`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    /// Employees written.
    pub imported: usize,
    /// Problems, by line; rows named here were not written.
    pub rejected: Vec<RejectedRow>,
    /// Whether anything was written (false after a rejection in all-or-nothing mode, or when
    /// no row was valid).
    pub written: bool,
}

/// The columns, in the order the module documentation lists them.
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
}

impl Col {
    const ALL: [Col; 14] = [
        Col::NipBaru,
        Col::Nama,
        Col::JenisPegawai,
        Col::JenisJabatan,
        Col::Eselon,
        Col::UnorId,
        Col::TmtCpns,
        Col::LayananPublik,
        Col::KategoriTugas,
        Col::Potensi,
        Col::Skp,
        Col::Hukdis,
        Col::Alpa12Bulan,
        Col::NipAtasan,
    ];

    fn name(self) -> &'static str {
        match self {
            Col::NipBaru => "nipBaru",
            Col::Nama => "nama",
            Col::JenisPegawai => "jenisPegawai",
            Col::JenisJabatan => "jenisJabatan",
            Col::Eselon => "eselon",
            Col::UnorId => "unorId",
            Col::TmtCpns => "tmtCpns",
            Col::LayananPublik => "layananPublik",
            Col::KategoriTugas => "kategoriTugas",
            Col::Potensi => "potensi",
            Col::Skp => "skp",
            Col::Hukdis => "hukdis",
            Col::Alpa12Bulan => "alpa12Bulan",
            Col::NipAtasan => "nipAtasan",
        }
    }
}

/// The column names, in documentation order: the header of a valid file.
pub fn columns() -> Vec<&'static str> {
    Col::ALL.iter().map(|c| c.name()).collect()
}

/// Parse and validate a CSV file given as bytes: invalid UTF-8 rejects the whole file.
pub fn parse_employees_csv_bytes(bytes: &[u8], region: &str, known_units: &HashMap<String, UnitRow>) -> ImportReport {
    parse_rows(bytes, region, known_units).finish()
}

/// Parse and validate a CSV file of employees for `region`; `known_units` maps unit codes to
/// units (of any region: a unit of another region gets a clearer message than an unknown one).
pub fn parse_employees_csv(text: &str, region: &str, known_units: &HashMap<String, UnitRow>) -> ImportReport {
    parse_rows(text.as_bytes(), region, known_units).finish()
}

/// Validate `csv` against the database's units and employees and write the valid employees of
/// `region`: all of them only if no row is rejected, or (with `partial`) the valid ones, in one
/// transaction either way. A NIP that is already stored rejects its row.
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
    let mut parsed = parse_rows(csv, region, &units);
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
async fn reject_stored_nips(store: &Store, parsed: &mut Parsed) -> Result<(), StoreError> {
    let nips: Vec<&str> = parsed.rows.iter().filter_map(|r| r.valid_nip.as_deref()).collect();
    let existing = store.existing_nips(&nips).await?;
    for row in &mut parsed.rows {
        if let Some(nip) = row.valid_nip.as_deref().filter(|n| existing.contains(*n)) {
            let problem = format!("an employee with NIP {nip} already exists");
            row.problem(Col::NipBaru.name(), problem);
        }
    }
    Ok(())
}

/// Every row of a file, before the accepted and rejected rows are split.
#[derive(Default)]
struct Parsed {
    /// Problems with the whole file; when present, no row is accepted.
    file_problems: Vec<RejectedRow>,
    rows: Vec<ParsedRow>,
}

/// One data row: its record when every field was valid, and its problems.
struct ParsedRow {
    line: usize,
    /// `nipBaru` as written (for reports).
    nip_text: Option<String>,
    /// `nipBaru` when it is a valid NIP (for duplicate and database checks).
    valid_nip: Option<String>,
    record: Option<EmployeeRecord>,
    problems: Vec<RejectedRow>,
}

impl ParsedRow {
    fn problem(&mut self, field: &str, problem: String) {
        self.problems.push(RejectedRow {
            line: self.line,
            nip: self.nip_text.clone(),
            field: field.to_owned(),
            problem,
        });
    }
}

impl Parsed {
    fn file_problem(line: usize, field: &str, problem: String) -> Parsed {
        Parsed {
            file_problems: vec![RejectedRow {
                line,
                nip: None,
                field: field.to_owned(),
                problem,
            }],
            rows: Vec::new(),
        }
    }

    /// Split into accepted records and rejected rows (sorted by line, stable).
    fn finish(self) -> ImportReport {
        if !self.file_problems.is_empty() {
            return ImportReport {
                accepted: Vec::new(),
                rejected: self.file_problems,
            };
        }
        let mut report = ImportReport::default();
        for row in self.rows {
            if row.problems.is_empty() {
                report.accepted.extend(row.record);
            } else {
                report.rejected.extend(row.problems);
            }
        }
        report.rejected.sort_by_key(|r| r.line);
        report
    }
}

/// Decode, read the header, parse every row, then mark duplicate NIPs.
fn parse_rows(bytes: &[u8], region: &str, known_units: &HashMap<String, UnitRow>) -> Parsed {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            let problem = format!(
                "the file is not UTF-8 text (invalid byte at offset {}, line {line}); save it as \"CSV UTF-8\"",
                e.valid_up_to()
            );
            return Parsed::file_problem(line, FILE_FIELD, problem);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut lines = LineCounter::new(text);
    let header = match records.next() {
        None => {
            let problem = format!(
                "the file is empty; the first line must name the columns {}",
                columns().join(", ")
            );
            return Parsed::file_problem(1, FILE_FIELD, problem);
        }
        Some(Err(e)) => return Parsed::file_problem(1, FILE_FIELD, format!("the header cannot be read: {e}")),
        Some(Ok(record)) => match Header::read(&record, record.position().map_or(1, |p| lines.line_at(p.byte()))) {
            Ok(header) => header,
            Err(problems) => {
                return Parsed {
                    file_problems: problems,
                    rows: Vec::new(),
                };
            }
        },
    };
    let mut parsed = Parsed::default();
    for result in records {
        let record = match result {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                return Parsed::file_problem(line, FILE_FIELD, format!("the file cannot be read as CSV: {e}"));
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        if parsed.rows.len() == MAX_ROWS {
            let problem = format!("the file has more than {MAX_ROWS} employees; split it into smaller files");
            return Parsed::file_problem(line, FILE_FIELD, problem);
        }
        parsed.rows.push(parse_row(&record, line, &header, region, known_units));
    }
    mark_duplicates(&mut parsed.rows);
    parsed
}

/// Line numbers from byte offsets. The csv reader's own line count leaves out blank lines, and
/// HR needs the line their editor shows; records come in file order, so one forward scan serves
/// the whole file.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> LineCounter<'a> {
        LineCounter {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The 1-based line of the record the reader says starts at byte `offset` (offsets must
    /// not decrease between calls). The reader gives the offset before any blank lines it
    /// skipped, and a record never starts with a line break, so skip those first.
    fn line_at(&mut self, offset: u64) -> usize {
        let mut offset = (offset as usize).min(self.text.len()).max(self.offset);
        while matches!(self.text.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        self.line += self.text[self.offset..offset].iter().filter(|b| **b == b'\n').count();
        self.offset = offset;
        self.line
    }
}

/// Commas, unless the header line uses semicolons and no commas (spreadsheets in the Indonesian
/// locale save CSV that way).
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    if header.contains(';') && !header.contains(',') {
        b';'
    } else {
        b','
    }
}

/// Where each column is in the file.
struct Header {
    index: HashMap<Col, usize>,
    width: usize,
}

impl Header {
    /// Map the header's names to columns; every unknown, repeated or missing column is a
    /// file-level problem on the header's line.
    fn read(record: &csv::StringRecord, line: usize) -> Result<Header, Vec<RejectedRow>> {
        let mut index = HashMap::new();
        let mut problems = Vec::new();
        let mut problem = |field: &str, problem: String| {
            problems.push(RejectedRow {
                line,
                nip: None,
                field: field.to_owned(),
                problem,
            })
        };
        for (i, name) in record.iter().enumerate() {
            let name = name.trim();
            match Col::ALL.iter().find(|c| c.name().eq_ignore_ascii_case(name)) {
                None if name.is_empty() => problem(FILE_FIELD, format!("column {} of the header has no name", i + 1)),
                None => problem(
                    name,
                    format!("unknown column `{name}`; the columns are {}", columns().join(", ")),
                ),
                Some(col) if index.contains_key(col) => {
                    problem(col.name(), format!("column `{}` appears more than once", col.name()))
                }
                Some(col) => {
                    index.insert(*col, i);
                }
            }
        }
        for col in Col::ALL {
            if !index.contains_key(&col) {
                problem(col.name(), format!("the header has no `{}` column", col.name()));
            }
        }
        if problems.is_empty() {
            Ok(Header {
                index,
                width: record.len(),
            })
        } else {
            Err(problems)
        }
    }
}

/// Validate one data row: each field on its own, then the fields against each other.
fn parse_row(
    record: &csv::StringRecord,
    line: usize,
    header: &Header,
    region: &str,
    known_units: &HashMap<String, UnitRow>,
) -> ParsedRow {
    let get = |col: Col| record.get(header.index[&col]).unwrap_or("").trim();
    let nip_text = Some(get(Col::NipBaru).to_owned()).filter(|n| !n.is_empty());
    let mut row = ParsedRow {
        line,
        nip_text,
        valid_nip: None,
        record: None,
        problems: Vec::new(),
    };
    if record.len() != header.width {
        let problem = format!(
            "the line has {} fields but the header has {} columns (is a value with a separator unquoted?)",
            record.len(),
            header.width
        );
        row.problem(ROW_FIELD, problem);
        return row;
    }
    let fields = Fields {
        nip: field(&mut row, Col::NipBaru, parse_nip_field(get(Col::NipBaru))),
        name: field(&mut row, Col::Nama, parse_name(get(Col::Nama))),
        employment_type: field(
            &mut row,
            Col::JenisPegawai,
            parse_employment_type(get(Col::JenisPegawai)),
        ),
        position_kind: field(&mut row, Col::JenisJabatan, parse_position_kind(get(Col::JenisJabatan))),
        echelon: field(&mut row, Col::Eselon, parse_echelon(get(Col::Eselon))),
        unit: field(&mut row, Col::UnorId, parse_unit(get(Col::UnorId), region, known_units)),
        appointed_on: field(&mut row, Col::TmtCpns, parse_date(get(Col::TmtCpns))),
        public_service: field(&mut row, Col::LayananPublik, parse_yes_no(get(Col::LayananPublik))),
        task_category: field(
            &mut row,
            Col::KategoriTugas,
            parse_task_category(get(Col::KategoriTugas)),
        ),
        potential: field(&mut row, Col::Potensi, parse_potential(get(Col::Potensi))),
        ratings: field(&mut row, Col::Skp, parse_skp(get(Col::Skp))),
        penalties: field(&mut row, Col::Hukdis, parse_hukdis(get(Col::Hukdis))),
        absence: field(&mut row, Col::Alpa12Bulan, parse_absence(get(Col::Alpa12Bulan))),
        supervisor: field(&mut row, Col::NipAtasan, parse_supervisor(get(Col::NipAtasan))),
    };
    row.valid_nip = fields.nip.as_ref().map(|_| get(Col::NipBaru).to_owned());
    for (col, problem) in cross_check(&fields, get(Col::NipBaru)) {
        row.problem(col.name(), problem);
    }
    if row.problems.is_empty() {
        row.record = fields.into_record(get(Col::NipBaru), region);
    }
    row
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
        })
    }
}

/// Keep a field's value, or record its problem against the column.
fn field<T>(row: &mut ParsedRow, col: Col, result: Result<T, String>) -> Option<T> {
    result.map_err(|problem| row.problem(col.name(), problem)).ok()
}

/// Rules that tie fields together, checked only where both fields are valid on their own.
fn cross_check(f: &Fields, nip_text: &str) -> Vec<(Col, String)> {
    let mut problems = Vec::new();
    if let (Some(nip), Some(date)) = (&f.nip, &f.appointed_on)
        && (nip.appointed_year, nip.appointed_month) != (date.year, date.month)
    {
        problems.push((
            Col::TmtCpns,
            format!(
                "appointment date {date} does not match the NIP, whose digits 9-14 say {:04}-{:02}",
                nip.appointed_year, nip.appointed_month
            ),
        ));
    }
    if let (Some(Some(echelon)), Some(kind @ (PositionKind::Fungsional | PositionKind::Pelaksana))) =
        (f.echelon, f.position_kind)
    {
        problems.push((
            Col::Eselon,
            format!("echelon {echelon} is given but a {kind:?} position has no echelon; leave eselon empty"),
        ));
    }
    if f.task_category == Some(TaskCategory::PublicService) && f.public_service == Some(false) {
        problems.push((
            Col::KategoriTugas,
            "kategoriTugas is layananPublik but layananPublik is tidak; a public-service task needs layananPublik = ya"
                .to_owned(),
        ));
    }
    if let (Some(ratings), Some(date)) = (&f.ratings, &f.appointed_on) {
        for r in ratings.iter().filter(|r| r.year < date.year) {
            problems.push((
                Col::Skp,
                format!(
                    "SKP year {} is before the appointment year {} (tmtCpns)",
                    r.year, date.year
                ),
            ));
        }
    }
    if let Some(Some(supervisor)) = &f.supervisor
        && supervisor == nip_text
    {
        problems.push((
            Col::NipAtasan,
            "nipAtasan is the employee's own NIP; give the direct supervisor's NIP or leave it empty".to_owned(),
        ));
    }
    problems
}

/// Reject every row whose valid NIP appears on more than one line: which of them is right is
/// for HR to say, so none is imported.
fn mark_duplicates(rows: &mut [ParsedRow]) {
    let mut lines: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(nip) = &row.valid_nip {
            lines.entry(nip.clone()).or_default().push(i);
        }
    }
    for (nip, indices) in lines.into_iter().filter(|(_, v)| v.len() > 1) {
        let listed: Vec<String> = indices.iter().map(|&i| rows[i].line.to_string()).collect();
        for &i in &indices {
            let problem = format!(
                "NIP {nip} appears more than once in the file (lines {}); each employee must appear once",
                listed.join(", ")
            );
            rows[i].problem(Col::NipBaru.name(), problem);
        }
    }
}

// ---- single fields: each returns the value or a plain-English problem ----

/// A non-empty value.
fn required(text: &str) -> Result<&str, String> {
    if text.is_empty() {
        Err("is empty; a value is required".to_owned())
    } else {
        Ok(text)
    }
}

/// Lower-case letters and digits only, so `PPPK Paruh Waktu`, `pppk_paruh_waktu` and
/// `pppkParuhWaktu` compare equal.
fn word_key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `a, b or c`.
fn one_of(names: &[&str]) -> String {
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// One of a fixed set of words, named as the file writes them.
fn choose<T: Copy>(text: &str, what: &str, choices: &[(&str, T)]) -> Result<T, String> {
    let text = required(text)?;
    let key = word_key(text);
    choices
        .iter()
        .find(|(name, _)| word_key(name) == key)
        .map(|(_, value)| *value)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
            format!("`{text}` is not {what}; use {}", one_of(&names))
        })
}

fn parse_nip_field(text: &str) -> Result<Nip, String> {
    parse_nip(required(text)?).map_err(|e| format!("`{text}` is not a valid NIP: {e}"))
}

fn parse_name(text: &str) -> Result<String, String> {
    let text = required(text)?;
    if text.chars().count() > MAX_NAME_CHARS {
        return Err(format!("is longer than {MAX_NAME_CHARS} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("contains control characters (tabs or line breaks)".to_owned());
    }
    // Bidirectional controls, invisible characters and markup: the rules every free text meets.
    if let Some(problem) = crate::input::text_problem(text, crate::input::TextRule::NAME) {
        return Err(problem);
    }
    Ok(text.to_owned())
}

fn parse_employment_type(text: &str) -> Result<EmploymentType, String> {
    choose(
        text,
        "an employment type",
        &[
            ("PNS", EmploymentType::Pns),
            ("CPNS", EmploymentType::Cpns),
            ("PPPK", EmploymentType::Pppk),
            ("PPPK Paruh Waktu", EmploymentType::PppkParuhWaktu),
        ],
    )
}

fn parse_position_kind(text: &str) -> Result<PositionKind, String> {
    choose(
        text,
        "a position kind",
        &[
            ("JPT Utama", PositionKind::JptUtama),
            ("JPT Madya", PositionKind::JptMadya),
            ("JPT Pratama", PositionKind::JptPratama),
            ("Administrator", PositionKind::Administrator),
            ("Pengawas", PositionKind::Pengawas),
            ("Fungsional", PositionKind::Fungsional),
            ("Pelaksana", PositionKind::Pelaksana),
        ],
    )
}

/// `I`–`IV`, optionally with SIASN's grade (`III.a`); empty for none.
fn parse_echelon(text: &str) -> Result<Option<u8>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let upper = text.to_ascii_uppercase().replace(' ', "");
    let (roman, grade) = upper.split_once('.').unwrap_or((&upper, ""));
    let level = match roman {
        "I" => Some(1),
        "II" => Some(2),
        "III" => Some(3),
        "IV" => Some(4),
        _ => None,
    };
    match level {
        Some(level) if matches!(grade, "" | "A" | "B") => Ok(Some(level)),
        _ => Err(format!(
            "`{text}` is not an echelon; use I, II, III or IV (optionally with a grade, e.g. III.a), or leave it empty"
        )),
    }
}

fn parse_unit(text: &str, region: &str, known_units: &HashMap<String, UnitRow>) -> Result<UnitRow, String> {
    let text = required(text)?;
    match known_units.get(text) {
        None => Err(format!("unknown unit `{text}`: no unit has this code")),
        Some(unit) if unit.region != region => Err(format!(
            "unit `{text}` belongs to region {}, not to region {region} that this import is for",
            unit.region
        )),
        Some(unit) => Ok(unit.clone()),
    }
}

fn parse_date(text: &str) -> Result<Date, String> {
    required(text)?.parse::<Date>().map_err(|e| e.to_string())
}

fn parse_yes_no(text: &str) -> Result<bool, String> {
    choose(text, "yes or no", &[("ya", true), ("tidak", false)])
}

fn parse_task_category(text: &str) -> Result<TaskCategory, String> {
    choose(
        text,
        "a task category",
        &[
            ("perencanaan", TaskCategory::Planning),
            ("keuangan", TaskCategory::Finance),
            ("konseptor", TaskCategory::Drafting),
            ("penulisPidato", TaskCategory::SpeechWriting),
            ("persetujuanDaring", TaskCategory::OnlineApproval),
            ("entriData", TaskCategory::DataEntry),
            ("analisisData", TaskCategory::DataAnalysis),
            ("layananPublik", TaskCategory::PublicService),
            ("lainnya", TaskCategory::Other),
        ],
    )
}

fn parse_potential(text: &str) -> Result<Potential, String> {
    choose(
        text,
        "a potential",
        &[
            ("tinggi", Potential::High),
            ("menengah", Potential::Medium),
            ("rendah", Potential::Low),
        ],
    )
}

fn parse_expectation(text: &str, what: &str) -> Result<Expectation, String> {
    choose(
        text,
        what,
        &[
            ("diatas", Expectation::Above),
            ("sesuai", Expectation::Meets),
            ("dibawah", Expectation::Below),
        ],
    )
    .map_err(|e| format!("{what}: {e}"))
}

/// `;`-separated items (empty for none); every bad item is named in one problem.
fn parse_list<T>(text: &str, item: fn(&str) -> Result<T, String>) -> Result<Vec<T>, String> {
    let mut values = Vec::new();
    let mut problems = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        match item(part) {
            Ok(value) => values.push(value),
            Err(problem) => problems.push(format!("`{part}`: {problem}")),
        }
    }
    if problems.is_empty() {
        Ok(values)
    } else {
        Err(problems.join("; "))
    }
}

/// SKP assessments, at most one per year.
fn parse_skp(text: &str) -> Result<Vec<SkpAssessment>, String> {
    let ratings = parse_list(text, parse_skp_item)?;
    let mut years = HashSet::new();
    match ratings.iter().find(|r| !years.insert(r.year)) {
        Some(r) => Err(format!("year {} is listed more than once", r.year)),
        None => Ok(ratings),
    }
}

/// `TAHUN:HASIL:PERILAKU`.
fn parse_skp_item(item: &str) -> Result<SkpAssessment, String> {
    let parts: Vec<&str> = item.split(':').map(str::trim).collect();
    let [year, result, behaviour] = parts[..] else {
        return Err("write TAHUN:HASIL:PERILAKU, e.g. 2026:sesuai:diatas".to_owned());
    };
    let year = match year.parse::<u16>() {
        Ok(y) if year.len() == 4 && y >= 1900 => y,
        _ => return Err(format!("TAHUN `{year}` is not a 4-digit year")),
    };
    Ok(SkpAssessment {
        year,
        work_result: parse_expectation(result, "HASIL")?,
        work_behaviour: parse_expectation(behaviour, "PERILAKU")?,
    })
}

/// Disciplinary penalties, no two of the same level starting on the same day.
fn parse_hukdis(text: &str) -> Result<Vec<Penalty>, String> {
    let penalties = parse_list(text, parse_hukdis_item)?;
    let mut seen = HashSet::new();
    match penalties.iter().find(|p| !seen.insert((p.level, p.start))) {
        Some(p) => Err(format!("the penalty starting {} is listed more than once", p.start)),
        None => Ok(penalties),
    }
}

/// `TINGKAT:MULAI:SELESAI`; SELESAI may be empty (or left out) for a light penalty only.
fn parse_hukdis_item(item: &str) -> Result<Penalty, String> {
    let parts: Vec<&str> = item.split(':').map(str::trim).collect();
    let (level, start, end) = match parts[..] {
        [level, start] => (level, start, ""),
        [level, start, end] => (level, start, end),
        _ => return Err("write TINGKAT:MULAI:SELESAI, e.g. sedang:2026-01-01:2026-06-30".to_owned()),
    };
    let level = choose(
        level,
        "a penalty level",
        &[
            ("ringan", PenaltyLevel::Light),
            ("sedang", PenaltyLevel::Moderate),
            ("berat", PenaltyLevel::Severe),
        ],
    )
    .map_err(|e| format!("TINGKAT: {e}"))?;
    let start = parse_date(start).map_err(|e| format!("MULAI: {e}"))?;
    let end = if end.is_empty() {
        None
    } else {
        Some(parse_date(end).map_err(|e| format!("SELESAI: {e}"))?)
    };
    match end {
        None if level != PenaltyLevel::Light => {
            Err("SELESAI is empty; a sedang or berat penalty needs an end date".to_owned())
        }
        Some(end) if end < start => Err(format!("SELESAI {end} is before MULAI {start}")),
        _ => Ok(Penalty { level, start, end }),
    }
}

fn parse_absence(text: &str) -> Result<u32, String> {
    match required(text)?.parse::<i64>() {
        Ok(days @ 0..=365) => Ok(days as u32),
        _ => Err(format!("must be a whole number of days from 0 to 365, found `{text}`")),
    }
}

fn parse_supervisor(text: &str) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    parse_nip(text)
        .map(|_| Some(text.to_owned()))
        .map_err(|e| format!("`{text}` is not a valid NIP: {e}"))
}
