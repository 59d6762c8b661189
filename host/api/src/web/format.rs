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

/// A decimal number with at most two decimals and no float noise: `72,1` / `72.1`, `1.250,5` /
/// `1,250.5` (Indonesian writes a decimal comma and `.` between thousands).
pub fn decimal(x: f64, lang: Lang) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let text = format!("{:.2}", x.abs());
    let text = text.trim_end_matches('0').trim_end_matches('.');
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let whole = thousands(whole.parse::<u64>().unwrap_or(0));
    let sign = if x < 0.0 && text != "0" { "-" } else { "" };
    let (group, point) = match lang {
        Lang::Id => ('.', ","),
        Lang::En => (',', "."),
    };
    let whole = whole.replace('.', &group.to_string());
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}{point}{fraction}")
    }
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

/// A quarter where space is short (a chart's axis): `TW I 2027` / `Q1 2027`.
pub fn quarter_short(q: Quarter, lang: Lang) -> String {
    match lang {
        Lang::Id => quarter(q, lang).replacen("Triwulan", "TW", 1),
        Lang::En => quarter(q, lang),
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

/// A pattern with what it means, once: `pola 2-3: 2 hari dari mana saja, 3 hari di kantor` /
/// `pattern 2-3: 2 days anywhere, 3 in the office`.
pub fn pattern_explained(days: u8, lang: Lang) -> String {
    let office = 5u8.saturating_sub(days);
    match lang {
        Lang::Id => format!(
            "pola {}: {days} hari dari mana saja, {office} hari di kantor",
            pattern(days)
        ),
        Lang::En => format!(
            "pattern {}: {} anywhere, {office} in the office",
            pattern(days),
            super::i18n::count(days, "day", "days", "hari", lang)
        ),
    }
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
        assert_eq!(quarter_short(d.quarter(), Lang::Id), "TW I 2027");
    }

    #[test]
    fn decimals_without_float_noise() {
        assert_eq!(decimal(64.2, Lang::Id), "64,2");
        assert_eq!(decimal(72.100_000_000_000_01, Lang::Id), "72,1");
        assert_eq!(decimal(72.100_000_000_000_01, Lang::En), "72.1");
        assert_eq!(decimal(80.0, Lang::Id), "80");
        assert_eq!(decimal(82.5, Lang::Id), "82,5");
        assert_eq!(decimal(1.005_6, Lang::Id), "1,01");
        assert_eq!(decimal(1_250_000.5, Lang::Id), "1.250.000,5");
        assert_eq!(decimal(1_250_000.5, Lang::En), "1,250,000.5");
        assert_eq!(decimal(-0.001, Lang::Id), "0");
        assert_eq!(decimal(-2.5, Lang::Id), "-2,5");
    }
}
