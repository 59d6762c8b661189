//! The rules every value a client sends must meet before it is stored or acted on, in one place
//! so the API, the CSV import and the CLI refuse the same things with the same words.
//!
//! - **Free text** (a work plan, a name) is bounded in characters and refuses NUL and every
//!   other control character (C0, DEL, C1) — except line feed and tab (and a carriage return
//!   directly before a line feed) in multi-line text — Unicode bidirectional controls
//!   (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C: they make text read differently
//!   from how it is stored, "Trojan Source"), the line and paragraph separators U+2028/U+2029,
//!   and a byte-order mark inside text. Text that looks like markup — `<` directly followed by
//!   a letter, `/`, `!` or `?` (`<script`, `</b>`, `<!--`, `<?xml`) — is refused too: no field
//!   needs a tag, and refusing them means a page that forgets to escape still shows no markup.
//!   `<` and `>` as signs (`KPI > 80`, `< 5 hari`) are kept as text; every page escapes on
//!   output, and the API only ever answers JSON.
//! - **Quarters and dates** lie in the years [`MIN_YEAR`]–[`MAX_YEAR`]: `+202-Q1` (which the
//!   plain parser reads as year 202) and `1899-Q1` are refused instead of stored.
//! - **Identifiers** (unit codes, version ids, region codes) are short and plain ASCII.

use super::WorkflowError;
pub use dwa_domain::text::is_bidi_control;
use dwa_sdk::{Date, Quarter};

/// Earliest year of a quarter or date a client may name.
pub const MIN_YEAR: u16 = 2000;
/// Latest year of a quarter or date a client may name.
pub const MAX_YEAR: u16 = 2100;
/// Longest work plan, in characters.
pub const MAX_WORK_PLAN_CHARS: usize = 4000;
/// Longest one-line text (a name), in characters.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest identifier (unit code, version id, region code), in bytes.
pub const MAX_ID_CHARS: usize = 100;
/// Largest manifest (TOML text) accepted, in bytes; the deployed ones are about 4 KB.
pub const MAX_MANIFEST_BYTES: usize = 256 * 1024;

/// What a free-text field allows.
#[derive(Clone, Copy, Debug)]
pub struct TextRule {
    /// Most characters (Unicode scalar values) allowed.
    pub max_chars: usize,
    /// Line feeds and tabs allowed (a work plan); otherwise one line (a name).
    pub multiline: bool,
    /// Empty (or only spaces) allowed.
    pub optional: bool,
    /// Refuse text that looks like an HTML tag (see the module header).
    pub refuse_markup: bool,
}

impl TextRule {
    /// A work plan: multi-line, 1 to [`MAX_WORK_PLAN_CHARS`] characters, no markup.
    pub const WORK_PLAN: TextRule = TextRule {
        max_chars: MAX_WORK_PLAN_CHARS,
        multiline: true,
        optional: false,
        refuse_markup: true,
    };
    /// A person's name: one line, 1 to [`MAX_NAME_CHARS`] characters, no markup.
    pub const NAME: TextRule = TextRule {
        max_chars: MAX_NAME_CHARS,
        multiline: false,
        optional: false,
        refuse_markup: true,
    };
    /// A note (why a position qualifies or not, an approval's note): one line, optional, at most
    /// 500 characters, no markup.
    pub const NOTE: TextRule = TextRule {
        max_chars: 500,
        multiline: false,
        optional: true,
        refuse_markup: true,
    };
    /// A manifest's TOML text: multi-line, at most [`MAX_MANIFEST_BYTES`]; `<` is allowed (its
    /// comments are the policy author's, and it is never shown as HTML).
    pub const MANIFEST: TextRule = TextRule {
        max_chars: MAX_MANIFEST_BYTES,
        multiline: true,
        optional: false,
        refuse_markup: false,
    };
}

/// Why `text` breaks `rule`, in words a person can act on; `None` when it is fine.
pub fn text_problem(text: &str, rule: TextRule) -> Option<String> {
    if text.trim().is_empty() {
        return (!rule.optional).then(|| "must not be empty".to_owned());
    }
    let chars = text.chars().count();
    if chars > rule.max_chars {
        return Some(format!(
            "is {chars} characters long; at most {} are allowed",
            rule.max_chars
        ));
    }
    let mut chars = text.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        let position = i + 1;
        let problem = match c {
            '\0' => Some("a NUL character".to_owned()),
            '\n' | '\t' if rule.multiline => None,
            '\r' if rule.multiline && chars.peek().is_some_and(|(_, next)| *next == '\n') => None,
            '\r' if rule.multiline => Some("a carriage return not followed by a line feed".to_owned()),
            '\n' | '\r' | '\t' => Some("a line break or tab (this field is one line)".to_owned()),
            c if c.is_control() => Some(format!("the control character U+{:04X}", c as u32)),
            c if is_bidi_control(c) => Some(format!("the bidirectional control character U+{:04X}", c as u32)),
            '\u{2028}' | '\u{2029}' | '\u{FEFF}' => Some(format!("the invisible character U+{:04X}", c as u32)),
            '<' if rule.refuse_markup
                && chars
                    .peek()
                    .is_some_and(|(_, next)| next.is_ascii_alphabetic() || matches!(next, '/' | '!' | '?')) =>
            {
                return Some(format!(
                    "contains markup at character {position} (`<` directly followed by a letter, `/`, `!` or `?`); \
                     write `< ` with a space, or spell it out"
                ));
            }
            _ => None,
        };
        if let Some(problem) = problem {
            return Some(format!("contains {problem} at character {position}"));
        }
    }
    None
}

/// Refuse `text` in `field` unless it meets `rule`.
pub fn check_text(field: &str, text: &str, rule: TextRule) -> Result<(), WorkflowError> {
    match text_problem(text, rule) {
        Some(message) => Err(invalid(field, message)),
        None => Ok(()),
    }
}

/// Refuse a quarter outside [`MIN_YEAR`]–[`MAX_YEAR`].
pub fn check_quarter(field: &str, quarter: Quarter) -> Result<Quarter, WorkflowError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&quarter.year) {
        Ok(quarter)
    } else {
        Err(invalid(
            field,
            format!("the year must be from {MIN_YEAR} to {MAX_YEAR}, written with four digits (e.g. 2027-Q1)"),
        ))
    }
}

/// Refuse a date outside [`MIN_YEAR`]–[`MAX_YEAR`].
pub fn check_date(field: &str, date: Date) -> Result<Date, WorkflowError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&date.year) {
        Ok(date)
    } else {
        Err(invalid(
            field,
            format!("the year must be from {MIN_YEAR} to {MAX_YEAR} (e.g. 2027-04-01)"),
        ))
    }
}

/// Why `id` is not a plain identifier (1 to [`MAX_ID_CHARS`] of ASCII letters, digits, `-`, `_`,
/// `.`); `None` when it is one.
pub fn id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        Some("must not be empty".to_owned())
    } else if id.len() > MAX_ID_CHARS {
        Some(format!("is longer than {MAX_ID_CHARS} characters"))
    } else if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        Some("may contain only ASCII letters, digits, `-`, `_` and `.`".to_owned())
    } else {
        None
    }
}

/// Refuse `id` in `field` unless it is a plain identifier.
pub fn check_id(field: &str, id: &str) -> Result<(), WorkflowError> {
    match id_problem(id) {
        Some(message) => Err(invalid(field, message)),
        None => Ok(()),
    }
}

fn invalid(field: &str, message: String) -> WorkflowError {
    WorkflowError::Invalid {
        field: field.into(),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_rules() {
        let plan = TextRule::WORK_PLAN;
        assert_eq!(text_problem("Menyusun rancangan\r\n- KPI > 80%\t< 5 hari", plan), None);
        for bad in [
            "a\0b",
            "a\u{7}b",
            "a\u{1b}[31mred",
            "a\u{85}b",
            "a\rb",
            "abc\u{202E}cba",
            "x\u{2066}y",
            "<script>alert(1)</script>",
            "see </b>",
            "<!-- x -->",
            "   ",
        ] {
            assert!(text_problem(bad, plan).is_some(), "{bad:?}");
        }
        assert!(text_problem(&"é".repeat(4000), plan).is_none());
        assert!(text_problem(&"é".repeat(4001), plan).is_some());
        assert!(text_problem("Siti\nAminah", TextRule::NAME).is_some());
        assert!(text_problem("Siti Aminah, S.Kom.", TextRule::NAME).is_none());
    }

    #[test]
    fn years_and_ids() {
        let q = |s: &str| s.parse::<Quarter>().unwrap();
        // `+202-Q1` no longer parses at all (the SDK takes digits only).
        assert!("+202-Q1".parse::<Quarter>().is_err());
        assert!(check_quarter("quarter", q("0202-Q1")).is_err());
        assert!(check_quarter("quarter", q("1899-Q1")).is_err());
        assert!(check_quarter("quarter", q("2101-Q1")).is_err());
        assert!(check_quarter("quarter", q("2027-Q1")).is_ok());
        assert!(id_problem("3216-SETDA-HUKUM-01").is_none());
        assert!(id_problem("../etc").is_some());
        assert!(id_problem("a b").is_some());
    }
}
