// Region parameters: the numbers and lists a manifest's `[parameters]` sets, read by plugins
// with typed getters that name the parameter and the allowed range in their errors — the Rust
// SDK's `Params`. A value keeps the kind the manifest gave it, as the contract's `param-value`
// does: a whole number is a BigInt (`4n`, the contract's s64), a decimal a number (`0.5`), so
// `integerOr` refuses `4.0` exactly as the Rust SDK does.

import { PolicyError } from './errors.js';
import { debugList, debugNumber, formatNumber } from './format.js';

/** @typedef {boolean | bigint | number | string | readonly string[]} ParamValue */

/** The Rust SDK's `Debug` of a value, as its error messages quote it. */
function debug(value) {
  if (typeof value === 'boolean') return `Flag(${value})`;
  if (typeof value === 'bigint') return `Integer(${value})`;
  if (typeof value === 'number') return `Number(${debugNumber(value)})`;
  if (typeof value === 'string') return `Text(${JSON.stringify(value)})`;
  return `TextList(${debugList(value)})`;
}

function bad(name, expected, found) {
  return new PolicyError('BAD_PARAMETER', `parameter \`${name}\` must be ${expected}, found ${debug(found)}`);
}

function outside(name, value, [min, max]) {
  const show = (x) => (typeof x === 'bigint' ? String(x) : formatNumber(x));
  return new PolicyError('BAD_PARAMETER', `parameter \`${name}\` = ${show(value)} is outside ${show(min)}..=${show(max)}`);
}

function checkValue(name, value) {
  const ok = ['boolean', 'bigint', 'number', 'string'].includes(typeof value) ||
    (Array.isArray(value) && value.every((v) => typeof v === 'string'));
  if (!ok) {
    throw new TypeError(`parameter \`${name}\`: a value is true/false, a BigInt (4n), a number, a text or a list of texts`);
  }
}

/** A region's parameters by name; immutable, so what is read from them can be kept. */
export class Params {
  /**
   * @param {Iterable<[string, ParamValue]> | Record<string, ParamValue>} [entries]
   */
  constructor(entries = {}) {
    const pairs = Symbol.iterator in Object(entries) ? [...entries] : Object.entries(entries);
    /** @type {Map<string, ParamValue>} */
    this.values = new Map();
    for (const [name, value] of pairs) {
      checkValue(name, value);
      this.values.set(name, Array.isArray(value) ? Object.freeze([...value]) : value);
    }
    /** @type {Map<string, unknown>} */
    this.memos = new Map();
  }

  /**
   * The parameters the host passes (the contract's `list<param>`).
   * @param {ReadonlyArray<{name: string, value: {tag: string, val: any}}>} list
   */
  static fromWit(list) {
    return new Params(list.map(({ name, value }) => [name, value.val]));
  }

  /** The contract's `list<param>`, in name order (what the host sends). */
  toWit() {
    const tag = (v) => (typeof v === 'boolean' ? 'flag' : typeof v === 'bigint' ? 'integer'
      : typeof v === 'number' ? 'number' : typeof v === 'string' ? 'text' : 'text-list');
    return [...this.values.keys()].sort().map((name) => {
      const val = this.values.get(name);
      return { name, value: { tag: tag(val), val: Array.isArray(val) ? [...val] : val } };
    });
  }

  /**
   * A copy with one more parameter (for tests): `params.with('max_remote_days', 3n)`.
   * @param {string} name
   * @param {ParamValue} value
   */
  with(name, value) {
    return new Params([...this.values, [name, value]]);
  }

  /**
   * The raw value, if set.
   * @param {string} name
   * @returns {ParamValue | undefined}
   */
  get(name) {
    return this.values.get(name);
  }

  /**
   * A whole number in `[min, max]` (inclusive), or `fallback` when unset; returned as a number.
   * @param {string} name
   * @param {number} fallback
   * @param {[number, number]} range
   */
  integerOr(name, fallback, range) {
    const value = this.values.has(name) ? this.values.get(name) : BigInt(fallback);
    if (typeof value !== 'bigint') throw bad(name, 'a whole number', value);
    if (value < BigInt(range[0]) || value > BigInt(range[1])) throw outside(name, value, range.map(BigInt));
    return Number(value);
  }

  /**
   * A number (whole or decimal) in `[min, max]`, or `fallback` when unset.
   * @param {string} name
   * @param {number} fallback
   * @param {[number, number]} range
   */
  numberOr(name, fallback, range) {
    let value = this.values.has(name) ? this.values.get(name) : fallback;
    if (typeof value === 'bigint') value = Number(value);
    else if (typeof value !== 'number') throw bad(name, 'a number', value);
    if (!(value >= range[0] && value <= range[1])) throw outside(name, value, range);
    return value;
  }

  /**
   * A flag, or `fallback` when unset.
   * @param {string} name
   * @param {boolean} fallback
   */
  flagOr(name, fallback) {
    if (!this.values.has(name)) return fallback;
    const value = this.values.get(name);
    if (typeof value !== 'boolean') throw bad(name, 'true or false', value);
    return value;
  }

  /**
   * A text, or `fallback` when unset.
   * @param {string} name
   * @param {string} fallback
   */
  textOr(name, fallback) {
    if (!this.values.has(name)) return fallback;
    const value = this.values.get(name);
    if (typeof value !== 'string') throw bad(name, 'a text', value);
    return value;
  }

  /**
   * A list of texts, empty when unset.
   * @param {string} name
   * @returns {readonly string[]}
   */
  textList(name) {
    if (!this.values.has(name)) return [];
    const value = this.values.get(name);
    if (!Array.isArray(value)) throw bad(name, 'a list of texts', value);
    return value;
  }

  /**
   * What `read` derives from these parameters, computed once and kept with them: a warm
   * instance decides many applications under one configuration, and reading a plugin's own
   * parameters by name on every call costs fuel. An error is not kept (it is thrown again).
   * @template T
   * @param {string} key names what is kept, e.g. your plugin's name
   * @param {(params: Params) => T} read
   * @returns {T}
   */
  memo(key, read) {
    if (this.memos.has(key)) return /** @type {T} */ (this.memos.get(key));
    const value = read(this);
    this.memos.set(key, value);
    return value;
  }
}
