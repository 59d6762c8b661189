// Calendar dates and quarters on the contract's plain records ({year, month, day} and
// {year, number}), without a date library and without JavaScript's Date (whose time zones and
// clock a rule must never depend on): the Rust SDK's `date` module, function for function.

/** @typedef {{year: number, month: number, day: number}} DwaDate */
/** @typedef {{year: number, number: number}} Quarter */

function isLeap(year) {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

// Floor division and remainder, as Rust's div_euclid/rem_euclid for a positive divisor.
const div = (a, b) => Math.floor(a / b);
const mod = (a, b) => a - b * Math.floor(a / b);

/**
 * Number of days in `month` of `year` (0 for a month that does not exist).
 * @param {number} year
 * @param {number} month
 */
export function daysInMonth(year, month) {
  switch (month) {
    case 1: case 3: case 5: case 7: case 8: case 10: case 12: return 31;
    case 4: case 6: case 9: case 11: return 30;
    case 2: return isLeap(year) ? 29 : 28;
    default: return 0;
  }
}

/**
 * A checked date: `undefined` when the day does not exist.
 * @returns {DwaDate | undefined}
 */
export function newDate(year, month, day) {
  const ok = Number.isInteger(year) && Number.isInteger(month) && Number.isInteger(day) &&
    year > 0 && year <= 65535 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
  return ok ? { year, month, day } : undefined;
}

/**
 * Days since 1970-01-01 (negative before), after Howard Hinnant's `days_from_civil`.
 * @param {DwaDate} d
 */
export function daysSinceEpoch(d) {
  const y = d.year - (d.month <= 2 ? 1 : 0);
  const era = div(y, 400);
  const yoe = y - era * 400;
  const m = d.month;
  const doy = div(153 * (m > 2 ? m - 3 : m + 9) + 2, 5) + d.day - 1;
  const doe = yoe * 365 + div(yoe, 4) - div(yoe, 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * The date `days` after 1970-01-01 (inverse of {@link daysSinceEpoch}).
 * @param {number} days
 * @returns {DwaDate}
 */
export function fromDaysSinceEpoch(days) {
  const z = days + 719468;
  const era = div(z, 146097);
  const doe = z - era * 146097;
  const yoe = div(doe - div(doe, 1460) + div(doe, 36524) - div(doe, 146096), 365);
  const doy = doe - (365 * yoe + div(yoe, 4) - div(yoe, 100));
  const mp = div(5 * doy + 2, 153);
  const day = doy - div(153 * mp + 2, 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

function shiftMonths(d, delta) {
  const total = d.year * 12 + (d.month - 1) + delta;
  const year = div(total, 12);
  const month = mod(total, 12) + 1;
  return { year, month, day: Math.min(d.day, daysInMonth(year, month)) };
}

/**
 * The same day `months` earlier, clamped to the end of a shorter month.
 * @param {DwaDate} d
 * @param {number} months
 * @returns {DwaDate}
 */
export function minusMonths(d, months) {
  return shiftMonths(d, -months);
}

/**
 * The same day `months` later, clamped to the end of a shorter month.
 * @param {DwaDate} d
 * @param {number} months
 * @returns {DwaDate}
 */
export function plusMonths(d, months) {
  return shiftMonths(d, months);
}

/**
 * The next calendar day.
 * @param {DwaDate} d
 * @returns {DwaDate}
 */
export function nextDay(d) {
  return fromDaysSinceEpoch(daysSinceEpoch(d) + 1);
}

/**
 * Whole months from `earlier` to `later` (0 when `earlier` is later).
 * @param {DwaDate} later
 * @param {DwaDate} earlier
 */
export function monthsSince(later, earlier) {
  let months = (later.year * 12 + later.month) - (earlier.year * 12 + earlier.month);
  if (later.day < earlier.day) months -= 1;
  return Math.max(0, months);
}

/**
 * Negative, zero or positive as `a` is before, on or after `b` (for sorting and comparing).
 * @param {DwaDate} a
 * @param {DwaDate} b
 */
export function compareDates(a, b) {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/**
 * The quarter a date falls in.
 * @param {DwaDate} d
 * @returns {Quarter}
 */
export function quarterOf(d) {
  return { year: d.year, number: div(d.month - 1, 3) + 1 };
}

/**
 * `YYYY-MM-DD`.
 * @param {DwaDate} d
 */
export function formatDate(d) {
  const pad = (n, w) => String(n).padStart(w, '0');
  return `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

/**
 * Parse `YYYY-MM-DD` (digits only); throws a `RangeError` naming the text otherwise.
 * @param {string} text
 * @returns {DwaDate}
 */
export function parseDate(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new RangeError(`\`${text}\` is not a date in the form YYYY-MM-DD`);
  const date = newDate(Number(m[1]), Number(m[2]), Number(m[3]));
  if (!date) throw new RangeError(`\`${text}\` is not a real calendar date`);
  return date;
}

/**
 * The first day of a quarter.
 * @param {Quarter} q
 * @returns {DwaDate}
 */
export function quarterStart(q) {
  return { year: q.year, month: (q.number - 1) * 3 + 1, day: 1 };
}

/**
 * The quarter after `q`.
 * @param {Quarter} q
 * @returns {Quarter}
 */
export function nextQuarter(q) {
  return q.number === 4 ? { year: q.year + 1, number: 1 } : { year: q.year, number: q.number + 1 };
}

/**
 * The quarter before `q`.
 * @param {Quarter} q
 * @returns {Quarter}
 */
export function previousQuarter(q) {
  return q.number === 1 ? { year: q.year - 1, number: 4 } : { year: q.year, number: q.number - 1 };
}

/**
 * `YYYY-Qn`, e.g. `2027-Q1`.
 * @param {Quarter} q
 */
export function formatQuarter(q) {
  return `${String(q.year).padStart(4, '0')}-Q${q.number}`;
}

/**
 * Parse `YYYY-Qn` (n = 1..4); throws a `RangeError` naming the text otherwise.
 * @param {string} text
 * @returns {Quarter}
 */
export function parseQuarter(text) {
  const m = /^(\d{4})-Q([1-4])$/.exec(text);
  if (!m || Number(m[1]) === 0) {
    throw new RangeError(`\`${text}\` is not a quarter in the form YYYY-Qn (n = 1..4)`);
  }
  return { year: Number(m[1]), number: Number(m[2]) };
}
