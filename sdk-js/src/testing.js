// Native tests of a plugin (node's built-in test runner): sample cases and a plugin instance
// that runs a policy exactly as the host's sandbox does — through the contract's boundary
// (`exportPolicy`, a case in, the contract's records out) — only without WebAssembly.
//
// The samples mirror what the sandbox passes for contract 0.3.0: `nip`, `name`, `region`,
// `unit`, the application's `id` and `workPlan` and the approvers' NIPs are EMPTY, because the
// host never sends them to `evaluate` or `decide`. (The Rust SDK's `testing::employee()` fills
// them in; its native tests can pass a rule the sandbox never fires. These cannot.)

import { caseToWit, eligibilityFromWit, verdictFromWit } from './boundary.js';
import { PolicyError } from './errors.js';
import { exportPolicy } from './guest.js';
import { Params } from './params.js';
import { verdictOf } from './reason.js';

/** The evaluation date of the samples: the first working day of 2027-Q1. */
export function today() {
  return { year: 2027, month: 1, day: 4 };
}

/**
 * A PNS data analyst in box 9 (Sangat Baik, high potential), five years of service, clean
 * record — with the texts the sandbox does not pass left empty.
 * @returns {import('./types.js').Employee}
 */
export function employee() {
  return {
    nip: '',
    name: '',
    employmentType: 'pns',
    region: '',
    agency: 'BAPPEDA',
    unit: '',
    positionKind: 'fungsional',
    echelon: undefined,
    publicService: false,
    taskCategory: 'data-analysis',
    serviceMonths: 60,
    ratings: [{ year: 2026, workResult: 'above', workBehaviour: 'above' }],
    potential: 'high',
    penalties: [],
    unexcusedAbsenceDays: 0,
    previousReview: undefined,
    positionCode: '',
    positionStatus: 'unlisted',
  };
}

/**
 * A 2027-Q1 application for 2 days anywhere, target above baseline, approved by the supervisor
 * — `id`, `workPlan` and the approver's NIP empty, as in the sandbox.
 * @returns {import('./types.js').Application}
 */
export function application() {
  return {
    id: '',
    quarter: { year: 2027, number: 1 },
    requestedRemoteDays: 2,
    locationKind: 'registered-home',
    workPlan: '',
    kpiBaseline: 70,
    kpiTarget: 80,
    approvals: [{ approver: 'supervisor', byNip: '', approved: true }],
  };
}

// Turn the contract's error (a thrown `{payload}`) back into a PolicyError.
function unwrap(f) {
  try {
    return f();
  } catch (e) {
    if (e && Object.prototype.hasOwnProperty.call(e, 'payload')) throw new PolicyError(e.payload.code, e.payload.message);
    throw e;
  }
}

const fromResult = (r, lift) => (r.tag === 'ok' ? lift(r.val) : new PolicyError(r.val.code, r.val.message));

/**
 * A configured plugin instance of `policy`, called as the host calls it: every employee and
 * application crosses the contract's boundary first, so the rules see what the sandbox shows
 * them. Answers come back in the SDK's shapes; a refusal is thrown as a PolicyError.
 * @param {import('./policy.js').PolicyDefinition} policy
 * @param {Params} [params]
 * @param {import('./date.js').DwaDate} [date]
 */
export function instance(policy, params = new Params(), date = today()) {
  const rules = exportPolicy(policy);
  unwrap(() => rules.configure(params.toWit(), date));
  return {
    info: () => rules.info(),
    /** @returns {import('./types.js').Eligibility} */
    evaluate: (e, a) => eligibilityFromWit(unwrap(() => rules.evaluate(caseToWit(e, a)))),
    /** @returns {import('./types.js').Verdict} */
    decide: (e, a) => verdictFromWit(unwrap(() => rules.decide(caseToWit(e, a)))),
    evaluateBatch: (items) => rules.evaluateBatch(items.map(([e, a]) => caseToWit(e, a))).map((r) => fromResult(r, eligibilityFromWit)),
    decideBatch: (items) => rules.decideBatch(items.map(([e, a]) => caseToWit(e, a))).map((r) => fromResult(r, verdictFromWit)),
    allocate: (request) => unwrap(() => rules.allocate(request)),
  };
}

const date = (year, month, day) => ({ year, month, day });

/**
 * Paired passing and failing cases for every baseline gate, at the boundaries, under the
 * province's parameters (rules/32-jabar.toml: `light_penalty_lookback_months = 6`,
 * `max_rating_age_years = 1`) — the Rust SDK's `testing::baseline_gate_cases()`.
 * @returns {{gate: string, label: string, passes: boolean, apply: (e: import('./types.js').Employee, a: import('./types.js').Application) => void}[]}
 */
export function baselineGateCases() {
  const penalty = (level, start, end) => (e) => { e.penalties.push({ level, start, end }); };
  const rate = (year, workResult, workBehaviour) => (e) => { e.ratings[0] = { year, workResult, workBehaviour }; };
  return [
    { gate: 'PUBLIC_SERVICE', label: 'back-office analyst', passes: true, apply: () => {} },
    { gate: 'PUBLIC_SERVICE', label: 'front-desk role', passes: false, apply: (e) => { e.publicService = true; } },
    { gate: 'EMPLOYMENT_TYPE', label: 'PPPK', passes: true, apply: (e) => { e.employmentType = 'pppk'; } },
    { gate: 'EMPLOYMENT_TYPE', label: 'CPNS', passes: false, apply: (e) => { e.employmentType = 'cpns'; } },
    { gate: 'SERVICE_LENGTH', label: '12 months', passes: true, apply: (e) => { e.serviceMonths = 12; } },
    { gate: 'SERVICE_LENGTH', label: '11 months', passes: false, apply: (e) => { e.serviceMonths = 11; } },
    { gate: 'DISCIPLINE', label: 'moderate penalty ended 13 months ago', passes: true, apply: penalty('moderate', date(2025, 6, 1), date(2025, 12, 3)) },
    { gate: 'DISCIPLINE', label: 'moderate penalty ended 6 months ago', passes: false, apply: penalty('moderate', date(2026, 1, 1), date(2026, 6, 30)) },
    { gate: 'DISCIPLINE', label: 'light penalty still in force', passes: false, apply: penalty('light', date(2026, 12, 1), date(2027, 2, 28)) },
    { gate: 'DISCIPLINE', label: 'light reprimand given last month (light penalties count for 6 months)', passes: false, apply: penalty('light', date(2026, 12, 1), undefined) },
    { gate: 'DISCIPLINE', label: 'light reprimand given seven months ago', passes: true, apply: penalty('light', date(2026, 6, 1), undefined) },
    { gate: 'RATING', label: 'latest rating from 2025, too old for 2027', passes: false, apply: (e) => { e.ratings[0].year = 2025; } },
    { gate: 'RATING', label: 'rated Baik, high potential', passes: true, apply: rate(2026, 'meets', 'meets') },
    { gate: 'RATING', label: 'rated Butuh Perbaikan, high potential (box 6)', passes: false, apply: rate(2026, 'above', 'below') },
    { gate: 'ABSENCE', label: '2 days absent', passes: true, apply: (e) => { e.unexcusedAbsenceDays = 2; } },
    { gate: 'ABSENCE', label: '3 days absent', passes: false, apply: (e) => { e.unexcusedAbsenceDays = 3; } },
    { gate: 'KPI_TARGET', label: 'target just above baseline', passes: true, apply: (_, a) => { a.kpiTarget = 70.5; } },
    { gate: 'KPI_TARGET', label: 'target equal to baseline', passes: false, apply: (_, a) => { a.kpiTarget = 70; } },
    { gate: 'SUPERVISOR_APPROVAL', label: 'approval pending', passes: true, apply: (_, a) => { a.approvals.length = 0; } },
    { gate: 'SUPERVISOR_APPROVAL', label: 'rejected by supervisor', passes: false, apply: (_, a) => { if (a.approvals[0]) a.approvals[0].approved = false; } },
    { gate: 'TALENT_BOX', label: 'box 4 (Sangat Baik, low potential)', passes: true, apply: (e) => { e.potential = 'low'; } },
    { gate: 'TALENT_BOX', label: 'box 2 (Baik, low potential)', passes: false, apply: (e) => { e.potential = 'low'; rate(2026, 'meets', 'meets')(e); } },
    { gate: 'PREVIOUS_REVIEW', label: 'KPI achieved last quarter', passes: true, apply: (e) => { e.previousReview = { quarter: { year: 2026, number: 4 }, grantedRemoteDays: 1, kpiAchieved: true }; } },
    { gate: 'PREVIOUS_REVIEW', label: 'KPI missed after a 1-4 pattern', passes: false, apply: (e) => { e.previousReview = { quarter: { year: 2026, number: 4 }, grantedRemoteDays: 1, kpiAchieved: false }; } },
  ];
}

const same = (x, y) => JSON.stringify(x) === JSON.stringify(y);
const outcome = (f) => { try { return f(); } catch (e) { if (e instanceof PolicyError) return { error: String(e) }; throw e; } };

/**
 * Check that `decide` gives exactly the outcome of `evaluate` for every gate case, every pair of
 * them and each requested pattern 0–5, and that `decideBatch` agrees with `decide`; returns how
 * many inputs were compared. Throws on the first disagreement, naming the cases.
 * @param {import('./policy.js').PolicyDefinition} policy
 * @param {ReturnType<typeof baselineGateCases>} cases
 * @param {Params} params
 * @param {(e: import('./types.js').Employee) => void} [prepare]
 */
export function assertDecideAgreesWithEvaluate(policy, cases, params, prepare = () => {}) {
  const plugin = instance(policy, params);
  const build = (...changes) => {
    const e = employee();
    const a = application();
    prepare(e);
    for (const c of changes) c.apply(e, a);
    return [e, a];
  };
  let compared = 0;
  cases.forEach((first, i) => {
    for (const second of cases.slice(i)) {
      for (let requested = 0; requested <= 5; requested++) {
        const [e, a] = build(first, second);
        a.requestedRemoteDays = requested;
        const explained = outcome(() => verdictOf(plugin.evaluate(e, a)));
        const decided = outcome(() => plugin.decide(e, a));
        if (!same(explained, decided)) {
          throw new Error(`decide disagrees with evaluate: ${first.label} + ${second.label}, ${requested} days requested:\n` +
            `  evaluate: ${JSON.stringify(explained)}\n  decide:   ${JSON.stringify(decided)}`);
        }
        compared += 1;
      }
    }
  });
  const items = cases.map((c) => build(c));
  plugin.decideBatch(items).forEach((decided, i) => {
    const one = outcome(() => plugin.decide(...items[i]));
    const batch = decided instanceof PolicyError ? { error: String(decided) } : decided;
    if (!same(batch, one)) throw new Error(`decideBatch disagrees with decide on ${cases[i].label}`);
  });
  return compared;
}
