import { PolicyError } from './errors.js';
/** The contract version this SDK builds plugins against (`dwa:policy@0.3.0`). */
export declare const CONTRACT_VERSION = "0.3.0";
/**
 * Info for a plugin built with this SDK (fills in the contract version).
 * @param {string} region BPS code, e.g. `3273`
 * @param {string} name e.g. `Kota Bandung`
 * @param {string} version the plugin's own version (semver)
 * @returns {import('./types.js').PluginInfo}
 */
export declare function pluginInfo(region: string, name: string, version: string): import('./types.js').PluginInfo;
/**
 * An answer of a batch: the value, or the PolicyError that refused that one item.
 * @template T
 * @param {() => T} f
 * @returns {T | PolicyError}
 */
export declare function attempt<T>(f: () => T): T | PolicyError;
export type Employee = import('./types.js').Employee;
export type Application = import('./types.js').Application;
export type Params = import('./params.js').Params;
export type DwaDate = import('./date.js').DwaDate;
export type PolicyDefinition = {
    /**
     * who this plugin is
     */
    info: () => import('./types.js').PluginInfo;
    /**
     * check the parameters once per instance;
     * throw a PolicyError to refuse them (defaults to accepting them)
     */
    configure?: (params: Params) => void;
    /**
     * one application with its reasons (defaults to the province baseline)
     */
    evaluate?: (e: Employee, a: Application, params: Params, today: DwaDate) => import('./types.js').Eligibility;
    /**
     * the outcome without the messages (defaults to `evaluate` without its messages)
     */
    decide?: (e: Employee, a: Application, params: Params, today: DwaDate) => import('./types.js').Verdict;
    evaluateBatch?: (items: [Employee, Application][], params: Params, today: DwaDate) => (import('./types.js').Eligibility | PolicyError)[];
    decideBatch?: (items: [Employee, Application][], params: Params, today: DwaDate) => (import('./types.js').Verdict | PolicyError)[];
    /**
     * one unit's grants (defaults to the standard allocator)
     */
    allocate?: (request: import('./types.js').AllocationRequest, params: Params) => import('./types.js').Grant[];
};
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
export declare function definePolicy(definition: PolicyDefinition): Required<PolicyDefinition>;
