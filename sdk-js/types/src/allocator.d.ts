import { Reason } from './reason.js';
/** Reason code: fewer days granted than the candidate may have, because the unit's quota is used up. */
export declare const QUOTA_FULL = "QUOTA_FULL";
/** Monday to Friday, in order (the contract's `weekday` values). */
export declare const WEEKDAYS: readonly string[];
/**
 * How many people of a unit of `headcount` may be away on one weekday.
 * @param {number} headcount
 * @param {number} minOfficeShare
 */
export declare function awayCapacity(headcount: number, minOfficeShare: number): number;
/**
 * Candidates in the order they are served; `rotation` puts those the unit could not serve last
 * quarter first.
 * @template {import('./types.js').Candidate} C
 * @param {readonly C[]} candidates
 * @param {boolean} rotation
 * @returns {C[]}
 */
export declare function serviceOrder<C extends import('./types.js').Candidate>(candidates: readonly C[], rotation: boolean): C[];
/**
 * Why `granted` is less than `wanted` days: the unit's quota, with its figures.
 * @param {{headcount: number, minInOffice: number, awayPerDay: number, daysAvailable: number}} figures
 * @param {number} wanted
 * @param {number} granted
 * @param {boolean} rotation
 */
export declare function quotaFullReason(figures: {
    headcount: number;
    minInOffice: number;
    awayPerDay: number;
    daysAvailable: number;
}, wanted: number, granted: number, rotation: boolean): Reason;
/**
 * Grant patterns and weekdays for one unit (parameters `min_office_share`, default 0.5,
 * `max_remote_days`, default 4, and `quarterly_rotation`, default false). Every candidate gets a
 * grant, possibly of 0 days; a grant of fewer days than the candidate may have carries QUOTA_FULL.
 * @param {import('./types.js').AllocationRequest} request
 * @param {import('./params.js').Params} params
 * @returns {import('./types.js').Grant[]}
 */
export declare function standardAllocation(request: import('./types.js').AllocationRequest, params: import('./params.js').Params): import('./types.js').Grant[];
