//! The host's one clock for "today": the date in West Java (Asia/Jakarta), whichever layer asks
//! — the API, the web pages, `dwa serve`'s scheduled activations, `dwa policy activate --from`
//! and `dwa plugin diff` — so between 00:00 and 07:00 WIB they cannot disagree by a day.
//!
//! The time zone comes from jiff's bundled tz database (not the machine's, which a minimal
//! container may lack). For tests and demos the instant can be fixed with `DWA_NOW` (RFC 3339,
//! e.g. `DWA_NOW=2026-12-06T17:30:00Z`, which is 00:30 WIB on 7 December); it sets only the date
//! the host takes as today, never the timestamps of stored records.

use dwa_sdk::Date;

/// Unix seconds as RFC 3339 in UTC (`2026-12-07T15:48:27Z`); a value beyond the calendar's
/// range as its number.
pub fn rfc3339_of_unix(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).map_or_else(|_| secs.to_string(), |t| t.to_string())
}

/// The Unix seconds of an RFC 3339 instant (as [`crate::now_rfc3339`] writes them), if it is one.
pub fn unix_of_rfc3339(text: &str) -> Option<i64> {
    text.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// The environment variable that fixes "now" for tests and demos (RFC 3339).
pub const NOW_VAR: &str = "DWA_NOW";

/// The province's time zone.
pub const TIME_ZONE: &str = "Asia/Jakarta";

/// Why the clock could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ClockError {
    /// `DWA_NOW` is set but is not an RFC 3339 instant.
    #[error("{NOW_VAR}: `{value}` is not an RFC 3339 instant such as 2026-12-06T17:30:00Z: {reason}")]
    BadNow {
        /// The value as set.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// The instant `DWA_NOW` fixes, if it is set (and not empty).
pub fn fixed_now() -> Result<Option<jiff::Timestamp>, ClockError> {
    match std::env::var(NOW_VAR) {
        Ok(value) if !value.trim().is_empty() => {
            value
                .trim()
                .parse::<jiff::Timestamp>()
                .map(Some)
                .map_err(|e| ClockError::BadNow {
                    value: value.clone(),
                    reason: e.to_string(),
                })
        }
        _ => Ok(None),
    }
}

/// The date in West Java at `instant`.
pub fn date_in_west_java(instant: jiff::Timestamp) -> Date {
    // The bundled database always has Asia/Jakarta; the fixed offset (UTC+7, Jakarta's since
    // 1964) is only a guard against a build without it.
    let zone = jiff::tz::TimeZone::get(TIME_ZONE).unwrap_or_else(|_| jiff::tz::TimeZone::fixed(jiff::tz::offset(7)));
    let date = zone.to_datetime(instant).date();
    Date::new(date.year() as u16, date.month() as u8, date.day() as u8)
        .unwrap_or_else(|| Date::from_days_since_epoch(instant.as_second().div_euclid(86_400)))
}

/// An RFC 3339 instant as West Java's wall clock: its date and `(hour, minute)` in WIB; `None`
/// when the text is not an instant.
pub fn wall_clock_in_west_java(text: &str) -> Option<(Date, u8, u8)> {
    let instant = text.parse::<jiff::Timestamp>().ok()?;
    let zone = jiff::tz::TimeZone::get(TIME_ZONE).unwrap_or_else(|_| jiff::tz::TimeZone::fixed(jiff::tz::offset(7)));
    let time = zone.to_datetime(instant).time();
    Some((date_in_west_java(instant), time.hour() as u8, time.minute() as u8))
}

/// Today's date in West Java: at `DWA_NOW` when it is set, else now. An unreadable `DWA_NOW`
/// is an error, so a test or demo never silently runs on the real date.
pub fn try_today() -> Result<Date, ClockError> {
    Ok(date_in_west_java(fixed_now()?.unwrap_or_else(jiff::Timestamp::now)))
}

/// Today's date in West Java ([`try_today`]); an unreadable `DWA_NOW` is ignored here and the
/// real clock is read (the CLI commands that schedule call [`try_today`] and refuse it).
pub fn today() -> Date {
    try_today().unwrap_or_else(|_| date_in_west_java(jiff::Timestamp::now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_past_midnight_in_west_java_is_already_the_next_day() {
        let instant: jiff::Timestamp = "2026-12-06T17:30:00Z".parse().unwrap();
        assert_eq!(date_in_west_java(instant), Date::new(2026, 12, 7).unwrap());
        let before: jiff::Timestamp = "2026-12-06T16:59:59Z".parse().unwrap();
        assert_eq!(date_in_west_java(before), Date::new(2026, 12, 6).unwrap());
    }
}
