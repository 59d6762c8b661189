//! Imports from the CSV files regional HR (BKD/BKPSDM) exports from the national personnel
//! system (SIASN/BKN): organisational units ([`units`]) and employees ([`employees`]), and the
//! region's catalogue of positions that qualify ([`positions`]).
//!
//! Both read a file the same way ([`table`]: UTF-8, comma- or semicolon-separated, header names
//! matched ignoring case and order, line numbers as an editor shows them), validate every row,
//! and report every problem with its line, column and a plain-English explanation in one
//! shape ([`RejectedRow`], [`ImportOutcome`]). Nothing is half-imported: the accepted rows are
//! written in one transaction, and only when no row was rejected (employees may also be
//! imported partially, on request).

mod employee_fields;
pub mod employees;
pub(crate) mod fields;
pub mod positions;
mod table;
pub mod units;

pub use employees::{columns, import_employees, parse_employees_csv, parse_employees_csv_bytes};
pub use positions::{import_positions, parse_positions_csv, position_columns};
pub use units::{import_units, parse_units_csv, unit_columns};

use serde::Serialize;

/// Largest number of rows (employees or units) one file may hold.
pub const MAX_ROWS: usize = 100_000;

/// `field` of a problem with the whole file rather than one column.
pub const FILE_FIELD: &str = "file";

/// `field` of a problem with a whole line (wrong number of fields).
pub const ROW_FIELD: &str = "row";

/// One problem with one row (or with the file).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// 1-based line in the file where the row starts; the header is line 1.
    pub line: usize,
    /// An employee row's `nipBaru` as written, when it has one (absent for unit rows and for
    /// problems with the whole file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nip: Option<String>,
    /// A unit row's `id` as written, when it has one (absent for employee rows).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The column at fault, or [`FILE_FIELD`] / [`ROW_FIELD`].
    pub field: String,
    /// What is wrong, in plain English (the API's and the CLI's text: `kind`'s English).
    pub problem: String,
    /// What is wrong, as a code with its values, for the pages to say in their own language.
    #[serde(skip)]
    pub kind: ImportProblem,
}

/// Which kind of import file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// The employee file.
    Employees,
    /// The unit file.
    Units,
    /// The catalogue of positions.
    Positions,
}

impl FileKind {
    /// The English noun for one file of this kind (`employee`, `unit`, `position`).
    pub fn noun(self) -> &'static str {
        match self {
            FileKind::Employees => "employee",
            FileKind::Units => "unit",
            FileKind::Positions => "position",
        }
    }

    /// The English plural of its rows (`employees`, `units`, `positions`).
    pub fn rows(self) -> &'static str {
        match self {
            FileKind::Employees => "employees",
            FileKind::Units => "units",
            FileKind::Positions => "positions",
        }
    }
}

/// What is wrong with an import file or one of its rows, as a code with its values: the API
/// and the CLI say it in English ([`std::fmt::Display`], the text of [`RejectedRow::problem`]),
/// the pages render it in their own language from the variant.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportProblem {
    /// The file of another kind was given (a unit file as the employee file).
    #[error(
        "this is a {} file, not {} {} file; choose the import that matches the file",
        found.noun(),
        if matches!(expected, FileKind::Employees) { "an" } else { "a" },
        expected.noun()
    )]
    WrongFile {
        /// The kind the import reads.
        expected: FileKind,
        /// The kind the header says the file is.
        found: FileKind,
    },
    /// Not UTF-8.
    #[error("the file is not UTF-8 text (invalid byte at offset {offset}, line {line}); save it as \"CSV UTF-8\"")]
    NotUtf8 {
        /// The byte offset of the first invalid byte.
        offset: usize,
        /// Its line.
        line: usize,
    },
    /// No header line.
    #[error("the file is empty; the first line must name the columns {}", .0.join(", "))]
    EmptyFile(Vec<String>),
    /// The header line cannot be read (the reader's English).
    #[error("the header cannot be read: {0}")]
    UnreadableHeader(String),
    /// A data line cannot be read (the reader's English).
    #[error("the file cannot be read as CSV: {0}")]
    UnreadableCsv(String),
    /// More rows than [`MAX_ROWS`].
    #[error("the file has more than {MAX_ROWS} {}; split it into smaller files", .0.rows())]
    TooManyRows(FileKind),
    /// A header field without a name (1-based column).
    #[error("column {0} of the header has no name")]
    UnnamedColumn(usize),
    /// A header name the kind does not have, with the kind's columns.
    #[error("unknown column `{name}`; the columns are {}", columns.join(", "))]
    UnknownColumn {
        /// The name as written.
        name: String,
        /// The kind's columns.
        columns: Vec<String>,
    },
    /// A column named twice.
    #[error("column `{0}` appears more than once")]
    RepeatedColumn(String),
    /// A required column left out.
    #[error("the header has no `{0}` column")]
    MissingColumn(String),
    /// A line with another number of fields than the header.
    #[error(
        "the line has {fields} fields but the header has {columns} columns (is a value with a separator unquoted?)"
    )]
    RowWidth {
        /// Fields on the line.
        fields: usize,
        /// Columns in the header.
        columns: usize,
    },
    /// An empty required value.
    #[error("is empty; a value is required")]
    Required,
    /// A word not among the choices.
    #[error("`{text}` is not {what}; use {}", fields::one_of(&choices.iter().map(String::as_str).collect::<Vec<_>>()))]
    NotOneOf {
        /// The text as written.
        text: String,
        /// What it should be, in English (`an employment type`).
        what: String,
        /// The words allowed.
        choices: Vec<String>,
    },
    /// A name longer than allowed.
    #[error("is longer than {0} characters")]
    NameTooLong(usize),
    /// A name with tabs or line breaks.
    #[error("contains control characters (tabs or line breaks)")]
    ControlCharacters,
    /// A free-text or identifier problem, as the forms say it.
    #[error("{0}")]
    Text(crate::input::Problem),
    /// An identifier that breaks the identifier rules, with the text.
    #[error("`{text}` {problem}")]
    Id {
        /// The text as written.
        text: String,
        /// What is wrong.
        problem: crate::input::Problem,
    },
    /// Not an echelon (`I`–`IV`).
    #[error("`{0}` is not an echelon; use I, II, III or IV (optionally with a grade, e.g. III.a), or leave it empty")]
    NotEchelon(String),
    /// Not a unit echelon code (`31`).
    #[error("`{0}` is not an echelon code; use 11, 12, 21, 22, 31, 32, 41 or 42 (or III.a …), or leave it empty")]
    NotEchelonCode(String),
    /// Not a NIP, with the parser's English reason.
    #[error("`{nip}` is not a valid NIP: {why}")]
    InvalidNip {
        /// The text as written.
        nip: String,
        /// Why not (English).
        why: String,
    },
    /// A key on more than one line.
    #[error(
        "{} {key} appears more than once in the file (lines {lines}); each {} must appear once",
        if matches!(kind, FileKind::Employees) { "NIP" } else { "unit id" },
        kind.noun()
    )]
    Duplicate {
        /// The kind of file (employees: a NIP; units: a unit id).
        kind: FileKind,
        /// The key.
        key: String,
        /// The lines, listed (`2, 5`).
        lines: String,
    },
    /// An employee already stored.
    #[error("an employee with NIP {0} already exists")]
    EmployeeExists(String),
    /// A unit already stored, with its region.
    #[error("a unit with id {id} already exists (in region {region}); give each new unit a new id")]
    UnitExists {
        /// The unit id.
        id: String,
        /// Its region.
        region: String,
    },
    /// No unit has this code.
    #[error("unknown unit `{0}`: no unit has this code (import the units first)")]
    UnknownUnit(String),
    /// A unit of another region.
    #[error("unit `{unit}` belongs to region {region}, not to region {expected} that this import is for")]
    UnitOfOtherRegion {
        /// The unit.
        unit: String,
        /// Its region.
        region: String,
        /// The import's region.
        expected: String,
    },
    /// A unit marked inactive.
    #[error("unit `{0}` is no longer active (aktif = tidak in the unit import); use the unit that replaced it")]
    InactiveUnit(String),
    /// A parent unit of another region.
    #[error("parent unit {parent} belongs to region {region}, not to region {expected} that this import is for")]
    ParentOfOtherRegion {
        /// The parent.
        parent: String,
        /// Its region.
        region: String,
        /// The import's region.
        expected: String,
    },
    /// A parent unit neither in the file nor stored.
    #[error("unknown parent unit {0}: it is neither in this file nor stored; add its row or leave diatasanId empty")]
    UnknownParent(String),
    /// A unit that is its own parent.
    #[error("unit {0} names itself as its parent; leave diatasanId empty for a top unit")]
    OwnParent(String),
    /// Absence days outside 0–365.
    #[error("must be a whole number of days from 0 to 365, found `{0}`")]
    NotAbsenceDays(String),
    /// A supervisor who is the employee.
    #[error("nipAtasan is the employee's own NIP; give the direct supervisor's NIP or leave it empty")]
    OwnSupervisor,
    /// Not a date (`YYYY-MM-DD`), with the parser's English.
    #[error("{why}")]
    NotADate {
        /// The text as written.
        text: String,
        /// Why not (English).
        why: String,
    },
    /// An appointment date that does not match the NIP's digits 9–14.
    #[error("appointment date {date} does not match the NIP, whose digits 9-14 say {year:04}-{month:02}")]
    AppointmentNotNip {
        /// The date given.
        date: dwa_sdk::Date,
        /// The year the NIP says.
        year: u16,
        /// The month the NIP says.
        month: u8,
    },
    /// An echelon on a position without one (`Fungsional`, `Pelaksana`).
    #[error("echelon {echelon} is given but a {kind} position has no echelon; leave eselon empty")]
    EchelonWithoutPost {
        /// The echelon given.
        echelon: u8,
        /// The kind of position.
        kind: String,
    },
    /// A public-service task by an employee who does not serve the public.
    #[error(
        "kategoriTugas is layananPublik but layananPublik is tidak; a public-service task needs layananPublik = ya"
    )]
    PublicServiceTask,
    /// An SKP year before the appointment.
    #[error("SKP year {skp} is before the appointment year {appointed} (tmtCpns)")]
    SkpBeforeAppointment {
        /// The SKP's year.
        skp: u16,
        /// The year of appointment.
        appointed: u16,
    },
    /// Anything else, in English only (not yet given a code).
    #[error("{0}")]
    Other(String),
}

impl Default for ImportProblem {
    fn default() -> ImportProblem {
        ImportProblem::Other(String::new())
    }
}

impl From<String> for ImportProblem {
    fn from(message: String) -> ImportProblem {
        ImportProblem::Other(message)
    }
}

/// What parsing a file gave: the valid rows (employees by default) and every problem found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportReport<T = dwa_store::EmployeeRecord> {
    /// Valid rows, in file order.
    pub accepted: Vec<T>,
    /// Problems, by line (a row with several problems appears several times).
    pub rejected: Vec<RejectedRow>,
}

impl<T> Default for ImportReport<T> {
    fn default() -> Self {
        ImportReport {
            accepted: Vec::new(),
            rejected: Vec::new(),
        }
    }
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    /// Rows written (employees or units).
    pub imported: usize,
    /// Problems, by line; rows named here were not written.
    pub rejected: Vec<RejectedRow>,
    /// Whether anything was written (false after a rejection in all-or-nothing mode, or when
    /// no row was valid).
    pub written: bool,
}

impl ImportOutcome {
    /// Whether the file was refused: problems were found and nothing was written.
    pub fn refused(&self) -> bool {
        !self.written && !self.rejected.is_empty()
    }
}
