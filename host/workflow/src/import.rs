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
    /// What is wrong, in plain English.
    pub problem: String,
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
