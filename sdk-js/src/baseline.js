// The province baseline rules (Pergub Jabar MKD) as gates a plugin can call, keep, drop or
// adjust — the Rust SDK's `baseline` module, gate for gate and message for message (a test runs
// both on generated cases and compares every reason). `assessBaseline` runs them all; a regency
// plugin adds its own gates to the returned Assessment and calls `finish()` or `verdict()`.

import { compareDates, formatDate, formatQuarter, minusMonths, nextDay, plusMonths } from './date.js';
import { PolicyError } from './errors.js';
import { formatNumber } from './format.js';
import { positionGate, positionPasses } from './position.js';
import { Reason } from './reason.js';
import { latestAssessment, performanceLevel, ratingAtLeast, ratingFromCode, ratingLabel, skpRating, talentBox } from './talent.js';

export { positionGate, positionPasses };

/** Reason codes of the baseline gates, stable across versions. */
export const codes = Object.freeze({
  /** Role serves the public face to face. */
  PUBLIC_SERVICE: 'PUBLIC_SERVICE',
  /** Candidate civil servant (CPNS). */
  EMPLOYMENT_TYPE: 'EMPLOYMENT_TYPE',
  /** Months of service. */
  SERVICE_LENGTH: 'SERVICE_LENGTH',
  /** Disciplinary penalties. */
  DISCIPLINE: 'DISCIPLINE',
  /** Latest SKP rating. */
  RATING: 'RATING',
  /** Unexcused absence days. */
  ABSENCE: 'ABSENCE',
  /** KPI target above baseline. */
  KPI_TARGET: 'KPI_TARGET',
  /** Supervisor approval. */
  SUPERVISOR_APPROVAL: 'SUPERVISOR_APPROVAL',
  /** Talent box allows days anywhere. */
  TALENT_BOX: 'TALENT_BOX',
  /** Previous quarter's KPI review. */
  PREVIOUS_REVIEW: 'PREVIOUS_REVIEW',
  /** The position is one the region's catalogue marks as qualifying (on by `position_gate`). */
  POSITION: 'POSITION',
  /** The pattern that can be granted (informative). */
  PATTERN: 'PATTERN',
});

/**
 * A pattern written days anywhere – days in office, e.g. `3-2`.
 * @param {number} remoteDays
 */
export function pattern(remoteDays) {
  return `${remoteDays}-${Math.max(0, 5 - remoteDays)}`;
}

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
export function baselineParamsFrom(params) {
  const minRating = params.textOr('min_rating', 'baik');
  const p = {
    maxRemoteDays: params.integerOr('max_remote_days', 4, [0, 5]),
    minServiceMonths: params.integerOr('min_service_months', 12, [0, 600]),
    penaltyLookbackMonths: params.integerOr('penalty_lookback_months', 12, [0, 120]),
    lightPenaltyLookbackMonths: params.integerOr('light_penalty_lookback_months', 0, [0, 120]),
    maxRatingAgeYears: params.get('max_rating_age_years') === undefined
      ? undefined
      : params.integerOr('max_rating_age_years', 0, [0, 50]),
    minRating: ratingFromCode(minRating),
    maxUnexcusedAbsenceDays: params.integerOr('max_unexcused_absence_days', 2, [0, 365]),
    kpiMissReductionDays: params.integerOr('kpi_miss_reduction_days', 1, [0, 5]),
    positionGate: params.flagOr('position_gate', false),
  };
  if (p.minRating === undefined) {
    throw new PolicyError('BAD_PARAMETER', `parameter \`min_rating\` = \`${minRating}\` is not a rating code`);
  }
  return Object.freeze(p);
}

/**
 * {@link baselineParamsFrom}, read once per configuration (kept with the Params object, see
 * `Params#memo`): looking every parameter up by name on every decision cost a quarter of it.
 * @param {import('./params.js').Params} params
 * @returns {BaselineParams}
 */
export function baselineParams(params) {
  return params.memo('dwa:baseline', baselineParamsFrom);
}

/** Whether an assessment builds the reasons (`evaluate`) or only records failed codes (`decide`). */
export const Mode = Object.freeze({ Explain: 'explain', Decide: 'decide' });

/**
 * A decision being built: gates so far, the pattern ceiling, approvals and priority. One code
 * path serves `evaluate` and `decide`: add gates with `gate` (the message is built only when
 * explaining), then close with `finish()` (an Eligibility) or `verdict()`.
 */
export class Assessment {
  /**
   * @param {'explain' | 'decide'} mode
   * @param {number} maxRemoteDays
   * @param {number} requestedRemoteDays
   * @param {number} priority
   */
  constructor(mode, maxRemoteDays, requestedRemoteDays, priority) {
    this.mode = mode;
    /** @type {Reason[]} gates in the order they were checked (explaining only) */
    this.reasons = [];
    /** @type {string[]} codes of the gates that failed, in order */
    this.failed = [];
    this.maxRemoteDays = maxRemoteDays;
    this.requestedRemoteDays = requestedRemoteDays;
    /** @type {import('./types.js').Approver[]} */
    this.approvalsRequired = [];
    this.priority = priority;
  }

  /** Lower the ceiling to `days` (never raises it). */
  cap(days) {
    this.maxRemoteDays = Math.min(this.maxRemoteDays, days);
  }

  /** Require one more approval (once). */
  require(approver) {
    if (!this.approvalsRequired.includes(approver)) this.approvalsRequired.push(approver);
  }

  /**
   * Add a gate that `passed` or not; `explain()` builds its reason and is called only when
   * explaining. The reason's code and outcome must be `code` and `passed`.
   * @param {string} code
   * @param {boolean} passed
   * @param {() => Reason} explain
   */
  gate(code, passed, explain) {
    if (this.mode === Mode.Explain) {
      const reason = explain();
      if (reason.code !== code || reason.passed !== passed) {
        throw new Error(`gate ${code} (${passed ? 'passed' : 'failed'}) explained as ${reason.code} (${reason.passed ? 'passed' : 'failed'})`);
      }
      this.push(reason);
    } else if (!passed) {
      this.failed.push(code);
    }
  }

  /** Add a gate whose reason is already built (it counts in both modes). */
  push(reason) {
    if (!reason.passed) this.failed.push(reason.code);
    if (this.mode === Mode.Explain) this.reasons.push(reason);
  }

  /** True when no gate failed so far. */
  passing() {
    return this.failed.length === 0;
  }

  /**
   * Close the decision: eligible when every gate passed; an ineligible decision allows 0 days.
   * Appends the informative `PATTERN` reason. (When deciding there are no reasons: use `verdict`.)
   * @returns {import('./types.js').Eligibility}
   */
  finish() {
    const eligible = this.passing();
    const maxRemoteDays = eligible ? this.maxRemoteDays : 0;
    const reasons = [...this.reasons];
    if (eligible) {
      const allowed = pattern(maxRemoteDays);
      const requested = pattern(this.requestedRemoteDays);
      reasons.push(this.requestedRemoteDays > maxRemoteDays
        ? Reason.pass(codes.PATTERN,
          `Pola yang diminta ${requested} melebihi batas; paling banyak ${allowed} dapat diberikan`,
          `Requested pattern ${requested} exceeds the limit; at most ${allowed} can be granted`)
        : Reason.pass(codes.PATTERN,
          `Pola yang diminta ${requested} dalam batas ${allowed}`,
          `Requested pattern ${requested} is within the limit ${allowed}`));
    }
    return { eligible, maxRemoteDays, approvalsRequired: [...this.approvalsRequired], priority: this.priority, reasons };
  }

  /**
   * The same outcome as `finish()`, as a Verdict, in either mode.
   * @returns {import('./types.js').Verdict}
   */
  verdict() {
    const eligible = this.passing();
    return {
      eligible,
      maxRemoteDays: eligible ? this.maxRemoteDays : 0,
      approvalsRequired: [...this.approvalsRequired],
      priority: this.priority,
      failed: [...this.failed],
    };
  }
}

/** Whether the role has no direct face-to-face public service. */
export function publicServicePasses(employee) {
  return !(employee.publicService || employee.taskCategory === 'public-service');
}

/** No direct face-to-face public service. */
export function publicServiceGate(employee) {
  if (!publicServicePasses(employee)) {
    return Reason.fail(codes.PUBLIC_SERVICE, 'Jabatan melayani publik secara langsung (tatap muka)',
      'The role serves the public face to face')
      .withRemedy('Hanya jabatan tanpa layanan publik langsung yang dapat bekerja dari mana saja',
        'Only roles without direct public service can work from anywhere');
  }
  return Reason.pass(codes.PUBLIC_SERVICE, 'Jabatan tanpa layanan publik langsung', 'Role has no direct public service');
}

/** Whether the employee is not a candidate civil servant. */
export function employmentTypePasses(employee) {
  return employee.employmentType !== 'cpns';
}

/** Not a candidate civil servant. */
export function employmentTypeGate(employee) {
  if (!employmentTypePasses(employee)) {
    return Reason.fail(codes.EMPLOYMENT_TYPE, 'Masih berstatus CPNS', 'Still a candidate civil servant (CPNS)')
      .withRemedy('Dapat mengajukan setelah diangkat menjadi PNS', 'May apply after appointment as PNS');
  }
  return Reason.pass(codes.EMPLOYMENT_TYPE, 'Status kepegawaian memenuhi syarat', 'Employment type qualifies');
}

/** Whether the employee has served at least `min_service_months`. */
export function serviceLengthPasses(employee, p) {
  return employee.serviceMonths >= p.minServiceMonths;
}

/** At least `min_service_months` since appointment. */
export function serviceLengthGate(employee, p) {
  const months = employee.serviceMonths;
  const min = p.minServiceMonths;
  if (serviceLengthPasses(employee, p)) {
    return Reason.pass(codes.SERVICE_LENGTH, `Masa kerja ${months} bulan (minimal ${min})`,
      `${months} months of service (minimum ${min})`);
  }
  const wait = min - months;
  return Reason.fail(codes.SERVICE_LENGTH, `Masa kerja ${months} bulan, kurang dari ${min} bulan`,
    `${months} months of service, fewer than ${min}`)
    .withRemedy(`Memenuhi syarat setelah ${wait} bulan lagi`, `Qualifies after ${wait} more months`);
}

const maxDate = (a, b) => (compareDates(a, b) >= 0 ? a : b);

/**
 * The penalty that disqualifies (active, or within its look-back window) and the date from
 * which the employee qualifies again, if known; `undefined` when none does.
 * @returns {{penalty: import('./types.js').Penalty, clearFrom: import('./date.js').DwaDate | undefined} | undefined}
 */
export function disqualifyingPenalty(employee, today, p) {
  const windowStart = minusMonths(today, p.penaltyLookbackMonths);
  const lightWindowStart = minusMonths(today, p.lightPenaltyLookbackMonths);
  let clearFrom;
  let found;
  for (const penalty of employee.penalties) {
    if (compareDates(penalty.start, today) > 0) continue;
    const serious = penalty.level !== 'light';
    const end = penalty.end ?? undefined;
    const active = end !== undefined ? compareDates(end, today) >= 0 : serious;
    // A light penalty counts from its end, or from its start when it has none.
    const lastDay = end ?? penalty.start;
    const recent = serious
      ? end === undefined || compareDates(end, windowStart) >= 0
      : p.lightPenaltyLookbackMonths > 0 && compareDates(lastDay, lightWindowStart) >= 0;
    if (active || recent) {
      found = penalty;
      let until;
      if (serious) until = end === undefined ? undefined : nextDay(plusMonths(end, p.penaltyLookbackMonths));
      else if (p.lightPenaltyLookbackMonths > 0) until = nextDay(plusMonths(lastDay, p.lightPenaltyLookbackMonths));
      else until = end === undefined ? undefined : nextDay(end);
      if (clearFrom !== undefined && until !== undefined) clearFrom = maxDate(clearFrom, until);
      else if (clearFrom === undefined) clearFrom = until;
    }
  }
  return found === undefined ? undefined : { penalty: found, clearFrom };
}

/** Whether no penalty disqualifies (see `disqualifyingPenalty`). */
export function disciplinePasses(employee, today, p) {
  return disqualifyingPenalty(employee, today, p) === undefined;
}

const LEVELS = { light: ['ringan', 'Light'], moderate: ['sedang', 'Moderate'], severe: ['berat', 'Severe'] };

/** No active penalty, none moderate or severe within the look-back, none light within its own. */
export function disciplineGate(employee, today, p) {
  const found = disqualifyingPenalty(employee, today, p);
  if (found === undefined) {
    if (p.lightPenaltyLookbackMonths > 0) {
      return Reason.pass(codes.DISCIPLINE,
        `Tidak ada hukuman disiplin aktif, sedang/berat dalam ${p.penaltyLookbackMonths} bulan terakhir, atau ringan dalam ${p.lightPenaltyLookbackMonths} bulan terakhir`,
        `No active penalty, no moderate or severe penalty in the last ${p.penaltyLookbackMonths} months and no light one in the last ${p.lightPenaltyLookbackMonths} months`);
    }
    return Reason.pass(codes.DISCIPLINE,
      `Tidak ada hukuman disiplin aktif atau sedang/berat dalam ${p.penaltyLookbackMonths} bulan terakhir`,
      `No active penalty and no moderate or severe penalty in the last ${p.penaltyLookbackMonths} months`);
  }
  const [id, en] = LEVELS[found.penalty.level];
  const start = formatDate(found.penalty.start);
  const reason = Reason.fail(codes.DISCIPLINE, `Hukuman disiplin ${id} sejak ${start}`, `${en} disciplinary penalty since ${start}`);
  if (found.clearFrom !== undefined) {
    const date = formatDate(found.clearFrom);
    return reason.withRemedy(`Memenuhi syarat mulai ${date} bila tidak ada hukuman baru`,
      `Qualifies from ${date} if no new penalty is imposed`);
  }
  return reason.withRemedy('Memenuhi syarat setelah hukuman berakhir dan masa tunggu terlewati',
    'Qualifies once the penalty ends and the waiting period has passed');
}

/** The latest SKP assessment, if it is recent enough (`max_rating_age_years`). */
export function recentAssessment(employee, today, p) {
  const latest = latestAssessment(employee.ratings);
  if (latest === undefined) return undefined;
  return p.maxRatingAgeYears === undefined || latest.year + p.maxRatingAgeYears >= today.year ? latest : undefined;
}

/** Whether the latest SKP rating is recent enough and at least `min_rating`. */
export function ratingPasses(employee, today, p) {
  const a = recentAssessment(employee, today, p);
  return a !== undefined && ratingAtLeast(skpRating(a.workResult, a.workBehaviour), p.minRating);
}

/** Latest SKP rating recent enough (`max_rating_age_years`) and at least `min_rating`. */
export function ratingGate(employee, today, p) {
  const min = ratingLabel(p.minRating);
  const latest = latestAssessment(employee.ratings);
  const recent = recentAssessment(employee, today, p);
  if (latest === undefined) {
    return Reason.fail(codes.RATING, 'Belum ada predikat kinerja SKP', 'No SKP performance rating on record')
      .withRemedy(`Perlu predikat minimal ${min}`, `Needs a rating of at least ${min}`);
  }
  if (recent === undefined) {
    const since = Math.max(0, today.year - (p.maxRatingAgeYears ?? 0));
    return Reason.fail(codes.RATING,
      `Predikat kinerja terakhir dari ${latest.year}, belum ada penilaian ${since} atau sesudahnya`,
      `Latest performance rating is from ${latest.year}; none from ${since} or later`)
      .withRemedy(`Perlu penilaian SKP ${since} atau sesudahnya dengan predikat minimal ${min}`,
        `Needs an SKP assessment from ${since} or later rated at least ${min}`);
  }
  const rating = skpRating(recent.workResult, recent.workBehaviour);
  const label = ratingLabel(rating);
  if (ratingAtLeast(rating, p.minRating)) {
    return Reason.pass(codes.RATING, `Predikat kinerja ${recent.year} ${label} (minimal ${min})`,
      `${recent.year} performance rating ${label} (minimum ${min})`);
  }
  return Reason.fail(codes.RATING, `Predikat kinerja ${recent.year} ${label}, di bawah ${min}`,
    `${recent.year} performance rating ${label}, below ${min}`)
    .withRemedy(`Perlu predikat minimal ${min} pada penilaian berikutnya`,
      `Needs a rating of at least ${min} in the next assessment`);
}

/** Whether unexcused absences in 12 months are at most `max_unexcused_absence_days`. */
export function absencePasses(employee, p) {
  return employee.unexcusedAbsenceDays <= p.maxUnexcusedAbsenceDays;
}

/** At most `max_unexcused_absence_days` in 12 months. */
export function absenceGate(employee, p) {
  const days = employee.unexcusedAbsenceDays;
  const max = p.maxUnexcusedAbsenceDays;
  if (absencePasses(employee, p)) {
    return Reason.pass(codes.ABSENCE, `${days} hari alpa dalam 12 bulan (maksimal ${max})`,
      `${days} unexcused absence days in 12 months (maximum ${max})`);
  }
  return Reason.fail(codes.ABSENCE, `${days} hari alpa dalam 12 bulan, lebih dari ${max}`,
    `${days} unexcused absence days in 12 months, more than ${max}`)
    .withRemedy(`Paling banyak ${max} hari alpa dalam 12 bulan terakhir`,
      `No more than ${max} unexcused absence days over the last 12 months`);
}

/** Whether the KPI target is above the baseline (both finite). */
export function kpiTargetPasses(application) {
  const base = application.kpiBaseline;
  const target = application.kpiTarget;
  return Number.isFinite(target) && Number.isFinite(base) && target > base;
}

/** The KPI target must be above the baseline. */
export function kpiTargetGate(application) {
  const base = formatNumber(application.kpiBaseline);
  const target = formatNumber(application.kpiTarget);
  if (kpiTargetPasses(application)) {
    return Reason.pass(codes.KPI_TARGET, `Target IKU ${target} di atas baseline ${base}`,
      `KPI target ${target} is above the baseline ${base}`);
  }
  return Reason.fail(codes.KPI_TARGET, `Target IKU ${target} tidak di atas baseline ${base}`,
    `KPI target ${target} is not above the baseline ${base}`)
    .withRemedy(`Tetapkan target IKU lebih dari ${base}`, `Set a KPI target higher than ${base}`);
}

/**
 * The recorded decision of `approver`, if any (the latest one wins): true, false or undefined.
 * @param {import('./types.js').Application} application
 * @param {import('./types.js').Approver} approver
 */
export function approvalBy(application, approver) {
  for (let i = application.approvals.length - 1; i >= 0; i--) {
    if (application.approvals[i].approver === approver) return application.approvals[i].approved;
  }
  return undefined;
}

/** Whether `approver` has not rejected the application (pending counts as passing). */
export function approvalPasses(application, approver) {
  return approvalBy(application, approver) !== false;
}

/** An approval by `approver`: fails only when that approver rejected; pending passes. */
export function approvalGate(application, approver, code) {
  const [id, en] = approver === 'supervisor' ? ['atasan langsung', 'direct supervisor'] : ['kepala perangkat daerah', 'head of agency'];
  const decided = approvalBy(application, approver);
  if (decided === true) return Reason.pass(code, `Disetujui ${id}`, `Approved by the ${en}`);
  if (decided === undefined) return Reason.pass(code, `Menunggu persetujuan ${id}`, `Awaiting approval by the ${en}`);
  return Reason.fail(code, `Ditolak ${id}`, `Rejected by the ${en}`)
    .withRemedy(`Ajukan kembali dengan rencana kerja yang disepakati ${id}`, `Apply again with a work plan agreed with the ${en}`);
}

/** Days anywhere by talent box: 9 → 4, 7–8 → 3, 4–6 → 1, otherwise 0. */
export function remoteDaysForBox(box) {
  if (box === 9) return 4;
  if (box === 7 || box === 8) return 3;
  if (box >= 4 && box <= 6) return 1;
  return 0;
}

/** The employee's talent box (performance read from the latest rating; none counts as below). */
export function employeeTalentBox(employee) {
  const latest = latestAssessment(employee.ratings);
  const performance = latest === undefined ? 'below' : performanceLevel(skpRating(latest.workResult, latest.workBehaviour));
  return talentBox(performance, employee.potential);
}

/** The talent-box gate: fails when the box allows no day anywhere. */
export function talentBoxGate(box) {
  const days = remoteDaysForBox(box);
  const allowed = pattern(days);
  if (days > 0) {
    return Reason.pass(codes.TALENT_BOX, `Kotak talenta ${box}: pola hingga ${allowed}`, `Talent box ${box}: pattern up to ${allowed}`);
  }
  return Reason.fail(codes.TALENT_BOX, `Kotak talenta ${box}: hanya bekerja di kantor (${allowed})`, `Talent box ${box}: office only (${allowed})`)
    .withRemedy('Perlu kotak talenta 4 atau lebih tinggi', 'Needs talent box 4 or higher');
}

/**
 * The ceiling the previous quarter's review puts on the pattern: undefined without a review, 5
 * after an achieved KPI, the previous grant less `kpi_miss_reduction_days` after a miss.
 */
export function previousReviewCeiling(employee, p) {
  const review = employee.previousReview;
  if (review == null) return undefined;
  return review.kpiAchieved ? 5 : Math.max(0, review.grantedRemoteDays - p.kpiMissReductionDays);
}

/** After a missed KPI the next pattern is the previous grant less `kpi_miss_reduction_days`. */
export function previousReviewGate(employee, p) {
  const review = employee.previousReview;
  if (review == null) return undefined;
  const q = formatQuarter(review.quarter);
  if (review.kpiAchieved) {
    return { reason: Reason.pass(codes.PREVIOUS_REVIEW, `Target IKU triwulan ${q} tercapai`, `KPI target of ${q} achieved`), ceiling: 5 };
  }
  const ceiling = Math.max(0, review.grantedRemoteDays - p.kpiMissReductionDays);
  const reason = Reason.check(codes.PREVIOUS_REVIEW, ceiling > 0,
    `Target IKU triwulan ${q} tidak tercapai: pola diturunkan menjadi paling banyak ${pattern(ceiling)}`,
    `KPI target of ${q} missed: pattern lowered to at most ${pattern(ceiling)}`)
    .withRemedy('Capai target IKU pada triwulan berjalan untuk mengajukan kembali',
      'Reach the KPI target in the current quarter to apply again');
  return { reason, ceiling };
}

/**
 * Every baseline gate for one application, in the province's order, explained or not.
 * @param {import('./types.js').Employee} employee
 * @param {import('./types.js').Application} application
 * @param {import('./params.js').Params} params
 * @param {import('./date.js').DwaDate} today
 * @param {'explain' | 'decide'} mode
 * @returns {Assessment}
 */
export function assessBaseline(employee, application, params, today, mode) {
  const p = baselineParams(params);
  if (application.requestedRemoteDays > 5) {
    throw new PolicyError('BAD_INPUT', `requested ${application.requestedRemoteDays} days anywhere; a week has 5 working days`);
  }
  const box = employeeTalentBox(employee);
  const a = new Assessment(mode, Math.min(remoteDaysForBox(box), p.maxRemoteDays), application.requestedRemoteDays,
    box * 1000 + Math.min(employee.serviceMonths, 999));
  a.require('supervisor');
  a.gate(codes.PUBLIC_SERVICE, publicServicePasses(employee), () => publicServiceGate(employee));
  if (p.positionGate) a.gate(codes.POSITION, positionPasses(employee), () => positionGate(employee));
  a.gate(codes.EMPLOYMENT_TYPE, employmentTypePasses(employee), () => employmentTypeGate(employee));
  a.gate(codes.SERVICE_LENGTH, serviceLengthPasses(employee, p), () => serviceLengthGate(employee, p));
  a.gate(codes.DISCIPLINE, disciplinePasses(employee, today, p), () => disciplineGate(employee, today, p));
  a.gate(codes.RATING, ratingPasses(employee, today, p), () => ratingGate(employee, today, p));
  a.gate(codes.ABSENCE, absencePasses(employee, p), () => absenceGate(employee, p));
  a.gate(codes.KPI_TARGET, kpiTargetPasses(application), () => kpiTargetGate(application));
  a.gate(codes.SUPERVISOR_APPROVAL, approvalPasses(application, 'supervisor'),
    () => approvalGate(application, 'supervisor', codes.SUPERVISOR_APPROVAL));
  a.gate(codes.TALENT_BOX, remoteDaysForBox(box) > 0, () => talentBoxGate(box));
  const ceiling = previousReviewCeiling(employee, p);
  if (ceiling !== undefined) {
    a.cap(ceiling);
    a.gate(codes.PREVIOUS_REVIEW, ceiling > 0, () => previousReviewGate(employee, p).reason);
  }
  return a;
}

/** Every baseline gate, with its reasons (`assessBaseline` explaining). */
export function baselineAssessment(employee, application, params, today) {
  return assessBaseline(employee, application, params, today, Mode.Explain);
}

/** The province baseline outcome without its messages (what `decide` answers). */
export function decideBaseline(employee, application, params, today) {
  return assessBaseline(employee, application, params, today, Mode.Decide).verdict();
}

/** The province baseline decision, with its reasons. */
export function evaluateBaseline(employee, application, params, today) {
  return baselineAssessment(employee, application, params, today).finish();
}
