//! The employee file's own field readers (NIP, employment type, SKP, penalties, …); the
//! readers every kind of file shares are in `fields`.

use super::ImportProblem;
use super::fields::{choose, required};
use dwa_sdk::nip::{Nip, parse_nip};
use dwa_sdk::{
    Date, EmploymentType, Expectation, Penalty, PenaltyLevel, PositionKind, Potential, SkpAssessment, TaskCategory,
};
use dwa_store::UnitRow;
use std::collections::{HashMap, HashSet};

pub(crate) fn parse_nip_field(text: &str) -> Result<Nip, ImportProblem> {
    parse_nip(required(text)?).map_err(|e| ImportProblem::InvalidNip {
        nip: text.to_owned(),
        why: e.to_string(),
    })
}

pub(crate) fn parse_employment_type(text: &str) -> Result<EmploymentType, ImportProblem> {
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

pub(crate) fn parse_position_kind(text: &str) -> Result<PositionKind, ImportProblem> {
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

/// A unit of the importing region that is still active; `inactive` holds the codes of units
/// the unit import marked `aktif = tidak`.
pub(crate) fn parse_unit(
    text: &str,
    region: &str,
    known_units: &HashMap<String, UnitRow>,
    inactive: &HashSet<String>,
) -> Result<UnitRow, ImportProblem> {
    let text = required(text)?;
    match known_units.get(text) {
        None => Err(ImportProblem::UnknownUnit(text.to_owned())),
        Some(unit) if unit.region != region => Err(ImportProblem::UnitOfOtherRegion {
            unit: text.to_owned(),
            region: unit.region.clone(),
            expected: region.to_owned(),
        }),
        Some(_) if inactive.contains(text) => Err(ImportProblem::InactiveUnit(text.to_owned())),
        Some(unit) => Ok(unit.clone()),
    }
}

pub(crate) fn parse_date(text: &str) -> Result<Date, ImportProblem> {
    required(text)?.parse::<Date>().map_err(|e| ImportProblem::NotADate {
        text: text.to_owned(),
        why: e.to_string(),
    })
}

pub(crate) fn parse_task_category(text: &str) -> Result<TaskCategory, ImportProblem> {
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

pub(crate) fn parse_potential(text: &str) -> Result<Potential, ImportProblem> {
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

fn parse_expectation(text: &str, what: &str) -> Result<Expectation, ImportProblem> {
    choose(
        text,
        what,
        &[
            ("diatas", Expectation::Above),
            ("sesuai", Expectation::Meets),
            ("dibawah", Expectation::Below),
        ],
    )
    .map_err(|e| ImportProblem::Other(format!("{what}: {e}")))
}

/// `;`-separated items (empty for none); every bad item is named in one problem.
pub(crate) fn parse_list<T>(text: &str, item: fn(&str) -> Result<T, ImportProblem>) -> Result<Vec<T>, ImportProblem> {
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
        Err(ImportProblem::Other(problems.join("; ")))
    }
}

/// SKP assessments, at most one per year.
pub(crate) fn parse_skp(text: &str) -> Result<Vec<SkpAssessment>, ImportProblem> {
    let ratings = parse_list(text, parse_skp_item)?;
    let mut years = HashSet::new();
    match ratings.iter().find(|r| !years.insert(r.year)) {
        Some(r) => Err(ImportProblem::Other(format!(
            "year {} is listed more than once",
            r.year
        ))),
        None => Ok(ratings),
    }
}

/// `TAHUN:HASIL:PERILAKU`.
fn parse_skp_item(item: &str) -> Result<SkpAssessment, ImportProblem> {
    let parts: Vec<&str> = item.split(':').map(str::trim).collect();
    let [year, result, behaviour] = parts[..] else {
        return Err(ImportProblem::Other(
            "write TAHUN:HASIL:PERILAKU, e.g. 2026:sesuai:diatas".to_owned(),
        ));
    };
    let year = match year.parse::<u16>() {
        Ok(y) if year.len() == 4 && y >= 1900 => y,
        _ => return Err(ImportProblem::Other(format!("TAHUN `{year}` is not a 4-digit year"))),
    };
    Ok(SkpAssessment {
        year,
        work_result: parse_expectation(result, "HASIL")?,
        work_behaviour: parse_expectation(behaviour, "PERILAKU")?,
    })
}

/// Disciplinary penalties, no two of the same level starting on the same day.
pub(crate) fn parse_hukdis(text: &str) -> Result<Vec<Penalty>, ImportProblem> {
    let penalties = parse_list(text, parse_hukdis_item)?;
    let mut seen = HashSet::new();
    match penalties.iter().find(|p| !seen.insert((p.level, p.start))) {
        Some(p) => Err(ImportProblem::Other(format!(
            "the penalty starting {} is listed more than once",
            p.start
        ))),
        None => Ok(penalties),
    }
}

/// `TINGKAT:MULAI:SELESAI`; SELESAI may be empty (or left out) for a light penalty only.
fn parse_hukdis_item(item: &str) -> Result<Penalty, ImportProblem> {
    let parts: Vec<&str> = item.split(':').map(str::trim).collect();
    let (level, start, end) = match parts[..] {
        [level, start] => (level, start, ""),
        [level, start, end] => (level, start, end),
        _ => {
            return Err(ImportProblem::Other(
                "write TINGKAT:MULAI:SELESAI, e.g. sedang:2026-01-01:2026-06-30".to_owned(),
            ));
        }
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
    .map_err(|e| ImportProblem::Other(format!("TINGKAT: {e}")))?;
    let start = parse_date(start).map_err(|e| ImportProblem::Other(format!("MULAI: {e}")))?;
    let end = if end.is_empty() {
        None
    } else {
        Some(parse_date(end).map_err(|e| ImportProblem::Other(format!("SELESAI: {e}")))?)
    };
    match end {
        None if level != PenaltyLevel::Light => Err(ImportProblem::Other(
            "SELESAI is empty; a sedang or berat penalty needs an end date".to_owned(),
        )),
        Some(end) if end < start => Err(ImportProblem::Other(format!("SELESAI {end} is before MULAI {start}"))),
        _ => Ok(Penalty { level, start, end }),
    }
}

pub(crate) fn parse_absence(text: &str) -> Result<u32, ImportProblem> {
    match required(text)?.parse::<i64>() {
        Ok(days @ 0..=365) => Ok(days as u32),
        _ => Err(ImportProblem::NotAbsenceDays(text.to_owned())),
    }
}

pub(crate) fn parse_supervisor(text: &str) -> Result<Option<String>, ImportProblem> {
    if text.is_empty() {
        return Ok(None);
    }
    parse_nip(text)
        .map(|_| Some(text.to_owned()))
        .map_err(|e| ImportProblem::InvalidNip {
            nip: text.to_owned(),
            why: e.to_string(),
        })
}
