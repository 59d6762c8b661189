//! An employee's roster as iCalendar (RFC 5545): one weekly all-day event per weekday away,
//! from the quarter's first such day to its last day, so a phone calendar shows the pattern.

use super::format::{WEEKDAYS, day_of_week};
use super::i18n::Lang;
use dwa_sdk::{Date, Quarter, Weekday};

fn compact(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year, d.month, d.day)
}

/// The calendar of `weekdays` away for `quarter`.
pub fn calendar(nip: &str, quarter: Quarter, weekdays: &[Weekday], lang: Lang) -> String {
    let start = quarter.start();
    let end = quarter.next().start();
    let last = Date::from_days_since_epoch(end.days_since_epoch() - 1);
    let summary = match lang {
        Lang::Id => "Bekerja dari mana saja (MKD)",
        Lang::En => "Working from anywhere (DWA)",
    };
    let codes = ["MO", "TU", "WE", "TH", "FR"];
    let mut out = String::from(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Pemprov Jawa Barat//DWA host//ID\r\nCALSCALE:GREGORIAN\r\n",
    );
    for (i, day) in WEEKDAYS.iter().enumerate() {
        if !weekdays.contains(day) {
            continue;
        }
        // The quarter's first date falling on this weekday.
        let offset = (i as i64 - i64::from(day_of_week(start))).rem_euclid(7);
        let first = Date::from_days_since_epoch(start.days_since_epoch() + offset);
        let next = Date::from_days_since_epoch(first.days_since_epoch() + 1);
        out.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:dwa-{nip}-{quarter}-{}@dwa.jabarprov.go.id\r\nDTSTAMP:{}T000000Z\r\nDTSTART;VALUE=DATE:{}\r\nDTEND;VALUE=DATE:{}\r\nRRULE:FREQ=WEEKLY;BYDAY={};UNTIL={}\r\nSUMMARY:{summary}\r\nTRANSP:TRANSPARENT\r\nEND:VEVENT\r\n",
            codes[i],
            compact(start),
            compact(first),
            compact(next),
            codes[i],
            compact(last),
        ));
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_events_from_the_first_matching_day() {
        let q: Quarter = "2027-Q1".parse().unwrap();
        let ics = calendar("198807152012011004", q, &[Weekday::Monday, Weekday::Friday], Lang::Id);
        // 1 January 2027 is a Friday; the first Monday is 4 January.
        assert!(ics.contains("DTSTART;VALUE=DATE:20270104\r\n"), "{ics}");
        assert!(ics.contains("DTSTART;VALUE=DATE:20270101\r\n"), "{ics}");
        assert!(ics.contains("UNTIL=20270331"), "{ics}");
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), 2);
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    }
}
