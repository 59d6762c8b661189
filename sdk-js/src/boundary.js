// The contract's boundary, both ways — the Rust SDK's `wit_convert_v0_3`: the host sends a
// `case` (only what rules read) and the plugin rebuilds an Employee and an Application from it,
// with the texts contract 0.3.0 does not pass (NIP, name, region, unit, application id, work
// plan, approvers' NIPs) empty. Native tests go through these same functions, so a rule on a
// field the sandbox leaves empty fails in `npm test` as it would in the host.

import { approvalBy } from './baseline.js';

const APPROVERS = /** @type {const} */ ([['supervisor', 'supervisor'], ['head-of-agency', 'headOfAgency']]);

/**
 * The contract's `approvers` flags of a list of approvers.
 * @param {readonly import('./types.js').Approver[]} approvers
 */
export function approversToWit(approvers) {
  return { supervisor: approvers.includes('supervisor'), headOfAgency: approvers.includes('head-of-agency') };
}

/**
 * The approvers in a set of flags, in contract order.
 * @param {{supervisor?: boolean, headOfAgency?: boolean}} flags
 * @returns {import('./types.js').Approver[]}
 */
export function approversFromWit(flags) {
  return APPROVERS.filter(([, flag]) => flags[flag]).map(([approver]) => approver);
}

const copyDate = (d) => ({ year: d.year, month: d.month, day: d.day });

/**
 * What the host sends of one application of one employee (the contract's `case`).
 * @param {import('./types.js').Employee} e
 * @param {import('./types.js').Application} a
 */
export function caseToWit(e, a) {
  const approved = { supervisor: false, headOfAgency: false };
  const rejected = { supervisor: false, headOfAgency: false };
  for (const [approver, flag] of APPROVERS) {
    const decided = approvalBy(a, approver);
    if (decided === true) approved[flag] = true;
    if (decided === false) rejected[flag] = true;
  }
  return {
    employmentType: e.employmentType,
    positionKind: e.positionKind,
    echelon: e.echelon ?? undefined,
    publicService: e.publicService,
    taskCategory: e.taskCategory,
    serviceMonths: e.serviceMonths,
    potential: e.potential,
    unexcusedAbsenceDays: e.unexcusedAbsenceDays,
    previousReview: e.previousReview == null ? undefined : {
      quarter: { ...e.previousReview.quarter },
      grantedRemoteDays: e.previousReview.grantedRemoteDays,
      kpiAchieved: e.previousReview.kpiAchieved,
    },
    positionCode: e.positionCode,
    positionStatus: e.positionStatus,
    agency: e.agency,
    ratings: e.ratings.map((r) => ({ year: r.year, workResult: r.workResult, workBehaviour: r.workBehaviour })),
    penalties: e.penalties.map((p) => ({ level: p.level, start: copyDate(p.start), end: p.end == null ? undefined : copyDate(p.end) })),
    quarter: { ...a.quarter },
    requestedRemoteDays: a.requestedRemoteDays,
    locationKind: a.locationKind,
    kpiBaseline: a.kpiBaseline,
    kpiTarget: a.kpiTarget,
    approved,
    rejected,
  };
}

/**
 * The employee and application a case describes; the texts no rule reads are empty.
 * @returns {[import('./types.js').Employee, import('./types.js').Application]}
 */
export function caseFromWit(c) {
  const approvals = [];
  for (const [approver, flag] of APPROVERS) {
    if (c.approved[flag]) approvals.push({ approver, byNip: '', approved: true });
    else if (c.rejected[flag]) approvals.push({ approver, byNip: '', approved: false });
  }
  const employee = {
    nip: '',
    name: '',
    employmentType: c.employmentType,
    region: '',
    agency: c.agency,
    unit: '',
    positionKind: c.positionKind,
    echelon: c.echelon ?? undefined,
    publicService: c.publicService,
    taskCategory: c.taskCategory,
    serviceMonths: c.serviceMonths,
    ratings: c.ratings,
    potential: c.potential,
    penalties: c.penalties.map((p) => ({ level: p.level, start: p.start, end: p.end ?? undefined })),
    unexcusedAbsenceDays: c.unexcusedAbsenceDays,
    previousReview: c.previousReview ?? undefined,
    positionCode: c.positionCode,
    positionStatus: c.positionStatus,
  };
  const application = {
    id: '',
    quarter: c.quarter,
    requestedRemoteDays: c.requestedRemoteDays,
    locationKind: c.locationKind,
    workPlan: '',
    kpiBaseline: c.kpiBaseline,
    kpiTarget: c.kpiTarget,
    approvals,
  };
  return [employee, application];
}

/** A reason as the contract's `reason` record (a plain object, `remedy` absent when none). */
export function reasonToWit(r) {
  return {
    code: r.code,
    passed: r.passed,
    message: { id: r.message.id, en: r.message.en },
    remedy: r.remedy == null ? undefined : { id: r.remedy.id, en: r.remedy.en },
  };
}

/** An Eligibility as the contract's record (approvals as flags). */
export function eligibilityToWit(e) {
  return {
    eligible: e.eligible,
    maxRemoteDays: e.maxRemoteDays,
    approvalsRequired: approversToWit(e.approvalsRequired),
    priority: e.priority,
    reasons: e.reasons.map(reasonToWit),
  };
}

/** The contract's eligibility as the SDK's (approvals as a list). */
export function eligibilityFromWit(e) {
  return { ...e, approvalsRequired: approversFromWit(e.approvalsRequired), reasons: e.reasons.map(reasonToWit) };
}

/** A Verdict as the contract's record. */
export function verdictToWit(v) {
  return {
    eligible: v.eligible,
    maxRemoteDays: v.maxRemoteDays,
    approvalsRequired: approversToWit(v.approvalsRequired),
    priority: v.priority,
    failed: [...v.failed],
  };
}

/** The contract's verdict as the SDK's. */
export function verdictFromWit(v) {
  return { ...v, approvalsRequired: approversFromWit(v.approvalsRequired) };
}

/** A Grant as the contract's record. */
export function grantToWit(g) {
  return { applicationId: g.applicationId, nip: g.nip, remoteDays: g.remoteDays, weekdays: [...g.weekdays], reasons: g.reasons.map(reasonToWit) };
}
