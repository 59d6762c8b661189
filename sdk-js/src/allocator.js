// The standard allocator — the Rust SDK's `allocator` module: grants patterns to one unit's
// candidates in a documented order while every weekday keeps at least `min_office_share` of the
// unit in the office, spreads the days away across the week, and tells anyone granted fewer
// days than they may have why (QUOTA_FULL, with the unit's figures).
//
// The order candidates are served in (deterministic, never by application id, which is random):
// 1. with `quarterly_rotation = true`: whoever was granted no day last quarter because the unit
//    was full comes first; 2. higher priority; 3. longer service; 4. NIP, ascending.

import { PolicyError } from './errors.js';
import { Reason } from './reason.js';

/** Reason code: fewer days granted than the candidate may have, because the unit's quota is used up. */
export const QUOTA_FULL = 'QUOTA_FULL';

/** Monday to Friday, in order (the contract's `weekday` values). */
export const WEEKDAYS = Object.freeze(['monday', 'tuesday', 'wednesday', 'thursday', 'friday']);

/**
 * How many people of a unit of `headcount` may be away on one weekday.
 * @param {number} headcount
 * @param {number} minOfficeShare
 */
export function awayCapacity(headcount, minOfficeShare) {
  // The small epsilon keeps 0.5 × 10 = 5 from rounding up to 6 through float error.
  const minInOffice = Math.max(0, Math.ceil(minOfficeShare * headcount - 1e-9));
  return Math.max(0, headcount - minInOffice);
}

// Strings compared as the Rust SDK compares them (by code unit; NIPs and ids are ASCII).
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Candidates in the order they are served; `rotation` puts those the unit could not serve last
 * quarter first.
 * @template {import('./types.js').Candidate} C
 * @param {readonly C[]} candidates
 * @param {boolean} rotation
 * @returns {C[]}
 */
export function serviceOrder(candidates, rotation) {
  const waited = (c) => (rotation && c.previousQuarter?.tag === 'unit-full' ? 1 : 0);
  return [...candidates].sort((a, b) => waited(b) - waited(a) || b.priority - a.priority ||
    b.serviceMonths - a.serviceMonths || cmp(a.nip, b.nip) || cmp(a.applicationId, b.applicationId));
}

/**
 * Why `granted` is less than `wanted` days: the unit's quota, with its figures.
 * @param {{headcount: number, minInOffice: number, awayPerDay: number, daysAvailable: number}} figures
 * @param {number} wanted
 * @param {number} granted
 * @param {boolean} rotation
 */
export function quotaFullReason(figures, wanted, granted, rotation) {
  const { headcount, minInOffice, daysAvailable } = figures;
  const reason = Reason.fail(QUOTA_FULL,
    `Kuota unit penuh: dari ${headcount} pegawai minimal ${minInOffice} harus di kantor setiap hari, ` +
      `sehingga tersedia ${daysAvailable} hari kerja dari mana saja per minggu dan semuanya telah terbagi; ` +
      `diberikan ${granted} dari ${wanted} hari`,
    `The unit's quota is full: of ${headcount} staff at least ${minInOffice} must be in the office every ` +
      `day, leaving ${daysAvailable} days anywhere a week, all allocated; granted ${granted} of ${wanted} days`);
  return rotation
    ? reason.withRemedy('Dengan rotasi triwulanan, Anda didahulukan pada triwulan berikutnya',
      'With the quarterly rotation, you are served first next quarter')
    : reason.withRemedy('Ajukan kembali pada triwulan berikutnya atau bila kuota unit bertambah',
      "Apply again next quarter or when the unit's quota grows");
}

/**
 * Grant patterns and weekdays for one unit (parameters `min_office_share`, default 0.5,
 * `max_remote_days`, default 4, and `quarterly_rotation`, default false). Every candidate gets a
 * grant, possibly of 0 days; a grant of fewer days than the candidate may have carries QUOTA_FULL.
 * @param {import('./types.js').AllocationRequest} request
 * @param {import('./params.js').Params} params
 * @returns {import('./types.js').Grant[]}
 */
export function standardAllocation(request, params) {
  const share = params.numberOr('min_office_share', 0.5, [0, 1]);
  const cap = params.integerOr('max_remote_days', 4, [0, 5]);
  const rotation = params.flagOr('quarterly_rotation', false);
  if (request.candidates.length > request.headcount) {
    throw new PolicyError('BAD_INPUT',
      `unit ${request.unit} has ${request.candidates.length} candidates but a headcount of ${request.headcount}`);
  }
  const seen = new Set();
  for (const c of request.candidates) {
    if (seen.has(c.nip)) throw new PolicyError('BAD_INPUT', `NIP ${c.nip} has more than one candidate application`);
    seen.add(c.nip);
  }
  const capacity = awayCapacity(request.headcount, share);
  const figures = { headcount: request.headcount, minInOffice: request.headcount - capacity, awayPerDay: capacity, daysAvailable: capacity * 5 };
  const away = [0, 0, 0, 0, 0];
  return serviceOrder(request.candidates, rotation).map((candidate, rank) => {
    const want = Math.min(candidate.requestedRemoteDays, candidate.maxRemoteDays, cap);
    // Least-loaded days first; the rotation by rank spreads ties across the week instead of
    // piling everyone onto Monday.
    const open = [0, 1, 2, 3, 4].filter((d) => away[d] < capacity)
      .sort((a, b) => away[a] - away[b] || ((a + 5 - (rank % 5)) % 5) - ((b + 5 - (rank % 5)) % 5))
      .slice(0, want)
      .sort((a, b) => a - b);
    for (const d of open) away[d] += 1;
    return {
      applicationId: candidate.applicationId,
      nip: candidate.nip,
      remoteDays: open.length,
      weekdays: open.map((d) => WEEKDAYS[d]),
      reasons: open.length < want ? [quotaFullReason(figures, want, open.length, rotation)] : [],
    };
  });
}
