//! A stable re-allocation: when a unit that already has a roster for the quarter is allocated
//! again, each person keeps the weekdays they had wherever the plugin's new allocation allows,
//! so the re-run moves as few people as it can.
//!
//! The plugin decides how many days each person gets and how many people are away on each
//! weekday; this step only chooses *who* is away on which day. It keeps every person's number
//! of days and every weekday's number of people away exactly as the plugin (after the
//! guardrails) gave them, so the office floor and any rule of the plugin about a day's
//! headcount still hold. People are served in the plugin's order: first everyone keeps what
//! they had where the day still has room, then the rest is filled from the plugin's own choice
//! of days, then from any day with room. If that cannot be completed (rare: the days left do not
//! fit someone's count), the plugin's own allocation is kept unchanged.

use dwa_sdk::{Grant, Weekday};
use dwa_store::RosterEntry;
use std::collections::HashMap;

/// Someone whose place in the roster a re-run changes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Move {
    /// Unit code.
    pub unit: String,
    /// NIP.
    pub nip: String,
    /// The application.
    pub application_id: String,
    /// Days a week before.
    pub from_days: u8,
    /// Weekdays away before.
    #[schema(value_type = Vec<String>)]
    pub from_weekdays: Vec<Weekday>,
    /// Days a week after.
    pub to_days: u8,
    /// Weekdays away after.
    #[schema(value_type = Vec<String>)]
    pub to_weekdays: Vec<Weekday>,
}

/// Reassign the weekdays of `grants` (in the plugin's order) to keep each application's
/// `current` weekdays where the plugin's per-day totals allow; unchanged when that cannot be
/// completed.
pub(crate) fn stabilise(grants: &mut [Grant], current: &HashMap<String, RosterEntry>) {
    if grants.iter().all(|g| !current.contains_key(&g.application_id)) {
        return; // a first run: nothing to keep
    }
    let mut room = [0u32; 5];
    for grant in grants.iter() {
        for day in &grant.weekdays {
            room[day.index()] += 1;
        }
    }
    let mut chosen: Vec<Vec<Weekday>> = vec![Vec::new(); grants.len()];
    // 1. Keep the days each person had, in the plugin's order, where the day has room.
    for (i, grant) in grants.iter().enumerate() {
        let Some(before) = current.get(&grant.application_id) else {
            continue;
        };
        for day in &before.weekdays {
            if chosen[i].len() < grant.weekdays.len() && room[day.index()] > 0 && !chosen[i].contains(day) {
                room[day.index()] -= 1;
                chosen[i].push(*day);
            }
        }
    }
    // 2. The rest from the plugin's own days, then from any day with room (fullest room first,
    //    so that what is left stays spread).
    for (i, grant) in grants.iter().enumerate() {
        let want = grant.weekdays.len();
        for day in &grant.weekdays {
            if chosen[i].len() < want && room[day.index()] > 0 && !chosen[i].contains(day) {
                room[day.index()] -= 1;
                chosen[i].push(*day);
            }
        }
        while chosen[i].len() < want {
            let best = Weekday::ALL
                .into_iter()
                .filter(|d| room[d.index()] > 0 && !chosen[i].contains(d))
                .max_by_key(|d| (room[d.index()], std::cmp::Reverse(d.index())));
            let Some(day) = best else {
                return; // cannot complete: keep the plugin's allocation as it is
            };
            room[day.index()] -= 1;
            chosen[i].push(day);
        }
    }
    for (grant, mut days) in grants.iter_mut().zip(chosen) {
        days.sort_by_key(|d| d.index());
        grant.weekdays = days;
    }
}

/// The people whose place `grants` change from `current`, in the plugin's order.
pub(crate) fn moves(unit: &str, grants: &[Grant], current: &HashMap<String, RosterEntry>) -> Vec<Move> {
    grants
        .iter()
        .filter_map(|g| {
            let before = current.get(&g.application_id)?;
            (before.remote_days != g.remote_days || before.weekdays != g.weekdays).then(|| Move {
                unit: unit.to_owned(),
                nip: g.nip.clone(),
                application_id: g.application_id.clone(),
                from_days: before.remote_days,
                from_weekdays: before.weekdays.clone(),
                to_days: g.remote_days,
                to_weekdays: g.weekdays.clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dwa_sdk::Weekday::*;

    fn grant(id: &str, days: &[Weekday]) -> Grant {
        Grant {
            application_id: id.into(),
            nip: id.into(),
            remote_days: days.len() as u8,
            weekdays: days.to_vec(),
            reasons: vec![],
        }
    }

    fn place(id: &str, days: &[Weekday]) -> (String, RosterEntry) {
        (
            id.into(),
            RosterEntry {
                nip: id.into(),
                application_id: id.into(),
                remote_days: days.len() as u8,
                weekdays: days.to_vec(),
                reasons: vec![],
            },
        )
    }

    #[test]
    fn a_rerun_keeps_everyones_days_and_the_plugins_day_totals() {
        // The plugin, re-run, swaps a and b around (Monday ↔ Wednesday).
        let mut grants = vec![grant("a", &[Wednesday]), grant("b", &[Monday]), grant("c", &[Friday])];
        let current: HashMap<_, _> = [place("a", &[Monday]), place("b", &[Wednesday])].into();
        stabilise(&mut grants, &current);
        assert_eq!(grants[0].weekdays, vec![Monday]);
        assert_eq!(grants[1].weekdays, vec![Wednesday]);
        assert_eq!(grants[2].weekdays, vec![Friday], "a newcomer keeps the plugin's day");
        assert!(moves("u", &grants, &current).is_empty(), "nobody moved");
    }

    #[test]
    fn only_who_must_move_moves() {
        // Monday holds one person now; a had Monday and keeps it (served first), b moves.
        let mut grants = vec![grant("a", &[Tuesday, Monday]), grant("b", &[Tuesday, Thursday])];
        let current: HashMap<_, _> = [place("a", &[Monday, Tuesday]), place("b", &[Monday, Thursday])].into();
        stabilise(&mut grants, &current);
        assert_eq!(grants[0].weekdays, vec![Monday, Tuesday]);
        assert_eq!(grants[1].weekdays, vec![Tuesday, Thursday]);
        let moved = moves("u", &grants, &current);
        assert_eq!(moved.len(), 1);
        assert_eq!(
            (moved[0].nip.as_str(), &moved[0].to_weekdays),
            ("b", &vec![Tuesday, Thursday])
        );
        // The per-day totals are the plugin's.
        let count = |d: Weekday| grants.iter().filter(|g| g.weekdays.contains(&d)).count();
        assert_eq!((count(Monday), count(Tuesday), count(Thursday)), (1, 2, 1));
    }
}
