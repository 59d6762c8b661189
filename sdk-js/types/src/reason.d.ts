export type Text = {
    id: string;
    en: string;
};
/** @typedef {{id: string, en: string}} Text */
/**
 * A text in Bahasa Indonesia and English.
 * @param {string} id
 * @param {string} en
 * @returns {Text}
 */
export declare function text(id: string, en: string): Text;
/** One gate or consideration behind a decision. */
export declare class Reason {
    /** @type {string} */
    code: string;
    /** @type {boolean} */
    passed: boolean;
    /** @type {Text} */
    message: Text;
    /** @type {Text | undefined} for a failed gate: what would make it pass */
    remedy: Text | undefined;
    /**
     * @param {string} code stable code, e.g. `RATING`: never reworded, reports count by it
     * @param {boolean} passed
     * @param {string} id the message in Bahasa Indonesia (first: the default of every page)
     * @param {string} en the message in English
     */
    constructor(code: string, passed: boolean, id: string, en: string);
    /** A passed gate. */
    static pass(code: any, id: any, en: any): Reason;
    /** A failed gate; add what would make it pass with {@link Reason#withRemedy}. */
    static fail(code: any, id: any, en: any): Reason;
    /** Pass or fail by `passed`, same message. */
    static check(code: any, passed: any, id: any, en: any): Reason;
    /**
     * Attach what would make a failed gate pass (ignored on a passed gate); returns the reason.
     * (Named `withRemedy` because `remedy` is the field the contract reads.)
     * @param {string} id
     * @param {string} en
     */
    withRemedy(id: string, en: string): this;
}
/**
 * Codes of the failed gates of an eligibility, in order.
 * @param {{reasons: readonly {code: string, passed: boolean}[]}} eligibility
 * @returns {string[]}
 */
export declare function failedCodes(eligibility: {
    reasons: readonly {
        code: string;
        passed: boolean;
    }[];
}): string[];
/**
 * The reason with `code`, if present.
 * @template {{code: string}} R
 * @param {{reasons: readonly R[]}} eligibility
 * @param {string} code
 * @returns {R | undefined}
 */
export declare function reasonOf<R extends {
    code: string;
}>(eligibility: {
    reasons: readonly R[];
}, code: string): R | undefined;
/**
 * The verdict an eligibility gives: its outcome with the failed codes instead of the reasons.
 * @param {{eligible: boolean, maxRemoteDays: number, approvalsRequired: readonly string[],
 *   priority: number, reasons: readonly {code: string, passed: boolean}[]}} e
 */
export declare function verdictOf(e: {
    eligible: boolean;
    maxRemoteDays: number;
    approvalsRequired: readonly string[];
    priority: number;
    reasons: readonly {
        code: string;
        passed: boolean;
    }[];
}): {
    eligible: boolean;
    maxRemoteDays: number;
    approvalsRequired: string[];
    priority: number;
    failed: string[];
};
