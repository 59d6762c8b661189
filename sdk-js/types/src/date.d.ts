export type DwaDate = {
    year: number;
    month: number;
    day: number;
};
export type Quarter = {
    year: number;
    number: number;
};
/**
 * Number of days in `month` of `year` (0 for a month that does not exist).
 * @param {number} year
 * @param {number} month
 */
export declare function daysInMonth(year: number, month: number): 0 | 28 | 29 | 30 | 31;
/**
 * A checked date: `undefined` when the day does not exist.
 * @returns {DwaDate | undefined}
 */
export declare function newDate(year: any, month: any, day: any): DwaDate | undefined;
/**
 * Days since 1970-01-01 (negative before), after Howard Hinnant's `days_from_civil`.
 * @param {DwaDate} d
 */
export declare function daysSinceEpoch(d: DwaDate): number;
/**
 * The date `days` after 1970-01-01 (inverse of {@link daysSinceEpoch}).
 * @param {number} days
 * @returns {DwaDate}
 */
export declare function fromDaysSinceEpoch(days: number): DwaDate;
/**
 * The same day `months` earlier, clamped to the end of a shorter month.
 * @param {DwaDate} d
 * @param {number} months
 * @returns {DwaDate}
 */
export declare function minusMonths(d: DwaDate, months: number): DwaDate;
/**
 * The same day `months` later, clamped to the end of a shorter month.
 * @param {DwaDate} d
 * @param {number} months
 * @returns {DwaDate}
 */
export declare function plusMonths(d: DwaDate, months: number): DwaDate;
/**
 * The next calendar day.
 * @param {DwaDate} d
 * @returns {DwaDate}
 */
export declare function nextDay(d: DwaDate): DwaDate;
/**
 * Whole months from `earlier` to `later` (0 when `earlier` is later).
 * @param {DwaDate} later
 * @param {DwaDate} earlier
 */
export declare function monthsSince(later: DwaDate, earlier: DwaDate): number;
/**
 * Negative, zero or positive as `a` is before, on or after `b` (for sorting and comparing).
 * @param {DwaDate} a
 * @param {DwaDate} b
 */
export declare function compareDates(a: DwaDate, b: DwaDate): number;
/**
 * The quarter a date falls in.
 * @param {DwaDate} d
 * @returns {Quarter}
 */
export declare function quarterOf(d: DwaDate): Quarter;
/**
 * `YYYY-MM-DD`.
 * @param {DwaDate} d
 */
export declare function formatDate(d: DwaDate): string;
/**
 * Parse `YYYY-MM-DD` (digits only); throws a `RangeError` naming the text otherwise.
 * @param {string} text
 * @returns {DwaDate}
 */
export declare function parseDate(text: string): DwaDate;
/**
 * The first day of a quarter.
 * @param {Quarter} q
 * @returns {DwaDate}
 */
export declare function quarterStart(q: Quarter): DwaDate;
/**
 * The quarter after `q`.
 * @param {Quarter} q
 * @returns {Quarter}
 */
export declare function nextQuarter(q: Quarter): Quarter;
/**
 * The quarter before `q`.
 * @param {Quarter} q
 * @returns {Quarter}
 */
export declare function previousQuarter(q: Quarter): Quarter;
/**
 * `YYYY-Qn`, e.g. `2027-Q1`.
 * @param {Quarter} q
 */
export declare function formatQuarter(q: Quarter): string;
/**
 * Parse `YYYY-Qn` (n = 1..4); throws a `RangeError` naming the text otherwise.
 * @param {string} text
 * @returns {Quarter}
 */
export declare function parseQuarter(text: string): Quarter;
