// The plain JavaScript types of the plugin contract (sdk/wit/v0.3.0/policy.wit), as JSDoc
// typedefs (index.d.ts declares the same for TypeScript): field names in camelCase and enum
// values in the contract's kebab-case, exactly as componentize-js hands them to a plugin.
//
// An Employee and an Application are what the rules read of one case. Contract 0.3.0 does not
// pass `nip`, `name`, `region`, `unit`, the application's `id`, `workPlan` or the approvers'
// NIPs into the sandbox: they are always empty strings there, and the SDK's test helpers leave
// them empty too, so a rule on them fails natively exactly as it would in the host.

/** @typedef {'pns' | 'cpns' | 'pppk' | 'pppk-paruh-waktu'} EmploymentType */
/** @typedef {'jpt-utama' | 'jpt-madya' | 'jpt-pratama' | 'administrator' | 'pengawas' | 'fungsional' | 'pelaksana'} PositionKind */
/** @typedef {'planning' | 'finance' | 'drafting' | 'speech-writing' | 'online-approval' | 'data-entry' | 'data-analysis' | 'public-service' | 'other'} TaskCategory */
/** @typedef {'light' | 'moderate' | 'severe'} PenaltyLevel */
/** @typedef {'eligible' | 'excluded' | 'under-review' | 'unlisted'} PositionStatus */
/** @typedef {'other-office' | 'registered-home' | 'other-place-in-province'} LocationKind */
/** @typedef {'supervisor' | 'head-of-agency'} Approver */
/** @typedef {'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday'} Weekday */
/** @typedef {{year: number, workResult: import('./talent.js').Expectation, workBehaviour: import('./talent.js').Expectation}} SkpAssessment */
/** @typedef {{level: PenaltyLevel, start: import('./date.js').DwaDate, end?: import('./date.js').DwaDate}} Penalty */
/** @typedef {{quarter: import('./date.js').Quarter, grantedRemoteDays: number, kpiAchieved: boolean}} QuarterReview */

/**
 * One civil servant as the rules see them.
 * @typedef {{nip: string, name: string, employmentType: EmploymentType, region: string,
 *   agency: string, unit: string, positionKind: PositionKind, echelon?: number,
 *   publicService: boolean, taskCategory: TaskCategory, serviceMonths: number,
 *   ratings: SkpAssessment[], potential: import('./talent.js').Potential, penalties: Penalty[],
 *   unexcusedAbsenceDays: number, previousReview?: QuarterReview, positionCode: string,
 *   positionStatus: PositionStatus}} Employee
 */

/** @typedef {{approver: Approver, byNip: string, approved: boolean}} Approval */

/**
 * An application to work anywhere for one quarter.
 * @typedef {{id: string, quarter: import('./date.js').Quarter, requestedRemoteDays: number,
 *   locationKind: LocationKind, workPlan: string, kpiBaseline: number, kpiTarget: number,
 *   approvals: Approval[]}} Application
 */

/**
 * The result of evaluating one application.
 * @typedef {{eligible: boolean, maxRemoteDays: number, approvalsRequired: Approver[],
 *   priority: number, reasons: import('./reason.js').Reason[]}} Eligibility
 */

/**
 * The outcome of an evaluation without its messages.
 * @typedef {{eligible: boolean, maxRemoteDays: number, approvalsRequired: Approver[],
 *   priority: number, failed: string[]}} Verdict
 */

/** @typedef {{tag: 'none'} | {tag: 'granted', val: number} | {tag: 'unit-full'}} PreviousOutcome */

/**
 * One eligible, approved application competing for a unit's quota.
 * @typedef {{applicationId: string, nip: string, requestedRemoteDays: number,
 *   maxRemoteDays: number, priority: number, serviceMonths: number,
 *   previousQuarter: PreviousOutcome}} Candidate
 */

/** @typedef {{unit: string, quarter: import('./date.js').Quarter, headcount: number, candidates: Candidate[]}} AllocationRequest */

/**
 * The pattern granted to one application.
 * @typedef {{applicationId: string, nip: string, remoteDays: number, weekdays: Weekday[],
 *   reasons: import('./reason.js').Reason[]}} Grant
 */

/** @typedef {{region: string, name: string, version: string, contract: string}} PluginInfo */

export {};
