import { positionGate, positionPasses } from './position.js';
import { Reason } from './reason.js';
export { positionGate, positionPasses };
/** Reason codes of the baseline gates, stable across versions. */
export declare const codes: Readonly<{
    /** Role serves the public face to face. */
    PUBLIC_SERVICE: "PUBLIC_SERVICE";
    /** Candidate civil servant (CPNS). */
    EMPLOYMENT_TYPE: "EMPLOYMENT_TYPE";
    /** Months of service. */
    SERVICE_LENGTH: "SERVICE_LENGTH";
    /** Disciplinary penalties. */
    DISCIPLINE: "DISCIPLINE";
    /** Latest SKP rating. */
    RATING: "RATING";
    /** Unexcused absence days. */
    ABSENCE: "ABSENCE";
    /** KPI target above baseline. */
    KPI_TARGET: "KPI_TARGET";
    /** Supervisor approval. */
    SUPERVISOR_APPROVAL: "SUPERVISOR_APPROVAL";
    /** Talent box allows days anywhere. */
    TALENT_BOX: "TALENT_BOX";
    /** Previous quarter's KPI review. */
    PREVIOUS_REVIEW: "PREVIOUS_REVIEW";
    /** The position is one the region's catalogue marks as qualifying (on by `position_gate`). */
    POSITION: "POSITION";
    /** The pattern that can be granted (informative). */
    PATTERN: "PATTERN";
}>;
/**
 * A pattern written days anywhere – days in office, e.g. `3-2`.
 * @param {number} remoteDays
 */
export declare function pattern(remoteDays: number): string;
export type BaselineParams = {
    maxRemoteDays: number;
    minServiceMonths: number;
    penaltyLookbackMonths: number;
    lightPenaltyLookbackMonths: number;
    minRating: import('./talent.js').SkpRating;
    maxRatingAgeYears: number | undefined;
    maxUnexcusedAbsenceDays: number;
    kpiMissReductionDays: number;
    positionGate: boolean;
};
/**
 * The baseline's parameters, read from the region's manifest and range-checked.
 * @typedef {{maxRemoteDays: number, minServiceMonths: number, penaltyLookbackMonths: number,
 *   lightPenaltyLookbackMonths: number, minRating: import('./talent.js').SkpRating,
 *   maxRatingAgeYears: number | undefined, maxUnexcusedAbsenceDays: number,
 *   kpiMissReductionDays: number, positionGate: boolean}} BaselineParams
 */
/**
 * Read and range-check the baseline parameters (throws a BAD_PARAMETER PolicyError).
 * @param {import('./params.js').Params} params
 * @returns {BaselineParams}
 */
export declare function baselineParamsFrom(params: import('./params.js').Params): BaselineParams;
/**
 * {@link baselineParamsFrom}, read once per configuration (kept with the Params object, see
 * `Params#memo`): looking every parameter up by name on every decision cost a quarter of it.
 * @param {import('./params.js').Params} params
 * @returns {BaselineParams}
 */
export declare function baselineParams(params: import('./params.js').Params): BaselineParams;
/** Whether an assessment builds the reasons (`evaluate`) or only records failed codes (`decide`). */
export declare const Mode: Readonly<{
    Explain: "explain";
    Decide: "decide";
}>;
/**
 * A decision being built: gates so far, the pattern ceiling, approvals and priority. One code
 * path serves `evaluate` and `decide`: add gates with `gate` (the message is built only when
 * explaining), then close with `finish()` (an Eligibility) or `verdict()`.
 */
export declare class Assessment {
    mode: "decide" | "explain";
    /** @type {Reason[]} gates in the order they were checked (explaining only) */
    reasons: Reason[];
    /** @type {string[]} codes of the gates that failed, in order */
    failed: string[];
    maxRemoteDays: number;
    requestedRemoteDays: number;
    /** @type {import('./types.js').Approver[]} */
    approvalsRequired: import('./types.js').Approver[];
    priority: number;
    /**
     * @param {'explain' | 'decide'} mode
     * @param {number} maxRemoteDays
     * @param {number} requestedRemoteDays
     * @param {number} priority
     */
    constructor(mode: 'explain' | 'decide', maxRemoteDays: number, requestedRemoteDays: number, priority: number);
    /** Lower the ceiling to `days` (never raises it). */
    cap(days: any): void;
    /** Require one more approval (once). */
    require(approver: any): void;
    /**
     * Add a gate that `passed` or not; `explain()` builds its reason and is called only when
     * explaining. The reason's code and outcome must be `code` and `passed`.
     * @param {string} code
     * @param {boolean} passed
     * @param {() => Reason} explain
     */
    gate(code: string, passed: boolean, explain: () => Reason): void;
    /** Add a gate whose reason is already built (it counts in both modes). */
    push(reason: any): void;
    /** True when no gate failed so far. */
    passing(): boolean;
    /**
     * Close the decision: eligible when every gate passed; an ineligible decision allows 0 days.
     * Appends the informative `PATTERN` reason. (When deciding there are no reasons: use `verdict`.)
     * @returns {import('./types.js').Eligibility}
     */
    finish(): import('./types.js').Eligibility;
    /**
     * The same outcome as `finish()`, as a Verdict, in either mode.
     * @returns {import('./types.js').Verdict}
     */
    verdict(): import('./types.js').Verdict;
}
/** Whether the role has no direct face-to-face public service. */
export declare function publicServicePasses(employee: any): boolean;
/** No direct face-to-face public service. */
export declare function publicServiceGate(employee: any): Reason;
/** Whether the employee is not a candidate civil servant. */
export declare function employmentTypePasses(employee: any): boolean;
/** Not a candidate civil servant. */
export declare function employmentTypeGate(employee: any): Reason;
/** Whether the employee has served at least `min_service_months`. */
export declare function serviceLengthPasses(employee: any, p: any): boolean;
/** At least `min_service_months` since appointment. */
export declare function serviceLengthGate(employee: any, p: any): Reason;
/**
 * The penalty that disqualifies (active, or within its look-back window) and the date from
 * which the employee qualifies again, if known; `undefined` when none does.
 * @returns {{penalty: import('./types.js').Penalty, clearFrom: import('./date.js').DwaDate | undefined} | undefined}
 */
export declare function disqualifyingPenalty(employee: any, today: any, p: any): {
    penalty: import('./types.js').Penalty;
    clearFrom: import('./date.js').DwaDate | undefined;
} | undefined;
/** Whether no penalty disqualifies (see `disqualifyingPenalty`). */
export declare function disciplinePasses(employee: any, today: any, p: any): boolean;
/** No active penalty, none moderate or severe within the look-back, none light within its own. */
export declare function disciplineGate(employee: any, today: any, p: any): Reason;
/** The latest SKP assessment, if it is recent enough (`max_rating_age_years`). */
export declare function recentAssessment(employee: any, today: any, p: any): {
    year: number;
} | undefined;
/** Whether the latest SKP rating is recent enough and at least `min_rating`. */
export declare function ratingPasses(employee: any, today: any, p: any): boolean;
/** Latest SKP rating recent enough (`max_rating_age_years`) and at least `min_rating`. */
export declare function ratingGate(employee: any, today: any, p: any): Reason;
/** Whether unexcused absences in 12 months are at most `max_unexcused_absence_days`. */
export declare function absencePasses(employee: any, p: any): boolean;
/** At most `max_unexcused_absence_days` in 12 months. */
export declare function absenceGate(employee: any, p: any): Reason;
/** Whether the KPI target is above the baseline (both finite). */
export declare function kpiTargetPasses(application: any): boolean;
/** The KPI target must be above the baseline. */
export declare function kpiTargetGate(application: any): Reason;
/**
 * The recorded decision of `approver`, if any (the latest one wins): true, false or undefined.
 * @param {import('./types.js').Application} application
 * @param {import('./types.js').Approver} approver
 */
export declare function approvalBy(application: import('./types.js').Application, approver: import('./types.js').Approver): boolean | undefined;
/** Whether `approver` has not rejected the application (pending counts as passing). */
export declare function approvalPasses(application: any, approver: any): boolean;
/** An approval by `approver`: fails only when that approver rejected; pending passes. */
export declare function approvalGate(application: any, approver: any, code: any): Reason;
/** Days anywhere by talent box: 9 → 4, 7–8 → 3, 4–6 → 1, otherwise 0. */
export declare function remoteDaysForBox(box: any): 0 | 1 | 3 | 4;
/** The employee's talent box (performance read from the latest rating; none counts as below). */
export declare function employeeTalentBox(employee: any): number;
/** The talent-box gate: fails when the box allows no day anywhere. */
export declare function talentBoxGate(box: any): Reason;
/**
 * The ceiling the previous quarter's review puts on the pattern: undefined without a review, 5
 * after an achieved KPI, the previous grant less `kpi_miss_reduction_days` after a miss.
 */
export declare function previousReviewCeiling(employee: any, p: any): number | undefined;
/** After a missed KPI the next pattern is the previous grant less `kpi_miss_reduction_days`. */
export declare function previousReviewGate(employee: any, p: any): {
    reason: Reason;
    ceiling: number;
} | undefined;
/**
 * Every baseline gate for one application, in the province's order, explained or not.
 * @param {import('./types.js').Employee} employee
 * @param {import('./types.js').Application} application
 * @param {import('./params.js').Params} params
 * @param {import('./date.js').DwaDate} today
 * @param {'explain' | 'decide'} mode
 * @returns {Assessment}
 */
export declare function assessBaseline(employee: import('./types.js').Employee, application: import('./types.js').Application, params: import('./params.js').Params, today: import('./date.js').DwaDate, mode: 'explain' | 'decide'): Assessment;
/** Every baseline gate, with its reasons (`assessBaseline` explaining). */
export declare function baselineAssessment(employee: any, application: any, params: any, today: any): Assessment;
/** The province baseline outcome without its messages (what `decide` answers). */
export declare function decideBaseline(employee: any, application: any, params: any, today: any): import("./types.js").Verdict;
/** The province baseline decision, with its reasons. */
export declare function evaluateBaseline(employee: any, application: any, params: any, today: any): import("./types.js").Eligibility;
