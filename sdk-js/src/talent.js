// Derivations from stored pairs: the SKP rating (predikat kinerja, PermenPANRB 6/2022) from work
// result × work behaviour, and the talent box (9-box) from performance × potential — the Rust
// SDK's `talent` module. Ratings are the manifest's codes (`sangat_baik` … `sangat_kurang`);
// expectations and potentials are the contract's values (`above`/`meets`/`below`,
// `high`/`medium`/`low`).

/** @typedef {'sangat_baik' | 'baik' | 'butuh_perbaikan' | 'kurang' | 'sangat_kurang'} SkpRating */
/** @typedef {'above' | 'meets' | 'below'} Expectation */
/** @typedef {'high' | 'medium' | 'low'} Potential */

/** Every rating, best first. */
export const SKP_RATINGS = Object.freeze(['sangat_baik', 'baik', 'butuh_perbaikan', 'kurang', 'sangat_kurang']);

const LABELS = {
  sangat_baik: 'Sangat Baik',
  baik: 'Baik',
  butuh_perbaikan: 'Butuh Perbaikan',
  kurang: 'Kurang',
  sangat_kurang: 'Sangat Kurang',
};

/**
 * The name used in the regulation, e.g. `Sangat Baik`.
 * @param {SkpRating} rating
 */
export function ratingLabel(rating) {
  return LABELS[rating];
}

/**
 * The rating a manifest code names, or `undefined` for anything else.
 * @param {string} code
 * @returns {SkpRating | undefined}
 */
export function ratingFromCode(code) {
  return SKP_RATINGS.includes(code) ? /** @type {SkpRating} */ (code) : undefined;
}

/**
 * True when `rating` is `other` or better.
 * @param {SkpRating} rating
 * @param {SkpRating} other
 */
export function ratingAtLeast(rating, other) {
  return SKP_RATINGS.indexOf(rating) <= SKP_RATINGS.indexOf(other);
}

/**
 * The rating matrix of PermenPANRB 6/2022: work result (rows) × work behaviour (columns).
 * @param {Expectation} workResult
 * @param {Expectation} workBehaviour
 * @returns {SkpRating}
 */
export function skpRating(workResult, workBehaviour) {
  switch (`${workResult}/${workBehaviour}`) {
    case 'above/above': return 'sangat_baik';
    case 'above/meets': case 'meets/above': case 'meets/meets': return 'baik';
    case 'above/below': case 'below/above': case 'below/meets': return 'butuh_perbaikan';
    case 'meets/below': return 'kurang';
    case 'below/below': return 'sangat_kurang';
    default: throw new TypeError(`not a pair of expectations: ${workResult}, ${workBehaviour}`);
  }
}

/**
 * The most recent assessment (highest year; the first listed wins a tie, as in the Rust SDK,
 * which scans from the end and keeps the last maximum).
 * @template {{year: number}} A
 * @param {readonly A[]} ratings
 * @returns {A | undefined}
 */
export function latestAssessment(ratings) {
  let best;
  // Rust: `iter().rev().max_by_key(year)`: max_by_key returns the last maximum of the reversed
  // order, that is the first one listed.
  for (let i = ratings.length - 1; i >= 0; i--) {
    if (best === undefined || ratings[i].year >= best.year) best = ratings[i];
  }
  return best;
}

/**
 * The performance axis of the talent box read from a rating.
 * @param {SkpRating} rating
 * @returns {Expectation}
 */
export function performanceLevel(rating) {
  if (rating === 'sangat_baik') return 'above';
  if (rating === 'baik') return 'meets';
  return 'below';
}

const BOXES = {
  'above/high': 9, 'meets/high': 8, 'above/medium': 7,
  'below/high': 6, 'meets/medium': 5, 'above/low': 4,
  'below/medium': 3, 'meets/low': 2, 'below/low': 1,
};

/**
 * The talent box number 1..9 (9 = above + high … 1 = below + low).
 * @param {Expectation} performance
 * @param {Potential} potential
 */
export function talentBox(performance, potential) {
  const box = BOXES[`${performance}/${potential}`];
  if (box === undefined) throw new TypeError(`not a performance and potential: ${performance}, ${potential}`);
  return box;
}
