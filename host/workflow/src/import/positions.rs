//! Position catalogue import from CSV: which positions (jabatan, by their code in the national
//! position reference) qualify for the dynamic working arrangement in a region. Read and
//! reported like the other imports (see `table`, [`super::RejectedRow`]); the whole file is
//! written in one transaction only when no row is rejected. An entry already in the catalogue
//! is updated (its change recorded with who and when); entries not in the file are kept — a
//! region identifies its qualifying positions step by step, file after file.
//!
//! # The file
//!
//! UTF-8, one header line, then one position per line; commas or semicolons; header names
//! matched ignoring case and order. `catatan` may be left out of the header.
//!
//! | column | required | values | meaning |
//! |---|---|---|---|
//! | `kodeJabatan` | yes | 1–100 of `A–Z a–z 0–9 - _ .`, e.g. `JF-ANALIS-KEBIJAKAN-MUDA` or the reference's id | the position's code; unique in the file |
//! | `namaJabatan` | yes | text, at most 200 characters | the position's name |
//! | `status` | yes | `layak` (`eligible`), `dikecualikan` (`excluded`), `ditinjau` (`under review`) | whether it qualifies |
//! | `catatan` | no | text, at most 500 characters, one line | why (shown with the entry and in its history) |

use super::fields::{choose, parse_name};
use super::table::{self, Column, ParsedRow, Row};
use super::{ImportOutcome, ImportReport};
use crate::input::{TextRule, id_problem, text_problem};
use dwa_store::{PositionInput, PositionStatus, Store, StoreError};

/// The columns, in the order the module documentation lists them (an index into [`COLUMNS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    KodeJabatan,
    NamaJabatan,
    Status,
    Catatan,
}

pub(crate) const COLUMNS: [Column; 4] = [
    table::required("kodeJabatan"),
    table::required("namaJabatan"),
    table::required("status"),
    table::optional("catatan"),
];

impl Col {
    fn name(self) -> &'static str {
        COLUMNS[self as usize].name
    }
}

/// The column names, in documentation order: the header of a complete file.
pub fn position_columns() -> Vec<&'static str> {
    table::names(&COLUMNS)
}

/// Parse and validate a CSV file of catalogue entries, without a database.
pub fn parse_positions_csv(csv: &[u8]) -> ImportReport<PositionInput> {
    let mut parsed = table::read(csv, &COLUMNS, super::FileKind::Positions, parse_row);
    let others: [(super::FileKind, &[Column]); 2] = [
        (super::FileKind::Employees, &super::employees::COLUMNS),
        (super::FileKind::Units, &super::units::COLUMNS),
    ];
    table::wrong_file(&mut parsed, csv, super::FileKind::Positions, &others);
    parsed.mark_duplicates(Col::KodeJabatan.name(), |code, lines| {
        format!("position {code} appears more than once in the file (lines {lines}); each position must appear once")
    });
    parsed.finish()
}

/// Validate `csv` and write its entries into `region`'s catalogue (the region must exist), in
/// one transaction — or, when any row is rejected, nothing. `by` is recorded as who changed
/// each entry.
pub async fn import_positions(store: &Store, region: &str, csv: &[u8], by: &str) -> Result<ImportOutcome, StoreError> {
    if !store.region_exists(region).await? {
        return Err(StoreError::NotFound(format!("region {region}")));
    }
    let report = parse_positions_csv(csv);
    let write = !report.accepted.is_empty() && report.rejected.is_empty();
    if write {
        store.write_positions(region, &report.accepted, by, "import").await?;
    }
    Ok(ImportOutcome {
        imported: if write { report.accepted.len() } else { 0 },
        rejected: report.rejected,
        written: write,
    })
}

/// Validate one data row.
fn parse_row(row: &Row<'_>) -> ParsedRow<PositionInput> {
    let get = |col: Col| row.get(col as usize);
    let mut parsed = ParsedRow::new(row.line, None, None);
    if let Some((field, problem)) = row.width_problem() {
        parsed.problem(field, problem);
        return parsed;
    }
    let p = &mut parsed;
    let code = p.field(Col::KodeJabatan.name(), parse_code(get(Col::KodeJabatan)));
    let name = p.field(Col::NamaJabatan.name(), parse_name(get(Col::NamaJabatan)));
    let status = p.field(Col::Status.name(), parse_status(get(Col::Status)));
    let note = p.field(Col::Catatan.name(), parse_note(get(Col::Catatan)));
    parsed.valid_key = code.clone();
    if let (Some(code), Some(name), Some(status), Some(note)) = (code, name, status, note) {
        parsed.record = Some(PositionInput {
            code,
            name,
            status,
            note,
        });
    }
    parsed
}

/// A position code: a plain identifier.
pub(crate) fn parse_code(text: &str) -> Result<String, String> {
    match id_problem(text) {
        Some(problem) if text.is_empty() => Err(format!("is empty; {problem}")),
        Some(problem) => Err(format!("`{text}` {problem}")),
        None => Ok(text.to_owned()),
    }
}

/// `layak` / `dikecualikan` / `ditinjau`, or their English codes.
pub(crate) fn parse_status(text: &str) -> Result<PositionStatus, String> {
    choose(
        text,
        "a position status",
        &[
            ("layak", PositionStatus::Eligible),
            ("dikecualikan", PositionStatus::Excluded),
            ("ditinjau", PositionStatus::UnderReview),
            ("eligible", PositionStatus::Eligible),
            ("excluded", PositionStatus::Excluded),
            ("under review", PositionStatus::UnderReview),
        ],
    )
    .map_err(|e| e.to_string())
}

/// An optional one-line note.
pub(crate) fn parse_note(text: &str) -> Result<String, String> {
    match text_problem(text, TextRule::NOTE) {
        Some(problem) => Err(problem),
        None => Ok(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_file_is_accepted_and_every_bad_field_named() {
        let csv = "kodeJabatan;namaJabatan;status;catatan\n\
                   JF-ANALIS-01;Analis Kebijakan Ahli Muda;layak;tanpa layanan tatap muka\n\
                   JF-PERAWAT-01;Perawat Ahli Pertama;dikecualikan;\n\
                   JF-ARSIP-01;Arsiparis;ditinjau;\n";
        let report = parse_positions_csv(csv.as_bytes());
        assert!(report.rejected.is_empty(), "{:?}", report.rejected);
        let statuses: Vec<_> = report.accepted.iter().map(|p| p.status).collect();
        assert_eq!(
            statuses,
            [
                PositionStatus::Eligible,
                PositionStatus::Excluded,
                PositionStatus::UnderReview
            ]
        );

        let bad = "kodeJabatan,namaJabatan,status\n\
                   JF A,Analis,layak\n\
                   JF-B,,layak\n\
                   JF-C,Arsiparis,mungkin\n\
                   JF-D,Analis,layak\n\
                   JF-D,Analis lagi,layak\n";
        let report = parse_positions_csv(bad.as_bytes());
        let fields: Vec<(usize, &str)> = report.rejected.iter().map(|r| (r.line, r.field.as_str())).collect();
        assert_eq!(
            fields,
            [
                (2, "kodeJabatan"),
                (3, "namaJabatan"),
                (4, "status"),
                (5, "kodeJabatan"),
                (6, "kodeJabatan")
            ]
        );
        assert!(
            report.rejected[2].problem.contains("layak, dikecualikan, ditinjau"),
            "{}",
            report.rejected[2].problem
        );
    }

    #[test]
    fn a_note_with_markup_or_an_unknown_column_is_refused() {
        let report =
            parse_positions_csv(b"kodeJabatan,namaJabatan,status,catatan\nJF-A,Analis,layak,<script>x</script>\n");
        assert_eq!(report.rejected.len(), 1);
        assert_eq!(report.rejected[0].field, "catatan");
        let report = parse_positions_csv(b"kodeJabatan,namaJabatan,status,warna\nJF-A,Analis,layak,biru\n");
        assert_eq!(report.rejected[0].field, "warna");
        assert!(report.accepted.is_empty());
    }
}
