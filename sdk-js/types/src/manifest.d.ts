import { Params } from './params.js';
/**
 * Parse a manifest's TOML text: region, name, plugin, parameters and worked examples.
 * @param {string} text
 */
export declare function parseManifest(text: string): {
    region: string;
    name: string;
    plugin: string;
    parameters: Params;
    examples: any;
};
/**
 * What differs between an outcome and an example's expectation; `undefined` when it matches.
 * @returns {string | undefined}
 */
export declare function checkExpected(expect: any, outcome: any): string | undefined;
/**
 * Run every worked example of a parsed manifest natively, through the contract's boundary as in
 * the sandbox; returns one line per failure (empty when all pass).
 * @param {import('./policy.js').PolicyDefinition} policy
 * @param {ReturnType<typeof parseManifest>} manifest
 * @returns {string[]}
 */
export declare function runExamplesNatively(policy: import('./policy.js').PolicyDefinition, manifest: ReturnType<typeof parseManifest>): string[];
