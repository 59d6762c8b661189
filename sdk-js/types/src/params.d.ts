export type ParamValue = boolean | bigint | number | string | readonly string[];
/** A region's parameters by name; immutable, so what is read from them can be kept. */
export declare class Params {
    /** @type {Map<string, ParamValue>} */
    values: Map<string, ParamValue>;
    /** @type {Map<string, unknown>} */
    memos: Map<string, unknown>;
    /**
     * @param {Iterable<[string, ParamValue]> | Record<string, ParamValue>} [entries]
     */
    constructor(entries?: Iterable<[string, ParamValue]> | Record<string, ParamValue>);
    /**
     * The parameters the host passes (the contract's `list<param>`).
     * @param {ReadonlyArray<{name: string, value: {tag: string, val: any}}>} list
     */
    static fromWit(list: ReadonlyArray<{
        name: string;
        value: {
            tag: string;
            val: any;
        };
    }>): Params;
    /** The contract's `list<param>`, in name order (what the host sends). */
    toWit(): {
        name: string;
        value: {
            tag: string;
            val: string | number | bigint | boolean | any[] | readonly string[] | undefined;
        };
    }[];
    /**
     * A copy with one more parameter (for tests): `params.with('max_remote_days', 3n)`.
     * @param {string} name
     * @param {ParamValue} value
     */
    with(name: string, value: ParamValue): Params;
    /**
     * The raw value, if set.
     * @param {string} name
     * @returns {ParamValue | undefined}
     */
    get(name: string): ParamValue | undefined;
    /**
     * A whole number in `[min, max]` (inclusive), or `fallback` when unset; returned as a number.
     * @param {string} name
     * @param {number} fallback
     * @param {[number, number]} range
     */
    integerOr(name: string, fallback: number, range: [number, number]): number;
    /**
     * A number (whole or decimal) in `[min, max]`, or `fallback` when unset.
     * @param {string} name
     * @param {number} fallback
     * @param {[number, number]} range
     */
    numberOr(name: string, fallback: number, range: [number, number]): number;
    /**
     * A flag, or `fallback` when unset.
     * @param {string} name
     * @param {boolean} fallback
     */
    flagOr(name: string, fallback: boolean): boolean;
    /**
     * A text, or `fallback` when unset.
     * @param {string} name
     * @param {string} fallback
     */
    textOr(name: string, fallback: string): string;
    /**
     * A list of texts, empty when unset.
     * @param {string} name
     * @returns {readonly string[]}
     */
    textList(name: string): readonly string[];
    /**
     * What `read` derives from these parameters, computed once and kept with them: a warm
     * instance decides many applications under one configuration, and reading a plugin's own
     * parameters by name on every call costs fuel. An error is not kept (it is thrown again).
     * @template T
     * @param {string} key names what is kept, e.g. your plugin's name
     * @param {(params: Params) => T} read
     * @returns {T}
     */
    memo<T>(key: string, read: (params: Params) => T): T;
}
