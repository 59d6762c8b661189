//! The employee file's own field readers (NIP, employment type, SKP, penalties, …); the
//! readers every kind of file shares are in `fields`.

use super::fields::{choose, required};
use dwa_sdk::nip::{Nip, parse_nip};
use dwa_sdk::{
    Date, EmploymentType, Expectation, Penalty, PenaltyLevel, PositionKind, Potential, SkpAssessment, TaskCategory,
};
use dwa_store::UnitRow;
use std::collections::{HashMap, HashSet};

pub(crate) fn parse_nip_field(text: &str) -> Result<Nip, String> {
    parse_nip(required(text)?).map_err(|e| format!("`{text}` is not a valid NIP: {e}"))
}

pub(crate) fn parse_employment_type(text: &str) -> Result<EmploymentType, String> {
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

pub(crate) fn parse_position_kind(text: &str) -> Result<PositionKind, String> {
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
) -> Result<UnitRow, String> {
    let text = required(text)?;
    match known_units.get(text) {
        None => Err(format!(
            "unknown unit `{text}`: no unit has this code (import the units first)"
        )),
        Some(unit) if unit.region != region => Err(format!(
            "unit `{text}` belongs to region {}, not to region {region} that this import is for",
            unit.region
        )),
        Some(_) if inactive.contains(text) => Err(format!(
            "unit `{text}` is no longer active (aktif = tidak in the unit import); use the unit that replaced it"
        )),
        Some(unit) => Ok(unit.clone()),
    }
}

pub(crate) fn parse_date(text: &str) -> Result<Date, String> {
    required(text)?.parse::<Date>().map_err(|e| e.to_string())
}

pub(crate) fn parse_task_category(text: &str) -> Result<TaskCategory, String> {
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

pub(crate) fn parse_potential(text: &str) -> Result<Potential, String> {
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
pub(crate) fn parse_list<T>(text: &str, item: fn(&str) -> Result<T, String>) -> Result<Vec<T>, String> {
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
pub(crate) fn parse_skp(text: &str) -> Result<Vec<SkpAssessment>, String> {
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
pub(crate) fn parse_hukdis(text: &str) -> Result<Vec<Penalty>, String> {
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

pub(crate) fn parse_absence(text: &str) -> Result<u32, String> {
    match required(text)?.parse::<i64>() {
        Ok(days @ 0..=365) => Ok(days as u32),
        _ => Err(format!("must be a whole number of days from 0 to 365, found `{text}`")),
    }
}

pub(crate) fn parse_supervisor(text: &str) -> Result<Option<String>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    parse_nip(text)
        .map(|_| Some(text.to_owned()))
        .map_err(|e| format!("`{text}` is not a valid NIP: {e}"))
}
