//! Single-field readers every kind of import file uses: each returns the value or a
//! plain-English problem that the row reports against its column.

use super::ImportProblem;
use crate::input::{TextRule, text_problem_kind};

/// A non-empty value.
pub(crate) fn required(text: &str) -> Result<&str, ImportProblem> {
    if text.is_empty() {
        Err(ImportProblem::Required)
    } else {
        Ok(text)
    }
}

/// Lower-case letters and digits only, so `PPPK Paruh Waktu`, `pppk_paruh_waktu` and
/// `pppkParuhWaktu` compare equal.
pub(crate) fn word_key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// `a, b or c`.
pub(crate) fn one_of(names: &[&str]) -> String {
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// One of a fixed set of words, named as the file writes them.
pub(crate) fn choose<T: Copy>(text: &str, what: &str, choices: &[(&str, T)]) -> Result<T, ImportProblem> {
    let text = required(text)?;
    let key = word_key(text);
    choices
        .iter()
        .find(|(name, _)| word_key(name) == key)
        .map(|(_, value)| *value)
        .ok_or_else(|| ImportProblem::NotOneOf {
            text: text.to_owned(),
            what: what.to_owned(),
            choices: choices.iter().map(|(name, _)| (*name).to_owned()).collect(),
        })
}

/// A one-line name (of a person, a unit, a position).
pub(crate) fn parse_name(text: &str) -> Result<String, ImportProblem> {
    let text = required(text)?;
    let max = crate::input::MAX_NAME_CHARS;
    if text.chars().count() > max {
        return Err(ImportProblem::NameTooLong(max));
    }
    if text.chars().any(char::is_control) {
        return Err(ImportProblem::ControlCharacters);
    }
    // Bidirectional controls, invisible characters and markup: the rules every free text meets.
    if let Some(problem) = text_problem_kind(text, TextRule::NAME) {
        return Err(ImportProblem::Text(problem));
    }
    Ok(text.to_owned())
}

/// `ya` / `tidak`.
pub(crate) fn parse_yes_no(text: &str) -> Result<bool, ImportProblem> {
    choose(text, "yes or no", &[("ya", true), ("tidak", false)])
}

/// `I`–`IV`, optionally with SIASN's grade (`III.a`); empty for none.
pub(crate) fn parse_echelon(text: &str) -> Result<Option<u8>, ImportProblem> {
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
        _ => Err(ImportProblem::NotEchelon(text.to_owned())),
    }
}
