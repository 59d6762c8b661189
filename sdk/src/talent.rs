//! Derivations from stored pairs: the SKP rating (predikat kinerja, PermenPANRB 6/2022) from work
//! result × work behaviour, and the talent box (9-box) from performance × potential.

use crate::types::{Expectation, Potential, SkpAssessment};
use serde::{Deserialize, Serialize};

/// SKP rating (predikat kinerja), best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkpRating {
    /// Sangat Baik.
    SangatBaik,
    /// Baik.
    Baik,
    /// Butuh Perbaikan.
    ButuhPerbaikan,
    /// Kurang (misconduct).
    Kurang,
    /// Sangat Kurang.
    SangatKurang,
}

impl SkpRating {
    /// The name used in the regulation.
    pub fn label(self) -> &'static str {
        match self {
            SkpRating::SangatBaik => "Sangat Baik",
            SkpRating::Baik => "Baik",
            SkpRating::ButuhPerbaikan => "Butuh Perbaikan",
            SkpRating::Kurang => "Kurang",
            SkpRating::SangatKurang => "Sangat Kurang",
        }
    }

    /// Parse `sangat_baik`, `baik`, `butuh_perbaikan`, `kurang`, `sangat_kurang` (as in manifests).
    pub fn from_code(code: &str) -> Option<SkpRating> {
        Some(match code {
            "sangat_baik" => SkpRating::SangatBaik,
            "baik" => SkpRating::Baik,
            "butuh_perbaikan" => SkpRating::ButuhPerbaikan,
            "kurang" => SkpRating::Kurang,
            "sangat_kurang" => SkpRating::SangatKurang,
            _ => return None,
        })
    }

    /// True when this rating is `other` or better.
    pub fn at_least(self, other: SkpRating) -> bool {
        self <= other
    }
}

/// The rating matrix of PermenPANRB 6/2022: work result (rows) × work behaviour (columns).
pub fn skp_rating(work_result: Expectation, work_behaviour: Expectation) -> SkpRating {
    use Expectation::*;
    match (work_result, work_behaviour) {
        (Above, Above) => SkpRating::SangatBaik,
        (Above, Meets) | (Meets, Above) | (Meets, Meets) => SkpRating::Baik,
        (Above, Below) | (Below, Above) | (Below, Meets) => SkpRating::ButuhPerbaikan,
        (Meets, Below) => SkpRating::Kurang,
        (Below, Below) => SkpRating::SangatKurang,
    }
}

/// The most recent assessment (highest year; of two for the same year, the first listed wins:
/// `max_by_key` keeps the last maximum it meets, and the list is walked in reverse).
pub fn latest_assessment(ratings: &[SkpAssessment]) -> Option<&SkpAssessment> {
    ratings.iter().rev().max_by_key(|a| a.year)
}

/// The performance axis of the talent box read from a rating.
pub fn performance_level(rating: SkpRating) -> Expectation {
    match rating {
        SkpRating::SangatBaik => Expectation::Above,
        SkpRating::Baik => Expectation::Meets,
        _ => Expectation::Below,
    }
}

/// The talent box number 1..=9 (9 = above + high … 1 = below + low).
pub fn talent_box(performance: Expectation, potential: Potential) -> u8 {
    use Expectation::*;
    use Potential::*;
    match (performance, potential) {
        (Above, High) => 9,
        (Meets, High) => 8,
        (Above, Medium) => 7,
        (Below, High) => 6,
        (Meets, Medium) => 5,
        (Above, Low) => 4,
        (Below, Medium) => 3,
        (Meets, Low) => 2,
        (Below, Low) => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_box_is_numbered_once() {
        let mut seen = Vec::new();
        for p in [Expectation::Above, Expectation::Meets, Expectation::Below] {
            for q in [Potential::High, Potential::Medium, Potential::Low] {
                seen.push(talent_box(p, q));
            }
        }
        seen.sort();
        assert_eq!(seen, (1..=9).collect::<Vec<_>>());
    }

    #[test]
    fn rating_matrix_corners() {
        use Expectation::*;
        assert_eq!(skp_rating(Above, Above), SkpRating::SangatBaik);
        assert_eq!(skp_rating(Meets, Meets), SkpRating::Baik);
        assert_eq!(skp_rating(Meets, Below), SkpRating::Kurang);
        assert_eq!(skp_rating(Below, Below), SkpRating::SangatKurang);
        assert!(SkpRating::SangatBaik.at_least(SkpRating::Baik));
        assert!(!SkpRating::ButuhPerbaikan.at_least(SkpRating::Baik));
    }
}
