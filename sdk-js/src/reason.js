// Reasons: one gate or consideration behind a decision, with a stable code, the outcome, a
// message in Bahasa Indonesia and in English and, for a failed gate, what would make it pass —
// the Rust SDK's `Reason::pass/fail/check(..).remedy(..)`. A Reason has exactly the fields of
// the contract's `reason` record, so it crosses the boundary as it is.

/** @typedef {{id: string, en: string}} Text */

/**
 * A text in Bahasa Indonesia and English.
 * @param {string} id
 * @param {string} en
 * @returns {Text}
 */
export function text(id, en) {
  return { id: String(id), en: String(en) };
}

/** One gate or consideration behind a decision. */
export class Reason {
  /**
   * @param {string} code stable code, e.g. `RATING`: never reworded, reports count by it
   * @param {boolean} passed
   * @param {string} id the message in Bahasa Indonesia (first: the default of every page)
   * @param {string} en the message in English
   */
  constructor(code, passed, id, en) {
    /** @type {string} */
    this.code = code;
    /** @type {boolean} */
    this.passed = passed;
    /** @type {Text} */
    this.message = text(id, en);
    /** @type {Text | undefined} for a failed gate: what would make it pass */
    this.remedy = undefined;
  }

  /** A passed gate. */
  static pass(code, id, en) {
    return new Reason(code, true, id, en);
  }

  /** A failed gate; add what would make it pass with {@link Reason#withRemedy}. */
  static fail(code, id, en) {
    return new Reason(code, false, id, en);
  }

  /** Pass or fail by `passed`, same message. */
  static check(code, passed, id, en) {
    return new Reason(code, passed, id, en);
  }

  /**
   * Attach what would make a failed gate pass (ignored on a passed gate); returns the reason.
   * (Named `withRemedy` because `remedy` is the field the contract reads.)
   * @param {string} id
   * @param {string} en
   */
  withRemedy(id, en) {
    if (!this.passed) this.remedy = text(id, en);
    return this;
  }
}

/**
 * Codes of the failed gates of an eligibility, in order.
 * @param {{reasons: readonly {code: string, passed: boolean}[]}} eligibility
 * @returns {string[]}
 */
export function failedCodes(eligibility) {
  return eligibility.reasons.filter((r) => !r.passed).map((r) => r.code);
}

/**
 * The reason with `code`, if present.
 * @template {{code: string}} R
 * @param {{reasons: readonly R[]}} eligibility
 * @param {string} code
 * @returns {R | undefined}
 */
export function reasonOf(eligibility, code) {
  return eligibility.reasons.find((r) => r.code === code);
}

/**
 * The verdict an eligibility gives: its outcome with the failed codes instead of the reasons.
 * @param {{eligible: boolean, maxRemoteDays: number, approvalsRequired: readonly string[],
 *   priority: number, reasons: readonly {code: string, passed: boolean}[]}} e
 */
export function verdictOf(e) {
  return {
    eligible: e.eligible,
    maxRemoteDays: e.maxRemoteDays,
    approvalsRequired: [...e.approvalsRequired],
    priority: e.priority,
    failed: failedCodes(e),
  };
}
