export type EmploymentType = 'pns' | 'cpns' | 'pppk' | 'pppk-paruh-waktu';
export type PositionKind = 'jpt-utama' | 'jpt-madya' | 'jpt-pratama' | 'administrator' | 'pengawas' | 'fungsional' | 'pelaksana';
export type TaskCategory = 'planning' | 'finance' | 'drafting' | 'speech-writing' | 'online-approval' | 'data-entry' | 'data-analysis' | 'public-service' | 'other';
export type PenaltyLevel = 'light' | 'moderate' | 'severe';
export type PositionStatus = 'eligible' | 'excluded' | 'under-review' | 'unlisted';
export type LocationKind = 'other-office' | 'registered-home' | 'other-place-in-province';
export type Approver = 'supervisor' | 'head-of-agency';
export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday';
export type SkpAssessment = {
    year: number;
    workResult: import('./talent.js').Expectation;
    workBehaviour: import('./talent.js').Expectation;
};
export type Penalty = {
    level: PenaltyLevel;
    start: import('./date.js').DwaDate;
    end?: import('./date.js').DwaDate;
};
export type QuarterReview = {
    quarter: import('./date.js').Quarter;
    grantedRemoteDays: number;
    kpiAchieved: boolean;
};
export type Employee = {
    nip: string;
    name: string;
    employmentType: EmploymentType;
    region: string;
    agency: string;
    unit: string;
    positionKind: PositionKind;
    echelon?: number;
    publicService: boolean;
    taskCategory: TaskCategory;
    serviceMonths: number;
    ratings: SkpAssessment[];
    potential: import('./talent.js').Potential;
    penalties: Penalty[];
    unexcusedAbsenceDays: number;
    previousReview?: QuarterReview;
    positionCode: string;
    positionStatus: PositionStatus;
};
export type Approval = {
    approver: Approver;
    byNip: string;
    approved: boolean;
};
export type Application = {
    id: string;
    quarter: import('./date.js').Quarter;
    requestedRemoteDays: number;
    locationKind: LocationKind;
    workPlan: string;
    kpiBaseline: number;
    kpiTarget: number;
    approvals: Approval[];
};
export type Eligibility = {
    eligible: boolean;
    maxRemoteDays: number;
    approvalsRequired: Approver[];
    priority: number;
    reasons: import('./reason.js').Reason[];
};
export type Verdict = {
    eligible: boolean;
    maxRemoteDays: number;
    approvalsRequired: Approver[];
    priority: number;
    failed: string[];
};
export type PreviousOutcome = {
    tag: 'none';
} | {
    tag: 'granted';
    val: number;
} | {
    tag: 'unit-full';
};
export type Candidate = {
    applicationId: string;
    nip: string;
    requestedRemoteDays: number;
    maxRemoteDays: number;
    priority: number;
    serviceMonths: number;
    previousQuarter: PreviousOutcome;
};
export type AllocationRequest = {
    unit: string;
    quarter: import('./date.js').Quarter;
    headcount: number;
    candidates: Candidate[];
};
export type Grant = {
    applicationId: string;
    nip: string;
    remoteDays: number;
    weekdays: Weekday[];
    reasons: import('./reason.js').Reason[];
};
export type PluginInfo = {
    region: string;
    name: string;
    version: string;
    contract: string;
};
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
