//! Calendar dates and quarters without a date library, so guest plugins stay small.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A calendar date (proleptic Gregorian). Serialised as `"YYYY-MM-DD"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, e.g. 2027.
    pub year: u16,
    /// Month 1..=12.
    pub month: u8,
    /// Day of month 1..=31.
    pub day: u8,
}

/// Why a text is not a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateError(pub String);

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DateError {}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in `month` of `year`.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year as i64) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A checked date: `None` when the day does not exist.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        (year > 0 && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month)).then_some(Date {
            year,
            month,
            day,
        })
    }

    /// Days since 1970-01-01 (negative before), after Howard Hinnant's `days_from_civil`.
    pub fn days_since_epoch(self) -> i64 {
        let y = self.year as i64 - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (inverse of [`Date::days_since_epoch`]).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }

    /// The same day `months` earlier, clamped to the end of a shorter month.
    pub fn minus_months(self, months: u32) -> Date {
        self.shift_months(-(months as i64))
    }

    /// The same day `months` later, clamped to the end of a shorter month.
    pub fn plus_months(self, months: u32) -> Date {
        self.shift_months(months as i64)
    }

    /// The next calendar day.
    pub fn next_day(self) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + 1)
    }

    fn shift_months(self, delta: i64) -> Date {
        let total = self.year as i64 * 12 + (self.month as i64 - 1) + delta;
        let year = total.div_euclid(12) as u16;
        let month = (total.rem_euclid(12) + 1) as u8;
        let day = self.day.min(days_in_month(year, month));
        Date { year, month, day }
    }

    /// Whole months from `earlier` to `self` (0 when `earlier` is later).
    pub fn months_since(self, earlier: Date) -> u32 {
        let mut months =
            (self.year as i64 * 12 + self.month as i64) - (earlier.year as i64 * 12 + earlier.month as i64);
        if self.day < earlier.day {
            months -= 1;
        }
        months.max(0) as u32
    }

    /// The quarter this date falls in.
    pub fn quarter(self) -> Quarter {
        Quarter {
            year: self.year,
            number: (self.month - 1) / 3 + 1,
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Date, DateError> {
        let bad = || DateError(format!("`{s}` is not a date in the form YYYY-MM-DD"));
        let mut parts = s.split('-');
        let (Some(y), Some(m), Some(d), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        // Digits only: Rust's integer parsing would also take a sign (`+202-01-01`).
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
            return Err(bad());
        }
        let (y, m, d) = (
            y.parse().map_err(|_| bad())?,
            m.parse().map_err(|_| bad())?,
            d.parse().map_err(|_| bad())?,
        );
        Date::new(y, m, d).ok_or_else(|| DateError(format!("`{s}` is not a real calendar date")))
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A quarter (triwulan) such as `2027-Q1`. Serialised as `"YYYY-Qn"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    /// Year, e.g. 2027.
    pub year: u16,
    /// 1..=4.
    pub number: u8,
}

impl Quarter {
    /// The first day of the quarter.
    pub fn start(self) -> Date {
        Date {
            year: self.year,
            month: (self.number - 1) * 3 + 1,
            day: 1,
        }
    }

    /// The quarter after this one.
    pub fn next(self) -> Quarter {
        if self.number == 4 {
            Quarter {
                year: self.year + 1,
                number: 1,
            }
        } else {
            Quarter {
                year: self.year,
                number: self.number + 1,
            }
        }
    }

    /// The quarter before this one.
    pub fn previous(self) -> Quarter {
        if self.number == 1 {
            Quarter {
                year: self.year - 1,
                number: 4,
            }
        } else {
            Quarter {
                year: self.year,
                number: self.number - 1,
            }
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.number)
    }
}

impl FromStr for Quarter {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Quarter, DateError> {
        let bad = || DateError(format!("`{s}` is not a quarter in the form YYYY-Qn (n = 1..4)"));
        let (year, number) = s.split_once("-Q").ok_or_else(bad)?;
        // Digits only: Rust's integer parsing would also take a sign (`+202-Q1`).
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(year, 4) || !digits(number, 1) {
            return Err(bad());
        }
        let year: u16 = year.parse().map_err(|_| bad())?;
        let number: u8 = number.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&number) || year == 0 {
            return Err(bad());
        }
        Ok(Quarter { year, number })
    }
}

impl Serialize for Quarter {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Quarter, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn signs_are_not_digits() {
        for bad in ["+202-Q1", "-202-Q1", "2027-Q+", " 202-Q1"] {
            assert!(bad.parse::<Quarter>().is_err(), "{bad}");
        }
        for bad in ["+202-01-01", "2027-+1-01", "2027-01-+1"] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
        assert_eq!("2027-Q1".parse::<Quarter>().unwrap(), Quarter { year: 2027, number: 1 });
        assert_eq!(
            "2027-01-04".parse::<Date>().unwrap(),
            Date {
                year: 2027,
                month: 1,
                day: 4
            }
        );
    }
    use super::*;

    #[test]
    fn epoch_days_round_trip() {
        for days in [-300_000, -1, 0, 1, 10_957, 20_000, 60_000] {
            assert_eq!(Date::from_days_since_epoch(days).days_since_epoch(), days);
        }
        assert_eq!(Date::new(2000, 1, 1).unwrap().days_since_epoch(), 10_957);
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(
            "2027-02-28".parse::<Date>().unwrap(),
            Date {
                year: 2027,
                month: 2,
                day: 28
            }
        );
        assert!("2027-02-29".parse::<Date>().is_err());
        assert!("2028-02-29".parse::<Date>().is_ok());
        assert!("2027-2-1".parse::<Date>().is_err());
        assert!("2027-Q5".parse::<Quarter>().is_err());
        assert_eq!("2027-Q1".parse::<Quarter>().unwrap().next().to_string(), "2027-Q2");
    }

    #[test]
    fn month_arithmetic() {
        let d = Date::new(2027, 3, 31).unwrap();
        assert_eq!(d.minus_months(1), Date::new(2027, 2, 28).unwrap());
        assert_eq!(d.minus_months(12), Date::new(2026, 3, 31).unwrap());
        assert_eq!(d.months_since(Date::new(2026, 3, 31).unwrap()), 12);
        assert_eq!(d.months_since(Date::new(2026, 4, 1).unwrap()), 11);
    }
}
