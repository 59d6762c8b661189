// PolicyError: a plugin refusing a request it cannot decide (the contract's `plugin-error`),
// e.g. a parameter out of range. The host shows it with the plugin's name and version.

/** A plugin refusing a request it cannot decide (a bad parameter, an impossible input). */
export class PolicyError extends Error {
  /**
   * @param {string} code stable code, e.g. `BAD_PARAMETER`
   * @param {string} message what went wrong
   */
  constructor(code, message) {
    super(message);
    this.name = 'PolicyError';
    /** @type {string} */
    this.code = code;
  }

  /** `CODE: message`, as the Rust SDK's `Display` writes it. */
  toString() {
    return `${this.code}: ${this.message}`;
  }

  /** The contract's `plugin-error` record. */
  toWit() {
    return { code: this.code, message: this.message };
  }
}
