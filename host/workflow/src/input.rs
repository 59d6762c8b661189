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

/// What is wrong with a value a client sent, as a code with its values: the API says it in
/// English ([`std::fmt::Display`]), the pages render it in their own language from the variant.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// Empty (or only blanks) where a value is required.
    #[error("must not be empty")]
    Empty,
    /// Longer than allowed, in characters.
    #[error("is {chars} characters long; at most {max} are allowed")]
    TooLong {
        /// The length given.
        chars: usize,
        /// The most allowed.
        max: usize,
    },
    /// A character the field refuses, at a 1-based position.
    #[error("contains {what} at character {position}")]
    Character {
        /// Which kind of character.
        what: BadChar,
        /// Where (1-based).
        position: usize,
    },
    /// Text that looks like markup, at a 1-based position.
    #[error(
        "contains markup at character {position} (`<` directly followed by a letter, `/`, `!` or `?`); \
         write `< ` with a space, or spell it out"
    )]
    Markup {
        /// Where (1-based).
        position: usize,
    },
    /// A quarter's year outside [`MIN_YEAR`]–[`MAX_YEAR`].
    #[error("the year must be from {MIN_YEAR} to {MAX_YEAR}, written with four digits (e.g. 2027-Q1)")]
    QuarterYear,
    /// A date's year outside [`MIN_YEAR`]–[`MAX_YEAR`].
    #[error("the year must be from {MIN_YEAR} to {MAX_YEAR} (e.g. 2027-04-01)")]
    DateYear,
    /// An identifier longer than [`MAX_ID_CHARS`].
    #[error("is longer than {MAX_ID_CHARS} characters")]
    IdTooLong,
    /// An identifier with other than ASCII letters, digits, `-`, `_`, `.`.
    #[error("may contain only ASCII letters, digits, `-`, `_` and `.`")]
    IdCharacters,
    /// Days anywhere outside 1–5.
    #[error("must be 1 to 5 days anywhere a week")]
    DaysOutOfRange,
    /// More days anywhere than the region allows.
    #[error("{days} days is above this region's cap of {cap} days anywhere a week")]
    DaysAboveCap {
        /// The days asked for.
        days: u8,
        /// The region's ceiling.
        cap: u8,
    },
    /// Text that is not a whole number of days (as typed).
    #[error("`{0}` is not a number of days from 1 to 5")]
    NotDays(String),
    /// Text that is not a number (as typed).
    #[error("`{0}` is not a number")]
    NotANumber(String),
    /// A KPI figure outside 0–1,000,000,000 (or not finite).
    #[error("must be a number from 0 to 1,000,000,000")]
    NumberOutOfRange,
    /// A location that is not one of those offered.
    #[error("choose one of the locations offered")]
    ChooseLocation,
    /// A quarter that has already ended.
    #[error("{0} has already ended")]
    QuarterEnded(Quarter),
    /// An approval the application does not need.
    #[error("this application does not need the approval of {code}", code = dwa_store::code(.0))]
    ApprovalNotNeeded(dwa_sdk::Approver),
    /// A version of another region.
    #[error("version {version} belongs to region {region}")]
    VersionOfOtherRegion {
        /// The version asked for.
        version: String,
        /// The region it belongs to.
        region: String,
    },
    /// Text that is not a NIP (as typed), with the parser's reason.
    #[error("`{nip}` is not a valid NIP: {why}")]
    InvalidNip {
        /// The text given.
        nip: String,
        /// Why it is not one (English).
        why: String,
    },
    /// No employee has this NIP.
    #[error("no employee has NIP {0} (import the employees first)")]
    NoSuchEmployee(String),
    /// The employee works in another region.
    #[error("NIP {nip} works in region {region}, not in region {expected}")]
    EmployeeOfOtherRegion {
        /// The employee's NIP.
        nip: String,
        /// Where they work.
        region: String,
        /// The region asked for.
        expected: String,
    },
    /// A head of agency who does not work in the agency.
    #[error("NIP {nip} works in agency {agency}, not in {expected}; an agency's head works in it")]
    HeadOutsideAgency {
        /// The employee's NIP.
        nip: String,
        /// Their agency.
        agency: String,
        /// The agency they were to head.
        expected: String,
    },
    /// Anything else, in English only (the administrators' and the CLI's refusals).
    #[error("{0}")]
    Other(String),
}

impl From<String> for Problem {
    fn from(message: String) -> Problem {
        Problem::Other(message)
    }
}

impl From<&str> for Problem {
    fn from(message: &str) -> Problem {
        Problem::Other(message.to_owned())
    }
}

/// A character a free-text field refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadChar {
    /// U+0000.
    Nul,
    /// A carriage return not followed by a line feed (multi-line text).
    LoneCarriageReturn,
    /// A line break or tab in one-line text.
    LineBreak,
    /// Another control character (its code point).
    Control(u32),
    /// A bidirectional control character (its code point).
    Bidi(u32),
    /// U+2028, U+2029 or a byte-order mark (its code point).
    Invisible(u32),
}

impl std::fmt::Display for BadChar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BadChar::Nul => write!(f, "a NUL character"),
            BadChar::LoneCarriageReturn => write!(f, "a carriage return not followed by a line feed"),
            BadChar::LineBreak => write!(f, "a line break or tab (this field is one line)"),
            BadChar::Control(c) => write!(f, "the control character U+{c:04X}"),
            BadChar::Bidi(c) => write!(f, "the bidirectional control character U+{c:04X}"),
            BadChar::Invisible(c) => write!(f, "the invisible character U+{c:04X}"),
        }
    }
}

/// Why `text` breaks `rule`, in words a person can act on; `None` when it is fine.
pub fn text_problem(text: &str, rule: TextRule) -> Option<String> {
    text_problem_kind(text, rule).map(|p| p.to_string())
}

/// Why `text` breaks `rule`, as a [`Problem`]; `None` when it is fine.
pub fn text_problem_kind(text: &str, rule: TextRule) -> Option<Problem> {
    if text.trim().is_empty() {
        return (!rule.optional).then_some(Problem::Empty);
    }
    let chars = text.chars().count();
    if chars > rule.max_chars {
        return Some(Problem::TooLong {
            chars,
            max: rule.max_chars,
        });
    }
    let mut chars = text.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        let position = i + 1;
        let problem = match c {
            '\0' => Some(BadChar::Nul),
            '\n' | '\t' if rule.multiline => None,
            '\r' if rule.multiline && chars.peek().is_some_and(|(_, next)| *next == '\n') => None,
            '\r' if rule.multiline => Some(BadChar::LoneCarriageReturn),
            '\n' | '\r' | '\t' => Some(BadChar::LineBreak),
            c if c.is_control() => Some(BadChar::Control(c as u32)),
            c if is_bidi_control(c) => Some(BadChar::Bidi(c as u32)),
            '\u{2028}' | '\u{2029}' | '\u{FEFF}' => Some(BadChar::Invisible(c as u32)),
            '<' if rule.refuse_markup
                && chars
                    .peek()
                    .is_some_and(|(_, next)| next.is_ascii_alphabetic() || matches!(next, '/' | '!' | '?')) =>
            {
                return Some(Problem::Markup { position });
            }
            _ => None,
        };
        if let Some(what) = problem {
            return Some(Problem::Character { what, position });
        }
    }
    None
}

/// Refuse `text` in `field` unless it meets `rule`.
pub fn check_text(field: &str, text: &str, rule: TextRule) -> Result<(), WorkflowError> {
    match text_problem_kind(text, rule) {
        Some(problem) => Err(invalid(field, problem)),
        None => Ok(()),
    }
}

/// Refuse a quarter outside [`MIN_YEAR`]–[`MAX_YEAR`].
pub fn check_quarter(field: &str, quarter: Quarter) -> Result<Quarter, WorkflowError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&quarter.year) {
        Ok(quarter)
    } else {
        Err(invalid(field, Problem::QuarterYear))
    }
}

/// Refuse a date outside [`MIN_YEAR`]–[`MAX_YEAR`].
pub fn check_date(field: &str, date: Date) -> Result<Date, WorkflowError> {
    if (MIN_YEAR..=MAX_YEAR).contains(&date.year) {
        Ok(date)
    } else {
        Err(invalid(field, Problem::DateYear))
    }
}

/// Why `id` is not a plain identifier (1 to [`MAX_ID_CHARS`] of ASCII letters, digits, `-`, `_`,
/// `.`); `None` when it is one.
pub fn id_problem(id: &str) -> Option<String> {
    id_problem_kind(id).map(|p| p.to_string())
}

/// Why `id` is not a plain identifier, as a [`Problem`]; `None` when it is one.
pub fn id_problem_kind(id: &str) -> Option<Problem> {
    if id.is_empty() {
        Some(Problem::Empty)
    } else if id.len() > MAX_ID_CHARS {
        Some(Problem::IdTooLong)
    } else if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        Some(Problem::IdCharacters)
    } else {
        None
    }
}

/// Refuse `id` in `field` unless it is a plain identifier.
pub fn check_id(field: &str, id: &str) -> Result<(), WorkflowError> {
    match id_problem_kind(id) {
        Some(problem) => Err(invalid(field, problem)),
        None => Ok(()),
    }
}

fn invalid(field: &str, problem: Problem) -> WorkflowError {
    WorkflowError::Invalid {
        field: field.into(),
        problem,
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
