// A region's rules as a JavaScript object — the Rust SDK's `Policy` trait: every function but
// `info` defaults to the province baseline (or the standard allocator), so a plugin writes only
// what its region does differently. `definePolicy` fills in the defaults; the same object runs
// in the sandbox (through `exportPolicy`) and natively in `npm test`.

import { standardAllocation } from './allocator.js';
import { evaluateBaseline } from './baseline.js';
import { PolicyError } from './errors.js';
import { verdictOf } from './reason.js';

/** The contract version this SDK builds plugins against (`dwa:policy@0.3.0`). */
export const CONTRACT_VERSION = '0.3.0';

/**
 * Info for a plugin built with this SDK (fills in the contract version).
 * @param {string} region BPS code, e.g. `3273`
 * @param {string} name e.g. `Kota Bandung`
 * @param {string} version the plugin's own version (semver)
 * @returns {import('./types.js').PluginInfo}
 */
export function pluginInfo(region, name, version) {
  return { region, name, version, contract: CONTRACT_VERSION };
}

/**
 * An answer of a batch: the value, or the PolicyError that refused that one item.
 * @template T
 * @param {() => T} f
 * @returns {T | PolicyError}
 */
export function attempt(f) {
  try {
    return f();
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
}

/**
 * @typedef {import('./types.js').Employee} Employee
 * @typedef {import('./types.js').Application} Application
 * @typedef {import('./params.js').Params} Params
 * @typedef {import('./date.js').DwaDate} DwaDate
 *
 * @typedef {object} PolicyDefinition
 * @property {() => import('./types.js').PluginInfo} info who this plugin is
 * @property {(params: Params) => void} [configure] check the parameters once per instance;
 *   throw a PolicyError to refuse them (defaults to accepting them)
 * @property {(e: Employee, a: Application, params: Params, today: DwaDate) => import('./types.js').Eligibility} [evaluate]
 *   one application with its reasons (defaults to the province baseline)
 * @property {(e: Employee, a: Application, params: Params, today: DwaDate) => import('./types.js').Verdict} [decide]
 *   the outcome without the messages (defaults to `evaluate` without its messages)
 * @property {(items: [Employee, Application][], params: Params, today: DwaDate) => (import('./types.js').Eligibility | PolicyError)[]} [evaluateBatch]
 * @property {(items: [Employee, Application][], params: Params, today: DwaDate) => (import('./types.js').Verdict | PolicyError)[]} [decideBatch]
 * @property {(request: import('./types.js').AllocationRequest, params: Params) => import('./types.js').Grant[]} [allocate]
 *   one unit's grants (defaults to the standard allocator)
 */

/**
 * A complete policy from the functions a region writes; the others are the province's.
 * @param {PolicyDefinition} definition
 * @returns {Required<PolicyDefinition>}
 */
export function definePolicy(definition) {
  if (typeof definition?.info !== 'function') {
    throw new TypeError('a policy needs `info()`: return pluginInfo(region, name, version)');
  }
  const policy = {
    configure: () => {},
    evaluate: (e, a, params, today) => evaluateBaseline(e, a, params, today),
    decide: (e, a, params, today) => verdictOf(policy.evaluate(e, a, params, today)),
    evaluateBatch: (items, params, today) => items.map(([e, a]) => attempt(() => policy.evaluate(e, a, params, today))),
    decideBatch: (items, params, today) => items.map(([e, a]) => attempt(() => policy.decide(e, a, params, today))),
    allocate: (request, params) => standardAllocation(request, params),
    ...definition,
  };
  return Object.freeze(policy);
}
