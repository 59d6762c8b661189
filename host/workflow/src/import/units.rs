//! Organisational unit import from CSV, shaped like the national personnel system's unor
//! (unit organisasi) reference export: every unit with its parent, so the hierarchy is kept.
//! Read and reported like the employee import (see `table`, [`super::RejectedRow`]); the whole
//! file is written in one transaction only when no row is rejected — a unit tree with holes in
//! it is worse than none, so there is no partial mode.
//!
//! # The file
//!
//! UTF-8, one header line, then one unit per line; at most 100,000 units; commas or
//! semicolons; header names matched ignoring case and order. `eselonId`, `namaJabatan` and
//! `aktif` may be left out of the header; the other columns must be present.
//!
//! | column | required | values | meaning |
//! |---|---|---|---|
//! | `id` | yes | 1–100 of `A–Z a–z 0–9 - _ .`, e.g. `3216-SETDA-HUKUM-01` or SIASN's hex id | unit id (`unorId` in the employee file); unique in the file and the database |
//! | `namaUnor` | yes | text, at most 200 characters | the unit's name |
//! | `diatasanId` | column yes, value no | empty for a top unit, or the `id` of a unit in the file or already stored for the same region | parent unit (unit di atasan); no unit may be its own ancestor |
//! | `instansiId` | yes | an identifier as above, e.g. `BAPPEDA` | the agency (OPD) the unit belongs to, as the region's rules name agencies (e.g. Bekasi's `excluded_agencies`) |
//! | `eselonId` | no | SIASN's code `11`, `12`, `21`, `22`, `31`, `32`, `41`, `42`, or `I`–`IV` with an optional grade (`III.a`); empty for a non-structural unit | the echelon of the unit's head |
//! | `namaJabatan` | no | text, at most 200 characters | the head's position, e.g. `Kepala Bagian Hukum` |
//! | `aktif` | no | `ya`/`tidak` (also `true`/`false`, `1`/`0`); empty means `ya` | a unit no longer active is kept for the hierarchy, but employees cannot be imported into it |

use super::fields::{choose, parse_echelon, parse_name, required};
use super::table::{self, Column, Parsed, ParsedRow, Row};
use super::{FileKind, ImportProblem};
use super::{ImportOutcome, ImportReport};
use crate::input::id_problem_kind;
use dwa_store::{Store, StoreError, UnitRecord};
use std::collections::{HashMap, HashSet};

/// The columns, in the order the module documentation lists them (an index into [`COLUMNS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Id,
    NamaUnor,
    DiatasanId,
    InstansiId,
    EselonId,
    NamaJabatan,
    Aktif,
}

/// The header names, by [`Col`].
pub(crate) const COLUMNS: [Column; 7] = [
    table::required("id"),
    table::required("namaUnor"),
    table::required("diatasanId"),
    table::required("instansiId"),
    table::optional("eselonId"),
    table::optional("namaJabatan"),
    table::optional("aktif"),
];

impl Col {
    fn name(self) -> &'static str {
        COLUMNS[self as usize].name
    }
}

/// The column names, in documentation order: the header of a complete file.
pub fn unit_columns() -> Vec<&'static str> {
    table::names(&COLUMNS)
}

/// Parse and validate a CSV file of units for `region`, without a database: a parent must be
/// in the file, or in `stored` (unit id → its region).
pub fn parse_units_csv(csv: &[u8], region: &str, stored: &HashMap<String, String>) -> ImportReport<UnitRecord> {
    parse_rows(csv, region, stored).finish()
}

/// Validate `csv` against the database and write its units into `region` (which must exist),
/// parents before children, in one transaction — or, when any row is rejected, nothing.
///
/// A concurrent import of the same unit id between the check and the write makes the write
/// fail with [`StoreError::Conflict`], and nothing is written.
pub async fn import_units(store: &Store, region: &str, csv: &[u8]) -> Result<ImportOutcome, StoreError> {
    if !store.region_exists(region).await? {
        return Err(StoreError::NotFound(format!("region {region}")));
    }
    let stored: HashMap<String, String> = store
        .units(None)
        .await?
        .into_iter()
        .map(|u| (u.code, u.region))
        .collect();
    let report = parse_rows(csv, region, &stored).finish();
    let write = !report.accepted.is_empty() && report.rejected.is_empty();
    if write {
        store
            .insert_unit_records(&parents_first(report.accepted.clone()))
            .await?;
    }
    Ok(ImportOutcome {
        imported: if write { report.accepted.len() } else { 0 },
        rejected: report.rejected,
        written: write,
    })
}

/// Read the file, parse every row, then the rules between rows: duplicates, ids already
/// stored, parents that exist, and no cycles.
fn parse_rows(csv: &[u8], region: &str, stored: &HashMap<String, String>) -> Parsed<UnitRecord> {
    let mut parsed = table::read(csv, &COLUMNS, FileKind::Units, |row| parse_row(row, region));
    let others: [(FileKind, &[Column]); 2] = [
        (FileKind::Employees, &super::employees::COLUMNS),
        (FileKind::Positions, &super::positions::COLUMNS),
    ];
    table::wrong_file(&mut parsed, csv, FileKind::Units, &others);
    parsed.mark_duplicates(Col::Id.name(), |id, lines| ImportProblem::Duplicate {
        kind: FileKind::Units,
        key: id.to_owned(),
        lines: lines.to_owned(),
    });
    let in_file: HashSet<String> = parsed.rows.iter().filter_map(|r| r.valid_key.clone()).collect();
    for row in &mut parsed.rows {
        if let Some(id) = row.valid_key.clone()
            && let Some(other) = stored.get(&id)
        {
            row.problem(
                Col::Id.name(),
                ImportProblem::UnitExists {
                    id: id.clone(),
                    region: other.clone(),
                },
            );
        }
        let Some(parent) = row.record.as_ref().and_then(|u| u.parent.clone()) else {
            continue;
        };
        match stored.get(&parent) {
            _ if in_file.contains(&parent) => {}
            Some(other) if other != region => row.problem(
                Col::DiatasanId.name(),
                ImportProblem::ParentOfOtherRegion {
                    parent: parent.clone(),
                    region: other.clone(),
                    expected: region.to_owned(),
                },
            ),
            Some(_) => {}
            None => row.problem(Col::DiatasanId.name(), ImportProblem::UnknownParent(parent.clone())),
        }
    }
    reject_cycles(&mut parsed);
    parsed
}

/// Reject every row on a cycle of parents within the file (stored units cannot be on one:
/// their parents were checked when they were imported, and nothing stored points into a file).
fn reject_cycles(parsed: &mut Parsed<UnitRecord>) {
    let parent_of: HashMap<String, String> = parsed
        .rows
        .iter()
        .filter_map(|r| r.record.as_ref())
        .filter_map(|u| u.parent.clone().map(|p| (u.code.clone(), p)))
        .collect();
    for row in &mut parsed.rows {
        let Some(start) = row.record.as_ref().map(|u| u.code.clone()) else {
            continue;
        };
        // Walk up at most as many steps as there are units; back at the start means a cycle.
        let mut chain = vec![start.clone()];
        let mut at = start.clone();
        while let Some(parent) = parent_of.get(&at)
            && chain.len() <= parent_of.len()
        {
            chain.push(parent.clone());
            if *parent == start {
                let problem = format!(
                    "the parent chain {} is a cycle; one of these units must have a parent outside it, or none",
                    chain.join(" → ")
                );
                row.problem(Col::DiatasanId.name(), problem);
                break;
            }
            at = parent.clone();
        }
    }
}

/// The units ordered so every parent in the list comes before its children (the parent's
/// foreign key is checked row by row). The list has no cycles.
fn parents_first(units: Vec<UnitRecord>) -> Vec<UnitRecord> {
    let codes: HashSet<String> = units.iter().map(|u| u.code.clone()).collect();
    let mut placed: HashSet<String> = HashSet::new();
    let mut ordered = Vec::with_capacity(units.len());
    let mut waiting = units;
    while !waiting.is_empty() {
        let before = waiting.len();
        let (ready, rest): (Vec<_>, Vec<_>) = waiting.into_iter().partition(|u| match &u.parent {
            Some(p) if codes.contains(p) => placed.contains(p),
            _ => true,
        });
        placed.extend(ready.iter().map(|u| u.code.clone()));
        ordered.extend(ready);
        waiting = rest;
        if waiting.len() == before {
            // Cannot happen after validation; if it did, the write fails on the foreign key
            // (and nothing is written) rather than this loop never ending.
            ordered.append(&mut waiting);
        }
    }
    ordered
}

/// Validate one data row.
fn parse_row(row: &Row<'_>, region: &str) -> ParsedRow<UnitRecord> {
    let get = |col: Col| row.get(col as usize);
    let id_text = Some(get(Col::Id).to_owned()).filter(|n| !n.is_empty());
    let mut parsed = ParsedRow::new(row.line, None, id_text);
    if let Some((field, problem)) = row.width_problem() {
        parsed.problem(field, problem);
        return parsed;
    }
    let p = &mut parsed;
    let code = p.field(Col::Id.name(), parse_id(get(Col::Id)));
    let name = p.field(Col::NamaUnor.name(), parse_name(get(Col::NamaUnor)));
    let parent = p.field(Col::DiatasanId.name(), parse_parent(get(Col::DiatasanId), get(Col::Id)));
    let agency = p.field(Col::InstansiId.name(), parse_id(get(Col::InstansiId)));
    let echelon = p.field(Col::EselonId.name(), parse_unit_echelon(get(Col::EselonId)));
    let head = p.field(Col::NamaJabatan.name(), parse_optional_name(get(Col::NamaJabatan)));
    let active = p.field(Col::Aktif.name(), parse_active(get(Col::Aktif)));
    parsed.valid_key = code.clone();
    if let (Some(code), Some(name), Some(parent), Some(agency), Some(echelon), Some(head_position), Some(active)) =
        (code, name, parent, agency, echelon, head, active)
    {
        parsed.record = Some(UnitRecord {
            code,
            region: region.to_owned(),
            agency,
            name,
            parent,
            echelon,
            head_position,
            active,
        });
    }
    parsed
}

// ---- single fields: each returns the value or a plain-English problem ----

/// A plain identifier (a unit id, an agency code).
fn parse_id(text: &str) -> Result<String, ImportProblem> {
    let text = required(text)?;
    match id_problem_kind(text) {
        Some(problem) => Err(ImportProblem::Id {
            text: text.to_owned(),
            problem,
        }),
        None => Ok(text.to_owned()),
    }
}

/// Empty for a top unit, else the parent's id (never the row's own).
fn parse_parent(text: &str, own_id: &str) -> Result<Option<String>, ImportProblem> {
    if text.is_empty() {
        return Ok(None);
    }
    if text == own_id {
        return Err(ImportProblem::OwnParent(text.to_owned()));
    }
    parse_id(text).map(Some)
}

/// SIASN's two-digit `eselonId` (`31` = III.a), or the roman form the employee file uses.
fn parse_unit_echelon(text: &str) -> Result<Option<u8>, ImportProblem> {
    match text.as_bytes() {
        [level @ b'1'..=b'4', b'1' | b'2'] => Ok(Some(level - b'0')),
        _ if text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty() => {
            Err(ImportProblem::NotEchelonCode(text.to_owned()))
        }
        _ => parse_echelon(text),
    }
}

fn parse_optional_name(text: &str) -> Result<Option<String>, ImportProblem> {
    if text.is_empty() {
        Ok(None)
    } else {
        parse_name(text).map(Some)
    }
}

/// Empty means active: an export without the column lists the units in use.
fn parse_active(text: &str) -> Result<bool, ImportProblem> {
    if text.is_empty() {
        return Ok(true);
    }
    choose(
        text,
        "yes or no",
        &[
            ("ya", true),
            ("tidak", false),
            ("true", true),
            ("false", false),
            ("1", true),
            ("0", false),
        ],
    )
}
