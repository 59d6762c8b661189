/**
 * A number as Rust's `Display` for f64 prints it: `70`, `70.5`, `NaN`, `inf`, `-0`.
 * @param {number} x
 * @returns {string}
 */
export declare function formatNumber(x: number): string;
/**
 * A number as Rust's `Debug` for f64 prints it in the SDK's messages: `4.0`, `0.5`.
 * @param {number} x
 * @returns {string}
 */
export declare function debugNumber(x: number): string;
/**
 * A list of texts as Rust's `Debug` prints it: `["A", "B"]`.
 * @param {readonly string[]} items
 * @returns {string}
 */
export declare function debugList(items: readonly string[]): string;
