//! The position catalogue as a workflow: which positions (jabatan) qualify in a region, read by
//! its staff, imported by CSV (see [`crate::import::positions`]) and edited one entry at a time
//! by regional HR or the policy admin, each change recorded with who and when.

use crate::WorkflowError;
use crate::import::positions::{parse_code, parse_note, parse_status};
use crate::onboarding::require_region;
use dwa_store::{PositionChange, PositionEntry, PositionInput, Store, StoreError};
use serde::Deserialize;

/// A change to one entry, as a client asks for it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionEdit {
    /// `eligible`, `excluded` or `under_review` (or `layak`, `dikecualikan`, `ditinjau`).
    pub status: String,
    /// The position's name: required to add a position not yet in the catalogue; otherwise the
    /// stored name is kept when left out.
    #[serde(default)]
    pub name: Option<String>,
    /// Why (replaces the stored note; empty clears it).
    #[serde(default)]
    pub note: Option<String>,
}

/// `region`'s catalogue, by code.
pub async fn catalogue(store: &Store, region: &str) -> Result<Vec<PositionEntry>, WorkflowError> {
    require_region(store, region).await?;
    Ok(store.positions(region).await?)
}

/// The changes to `region`'s catalogue (to one position with `code`), oldest first.
pub async fn changes(store: &Store, region: &str, code: Option<&str>) -> Result<Vec<PositionChange>, WorkflowError> {
    require_region(store, region).await?;
    if let Some(code) = code {
        crate::input::check_id("code", code)?;
    }
    Ok(store.position_changes(region, code).await?)
}

/// Set one entry of `region`'s catalogue, recording `by`; the entry as stored afterwards.
/// A position not yet in the catalogue is added when the edit names it.
pub async fn edit_position(
    store: &Store,
    region: &str,
    code: &str,
    edit: &PositionEdit,
    by: &str,
) -> Result<PositionEntry, WorkflowError> {
    require_region(store, region).await?;
    let code = parse_code(code).map_err(|message| invalid("code", message))?;
    let status = parse_status(edit.status.trim()).map_err(|message| invalid("status", message))?;
    let note = match &edit.note {
        Some(note) => Some(parse_note(note.trim()).map_err(|message| invalid("note", message))?),
        None => None,
    };
    let name = match &edit.name {
        Some(name) => Some(crate::import::fields::parse_name(name.trim()).map_err(|message| invalid("name", message))?),
        None => None,
    };
    let stored = store.position(region, &code).await?;
    let (name, note) = match (stored, name) {
        (Some(entry), name) => (name.unwrap_or(entry.name), note.unwrap_or(entry.note)),
        (None, Some(name)) => (name, note.unwrap_or_default()),
        (None, None) => {
            return Err(invalid(
                "name",
                format!("position {code} is not in region {region}'s catalogue; give its name to add it"),
            ));
        }
    };
    let input = PositionInput {
        code: code.clone(),
        name,
        status,
        note,
    };
    store.write_positions(region, &[input], by, "edit").await?;
    store
        .position(region, &code)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("position {code}")).into())
}

fn invalid(field: &str, message: impl std::fmt::Display) -> WorkflowError {
    WorkflowError::Invalid {
        field: field.to_owned(),
        problem: message.to_string().into(),
    }
}
