// A region's manifest (`<code>-<name>.toml`) read natively, for `npm test`: its parameters (as
// the host passes them: whole numbers stay whole, decimals decimal) and its worked examples with
// the defaults merged in, converted to the SDK's shapes; and `runExamplesNatively`, the Rust
// SDK's `manifest::run_examples_natively`. Node only (it reads TOML with smol-toml); a plugin
// never imports it.

import { parse as parseToml } from 'smol-toml';
import { parseDate, parseQuarter } from './date.js';
import { debugList } from './format.js';
import { Params } from './params.js';
import { failedCodes } from './reason.js';
import { instance } from './testing.js';

/** Merge `over` into `base`, recursing into tables (arrays and scalars are replaced). */
function merge(base, over) {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const table = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
    out[key] = table(out[key]) && table(value) ? merge(out[key], value) : value;
  }
  return out;
}

// The manifest's snake_case values become the contract's kebab-case ones.
const ENUMS = {
  employment_type: ['pns', 'cpns', 'pppk', 'pppk_paruh_waktu'],
  position_kind: ['jpt_utama', 'jpt_madya', 'jpt_pratama', 'administrator', 'pengawas', 'fungsional', 'pelaksana'],
  task_category: ['planning', 'finance', 'drafting', 'speech_writing', 'online_approval', 'data_entry', 'data_analysis', 'public_service', 'other'],
  expectation: ['above', 'meets', 'below'],
  potential: ['high', 'medium', 'low'],
  level: ['light', 'moderate', 'severe'],
  position_status: ['eligible', 'excluded', 'under_review', 'unlisted'],
  location_kind: ['other_office', 'registered_home', 'other_place_in_province'],
  approver: ['supervisor', 'head_of_agency'],
};

/** Reads one field of a table, naming the path in every error. */
class Reader {
  constructor(table, path) {
    this.fields = table ?? {};
    this.path = path;
  }

  fail(key, why) {
    return new Error(`${this.path}.${key}: ${why}`);
  }

  raw(key, required) {
    const value = this.fields[key];
    if (value === undefined && required) throw this.fail(key, 'missing');
    return value;
  }

  text(key, fallback) {
    const v = this.raw(key, fallback === undefined);
    if (v === undefined) return fallback;
    if (typeof v !== 'string') throw this.fail(key, `expected a text, found ${v}`);
    return v;
  }

  integer(key, fallback) {
    const v = this.raw(key, fallback === undefined);
    if (v === undefined) return fallback;
    if (typeof v !== 'bigint') throw this.fail(key, `expected a whole number, found ${v}`);
    return Number(v);
  }

  number(key) {
    const v = this.raw(key, true);
    if (typeof v === 'bigint') return Number(v);
    if (typeof v !== 'number') throw this.fail(key, `expected a number, found ${v}`);
    return v;
  }

  flag(key, fallback) {
    const v = this.raw(key, fallback === undefined);
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') throw this.fail(key, `expected true or false, found ${v}`);
    return v;
  }

  choice(key, kind, fallback) {
    const v = this.text(key, fallback);
    if (!ENUMS[kind].includes(v)) throw this.fail(key, `\`${v}\` is not one of ${ENUMS[kind].join(', ')}`);
    return v.replaceAll('_', '-');
  }

  date(key, required = true) {
    const v = this.text(key, required ? undefined : null);
    return v === null ? undefined : parseDate(v);
  }

  list(key) {
    const v = this.raw(key, false) ?? [];
    if (!Array.isArray(v)) throw this.fail(key, 'expected a list');
    return v.map((item, i) => new Reader(item, `${this.path}.${key}[${i}]`));
  }

  table(key) {
    const v = this.raw(key, false);
    return v === undefined ? undefined : new Reader(v, `${this.path}.${key}`);
  }
}

function employeeOf(r) {
  const review = r.table('previous_review');
  return {
    nip: r.text('nip'),
    name: r.text('name'),
    employmentType: r.choice('employment_type', 'employment_type'),
    region: r.text('region'),
    agency: r.text('agency'),
    unit: r.text('unit'),
    positionKind: r.choice('position_kind', 'position_kind'),
    echelon: r.raw('echelon', false) === undefined ? undefined : r.integer('echelon'),
    publicService: r.flag('public_service'),
    taskCategory: r.choice('task_category', 'task_category'),
    serviceMonths: r.integer('service_months'),
    ratings: r.list('ratings').map((a) => ({
      year: a.integer('year'),
      workResult: a.choice('work_result', 'expectation'),
      workBehaviour: a.choice('work_behaviour', 'expectation'),
    })),
    potential: r.choice('potential', 'potential'),
    penalties: r.list('penalties').map((p) => ({ level: p.choice('level', 'level'), start: p.date('start'), end: p.date('end', false) })),
    unexcusedAbsenceDays: r.integer('unexcused_absence_days', 0),
    previousReview: review === undefined ? undefined : {
      quarter: parseQuarter(review.text('quarter')),
      grantedRemoteDays: review.integer('granted_remote_days'),
      kpiAchieved: review.flag('kpi_achieved'),
    },
    positionCode: r.text('position_code', ''),
    positionStatus: r.choice('position_status', 'position_status', 'unlisted'),
  };
}

function applicationOf(r) {
  return {
    id: r.text('id'),
    quarter: parseQuarter(r.text('quarter')),
    requestedRemoteDays: r.integer('requested_remote_days'),
    locationKind: r.choice('location_kind', 'location_kind'),
    workPlan: r.text('work_plan'),
    kpiBaseline: r.number('kpi_baseline'),
    kpiTarget: r.number('kpi_target'),
    approvals: r.list('approvals').map((x) => ({ approver: x.choice('approver', 'approver'), byNip: x.text('by_nip'), approved: x.flag('approved') })),
  };
}

function expectOf(r) {
  const optional = (key, read) => (r.raw(key, false) === undefined ? undefined : read());
  return {
    eligible: r.flag('eligible'),
    maxRemoteDays: optional('max_remote_days', () => r.integer('max_remote_days')),
    failed: optional('failed', () => r.raw('failed').map(String)),
    approvalsRequired: optional('approvals_required', () => r.list('approvals_required').map((_, i) => {
      const v = r.raw('approvals_required')[i];
      if (!ENUMS.approver.includes(v)) throw r.fail('approvals_required', `\`${v}\` is not an approver`);
      return v.replaceAll('_', '-');
    })),
  };
}

/**
 * Parse a manifest's TOML text: region, name, plugin, parameters and worked examples.
 * @param {string} text
 */
export function parseManifest(text) {
  const raw = parseToml(text, { integersAsBigInt: true });
  const parameters = new Params(Object.entries(raw.parameters ?? {}));
  const defaults = raw.examples?.defaults ?? {};
  const examples = (raw.examples?.cases ?? []).map((c, i) => {
    const label = typeof c.name === 'string' ? c.name : `#${i + 1}`;
    const merged = merge(defaults, c);
    const unknown = Object.keys(merged).filter((k) => !['name', 'today', 'employee', 'application', 'expect'].includes(k));
    if (unknown.length > 0) throw new Error(`worked example \`${label}\`: unknown field \`${unknown[0]}\``);
    const r = new Reader(merged, `worked example \`${label}\``);
    return {
      name: r.text('name'),
      today: r.date('today'),
      employee: employeeOf(new Reader(r.raw('employee', true), `worked example \`${label}\`.employee`)),
      application: applicationOf(new Reader(r.raw('application', true), `worked example \`${label}\`.application`)),
      expect: expectOf(new Reader(r.raw('expect', true), `worked example \`${label}\`.expect`)),
    };
  });
  return { region: String(raw.region), name: String(raw.name), plugin: String(raw.plugin), parameters, examples };
}

const debugApprovers = (list) => `[${list.map((a) => (a === 'supervisor' ? 'Supervisor' : 'HeadOfAgency')).join(', ')}]`;

/**
 * What differs between an outcome and an example's expectation; `undefined` when it matches.
 * @returns {string | undefined}
 */
export function checkExpected(expect, outcome) {
  const problems = [];
  if (outcome.eligible !== expect.eligible) problems.push(`expected eligible = ${expect.eligible}, got ${outcome.eligible}`);
  if (expect.maxRemoteDays !== undefined && expect.maxRemoteDays !== outcome.maxRemoteDays) {
    problems.push(`expected max_remote_days = ${expect.maxRemoteDays}, got ${outcome.maxRemoteDays}`);
  }
  if (expect.failed !== undefined) {
    const want = [...expect.failed].sort();
    const got = failedCodes(outcome).sort();
    if (want.join('\n') !== got.join('\n')) problems.push(`expected failed gates ${debugList(want)}, got ${debugList(got)}`);
  }
  if (expect.approvalsRequired !== undefined) {
    const order = (list) => [...list].sort((a, b) => (a === b ? 0 : a === 'supervisor' ? -1 : 1));
    const want = order(expect.approvalsRequired);
    const got = order(outcome.approvalsRequired);
    if (want.join() !== got.join()) problems.push(`expected approvals ${debugApprovers(want)}, got ${debugApprovers(got)}`);
  }
  return problems.length === 0 ? undefined : problems.join('; ');
}

/**
 * Run every worked example of a parsed manifest natively, through the contract's boundary as in
 * the sandbox; returns one line per failure (empty when all pass).
 * @param {import('./policy.js').PolicyDefinition} policy
 * @param {ReturnType<typeof parseManifest>} manifest
 * @returns {string[]}
 */
export function runExamplesNatively(policy, manifest) {
  const failures = [];
  for (const example of manifest.examples) {
    try {
      const outcome = instance(policy, manifest.parameters, example.today).evaluate(example.employee, example.application);
      const problem = checkExpected(example.expect, outcome);
      if (problem !== undefined) failures.push(`${example.name}: ${problem}`);
    } catch (e) {
      failures.push(`${example.name}: plugin error ${e}`);
    }
  }
  return failures;
}
