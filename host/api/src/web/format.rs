//! Numbers, money, dates and weekdays as people in West Java write them: `Rp 1.250.000`,
//! `4 Januari 2027`, `Triwulan I 2027` (and their English forms on the English pages).

use super::i18n::Lang;
use dwa_sdk::{Date, Quarter, Weekday};

/// Whole rupiah with `.` between thousands: `Rp 1.250.000` (negative amounts with a minus).
pub fn rupiah(amount: f64) -> String {
    let rounded = amount.round();
    let sign = if rounded < 0.0 { "-" } else { "" };
    format!("{sign}Rp {}", thousands(rounded.abs() as u64))
}

/// A whole number with `.` between thousands, as Indonesian writes it.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A share as a percentage with a decimal comma in Indonesian: `62,5%`.
pub fn percent(share: f64, lang: Lang) -> String {
    let text = format!("{:.1}", share * 100.0);
    let text = text.strip_suffix(".0").unwrap_or(&text).to_owned();
    match lang {
        Lang::Id => format!("{}%", text.replace('.', ",")),
        Lang::En => format!("{text}%"),
    }
}

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `4 Januari 2027` / `4 January 2027`.
pub fn date(d: Date, lang: Lang) -> String {
    let months = match lang {
        Lang::Id => &MONTHS_ID,
        Lang::En => &MONTHS_EN,
    };
    let month = months[usize::from(d.month.clamp(1, 12)) - 1];
    format!("{} {month} {}", d.day, d.year)
}

/// A stored instant (RFC 3339, UTC) as West Java reads a clock: `7 Desember 2026 20.15 WIB`
/// / `7 December 2026 20:15 WIB`; text that is not an instant is shown as it is.
pub fn timestamp(text: &str, lang: Lang) -> String {
    match dwa_domain::clock::wall_clock_in_west_java(text) {
        Some((day, hour, minute)) => {
            let sep = if lang == Lang::Id { '.' } else { ':' };
            format!("{} {hour:02}{sep}{minute:02} WIB", date(day, lang))
        }
        None => text.to_owned(),
    }
}

/// `Triwulan I 2027` / `Q1 2027`.
pub fn quarter(q: Quarter, lang: Lang) -> String {
    match lang {
        Lang::Id => {
            let roman = ["I", "II", "III", "IV"][usize::from(q.number.clamp(1, 4)) - 1];
            format!("Triwulan {roman} {}", q.year)
        }
        Lang::En => format!("Q{} {}", q.number, q.year),
    }
}

/// The five working days, Monday first.
pub const WEEKDAYS: [Weekday; 5] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
];

/// `Senin` / `Monday`.
pub fn weekday(day: Weekday, lang: Lang) -> &'static str {
    let i = WEEKDAYS.iter().position(|d| *d == day).unwrap_or(0);
    match lang {
        Lang::Id => ["Senin", "Selasa", "Rabu", "Kamis", "Jumat"][i],
        Lang::En => ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"][i],
    }
}

/// The day of the week of `d`, Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday).
pub fn day_of_week(d: Date) -> u8 {
    ((d.days_since_epoch() + 3).rem_euclid(7)) as u8
}

/// A pattern as written in the regulations: `2-3` (days anywhere – days in the office).
pub fn pattern(days: u8) -> String {
    format!("{}-{}", days, 5u8.saturating_sub(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_money_dates_and_shares() {
        assert_eq!(rupiah(1_250_000.0), "Rp 1.250.000");
        assert_eq!(rupiah(999.4), "Rp 999");
        assert_eq!(rupiah(0.0), "Rp 0");
        assert_eq!(rupiah(-1500.0), "-Rp 1.500");
        assert_eq!(thousands(1_000_000_000), "1.000.000.000");
        let d = Date::new(2027, 1, 4).unwrap();
        assert_eq!(date(d, Lang::Id), "4 Januari 2027");
        assert_eq!(date(d, Lang::En), "4 January 2027");
        assert_eq!(day_of_week(d), 0, "4 January 2027 is a Monday");
        assert_eq!(quarter(d.quarter(), Lang::Id), "Triwulan I 2027");
        assert_eq!(percent(0.625, Lang::Id), "62,5%");
        assert_eq!(percent(0.5, Lang::En), "50%");
        assert_eq!(pattern(2), "2-3");
    }
}
