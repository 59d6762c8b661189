export type SkpRating = 'sangat_baik' | 'baik' | 'butuh_perbaikan' | 'kurang' | 'sangat_kurang';
export type Expectation = 'above' | 'meets' | 'below';
export type Potential = 'high' | 'medium' | 'low';
/** @typedef {'sangat_baik' | 'baik' | 'butuh_perbaikan' | 'kurang' | 'sangat_kurang'} SkpRating */
/** @typedef {'above' | 'meets' | 'below'} Expectation */
/** @typedef {'high' | 'medium' | 'low'} Potential */
/** Every rating, best first. */
export declare const SKP_RATINGS: readonly string[];
/**
 * The name used in the regulation, e.g. `Sangat Baik`.
 * @param {SkpRating} rating
 */
export declare function ratingLabel(rating: SkpRating): string;
/**
 * The rating a manifest code names, or `undefined` for anything else.
 * @param {string} code
 * @returns {SkpRating | undefined}
 */
export declare function ratingFromCode(code: string): SkpRating | undefined;
/**
 * True when `rating` is `other` or better.
 * @param {SkpRating} rating
 * @param {SkpRating} other
 */
export declare function ratingAtLeast(rating: SkpRating, other: SkpRating): boolean;
/**
 * The rating matrix of PermenPANRB 6/2022: work result (rows) × work behaviour (columns).
 * @param {Expectation} workResult
 * @param {Expectation} workBehaviour
 * @returns {SkpRating}
 */
export declare function skpRating(workResult: Expectation, workBehaviour: Expectation): SkpRating;
/**
 * The most recent assessment (highest year; the first listed wins a tie, as in the Rust SDK,
 * which scans from the end and keeps the last maximum).
 * @template {{year: number}} A
 * @param {readonly A[]} ratings
 * @returns {A | undefined}
 */
export declare function latestAssessment<A extends {
    year: number;
}>(ratings: readonly A[]): A | undefined;
/**
 * The performance axis of the talent box read from a rating.
 * @param {SkpRating} rating
 * @returns {Expectation}
 */
export declare function performanceLevel(rating: SkpRating): Expectation;
/**
 * The talent box number 1..9 (9 = above + high … 1 = below + low).
 * @param {Expectation} performance
 * @param {Potential} potential
 */
export declare function talentBox(performance: Expectation, potential: Potential): number;
