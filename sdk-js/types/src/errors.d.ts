/** A plugin refusing a request it cannot decide (a bad parameter, an impossible input). */
export declare class PolicyError extends Error {
    /** @type {string} */
    code: string;
    /**
     * @param {string} code stable code, e.g. `BAD_PARAMETER`
     * @param {string} message what went wrong
     */
    constructor(code: string, message: string);
    /** `CODE: message`, as the Rust SDK's `Display` writes it. */
    toString(): string;
    /** The contract's `plugin-error` record. */
    toWit(): {
        code: string;
        message: string;
    };
}
