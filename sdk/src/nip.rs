//! NIP (nipBaru) validation: 18 digits = birth date `YYYYMMDD`, CPNS appointment `YYYYMM`,
//! sex `1`/`2`, sequence `NNN`.

use crate::date::Date;
use std::fmt;

/// Sex as encoded in the NIP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sex {
    /// Digit `1`.
    Male,
    /// Digit `2`.
    Female,
}

/// The parts of a valid NIP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nip {
    /// Date of birth.
    pub birth_date: Date,
    /// Year of CPNS appointment.
    pub appointed_year: u16,
    /// Month of CPNS appointment.
    pub appointed_month: u8,
    /// Sex.
    pub sex: Sex,
    /// Sequence number (1..=999).
    pub sequence: u16,
}

/// Why a text is not a valid NIP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NipError {
    /// Not exactly 18 characters.
    Length(usize),
    /// A character that is not an ASCII digit.
    NotDigits,
    /// The first 8 digits are not a real date.
    BirthDate(String),
    /// The appointment month is not 1..=12 or the appointment precedes age 17.
    Appointment(String),
    /// The sex digit is not 1 or 2.
    Sex(char),
    /// Sequence 000.
    Sequence,
}

impl fmt::Display for NipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NipError::Length(n) => write!(f, "NIP must have 18 digits, found {n} characters"),
            NipError::NotDigits => write!(f, "NIP must contain digits only"),
            NipError::BirthDate(d) => write!(f, "NIP birth date `{d}` is not a real date"),
            NipError::Appointment(a) => write!(f, "NIP appointment `{a}` is not a plausible year and month"),
            NipError::Sex(c) => write!(f, "NIP sex digit must be 1 or 2, found `{c}`"),
            NipError::Sequence => write!(f, "NIP sequence number must not be 000"),
        }
    }
}

impl std::error::Error for NipError {}

/// Parse and validate an 18-digit NIP.
pub fn parse_nip(text: &str) -> Result<Nip, NipError> {
    if text.chars().count() != 18 {
        return Err(NipError::Length(text.chars().count()));
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        // Also catches 18 characters that are not all one-byte digits.
        return Err(NipError::NotDigits);
    }
    let num = |range: std::ops::Range<usize>| text[range].parse::<u16>().unwrap_or(0);
    let birth_date = Date::new(num(0..4), num(4..6) as u8, num(6..8) as u8)
        .filter(|d| d.year >= 1900)
        .ok_or_else(|| NipError::BirthDate(text[0..8].to_owned()))?;
    let (appointed_year, appointed_month) = (num(8..12), num(12..14) as u8);
    if !(1..=12).contains(&appointed_month) || appointed_year < birth_date.year + 17 {
        return Err(NipError::Appointment(text[8..14].to_owned()));
    }
    let sex = match text.as_bytes()[14] {
        b'1' => Sex::Male,
        b'2' => Sex::Female,
        other => return Err(NipError::Sex(other as char)),
    };
    let sequence = num(15..18);
    if sequence == 0 {
        return Err(NipError::Sequence);
    }
    Ok(Nip {
        birth_date,
        appointed_year,
        appointed_month,
        sex,
        sequence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_real_nip() {
        let nip = parse_nip("198503122010012003").unwrap();
        assert_eq!(nip.birth_date, Date::new(1985, 3, 12).unwrap());
        assert_eq!((nip.appointed_year, nip.appointed_month), (2010, 1));
        assert_eq!(nip.sex, Sex::Female);
        assert_eq!(nip.sequence, 3);
    }

    #[test]
    fn rejects_each_kind_of_error() {
        assert_eq!(parse_nip("1985031220100120"), Err(NipError::Length(16)));
        assert_eq!(parse_nip("19850312201001200X"), Err(NipError::NotDigits));
        assert!(matches!(parse_nip("198502302010012003"), Err(NipError::BirthDate(_))));
        assert!(matches!(parse_nip("198503122010132003"), Err(NipError::Appointment(_))));
        assert!(matches!(parse_nip("198503121995012003"), Err(NipError::Appointment(_))));
        assert_eq!(parse_nip("198503122010013003"), Err(NipError::Sex('3')));
        assert_eq!(parse_nip("198503122010011000"), Err(NipError::Sequence));
    }
}
