//! Bringing a region on board from an empty database (DESIGN §7, step 0): [`initialise`] creates
//! the province with a first provincial-admin credential, [`add_region`] adds a regency or city
//! by its BPS code; units and staff then come from their CSV files ([`crate::import`]).
//!
//! Region codes are BPS codes under West Java: `32` is the province; a regency (kabupaten) is
//! `3201`–`3269` and a city (kota) `3271`–`3299` — the BPS convention, which keeps room for
//! regions formed later instead of listing today's 27. A regency's name starts with
//! `Kabupaten` and a city's with `Kota`, so that Kabupaten Bandung (`3204`) is not added under
//! Kota Bandung's code (`3273`) by mistake.

use crate::WorkflowError;
use crate::input::{TextRule, check_text};
use dwa_policy::PROVINCE;
use dwa_store::{RegionRow, Store, StoreError, TokenGrant};

/// The province's name, as `dwa init` stores it.
pub const PROVINCE_NAME: &str = "Provinsi Jawa Barat";

/// What kind of region a valid code names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionKind {
    /// The province (`32`).
    Province,
    /// A regency (kabupaten, `3201`–`3269`).
    Regency,
    /// A city (kota, `3271`–`3299`).
    City,
}

/// The kind of region `code` is, or why it is not a region code of West Java.
pub fn region_kind(code: &str) -> Result<RegionKind, String> {
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{}` is not a BPS region code: use digits only, {PROVINCE} for the province or 4 digits \
             (e.g. 3216) for a regency or city",
            quoted(code)
        ));
    }
    match code.len() {
        2 if code == PROVINCE => Ok(RegionKind::Province),
        2 => Err(format!(
            "{code} is another province; this host serves West Java ({PROVINCE})"
        )),
        4 if &code[..2] != PROVINCE => Err(format!(
            "{code} is in province {}, not in West Java ({PROVINCE}); regencies and cities here are {PROVINCE}01–{PROVINCE}99",
            &code[..2]
        )),
        4 => match code[2..].parse::<u8>() {
            Ok(1..=69) => Ok(RegionKind::Regency),
            Ok(71..=99) => Ok(RegionKind::City),
            _ => Err(format!(
                "{code} is not a regency or city code: regencies are 3201–3269, cities 3271–3299"
            )),
        },
        n => Err(format!(
            "`{code}` has {n} digits; a BPS region code has 2 (the province, {PROVINCE}) or 4 (a regency or city)"
        )),
    }
}

/// `text` shortened and without control characters, to quote it back in a message.
fn quoted(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(40).collect()
}

/// Create the province on an empty database and store the first provincial-admin token (its
/// sha256 only, as every token; `role` is the API's code for the provincial-admin role), in one
/// transaction. On a database that has any region this is a [`WorkflowError::Conflict`] and
/// nothing changes.
pub async fn initialise(store: &Store, admin_token: &str, role: &str) -> Result<RegionRow, WorkflowError> {
    let province = RegionRow {
        code: PROVINCE.to_owned(),
        name: PROVINCE_NAME.to_owned(),
    };
    let grant = TokenGrant {
        role: role.to_owned(),
        region: PROVINCE.to_owned(),
        nip: None,
    };
    match store.initialise(&province, admin_token, &grant).await {
        Ok(()) => Ok(province),
        Err(StoreError::Conflict(why)) => Err(WorkflowError::Conflict(format!("{why}; nothing was changed"))),
        Err(e) => Err(e.into()),
    }
}

/// Check a region's BPS code ([`region_kind`]) and its name: one line of text that, for a
/// regency or city, starts with `Kabupaten` or `Kota` as the code says (so Kabupaten Bandung is
/// not filed under Kota Bandung's code). Shared by [`add_region`] and the plugin scaffold.
pub fn check_region(code: &str, name: &str) -> Result<RegionKind, WorkflowError> {
    let invalid = |field: &str, message: String| WorkflowError::Invalid {
        field: field.into(),
        problem: message.into(),
    };
    let kind = region_kind(code).map_err(|m| invalid("code", m))?;
    check_text("name", name, TextRule::NAME)?;
    let name = name.trim();
    let (word, what) = match kind {
        RegionKind::Province => return Ok(kind),
        RegionKind::Regency => ("Kabupaten", "a regency (kabupaten; BPS codes 3201–3269)"),
        RegionKind::City => ("Kota", "a city (kota; BPS codes 3271–3299)"),
    };
    let first = name.split_whitespace().next().unwrap_or("");
    if !first.eq_ignore_ascii_case(word) || name.len() == first.len() {
        return Err(invalid(
            "name",
            format!(
                "region {code} is {what}, so its name is `{word} …`, e.g. `{word} {}`; if the name is \
                 right, check the code (Kabupaten Bandung is 3204, Kota Bandung 3273)",
                if kind == RegionKind::City { "Bandung" } else { "Bekasi" }
            ),
        ));
    }
    Ok(kind)
}

/// Add a regency or city, its code and name checked by [`check_region`]. Refused when the
/// province is not initialised yet or the code exists.
pub async fn add_region(store: &Store, code: &str, name: &str) -> Result<RegionRow, WorkflowError> {
    if check_region(code, name)? == RegionKind::Province {
        return Err(WorkflowError::Conflict(format!(
            "region {PROVINCE} is the province; `dwa init` creates it"
        )));
    }
    let name = name.trim();
    let regions = store.regions().await?;
    if !regions.iter().any(|r| r.code == PROVINCE) {
        return Err(WorkflowError::Conflict(
            "the database is not initialised: run `dwa init` first (it creates the province)".into(),
        ));
    }
    if let Some(existing) = regions.iter().find(|r| r.code == code) {
        return Err(WorkflowError::Conflict(format!(
            "region {code} already exists ({}); nothing was changed",
            existing.name
        )));
    }
    let region = RegionRow {
        code: code.to_owned(),
        name: name.to_owned(),
    };
    store.insert_region(&region).await?;
    Ok(region)
}

/// Every region, by code.
pub async fn regions(store: &Store) -> Result<Vec<RegionRow>, WorkflowError> {
    Ok(store.regions().await?)
}

/// A region's organisational units with their hierarchy (parent, echelon, head, active), by id.
pub async fn units(store: &Store, region: &str) -> Result<Vec<dwa_store::UnitRecord>, WorkflowError> {
    require_region(store, region).await?;
    Ok(store.unit_records(region).await?)
}

/// Record who heads an agency (OPD) of a region: the person who gives the head-of-agency
/// approval (Bekasi asks it from two days a week). The unit file names the head's position,
/// not the person, so HR records the person here: an employee of that region working in that
/// agency (imported first). Replaces an earlier head.
pub async fn set_agency_head(store: &Store, region: &str, agency: &str, nip: &str) -> Result<(), WorkflowError> {
    use crate::Problem;
    let problem = |field: &str, problem: Problem| WorkflowError::Invalid {
        field: field.into(),
        problem,
    };
    require_region(store, region).await?;
    crate::input::check_id("agency", agency)?;
    if let Err(e) = dwa_sdk::nip::parse_nip(nip) {
        return Err(problem(
            "nip",
            Problem::InvalidNip {
                nip: nip.to_owned(),
                why: e.to_string(),
            },
        ));
    }
    let employee = match store.employee(nip).await {
        Ok(employee) => employee,
        Err(StoreError::NotFound(_)) => {
            return Err(problem("nip", Problem::NoSuchEmployee(nip.to_owned())));
        }
        Err(e) => return Err(e.into()),
    };
    if employee.region != region {
        return Err(problem(
            "nip",
            Problem::EmployeeOfOtherRegion {
                nip: nip.to_owned(),
                region: employee.region,
                expected: region.to_owned(),
            },
        ));
    }
    if employee.agency != agency {
        return Err(problem(
            "agency",
            Problem::HeadOutsideAgency {
                nip: nip.to_owned(),
                agency: employee.agency,
                expected: agency.to_owned(),
            },
        ));
    }
    store.set_agency_head(region, agency, nip).await?;
    Ok(())
}

/// Refuse a region that is not a plain code or is not stored (before an import into it).
pub async fn require_region(store: &Store, code: &str) -> Result<(), WorkflowError> {
    crate::input::check_id("region", code)?;
    if store.region_exists(code).await? {
        Ok(())
    } else {
        Err(StoreError::NotFound(format!("region {code}")).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bps_codes() {
        assert_eq!(region_kind("32"), Ok(RegionKind::Province));
        assert_eq!(region_kind("3216"), Ok(RegionKind::Regency));
        assert_eq!(region_kind("3201"), Ok(RegionKind::Regency));
        assert_eq!(region_kind("3273"), Ok(RegionKind::City));
        assert_eq!(region_kind("3299"), Ok(RegionKind::City));
        for bad in [
            "", "3", "31", "3116", "3200", "3270", "32160", "32a6", "+216", " 3216", "٣٢١٦",
        ] {
            assert!(region_kind(bad).is_err(), "{bad:?}");
        }
    }
}
